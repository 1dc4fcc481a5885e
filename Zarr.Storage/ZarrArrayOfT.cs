using System.Collections.Immutable;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Zarr.Storage.Internal;

namespace Zarr.Storage;

/// <summary>
/// A Zarr array whose elements are <typeparamref name="T"/>. Select with C# ranges and read or write the selection:
/// <code>
/// Tensor&lt;int&gt; all = await z[..];
/// Tensor&lt;int&gt; rows = await z[0..100];
/// await z[10000.., ..].WriteAsync(values);
/// await z[5, ..].FillAsync(42);
/// </code>
/// </summary>
/// <typeparam name="T">The element type; it must be the array's data type's CLR type.</typeparam>
public sealed class ZarrArray<T> : ZarrArray where T : unmanaged
{
    private OrthogonalIndexer<T>? _oindex;
    private CoordinateIndexer<T>? _vindex;
    private BlockIndexer<T>? _blocks;

    internal ZarrArray(ArrayState state) : base(state) { }

    /// <summary>A selection: one <see cref="Slice"/> per dimension (ranges, indices, steps); missing trailing dimensions are selected whole.</summary>
    public ArraySelection<T> this[params Slice[] selection] => new(this, selection);

    /// <summary>
    /// Orthogonal indexing, zarr's <c>z.oindex</c>: per dimension a slice, an integer, an index list or a Boolean mask;
    /// the result takes the selected indices of each dimension in the order given (numpy's <c>np.ix_</c>).
    /// <code>
    /// Tensor&lt;int&gt; t = await z.Oindex[new[] { 4, 0, 0, -1 }, 2..5];          // shape (4, 3)
    /// await z.Oindex[new[] { true, false, true }, new long[] { 1 }].FillAsync(9);
    /// </code>
    /// </summary>
    public OrthogonalIndexer<T> Oindex => _oindex ??= new OrthogonalIndexer<T>(this);

    /// <summary>
    /// Vectorised indexing, zarr's <c>z.vindex</c>: one index array per dimension picks points (the result is 1-D, in
    /// the order given), or a Boolean mask of the array's shape picks the elements where it is true, in C order.
    /// <code>
    /// Tensor&lt;int&gt; p = await z.Vindex[new[] { 0, 3, 3 }, new[] { 2, 2, -1 }];  // z[0,2], z[3,2], z[3,^1]
    /// await z.Vindex[mask].WriteAsync(values);
    /// </code>
    /// </summary>
    public CoordinateIndexer<T> Vindex => _vindex ??= new CoordinateIndexer<T>(this);

    /// <summary>
    /// Block indexing, zarr's <c>z.blocks</c>: whole chunks by chunk index per dimension (an integer keeps its
    /// dimension; ranges have step 1); edge chunks are cut to the array.
    /// <code>
    /// Tensor&lt;int&gt; b = await z.Blocks[1, 0..2];   // chunk row 1, chunk columns 0 and 1
    /// </code>
    /// </summary>
    public BlockIndexer<T> Blocks => _blocks ??= new BlockIndexer<T>(this);

    /// <summary>An orthogonal selection (the same as <see cref="Oindex"/>; zarr's <c>get/set_orthogonal_selection</c>).</summary>
    /// <example><c>var t = await z.Orthogonal(new[] { 2, 0 }, ..);</c></example>
    public AdvancedSelection<T> Orthogonal(params OrthogonalIndex[] selection)
    {
        ArgumentNullException.ThrowIfNull(selection);
        return new(this, new OrthogonalSpec((OrthogonalIndex[])selection.Clone()));
    }

    /// <summary>
    /// A coordinate selection (the same as <see cref="Vindex"/>; zarr's <c>get/set_coordinate_selection</c>): one index
    /// array per dimension, all of one length (copied); point <c>i</c> is <c>(coordinates[0][i], coordinates[1][i], ...)</c>.
    /// </summary>
    /// <example><c>var t = await z.Points(new long[] { 0, 9 }, new long[] { 5, 5 });</c></example>
    public AdvancedSelection<T> Points(params long[][] coordinates)
    {
        ArgumentNullException.ThrowIfNull(coordinates);
        return new(this, CoordinateSpec.Copy(coordinates));
    }

    /// <summary>A coordinate selection from 32-bit indices (see <see cref="Points(long[][])"/>).</summary>
    public AdvancedSelection<T> Points(params int[][] coordinates)
    {
        ArgumentNullException.ThrowIfNull(coordinates);
        return new(this, CoordinateSpec.Copy(coordinates));
    }

    /// <summary>A mask selection (zarr's <c>get/set_mask_selection</c>): the elements where <paramref name="mask"/>, of the array's shape, is true, in C order.</summary>
    /// <example><c>var t = await z.Mask(mask);</c></example>
    public AdvancedSelection<T> Mask(Tensor<bool> mask) => new(this, MaskSpec.Copy(mask));

    /// <summary>A mask selection from the mask's values in C order over the array's shape (copied; its length must be the array's element count).</summary>
    public AdvancedSelection<T> Mask(bool[] mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        return new(this, new MaskSpec((bool[])mask.Clone(), null));
    }

    /// <summary>A block selection (the same as <see cref="Blocks"/>; zarr's <c>get/set_block_selection</c>).</summary>
    /// <example><c>var t = await z.Block(^1, ..);</c></example>
    public AdvancedSelection<T> Block(params Slice[] blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        return new(this, new BlockSpec((Slice[])blocks.Clone()));
    }

    internal async Task<Tensor<T>> ReadSelectionAsync(SelectionSpec spec, CancellationToken cancellationToken)
    {
        var plan = spec.Plan(Grid);
        if (plan.ElementCount > Array.MaxLength)
        {
            throw new ZarrSelectionException($"a selection of {plan.ElementCount} elements does not fit in one tensor; read it in parts");
        }

        var values = GC.AllocateUninitializedArray<T>((int)plan.ElementCount);
        await ReadChunksAsync(plan, values.AsMemory(), MaxDegreeOfParallelism, codecParallelism: 0, cancellationToken).ConfigureAwait(false);
        return TensorData.Wrap(values, plan.OutputShape);
    }

    internal Task ReadSelectionIntoAsync(SelectionSpec spec, Memory<T> destination, CancellationToken cancellationToken) =>
        ReadChunksAsync(spec.Plan(Grid), destination, MaxDegreeOfParallelism, codecParallelism: 0, cancellationToken);

    internal Task WriteSelectionAsync(SelectionSpec spec, ReadOnlyMemory<T> data, CancellationToken cancellationToken) =>
        WriteChunksAsync(spec.Plan(Grid), data, null, cancellationToken);

    internal Task FillSelectionAsync(SelectionSpec spec, T value, CancellationToken cancellationToken)
    {
        var scalar = new byte[Unsafe.SizeOf<T>()];
        MemoryMarshal.Write(scalar, in value);
        return WriteChunksAsync(spec.Plan(Grid), ReadOnlyMemory<T>.Empty, scalar, cancellationToken);
    }

    /// <summary>Reads a selection into a new tensor (a selection with no dimensions left reads as shape [1]: <see cref="Tensor{T}"/> has no rank 0).</summary>
    /// <exception cref="ZarrSelectionException">The selection does not fit the array.</exception>
    /// <exception cref="ZarrCodecException">A chunk is corrupt.</exception>
    public async Task<Tensor<T>> ReadAsync(Slice[] selection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(selection);
        var plan = SelectionPlan.Create(Grid, selection);
        if (plan.ElementCount > Array.MaxLength)
        {
            throw new ZarrSelectionException($"a selection of {plan.ElementCount} elements does not fit in one tensor; read it in parts");
        }

        var values = GC.AllocateUninitializedArray<T>((int)plan.ElementCount);
        await ReadChunksAsync(plan, values.AsMemory(), MaxDegreeOfParallelism, codecParallelism: 0, cancellationToken).ConfigureAwait(false);
        return TensorData.Wrap(values, plan.OutputShape);
    }

    /// <summary>Reads one element (negative indices count from the end).</summary>
    public async Task<T> GetValueAsync(long[] index, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(index);
        if (index.Length != Rank)
        {
            throw new ZarrSelectionException($"an element of an array of {Rank} dimensions needs {Rank} indices, not {index.Length}");
        }

        var value = new T[1];
        await ReadIntoAsync([.. index.Select(Slice.At)], value, cancellationToken).ConfigureAwait(false);
        return value[0];
    }

    /// <summary>Reads a selection into <paramref name="destination"/>, which the caller owns (C order, exactly the selection's element count).</summary>
    public Task ReadIntoAsync(Slice[] selection, Memory<T> destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(selection);
        return ReadChunksAsync(SelectionPlan.Create(Grid, selection), destination, MaxDegreeOfParallelism, codecParallelism: 0, cancellationToken);
    }

    /// <summary>Writes <paramref name="data"/> (C order, exactly the selection's element count) into a selection.</summary>
    public Task WriteAsync(Slice[] selection, ReadOnlyMemory<T> data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(selection);
        return WriteChunksAsync(SelectionPlan.Create(Grid, selection), data, null, cancellationToken);
    }

    /// <summary>Sets every element of a selection to <paramref name="value"/>.</summary>
    public Task FillAsync(Slice[] selection, T value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(selection);
        var scalar = new byte[Unsafe.SizeOf<T>()];
        MemoryMarshal.Write(scalar, in value);
        return WriteChunksAsync(SelectionPlan.Create(Grid, selection), ReadOnlyMemory<T>.Empty, scalar, cancellationToken);
    }

    /// <summary>
    /// Appends <paramref name="data"/> along <paramref name="axis"/>: grows that dimension by the data's length along it
    /// and writes the data into the new part. The data's other dimensions must equal the array's.
    /// </summary>
    /// <exception cref="ZarrSelectionException">The data's shape does not fit.</exception>
    public async Task AppendAsync(ReadOnlyMemory<T> data, long[] dataShape, int axis = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataShape);
        var shape = Shape.ToArray();
        if (axis < 0 || axis >= shape.Length)
        {
            throw new ZarrSelectionException($"axis {axis} is out of range for an array of {shape.Length} dimensions");
        }

        if (dataShape.Length != shape.Length)
        {
            throw new ZarrSelectionException($"cannot append data of shape ({string.Join(", ", dataShape)}) to an array of shape ({string.Join(", ", shape)}): the number of dimensions differs");
        }

        for (var d = 0; d < shape.Length; d++)
        {
            if (d != axis && dataShape[d] != shape[d])
            {
                throw new ZarrSelectionException($"cannot append data of shape ({string.Join(", ", dataShape)}) to an array of shape ({string.Join(", ", shape)}) along axis {axis}: dimension {d} differs");
            }
        }

        var oldLength = shape[axis];
        shape[axis] = checked(oldLength + dataShape[axis]);
        await ResizeAsync(shape, cancellationToken).ConfigureAwait(false);
        var selection = new Slice[shape.Length];
        for (var d = 0; d < shape.Length; d++)
        {
            selection[d] = d == axis ? Slice.Range(oldLength, shape[axis]) : Slice.All;
        }

        await WriteAsync(selection, data, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Appends a tensor along <paramref name="axis"/> (see <see cref="AppendAsync(ReadOnlyMemory{T}, long[], int, CancellationToken)"/>).</summary>
    public Task AppendAsync(Tensor<T> data, int axis = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var shape = new long[data.Rank];
        for (var d = 0; d < shape.Length; d++)
        {
            shape[d] = data.Lengths[d];
        }

        return AppendAsync(TensorData.ToArray(data), shape, axis, cancellationToken);
    }
}

/// <summary>
/// A selection of a typed array, made by its indexer. <see cref="ReadAsync"/> reads it
/// (<c>Tensor&lt;T&gt; t = await z[..100].ReadAsync(cancellationToken);</c>): the documented way, which can be cancelled.
/// Awaiting the selection itself (<c>await z[..100]</c>) is a shorthand for <c>ReadAsync()</c> without a token. Its other
/// methods read into a buffer, write, or fill.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
public readonly struct ArraySelection<T> : IEquatable<ArraySelection<T>> where T : unmanaged
{
    private readonly ZarrArray<T> _array;
    private readonly Slice[] _selection;

    internal ArraySelection(ZarrArray<T> array, Slice[] selection)
    {
        _array = array;
        _selection = selection;
    }

    /// <summary>The shape the selection reads as (dimensions selected by an integer are dropped).</summary>
    public ImmutableArray<long> Shape => ImmutableCollectionsMarshal.AsImmutableArray(SelectionPlan.Create(_array.Grid, _selection).OutputShape);

    /// <summary>Reads the selection into a new tensor: the documented way to read (awaiting the selection is a shorthand without a token).</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    public Task<Tensor<T>> ReadAsync(CancellationToken cancellationToken = default) => _array.ReadAsync(_selection, cancellationToken);

    /// <summary>Reads the selection into memory the caller owns (C order, exactly the selection's element count).</summary>
    public Task ReadIntoAsync(Memory<T> destination, CancellationToken cancellationToken = default) => _array.ReadIntoAsync(_selection, destination, cancellationToken);

    /// <summary>Writes values (C order, exactly the selection's element count).</summary>
    public Task WriteAsync(ReadOnlyMemory<T> data, CancellationToken cancellationToken = default) => _array.WriteAsync(_selection, data, cancellationToken);

    /// <summary>Writes an array's values (C order, exactly the selection's element count).</summary>
    public Task WriteAsync(T[] data, CancellationToken cancellationToken = default) => _array.WriteAsync(_selection, data, cancellationToken);

    /// <summary>Writes a tensor whose element count is the selection's.</summary>
    public Task WriteAsync(Tensor<T> data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        return _array.WriteAsync(_selection, TensorData.ToArray(data), cancellationToken);
    }

    /// <summary>Writes a tensor span (its values are copied before this method returns, so the span need not outlive the call).</summary>
    public Task WriteAsync(in ReadOnlyTensorSpan<T> data, CancellationToken cancellationToken = default) =>
        _array.WriteAsync(_selection, TensorData.ToArray(data), cancellationToken);

    /// <summary>Sets every selected element to <paramref name="value"/> (a scalar broadcast over the selection).</summary>
    public Task FillAsync(T value, CancellationToken cancellationToken = default) => _array.FillAsync(_selection, value, cancellationToken);

    /// <summary>Lets <c>await z[..]</c> read the selection: <see cref="ReadAsync"/> without a cancellation token.</summary>
    public TaskAwaiter<Tensor<T>> GetAwaiter() => ReadAsync().GetAwaiter();

    /// <inheritdoc />
    public bool Equals(ArraySelection<T> other) => ReferenceEquals(_array, other._array) && ReferenceEquals(_selection, other._selection);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ArraySelection<T> other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_array, _selection);

    /// <summary>Equality.</summary>
    public static bool operator ==(ArraySelection<T> left, ArraySelection<T> right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(ArraySelection<T> left, ArraySelection<T> right) => !left.Equals(right);
}
