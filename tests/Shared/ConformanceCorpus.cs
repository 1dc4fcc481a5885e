namespace Zarr.Tests.Shared;

/// <summary>
/// Where the shared conformance corpus is: $ZARR_CONFORMANCE, else <c>../shared/conformance</c> beside the repository
/// (the folder holding Zarr.Dataflow.sln). One copy of this file is linked into every test project that reads it.
/// </summary>
internal static class ConformanceCorpus
{
    /// <summary>The environment variable naming the corpus folder (the one holding v2/, v3/ and check_foreign.sh).</summary>
    public const string Variable = "ZARR_CONFORMANCE";

    private static readonly Lazy<(string? Path, string Searched)> Found = new(Find);

    /// <summary>The corpus folder, or null when it was not found (<see cref="Searched"/> says where it was looked for).</summary>
    public static string? Path => Found.Value.Path;

    /// <summary>Where the corpus was looked for.</summary>
    public static string Searched => Found.Value.Searched;

    /// <summary>The corpus folder; throws (failing the test, never passing it silently) when it cannot be found.</summary>
    public static string Require() =>
        Found.Value.Path ?? throw new InvalidOperationException(
            $"the Zarr conformance corpus was not found. Looked in: {Found.Value.Searched}. " +
            $"Set {Variable} to the folder that holds v2/manifest.json, v3/manifest.json and check_foreign.sh.");

    private static (string? Path, string Searched) Find()
    {
        var fromEnv = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrWhiteSpace(fromEnv))
        {
            var full = System.IO.Path.GetFullPath(fromEnv);
            return (IsCorpus(full) ? full : null, $"{Variable}={full} ({Variable} is set, so nothing else was tried)");
        }

        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(d.FullName, "Zarr.Dataflow.sln")))
            {
                var candidate = System.IO.Path.GetFullPath(System.IO.Path.Combine(d.FullName, "..", "shared", "conformance"));
                return (IsCorpus(candidate) ? candidate : null, candidate + " (the repository root's ../shared/conformance)");
            }
        }

        return (null, $"no folder holding Zarr.Dataflow.sln above {AppContext.BaseDirectory}");
    }

    private static bool IsCorpus(string path) =>
        File.Exists(System.IO.Path.Combine(path, "v2", "manifest.json"))
        && File.Exists(System.IO.Path.Combine(path, "v3", "manifest.json"))
        && File.Exists(System.IO.Path.Combine(path, "check_foreign.sh"));
}
