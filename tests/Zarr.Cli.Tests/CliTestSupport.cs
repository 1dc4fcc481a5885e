using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Zarr.Cli.Tests;

/// <summary>A temporary folder deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "zarr-cli-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}

/// <summary>The result of one run of the command.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public JsonObject Json => JsonNode.Parse(Stdout)!.AsObject();

    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}

/// <summary>Runs the command in-process with captured writers.</summary>
public static class Cli
{
    public static async Task<CliResult> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await ZarrCommand.RunAsync(args, stdout, stderr);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs and asserts the exit status, showing the output when it is not the expected one.</summary>
    public static async Task<CliResult> RunExpectingAsync(int exitCode, params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.ExitCode == exitCode, $"expected exit {exitCode} for `zarr {string.Join(' ', args)}`, got {result}");
        if (exitCode != 0)
        {
            Assert.Single(result.StderrLines);
            Assert.StartsWith("zarr: ", result.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        }

        return result;
    }
}

/// <summary>Runs /usr/bin/python3 with numpy: the reference reader and writer of .npy files.</summary>
public static class Python
{
    private const string Interpreter = "/usr/bin/python3";
    private const string Install = "install python3-numpy (apt-get install -y python3-numpy)";

    /// <summary>Runs a script (numpy imported as np) in <paramref name="workingDirectory"/> and returns its stdout.</summary>
    public static async Task<string> RunAsync(string workingDirectory, string script)
    {
        Assert.True(File.Exists(Interpreter), $"{Interpreter} is missing: {Install}");
        var start = new ProcessStartInfo(Interpreter)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("import numpy as np\n" + script);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var error = await stderr;
        Assert.False(error.Contains("No module named 'numpy'", StringComparison.Ordinal), $"numpy is missing: {Install}");
        Assert.True(process.ExitCode == 0, $"python failed ({process.ExitCode}): {error}\nscript:\n{script}");
        return (await stdout).Trim();
    }
}
