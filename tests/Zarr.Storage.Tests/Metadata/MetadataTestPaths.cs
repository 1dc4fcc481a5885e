using System.Runtime.CompilerServices;

namespace Zarr.Storage.Tests.Metadata;

/// <summary>Where the metadata tests find their fixtures and the shared conformance corpus.</summary>
internal static class MetadataTestPaths
{
    /// <summary>This folder's Fixtures folder (found from the source file, so no copying to the output is needed).</summary>
    public static string Fixtures { get; } = Path.Combine(SourceFolder(), "Fixtures");

    /// <summary>The conformance corpus: $ZARR_CONFORMANCE, else ../shared/conformance beside the repository.</summary>
    public static string Conformance
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("ZARR_CONFORMANCE");
            if (!string.IsNullOrEmpty(env))
            {
                return env;
            }

            var dir = new DirectoryInfo(SourceFolder());
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Zarr.Dataflow.sln")))
            {
                dir = dir.Parent;
            }

            var path = dir?.Parent is null ? null : Path.Combine(dir.Parent.FullName, "shared", "conformance");
            return path is not null && Directory.Exists(path)
                ? path
                : throw new DirectoryNotFoundException("conformance corpus not found: set ZARR_CONFORMANCE or place it at ../shared/conformance beside the repository");
        }
    }

    private static string SourceFolder([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
