using System.Collections.Concurrent;
using System.Numerics;

namespace Zarr.Storage.Buffers;

/// <summary>
/// A pool of large buffers (1 MiB and more: chunks). <see cref="System.Buffers.ArrayPool{T}.Shared"/> keeps
/// the last array each thread returned in a slot of that thread, where no other thread can rent it; in a pipeline a
/// chunk is rented on one worker and returned on another, so every thread-pool thread that ever returned a chunk
/// strands one, and the pool keeps allocating (and the OS keeps faulting in) fresh chunk-sized arrays. Here every
/// returned array is available to every thread. What a pool retains is bounded in bytes (the two below together an
/// eighth of the memory the GC may use, at most 512 MiB). When it is full, a returned array takes the place of arrays
/// of a size that holds more of the pool than its own (so the pool follows the sizes in use: a job with other chunks
/// after a job that filled it is not left allocating every chunk), and is otherwise left to the collector. As
/// ArrayPool.Shared does, it lets go after full collections: of every size not rented for a minute, and of everything
/// when memory is short.
/// <para>There are two: <see cref="Decoded"/> for decoded chunks and <see cref="Shared"/> for everything else (encoded
/// bytes above all). A pipeline decodes into the few buffers it has in flight, which stay in cache while they take
/// turns; in one pool with the encoded bytes, a chunk would often be decoded into the buffer its encoded bytes had just
/// left, and the buffers taking turns would be all those the store and the codecs ever returned. Measured on chunks that
/// compress 1.3:1, where both are 4 MiB buffers, a decode stage took 25 ms per 64 chunks with the pools apart (c-blosc
/// alone: 24 ms) and 27–31 ms with them together.</para>
/// </summary>
internal sealed class ChunkBufferPool
{
    /// <summary>Shorter buffers come from <see cref="System.Buffers.ArrayPool{T}.Shared"/>.</summary>
    public const int MinimumLength = 1 << 20;

    private const int MinimumBucket = 20;
    private const int MaximumBucket = 30;

    private readonly ConcurrentStack<byte[]>[] _buckets = [.. Enumerable.Range(0, MaximumBucket - MinimumBucket + 1).Select(_ => new ConcurrentStack<byte[]>())];
    private readonly long[] _lastRent = new long[MaximumBucket - MinimumBucket + 1];
    private readonly long[] _bucketBytes = new long[MaximumBucket - MinimumBucket + 1];
    private long _retained;

    static ChunkBufferPool() => _ = new TrimAfterFullCollections();

    /// <summary>A pool that keeps at most <paramref name="maximumRetained"/> bytes (tests make their own).</summary>
    internal ChunkBufferPool(long maximumRetained) => MaximumRetained = maximumRetained;

    /// <summary>The pool of decoded chunks.</summary>
    public static ChunkBufferPool Decoded { get; } = new(DefaultMaximumRetained);

    /// <summary>The pool of every other large buffer.</summary>
    public static ChunkBufferPool Shared { get; } = new(DefaultMaximumRetained);

    /// <summary>The bytes this pool holds now (returned arrays waiting to be rented again).</summary>
    public long Retained => Interlocked.Read(ref _retained);

    /// <summary>The most bytes this pool keeps.</summary>
    public long MaximumRetained { get; }

    // The two pools together keep an eighth of the memory the GC may use, at most 512 MiB.
    private static long DefaultMaximumRetained => Math.Clamp(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 16, 8L << 20, 256L << 20);

    /// <summary>A size not rented for this long is let go at the next full collection.</summary>
    internal const long StaleMilliseconds = 60_000;

    /// <summary>An array of at least <paramref name="length"/> bytes (contents undefined).</summary>
    public byte[] Rent(int length)
    {
        var bucket = BucketOf(length);
        if (bucket > MaximumBucket)
        {
            return GC.AllocateUninitializedArray<byte>(length);
        }

        Volatile.Write(ref _lastRent[bucket - MinimumBucket], Environment.TickCount64);
        if (_buckets[bucket - MinimumBucket].TryPop(out var array))
        {
            Taken(bucket - MinimumBucket, array.Length);
            return array;
        }

        return GC.AllocateUninitializedArray<byte>(1 << bucket);
    }

    /// <summary>Takes back an array from <see cref="Rent"/> (others are ignored).</summary>
    public void Return(byte[] array)
    {
        var bucket = BucketOf(array.Length);
        if (!BitOperations.IsPow2(array.Length) || array.Length < MinimumLength || bucket > MaximumBucket)
        {
            return;
        }

        var index = bucket - MinimumBucket;
        if (Interlocked.Add(ref _retained, array.Length) > MaximumRetained && !MakeRoom(index, array.Length))
        {
            Interlocked.Add(ref _retained, -array.Length);
            return;
        }

        Interlocked.Add(ref _bucketBytes[index], array.Length);
        _buckets[index].Push(array);
    }

    /// <summary>
    /// Lets go of arrays of the size holding the most bytes, while the pool is over its bound and that size holds more
    /// than <paramref name="index"/>'s will with the <paramref name="length"/> bytes being returned. The counts are read
    /// without a lock: returners racing may together let go of more arrays than they needed (one each at most), never
    /// keep more than the bound.
    /// </summary>
    private bool MakeRoom(int index, int length)
    {
        while (Volatile.Read(ref _retained) > MaximumRetained)
        {
            var victim = -1;
            var most = Volatile.Read(ref _bucketBytes[index]) + length;
            for (var b = 0; b < _bucketBytes.Length; b++)
            {
                var bytes = Volatile.Read(ref _bucketBytes[b]);
                if (b != index && bytes > most)
                {
                    victim = b;
                    most = bytes;
                }
            }

            if (victim < 0 || !_buckets[victim].TryPop(out var evicted))
            {
                return false;
            }

            Taken(victim, evicted.Length);
        }

        return true;
    }

    private void Taken(int index, int length)
    {
        Interlocked.Add(ref _bucketBytes[index], -length);
        Interlocked.Add(ref _retained, -length);
    }

    /// <summary>Lets go, in both pools, of every size not rented since <paramref name="now"/> − <see cref="StaleMilliseconds"/>, or of everything.</summary>
    internal static void Trim(bool everything, long now)
    {
        Decoded.TrimPool(everything, now);
        Shared.TrimPool(everything, now);
    }

    /// <summary>Lets go of every size of this pool not rented since <paramref name="now"/> − <see cref="StaleMilliseconds"/>, or of everything.</summary>
    internal void TrimPool(bool everything, long now)
    {
        for (var b = 0; b < _buckets.Length; b++)
        {
            if (!everything && now - Volatile.Read(ref _lastRent[b]) < StaleMilliseconds)
            {
                continue;
            }

            while (_buckets[b].TryPop(out var array))
            {
                Taken(b, array.Length);
            }
        }
    }

    private static int BucketOf(int length) => Math.Max(MinimumBucket, BitOperations.Log2((uint)length - 1) + 1);

    // Its finalizer runs after each collection that finds it unreachable, which, once it lives in the oldest
    // generation, is each full collection; it then asks to be finalized again.
    private sealed class TrimAfterFullCollections
    {
        ~TrimAfterFullCollections()
        {
            if (Environment.HasShutdownStarted)
            {
                return;
            }

            var memory = GC.GetGCMemoryInfo();
            Trim(memory.MemoryLoadBytes >= memory.HighMemoryLoadThresholdBytes * 0.9, Environment.TickCount64);
            GC.ReRegisterForFinalize(this);
        }
    }
}
