using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Zarr.Dataflow.Blocks;
using Zarr.Dataflow.Pipelines;
using Zarr.Storage;
using Zarr.Storage.Indexing;
using Zarr.Storage.Stores;

namespace Zarr.Dataflow.Expressions;

/// <summary>
/// A lazy chunked array: a shape, a chunk grid and an expression over sources (stored arrays, generated arrays).
/// Operations build new expressions and cost nothing; results (<see cref="StoreAsync(ZarrArray{T}, PipelineOptions?, CancellationToken)"/>,
/// reductions, <see cref="ToChunksAsync"/>) run a pipeline of TPL Dataflow blocks chunk by chunk, with memory bounded by
/// the chunks in flight. Instances are immutable and safe to use from many threads and in many runs at once.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
public sealed partial class LazyArray<T> where T : unmanaged, INumber<T>
{
    internal LazyArray(LazyNode<T> node) => Node = node;

    internal LazyNode<T> Node { get; }

    /// <summary>The shape (a copy).</summary>
    public long[] Shape => (long[])Node.Shape.Clone();

    /// <summary>The chunk shape (a copy): the unit of work of reductions and streams.</summary>
    public int[] Chunks => (int[])Node.Chunks.Clone();

    /// <summary>The number of dimensions.</summary>
    public int Rank => Node.Shape.Length;

    /// <summary>The number of elements.</summary>
    public long Size => Node.Shape.Aggregate(1L, (a, b) => checked(a * b));

    /// <summary>The number of chunks.</summary>
    public long ChunkCount => Node.Grid.ChunkCount;

    // ---------------------------------------------------------------- element-wise

    /// <summary>Applies a struct operator to every element: SIMD through its vector path, specialised by the JIT.</summary>
    public LazyArray<T> Map<TOp>(in TOp op) where TOp : struct, IElementOperator<T> => new(new OperatorNode<T, TOp>(Node, op));

    /// <summary>Applies a function to every element: the slow general path (one delegate call per element); prefer the arithmetic methods or <see cref="Map{TOp}(in TOp)"/>.</summary>
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

    /// <summary>Applies a function to each whole chunk (dense region layout), with the region it covers.</summary>
    public LazyArray<T> MapBlocks(ChunkFunction<T> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        return new(new ChunkFunctionNode<T>(Node, function));
    }

    internal LazyArray<T> MapSpan(SpanAction<T> action) => new(new SpanMapNode<T>(Node, action));

    /// <summary>x + <paramref name="value"/> (SIMD).</summary>
    public LazyArray<T> Add(T value) => MapSpan(x => TensorPrimitives.Add<T>(x, value, x));

    /// <summary>x − <paramref name="value"/> (SIMD).</summary>
    public LazyArray<T> Subtract(T value) => MapSpan(x => TensorPrimitives.Subtract<T>(x, value, x));

    /// <summary>x × <paramref name="value"/> (SIMD).</summary>
    public LazyArray<T> Multiply(T value) => MapSpan(x => TensorPrimitives.Multiply<T>(x, value, x));

    /// <summary>x ÷ <paramref name="value"/> (SIMD).</summary>
    public LazyArray<T> Divide(T value) => MapSpan(x => TensorPrimitives.Divide<T>(x, value, x));

    /// <summary>−x (SIMD).</summary>
    public LazyArray<T> Negate() => MapSpan(x => TensorPrimitives.Negate<T>(x, x));

    /// <summary>|x| (SIMD).</summary>
    public LazyArray<T> Abs() => MapSpan(x => TensorPrimitives.Abs<T>(x, x));

    /// <summary>Keeps the elements for which <paramref name="predicate"/> holds and replaces the others by <paramref name="fill"/>.</summary>
    public LazyArray<T> Where(Func<T, bool> predicate, T fill)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return new(new WherePredicateNode<T>(Node, predicate, fill));
    }

    /// <summary>Keeps the elements where <paramref name="condition"/> is non-zero and replaces the others by <paramref name="fill"/> (numpy's <c>where(cond, x, fill)</c>).</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public LazyArray<T> Where<TMask>(LazyArray<TMask> condition, T fill) where TMask : unmanaged, INumber<TMask>
    {
        ArgumentNullException.ThrowIfNull(condition);
        RequireSameShape(condition.Node.Shape, nameof(condition));
        return new(new WhereNode<T, TMask>(Node, condition.Node, fill));
    }

    /// <summary>The elements converted to <typeparamref name="TOut"/> (truncating, as numpy's <c>astype</c>).</summary>
    public LazyArray<TOut> Cast<TOut>() where TOut : unmanaged, INumber<TOut> =>
        typeof(TOut) == typeof(T) ? (LazyArray<TOut>)(object)this : new(new CastNode<T, TOut>(Node));

    /// <summary>The same array on another chunk grid (the unit of work of later reductions and streams).</summary>
    public LazyArray<T> Rechunk(int[] chunks)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        ValidateChunks(Node.Shape, chunks);
        return new(new RechunkNode<T>(Node, (int[])chunks.Clone()));
    }

    private LazyArray<T> Binary(LazyArray<T> other, BinaryOp op)
    {
        ArgumentNullException.ThrowIfNull(other);
        RequireSameShape(other.Node.Shape, nameof(other));
        return new(new BinaryNode<T>(Node, other.Node, op));
    }

    /// <summary>Element-wise sum; the right operand's matching region is read whatever its chunk grid.</summary>
    public static LazyArray<T> operator +(LazyArray<T> left, LazyArray<T> right) => Checked(left).Binary(right, BinaryOp.Add);

    /// <summary>Element-wise difference.</summary>
    public static LazyArray<T> operator -(LazyArray<T> left, LazyArray<T> right) => Checked(left).Binary(right, BinaryOp.Subtract);

    /// <summary>Element-wise product.</summary>
    public static LazyArray<T> operator *(LazyArray<T> left, LazyArray<T> right) => Checked(left).Binary(right, BinaryOp.Multiply);

    /// <summary>Element-wise quotient.</summary>
    public static LazyArray<T> operator /(LazyArray<T> left, LazyArray<T> right) => Checked(left).Binary(right, BinaryOp.Divide);

    /// <summary>Adds a scalar.</summary>
    public static LazyArray<T> operator +(LazyArray<T> left, T right) => Checked(left).Add(right);

    /// <summary>Subtracts a scalar.</summary>
    public static LazyArray<T> operator -(LazyArray<T> left, T right) => Checked(left).Subtract(right);

    /// <summary>Multiplies by a scalar.</summary>
    public static LazyArray<T> operator *(LazyArray<T> left, T right) => Checked(left).Multiply(right);

    /// <summary>Divides by a scalar.</summary>
    public static LazyArray<T> operator /(LazyArray<T> left, T right) => Checked(left).Divide(right);

    /// <summary>A scalar plus each element.</summary>
    public static LazyArray<T> operator +(T left, LazyArray<T> right) => Checked(right).Add(left);

    /// <summary>A scalar minus each element.</summary>
    public static LazyArray<T> operator -(T left, LazyArray<T> right) => Checked(right).MapSpan(x => TensorPrimitives.Subtract<T>(left, x, x));

    /// <summary>A scalar times each element.</summary>
    public static LazyArray<T> operator *(T left, LazyArray<T> right) => Checked(right).Multiply(left);

    /// <summary>A scalar divided by each element.</summary>
    public static LazyArray<T> operator /(T left, LazyArray<T> right) => Checked(right).MapSpan(x => TensorPrimitives.Divide<T>(left, x, x));

    /// <summary>Negation.</summary>
    public static LazyArray<T> operator -(LazyArray<T> operand) => Checked(operand).Negate();

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
        RequireSameShape(target.Shape, nameof(target));
        return Planner.StoreAsync(Node, target, options ?? new PipelineOptions(), cancellationToken);
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
        if (arrayOptions.Chunks is null)
        {
            arrayOptions = arrayOptions with { Chunks = Chunks };
        }

        var target = await ZarrArray.CreateAsync<T>(store, path, Shape, arrayOptions, overwrite, cancellationToken).ConfigureAwait(false);
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

    private static LazyArray<T> Checked(LazyArray<T> array)
    {
        ArgumentNullException.ThrowIfNull(array);
        return array;
    }

    private void RequireSameShape(long[] other, string name)
    {
        if (!other.AsSpan().SequenceEqual(Node.Shape))
        {
            throw new ArgumentException($"shapes differ: ({string.Join(", ", Node.Shape)}) and ({string.Join(", ", other)})", name);
        }
    }
}

/// <summary>Element-wise functions that need more than <see cref="INumber{TSelf}"/> (SIMD through TensorPrimitives).</summary>
public static class LazyArrayExtensions
{
    /// <summary>√x.</summary>
    public static LazyArray<T> Sqrt<T>(this LazyArray<T> array) where T : unmanaged, INumber<T>, IRootFunctions<T>
    {
        ArgumentNullException.ThrowIfNull(array);
        return array.MapSpan(x => TensorPrimitives.Sqrt<T>(x, x));
    }

    /// <summary>eˣ.</summary>
    public static LazyArray<T> Exp<T>(this LazyArray<T> array) where T : unmanaged, INumber<T>, IExponentialFunctions<T>
    {
        ArgumentNullException.ThrowIfNull(array);
        return array.MapSpan(x => TensorPrimitives.Exp<T>(x, x));
    }

    /// <summary>ln x.</summary>
    public static LazyArray<T> Log<T>(this LazyArray<T> array) where T : unmanaged, INumber<T>, ILogarithmicFunctions<T>
    {
        ArgumentNullException.ThrowIfNull(array);
        return array.MapSpan(x => TensorPrimitives.Log<T>(x, x));
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
