using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Zarr.Tests.Shared;

/// <summary>A folder holding <c>v2/manifest.json</c> and <c>v3/manifest.json</c> with the arrays they list.</summary>
/// <param name="Name">How test case names start: <c>fixtures</c> for the generated corpus, <c>shared</c> for the extra one.</param>
/// <param name="Root">The folder.</param>
internal sealed record Corpus(string Name, string Root)
{
    /// <summary>The folder of one format's arrays and manifest: <c>v2</c> or <c>v3</c>.</summary>
    public string Format(string format) => System.IO.Path.Combine(Root, format);

    public override string ToString() => $"{Name} ({Root})";
}

/// <summary>
/// The corpora of arrays written by other implementations that the tests read. <see cref="Fixtures"/> is generated
/// by the repository's own scripts (<c>tests/fixtures/python/generate.py</c>) from the real peers, zarr-python 2.13
/// and zarrita.js, plus hand-built v3 cases, into a cache keyed by the generators' content; it is always there.
/// <see cref="Extra"/> is the optional conformance corpus beside the repository (<c>../shared/conformance</c>, or
/// <c>$ZARR_CONFORMANCE</c>): run too when present, never required. One copy of this file is linked into every test
/// project that reads a corpus.
/// </summary>
internal static class TestCorpora
{
    /// <summary>The environment variable naming the extra corpus folder.</summary>
    public const string ExtraVariable = "ZARR_CONFORMANCE";

    /// <summary>What the generator needs from Debian, for the message of a test that cannot run.</summary>
    public const string DebianPackages =
        "python3-zarr python3-numcodecs python3-numpy python3-zstandard python3-blosc python3-crc32c nodejs npm";

    /// <summary>The Python every fixture script runs with: Debian's, with its zarr-python 2.13.</summary>
    public const string PythonPath = "/usr/bin/python3";

    private static readonly Lazy<string> RepositoryRoot = new(FindRepositoryRoot);
    private static readonly Lazy<Corpus> Generated = new(Generate);
    private static readonly Lazy<Corpus?> Found = new(FindExtra);

    /// <summary>The repository's own fixtures, generated on first use (cross-process safe) and cached.</summary>
    public static Corpus Fixtures => Generated.Value;

    /// <summary>The extra corpus beside the repository, or null when there is none.</summary>
    public static Corpus? Extra => Found.Value;

    /// <summary>The fixtures, then the extra corpus when present.</summary>
    public static IEnumerable<Corpus> All => Extra is { } extra ? [Fixtures, extra] : [Fixtures];

    /// <summary>The corpus a test case name starts with (<see cref="Corpus.Name"/>).</summary>
    public static Corpus Named(string name) =>
        All.SingleOrDefault(c => c.Name == name) ?? throw new InvalidOperationException($"no corpus named '{name}'");

    /// <summary>A test case's name for a path inside a corpus: <c>fixtures/dtype_b1.zarr</c>.</summary>
    public static string CaseId(Corpus corpus, string path) => $"{corpus.Name}/{path}";

    /// <summary>The corpus and the path a <see cref="CaseId"/> names.</summary>
    public static (Corpus Corpus, string Path) ParseCaseId(string id)
    {
        var slash = id.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? throw new ArgumentException($"'{id}' is not corpus/path", nameof(id)) : (Named(id[..slash]), id[(slash + 1)..]);
    }

    /// <summary>The entries of one corpus's manifest for <paramref name="format"/> (<c>v2</c> or <c>v3</c>), each a fresh copy.</summary>
    public static IReadOnlyList<JsonObject> Manifest(Corpus corpus, string format)
    {
        var entries = Manifests.GetOrAdd(corpus.Format(format), folder =>
            [.. JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "manifest.json")))!["entries"]!.AsArray().Select(e => e!.AsObject())]);
        lock (entries)
        {
            return [.. entries.Select(e => e.DeepClone().AsObject())];
        }
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, List<JsonObject>> Manifests = new(StringComparer.Ordinal);

    /// <summary>The repository's foreign checker: zarr-python 2.13 for v2, zarrita.js and a small numpy v3 reader for v3.</summary>
    public static string Checker => Path.Combine(RepositoryRoot.Value, "tests", "fixtures", "check_foreign.sh");

    /// <summary>The folder of the fixture scripts (canonical.py, the generators).</summary>
    public static string ScriptFolder => Path.Combine(RepositoryRoot.Value, "tests", "fixtures", "python");

    private static string FindRepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "Zarr.Dataflow.sln")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException($"no folder holding Zarr.Dataflow.sln above {AppContext.BaseDirectory}");
    }

    private static Corpus? FindExtra()
    {
        var fromEnv = Environment.GetEnvironmentVariable(ExtraVariable);
        var candidate = string.IsNullOrWhiteSpace(fromEnv)
            ? Path.GetFullPath(Path.Combine(RepositoryRoot.Value, "..", "shared", "conformance"))
            : Path.GetFullPath(fromEnv);
        var present = File.Exists(Path.Combine(candidate, "v2", "manifest.json")) && File.Exists(Path.Combine(candidate, "v3", "manifest.json"));
        if (!present && !string.IsNullOrWhiteSpace(fromEnv))
        {
            throw new InvalidOperationException($"{ExtraVariable}={candidate} holds no v2/manifest.json and v3/manifest.json");
        }

        return present ? new Corpus("shared", candidate) : null;
    }

    /// <summary>
    /// The generated corpus: <c>tests/fixtures/.generated/KEY</c>, where KEY hashes every generator file, so a change
    /// to a generator makes a new corpus. Test processes run in parallel: one generates under a file lock, into a
    /// temporary folder renamed into place when complete; the others wait and use it.
    /// </summary>
    private static Corpus Generate()
    {
        var fixtures = Path.Combine(RepositoryRoot.Value, "tests", "fixtures");
        var cache = Path.Combine(fixtures, ".generated");
        var target = Path.Combine(cache, GeneratorKey(fixtures));
        if (IsComplete(target))
        {
            return new Corpus("fixtures", target);
        }

        Directory.CreateDirectory(cache);
        using var gate = AcquireLock(Path.Combine(cache, ".lock"), TimeSpan.FromMinutes(15));
        if (IsComplete(target))
        {
            return new Corpus("fixtures", target);
        }

        var scratch = target + ".tmp-" + Environment.ProcessId;
        if (Directory.Exists(scratch))
        {
            Directory.Delete(scratch, recursive: true);
        }

        if (!File.Exists(PythonPath))
        {
            throw new InvalidOperationException($"the test fixtures are generated by {PythonPath} with zarr-python, which is missing: apt-get install -y {DebianPackages}");
        }

        var (exitCode, output) = Run(PythonPath, [Path.Combine(fixtures, "python", "generate.py"), scratch], TimeSpan.FromMinutes(10));
        if (exitCode != 0)
        {
            throw new InvalidOperationException(
                $"generating the test fixtures failed (exit {exitCode}); they need Debian's {DebianPackages}:\n{output}");
        }

        if (Directory.Exists(target))
        {
            Directory.Delete(target, recursive: true); // an incomplete corpus from a generator that was killed
        }

        Directory.Move(scratch, target);
        foreach (var stale in Directory.EnumerateDirectories(cache).Where(d => d != target && !d.Contains(".tmp-", StringComparison.Ordinal)))
        {
            Directory.Delete(stale, recursive: true); // made by generators since changed
        }

        return new Corpus("fixtures", target);
    }

    private static bool IsComplete(string folder) =>
        File.Exists(Path.Combine(folder, "v2", "manifest.json")) && File.Exists(Path.Combine(folder, "v3", "manifest.json"));

    private static string GeneratorKey(string fixtures)
    {
        var files = Directory.EnumerateFiles(Path.Combine(fixtures, "python"), "*.py")
            .Concat(Directory.EnumerateFiles(Path.Combine(fixtures, "js"), "*.mjs"))
            .Append(Path.Combine(fixtures, "js", "package-lock.json"))
            .Where(File.Exists)
            .Order(StringComparer.Ordinal);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(Path.GetRelativePath(fixtures, file).Replace('\\', '/') + "\n"));
            hash.AppendData(File.ReadAllBytes(file));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    private static FileStream AcquireLock(string path, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (clock.Elapsed < timeout)
            {
                Thread.Sleep(250);
            }
        }
    }

    /// <summary>Runs a program to completion (killing it after <paramref name="timeout"/>); stdout and stderr together.</summary>
    private static (int ExitCode, string Output) Run(string fileName, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {fileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (-1, $"{stdout.Result}{stderr.Result}\n(killed after {timeout.TotalMinutes:0} minutes)");
        }

        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
