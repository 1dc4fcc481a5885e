using System.Diagnostics;
using System.Globalization;
using Zarr.Storage;

namespace Zarr.Storage.Tests;

/// <summary>
/// Several writer processes (tests/Zarr.PartialWriter) making partial writes of disjoint elements into the shared chunks
/// of one int32 array, and the count of updates lost. The test project references Zarr.PartialWriter, so its dll sits
/// beside the tests' own.
/// </summary>
internal static class PartialWriterProcesses
{
    /// <summary>
    /// The writes each writer thread makes: 50 in the default run (4 processes × 2 threads × 50 = 400 writes), the
    /// issue's 500 (4,000 writes) with ZARR_CROSS_PROCESS_WRITES=500, as the long run.
    /// </summary>
    public static int WritesPerThread =>
        int.TryParse(Environment.GetEnvironmentVariable("ZARR_CROSS_PROCESS_WRITES"), NumberStyles.None, CultureInfo.InvariantCulture, out var writes) && writes > 0 ? writes : 50;

    /// <summary>
    /// The writes each writer thread makes on a directory store, where they are cheap: 250 in the default run
    /// (4 processes × 2 threads × 250 = 2,000 writes), the 1,000 (8,000 writes) with ZARR_CROSS_PROCESS_WRITES=1000.
    /// </summary>
    public static int DirectoryWritesPerThread =>
        int.TryParse(Environment.GetEnvironmentVariable("ZARR_CROSS_PROCESS_WRITES"), NumberStyles.None, CultureInfo.InvariantCulture, out var writes) && writes > 0 ? writes : 250;

    /// <summary>
    /// Creates the array (<paramref name="processes"/> × <paramref name="threads"/> × <paramref name="writes"/> elements in
    /// <paramref name="chunks"/> chunks, or one shard of that many inner chunks), runs the writers to the end and returns
    /// how many elements do not hold what their writer wrote.
    /// </summary>
    public static async Task<int> LostUpdatesAsync(IStore store, string storeArgument, string path, int processes, int threads, int writes, int chunks, bool sharded, IReadOnlyDictionary<string, string>? environment = null)
    {
        long length = (long)processes * threads * writes;
        var chunkLength = length / chunks;
        var options = sharded
            ? new ArrayOptions { Shards = [checked((int)length)], Chunks = [checked((int)chunkLength)], FillValue = 0 }
            : new ArrayOptions { Chunks = [checked((int)chunkLength)], FillValue = 0 };
        await ZarrArray.CreateAsync<int>(store, path, [length], options);

        await RunToEndAsync(
            Enumerable.Range(0, processes).Select(p => new[] { storeArgument, path, Text(p), Text(processes), Text(threads), Text(writes) }),
            environment);

        var array = await ZarrArray.OpenAsync<int>(store, path);
        var values = (await array.ReadAsync([Slice.All])).ToArray();
        return Enumerable.Range(0, values.Length).Count(e => values[e] != e + 1);
    }

    /// <summary>Runs one writer process per argument list at once and waits for all; each must exit 0.</summary>
    public static async Task RunToEndAsync(IEnumerable<string[]> argumentLists, IReadOnlyDictionary<string, string>? environment = null)
    {
        var started = new List<Process>();
        try
        {
            foreach (var arguments in argumentLists)
            {
                started.Add(Start(arguments, environment, redirectOutput: false));
            }

            foreach (var process in started)
            {
                var errors = await process.StandardError.ReadToEndAsync();
                await process.WaitForExitAsync();
                Assert.True(process.ExitCode == 0, $"a writer process failed (exit {process.ExitCode}): {errors}");
            }
        }
        finally
        {
            foreach (var process in started)
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }

                process.Dispose();
            }
        }
    }

    /// <summary>Starts a writer process with <paramref name="arguments"/>, its standard error (and output, when asked) redirected.</summary>
    public static Process Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, bool redirectOutput = false)
    {
        var writer = Path.Combine(AppContext.BaseDirectory, "Zarr.PartialWriter.dll");
        Assert.True(File.Exists(writer), $"{writer} is missing: the test project must reference tests/Zarr.PartialWriter");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = redirectOutput, UseShellExecute = false };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(writer);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        return Process.Start(info)!;
    }

    public static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(int value) => Text((long)value);
}
