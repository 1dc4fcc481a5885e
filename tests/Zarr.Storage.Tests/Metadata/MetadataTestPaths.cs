using System.Runtime.CompilerServices;

namespace Zarr.Storage.Tests.Metadata;

/// <summary>Where the metadata tests find their own fixtures (the corpora are <see cref="Zarr.Tests.Shared.TestCorpora"/>).</summary>
internal static class MetadataTestPaths
{
    /// <summary>This folder's Fixtures folder (found from the source file, so no copying to the output is needed).</summary>
    public static string Fixtures { get; } = Path.Combine(SourceFolder(), "Fixtures");

    /// <summary>The repository's generated corpus, whose named cases (groups_consolidated.zarr, zipstore.zip) some tests read.</summary>
    public static string Corpus => Zarr.Tests.Shared.TestCorpora.Fixtures.Root;

    private static string SourceFolder([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
