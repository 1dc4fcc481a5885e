using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Zarr.Dataflow.Blocks;
using Zarr.Storage;
using Zarr.Storage.Buffers;

namespace Zarr.Dataflow;

/// <summary>
/// A basic selection of another lazy array (numpy's <c>x[a:b:s, i, ...]</c>): per operand dimension a range with a
/// positive step, or an index that drops the dimension. Evaluating a region of the view reads the operand's matching
/// strided region: from a stored operand through its region read (awaited inside the pipeline's evaluate stage), from
/// any other expression by evaluating the box that spans the region and gathering the selected elements.
/// </summary>
internal sealed class SliceNode<T> : LazyNode<T> where T : unmanaged
{
    private readonly LazyNode<T> _operand;
    private readonly DimensionSelection[] _selection;
    private readonly int[] _kept;
    private readonly ZarrArray<T>? _stored;
    private readonly long[]? _chunkOffset;

    private SliceNode(LazyNode<T> operand, DimensionSelection[] selection, int[] kept, long[] shape, int[] chunks, long[]? chunkOffset, ChunkGrid? grid = null)
        : base(shape, chunks, grid)
    {
        _operand = operand;
        _selection = selection;
        _kept = kept;
        _stored = (operand as SourceNode<T>)?.Array;
        _chunkOffset = chunkOffset;
    }

    public override ZarrArray<T>? Primary => _chunkOffset is null ? null : _stored;

    public override long[]? PrimaryChunkOffset => _chunkOffset;

    // Per element of the view: a stored operand's region read fetches the selected elements; another expression's box is evaluated.
    public override int StoredBytesPerElement => _operand.StoredBytesPerElement;

    /// <summary>The view of <paramref name="operand"/> selected by <paramref name="slices"/> (missing trailing dimensions are whole), or the operand itself for a selection of everything.</summary>
    /// <exception cref="ArgumentException">More slices than the operand has dimensions.</exception>
    /// <exception cref="ZarrSelectionException">An index is out of bounds.</exception>
    public static LazyNode<T> Create(LazyNode<T> operand, ReadOnlySpan<Slice> slices)
    {
        var rank = operand.Shape.Length;
        if (slices.Length > rank)
        {
            throw new ArgumentException($"a selection of {slices.Length} dimensions for an array of {rank}", nameof(slices));
        }

        var selection = new DimensionSelection[rank];
        for (var d = 0; d < rank; d++)
        {
            selection[d] = (d < slices.Length ? slices[d] : Slice.All).Resolve(operand.Shape[d], d);
        }

        // A view of a view is one view of the inner operand: starts and steps compose.
        if (operand is SliceNode<T> inner)
        {
            var composed = new DimensionSelection[inner._selection.Length];
            var k = 0;
            for (var d = 0; d < composed.Length; d++)
            {
                var s = inner._selection[d];
                if (s.Dropped)
                {
                    composed[d] = s;
                    continue;
                }

                var o = selection[k++];
                composed[d] = new DimensionSelection(s.Start + (o.Start * s.Step), o.Count, s.Step * o.Step, o.Dropped);
            }

            return Build(inner._operand, composed);
        }

        return Build(operand, selection);
    }

    private static LazyNode<T> Build(LazyNode<T> operand, DimensionSelection[] selection)
    {
        var rank = selection.Length;
        var identity = true;
        for (var d = 0; d < rank; d++)
        {
            var s = selection[d];
            identity &= !s.Dropped && s.Start == 0 && s.Step == 1 && s.Count == operand.Shape[d];
        }

        if (identity)
        {
            return operand;
        }

        var kept = Enumerable.Range(0, rank).Where(d => !selection[d].Dropped).ToArray();
        var shape = kept.Select(d => selection[d].Count).ToArray();

        // The operand's chunks projected onto the selection: a view chunk spans about one operand chunk, so it reads one
        // or two of them per dimension; a step-1 view starting on chunk boundaries has the operand's chunks exactly.
        var chunks = kept.Select(d => (int)Math.Clamp(operand.Chunks[d] / selection[d].Step, 1, Math.Max(1, selection[d].Count))).ToArray();

        // Chunk-aligned (step 1, every start on a chunk boundary, no dropped dimension) views of a stored array keep
        // the stored chunks and their fused fetch → decode path.
        long[]? offset = null;
        if (operand is SourceNode<T> source && Planner.SameGrid(source.Grid, source.Array.Grid) && kept.Length == rank
            && Enumerable.Range(0, rank).All(d => selection[d].Step == 1 && selection[d].Start % operand.Chunks[d] == 0))
        {
            chunks = (int[])operand.Chunks.Clone();
            offset = [.. selection.Select((s, d) => s.Start / operand.Chunks[d])];
        }

        // A step-1 view of a rectilinear operand is rectilinear too: the operand's edges cut to the selected range,
        // so each view chunk is one operand chunk (or its part at either end) and nothing is read twice.
        if (!operand.Grid.IsRegular && kept.All(d => selection[d].Step == 1) && shape.All(n => n > 0))
        {
            var grid = new ChunkGrid([.. shape], [.. kept.Select(d => CutEdges(operand.Grid, d, selection[d].Start, selection[d].Count))]);
            return new SliceNode<T>(operand, selection, kept, shape, [.. grid.ChunkShape], null, grid);
        }

        return new SliceNode<T>(operand, selection, kept, shape, chunks, offset);
    }

    /// <summary>The chunk edges of <paramref name="grid"/>'s dimension <paramref name="dimension"/> within [start, start + count).</summary>
    private static ChunkEdgeList CutEdges(ChunkGrid grid, int dimension, long start, long count)
    {
        var end = start + count;
        var first = grid.ChunkIndexOf(dimension, start);
        var last = grid.ChunkIndexOf(dimension, end - 1);
        var edges = new int[checked((int)(last - first + 1))];
        for (var i = first; i <= last; i++)
        {
            var from = Math.Max(grid.ChunkStart(dimension, i), start);
            var to = Math.Min(grid.ChunkStart(dimension, i) + grid.ChunkEdge(dimension, i), end);
            edges[i - first] = (int)(to - from);
        }

        return ChunkEdgeList.FromEdges(edges);
    }

    public override void CollectDeferred(List<IDeferredInput> into) => _operand.CollectDeferred(into);

    public override LazyNode<T> Bind(DeferredValues values)
    {
        var bound = _operand.Bind(values);
        return ReferenceEquals(bound, _operand) ? this : new SliceNode<T>(bound, _selection, _kept, Shape, Chunks, _chunkOffset, Grid.IsRegular ? null : Grid);
    }

    public override async ValueTask EvaluateAsync(ChunkRegion region, Memory<byte> destination, bool primaryLoaded, CancellationToken cancellationToken)
    {
        if (primaryLoaded || region.ElementCount == 0)
        {
            return;
        }

        if (_stored is not null)
        {
            // Inside a stage: the stage's workers are the concurrency, so one chunk at once, its codecs on this thread.
            await _stored.ReadBytesIntoAsync(StoredSlices(region), destination, maxConcurrency: 1, codecParallelism: 1, cancellationToken).ConfigureAwait(false);
            return;
        }

        // Any other expression: evaluate the operand's box spanning the region, then gather every step-th element.
        var rank = _selection.Length;
        var start = new long[rank];
        var span = new int[rank];
        var steps = new long[rank];
        var counts = new int[rank];
        var strided = false;
        for (var d = 0; d < rank; d++)
        {
            var s = _selection[d];
            var k = Array.IndexOf(_kept, d);
            var first = k < 0 ? 0 : region.Start[k];
            var count = k < 0 ? 1 : region.Shape[k];
            start[d] = s.Start + (first * s.Step);
            span[d] = checked((int)(((count - 1) * s.Step) + 1));
            steps[d] = s.Step;
            counts[d] = count;
            strided |= count > 1 && s.Step != 1;
        }

        var box = new ChunkRegion(start, span);
        if (!strided)
        {
            await _operand.EvaluateAsync(box, destination, false, cancellationToken).ConfigureAwait(false);
            return;
        }

        var bytes = checked((int)(box.ElementCount * Unsafe.SizeOf<T>()));
        using var buffer = PooledBuffer.RentDecoded(bytes);
        await _operand.EvaluateAsync(box, buffer.Memory[..bytes], false, cancellationToken).ConfigureAwait(false);
        Gather(MemoryMarshal.Cast<byte, T>(buffer.Span[..bytes]), span, steps, counts, Elements(destination));
    }

    private Slice[] StoredSlices(ChunkRegion region)
    {
        var slices = new Slice[_selection.Length];
        for (var d = 0; d < slices.Length; d++)
        {
            var s = _selection[d];
            var k = Array.IndexOf(_kept, d);
            if (k < 0)
            {
                slices[d] = Slice.At(s.Start);
                continue;
            }

            var first = s.Start + (region.Start[k] * s.Step);
            slices[d] = Slice.Range(first, first + ((region.Shape[k] - 1) * s.Step) + 1, s.Step);
        }

        return slices;
    }

    /// <summary>Copies every <paramref name="steps"/>-th element of a dense box of <paramref name="boxShape"/> into <paramref name="destination"/> (C order).</summary>
    private static void Gather(ReadOnlySpan<T> box, int[] boxShape, long[] steps, int[] counts, Span<T> destination)
    {
        var rank = boxShape.Length;
        Span<long> strides = stackalloc long[rank];
        long stride = 1;
        for (var d = rank - 1; d >= 0; d--)
        {
            strides[d] = stride;
            stride *= boxShape[d];
        }

        Span<int> index = stackalloc int[rank];
        index.Clear();
        var last = rank - 1;
        var rowCount = counts[last];
        var rowStep = (int)steps[last];
        var o = 0;
        while (true)
        {
            long offset = 0;
            for (var d = 0; d < last; d++)
            {
                offset += index[d] * steps[d] * strides[d];
            }

            for (var i = 0; i < rowCount; i++)
            {
                destination[o++] = box[(int)offset + (i * rowStep)];
            }

            var dim = last - 1;
            while (dim >= 0 && ++index[dim] == counts[dim])
            {
                index[dim] = 0;
                dim--;
            }

            if (dim < 0)
            {
                return;
            }
        }
    }
}
