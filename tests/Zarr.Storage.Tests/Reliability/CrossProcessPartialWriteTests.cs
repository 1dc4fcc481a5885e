using Zarr.Tests;
using Xunit.Abstractions;

namespace Zarr.Storage.Tests.Reliability;

/// <summary>
/// Issue 13's cross-process proof on the directory store: 4 writer processes (tests/Zarr.PartialWriter) × 2 threads make
/// partial writes of disjoint elements into the 4 shared chunks of one array (and into the 4 inner chunks of one shard):
/// none is lost, as each read-modify-write holds the chunk's lock file. 250 writes per thread by default (2,000 in all);
/// ZARR_CROSS_PROCESS_WRITES=1000 runs the 8,000.
/// </summary>
public sealed class CrossProcessPartialWriteTests(ITestOutputHelper output)
{
    [Theory]
    [Trait(SlowTests.Category, SlowTests.Slow)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Four_writer_processes_lose_no_partial_write(bool sharded)
    {
        using var folder = new TempDirectory();
        var writes = PartialWriterProcesses.DirectoryWritesPerThread;
        var lost = await PartialWriterProcesses.LostUpdatesAsync(new DirectoryStore(folder.Path), folder.Path, "a", processes: 4, threads: 2, writes, chunks: 4, sharded);

        ReliabilityFigures.Report(output, sharded ? "cross-process-shard" : "cross-process-chunks", ("processes", 4), ("threads", 2), ("writes", 4 * 2 * writes), ("lost", lost));
        Assert.Equal(0, lost);
        Assert.Empty(LeftoverFiles.In(folder.Path));
    }
}
