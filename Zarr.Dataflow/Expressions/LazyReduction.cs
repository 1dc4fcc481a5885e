using System.Collections.Immutable;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Zarr.Dataflow.Blocks;
using Zarr.Storage;

namespace Zarr.Dataflow;

/// <summary>
/// A reduction over some axes of a lazy array, not yet computed. Its result has the kept axes (in order), plus a
/// trailing bins axis for a histogram; a reduction over every axis has shape <c>[]</c> (one value). Computing it
/// runs one pipeline: chunks are fed grouped by their kept-axes block, each chunk's partial is one pass over the
/// chunk, partials of a block combine in a tree of bounded fan-in, and a block's values are written out (into memory,
/// or into a <see cref="ZarrArray{T}"/>) as soon as its last chunk is in. Memory is bounded by the chunks in flight
/// and the partials of the blocks they belong to, not by the result, so the result may itself be far larger than
/// memory when stored. Instances are immutable; each result call is a new run.
/// </summary>
/// <typeparam name="TOut">The result's element type.</typeparam>
public sealed class LazyReduction<TOut> where TOut : unmanaged
{
    private readonly ReductionRunner<TOut> _runner;

    internal LazyReduction(ReductionRunner<TOut> runner) => _runner = runner;

    internal ReductionRunner<TOut> Runner => _runner;

    /// <summary>The result's shape: the kept axes, then the bins for a histogram.</summary>
    public ImmutableArray<long> Shape => ImmutableArray.Create(_runner.Shape);

    /// <summary>The result's natural chunks: the source's chunks on the kept axes (the blocks computed at once), then all bins.</summary>
    public ImmutableArray<int> Chunks => ImmutableArray.Create(_runner.Chunks);

    /// <summary>The number of dimensions of the result.</summary>
    public int Rank => _runner.Shape.Length;

    /// <summary>
    /// The result as a lazy array, to combine with other arrays: <c>x - x.Mean([0]).AsArray()</c> is numpy's
    /// <c>x - x.mean(axis=0)</c>. With <paramref name="keepDims"/> the reduced axes stay as length 1 (numpy's
    /// <c>keepdims=True</c>), so the result broadcasts against its source whichever axes were reduced; without it a
    /// reduction over every axis is an array of shape [1]. A run that uses it computes the reduction first, whole and in
    /// memory (it is small: the kept axes only), then streams the rest.
    /// </summary>
    /// <param name="keepDims">Keep the reduced axes as length 1; needs a reduction without a trailing bins axis.</param>
    /// <exception cref="InvalidOperationException"><paramref name="keepDims"/> for a histogram, whose bins axis has no place in the source.</exception>
    public LazyArray<TOut> AsArray(bool keepDims = false)
    {
        var shape = _runner.Shape;
        if (keepDims)
        {
            if (_runner.Reduced is not { } reduced || reduced.Length < shape.Length)
            {
                throw new InvalidOperationException("keepDims needs a reduction whose result has the kept axes only (not a histogram's bins)");
            }

            var kept = 0;
            shape = [.. reduced.Select(r => r ? 1 : shape[kept++])];
        }
        else if (shape.Length == 0)
        {
            shape = [1];
        }

        return new LazyArray<TOut>(new DeferredNode<TOut>(_runner, shape));
    }

    /// <summary>Computes the result into memory (C order).</summary>
    /// <exception cref="InvalidOperationException">The result has more elements than one .NET array holds, or the reduction has no value (an all-NaN slice of a NaN-skipping arg reduction).</exception>
    /// <exception cref="ZarrPipelineException">A stage failed.</exception>
    public async Task<TOut[]> ToArrayAsync(PipelineOptions? options = null, CancellationToken cancellationToken = default)
    {
        var shape = _runner.Shape;
        var size = shape.Aggregate(1L, (a, b) => a * b);
        if (size > Array.MaxLength)
        {
            throw new InvalidOperationException($"a result of {size} elements does not fit in memory as one .NET array; store it with StoreAsync");
        }

        var result = new TOut[size];
        try
        {
            await _runner.RunAsync(
                (start, boxShape, values, _) =>
                {
                    Boxes.Scatter<TOut>(values, boxShape, result, shape, start);
                    return ValueTask.FromResult(0L);
                },
                options ?? new PipelineOptions(),
                cancellationToken).ConfigureAwait(false);
        }
        catch (ZarrPipelineException e) when (e.Stage == Planner.ReduceStage && e.InnerException is InvalidOperationException inner)
        {
            // The reduce stage runs only the engine's kernels: their errors (an all-NaN slice) are the caller's, as numpy raises them.
            ExceptionDispatchInfo.Throw(inner);
        }

        return result;
    }

    /// <summary>Computes the result into a tensor (a one-element tensor of shape [1] when every axis is reduced).</summary>
    /// <exception cref="InvalidOperationException">See <see cref="ToArrayAsync"/>.</exception>
    public async Task<Tensor<TOut>> ToTensorAsync(PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        Tensor.Create(await ToArrayAsync(options, cancellationToken).ConfigureAwait(false), LazyArray<TOut>.Lengths(_runner.Shape));

    /// <summary>
    /// Computes the result into <paramref name="target"/> (of the result's shape; any format, codecs and chunks), block by
    /// block as each completes, through the array's region writes (partial chunks under its per-chunk locks). A target
    /// chunked as <see cref="Chunks"/> gets whole-chunk writes.
    /// </summary>
    /// <returns>The run's report.</returns>
    /// <exception cref="ArgumentException">The target's shape differs.</exception>
    /// <exception cref="ZarrPipelineException">A stage failed (an all-NaN slice of a NaN-skipping arg reduction fails the reduce stage).</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public Task<PipelineReport> StoreAsync(ZarrArray<TOut> target, PipelineOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!target.Shape.AsSpan().SequenceEqual(_runner.Shape))
        {
            throw new ArgumentException($"the target's shape ({string.Join(", ", target.Shape)}) is not the result's ({string.Join(", ", _runner.Shape)})", nameof(target));
        }

        var itemSize = Unsafe.SizeOf<TOut>();
        return _runner.RunAsync(
            async (start, boxShape, values, ct) =>
            {
                await target.WriteAsync(new ChunkRegion(start, boxShape).ToSlices(), values, ct).ConfigureAwait(false);
                return (long)values.Length * itemSize;
            },
            options ?? new PipelineOptions(),
            cancellationToken);
    }

    /// <summary>
    /// Creates an array of the result's shape in <paramref name="store"/> (chunks default to <see cref="Chunks"/>; over a
    /// rectilinear source, to a rectilinear grid of the kept axes' edges) and computes the result into it.
    /// </summary>
    /// <returns>The new array.</returns>
    public async Task<ZarrArray<TOut>> StoreAsync(IStore store, string path, ArrayOptions? arrayOptions = null, PipelineOptions? options = null, bool overwrite = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(path);
        arrayOptions ??= new ArrayOptions();
        if (arrayOptions.Chunks is null && arrayOptions.ChunkEdges is null)
        {
            // A rectilinear source's kept axes keep their edges: each result block is then one whole chunk.
            arrayOptions = _runner.KeptEdges.IsDefault ? arrayOptions with { Chunks = Chunks } : arrayOptions with { ChunkEdges = _runner.KeptEdges };
        }

        var target = await ZarrArray.CreateAsync<TOut>(store, path, Shape.ToArray(), arrayOptions, overwrite, cancellationToken).ConfigureAwait(false);
        await StoreAsync(target, options, cancellationToken).ConfigureAwait(false);
        return target;
    }
}

/// <summary>Receives one finished block of a reduction's result: where it starts, its shape, its values (C order); returns the bytes it wrote.</summary>
internal delegate ValueTask<long> BoxSink<TOut>(long[] start, int[] shape, TOut[] values, CancellationToken cancellationToken);

internal abstract class ReductionRunner<TOut> where TOut : unmanaged
{
    public abstract long[] Shape { get; }

    public abstract int[] Chunks { get; }

    /// <summary>The chunk grid of the reduced expression (the grid a shared pass must read).</summary>
    public abstract ChunkGrid SourceGrid { get; }

    /// <summary>Per axis of the source, whether it is reduced; null when the result's axes are not the source's kept axes alone.</summary>
    public virtual bool[]? Reduced => null;

    /// <summary>The chunk edges of the kept axes of a rectilinear source (the result's own grid); default otherwise.</summary>
    public virtual ImmutableArray<ChunkEdgeList> KeptEdges => default;

    public abstract Task<PipelineReport> RunAsync(BoxSink<TOut> sink, PipelineOptions options, CancellationToken cancellationToken);

    /// <summary>
    /// This reduction fed with the chunks of another run (a <see cref="ComputeSet{T}"/> whose input it reduces), writing
    /// its finished blocks to <paramref name="sink"/>; its deferred inputs are computed first.
    /// </summary>
    public abstract ValueTask<PassConsumer> ConsumerAsync(BoxSink<TOut> sink, PipelineOptions options, CancellationToken cancellationToken);
}

/// <summary>
/// How a chunk reduces: its partial (one pass over the chunk's dense elements, one cell per kept-axes element of its
/// region), the combination of two partials of the same block, and the block's result values
/// (<see cref="Extra"/> per cell).
/// </summary>
internal abstract class ReductionKernel<T, TPartial, TOut> where T : unmanaged where TOut : unmanaged
{
    /// <summary>Values per cell of the result (1, or the number of bins).</summary>
    public virtual int Extra => 1;

    /// <summary>Whether the values per cell form a trailing axis of the result (a histogram's bins, even a single bin).</summary>
    public virtual bool Binned => false;

    public abstract TPartial Partial(ReadOnlySpan<T> data, ChunkRegion region, AxisPlan plan);

    public abstract TPartial Combine(TPartial a, TPartial b);

    /// <summary>The partial of <paramref name="cells"/> cells that saw nothing (for reductions over a zero-length axis).</summary>
    public abstract TPartial Empty(int cells);

    public abstract void Finish(TPartial partial, Span<TOut> output);
}

internal static class Reductions
{
    public static LazyReduction<TOut> Create<T, TPartial, TOut>(LazyArray<T> array, int[]? axes, ReductionKernel<T, TPartial, TOut> kernel)
        where T : unmanaged
        where TOut : unmanaged =>
        new(new Runner<T, TPartial, TOut>(array.Node, new AxisPlan(array.Node.Shape, array.Node.Chunks, axes), kernel));

    public static LazyReduction<TOut> Create<T, TPartial, TOut>(LazyArray<T> array, AxisPlan plan, ReductionKernel<T, TPartial, TOut> kernel)
        where T : unmanaged
        where TOut : unmanaged =>
        new(new Runner<T, TPartial, TOut>(array.Node, plan, kernel));

    private sealed class Runner<T, TPartial, TOut>(LazyNode<T> node, AxisPlan plan, ReductionKernel<T, TPartial, TOut> kernel) : ReductionRunner<TOut>
        where T : unmanaged
        where TOut : unmanaged
    {
        // A histogram's bins are a trailing axis of the result; other reductions have one value per cell.
        public override long[] Shape { get; } = kernel.Extra > 1 || kernel.Binned ? [.. plan.Kept, kernel.Extra] : plan.Kept;

        public override int[] Chunks { get; } = kernel.Extra > 1 || kernel.Binned ? [.. plan.KeptChunks, Math.Max(1, kernel.Extra)] : plan.KeptChunks;

        public override ChunkGrid SourceGrid => node.Grid;

        public override bool[]? Reduced => kernel.Extra > 1 || kernel.Binned ? null : plan.Reduced;

        public override ImmutableArray<ChunkEdgeList> KeptEdges { get; } = node.Grid.IsRegular || kernel.Extra > 1 || kernel.Binned || plan.Kept.Length == 0
            ? default
            : [.. node.Grid.Edges.Where((_, d) => !plan.Reduced[d])];

        public override async Task<PipelineReport> RunAsync(BoxSink<TOut> sink, PipelineOptions options, CancellationToken cancellationToken)
        {
            var grid = node.Grid;
            var extra = kernel.Extra;
            var binned = Shape.Length > plan.Kept.Length;
            if (grid.ChunkCount == 0)
            {
                // Nothing to read; a zero-length reduced axis still gives every kept cell its empty result (a sum of 0, a NaN mean).
                var report = await Planner.ForEachChunkAsync(node, Planner.ReduceStage, static _ => { }, options, cancellationToken).ConfigureAwait(false);
                var cells = plan.Kept.Aggregate(1L, (a, b) => a * b);
                if (cells > 0)
                {
                    var values = new TOut[checked((int)(cells * extra))];
                    kernel.Finish(kernel.Empty((int)cells), values);
                    await sink(new long[Shape.Length], [.. Shape.Select(s => (int)s)], values, cancellationToken).ConfigureAwait(false);
                }

                return report;
            }

            return await Planner.ReduceByKeyAsync(
                node,
                plan.Requests(grid),
                c => (plan.KeyOf(c, grid), plan.PositionInKey(c, grid)),
                plan.ChunksPerKey(grid),
                chunk => kernel.Partial(MemoryMarshal.Cast<byte, T>(chunk.Buffer.Span)[..(int)chunk.Region.ElementCount], chunk.Region, plan),
                kernel.Combine,
                async (partial, region, ct) =>
                {
                    var (start, shape) = plan.KeptBox(region);
                    var cells = shape.Aggregate(1, (a, b) => a * b);
                    var values = new TOut[cells * extra];
                    kernel.Finish(partial, values);
                    if (binned)
                    {
                        start = [.. start, 0];
                        shape = [.. shape, extra];
                    }

                    return await sink(start, shape, values, ct).ConfigureAwait(false);
                },
                options,
                cancellationToken).ConfigureAwait(false);
        }

        public override async ValueTask<PassConsumer> ConsumerAsync(BoxSink<TOut> sink, PipelineOptions options, CancellationToken cancellationToken)
        {
            var bound = await DeferredValues.BindAsync(node, options, cancellationToken).ConfigureAwait(false);
            return new Consumer(bound, plan, kernel, Shape.Length > plan.Kept.Length, sink, new KeyedReduction<TPartial>(kernel.Combine, options.FanIn, plan.ChunksPerKey(node.Grid)));
        }

        /// <summary>Each chunk of the shared input: this reduction's expression over it, its partial, and a block written when complete.</summary>
        private sealed class Consumer(LazyNode<T> node, AxisPlan plan, ReductionKernel<T, TPartial, TOut> kernel, bool binned, BoxSink<TOut> sink, KeyedReduction<TPartial> keyed)
            : PassConsumer
        {
            public override async ValueTask<long> ConsumeAsync(DecodedChunk chunk, DeferredValues input, CancellationToken cancellationToken)
            {
                var region = chunk.Region;
                var count = (int)region.ElementCount;
                TPartial partial;
                var evaluated = node.Bind(input);
                if (evaluated is ChunkValuesNode<T> same)
                {
                    partial = kernel.Partial(same.Values, region, plan);
                }
                else
                {
                    var bytes = count * Unsafe.SizeOf<T>();
                    using var buffer = Zarr.Storage.Buffers.PooledBuffer.RentDecoded(Math.Max(1, bytes));
                    await evaluated.EvaluateAsync(region, buffer.Memory[..bytes], false, cancellationToken).ConfigureAwait(false);
                    partial = kernel.Partial(MemoryMarshal.Cast<byte, T>(buffer.Span[..bytes]), region, plan);
                }

                var grid = node.Grid;
                if (keyed.Add(plan.KeyOf(chunk.Coordinates, grid), plan.PositionInKey(chunk.Coordinates, grid), partial, region) is not { } done)
                {
                    return 0;
                }

                var (start, shape) = plan.KeptBox(done.Region);
                var extra = kernel.Extra;
                var values = new TOut[shape.Aggregate(1, (a, b) => a * b) * extra];
                kernel.Finish(done.Value, values);
                if (binned)
                {
                    start = [.. start, 0];
                    shape = [.. shape, extra];
                }

                return await sink(start, shape, values, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}

/// <summary>Which axes a reduction reduces, and how chunks map to blocks of the result.</summary>
internal sealed class AxisPlan
{
    /// <summary>Validates <paramref name="axes"/> (null: every axis; negative axes count from the end, as numpy).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    /// <exception cref="ArgumentException">An axis is repeated.</exception>
    public AxisPlan(long[] shape, int[] chunks, int[]? axes)
    {
        var rank = shape.Length;
        Reduced = new bool[rank];
        if (axes is null)
        {
            Array.Fill(Reduced, true);
        }
        else
        {
            foreach (var axis in axes)
            {
                var a = axis < 0 ? axis + rank : axis;
                if (a < 0 || a >= rank)
                {
                    throw new ArgumentOutOfRangeException(nameof(axes), axis, $"axis {axis} is out of range for an array of {rank} dimensions");
                }

                if (Reduced[a])
                {
                    throw new ArgumentException($"axis {axis} is repeated", nameof(axes));
                }

                Reduced[a] = true;
            }
        }

        Shape = shape;
        Kept = [.. shape.Where((_, d) => !Reduced[d])];
        KeptChunks = [.. chunks.Where((_, d) => !Reduced[d])];
        ReducedCount = shape.Where((_, d) => Reduced[d]).Aggregate(1L, (a, b) => a * b);
        ReducedAxes = [.. Enumerable.Range(0, rank).Where(d => Reduced[d])];
    }

    public long[] Shape { get; }

    public bool[] Reduced { get; }

    public int[] ReducedAxes { get; }

    public long[] Kept { get; }

    public int[] KeptChunks { get; }

    /// <summary>The number of elements that reduce into each cell.</summary>
    public long ReducedCount { get; }

    /// <summary>The cells of a region: the product of its kept lengths.</summary>
    public int CellsOf(ChunkRegion region)
    {
        var cells = 1;
        for (var d = 0; d < Reduced.Length; d++)
        {
            cells *= Reduced[d] ? 1 : region.Shape[d];
        }

        return cells;
    }

    /// <summary>The block a chunk belongs to: its coordinates on the kept axes, flattened.</summary>
    public long KeyOf(ReadOnlySpan<long> coordinates, Zarr.Storage.ChunkGrid grid)
    {
        long key = 0;
        for (var d = 0; d < Reduced.Length; d++)
        {
            if (!Reduced[d])
            {
                key = (key * grid.GridShape[d]) + coordinates[d];
            }
        }

        return key;
    }

    /// <summary>A chunk's position among the chunks of its block: its coordinates on the reduced axes, flattened.</summary>
    public long PositionInKey(ReadOnlySpan<long> coordinates, Zarr.Storage.ChunkGrid grid)
    {
        long position = 0;
        for (var d = 0; d < Reduced.Length; d++)
        {
            if (Reduced[d])
            {
                position = (position * grid.GridShape[d]) + coordinates[d];
            }
        }

        return position;
    }

    public long ChunksPerKey(Zarr.Storage.ChunkGrid grid)
    {
        long n = 1;
        for (var d = 0; d < Reduced.Length; d++)
        {
            n *= Reduced[d] ? grid.GridShape[d] : 1;
        }

        return n;
    }

    /// <summary>The block of the result a chunk region's cells cover.</summary>
    public (long[] Start, int[] Shape) KeptBox(ChunkRegion region)
    {
        var start = new List<long>();
        var shape = new List<int>();
        for (var d = 0; d < Reduced.Length; d++)
        {
            if (!Reduced[d])
            {
                start.Add(region.Start[d]);
                shape.Add(region.Shape[d]);
            }
        }

        return ([.. start], [.. shape]);
    }

    /// <summary>Every chunk of the grid, grouped by block: the kept axes vary slowest, so a block's chunks come together and it completes early.</summary>
    public IEnumerable<ChunkRequest> Requests(Zarr.Storage.ChunkGrid grid)
    {
        var rank = Reduced.Length;
        int[] order = [.. Enumerable.Range(0, rank).Where(d => !Reduced[d]), .. ReducedAxes];
        var coords = new long[rank];
        if (grid.ChunkCount == 0)
        {
            yield break;
        }

        while (true)
        {
            yield return new ChunkRequest(coords, ChunkRegion.OfChunk(grid, coords));
            var i = rank - 1;
            while (i >= 0 && ++coords[order[i]] == grid.GridShape[order[i]])
            {
                coords[order[i]] = 0;
                i--;
            }

            if (i < 0)
            {
                yield break;
            }
        }
    }
}
