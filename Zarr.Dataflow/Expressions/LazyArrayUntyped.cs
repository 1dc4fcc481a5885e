using System.Collections.Immutable;
using Zarr.Storage;

namespace Zarr.Dataflow;

/// <summary>
/// A lazy array whose element type is known only at run time, as <see cref="Lazy.From(ZarrArray)"/> gives for an array
/// opened from a path: its shape and grid, views (<see cref="Slice"/>, <see cref="Rechunk(int[])"/>), storing, and the
/// reductions of <see cref="LazyArrayUntypedReductions"/>, none of which need the element type written in the code.
/// Every instance is a <see cref="LazyArray{T}"/> of <see cref="ElementType"/>: to use the typed API, either cast it
/// (<c>(LazyArray&lt;float&gt;)x</c>), convert it (<see cref="Cast{TOut}"/>), or let <see cref="DataType"/>'s
/// <see cref="ZarrDataType.Accept{TResult}(IZarrDataTypeVisitor{TResult})"/> hand the element type to a generic method.
/// </summary>
public abstract class LazyArray
{
    // Only LazyArray<T> derives: the engine's nodes are typed.
    private protected LazyArray()
    {
    }

    /// <summary>The CLR element type (the <c>T</c> of the <see cref="LazyArray{T}"/> this is).</summary>
    public abstract Type ElementType { get; }

    /// <summary>The Zarr data type of the elements.</summary>
    /// <exception cref="NotSupportedException">The element type is not a Zarr data type (a lazy array of a user's own struct).</exception>
    public ZarrDataType DataType => ZarrDataTypeOf() ?? throw new NotSupportedException($"{ElementType.Name} is not a Zarr data type");

    /// <summary>The shape.</summary>
    public abstract ImmutableArray<long> Shape { get; }

    /// <summary>The chunk shape: the unit of work of reductions and streams.</summary>
    public abstract ImmutableArray<int> Chunks { get; }

    /// <summary>The number of dimensions.</summary>
    public abstract int Rank { get; }

    /// <summary>The number of elements.</summary>
    public abstract long Size { get; }

    /// <summary>The number of chunks.</summary>
    public abstract long ChunkCount { get; }

    /// <summary>A lazy view of a basic selection (see <see cref="LazyArray{T}.Slice"/>).</summary>
    /// <exception cref="ArgumentException">More slices than dimensions.</exception>
    /// <exception cref="ZarrSelectionException">An index is out of bounds.</exception>
    public abstract LazyArray Slice(params Slice[] selection);

    /// <summary>The same array on another chunk grid.</summary>
    /// <exception cref="ArgumentException">The chunks do not fit the shape.</exception>
    public abstract LazyArray Rechunk(int[] chunks);

    /// <summary>The same array on a rectilinear chunk grid (see <see cref="LazyArray{T}.Rechunk(IReadOnlyList{ChunkEdgeList})"/>).</summary>
    /// <exception cref="ArgumentException">The edges do not fit the shape.</exception>
    public abstract LazyArray Rechunk(IReadOnlyList<ChunkEdgeList> edges);

    /// <summary>The elements converted to <typeparamref name="TOut"/>, as numpy's <c>astype</c> (see <see cref="LazyArray{T}.Cast{TOut}"/>): the way from an untyped array to a typed one.</summary>
    /// <exception cref="NotSupportedException">An element type is not a Zarr data type, or the pair has no conversion.</exception>
    public abstract LazyArray<TOut> Cast<TOut>() where TOut : unmanaged;

    /// <summary>
    /// Computes the array into <paramref name="target"/>, an array of the same shape and element type (see
    /// <see cref="LazyArray{T}.StoreAsync(ZarrArray{T}, PipelineOptions?, CancellationToken)"/>).
    /// </summary>
    /// <exception cref="ZarrTypeMismatchException">The target's data type is not this array's.</exception>
    /// <exception cref="ArgumentException">The target's shape differs.</exception>
    /// <exception cref="ZarrPipelineException">A stage failed.</exception>
    public abstract Task<PipelineReport> StoreAsync(ZarrArray target, PipelineOptions? options = null, CancellationToken cancellationToken = default);

    private protected abstract ZarrDataType? ZarrDataTypeOf();
}
