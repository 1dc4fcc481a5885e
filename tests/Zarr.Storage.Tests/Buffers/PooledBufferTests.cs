using System.Numerics;
using Zarr.Storage.Buffers;

namespace Zarr.Storage.Tests.Buffers;

/// <summary>
/// Some of these use the process-wide pools and look at which array comes back, so they run alone, not beside other
/// tests' chunks coming and going in the same pools.
/// </summary>
[Collection(ProcessPoolsCollection.Name)]
public sealed class PooledBufferTests
{
    [Fact]
    public async Task A_chunk_buffer_returned_on_one_thread_is_rented_again_on_another()
    {
        // A size no other test uses, so the bucket (16 MiB) holds only what this test returns; a pool keeps that much
        // on machines with 256 MiB or more for the runtime.
        const int length = (12 << 20) + 123;
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
    public void Small_and_huge_buffers_work_and_a_pool_retains_a_bounded_amount()
    {
        using (var small = PooledBuffer.Rent(100))
        {
            Assert.Equal(100, small.Span.Length);
        }

        using (var empty = PooledBuffer.Rent(0))
        {
            Assert.True(empty.Span.IsEmpty);
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => PooledBuffer.Rent(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => PooledBuffer.RentDecoded(-1));

        // A pool of its own, so that other tests' buffers do not come and go in it.
        var pool = new ChunkBufferPool(64 << 20);

        // Beyond the largest bucket: allocated exactly, never pooled.
        var huge = pool.Rent((1 << 30) + 1);
        Assert.Equal((1 << 30) + 1, huge.Length);
        pool.Return(huge);

        // Returning far more than the bound keeps at most the bound: renting them back allocates the rest anew.
        var arrays = Enumerable.Range(0, 20).Select(_ => pool.Rent(8 << 20)).ToList();
        foreach (var array in arrays)
        {
            pool.Return(array);
        }

        var back = Enumerable.Range(0, 20).Select(_ => pool.Rent(8 << 20)).ToList();
        Assert.Equal(8, back.Count(b => arrays.Any(a => ReferenceEquals(a, b)))); // 64 MiB in 8 MiB arrays
    }

    [Fact]
    public void Decoded_chunks_take_turns_in_a_pool_of_their_own()
    {
        // A size no other test uses (the 8 MiB bucket of the process's pools).
        const int length = (6 << 20) + 5;
        var decoded = PooledBuffer.RentDecoded(length);
        var encoded = PooledBuffer.Rent(length);
        Assert.Equal(length, decoded.Length);
        var decodedArray = decoded.Array;
        var encodedArray = encoded.Array;
        decoded.Dispose();
        encoded.Dispose();

        // Each comes back from its own pool: the decoded one, though the encoded one was returned after it.
        var decodedAgain = PooledBuffer.RentDecoded(length);
        var encodedAgain = PooledBuffer.Rent(length);
        Assert.Same(decodedArray, decodedAgain.Array);
        Assert.Same(encodedArray, encodedAgain.Array);
        encodedAgain.Dispose();
        decodedAgain.Dispose();

        // Small decoded buffers come from ArrayPool.Shared, as small ones always do.
        using var small = PooledBuffer.RentDecoded(1000);
        Assert.Equal(1000, small.Span.Length);
    }

    [Fact]
    public void A_full_pool_makes_room_for_a_size_in_use_by_letting_go_of_one_that_holds_more()
    {
        // A pool filled with arrays of one size (32 MiB; never written, so they cost address space, not memory), as a
        // finished job with big chunks leaves it: it keeps two of the three.
        var pool = new ChunkBufferPool(64 << 20);
        const int big = 30 << 20;
        var bigs = Enumerable.Range(0, 3).Select(_ => pool.Rent(big)).ToList();
        foreach (var array in bigs)
        {
            pool.Return(array);
        }

        // A job with other chunks (4 MiB) returns one: it is kept, in place of a big one.
        const int small = 3 << 20;
        var chunk = pool.Rent(small);
        pool.Return(chunk);
        Assert.Same(chunk, pool.Rent(small));
        pool.Return(chunk);

        var bigsBack = bigs.Select(_ => pool.Rent(big)).ToList();
        Assert.Equal(1, bigsBack.Count(b => bigs.Any(a => ReferenceEquals(a, b))));

        // A size never takes the place of one that holds less than it would: with the pool full of big ones again, a
        // returned big one is let go, not kept in place of the small one.
        foreach (var array in bigsBack)
        {
            pool.Return(array);
        }

        Assert.Same(chunk, pool.Rent(small));
        var first = pool.Rent(big);
        var second = pool.Rent(big);
        Assert.Contains(bigsBack, b => ReferenceEquals(b, first));
        Assert.DoesNotContain(bigsBack, b => ReferenceEquals(b, second));
    }

    [Fact]
    public void A_pool_lets_go_of_sizes_not_rented_for_a_minute_and_of_everything_when_memory_is_short()
    {
        var pool = new ChunkBufferPool(256 << 20);
        const int length = 100 << 20;
        var array = pool.Rent(length);
        pool.Return(array);
        var now = Environment.TickCount64;

        // Rented just now: kept by an ordinary trim.
        pool.TrimPool(everything: false, now);
        var again = pool.Rent(length);
        Assert.Same(array, again);
        pool.Return(again);

        // Not rented for longer than a minute: let go.
        pool.TrimPool(everything: false, Environment.TickCount64 + ChunkBufferPool.StaleMilliseconds + 1);
        var fresh = pool.Rent(length);
        Assert.NotSame(array, fresh);
        pool.Return(fresh);

        // Memory short: everything goes, however recent.
        pool.TrimPool(everything: true, Environment.TickCount64);
        Assert.NotSame(fresh, pool.Rent(length));
    }
}

/// <summary>Tests that look at which array the process-wide pools hand out run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessPoolsCollection
{
    public const string Name = "process-wide buffer pools";
}
