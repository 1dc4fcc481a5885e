using System.Runtime.InteropServices;
using Zarr.Storage.Chunks;
using Zarr.Storage.Codecs;

namespace Zarr.Storage;

/// <summary>The part of one chunk a selection touches along one dimension.</summary>
/// <param name="ChunkIndex">The chunk's index along the dimension.</param>
/// <param name="LocalStart">The first selected element inside the chunk.</param>
/// <param name="Count">How many elements are selected inside the chunk.</param>
/// <param name="OutputStart">Where the first of them goes in the selection's output along this dimension.</param>
internal readonly record struct ChunkDimensionProjection(long ChunkIndex, int LocalStart, int Count, long OutputStart);

/// <summary>One chunk a selection touches and, per dimension, which part of it.</summary>
internal readonly record struct ChunkSelection(long[] Coordinates, ChunkDimensionProjection[] Projections);

/// <summary>
/// A selection resolved against an array and projected onto its chunk grid. The work it describes is proportional
/// to the chunks the selection touches, never to the chunks in the array.
/// </summary>
internal sealed class SelectionPlan : IChunkPlan<ChunkSelection>
{
    private readonly ChunkDimensionProjection[][] _perDimension;

    // Element strides of the selection's output, full rank (a dropped dimension has count 1).
    private readonly long[] _outputStrides;

    private SelectionPlan(ChunkGrid grid, DimensionSelection[] dimensions, ChunkDimensionProjection[][] perDimension)
    {
        Grid = grid;
        Dimensions = dimensions;
        _perDimension = perDimension;
        var outShape = new List<long>(dimensions.Length);
        long count = 1;
        long chunks = 1;
        for (var d = 0; d < dimensions.Length; d++)
        {
            count = checked(count * dimensions[d].Count);
            chunks = checked(chunks * perDimension[d].Length);
            if (!dimensions[d].Dropped)
            {
                outShape.Add(dimensions[d].Count);
            }
        }

        OutputShape = [.. outShape];
        ElementCount = count;
        _outputStrides = new long[dimensions.Length];
        long stride = 1;
        for (var d = dimensions.Length - 1; d >= 0; d--)
        {
            _outputStrides[d] = stride;
            stride = checked(stride * dimensions[d].Count);
        }

        ChunkCount = count == 0 ? 0 : chunks;
    }

    /// <summary>The grid the plan was made for.</summary>
    public ChunkGrid Grid { get; }

    /// <summary>The selection per dimension.</summary>
    public DimensionSelection[] Dimensions { get; }

    /// <summary>The shape of the result: the selected counts of the dimensions that were not dropped by an integer index.</summary>
    public long[] OutputShape { get; }

    /// <summary>The number of selected elements.</summary>
    public long ElementCount { get; }

    /// <summary>The number of chunks touched.</summary>
    public long ChunkCount { get; }

    /// <summary>Resolves <paramref name="selection"/> (fewer slices than dimensions select the remaining ones whole).</summary>
    /// <exception cref="ZarrSelectionException">Too many slices, or an index out of bounds.</exception>
    public static SelectionPlan Create(ChunkGrid grid, ReadOnlySpan<Slice> selection)
    {
        var rank = grid.Shape.Length;
        if (rank == 0 && selection.Length == 1 && selection[0] == Slice.All)
        {
            // z[..] of a 0-d array reads its one element, like numpy's z[...].
            selection = [];
        }

        if (selection.Length > rank)
        {
            throw new ZarrSelectionException($"the selection has {selection.Length} dimensions but the array has {rank}");
        }

        var dims = new DimensionSelection[rank];
        var per = new ChunkDimensionProjection[rank][];
        for (var d = 0; d < rank; d++)
        {
            dims[d] = (d < selection.Length ? selection[d] : Slice.All).Resolve(grid.Shape[d], d);
            per[d] = Project(dims[d], grid, d);
        }

        return new SelectionPlan(grid, dims, per);
    }

    /// <summary>Every chunk touched, with what part of it.</summary>
    public IEnumerable<ChunkSelection> Chunks()
    {
        if (ChunkCount == 0)
        {
            yield break;
        }

        var rank = Dimensions.Length;
        var index = new int[rank];
        while (true)
        {
            var coords = new long[rank];
            var proj = new ChunkDimensionProjection[rank];
            for (var d = 0; d < rank; d++)
            {
                proj[d] = _perDimension[d][index[d]];
                coords[d] = proj[d].ChunkIndex;
            }

            yield return new ChunkSelection(coords, proj);

            var k = rank - 1;
            while (k >= 0)
            {
                if (++index[k] < _perDimension[k].Length)
                {
                    break;
                }

                index[k] = 0;
                k--;
            }

            if (k < 0)
            {
                yield break;
            }
        }
    }

    /// <summary>True when the selection covers every element of the chunk that lies inside the array.</summary>
    public bool CoversChunk(in ChunkSelection chunk)
    {
        for (var d = 0; d < Dimensions.Length; d++)
        {
            var p = chunk.Projections[d];
            if (p.LocalStart != 0 || p.Count != Grid.ValidLength(chunk.Coordinates, d) || (Dimensions[d].Step != 1 && p.Count > 1))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public long[] CoordinatesOf(in ChunkSelection chunk) => chunk.Coordinates;

    /// <inheritdoc />
    public bool Covers(in ChunkSelection chunk) => CoversChunk(chunk);

    /// <inheritdoc />
    public ChunkRegion Region(in ChunkSelection chunk)
    {
        var rank = Dimensions.Length;
        var (start, step, count) = (new int[rank], new int[rank], new int[rank]);
        for (var d = 0; d < rank; d++)
        {
            start[d] = chunk.Projections[d].LocalStart;
            step[d] = (int)Math.Min(Dimensions[d].Step, int.MaxValue);
            count[d] = chunk.Projections[d].Count;
        }

        return ChunkRegion.Over(start, step, count);
    }

    /// <inheritdoc />
    public bool IsContiguousWholeChunk(in ChunkSelection chunk, ReadOnlySpan<int> chunkShape, out long elementOffset)
    {
        Span<int> origin = stackalloc int[chunkShape.Length];
        origin.Clear();
        return IsContiguousBox(chunk, origin, chunkShape, out elementOffset);
    }

    /// <inheritdoc />
    public bool IsContiguousBox(in ChunkSelection chunk, ReadOnlySpan<int> boxStart, ReadOnlySpan<int> boxShape, out long elementOffset)
    {
        elementOffset = 0;
        var rank = Dimensions.Length;
        if (boxShape.Length != rank || boxStart.Length != rank)
        {
            return false;
        }

        // Exactly the box: every element of it, in order. Contiguous in the output: past the innermost dimension the
        // box does not span whole, it spans one index only (a box of whole rows of whole planes...).
        var spansWhole = true;
        for (var d = rank - 1; d >= 0; d--)
        {
            var p = chunk.Projections[d];
            if (p.LocalStart != boxStart[d] || p.Count != boxShape[d] || (Dimensions[d].Step != 1 && p.Count > 1))
            {
                return false;
            }

            if (!spansWhole && p.Count != 1)
            {
                return false;
            }

            spansWhole &= p.Count == Dimensions[d].Count;
            elementOffset += p.OutputStart * _outputStrides[d];
        }

        return true;
    }

    /// <inheritdoc />
    public void CopyOut(in ChunkSelection chunk, ref byte decoded, bool missing, ReadOnlySpan<long> chunkStrides, ref byte destination, int itemSize, bool streaming) =>
        Move(chunk, ref decoded, chunkStrides, ref destination, itemSize, toChunk: false, scalar: missing, streaming);

    /// <inheritdoc />
    public bool CopiesOutSlices => true;

    /// <inheritdoc />
    /// <remarks>
    /// The slice is cut into boxes of the chunk (<see cref="LinearBoxes"/>); each box's part of the selection (per
    /// axis, the selected indices inside the box's range) is one strided copy.
    /// </remarks>
    public void CopyOutSlice(in ChunkSelection chunk, ReadOnlySpan<byte> slice, long offset, ReadOnlySpan<int> chunkShape, ReadOnlySpan<long> chunkStrides, ref byte destination, int itemSize, bool streaming)
    {
        var rank = Dimensions.Length;
        Span<long> elementStrides = stackalloc long[rank];
        Span<int> boxStart = stackalloc int[rank];
        Span<int> boxShape = stackalloc int[rank];
        Span<nint> chunkSteps = stackalloc nint[rank];
        Span<long> counts = stackalloc long[rank];
        for (var d = 0; d < rank; d++)
        {
            elementStrides[d] = chunkStrides[d] / itemSize;
            chunkSteps[d] = (nint)(chunkStrides[d] * Dimensions[d].Step);
        }

        ref var source = ref MemoryMarshal.GetReference(slice);
        var start = offset / itemSize;
        var end = start + (slice.Length / itemSize);
        while (start < end)
        {
            start += LinearBoxes.Next(start, end, chunkShape, elementStrides, boxStart, boxShape);

            // The slice's first byte is the chunk's byte offset: the chunk's origin lies that far before it.
            CopyOutPart(chunk, ref source, -(nint)offset, chunkStrides, chunkSteps, boxStart, boxShape, ref destination, counts, itemSize, scalar: false, streaming);
        }
    }

    /// <inheritdoc />
    public bool CopiesOutBoxes => true;

    /// <inheritdoc />
    /// <remarks>The box's part of the selection is one strided copy (or fill) with the box's own C-order strides.</remarks>
    public void CopyOutBox(in ChunkSelection chunk, ReadOnlySpan<byte> box, bool missing, ReadOnlySpan<int> boxStart, ReadOnlySpan<int> boxShape, ref byte destination, int itemSize, bool streaming)
    {
        var rank = Dimensions.Length;
        Span<long> boxStrides = stackalloc long[rank];
        Span<nint> boxSteps = stackalloc nint[rank];
        Span<long> counts = stackalloc long[rank];
        long stride = itemSize;
        nint origin = 0;
        for (var d = rank - 1; d >= 0; d--)
        {
            boxStrides[d] = stride;
            boxSteps[d] = (nint)(stride * Dimensions[d].Step);
            origin -= (nint)(boxStart[d] * stride);
            stride *= boxShape[d];
        }

        CopyOutPart(chunk, ref MemoryMarshal.GetReference(box), origin, boxStrides, boxSteps, boxStart, boxShape, ref destination, counts, itemSize, missing, streaming);
    }

    // Copies (or, with scalar, fills with the one element at source) the chunk's selected elements inside the box at
    // boxStart of shape boxShape, out of a source that holds chunk element i at byte origin + Σ i[d] × sourceStrides[d]
    // (sourceSteps: those strides times the selection's step); counts is scratch of the rank.
    private void CopyOutPart(in ChunkSelection chunk, ref byte source, nint origin, ReadOnlySpan<long> sourceStrides, ReadOnlySpan<nint> sourceSteps, ReadOnlySpan<int> boxStart, ReadOnlySpan<int> boxShape, ref byte destination, Span<long> counts, int itemSize, bool scalar, bool streaming)
    {
        var rank = Dimensions.Length;
        Span<nint> outSteps = stackalloc nint[rank];
        var sourceOffset = origin;
        nint outOffset = 0;
        for (var d = 0; d < rank; d++)
        {
            var p = chunk.Projections[d];
            var step = Dimensions[d].Step;
            long lo = boxStart[d], hi = lo + boxShape[d];
            var first = lo <= p.LocalStart ? 0 : (lo - p.LocalStart + step - 1) / step;
            var last = hi <= p.LocalStart ? 0 : Math.Min(p.Count, (hi - p.LocalStart + step - 1) / step);
            if (last <= first)
            {
                return;
            }

            counts[d] = last - first;
            outSteps[d] = (nint)(_outputStrides[d] * itemSize);
            sourceOffset += (nint)((p.LocalStart + (first * step)) * sourceStrides[d]);
            outOffset += (nint)((p.OutputStart + first) * _outputStrides[d] * itemSize);
        }

        if (scalar)
        {
            StridedCopy.Fill(ref destination, outOffset, outSteps, counts, MemoryMarshal.CreateReadOnlySpan(ref source, itemSize));
        }
        else
        {
            StridedCopy.Copy(ref source, sourceOffset, sourceSteps, ref destination, outOffset, outSteps, counts, itemSize, streaming);
        }
    }

    /// <inheritdoc />
    public void CopyIn(in ChunkSelection chunk, ref byte decoded, ReadOnlySpan<long> chunkStrides, ref byte source, bool sourceIsScalar, int itemSize) =>
        Move(chunk, ref decoded, chunkStrides, ref source, itemSize, toChunk: true, scalar: sourceIsScalar, streaming: false);

    // Moves the chunk's part between the decoded chunk and the selection's buffer; the side read may be one element repeated.
    private void Move(in ChunkSelection chunk, ref byte decoded, ReadOnlySpan<long> chunkStrides, ref byte selection, int itemSize, bool toChunk, bool scalar, bool streaming)
    {
        var rank = Dimensions.Length;
        Span<nint> chunkSteps = stackalloc nint[rank];
        Span<nint> outSteps = stackalloc nint[rank];
        Span<long> counts = stackalloc long[rank];
        nint chunkOffset = 0, outOffset = 0;
        for (var d = 0; d < rank; d++)
        {
            var p = chunk.Projections[d];
            var outStride = _outputStrides[d] * itemSize;
            counts[d] = p.Count;
            chunkSteps[d] = (nint)(chunkStrides[d] * Dimensions[d].Step);
            outSteps[d] = (nint)outStride;
            chunkOffset += (nint)(p.LocalStart * chunkStrides[d]);
            outOffset += (nint)(p.OutputStart * outStride);
        }

        if (toChunk && scalar)
        {
            StridedCopy.Fill(ref decoded, chunkOffset, chunkSteps, counts, MemoryMarshal.CreateReadOnlySpan(ref selection, itemSize));
        }
        else if (toChunk)
        {
            StridedCopy.Copy(ref selection, outOffset, outSteps, ref decoded, chunkOffset, chunkSteps, counts, itemSize);
        }
        else if (scalar)
        {
            StridedCopy.Fill(ref selection, outOffset, outSteps, counts, MemoryMarshal.CreateReadOnlySpan(ref decoded, itemSize));
        }
        else
        {
            StridedCopy.Copy(ref decoded, chunkOffset, chunkSteps, ref selection, outOffset, outSteps, counts, itemSize, streaming);
        }
    }

    /// <summary>Element strides of the selection's output, full rank (a dropped dimension has count 1; for per-element walks).</summary>
    public ReadOnlySpan<long> OutputStrides => _outputStrides;

    /// <summary>
    /// The chunks a resolved range touches along axis <paramref name="dimension"/> of <paramref name="grid"/>, with the
    /// part of each: one chunk lookup per chunk touched (a binary search on a rectilinear grid), none per chunk skipped.
    /// </summary>
    internal static ChunkDimensionProjection[] Project(DimensionSelection sel, ChunkGrid grid, int dimension)
    {
        if (sel.Count == 0)
        {
            return [];
        }

        var result = new List<ChunkDimensionProjection>();
        long i = 0;
        while (i < sel.Count)
        {
            var e = sel.Start + (i * sel.Step);
            var c = grid.ChunkIndexOf(dimension, e);
            var chunkStart = grid.ChunkStart(dimension, c);
            var chunkEnd = chunkStart + grid.ChunkEdge(dimension, c); // exclusive
            var lastInChunk = Math.Min(sel.Count - 1, (chunkEnd - 1 - sel.Start) / sel.Step);
            result.Add(new ChunkDimensionProjection(c, (int)(e - chunkStart), (int)(lastInChunk - i + 1), i));
            i = lastInChunk + 1;
        }

        return [.. result];
    }
}
