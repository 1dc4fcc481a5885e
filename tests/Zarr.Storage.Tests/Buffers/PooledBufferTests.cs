using Zarr.Storage.Buffers;

namespace Zarr.Storage.Tests.Buffers;

public sealed class PooledBufferTests
{
    [Fact]
    public async Task A_chunk_buffer_returned_on_one_thread_is_rented_again_on_another()
    {
        // A size no other test uses, so the bucket holds only what this test returns.
        const int length = (48 << 20) + 123;
        var first = PooledBuffer.Rent(length);
        Assert.Equal(length, first.Length);
        Assert.True(first.Capacity >= length);
        var array = first.Array;
        await Task.Run(first.Dispose);

        var again = await Task.Run(() => PooledBuffer.Rent(length));
        Assert.Same(array, again.Array);
        again.Dispose();
        again.Dispose(); // once is enough; twice does not return it twice
        var a = PooledBuffer.Rent(length);
        var b = PooledBuffer.Rent(length);
        Assert.NotSame(a.Array, b.Array);
        a.Dispose();
        b.Dispose();
        Assert.Throws<ObjectDisposedException>(() => a.Span.Length);
    }

    [Fact]
    public void Small_and_huge_buffers_work_and_the_pool_retains_a_bounded_amount()
    {
        using (var small = PooledBuffer.Rent(100))
        {
            Assert.Equal(100, small.Span.Length);
        }

        using (var empty = PooledBuffer.Rent(0))
        {
            Assert.True(empty.Span.IsEmpty);
        }

        // Beyond the largest bucket: allocated exactly, never pooled.
        var huge = ChunkBufferPool.Rent((1 << 30) + 1);
        Assert.Equal((1 << 30) + 1, huge.Length);
        ChunkBufferPool.Return(huge);

        // Returning far more than the bound keeps at most the bound: renting them back allocates the rest anew.
        var arrays = Enumerable.Range(0, 40).Select(_ => ChunkBufferPool.Rent(32 << 20)).ToList();
        foreach (var array in arrays)
        {
            ChunkBufferPool.Return(array);
        }

        var back = Enumerable.Range(0, 40).Select(_ => ChunkBufferPool.Rent(32 << 20)).ToList();
        var reused = back.Count(b => arrays.Any(a => ReferenceEquals(a, b)));
        Assert.InRange(reused, 1, 16); // 512 MiB at most, in 32 MiB arrays
        Assert.Throws<ArgumentOutOfRangeException>(() => PooledBuffer.Rent(-1));
    }

    [Fact]
    public void The_pool_lets_go_of_sizes_not_rented_for_a_minute_and_of_everything_when_memory_is_short()
    {
        // A size no other test uses (the 128 MiB bucket); arrays are compared by identity, since other tests share the pool.
        const int length = 100 << 20;
        var array = ChunkBufferPool.Rent(length);
        ChunkBufferPool.Return(array);
        var now = Environment.TickCount64;

        // Rented just now: kept by an ordinary trim.
        ChunkBufferPool.Trim(everything: false, now);
        var again = ChunkBufferPool.Rent(length);
        Assert.Same(array, again);
        ChunkBufferPool.Return(again);

        // Not rented for longer than a minute: let go.
        ChunkBufferPool.Trim(everything: false, Environment.TickCount64 + ChunkBufferPool.StaleMilliseconds + 1);
        var fresh = ChunkBufferPool.Rent(length);
        Assert.NotSame(array, fresh);
        ChunkBufferPool.Return(fresh);

        // Memory short: everything goes, however recent.
        ChunkBufferPool.Trim(everything: true, Environment.TickCount64);
        Assert.NotSame(fresh, ChunkBufferPool.Rent(length));
    }
}
