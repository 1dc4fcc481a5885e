using System.Diagnostics;

namespace Zarr.Storage.Tests;

/// <summary>
/// Runs Debian's python3 (zarr-python 2.13, numcodecs, numpy) as a peer. A missing interpreter or module fails the
/// test saying which Debian packages to install; a script that fails fails the test with everything it printed.
/// </summary>
internal static class PythonPeer
{
    public const string Python = "/usr/bin/python3";

    public const string Install = "apt-get install -y python3-zarr python3-numcodecs python3-numpy python3-zstandard python3-blosc python3-crc32c python3-zfpy";

    /// <summary>Runs python with <paramref name="arguments"/> (a script path, or "-c" and code, then its arguments) and returns its standard output.</summary>
    /// <param name="purpose">What a failure means, for the assertion message ("numcodecs could not decode our output").</param>
    /// <param name="arguments">The interpreter's arguments.</param>
    public static string Run(string purpose, params string[] arguments)
    {
        if (!File.Exists(Python))
        {
            Assert.Fail($"{Python} is missing; this test runs Debian's python3 as a peer: {Install}");
        }

        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(180_000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{purpose}: python did not finish within 3 minutes");
        }

        // Both readers have reached the end of their streams once the process has exited.
        var output = stdout.GetAwaiter().GetResult();
        var error = stderr.GetAwaiter().GetResult();
        if (error.Contains("ModuleNotFoundError", StringComparison.Ordinal) || error.Contains("No module named", StringComparison.Ordinal))
        {
            Assert.Fail($"a module this test needs is missing from {Python}: {Install}\n{error}");
        }

        Assert.True(process.ExitCode == 0, $"{purpose} (python exited with {process.ExitCode}):\n{output}{error}");
        return output;
    }
}
