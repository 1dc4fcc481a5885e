using Zarr.Tests;
using Xunit.Abstractions;

namespace Zarr.Storage.Tests.Reliability;

/// <summary>
/// Issue 13: resizes racing writer processes on a directory store. 3 writer processes (tests/Zarr.PartialWriter, mode
/// racing) × 2 threads make partial writes of disjoint elements through every chunk, while this process shrinks the
/// array to a length that cuts a chunk and grows it back, again and again, and shrinks it a last time while the writers
/// are still at work (all of them opened the array before the first resize). Afterwards: every element below the shrunk length holds its writer's value (no update inside the
/// shape is lost), no chunk lies outside the shape, and grown again, the array holds only the fill value beyond that
/// length (nothing written outside the shape came back). 150 writes per thread (900 in all); ZARR_CROSS_PROCESS_WRITES
/// sets the count.
/// </summary>
public sealed class CrossProcessResizeTests(ITestOutputHelper output)
{
    [Fact]
    [Trait(SlowTests.Category, SlowTests.Slow)]
    public async Task Resizes_racing_writer_processes_lose_nothing_inside_the_shape_and_leave_nothing_outside()
    {
        const int processes = 3, threads = 2;
        var writes = int.TryParse(Environment.GetEnvironmentVariable("ZARR_CROSS_PROCESS_WRITES"), out var w) && w > 0 ? w : 150;
        long length = processes * threads * writes;
        var chunk = (int)(length / 12);
        var shrunk = (length / 2) + (chunk / 3);
        using var folder = new TempDirectory();
        var store = new DirectoryStore(folder.Path);
        var array = await ZarrArray.CreateAsync<int>(store, "a", [length], new ArrayOptions { Chunks = [chunk], FillValue = 0 });

        var writers = Task.Run(() => PartialWriterProcesses.RunToEndAsync(
            Enumerable.Range(0, processes).Select(p => new[] { "racing", folder.Path, "a", Text(p), Text(processes), Text(threads), Text(writes) })));

        // Once every writer has opened the array (at its whole length) and written, resize until a quarter of the writes
        // below the shrunk length are in, then shrink a last time: three quarters of the writes, most of them beyond the
        // shrunk length, are still to come from writers that opened the array before it shrank.
        while (!writers.IsCompleted && !await EveryWriterStartedAsync(array, processes * threads, threads))
        {
            await Task.Delay(5);
        }

        var resizes = 0;
        while (!writers.IsCompleted && await WrittenBelowAsync(array, shrunk) < shrunk / 4)
        {
            await array.ResizeAsync([shrunk]);
            await Task.Delay(5);
            await array.ResizeAsync([length]);
            resizes += 2;
        }

        await array.ResizeAsync([shrunk]);
        resizes++;
        var writersLeft = !writers.IsCompleted;
        await writers;

        var reopened = await ZarrArray.OpenAsync<int>(new DirectoryStore(folder.Path), "a", AccessMode.ReadWrite);
        var inside = (await reopened.ReadAsync([Slice.All])).ToArray();
        var lost = Enumerable.Range(0, inside.Length).Count(e => inside[e] != e + 1);
        var lastChunk = (shrunk - 1) / chunk;
        var outside = Directory.EnumerateFiles(Path.Combine(folder.Path, "a", "c")).Where(f => !StoreKey.IsTemporaryName(Path.GetFileName(f))).Count(f => long.Parse(Path.GetFileName(f), System.Globalization.CultureInfo.InvariantCulture) > lastChunk);
        await reopened.ResizeAsync([length]);
        var all = (await reopened.ReadAsync([Slice.All])).ToArray();
        var cameBack = all.Skip((int)shrunk).Count(v => v != 0);

        ReliabilityFigures.Report(output, "cross-process-resize", ("processes", processes), ("threads", threads), ("writes", processes * threads * writes), ("resizes", resizes), ("writers_after_last_shrink", writersLeft), ("lost_inside", lost), ("chunks_outside", outside), ("came_back", cameBack));
        Assert.Equal(0, lost);
        Assert.Equal(0, outside);
        Assert.Equal(0, cameBack);
        Assert.Empty(LeftoverFiles.In(folder.Path));
    }

    private static async Task<long> WrittenBelowAsync(ZarrArray<int> array, long shrunk)
    {
        var values = (await array.ReadAsync([Slice.Range(0, shrunk)])).ToArray();
        return Enumerable.Range(0, values.Length).Count(e => values[e] == e + 1);
    }

    private static async Task<bool> EveryWriterStartedAsync(ZarrArray<int> array, int writerThreads, int threads)
    {
        var values = (await array.ReadAsync([Slice.Range(0, writerThreads * 4)])).ToArray();
        var started = new HashSet<int>();
        for (var e = 0; e < values.Length; e++)
        {
            if (values[e] == e + 1)
            {
                started.Add(e % writerThreads / threads);
            }
        }

        return started.Count == writerThreads / threads;
    }

    private static string Text(long value) => PartialWriterProcesses.Text(value);
}
