using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Zarr.Dataflow.Blocks;
using Zarr.Storage;
using Zarr.Storage.Buffers;

namespace Zarr.Dataflow;

/// <summary>
/// One node of a lazy expression. Evaluating a node fills a region's elements (dense, C order) into a byte buffer.
/// Element-wise nodes evaluate their first operand into the same buffer and then work in place, so a chain of them
/// over a stored array needs no buffer but the decoded chunk's (<see cref="Primary"/>).
/// </summary>
/// <remarks>
/// <paramref name="grid"/>, when given, is the node's own grid (a rectilinear one, whose <see cref="Chunks"/> is the
/// longest edge per axis); otherwise the regular grid of <see cref="Chunks"/>.
/// </remarks>
internal abstract class LazyNode<T>(long[] shape, int[] chunks, ChunkGrid? grid = null) where T : unmanaged
{
    public long[] Shape { get; } = shape;

    public int[] Chunks { get; } = chunks;

    public ChunkGrid Grid { get; } = grid ?? new(shape, chunks);

    /// <summary>The stored array whose region, placed in the destination first, this node then works on in place; null if none.</summary>
    public abstract ZarrArray<T>? Primary { get; }

    /// <summary>
    /// Where this node's chunk (0, 0, …) lies in <see cref="Primary"/>'s chunk grid: null when the node has the primary's
    /// own grid; for a chunk-aligned view, the view's chunk k is the primary's chunk k + offset, and the view chunk's
    /// region is the top-left corner of that stored chunk.
    /// </summary>
    public virtual long[]? PrimaryChunkOffset => null;

    /// <summary>
    /// Bytes per element of a region that evaluating it reads from stored arrays (the item sizes of the stored leaves;
    /// 0 for an expression computed from functions and constants), so that a run counts only store I/O as read.
    /// </summary>
    public abstract int StoredBytesPerElement { get; }

    /// <summary>Fills <paramref name="destination"/> with the region's elements. When <paramref name="primaryLoaded"/>, it already holds <see cref="Primary"/>'s region.</summary>
    public abstract ValueTask EvaluateAsync(ChunkRegion region, Memory<byte> destination, bool primaryLoaded, CancellationToken cancellationToken);

    /// <summary>
    /// Adds the inputs below this node that must be computed before a run (reductions used as arrays,
    /// <see cref="DeferredNode{T}"/>) to <paramref name="into"/>; a node without them adds nothing.
    /// </summary>
    public virtual void CollectDeferred(List<IDeferredInput> into)
    {
    }

    /// <summary>This node with every deferred input below it replaced by its computed values (itself when there are none).</summary>
    public virtual LazyNode<T> Bind(DeferredValues values) => this;

    protected static Span<T> Elements(Memory<byte> bytes) => MemoryMarshal.Cast<byte, T>(bytes.Span);
}

internal sealed class SourceNode<T>(ZarrArray<T> array, int[]? chunks = null) : LazyNode<T>(array.Shape.ToArray(), chunks ?? array.Chunks.ToArray(), chunks is null ? array.Grid : null) where T : unmanaged
{
    public ZarrArray<T> Array { get; } = array;

    public override ZarrArray<T>? Primary => Array;

    public override int StoredBytesPerElement => Unsafe.SizeOf<T>();

    // Runs inside a stage: the stage's workers are the concurrency, so one chunk at once, its codecs on the worker's thread.
    public override ValueTask EvaluateAsync(ChunkRegion region, Memory<byte> destination, bool primaryLoaded, CancellationToken cancellationToken) =>
        primaryLoaded ? ValueTask.CompletedTask : new(Array.ReadBytesIntoAsync(region.ToSlices(), destination, maxConcurrency: 1, codecParallelism: 1, cancellationToken));
}

internal sealed class GenerateNode<T>(long[] shape, int[] chunks, RegionGenerator<T> generator) : LazyNode<T>(shape, chunks) where T : unmanaged
{
    public override ZarrArray<T>? Primary => null;

    public override int StoredBytesPerElement => 0;

    public override ValueTask EvaluateAsync(ChunkRegion region, Memory<byte> destination, bool primaryLoaded, CancellationToken cancellationToken)
    {
        generator(region, Elements(destination));
        return ValueTask.CompletedTask;
    }
}

/// <summary>Nodes that evaluate one operand into the destination and then transform it in place.</summary>
internal abstract class InPlaceNode<T>(LazyNode<T> operand, int[]? chunks = null, ChunkGrid? grid = null) : LazyNode<T>(operand.Shape, chunks ?? operand.Chunks, chunks is null ? operand.Grid : grid) where T : unmanaged
{
    public LazyNode<T> Operand { get; } = operand;

    public override ZarrArray<T>? Primary => Operand.Primary;

    public override long[]? PrimaryChunkOffset => Operand.PrimaryChunkOffset;

    public override int StoredBytesPerElement => Operand.StoredBytesPerElement;

    public override async ValueTask EvaluateAsync(ChunkRegion region, Memory<byte> destination, bool primaryLoaded, CancellationToken cancellationToken)
    {
        await Operand.EvaluateAsync(region, destination, primaryLoaded, cancellationToken).ConfigureAwait(false);
        await TransformAsync(region, destination, cancellationToken).ConfigureAwait(false);
    }

    public override void CollectDeferred(List<IDeferredInput> into) => Operand.CollectDeferred(into);

    public override LazyNode<T> Bind(DeferredValues values)
    {
        var operand = Operand.Bind(values);
        return ReferenceEquals(operand, Operand) ? this : With(operand);
    }

    /// <summary>The same transform over another operand (of the same shape).</summary>
    protected abstract InPlaceNode<T> With(LazyNode<T> operand);

    protected abstract ValueTask TransformAsync(ChunkRegion region, Memory<byte> values, CancellationToken cancellationToken);
}

/// <summary>The operand on another grid: regular by <c>chunks</c>, or the rectilinear <c>grid</c> (whose envelope <c>chunks</c> is).</summary>
internal sealed class RechunkNode<T>(LazyNode<T> operand, int[] chunks, ChunkGrid? grid = null) : InPlaceNode<T>(operand, chunks, grid) where T : unmanaged
{
    protected override InPlaceNode<T> With(LazyNode<T> operand) => new RechunkNode<T>(operand, Chunks, Grid.IsRegular ? null : Grid);

    protected override ValueTask TransformAsync(ChunkRegion region, Memory<byte> values, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

/// <summary>
/// An element-wise span function (one <see cref="System.Numerics.Tensors.TensorPrimitives"/> call): one delegate call per
/// chunk, or per block of a chain, SIMD inside.
/// </summary>
/// <remarks>
/// Span maps over span maps (<c>x * 2 + 1</c>) run as one chain: the operand below them is evaluated, then each block of
/// <see cref="BlockBytes"/> goes through every function of the chain while it is in the core's cache, instead of one pass
/// over the whole chunk (megabytes, past the cache) per function. Every element meets the same functions in the same
/// order, so the results are the same bits (the functions are element-wise; a user's <c>Map</c> function is called for
/// the elements of a block in turn, so one that is not pure sees another order of calls). The last block takes the rest
/// of the chunk, so no block but a whole small chunk is shorter than <see cref="BlockBytes"/>: each call is as long as a
/// vector or longer, as an unblocked call on such a chunk is, and takes the same vectorised path.
/// </remarks>
internal sealed class SpanMapNode<T> : InPlaceNode<T> where T : unmanaged
{
    /// <summary>The bytes of a block of a chain: a part of the core's first-level cache, a multiple of any vector.</summary>
    internal const int BlockBytes = 16384;

    // This node's function last, after those of the span maps directly below it; and the node below them all.
    private readonly SpanAction<T>[] _chain;
    private readonly LazyNode<T> _below;

    public SpanMapNode(LazyNode<T> operand, SpanAction<T> action)
        : base(operand)
    {
        if (operand is SpanMapNode<T> map)
        {
            _chain = [.. map._chain, action];
            _below = map._below;
        }
        else
        {
            _chain = [action];
            _below = operand;
        }
    }

    // The node below the chain, not the operand: the span maps between them are this node's chain, applied here at once.
    public override async ValueTask EvaluateAsync(ChunkRegion region, Memory<byte> destination, bool primaryLoaded, CancellationToken cancellationToken)
    {
        await _below.EvaluateAsync(region, destination, primaryLoaded, cancellationToken).ConfigureAwait(false);
        await TransformAsync(region, destination, cancellationToken).ConfigureAwait(false);
    }

    protected override InPlaceNode<T> With(LazyNode<T> operand) => new SpanMapNode<T>(operand, _chain[^1]);

    // The whole chain, block by block.
    protected override ValueTask TransformAsync(ChunkRegion region, Memory<byte> values, CancellationToken cancellationToken)
    {
        Apply(Elements(values));
        return ValueTask.CompletedTask;
    }

    private void Apply(Span<T> values)
    {
        if (_chain.Length == 1)
        {
            _chain[0](values);
            return;
        }

        var block = Math.Max(1, BlockBytes / Unsafe.SizeOf<T>());
        for (var start = 0; start < values.Length;)
        {
            var length = values.Length - start < 2 * block ? values.Length - start : block;
            var part = values.Slice(start, length);
            foreach (var action in _chain)
            {
                action(part);
            }

            start += length;
        }
    }
}

internal delegate void SpanAction<T>(Span<T> values);

internal sealed class OperatorNode<T, TOp>(LazyNode<T> operand, TOp op) : InPlaceNode<T>(operand)
    where T : unmanaged
    where TOp : struct, IElementOperator<T>
{
    private readonly TOp _op = op;

    protected override InPlaceNode<T> With(LazyNode<T> operand) => new OperatorNode<T, TOp>(operand, _op);

    protected override ValueTask TransformAsync(ChunkRegion region, Memory<byte> values, CancellationToken cancellationToken)
    {
        OperatorKernel.Apply(Elements(values), in _op);
        return ValueTask.CompletedTask;
    }
}

internal sealed class ChunkFunctionNode<T>(LazyNode<T> operand, ChunkFunction<T> function) : InPlaceNode<T>(operand) where T : unmanaged
{
    protected override InPlaceNode<T> With(LazyNode<T> operand) => new ChunkFunctionNode<T>(operand, function);

    protected override ValueTask TransformAsync(ChunkRegion region, Memory<byte> values, CancellationToken cancellationToken)
    {
        function(region, Elements(values));
        return ValueTask.CompletedTask;
    }
}

/// <summary>Left operand in place, right operand evaluated for the same region into a pooled buffer (read with its own grid).</summary>
internal sealed class BinaryNode<T>(LazyNode<T> left, LazyNode<T> right, SpanBinary<T> op) : InPlaceNode<T>(left) where T : unmanaged
{
    public override void CollectDeferred(List<IDeferredInput> into)
    {
        Operand.CollectDeferred(into);
        right.CollectDeferred(into);
    }

    public override LazyNode<T> Bind(DeferredValues values) => new BinaryNode<T>(Operand.Bind(values), right.Bind(values), op);

    protected override InPlaceNode<T> With(LazyNode<T> operand) => new BinaryNode<T>(operand, right, op);

    public override int StoredBytesPerElement => Operand.StoredBytesPerElement + right.StoredBytesPerElement;

    protected override async ValueTask TransformAsync(ChunkRegion region, Memory<byte> values, CancellationToken cancellationToken)
    {
        using var other = PooledBuffer.RentDecoded(values.Length);
        await right.EvaluateAsync(region, other.Memory[..values.Length], false, cancellationToken).ConfigureAwait(false);
        op(Elements(values), MemoryMarshal.Cast<byte, T>(other.Span[..values.Length]));
    }
}

/// <summary>Keeps elements where the mask is true; elsewhere <c>fill</c>, or the other array's element when there is one.</summary>
internal sealed class WhereNode<T>(LazyNode<T> operand, LazyNode<bool> condition, T fill, LazyNode<T>? otherwise) : InPlaceNode<T>(operand) where T : unmanaged
{
    public override void CollectDeferred(List<IDeferredInput> into)
    {
        Operand.CollectDeferred(into);
        condition.CollectDeferred(into);
        otherwise?.CollectDeferred(into);
    }

    public override LazyNode<T> Bind(DeferredValues values) => new WhereNode<T>(Operand.Bind(values), condition.Bind(values), fill, otherwise?.Bind(values));

    protected override InPlaceNode<T> With(LazyNode<T> operand) => new WhereNode<T>(operand, condition, fill, otherwise);

    public override int StoredBytesPerElement => Operand.StoredBytesPerElement + condition.StoredBytesPerElement + (otherwise?.StoredBytesPerElement ?? 0);

    protected override async ValueTask TransformAsync(ChunkRegion region, Memory<byte> values, CancellationToken cancellationToken)
    {
        var count = (int)region.ElementCount;
        using var mask = PooledBuffer.RentDecoded(count);
        await condition.EvaluateAsync(region, mask.Memory[..count], false, cancellationToken).ConfigureAwait(false);
        PooledBuffer? other = null;
        try
        {
            if (otherwise is not null)
            {
                other = PooledBuffer.RentDecoded(values.Length);
                await otherwise.EvaluateAsync(region, other.Memory[..values.Length], false, cancellationToken).ConfigureAwait(false);
            }

            Select(Elements(values), mask.Span[..count], other is null ? default : MemoryMarshal.Cast<byte, T>(other.Span[..values.Length]));
        }
        finally
        {
            other?.Dispose();
        }
    }

    private void Select(Span<T> x, ReadOnlySpan<byte> mask, ReadOnlySpan<T> y)
    {
        // Runs of true are skipped a vector at a time; bool is stored as one byte, 0 or 1.
        var i = 0;
        while (i < x.Length)
        {
            var next = mask[i..].IndexOf((byte)0);
            if (next < 0)
            {
                return;
            }

            i += next;
            x[i] = y.IsEmpty ? fill : y[i];
            i++;
        }
    }
}

/// <summary>An element-type change: the operand is evaluated into a pooled buffer and converted (one call per chunk) into the destination.</summary>
internal sealed class ConvertNode<TIn, T>(LazyNode<TIn> operand, SpanConverter<TIn, T> convert) : LazyNode<T>(operand.Shape, operand.Chunks, operand.Grid)
    where TIn : unmanaged
    where T : unmanaged
{
    public override void CollectDeferred(List<IDeferredInput> into) => operand.CollectDeferred(into);

    public override LazyNode<T> Bind(DeferredValues values)
    {
        var bound = operand.Bind(values);
        return ReferenceEquals(bound, operand) ? this : new ConvertNode<TIn, T>(bound, convert);
    }

    public override ZarrArray<T>? Primary => null;

    public override int StoredBytesPerElement => operand.StoredBytesPerElement;

    public override async ValueTask EvaluateAsync(ChunkRegion region, Memory<byte> destination, bool primaryLoaded, CancellationToken cancellationToken)
    {
        var bytes = checked((int)region.ElementCount * Unsafe.SizeOf<TIn>());
        using var input = PooledBuffer.RentDecoded(bytes);
        await operand.EvaluateAsync(region, input.Memory[..bytes], false, cancellationToken).ConfigureAwait(false);
        convert(MemoryMarshal.Cast<byte, TIn>(input.Span[..bytes]), Elements(destination));
    }
}

internal sealed class WherePredicateNode<T>(LazyNode<T> operand, Func<T, bool> predicate, T fill) : InPlaceNode<T>(operand) where T : unmanaged
{
    protected override InPlaceNode<T> With(LazyNode<T> operand) => new WherePredicateNode<T>(operand, predicate, fill);

    protected override ValueTask TransformAsync(ChunkRegion region, Memory<byte> values, CancellationToken cancellationToken)
    {
        var x = Elements(values);
        for (var i = 0; i < x.Length; i++)
        {
            if (!predicate(x[i]))
            {
                x[i] = fill;
            }
        }

        return ValueTask.CompletedTask;
    }
}
