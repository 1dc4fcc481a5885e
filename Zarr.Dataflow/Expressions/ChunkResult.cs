using System.Runtime.InteropServices;
using Zarr.Dataflow.Blocks;

namespace Zarr.Dataflow;

/// <summary>
/// One computed chunk streamed out of <see cref="LazyArray{T}.ToChunksAsync"/>: its coordinates, its region and its
/// elements (dense region layout, C order). <b>Ownership:</b> the consumer owns the result and disposes it (returning
/// its buffer to the pool); its <see cref="Values"/> must not be used after that.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
public sealed class ChunkResult<T> : IDisposable where T : unmanaged
{
    private readonly DecodedChunk _chunk;

    internal ChunkResult(DecodedChunk chunk) => _chunk = chunk;

    /// <summary>The chunk's grid coordinates.</summary>
    public ReadOnlySpan<long> Coordinates => _chunk.Coordinates;

    /// <summary>The region of the array the chunk covers.</summary>
    public ChunkRegion Region => _chunk.Region;

    /// <summary>The region's elements.</summary>
    public Span<T> Values => MemoryMarshal.Cast<byte, T>(_chunk.Buffer.Span)[..(int)_chunk.Region.ElementCount];

    /// <summary>Returns the buffer to the pool.</summary>
    public void Dispose() => _chunk.Dispose();
}
