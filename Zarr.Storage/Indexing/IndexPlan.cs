using Zarr.Storage.Chunks;
using Zarr.Storage.Codecs;

namespace Zarr.Storage;

/// <summary>One chunk an <see cref="IndexPlan"/> touches.</summary>
/// <param name="Coordinates">The chunk's grid coordinates.</param>
/// <param name="Parts">What the plan needs to find its part of the chunk (per dimension, or one segment number).</param>
internal readonly record struct PlannedChunk(long[] Coordinates, int[] Parts);

/// <summary>
/// An advanced selection (orthogonal, coordinate, mask or block) resolved against an array and grouped by chunk. The
/// selection's values travel as one flat C-order buffer of <see cref="OutputShape"/>; for each chunk touched the plan
/// moves its elements between that buffer and the decoded chunk. The work is proportional to the selected elements
/// and the chunks touched, never to the chunks in the array.
/// </summary>
internal abstract class IndexPlan : IChunkPlan<PlannedChunk>
{
    protected IndexPlan(ChunkGrid grid) => Grid = grid;

    /// <summary>The grid the plan was made for.</summary>
    public ChunkGrid Grid { get; }

    /// <summary>The shape the selection reads as.</summary>
    public abstract long[] OutputShape { get; }

    /// <summary>The number of selected elements (positions; a position given twice counts twice).</summary>
    public abstract long ElementCount { get; }

    /// <summary>The number of chunks touched.</summary>
    public abstract long ChunkCount { get; }

    /// <summary>Every chunk touched, each once.</summary>
    public abstract IEnumerable<PlannedChunk> Chunks();

    /// <summary>True when the selection sets every element of the chunk that lies inside the array (a write need not read it first).</summary>
    public abstract bool Covers(in PlannedChunk chunk);

    /// <summary>A region of the chunk that holds every selected element (for partial decoding).</summary>
    public abstract ChunkRegion Region(in PlannedChunk chunk);

    /// <summary>
    /// Moves the chunk's selected elements between the decoded chunk and the selection's buffer.
    /// </summary>
    /// <param name="chunk">The chunk.</param>
    /// <param name="decoded">The decoded chunk (C order), or one element (the fill value) when <paramref name="chunkIsScalar"/>.</param>
    /// <param name="chunkIsScalar">The chunk side is one element repeated (reading a missing chunk).</param>
    /// <param name="chunkStrides">The decoded chunk's byte strides.</param>
    /// <param name="selection">The first byte of the selection's buffer, or of one element when <paramref name="selectionIsScalar"/>.</param>
    /// <param name="selectionIsScalar">The selection side is one element repeated (a fill).</param>
    /// <param name="toChunk">True for a write (selection → chunk), false for a read.</param>
    /// <param name="itemSize">The element size in bytes.</param>
    public abstract void Transfer(in PlannedChunk chunk, ref byte decoded, bool chunkIsScalar, ReadOnlySpan<long> chunkStrides, ref byte selection, bool selectionIsScalar, bool toChunk, int itemSize);

    /// <inheritdoc />
    public long[] CoordinatesOf(in PlannedChunk chunk) => chunk.Coordinates;

    /// <inheritdoc />
    /// <remarks>Advanced selections always copy: their elements are picked one by one.</remarks>
    public bool IsContiguousWholeChunk(in PlannedChunk chunk, ReadOnlySpan<int> chunkShape, out long elementOffset)
    {
        elementOffset = 0;
        return false;
    }

    /// <inheritdoc />
    /// <remarks>Advanced selections always copy.</remarks>
    public bool IsContiguousBox(in PlannedChunk chunk, ReadOnlySpan<int> boxStart, ReadOnlySpan<int> boxShape, out long elementOffset)
    {
        elementOffset = 0;
        return false;
    }

    /// <inheritdoc />
    public void CopyOut(in PlannedChunk chunk, ref byte decoded, bool missing, ReadOnlySpan<long> chunkStrides, ref byte destination, int itemSize, bool streaming) =>
        Transfer(chunk, ref decoded, missing, chunkStrides, ref destination, false, false, itemSize);

    /// <inheritdoc />
    /// <remarks>Advanced selections copy out of the whole decoded chunk.</remarks>
    public bool CopiesOutSlices => false;

    /// <inheritdoc />
    public void CopyOutSlice(in PlannedChunk chunk, ReadOnlySpan<byte> slice, long offset, ReadOnlySpan<int> chunkShape, ReadOnlySpan<long> chunkStrides, ref byte destination, int itemSize, bool streaming) =>
        throw new NotSupportedException("advanced selections copy out of the whole decoded chunk");

    /// <inheritdoc />
    /// <remarks>Advanced selections copy out of the whole decoded chunk.</remarks>
    public bool CopiesOutBoxes => false;

    /// <inheritdoc />
    public void CopyOutBox(in PlannedChunk chunk, ReadOnlySpan<byte> box, bool missing, ReadOnlySpan<int> boxStart, ReadOnlySpan<int> boxShape, ref byte destination, int itemSize, bool streaming) =>
        throw new NotSupportedException("advanced selections copy out of the whole decoded chunk");

    /// <inheritdoc />
    public void CopyIn(in PlannedChunk chunk, ref byte decoded, ReadOnlySpan<long> chunkStrides, ref byte source, bool sourceIsScalar, int itemSize) =>
        Transfer(chunk, ref decoded, false, chunkStrides, ref source, sourceIsScalar, true, itemSize);

    /// <summary>The number of elements of the chunk at <paramref name="coordinates"/> that lie inside the array.</summary>
    protected long ValidElements(ReadOnlySpan<long> coordinates)
    {
        long n = 1;
        for (var d = 0; d < coordinates.Length; d++)
        {
            n *= Grid.ValidLength(coordinates, d);
        }

        return n;
    }
}
