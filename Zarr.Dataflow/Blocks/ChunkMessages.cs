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
/// A message about one chunk that owns pooled bytes (<see cref="EncodedChunk"/>, <see cref="DecodedChunk"/>): whoever
/// holds it disposes it exactly once, which returns the bytes to the pool. A pipeline run keeps track of the messages
/// it created, so that a run that faults or is cancelled disposes those still in flight.
/// </summary>
public abstract class ChunkMessage : IDisposable
{
    private ChunkTracker? _tracker;

    private protected ChunkMessage(long[] coordinates, ChunkRegion region)
    {
        ArgumentNullException.ThrowIfNull(coordinates);
        ArgumentNullException.ThrowIfNull(region);
        CoordinatesArray = coordinates;
        Region = region;
    }

    /// <summary>The chunk's grid coordinates.</summary>
    public ReadOnlySpan<long> Coordinates => CoordinatesArray;

    /// <summary>The region of the array the chunk covers (its valid part: an edge chunk hangs over the array's end).</summary>
    public ChunkRegion Region { get; }

    internal long[] CoordinatesArray { get; }

    /// <summary>Returns the bytes to the pool (and, inside a pipeline run, tells the run the message is gone).</summary>
    public void Dispose()
    {
        Untrack();
        ReleaseBytes();
        GC.SuppressFinalize(this);
    }

    /// <summary>Hands the message out of the run that created it (the receiver now owns it).</summary>
    internal void Untrack() => Interlocked.Exchange(ref _tracker, null)?.Remove(this);

    /// <summary>Starts tracking: called last by a constructor, once the message is whole.</summary>
    private protected void Track(ChunkTracker? tracker)
    {
        _tracker = tracker;
        tracker?.Add(this);
    }

    /// <summary>Returns the message's bytes to the pool (at most once).</summary>
    private protected abstract void ReleaseBytes();
}

/// <summary>
/// A chunk's encoded bytes, as stored. <b>Ownership:</b> the message owns <see cref="Data"/>; whoever holds the
/// message disposes it exactly once. A block that consumes a message disposes it after producing its output; a
/// pipeline that faults or is cancelled disposes the messages it still holds.
/// </summary>
public sealed class EncodedChunk : ChunkMessage
{
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
        : base(coordinates, region)
    {
        ArgumentNullException.ThrowIfNull(key);
        Key = key;
        Data = data;
        Track(tracker);
    }

    /// <summary>The chunk's store key.</summary>
    public string Key { get; }

    /// <summary>The encoded bytes, or null: the chunk is missing (read) or all fill value (write: the chunk is deleted).</summary>
    public PooledBuffer? Data { get; private set; }

    /// <summary>True when there are no bytes (see <see cref="Data"/>).</summary>
    public bool IsMissing => Data is null;

    /// <summary>Returns the bytes to the pool.</summary>
    private protected override void ReleaseBytes()
    {
        Data?.Dispose();
        Data = null;
    }
}

/// <summary>
/// A decoded chunk: always the FULL chunk shape, C order, little-endian (edge chunks hang over the array: only
/// <see cref="ChunkMessage.Region"/> is valid). <b>Ownership:</b> the message owns <see cref="Buffer"/>; whoever holds it disposes it
/// exactly once. A block that consumes a message disposes it after producing its output (a compute block that works in
/// place hands the same message on instead); a pipeline that faults or is cancelled disposes what it still holds.
/// </summary>
public sealed class DecodedChunk : ChunkMessage
{
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
        : base(coordinates, region)
    {
        ArgumentNullException.ThrowIfNull(chunkShape);
        ArgumentNullException.ThrowIfNull(buffer);
        ArgumentOutOfRangeException.ThrowIfLessThan(itemSize, 1);
        ChunkShapeArray = chunkShape;
        ItemSize = itemSize;
        Buffer = buffer;
        Track(tracker);
    }

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

    /// <summary>Hands <see cref="Buffer"/> over to an encoded chunk that is these very bytes: the message no longer returns
    /// it to the pool. The message's last use.</summary>
    internal void GiveAwayBuffer() => _bufferGiven = true;

    /// <summary>Returns the buffer to the pool (unless it was given away).</summary>
    private protected override void ReleaseBytes()
    {
        if (!_bufferGiven)
        {
            Buffer.Dispose();
        }
    }

    private bool _bufferGiven;
}
