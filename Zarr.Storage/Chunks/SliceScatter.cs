using Zarr.Storage.Codecs;

namespace Zarr.Storage.Chunks;

/// <summary>
/// The scatter of a chunk decoded in slices: each slice a codec hands over (<see cref="ISlicedDecodingCodec"/>) goes
/// straight to the plan's copy-out of that part of the chunk (<see cref="IChunkPlan{TChunk}.CopyOutSlice"/>) while it
/// is still in cache.
/// </summary>
internal ref struct SliceScatter<TChunk> : IDecodedSliceSink
{
    private readonly IChunkPlan<TChunk> _plan;
    private readonly TChunk _chunk;
    private readonly ReadOnlySpan<int> _chunkShape;
    private readonly ReadOnlySpan<long> _chunkStrides;
    private readonly ref byte _destination;
    private readonly int _itemSize;
    private readonly bool _streaming;

    /// <param name="plan">The selection's plan.</param>
    /// <param name="chunk">The chunk being decoded.</param>
    /// <param name="io">The array's chunk steps (shape, strides, element size of a decoded chunk).</param>
    /// <param name="destination">The first byte of the selection's buffer.</param>
    /// <param name="streaming">Write the buffer with streaming stores where the plan can.</param>
    public SliceScatter(IChunkPlan<TChunk> plan, TChunk chunk, ChunkIO io, ref byte destination, bool streaming)
    {
        _plan = plan;
        _chunk = chunk;
        _chunkShape = io.Grid.ChunkShape.AsSpan();
        _chunkStrides = io.ChunkStrides;
        _destination = ref destination;
        _itemSize = io.Metadata.DataType.ItemSize;
        _streaming = streaming;
    }

    /// <inheritdoc />
    public readonly void Accept(ReadOnlySpan<byte> slice, long offset) =>
        _plan.CopyOutSlice(_chunk, slice, offset, _chunkShape, _chunkStrides, ref _destination, _itemSize, _streaming);
}
