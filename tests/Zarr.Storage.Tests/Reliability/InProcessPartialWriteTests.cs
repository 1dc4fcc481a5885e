using Zarr.Tests;
using Xunit.Abstractions;

namespace Zarr.Storage.Tests.Reliability;

/// <summary>
/// Issue 13's in-process proof on the directory store: 8 writers, each with its own store object and array handle on one
/// folder, make 2,000 partial writes each of disjoint elements interleaved through 4 shared chunks (or the 4 inner chunks
/// of one shard, where the shard is the unit written): 0 of 16,000 lost. The in-process chunk locks order them first,
/// and the chunk's lock file (taken by every partial write) must not make two handles of one process wait on each other
/// forever.
/// </summary>
public sealed class InProcessPartialWriteTests(ITestOutputHelper output)
{
    private const int Writers = 8;
    private const int WritesEach = 2000;

    [Theory]
    [Trait(SlowTests.Category, SlowTests.Slow)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Eight_writers_lose_none_of_16000_partial_writes(bool sharded)
    {
        using var folder = new TempDirectory();
        const int length = Writers * WritesEach;
        const int chunkLength = length / 4;
        var options = sharded
            ? new ArrayOptions { Shards = [length], Chunks = [chunkLength], FillValue = 0 }
            : new ArrayOptions { Chunks = [chunkLength], FillValue = 0 };
        await ZarrArray.CreateAsync<int>(new DirectoryStore(folder.Path), "a", [length], options);

        await Parallel.ForAsync(0, Writers, new ParallelOptions { MaxDegreeOfParallelism = Writers }, async (w, ct) =>
        {
            var array = await ZarrArray.OpenAsync<int>(new DirectoryStore(folder.Path), "a", AccessMode.ReadWrite, ct);
            for (var i = 0; i < WritesEach; i++)
            {
                var element = (i * Writers) + w;
                await array.WriteAsync([Slice.At(element)], new[] { element + 1 }, ct);
            }
        });

        var values = (await (await ZarrArray.OpenAsync<int>(new DirectoryStore(folder.Path), "a")).ReadAsync([Slice.All])).ToArray();
        var lost = Enumerable.Range(0, length).Count(e => values[e] != e + 1);
        ReliabilityFigures.Report(output, sharded ? "in-process-shard" : "in-process-chunks", ("writers", Writers), ("writes", length), ("lost", lost));
        Assert.Equal(0, lost);
        Assert.Empty(LeftoverFiles.In(folder.Path));
    }
}
