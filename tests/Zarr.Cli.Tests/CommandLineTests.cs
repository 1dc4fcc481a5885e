using System.Diagnostics;
using Zarr.Storage;

namespace Zarr.Cli.Tests;

/// <summary>Exit status, stderr and stdout discipline common to every verb, in-process and as the built executable.</summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("")]
    [InlineData("bogus")]
    [InlineData("info")]
    [InlineData("info a b")]
    [InlineData("info a --nope")]
    [InlineData("export a")]
    [InlineData("import a.npy")]
    [InlineData("import a.npy b --format")]
    [InlineData("tree")]
    [InlineData("create a")]
    [InlineData("create a --shape 3")]
    [InlineData("create a --shape 3 --dtype int8 --format 4")]
    [InlineData("copy a")]
    [InlineData("stats")]
    [InlineData("stats a --axis")]
    [InlineData("verify")]
    [InlineData("resize a")]
    [InlineData("attrs")]
    [InlineData("attrs a --set")]
    public async Task ParseErrorsExitTwoWithOneLine(string commandLine)
    {
        var args = commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var result = await Cli.RunExpectingAsync(2, args);
        Assert.Empty(result.Stdout);
        Assert.Contains("--help", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HelpGoesToStdout()
    {
        var result = await Cli.RunExpectingAsync(0, "--help");
        Assert.Contains("info", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("export", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("import", result.Stdout, StringComparison.Ordinal);

        result = await Cli.RunExpectingAsync(0, "import", "--help");
        Assert.Contains("--codec", result.Stdout, StringComparison.Ordinal);
        Assert.Empty(result.Stderr);
    }

    [Fact]
    public async Task MissingPathsFailWithOneLineAndNoStackTrace()
    {
        var missing = _temp.Combine("nowhere");
        foreach (var args in new[]
        {
            new[] { "info", missing },
            new[] { "info", missing, "--json" },
            new[] { "export", missing, _temp.Combine("out.npy") },
            new[] { "import", _temp.Combine("missing.npy"), _temp.Combine("a.zarr") },
            new[] { "tree", missing, "--json" },
            new[] { "copy", missing, _temp.Combine("copy.zarr"), "--json" },
            new[] { "stats", missing, "--json" },
            new[] { "verify", missing, "--json" },
            new[] { "resize", missing, "--shape", "3" },
            new[] { "attrs", missing, "--json" },
            new[] { "attrs", missing, "--set", "a=1" },
        })
        {
            var result = await Cli.RunExpectingAsync(1, args);
            Assert.Empty(result.Stdout);
            Assert.Contains("nowhere", result.Stderr.Replace("missing.npy", "nowhere", StringComparison.Ordinal), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task VerboseShowsTheStackTrace()
    {
        var result = await Cli.RunAsync("info", _temp.Combine("nowhere"), "--verbose");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"zarr: no array or group at {_temp.Combine("nowhere")}", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("   at Zarr.Cli.", result.Stderr, StringComparison.Ordinal);
        Assert.True(result.StderrLines.Length > 2);

        result = await Cli.RunAsync("--verbose", "import", _temp.Combine("none.npy"), _temp.Combine("a.zarr"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("FileNotFoundException", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PathsThroughZipFilesContinueInsideThem()
    {
        // An empty zip file (only its end record): every node inside it is missing, and a failed run leaves it as it was.
        byte[] empty = [0x50, 0x4b, 0x05, 0x06, .. new byte[18]];
        await File.WriteAllBytesAsync(_temp.Combine("data.zip"), empty);
        await Python.RunAsync(_temp.Path, "np.save('in.npy', np.ones(3))");

        foreach (var args in new[]
        {
            new[] { "info", _temp.Combine("data.zip", "group", "array") },
            new[] { "info", _temp.Combine("data.zip") },
            new[] { "export", _temp.Combine("data.zip", "a"), _temp.Combine("out.npy") },
        })
        {
            var result = await Cli.RunExpectingAsync(1, args);
            Assert.Contains("no array or group at", result.Stderr, StringComparison.Ordinal);
        }

        Assert.False(File.Exists(_temp.Combine("out.npy")));
        Assert.Equal(empty, await File.ReadAllBytesAsync(_temp.Combine("data.zip")));

        // Creating verbs create the zip file (or add to it).
        await Cli.RunExpectingAsync(0, "import", _temp.Combine("in.npy"), _temp.Combine("new.zip"));
        await Cli.RunExpectingAsync(0, "import", _temp.Combine("in.npy"), _temp.Combine("data.zip", "a"));
        Assert.True(File.Exists(_temp.Combine("new.zip")));
        Assert.Equal("[3]", (await Cli.RunExpectingAsync(0, "info", _temp.Combine("new.zip"), "--json")).Json["shape"]!.ToJsonString());
        Assert.Equal("[3]", (await Cli.RunExpectingAsync(0, "info", _temp.Combine("data.zip", "a"), "--json")).Json["shape"]!.ToJsonString());
    }

    [Fact]
    public async Task AFolderNamedLikeAZipIsAFolder()
    {
        var path = _temp.Combine("odd.zip");
        await ZarrArray.CreateAsync<int>(new DirectoryStore(path), "", [4]);

        var json = (await Cli.RunExpectingAsync(0, "info", path, "--json")).Json;

        Assert.Equal("[4]", json["shape"]!.ToJsonString());
    }

    [Fact]
    public async Task TheBuiltExecutableRunsAsAProcess()
    {
        await Python.RunAsync(_temp.Path, "np.save('in.npy', np.arange(6, dtype='<u2').reshape(2, 3))");
        var zarrDll = Path.Combine(AppContext.BaseDirectory, "zarr.dll");
        Assert.True(File.Exists(zarrDll), $"{zarrDll} is missing");

        var imported = await RunProcessAsync(zarrDll, "import", _temp.Combine("in.npy"), _temp.Combine("a.zarr"), "--format", "2");
        Assert.Equal((0, "", ""), imported);

        var (code, stdout, stderr) = await RunProcessAsync(zarrDll, "info", _temp.Combine("a.zarr"), "--json");
        Assert.Equal(0, code);
        Assert.Empty(stderr);
        var json = System.Text.Json.Nodes.JsonNode.Parse(stdout)!;
        Assert.Equal("<u2", (string)json["data_type"]!);
        Assert.Equal("[2,3]", json["shape"]!.ToJsonString());

        var exported = await RunProcessAsync(zarrDll, "export", _temp.Combine("a.zarr"), _temp.Combine("out.npy"), "--region", "1");
        Assert.Equal((0, "", ""), exported);
        Assert.Equal("[3 4 5] uint16", await Python.RunAsync(_temp.Path, "b = np.load('out.npy'); print(b, b.dtype)"));

        (code, stdout, stderr) = await RunProcessAsync(zarrDll, "info", _temp.Combine("nothing"));
        Assert.Equal(1, code);
        Assert.Empty(stdout);
        Assert.Equal($"zarr: no array or group at {_temp.Combine("nothing")}\n", stderr);

        (code, stdout, stderr) = await RunProcessAsync(zarrDll, "import", _temp.Combine("in.npy"), _temp.Combine("b.zarr"), "--codec", "crc32c", "--format", "2");
        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>
    /// An interrupted run (Ctrl-C: System.CommandLine cancels the token on SIGINT/SIGTERM) exits 130 as shells expect,
    /// with one line and no partial destination.
    /// </summary>
    [Fact]
    public async Task ACancelledRunExits130()
    {
        var source = _temp.Combine("a.zarr");
        await ZarrArray.FromDataAsync<int>(new DirectoryStore(source), "", Enumerable.Range(0, 10_000).ToArray(), [100, 100], new ArrayOptions { Chunks = [10, 10] });
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(130, await ZarrCommand.RunAsync(["copy", source, _temp.Combine("b.zarr")], stdout, stderr, cancelled.Token));
        Assert.Equal("zarr: interrupted", stderr.ToString().TrimEnd());
        Assert.False(Directory.Exists(_temp.Combine("b.zarr")));
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunProcessAsync(string dll, params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }
}
