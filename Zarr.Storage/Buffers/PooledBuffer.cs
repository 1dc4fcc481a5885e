using System.Buffers;

namespace Zarr.Storage.Buffers;

/// <summary>
/// A pooled byte buffer with an exact logical length: from <see cref="ArrayPool{T}.Shared"/>, or for chunk-sized
/// buffers (1 MiB and more) from a pool without per-thread caches (chunks are rented and returned on different threads).
/// Decoded chunks have a pool of their own (<see cref="RentDecoded"/>), so that the few a pipeline decodes into take
/// turns in cache rather than with every buffer of encoded bytes.
/// Whoever receives one owns it and must dispose it exactly once; after that its memory must not be touched.
/// </summary>
public sealed class PooledBuffer : IMemoryOwner<byte>
{
    private readonly ChunkBufferPool? _pool;
    private readonly BufferRentals? _rentals;
    private byte[]? _array;
    private int _length;

    private PooledBuffer(byte[] array, int length, ChunkBufferPool? pool)
    {
        _array = array;
        _length = length;
        _pool = pool;
        _rentals = BufferRentals.Current;
        _rentals?.Rented();
    }

    /// <summary>Rents a buffer of exactly <paramref name="length"/> bytes (contents undefined).</summary>
    public static PooledBuffer Rent(int length) => Rent(length, ChunkBufferPool.Shared);

    /// <summary>
    /// Rents a buffer of exactly <paramref name="length"/> bytes (contents undefined) for a decoded chunk: one that code
    /// decodes into, computes over and lets go of, chunk after chunk. It behaves as <see cref="Rent(int)"/> in every other
    /// way (buffers under 1 MiB come from <see cref="ArrayPool{T}.Shared"/> alike); renting from the other pool costs
    /// only speed, never correctness.
    /// </summary>
    public static PooledBuffer RentDecoded(int length) => Rent(length, ChunkBufferPool.Decoded);

    private static PooledBuffer Rent(int length, ChunkBufferPool pool)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return length >= ChunkBufferPool.MinimumLength
            ? new PooledBuffer(pool.Rent(length), length, pool)
            : new PooledBuffer(ArrayPool<byte>.Shared.Rent(length), length, null);
    }

    /// <summary>Rents a buffer holding a copy of <paramref name="source"/>.</summary>
    public static PooledBuffer CopyOf(ReadOnlySpan<byte> source)
    {
        var buffer = Rent(source.Length);
        source.CopyTo(buffer.Span);
        return buffer;
    }

    /// <summary>The logical length in bytes.</summary>
    public int Length => _length;

    /// <summary>How many bytes the buffer can hold (at least <see cref="Length"/>).</summary>
    public int Capacity => Array.Length;

    /// <inheritdoc />
    public Memory<byte> Memory => Array.AsMemory(0, _length);

    /// <summary>The logical contents.</summary>
    public Span<byte> Span => Array.AsSpan(0, _length);

    /// <summary>The whole rented array, for the library's APIs that need one (valid until disposed); users read and write through <see cref="Span"/> and <see cref="Memory"/>.</summary>
    internal byte[] Array => _array ?? throw new ObjectDisposedException(nameof(PooledBuffer));

    /// <summary>
    /// Sets the logical length, at most <see cref="Capacity"/> (after compressing into a worst-case sized buffer). Internal:
    /// whoever is handed a buffer sees one exact length, never one that changes under it.
    /// </summary>
    internal void SetLength(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Capacity);
        _length = length;
    }

    /// <summary>Returns the array to the pool.</summary>
    public void Dispose()
    {
        var array = Interlocked.Exchange(ref _array, null);
        if (array is not null)
        {
            _rentals?.Returned();
            if (_pool is not null)
            {
                _pool.Return(array);
            }
            else
            {
                ArrayPool<byte>.Shared.Return(array);
            }
        }
    }
}
