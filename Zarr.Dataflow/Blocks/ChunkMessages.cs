using System.Runtime.InteropServices;
using Zarr.Storage.Buffers;

namespace Zarr.Dataflow.Blocks;

/// <summary>A request for one chunk: the first message of a pipeline. It owns nothing.</summary>
public sealed class ChunkRequest
{
    /// <summary>Creates a request (the coordinates are copied).</summary>
    public ChunkRequest(long[] coordinates, ChunkRegion region)
    {
        ArgumentNullException.ThrowIfNull(coordinates);
        ArgumentNullException.ThrowIfNull(region);
        CoordinatesArray = (long[])coordinates.Clone();
        Region = region;
    }

    /// <summary>The chunk's grid coordinates.</summary>
    public ReadOnlySpan<long> Coordinates => CoordinatesArray;

    /// <summary>The part of the array the chunk covers.</summary>
    public ChunkRegion Region { get; }

    internal long[] CoordinatesArray { get; }

    /// <inheritdoc />
    public override string ToString() => $"chunk ({string.Join(", ", CoordinatesArray)})";
}

/// <summary>
/// A chunk's encoded bytes, as stored. <b>Ownership:</b> the message owns <see cref="Data"/>; whoever holds the
/// message disposes it exactly once. A block that consumes a message disposes it after producing its output; a
/// pipeline that faults or is cancelled disposes the messages it still holds.
/// </summary>
public sealed class EncodedChunk : IDisposable
{
    private ChunkTracker? _tracker;

    /// <summary>Creates the message; it takes ownership of <paramref name="data"/>.</summary>
    /// <param name="coordinates">The chunk's coordinates (shared, not copied: do not modify).</param>
    /// <param name="region">The region the chunk covers.</param>
    /// <param name="key">The chunk's store key.</param>
    /// <param name="data">The encoded bytes, or null when the chunk does not exist (it is all fill value).</param>
    public EncodedChunk(long[] coordinates, ChunkRegion region, string key, PooledBuffer? data)
        : this(coordinates, region, key, data, null)
    {
    }

    internal EncodedChunk(long[] coordinates, ChunkRegion region, string key, PooledBuffer? data, ChunkTracker? tracker)
    {
        ArgumentNullException.ThrowIfNull(coordinates);
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(key);
        CoordinatesArray = coordinates;
        Region = region;
        Key = key;
        Data = data;
        _tracker = tracker;
        tracker?.Add(this);
    }

    /// <summary>The chunk's grid coordinates.</summary>
    public ReadOnlySpan<long> Coordinates => CoordinatesArray;

    /// <summary>The region the chunk covers.</summary>
    public ChunkRegion Region { get; }

    /// <summary>The chunk's store key.</summary>
    public string Key { get; }

    /// <summary>The encoded bytes, or null: the chunk is missing (read) or all fill value (write: the chunk is deleted).</summary>
    public PooledBuffer? Data { get; private set; }

    /// <summary>True when there are no bytes (see <see cref="Data"/>).</summary>
    public bool IsMissing => Data is null;

    internal long[] CoordinatesArray { get; }

    /// <summary>Returns the bytes to the pool.</summary>
    public void Dispose()
    {
        Data?.Dispose();
        Data = null;
        Interlocked.Exchange(ref _tracker, null)?.Remove(this);
    }
}

/// <summary>
/// A decoded chunk: always the FULL chunk shape, C order, little-endian (edge chunks hang over the array: only
/// <see cref="Region"/> is valid). <b>Ownership:</b> the message owns <see cref="Buffer"/>; whoever holds it disposes it
/// exactly once. A block that consumes a message disposes it after producing its output (a compute block that works in
/// place hands the same message on instead); a pipeline that faults or is cancelled disposes what it still holds.
/// </summary>
public sealed class DecodedChunk : IDisposable
{
    private ChunkTracker? _tracker;

    /// <summary>Creates the message; it takes ownership of <paramref name="buffer"/>.</summary>
    /// <param name="coordinates">The chunk's coordinates (shared, not copied: do not modify).</param>
    /// <param name="region">The region the chunk covers.</param>
    /// <param name="chunkShape">The full chunk shape (shared: do not modify).</param>
    /// <param name="itemSize">Bytes per element.</param>
    /// <param name="buffer">The decoded bytes, exactly the full chunk's size.</param>
    public DecodedChunk(long[] coordinates, ChunkRegion region, int[] chunkShape, int itemSize, PooledBuffer buffer)
        : this(coordinates, region, chunkShape, itemSize, buffer, null)
    {
    }

    internal DecodedChunk(long[] coordinates, ChunkRegion region, int[] chunkShape, int itemSize, PooledBuffer buffer, ChunkTracker? tracker)
    {
        ArgumentNullException.ThrowIfNull(coordinates);
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(chunkShape);
        ArgumentNullException.ThrowIfNull(buffer);
        ArgumentOutOfRangeException.ThrowIfLessThan(itemSize, 1);
        CoordinatesArray = coordinates;
        Region = region;
        ChunkShapeArray = chunkShape;
        ItemSize = itemSize;
        Buffer = buffer;
        _tracker = tracker;
        tracker?.Add(this);
    }

    /// <summary>The chunk's grid coordinates.</summary>
    public ReadOnlySpan<long> Coordinates => CoordinatesArray;

    /// <summary>The region of the array the chunk covers (its valid part).</summary>
    public ChunkRegion Region { get; }

    /// <summary>The full chunk shape: the layout of <see cref="Buffer"/>.</summary>
    public ReadOnlySpan<int> ChunkShape => ChunkShapeArray;

    /// <summary>Bytes per element.</summary>
    public int ItemSize { get; }

    /// <summary>The decoded bytes.</summary>
    public PooledBuffer Buffer { get; }

    /// <summary>True when the region is the whole chunk (not an edge chunk).</summary>
    public bool IsFull
    {
        get
        {
            var shape = Region.Shape;
            for (var d = 0; d < shape.Length; d++)
            {
                if (shape[d] != ChunkShapeArray[d])
                {
                    return false;
                }
            }

            return true;
        }
    }

    internal long[] CoordinatesArray { get; }

    internal int[] ChunkShapeArray { get; }

    /// <summary>The elements as <typeparamref name="T"/> (full chunk layout).</summary>
    /// <exception cref="ArgumentException">The size of <typeparamref name="T"/> is not <see cref="ItemSize"/>.</exception>
    public Span<T> GetSpan<T>() where T : unmanaged
    {
        if (System.Runtime.CompilerServices.Unsafe.SizeOf<T>() != ItemSize)
        {
            throw new ArgumentException($"{typeof(T).Name} is {System.Runtime.CompilerServices.Unsafe.SizeOf<T>()} bytes but the chunk's elements are {ItemSize}");
        }

        return MemoryMarshal.Cast<byte, T>(Buffer.Span);
    }

    /// <summary>Hands the message out of the run that created it (the receiver now owns it).</summary>
    internal void Untrack() => Interlocked.Exchange(ref _tracker, null)?.Remove(this);

    /// <summary>Returns the buffer to the pool.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _tracker, null) is { } tracker)
        {
            tracker.Remove(this);
        }

        Buffer.Dispose();
    }
}
