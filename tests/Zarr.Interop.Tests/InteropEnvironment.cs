using System.Diagnostics;
using System.Text;

namespace Zarr.Interop.Tests;

/// <summary>Where the foreign tools (python3 with zarr, node, npm) are, and how to run them.</summary>
public static class InteropEnvironment
{
    public const string DebianPackages = Zarr.Tests.Shared.TestCorpora.DebianPackages;

    public const string PythonPath = Zarr.Tests.Shared.TestCorpora.PythonPath;

    private static readonly Lazy<string?> ToolProblem = new(FindToolProblem);

    /// <summary>Fails the calling test with the Debian packages to install when python3, its zarr module, node or npm is missing.</summary>
    public static void RequireForeignTools()
    {
        if (ToolProblem.Value is { } problem)
        {
            throw new InvalidOperationException(
                $"{problem}. The interop tests need zarr-python 2 and node: apt-get install -y {DebianPackages}");
        }
    }

    private static string? FindToolProblem()
    {
        if (!File.Exists(PythonPath))
        {
            return $"{PythonPath} is missing";
        }

        var probe = Run(PythonPath, ["-c", "import zarr, numcodecs, numpy, zstandard, blosc, crc32c; print(zarr.__version__)"], null, TimeSpan.FromMinutes(1));
        if (probe.ExitCode != 0)
        {
            return $"{PythonPath} cannot import zarr, numcodecs, numpy, zstandard, blosc and crc32c ({probe.StdErr.Trim()})";
        }

        foreach (var tool in new[] { "node", "npm" })
        {
            if (FindOnPath(tool) is null)
            {
                return $"'{tool}' is not on PATH";
            }
        }

        return null;
    }

    private static string? FindOnPath(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    public sealed record ProcessResult(int ExitCode, string StdOut, string StdErr)
    {
        public string Describe(string what) => $"{what} exited with {ExitCode}\n--- stdout ---\n{StdOut}\n--- stderr ---\n{StdErr}";
    }

    /// <summary>Runs a program to completion (killing it after <paramref name="timeout"/>) and captures its output.</summary>
    public static ProcessResult Run(string fileName, IEnumerable<string> arguments, IDictionary<string, string>? environment, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        if (environment is not null)
        {
            foreach (var (k, v) in environment)
            {
                info.Environment[k] = v;
            }
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {fileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return new ProcessResult(-1, stdout.Result, stderr.Result + $"\n(killed after {timeout.TotalSeconds:0} s)");
        }

        process.WaitForExit();
        return new ProcessResult(process.ExitCode, stdout.Result, stderr.Result);
    }
}

/// <summary>A temporary folder, deleted on dispose unless ZARR_INTEROP_KEEP is set (for looking at what was written).</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder(string label)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"zarr-interop-{label}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable("ZARR_INTEROP_KEEP") is not null)
        {
            return;
        }

        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
