using System.Collections.Immutable;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Zarr.Dataflow.Blocks;
using Zarr.Storage;

namespace Zarr.Dataflow;

/// <summary>
/// A lazy chunked array: a shape, a chunk grid and an expression over sources (stored arrays, generated arrays).
/// Operations build new expressions and cost nothing; results (<see cref="StoreAsync(ZarrArray{T}, PipelineOptions?, CancellationToken)"/>,
/// reductions, <see cref="ToChunksAsync"/>) run a pipeline of TPL Dataflow blocks chunk by chunk, with memory bounded by
/// the chunks in flight. Instances are immutable and safe to use from many threads and in many runs at once.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
public sealed class LazyArray<T> : LazyArray where T : unmanaged
{
    internal LazyArray(LazyNode<T> node) => Node = node;

    internal LazyNode<T> Node { get; }

    /// <inheritdoc />
    public override Type ElementType => typeof(T);

    private protected override ZarrDataType? ZarrDataTypeOf() => ZarrDataType.TryOf<T>();

    /// <inheritdoc />
    public override ImmutableArray<long> Shape => ImmutableArray.Create(Node.Shape);

    /// <inheritdoc />
    public override ImmutableArray<int> Chunks => ImmutableArray.Create(Node.Chunks);

    /// <inheritdoc />
    public override int Rank => Node.Shape.Length;

    /// <inheritdoc />
    public override long Size => Node.Shape.Aggregate(1L, (a, b) => checked(a * b));

    /// <inheritdoc />
    public override long ChunkCount => Node.Grid.ChunkCount;

    // ---------------------------------------------------------------- element-wise

    /// <summary>Applies a struct operator to every element: SIMD through its vector path, specialised by the JIT (no delegate call per element). Types without <see cref="Vector{T}"/> support (bool, complex) take the scalar path.</summary>
    public LazyArray<T> Map<TOp>(in TOp op) where TOp : struct, IElementOperator<T> => new(new OperatorNode<T, TOp>(Node, op));

    /// <summary>Applies a function to every element: the slow general path (one delegate call per element); prefer the arithmetic operators or <see cref="Map{TOp}(in TOp)"/>.</summary>
    public LazyArray<T> Map(Func<T, T> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        return new(new SpanMapNode<T>(Node, values =>
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = function(values[i]);
            }
        }));
    }

    /// <summary>Applies a function to every element, giving an array of another element type (one delegate call per element), for example a mask: <c>x.Map(v =&gt; v &gt; 0)</c>.</summary>
    public LazyArray<TOut> Map<TOut>(Func<T, TOut> function) where TOut : unmanaged
    {
        ArgumentNullException.ThrowIfNull(function);
        return new(new ConvertNode<T, TOut>(Node, (source, destination) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                destination[i] = function(source[i]);
            }
        }));
    }

    /// <summary>Applies a function to each whole chunk (dense region layout), with the region it covers.</summary>
    public LazyArray<T> MapBlocks(ChunkFunction<T> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        return new(new ChunkFunctionNode<T>(Node, function));
    }

    /// <summary>
    /// Applies a function to each chunk together with a halo of neighbouring cells (dask's <c>map_overlap</c>), for
    /// stencils and filters: the function sees the chunk's region grown by <paramref name="depth"/> cells on each side of
    /// each axis, filled beyond the array's edges by <paramref name="mode"/> (numpy's <c>pad</c> modes), and writes the
    /// region's values. A chunk in flight holds its padded block and the source box it comes from.
    /// </summary>
    /// <param name="depth">The halo per axis (0 or more, at most the axis length).</param>
    /// <param name="function">Computes the region from its padded block.</param>
    /// <param name="mode">How cells beyond the edge are filled.</param>
    /// <param name="constant">The fill of <see cref="EdgeMode.Constant"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="depth"/> does not have one value per axis, or one is negative or longer than its axis.</exception>
    public LazyArray<T> MapOverlap(int[] depth, OverlapFunction<T> function, EdgeMode mode = EdgeMode.Reflect, T constant = default)
    {
        ArgumentNullException.ThrowIfNull(depth);
        ArgumentNullException.ThrowIfNull(function);
        if (depth.Length != Rank || depth.Where((h, d) => h < 0 || h > Node.Shape[d]).Any())
        {
            throw new ArgumentException($"a halo of ({string.Join(", ", depth)}) for an array of shape ({string.Join(", ", Node.Shape)}): one depth per axis, from 0 to the axis length", nameof(depth));
        }

        return new(new OverlapNode<T>(Node, (int[])depth.Clone(), mode, constant, function));
    }

    internal LazyArray<T> MapSpan(SpanAction<T> action) => new(new SpanMapNode<T>(Node, action));

    internal LazyArray<TOut> MapTo<TOp, TOut>(TOp op)
        where TOp : struct, IConvertOperator<T, TOut>
        where TOut : unmanaged =>
        new(new ConvertNode<T, TOut>(Node, (source, destination) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                destination[i] = op.Invoke(source[i]);
            }
        }));

    /// <summary>Keeps the elements for which <paramref name="predicate"/> holds and replaces the others by <paramref name="fill"/>.</summary>
    public LazyArray<T> Where(Func<T, bool> predicate, T fill)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return new(new WherePredicateNode<T>(Node, predicate, fill));
    }

    /// <summary>Keeps the elements where <paramref name="condition"/> is true and replaces the others by <paramref name="fill"/> (numpy's <c>where(cond, x, fill)</c>). The mask's region is read whatever its chunk grid.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public LazyArray<T> Where(LazyArray<bool> condition, T fill)
    {
        ArgumentNullException.ThrowIfNull(condition);
        RequireSameShape(condition.Node.Shape, nameof(condition));
        return new(new WhereNode<T>(Node, condition.Node, fill, null));
    }

    /// <summary>Takes the elements where <paramref name="condition"/> is true from this array and the others from <paramref name="otherwise"/> (numpy's <c>where(cond, x, y)</c>).</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public LazyArray<T> Where(LazyArray<bool> condition, LazyArray<T> otherwise)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(otherwise);
        RequireSameShape(condition.Node.Shape, nameof(condition));
        RequireSameShape(otherwise.Node.Shape, nameof(otherwise));
        return new(new WhereNode<T>(Node, condition.Node, default, otherwise.Node));
    }

    /// <summary>Keeps the elements where <paramref name="condition"/> is non-zero (NaN counts as non-zero, as numpy's truth value) and replaces the others by <paramref name="fill"/>.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public LazyArray<T> Where<TMask>(LazyArray<TMask> condition, T fill) where TMask : unmanaged, INumberBase<TMask>
    {
        ArgumentNullException.ThrowIfNull(condition);
        return Where(condition.Cast<bool>(), fill);
    }

    /// <summary>
    /// The elements converted to <typeparamref name="TOut"/>, as numpy's <c>astype</c>, between any two Zarr element
    /// types: numbers convert truncating toward zero (out-of-range values saturate, where numpy's C casts wrap or are
    /// undefined); to bool, non-zero (and NaN) is true; from bool, true is 1; complex to real keeps the real part (numpy
    /// warns and does the same); real to complex has a zero imaginary part. SIMD where <see cref="TensorPrimitives"/> has it.
    /// </summary>
    /// <exception cref="NotSupportedException">An element type is not a Zarr data type.</exception>
    public override LazyArray<TOut> Cast<TOut>() =>
        typeof(TOut) == typeof(T) ? (LazyArray<TOut>)(object)this : new(new ConvertNode<T, TOut>(Node, Conversions.Get<T, TOut>()));

    /// <summary>The same array on another chunk grid (the unit of work of later reductions and streams).</summary>
    public override LazyArray<T> Rechunk(int[] chunks)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        ValidateChunks(Node.Shape, chunks);
        return new(new RechunkNode<T>(Node, (int[])chunks.Clone()));
    }

    /// <summary>
    /// The same array on a rectilinear chunk grid: per dimension its chunk edge lengths (e.g. month-sized chunks along
    /// time), which must cover the shape. Later maps, reductions and stores work chunk by chunk over it, and
    /// <see cref="StoreAsync(IStore, string, ArrayOptions?, PipelineOptions?, bool, CancellationToken)"/> creates a
    /// rectilinear array.
    /// </summary>
    /// <exception cref="ArgumentException">The edges are not one per dimension, or do not cover the shape.</exception>
    public override LazyArray<T> Rechunk(IReadOnlyList<ChunkEdgeList> edges)
    {
        ArgumentNullException.ThrowIfNull(edges);
        ChunkGrid grid;
        try
        {
            grid = new ChunkGrid(ImmutableArray.Create(Node.Shape), [.. edges]);
        }
        catch (ZarrException e)
        {
            throw new ArgumentException($"the chunk edges do not fit the shape ({string.Join(", ", Node.Shape)}): {e.Message}", nameof(edges), e);
        }

        return new(new RechunkNode<T>(Node, [.. grid.ChunkShape], grid));
    }

    /// <summary>
    /// A lazy view of a basic selection, as numpy's <c>x[a:b:s, i, ...]</c> (<see cref="Slice"/> semantics): per
    /// dimension a range (negative bounds count from the end, bounds clamp, steps positive) or an index, which drops the
    /// dimension; dimensions left out are whole. The view's chunks are this array's projected onto the selection, so a
    /// view chunk reads about one chunk per dimension; a step-1 view of a stored array starting on chunk boundaries keeps
    /// the stored chunks and the fused fetch → decode path; a step-1 view (no index) of a rectilinear array is
    /// rectilinear, its edges cut to the range, and a store of it writes that grid. Any other region is read asynchronously inside the pipeline
    /// (a stored array's strided region read; for other expressions, the box spanning the region, then every step-th
    /// element). Selecting everything returns this array.
    /// </summary>
    /// <exception cref="ArgumentException">More slices than dimensions.</exception>
    /// <exception cref="ZarrSelectionException">An index is out of bounds.</exception>
    public override LazyArray<T> Slice(params Slice[] selection)
    {
        ArgumentNullException.ThrowIfNull(selection);
        var node = SliceNode<T>.Create(Node, selection);
        return ReferenceEquals(node, Node) ? this : new(node);
    }

    /// <summary>
    /// Combines two arrays element by element, broadcasting as numpy: the shapes align on their last axes, and an axis
    /// of length 1 (or missing in front) stretches to the other's length. The result's chunks are, per axis, those of
    /// the operand that spans it (this one first). A stretched operand reads its smaller region once per chunk.
    /// </summary>
    internal LazyArray<T> Binary(LazyArray<T> other, SpanBinary<T> op)
    {
        ArgumentNullException.ThrowIfNull(other);
        var left = Node;
        var right = other.Node;
        if (left.Shape.AsSpan().SequenceEqual(right.Shape))
        {
            return new(new BinaryNode<T>(left, right, op));
        }

        var shape = Broadcasting.Shape(left.Shape, right.Shape, nameof(other));
        var chunks = Broadcasting.Chunks(shape, left.Shape, left.Chunks, right.Shape, right.Chunks);
        if (!left.Shape.AsSpan().SequenceEqual(shape))
        {
            left = new BroadcastNode<T>(left, shape, chunks);
        }

        if (!right.Shape.AsSpan().SequenceEqual(shape))
        {
            right = new BroadcastNode<T>(right, shape, chunks);
        }

        return new(new BinaryNode<T>(left, right, op));
    }

    /// <summary>
    /// The array stretched to <paramref name="shape"/> as numpy's <c>broadcast_to</c>: its axes align on the last of
    /// <paramref name="shape"/>, each of length 1 or the same length. Lazy: a chunk of the result reads the matching,
    /// smaller region of this array.
    /// </summary>
    /// <exception cref="ArgumentException">The array does not broadcast to <paramref name="shape"/>.</exception>
    public LazyArray<T> BroadcastTo(long[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (!Broadcasting.Fits(Node.Shape, shape))
        {
            throw new ArgumentException($"an array of shape ({string.Join(", ", Node.Shape)}) does not broadcast to ({string.Join(", ", shape)})", nameof(shape));
        }

        if (shape.AsSpan().SequenceEqual(Node.Shape))
        {
            return this;
        }

        var target = (long[])shape.Clone();
        var chunks = Broadcasting.Chunks(target, Node.Shape, Node.Chunks, target, DeferredNode<T>.WholeChunks(target));
        ValidateChunks(target, chunks);
        return new(new BroadcastNode<T>(Node, target, chunks));
    }

    /// <summary>Combines this array with <paramref name="other"/> element by element: <paramref name="function"/> gets a chunk of each (dense, the same region) and writes its result over the first. The other array's region is read whatever its chunk grid. Shapes broadcast as numpy's.</summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast together.</exception>
    public LazyArray<T> Zip(LazyArray<T> other, ZipFunction<T> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        return Binary(other, (x, y) => function(x, y));
    }

    // ---------------------------------------------------------------- counts (independent of the element type)

    /// <summary>The number of elements.</summary>
    public Task<long> CountAsync() => Task.FromResult(Size);

    /// <summary>The number of elements along <paramref name="axes"/>, for each cell of the other axes.</summary>
    public Task<Tensor<long>> CountAsync(int[] axes)
    {
        var plan = new AxisPlan(Node.Shape, Node.Chunks, axes);
        var values = new long[Math.Max(1, plan.Kept.Aggregate(1L, (a, b) => a * b))];
        Array.Fill(values, plan.ReducedCount);
        return Task.FromResult(Tensor.Create(values, Lengths(plan.Kept)));
    }

    // ---------------------------------------------------------------- results

    /// <summary>
    /// Computes the array into <paramref name="target"/> (the same shape; any format, codecs and chunk grid — a different
    /// grid is a rechunk). When the expression's source is stored on the target's grid, each chunk runs fetch → decode →
    /// compute → encode → store; otherwise each target chunk's region is read from the sources. The target may be a
    /// source (<c>x ← f(x)</c>): every chunk is read before it is written.
    /// </summary>
    /// <returns>The run's report.</returns>
    /// <exception cref="ArgumentException">The target's shape differs.</exception>
    /// <exception cref="ZarrPipelineException">A stage failed (the first failure; the others are cancelled).</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public Task<PipelineReport> StoreAsync(ZarrArray<T> target, PipelineOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        RequireSameShape(target.Shape.AsSpan(), nameof(target));
        return Planner.StoreAsync(Node, target, options ?? new PipelineOptions(), cancellationToken);
    }

    /// <inheritdoc />
    public override Task<PipelineReport> StoreAsync(ZarrArray target, PipelineOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        return StoreAsync(target.As<T>(), options, cancellationToken);
    }

    /// <summary>
    /// Writes the array into the region of <paramref name="target"/> that starts at <paramref name="offset"/>, one chunk of
    /// this array at a time through the target's partial writes (read-modify-write under its per-chunk locks), so several
    /// pipelines may write disjoint or overlapping regions of one array at once.
    /// </summary>
    /// <exception cref="ArgumentException">The region does not fit in the target.</exception>
    public Task<PipelineReport> StoreAsync(ZarrArray<T> target, long[] offset, PipelineOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(offset);
        var shape = target.Shape;
        if (offset.Length != Rank || shape.Length != Rank)
        {
            throw new ArgumentException($"an offset of {offset.Length} dimensions into an array of {shape.Length} for an expression of {Rank}", nameof(offset));
        }

        for (var d = 0; d < Rank; d++)
        {
            if (offset[d] < 0 || offset[d] + Node.Shape[d] > shape[d])
            {
                throw new ArgumentException($"the expression of shape ({string.Join(", ", Node.Shape)}) at offset ({string.Join(", ", offset)}) does not fit in the target of shape ({string.Join(", ", shape)})", nameof(offset));
            }
        }

        return Planner.StoreRegionAsync(Node, target, (long[])offset.Clone(), options ?? new PipelineOptions(), cancellationToken);
    }

    /// <summary>Creates an array in <paramref name="store"/> (chunks default to this array's) and computes this array into it.</summary>
    /// <returns>The new array.</returns>
    public async Task<ZarrArray<T>> StoreAsync(IStore store, string path, ArrayOptions? arrayOptions = null, PipelineOptions? options = null, bool overwrite = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(path);
        arrayOptions ??= new ArrayOptions();
        if (arrayOptions.Chunks is null && arrayOptions.ChunkEdges is null)
        {
            // A rectilinear grid is kept: the new array is stored on the same chunks the computation ran over.
            arrayOptions = Node.Grid.IsRegular ? arrayOptions with { Chunks = Chunks } : arrayOptions with { ChunkEdges = Node.Grid.Edges };
        }

        var target = await ZarrArray.CreateAsync<T>(store, path, Shape.ToArray(), arrayOptions, overwrite, cancellationToken).ConfigureAwait(false);
        await StoreAsync(target, options, cancellationToken).ConfigureAwait(false);
        return target;
    }

    /// <summary>
    /// Streams the computed chunks (in no particular order unless the stages are ordered) through a bounded channel.
    /// The consumer owns and disposes each <see cref="ChunkResult{T}"/>; stopping early cancels the run.
    /// </summary>
    public IAsyncEnumerable<ChunkResult<T>> ToChunksAsync(PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        Planner.StreamAsync(Node, options ?? new PipelineOptions(), cancellationToken);

    /// <summary>Computes the whole array into memory (C order): for arrays that fit.</summary>
    /// <exception cref="InvalidOperationException">The array has more elements than one .NET array holds.</exception>
    public async Task<T[]> ToArrayAsync(PipelineOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (Size > Array.MaxLength)
        {
            throw new InvalidOperationException($"an array of {Size} elements does not fit in memory as one .NET array; stream it with ToChunksAsync");
        }

        var result = new T[Size];
        var shape = Node.Shape;
        await Planner.ForEachChunkAsync(
            Node,
            "Gather",
            chunk => Boxes.Scatter<T>(MemoryMarshal.Cast<byte, T>(chunk.Buffer.Span), chunk.Region.ShapeArray, result, shape, chunk.Region.StartArray),
            options ?? new PipelineOptions(),
            cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Computes the whole array into a tensor.</summary>
    public async Task<Tensor<T>> ToTensorAsync(PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        Tensor.Create(await ToArrayAsync(options, cancellationToken).ConfigureAwait(false), Lengths(Node.Shape));

    // ---------------------------------------------------------------- helpers

    internal static nint[] Lengths(ReadOnlySpan<long> shape)
    {
        if (shape.IsEmpty)
        {
            return [1];
        }

        var lengths = new nint[shape.Length];
        for (var d = 0; d < shape.Length; d++)
        {
            lengths[d] = (nint)shape[d];
        }

        return lengths;
    }

    internal static void ValidateChunks(long[] shape, int[] chunks)
    {
        try
        {
            _ = new ChunkGrid(shape, chunks);
        }
        catch (ZarrException e)
        {
            throw new ArgumentException(e.Message, nameof(chunks), e);
        }

        var bytes = chunks.Aggregate((long)Unsafe.SizeOf<T>(), (a, b) => a * b);
        if (bytes > Array.MaxLength)
        {
            throw new ArgumentException($"a chunk of ({string.Join(", ", chunks)}) elements of {typeof(T).Name} is {bytes} bytes; chunks must be under 2 GiB", nameof(chunks));
        }
    }

    internal void RequireSameShape(ReadOnlySpan<long> other, string name)
    {
        if (!other.SequenceEqual(Node.Shape))
        {
            throw new ArgumentException($"shapes differ: ({string.Join(", ", Node.Shape)}) and ({string.Join(", ", other.ToArray())})", name);
        }
    }
}

/// <summary>Copies dense boxes into a larger C-order array.</summary>
internal static class Boxes
{
    public static void Scatter<TX>(ReadOnlySpan<TX> source, int[] boxShape, Span<TX> destination, long[] destinationShape, long[] boxStart)
    {
        var rank = boxShape.Length;
        if (rank == 0)
        {
            source[..1].CopyTo(destination);
            return;
        }

        var rowLength = boxShape[rank - 1];
        long rows = 1;
        for (var d = 0; d < rank - 1; d++)
        {
            rows *= boxShape[d];
        }

        if (rowLength == 0)
        {
            return;
        }

        Span<long> index = stackalloc long[rank];
        index.Clear();
        for (long r = 0; r < rows; r++)
        {
            long offset = 0;
            for (var d = 0; d < rank; d++)
            {
                offset = (offset * destinationShape[d]) + boxStart[d] + index[d];
            }

            source.Slice((int)(r * rowLength), rowLength).CopyTo(destination[(int)offset..]);
            for (var d = rank - 2; d >= 0; d--)
            {
                if (++index[d] < boxShape[d])
                {
                    break;
                }

                index[d] = 0;
            }
        }
    }
}
