using System.Diagnostics;
using Zarr.Storage;
using Zarr.Storage.Codecs;

namespace Zarr.Cli.Tests;

/// <summary>
/// <c>ZARR_BLOSC</c> as a user sets it: the zarr tool run as a process, so that the variable is read at its start.
/// <c>--version</c> and <c>zarr info</c> say which blosc is in use; a value the tool does not know fails the first
/// blosc chunk with a message naming the variable.
/// </summary>
public sealed class BloscSelectionTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Version_and_info_say_which_blosc_is_in_use_and_why()
    {
        var path = _temp.Combine("a.zarr");
        var array = await ZarrArray.CreateAsync(new DirectoryStore(path), "", Zarr.Storage.ZarrDataType.Int32, [1000], new ArrayOptions
        {
            Format = ZarrFormat.V2,
            Chunks = [300],
            Compressors = [new BloscCodec(BloscCompressor.Zstd, 3, BloscShuffle.BitShuffle, 4)],
        });
        await array.WriteBytesAsync([Slice.All], Enumerable.Range(0, 1000).SelectMany(BitConverter.GetBytes).ToArray());

        var (code, stdout, _) = await RunAsync(null, "--version");
        Assert.Equal(0, code);
        Assert.Matches(@"^0\.1\.\d+.*\nblosc: native c-blosc 1\.\d+\.\d+ \(libblosc\.so\.1\)\n$", stdout);

        (code, stdout, _) = await RunAsync("managed", "--version");
        Assert.Equal(0, code);
        Assert.Contains("\nblosc: managed, as ZARR_BLOSC=managed asks; native c-blosc 1.", stdout, StringComparison.Ordinal);

        (code, stdout, _) = await RunAsync("managed", "info", path);
        Assert.Equal(0, code);
        Assert.EndsWith("\n  blosc: managed, as ZARR_BLOSC=managed asks; native c-blosc " + stdout.Split("native c-blosc ")[1], stdout, StringComparison.Ordinal);

        // The managed blosc reads what the native one wrote, through the tool.
        (code, stdout, var stderr) = await RunAsync("managed", "verify", path);
        Assert.True(code == 0, stderr);

        (code, stdout, _) = await RunAsync("Native", "info", path);
        Assert.Equal(0, code);
        Assert.Contains("\n  blosc: native c-blosc 1.", stdout, StringComparison.Ordinal);
        Assert.Contains(", as ZARR_BLOSC=Native asks", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_value_fails_the_first_blosc_chunk_naming_the_variable()
    {
        var path = _temp.Combine("b.zarr");
        var array = await ZarrArray.CreateAsync(new DirectoryStore(path), "", Zarr.Storage.ZarrDataType.Float64, [100], new ArrayOptions { Format = ZarrFormat.V2, Chunks = [50] });
        await array.WriteBytesAsync([Slice.All], Enumerable.Range(0, 100).SelectMany(i => BitConverter.GetBytes(i * 0.5)).ToArray());

        var (code, stdout, stderr) = await RunAsync("c-blosc", "--version");
        Assert.Equal(0, code);
        Assert.Contains("blosc: unusable: ZARR_BLOSC='c-blosc' is not one of native, managed, auto", stdout, StringComparison.Ordinal);

        (code, stdout, stderr) = await RunAsync("c-blosc", "export", path, _temp.Combine("b.npy"));
        Assert.Equal(1, code);
        Assert.Contains("codec 'blosc': ZARR_BLOSC='c-blosc' is not one of native, managed, auto", stderr, StringComparison.Ordinal);
    }

    /// <summary>Runs the built zarr tool with <c>ZARR_BLOSC</c> set to <paramref name="blosc"/> (removed when null).</summary>
    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string? blosc, params string[] args)
    {
        var zarrDll = Path.Combine(AppContext.BaseDirectory, "zarr.dll");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(zarrDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        if (blosc is null)
        {
            start.Environment.Remove("ZARR_BLOSC");
        }
        else
        {
            start.Environment["ZARR_BLOSC"] = blosc;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, (await stdout).ReplaceLineEndings("\n"), (await stderr).ReplaceLineEndings("\n"));
    }
}
