using Zarr.Tests;
using System.Diagnostics;
using Xunit.Abstractions;

namespace Zarr.Dataflow.Tests;

/// <summary>
/// The proof that memory stays bounded: a child process limited to a 256 MiB GC heap reduces a generated float32
/// array of 25 GiB (100× the limit) and stores a compressible result of it to a directory store.
/// </summary>
[Trait(SlowTests.Category, SlowTests.Slow)] // a 25 GiB array through a child process
public sealed class BoundedMemoryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Reduces_and_stores_an_array_100_times_the_heap_limit()
    {
        using var dir = new TempDir();
        const long rows = 81_920, cols = 81_920; // 6.7e9 float32 = 25 GiB, in 6400 chunks of 4 MiB
        var dll = typeof(Program).Assembly.Location;
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { dll, "bounded-memory", dir.Path, $"{rows}", $"{cols}", "1024", "1024" })
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["DOTNET_GCHeapHardLimit"] = "0x10000000";
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(timeout.Token);
        output.WriteLine(await stdout);
        output.WriteLine(await stderr);
        output.WriteLine($"child process: {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(0, process.ExitCode);
        Assert.Contains("OK", await stdout);
        Assert.Contains("GC heap limit 256 MiB", await stdout);
    }
}
