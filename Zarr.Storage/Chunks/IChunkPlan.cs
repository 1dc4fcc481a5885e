using Zarr.Storage.Codecs;

namespace Zarr.Storage.Chunks;

/// <summary>
/// A selection resolved against an array's chunk grid, as the one read loop and the one write loop use it: the chunks
/// it touches and, for each, the move of its selected elements between the decoded chunk and the selection's flat
/// C-order buffer. Basic selections (<see cref="SelectionPlan"/>) and advanced ones (<see cref="IndexPlan"/>) both are.
/// </summary>
/// <typeparam name="TChunk">What the plan knows of one chunk it touches.</typeparam>
internal interface IChunkPlan<TChunk>
{
    /// <summary>The grid the plan was made for.</summary>
    ChunkGrid Grid { get; }

    /// <summary>The shape the selection reads as.</summary>
    long[] OutputShape { get; }

    /// <summary>The number of selected elements.</summary>
    long ElementCount { get; }

    /// <summary>The number of chunks touched.</summary>
    long ChunkCount { get; }

    /// <summary>Every chunk touched, each once.</summary>
    IEnumerable<TChunk> Chunks();

    /// <summary>The chunk's grid coordinates.</summary>
    long[] CoordinatesOf(in TChunk chunk);

    /// <summary>True when the selection sets every element of the chunk that lies inside the array (a write need not read it first).</summary>
    bool Covers(in TChunk chunk);

    /// <summary>A region of the chunk that holds every selected element (for partial decoding).</summary>
    ChunkRegion Region(in TChunk chunk);

    /// <summary>
    /// True when the selection takes every element of the chunk's whole decoded buffer (as <paramref name="chunkShape"/>
    /// lays it out) and they lie in the selection's buffer as one contiguous run in the same order, starting
    /// <paramref name="elementOffset"/> elements in: the chunk can then be decoded straight into the buffer.
    /// </summary>
    bool IsContiguousWholeChunk(in TChunk chunk, ReadOnlySpan<int> chunkShape, out long elementOffset);

    /// <summary>
    /// True when the selection takes exactly the elements of the box at <paramref name="boxStart"/> of shape
    /// <paramref name="boxShape"/> in the chunk (an inner chunk of a shard), and they lie in the selection's buffer as one
    /// contiguous run in C order, starting <paramref name="elementOffset"/> elements in: the box can be decoded straight
    /// into the buffer.
    /// </summary>
    bool IsContiguousBox(in TChunk chunk, ReadOnlySpan<int> boxStart, ReadOnlySpan<int> boxShape, out long elementOffset);

    /// <summary>Copies the chunk's selected elements into the selection's buffer.</summary>
    /// <param name="chunk">The chunk.</param>
    /// <param name="decoded">The decoded chunk (C order), or one element (the fill value) when <paramref name="missing"/>.</param>
    /// <param name="missing">The chunk is missing: every selected element is the one element at <paramref name="decoded"/>.</param>
    /// <param name="chunkStrides">The decoded chunk's byte strides.</param>
    /// <param name="destination">The first byte of the selection's buffer.</param>
    /// <param name="itemSize">The element size in bytes.</param>
    /// <param name="streaming">The buffer is larger than any cache: write it with streaming stores where the plan can.</param>
    void CopyOut(in TChunk chunk, ref byte decoded, bool missing, ReadOnlySpan<long> chunkStrides, ref byte destination, int itemSize, bool streaming);

    /// <summary>True when the plan can copy a chunk out one window of its decoded bytes at a time (<see cref="CopyOutSlice"/>).</summary>
    bool CopiesOutSlices { get; }

    /// <summary>
    /// Copies the chunk's selected elements that lie in <paramref name="slice"/> into the selection's buffer: the decoded
    /// chunk's bytes from byte <paramref name="offset"/> on (both on element boundaries), as a codec decoding in slices
    /// hands them over. Called for consecutive slices that together make the chunk, it copies what
    /// <see cref="CopyOut"/> copies.
    /// </summary>
    /// <param name="chunk">The chunk.</param>
    /// <param name="slice">The decoded bytes.</param>
    /// <param name="offset">Where they start in the decoded chunk (C order, <paramref name="chunkShape"/>).</param>
    /// <param name="chunkShape">The decoded chunk's shape.</param>
    /// <param name="chunkStrides">The decoded chunk's byte strides.</param>
    /// <param name="destination">The first byte of the selection's buffer.</param>
    /// <param name="itemSize">The element size in bytes.</param>
    /// <param name="streaming">The buffer is larger than any cache: write it with streaming stores where the plan can.</param>
    void CopyOutSlice(in TChunk chunk, ReadOnlySpan<byte> slice, long offset, ReadOnlySpan<int> chunkShape, ReadOnlySpan<long> chunkStrides, ref byte destination, int itemSize, bool streaming);

    /// <summary>True when the plan can copy a chunk out one box of it at a time (<see cref="CopyOutBox"/>).</summary>
    bool CopiesOutBoxes { get; }

    /// <summary>
    /// Copies the chunk's selected elements that lie in the box at <paramref name="boxStart"/> of shape
    /// <paramref name="boxShape"/> (an inner chunk of a shard, or a row of them, decoded on its own) into the selection's
    /// buffer. Called for disjoint boxes that together cover every selected element of the chunk, it copies what
    /// <see cref="CopyOut"/> copies; disjoint boxes may be copied out at the same time.
    /// </summary>
    /// <param name="chunk">The chunk.</param>
    /// <param name="box">The box's decoded elements (C order over <paramref name="boxShape"/>), or one element (the fill value) when <paramref name="missing"/>.</param>
    /// <param name="missing">The box is missing: every selected element in it is the one element at <paramref name="box"/>.</param>
    /// <param name="boxStart">The box's first element in the chunk, per axis.</param>
    /// <param name="boxShape">The box's extent per axis.</param>
    /// <param name="destination">The first byte of the selection's buffer.</param>
    /// <param name="itemSize">The element size in bytes.</param>
    /// <param name="streaming">The buffer is larger than any cache: write it with streaming stores where the plan can.</param>
    void CopyOutBox(in TChunk chunk, ReadOnlySpan<byte> box, bool missing, ReadOnlySpan<int> boxStart, ReadOnlySpan<int> boxShape, ref byte destination, int itemSize, bool streaming);

    /// <summary>Copies the selection's values for the chunk into the decoded chunk.</summary>
    /// <param name="chunk">The chunk.</param>
    /// <param name="decoded">The decoded chunk (C order).</param>
    /// <param name="chunkStrides">The decoded chunk's byte strides.</param>
    /// <param name="source">The first byte of the selection's buffer, or of one element when <paramref name="sourceIsScalar"/>.</param>
    /// <param name="sourceIsScalar">The source is one element repeated (a fill).</param>
    /// <param name="itemSize">The element size in bytes.</param>
    void CopyIn(in TChunk chunk, ref byte decoded, ReadOnlySpan<long> chunkStrides, ref byte source, bool sourceIsScalar, int itemSize);
}
