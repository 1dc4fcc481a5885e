using System.Runtime.CompilerServices;
using Zarr.Storage.Codecs;

namespace Zarr.Storage;

/// <summary>
/// An orthogonal selection (per dimension a slice, an index list or a mask; numpy's <c>np.ix_</c>) grouped by chunk.
/// Per dimension, each touched chunk gets either a run (start, step, count) or a segment of two parallel lists: the
/// positions inside the chunk, ascending, and where each goes in the output. The chunks touched are the product of
/// the per-dimension chunk lists. Block selections are orthogonal selections of whole-chunk ranges.
/// </summary>
internal sealed class OrthogonalPlan : IndexPlan
{
    private readonly DimChunk[][] _perDimension;
    private readonly int[]?[] _local;
    private readonly long[]?[] _out;
    private readonly long[] _outStrides;
    private readonly long[] _outputShape;
    private readonly long _elementCount;
    private readonly long _chunkCount;

    private OrthogonalPlan(ChunkGrid grid, DimChunk[][] perDimension, int[]?[] local, long[]?[] output, long[] counts, bool[] dropped)
        : base(grid)
    {
        _perDimension = perDimension;
        _local = local;
        _out = output;
        var rank = counts.Length;
        _outStrides = new long[rank];
        long stride = 1, chunks = 1;
        var shape = new List<long>(rank);
        for (var d = rank - 1; d >= 0; d--)
        {
            _outStrides[d] = stride;
            stride = checked(stride * counts[d]);
        }

        for (var d = 0; d < rank; d++)
        {
            chunks = checked(chunks * perDimension[d].Length);
            if (!dropped[d])
            {
                shape.Add(counts[d]);
            }
        }

        _outputShape = [.. shape];
        _elementCount = stride;
        _chunkCount = stride == 0 ? 0 : chunks;
    }

    public override long[] OutputShape => _outputShape;

    public override long ElementCount => _elementCount;

    public override long ChunkCount => _chunkCount;

    /// <summary>Resolves an orthogonal selection; missing trailing dimensions are selected whole.</summary>
    /// <exception cref="ZarrSelectionException">Too many dimensions, an index out of bounds, or a mask of the wrong length.</exception>
    public static OrthogonalPlan Create(ChunkGrid grid, ReadOnlySpan<OrthogonalIndex> selection)
    {
        var rank = grid.Shape.Length;
        if (selection.Length > rank)
        {
            throw new ZarrSelectionException($"the selection has {selection.Length} dimensions but the array has {rank}");
        }

        var per = new DimChunk[rank][];
        var local = new int[rank][];
        var output = new long[rank][];
        var counts = new long[rank];
        var dropped = new bool[rank];
        for (var d = 0; d < rank; d++)
        {
            var index = d < selection.Length ? selection[d] : OrthogonalIndex.FromSlice(Slice.All);
            var length = grid.Shape[d];
            switch (index.Kind)
            {
                case OrthogonalIndexKind.Indices:
                    counts[d] = FromIndices(grid, d, index.IndexArray!, out per[d], out local[d], out output[d]);
                    break;
                case OrthogonalIndexKind.Mask:
                    counts[d] = FromMask(grid, d, index.MaskArray!, out per[d], out local[d], out output[d]);
                    break;
                default:
                    var slice = index.Slice.Step == 0 ? Slice.All : index.Slice;
                    var sel = slice.Resolve(length, d);
                    counts[d] = sel.Count;
                    dropped[d] = sel.Dropped;
                    per[d] = FromRange(grid, d, sel);
                    break;
            }
        }

        return new OrthogonalPlan(grid, per, local, output, counts, dropped);
    }

    /// <summary>A plan for whole ranges per dimension (no dimension dropped), as a block selection makes.</summary>
    public static OrthogonalPlan CreateRanges(ChunkGrid grid, ReadOnlySpan<long> start, ReadOnlySpan<long> stop)
    {
        var rank = grid.Shape.Length;
        var per = new DimChunk[rank][];
        var counts = new long[rank];
        for (var d = 0; d < rank; d++)
        {
            var sel = new DimensionSelection(start[d], Math.Max(0, stop[d] - start[d]), 1, Dropped: false);
            counts[d] = sel.Count;
            per[d] = FromRange(grid, d, sel);
        }

        return new OrthogonalPlan(grid, per, new int[rank][], new long[rank][], counts, new bool[rank]);
    }

    public override IEnumerable<PlannedChunk> Chunks()
    {
        if (_chunkCount == 0)
        {
            yield break;
        }

        var rank = _perDimension.Length;
        var index = new int[rank];
        while (true)
        {
            var coords = new long[rank];
            for (var d = 0; d < rank; d++)
            {
                coords[d] = _perDimension[d][index[d]].ChunkIndex;
            }

            yield return new PlannedChunk(coords, (int[])index.Clone());
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

    public override bool Covers(in PlannedChunk chunk)
    {
        for (var d = 0; d < _perDimension.Length; d++)
        {
            if (!_perDimension[d][chunk.Parts[d]].Full)
            {
                return false;
            }
        }

        return true;
    }

    public override ChunkRegion Region(in PlannedChunk chunk)
    {
        var rank = _perDimension.Length;
        var (start, step, count) = (new int[rank], new int[rank], new int[rank]);
        for (var d = 0; d < rank; d++)
        {
            var p = _perDimension[d][chunk.Parts[d]];
            start[d] = p.LocalStart;
            if (p.IsRun)
            {
                step[d] = (int)Math.Min(p.Step, int.MaxValue);
                count[d] = p.Count;
            }
            else
            {
                step[d] = 1;
                count[d] = p.Extent;
            }
        }

        return ChunkRegion.Over(start, step, count);
    }

    public override void Transfer(in PlannedChunk chunk, ref byte decoded, bool chunkIsScalar, ReadOnlySpan<long> chunkStrides, ref byte selection, bool selectionIsScalar, bool toChunk, int itemSize)
    {
        var rank = _perDimension.Length;
        Span<nint> chunkStride = stackalloc nint[rank];
        Span<nint> selStride = stackalloc nint[rank];
        var allRuns = true;
        for (var d = 0; d < rank; d++)
        {
            chunkStride[d] = chunkIsScalar ? 0 : (nint)chunkStrides[d];
            selStride[d] = selectionIsScalar ? 0 : (nint)(_outStrides[d] * itemSize);
            allRuns &= _perDimension[d][chunk.Parts[d]].IsRun;
        }

        if (allRuns)
        {
            TransferRuns(chunk, ref decoded, chunkIsScalar, chunkStride, ref selection, selectionIsScalar, selStride, toChunk, itemSize);
            return;
        }

        // Odometer over the outer dimensions; the innermost one is a run or a list.
        var inner = rank - 1;
        var innerPart = _perDimension[inner][chunk.Parts[inner]];
        Span<int> index = stackalloc int[rank];
        index.Clear();
        Span<int> outerCount = stackalloc int[rank];
        for (var d = 0; d < inner; d++)
        {
            outerCount[d] = _perDimension[d][chunk.Parts[d]].Count;
        }

        while (true)
        {
            nint chunkOffset = 0, selOffset = 0;
            for (var d = 0; d < inner; d++)
            {
                var p = _perDimension[d][chunk.Parts[d]];
                long localPos, outPos;
                if (p.IsRun)
                {
                    localPos = p.LocalStart + (index[d] * p.Step);
                    outPos = p.OutputStart + index[d];
                }
                else
                {
                    localPos = _local[d]![p.ListStart + index[d]];
                    outPos = _out[d]![p.ListStart + index[d]];
                }

                chunkOffset += (nint)localPos * chunkStride[d];
                selOffset += (nint)outPos * selStride[d];
            }

            ref var c = ref Unsafe.AddByteOffset(ref decoded, chunkOffset);
            ref var s = ref Unsafe.AddByteOffset(ref selection, selOffset);
            if (innerPart.IsRun)
            {
                ref var cRun = ref Unsafe.AddByteOffset(ref c, (nint)innerPart.LocalStart * chunkStride[inner]);
                ref var sRun = ref Unsafe.AddByteOffset(ref s, (nint)innerPart.OutputStart * selStride[inner]);
                var cStep = (nint)innerPart.Step * chunkStride[inner];
                if (toChunk)
                {
                    ElementCopy.Strided(ref sRun, selStride[inner], ref cRun, cStep, innerPart.Count, itemSize);
                }
                else
                {
                    ElementCopy.Strided(ref cRun, cStep, ref sRun, selStride[inner], innerPart.Count, itemSize);
                }
            }
            else
            {
                var segment = new Range(innerPart.ListStart, innerPart.ListStart + innerPart.Count);
                ElementCopy.Indexed(ref c, chunkStride[inner], _local[inner].AsSpan(segment), ref s, selStride[inner], _out[inner].AsSpan(segment), toChunk, itemSize);
            }

            var k = inner - 1;
            while (k >= 0)
            {
                if (++index[k] < outerCount[k])
                {
                    break;
                }

                index[k] = 0;
                k--;
            }

            if (k < 0)
            {
                return;
            }
        }
    }

    // Every dimension is a run: one N-d strided block, as a basic selection.
    private void TransferRuns(in PlannedChunk chunk, ref byte decoded, bool chunkIsScalar, ReadOnlySpan<nint> chunkStride, ref byte selection, bool selectionIsScalar, ReadOnlySpan<nint> selStride, bool toChunk, int itemSize)
    {
        var rank = _perDimension.Length;
        Span<nint> chunkSteps = stackalloc nint[rank];
        Span<long> counts = stackalloc long[rank];
        nint chunkOffset = 0, selOffset = 0;
        for (var d = 0; d < rank; d++)
        {
            var p = _perDimension[d][chunk.Parts[d]];
            counts[d] = p.Count;
            chunkSteps[d] = (nint)p.Step * chunkStride[d];
            chunkOffset += (nint)p.LocalStart * chunkStride[d];
            selOffset += (nint)p.OutputStart * selStride[d];
        }

        if (toChunk)
        {
            if (selectionIsScalar)
            {
                StridedCopy.Fill(ref decoded, chunkOffset, chunkSteps, counts, ElementCopy.Item(ref selection, itemSize));
            }
            else
            {
                StridedCopy.Copy(ref selection, selOffset, selStride, ref decoded, chunkOffset, chunkSteps, counts, itemSize);
            }
        }
        else if (chunkIsScalar)
        {
            StridedCopy.Fill(ref selection, selOffset, selStride, counts, ElementCopy.Item(ref decoded, itemSize));
        }
        else
        {
            StridedCopy.Copy(ref decoded, chunkOffset, chunkSteps, ref selection, selOffset, selStride, counts, itemSize);
        }
    }

    private static DimChunk[] FromRange(ChunkGrid grid, int dimension, DimensionSelection sel)
    {
        var projections = SelectionPlan.Project(sel, grid, dimension);
        var result = new DimChunk[projections.Length];
        for (var i = 0; i < projections.Length; i++)
        {
            var p = projections[i];
            var valid = ValidLength(grid, dimension, p.ChunkIndex);
            var full = p.LocalStart == 0 && p.Count == valid && (sel.Step == 1 || p.Count == 1);
            result[i] = new DimChunk(p.ChunkIndex, p.LocalStart, p.Count, sel.Step, p.OutputStart, -1, p.Count, full);
        }

        return result;
    }

    private static long FromIndices(ChunkGrid grid, int dimension, long[] indices, out DimChunk[] chunks, out int[] local, out long[] output)
    {
        var length = grid.Shape[dimension];
        var n = indices.Length;
        var resolved = new long[n];
        output = new long[n];
        var sorted = true;
        for (var i = 0; i < n; i++)
        {
            var raw = indices[i];
            var v = raw < 0 ? raw + length : raw;
            if (v < 0 || v >= length)
            {
                throw new ZarrSelectionException($"index {raw} (position {i} of the list) is out of bounds for dimension {dimension} of length {length} (valid: {-length} to {length - 1})");
            }

            resolved[i] = v;
            output[i] = i;
            sorted &= i == 0 || resolved[i - 1] <= v;
        }

        if (!sorted)
        {
            // Sort by index; equal indices keep the order given, so that on a write the last one wins.
            Array.Sort(resolved, output);
            var start = 0;
            for (var i = 1; i <= n; i++)
            {
                if (i == n || resolved[i] != resolved[start])
                {
                    if (i - start > 1)
                    {
                        Array.Sort(output, start, i - start);
                    }

                    start = i;
                }
            }
        }

        chunks = Group(grid, dimension, resolved, out local);
        return n;
    }

    private static long FromMask(ChunkGrid grid, int dimension, bool[] mask, out DimChunk[] chunks, out int[] local, out long[] output)
    {
        var length = grid.Shape[dimension];
        if (mask.LongLength != length)
        {
            throw new ZarrSelectionException($"the Boolean mask for dimension {dimension} has length {mask.LongLength} but the dimension has length {length}");
        }

        var n = mask.AsSpan().Count(true);
        var resolved = new long[n];
        output = new long[n];
        var k = 0;
        for (var i = 0; i < mask.Length; i++)
        {
            if (mask[i])
            {
                resolved[k] = i;
                output[k] = k;
                k++;
            }
        }

        chunks = Group(grid, dimension, resolved, out local);
        return n;
    }

    // Cuts ascending indices into one list segment per chunk.
    private static DimChunk[] Group(ChunkGrid grid, int dimension, long[] sortedIndices, out int[] local)
    {
        local = new int[sortedIndices.Length];
        var result = new List<DimChunk>();
        var start = 0;
        while (start < sortedIndices.Length)
        {
            var chunkIndex = grid.ChunkIndexOf(dimension, sortedIndices[start]);
            var chunkStart = grid.ChunkStart(dimension, chunkIndex);
            var chunkEnd = chunkStart + grid.ChunkEdge(dimension, chunkIndex);
            var end = start;
            var distinct = 0;
            while (end < sortedIndices.Length && sortedIndices[end] < chunkEnd)
            {
                local[end] = (int)(sortedIndices[end] - chunkStart);
                if (end == start || sortedIndices[end] != sortedIndices[end - 1])
                {
                    distinct++;
                }

                end++;
            }

            var first = local[start];
            var extent = local[end - 1] - first + 1;
            var full = distinct == ValidLength(grid, dimension, chunkIndex);
            result.Add(new DimChunk(chunkIndex, first, end - start, 1, 0, start, extent, full));
            start = end;
        }

        return [.. result];
    }

    private static int ValidLength(ChunkGrid grid, int dimension, long chunkIndex) => grid.ValidLengthOf(dimension, chunkIndex);

    /// <summary>
    /// The part of one chunk selected along one dimension: a run (<c>Count</c> elements from <c>LocalStart</c> every
    /// <c>Step</c>, going to output positions from <c>OutputStart</c>) when <c>ListStart</c> is -1, else the
    /// <c>Count</c> list entries from <c>ListStart</c>, spanning <c>Extent</c> elements from <c>LocalStart</c>.
    /// <c>Full</c> is true when every element of the chunk inside the array is selected.
    /// </summary>
    private readonly record struct DimChunk(long ChunkIndex, int LocalStart, int Count, long Step, long OutputStart, int ListStart, int Extent, bool Full)
    {
        public bool IsRun => ListStart < 0;
    }
}
