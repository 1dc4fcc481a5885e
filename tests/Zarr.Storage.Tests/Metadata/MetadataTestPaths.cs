using System.Runtime.CompilerServices;

namespace Zarr.Storage.Tests.Metadata;

/// <summary>Where the metadata tests find their fixtures and the shared conformance corpus.</summary>
internal static class MetadataTestPaths
{
    /// <summary>This folder's Fixtures folder (found from the source file, so no copying to the output is needed).</summary>
    public static string Fixtures { get; } = Path.Combine(SourceFolder(), "Fixtures");

    /// <summary>The conformance corpus (see <see cref="Zarr.Tests.Shared.ConformanceCorpus"/>).</summary>
    public static string Conformance => Zarr.Tests.Shared.ConformanceCorpus.Require();

    private static string SourceFolder([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
