using System.Threading.Tasks.Dataflow;
using Zarr.Dataflow.Blocks;
using Zarr.Storage;
using Zarr.Storage.Buffers;

namespace Zarr.Dataflow.Tests;

/// <summary>
/// Every pooled buffer a pipeline rents is returned, whether the pipeline succeeds, fails or is cancelled: a run that
/// loses a chunk's buffer leaves the pool allocating afresh for every chunk after it. Chunks of 1 MiB and 16 KiB go
/// through both the chunk pools and <see cref="System.Buffers.ArrayPool{T}.Shared"/>.
/// </summary>
public sealed class BufferLeakTests
{
    public static TheoryData<int> ChunkRows => new() { 512, 8 };

    [Theory]
    [MemberData(nameof(ChunkRows))]
    public async Task A_store_and_a_reduction_return_every_buffer(int chunkRows)
    {
        var (source, target) = await ArraysAsync(chunkRows);
        using var rentals = BufferRentals.Begin();
        foreach (var options in Support.OptionCombinations())
        {
            await (Lazy.From(source) + 1).StoreAsync(target, options);
            Assert.Equal(0, rentals.Outstanding);
            _ = await Lazy.From(target).SumAsync(options);
            Assert.Equal(0, rentals.Outstanding);
            _ = await Lazy.From(source).Slice(Slice.Range(1, null), Slice.Range(3, null)).SumAsync([0], options);
            Assert.Equal(0, rentals.Outstanding);
        }
    }

    [Theory]
    [MemberData(nameof(ChunkRows))]
    public async Task A_failing_pipeline_returns_every_buffer(int chunkRows)
    {
        var (source, target) = await ArraysAsync(chunkRows);
        using var rentals = BufferRentals.Begin();
        foreach (var options in Support.OptionCombinations())
        {
            var failing = Lazy.From(source).MapBlocks((region, _) =>
            {
                if (region.Start[0] == chunkRows)
                {
                    throw new InvalidOperationException("bad chunk");
                }
            });
            await Assert.ThrowsAsync<ZarrPipelineException>(() => failing.StoreAsync(target, options));
            Assert.Equal(0, rentals.Outstanding);
            await Assert.ThrowsAsync<ZarrPipelineException>(() => failing.SumAsync(options));
            Assert.Equal(0, rentals.Outstanding);
        }
    }

    [Theory]
    [MemberData(nameof(ChunkRows))]
    public async Task A_cancelled_pipeline_and_a_stream_left_early_return_every_buffer(int chunkRows)
    {
        var (source, target) = await ArraysAsync(chunkRows);
        using var rentals = BufferRentals.Begin();
        foreach (var options in Support.OptionCombinations())
        {
            using var cts = new CancellationTokenSource();
            var started = 0;
            var cancelling = Lazy.From(source).MapBlocks((_, _) =>
            {
                if (Interlocked.Increment(ref started) == 2)
                {
                    cts.Cancel();
                }
            });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelling.StoreAsync(target, options, cts.Token));
            Assert.Equal(0, rentals.Outstanding);

            await foreach (var chunk in Lazy.From(source).ToChunksAsync(options))
            {
                chunk.Dispose();
                break;
            }

            Assert.Equal(0, rentals.Outstanding);
        }
    }

    [Fact]
    public async Task The_public_blocks_return_every_buffer()
    {
        var (source, target) = await ArraysAsync(512);
        using var rentals = BufferRentals.Begin();
        var link = new DataflowLinkOptions { PropagateCompletion = true };
        var fetch = ChunkBlocks.Fetch(source);
        var decode = ChunkBlocks.Decode(source);
        var encode = ChunkBlocks.Encode(target);
        var store = ChunkBlocks.Store(target);
        fetch.LinkTo(decode, link);
        decode.LinkTo(encode, link);
        encode.LinkTo(store, link);
        foreach (var request in ChunkBlocks.Requests(source.Grid))
        {
            await fetch.SendAsync(request);
        }

        fetch.Complete();
        await store.Completion;
        Assert.Equal(0, rentals.Outstanding);

        var fetch2 = ChunkBlocks.Fetch(source);
        var decode2 = ChunkBlocks.Decode(source);
        var reduce = ChunkBlocks.Reduce(c => c.Region.ElementCount, (a, b) => a + b, 0L);
        fetch2.LinkTo(decode2, link);
        decode2.LinkTo(reduce, link);
        foreach (var request in ChunkBlocks.Requests(source.Grid))
        {
            await fetch2.SendAsync(request);
        }

        fetch2.Complete();
        Assert.Equal(source.Size, await reduce.Result);
        Assert.Equal(0, rentals.Outstanding);
    }

    [Fact]
    public async Task The_count_follows_the_scope_and_counts_a_buffer_where_it_was_rented()
    {
        using var rentals = BufferRentals.Begin();
        var big = PooledBuffer.RentDecoded(1 << 20);
        var small = PooledBuffer.Rent(10);
        Assert.Equal(2, rentals.Outstanding);
        using (var inner = BufferRentals.Begin())
        {
            await Task.Run(small.Dispose);
            Assert.Equal(0, inner.Outstanding);
        }

        Assert.Equal(1, rentals.Outstanding);
        big.Dispose();
        big.Dispose();
        Assert.Equal(0, rentals.Outstanding);
    }

    // 2048 × 64 floats: chunks of chunkRows × 512 (1 MiB, from the chunk pools) or 8 × 512 (16 KiB, from ArrayPool.Shared).
    private static async Task<(ZarrArray<float> Source, ZarrArray<float> Target)> ArraysAsync(int chunkRows)
    {
        var store = new MemoryStore();
        var rows = 4 * chunkRows;
        var source = await Support.ArrayAsync(store, "s", [rows, 512], [chunkRows, 512], Support.RandomData<float>(rows * 512L, 7));
        var target = await Support.ArrayAsync<float>(store, "t", [rows, 512], [chunkRows, 512]);
        return (source, target);
    }
}
