using System.Numerics;
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
    public void A_full_pool_makes_room_for_a_size_in_use_by_letting_go_of_one_that_holds_more()
    {
        // The pool filled with arrays of one size (half the pool: 256 MiB here, a bucket no other test uses; never
        // written, so they cost address space, not memory), as a finished job with big chunks leaves it.
        var bucket = 1 << BitOperations.Log2((ulong)ChunkBufferPool.MaximumRetained / 2);
        var big = bucket - 1000;
        var bigs = Enumerable.Range(0, (int)(ChunkBufferPool.MaximumRetained / bucket) + 1).Select(_ => ChunkBufferPool.Rent(big)).ToList();
        foreach (var array in bigs)
        {
            ChunkBufferPool.Return(array);
        }

        // A job with other chunks (16 MiB here, also a bucket of this test alone) returns one: it is kept, in place of
        // a big one.
        var small = (bucket >> 4) - 1000;
        var chunk = ChunkBufferPool.Rent(small);
        ChunkBufferPool.Return(chunk);
        Assert.Same(chunk, ChunkBufferPool.Rent(small));
        ChunkBufferPool.Return(chunk);

        var bigsBack = bigs.Select(_ => ChunkBufferPool.Rent(big)).ToList();
        var kept = bigsBack.Count(b => bigs.Any(a => ReferenceEquals(a, b)));
        Assert.InRange(kept, 1, bigs.Count - 2); // one let go when the pool filled, one for the small chunk

        // A size never takes the place of one that holds less than it would: with the big ones back in the pool, a
        // second big array returned while the pool is full is let go, not kept in place of the small one.
        foreach (var array in bigsBack)
        {
            ChunkBufferPool.Return(array);
        }

        Assert.Same(chunk, ChunkBufferPool.Rent(small));
        ChunkBufferPool.Return(chunk);
        ChunkBufferPool.Trim(everything: true, Environment.TickCount64);
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
