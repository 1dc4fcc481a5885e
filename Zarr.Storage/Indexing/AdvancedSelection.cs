using System.Collections.Immutable;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Zarr.Storage.Internal;

namespace Zarr.Storage;

/// <summary>
/// An advanced selection of a typed array (orthogonal, coordinate, mask or block), made by
/// <see cref="ZarrArray{T}.Oindex"/>, <see cref="ZarrArray{T}.Vindex"/>, <see cref="ZarrArray{T}.Blocks"/> or the
/// methods of the same meaning. Awaiting it reads it; its methods read into a buffer, write, or fill:
/// <code>
/// Tensor&lt;int&gt; rows = await z.Oindex[new[] { 9, 2, 2 }, ..];     // shape (3, columns)
/// Tensor&lt;int&gt; points = await z.Vindex[new[] { 0, 5 }, new[] { 3, 1 }]; // shape (2): z[0,3], z[5,1]
/// await z.Blocks[1, 0..2].FillAsync(7);                            // chunk row 1, chunk columns 0 and 1
/// </code>
/// The selection is resolved against the array's shape at each call, so a resize in between is honoured.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
public readonly struct AdvancedSelection<T> where T : unmanaged
{
    private readonly ZarrArray<T> _array;
    private readonly SelectionSpec _spec;

    internal AdvancedSelection(ZarrArray<T> array, SelectionSpec spec)
    {
        _array = array;
        _spec = spec;
    }

    /// <summary>The kind of selection.</summary>
    public SelectionKind Kind => _spec.Kind;

    /// <summary>
    /// The shape the selection reads as: for an orthogonal selection the selected count per dimension (dimensions
    /// selected by an integer dropped); for a coordinate or mask selection the number of points; for a block selection
    /// the extent of the chosen chunks, cut to the array.
    /// </summary>
    /// <exception cref="ZarrSelectionException">The selection does not fit the array.</exception>
    public ImmutableArray<long> Shape => ImmutableCollectionsMarshal.AsImmutableArray(_spec.Plan(_array.Grid).OutputShape);

    /// <summary>
    /// Reads the selection into a new tensor (coordinate and mask selections read as 1-D, in the order given): the
    /// documented way to read (awaiting the selection is a shorthand without a token).
    /// </summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="ZarrSelectionException">The selection does not fit the array.</exception>
    public Task<Tensor<T>> ReadAsync(CancellationToken cancellationToken = default) => _array.ReadSelectionAsync(_spec, cancellationToken);

    /// <summary>Reads the selection into memory the caller owns (C order of <see cref="Shape"/>, exactly its element count).</summary>
    public Task ReadIntoAsync(Memory<T> destination, CancellationToken cancellationToken = default) =>
        _array.ReadSelectionIntoAsync(_spec, destination, cancellationToken);

    /// <summary>
    /// Writes values (C order of <see cref="Shape"/>, exactly its element count). A position selected more than once
    /// (a repeated index or point) gets the last of its values, as in numpy.
    /// </summary>
    public Task WriteAsync(ReadOnlyMemory<T> data, CancellationToken cancellationToken = default) =>
        _array.WriteSelectionAsync(_spec, data, cancellationToken);

    /// <summary>Writes an array's values (C order of <see cref="Shape"/>, exactly its element count).</summary>
    public Task WriteAsync(T[] data, CancellationToken cancellationToken = default) =>
        _array.WriteSelectionAsync(_spec, data, cancellationToken);

    /// <summary>Writes a tensor whose element count is the selection's.</summary>
    public Task WriteAsync(Tensor<T> data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        return _array.WriteSelectionAsync(_spec, TensorData.ToArray(data), cancellationToken);
    }

    /// <summary>Writes a tensor span (its values are copied before this method returns).</summary>
    public Task WriteAsync(in ReadOnlyTensorSpan<T> data, CancellationToken cancellationToken = default) =>
        _array.WriteSelectionAsync(_spec, TensorData.ToArray(data), cancellationToken);

    /// <summary>Sets every selected element to <paramref name="value"/>.</summary>
    public Task FillAsync(T value, CancellationToken cancellationToken = default) =>
        _array.FillSelectionAsync(_spec, value, cancellationToken);

    /// <summary>Lets <c>await z.Oindex[...]</c> read the selection: <see cref="ReadAsync"/> without a cancellation token.</summary>
    public TaskAwaiter<Tensor<T>> GetAwaiter() => ReadAsync().GetAwaiter();

    /// <inheritdoc />
    public override string ToString() => $"{_spec.Kind} selection of array '/{_array.Path}'";
}

/// <summary>
/// Orthogonal indexing of a typed array, zarr's <c>z.oindex</c>: per dimension a <see cref="Slice"/>, an integer, an
/// index list or a Boolean mask; the result takes, per dimension, the selected indices in the order given (numpy's
/// <c>np.ix_</c>).
/// <code>
/// Tensor&lt;double&gt; t = await z.Oindex[new[] { 3, 0, 3 }, new[] { true, false, true, true }];
/// await z.Oindex[.., new long[] { -1, 0 }].WriteAsync(values);
/// </code>
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
public sealed class OrthogonalIndexer<T> where T : unmanaged
{
    private readonly ZarrArray<T> _array;

    internal OrthogonalIndexer(ZarrArray<T> array) => _array = array;

    /// <summary>An orthogonal selection; missing trailing dimensions are selected whole.</summary>
    public AdvancedSelection<T> this[params OrthogonalIndex[] selection] => _array.Orthogonal(selection);
}

/// <summary>
/// Vectorised indexing of a typed array, zarr's <c>z.vindex</c>: one index array per dimension picks points
/// (<c>z.Vindex[rows, cols]</c> reads <c>z[rows[i], cols[i]]</c> for each i), or one Boolean mask of the array's
/// shape picks the elements where it is true, in C order.
/// <code>
/// Tensor&lt;float&gt; p = await z.Vindex[new long[] { 0, 9, 9 }, new long[] { 1, -1, 1 }];
/// await z.Vindex[mask].FillAsync(0f);
/// </code>
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
public sealed class CoordinateIndexer<T> where T : unmanaged
{
    private readonly ZarrArray<T> _array;

    internal CoordinateIndexer(ZarrArray<T> array) => _array = array;

    /// <summary>A coordinate selection: one index array per dimension, all of one length.</summary>
    public AdvancedSelection<T> this[params long[][] coordinates] => _array.Points(coordinates);

    /// <summary>A coordinate selection: one index array per dimension, all of one length.</summary>
    public AdvancedSelection<T> this[params int[][] coordinates] => _array.Points(coordinates);

    /// <summary>A mask selection: a Boolean tensor of the array's shape.</summary>
    public AdvancedSelection<T> this[Tensor<bool> mask] => _array.Mask(mask);

    /// <summary>A mask selection: the mask's values in C order over the array's shape (its length is the array's element count).</summary>
    public AdvancedSelection<T> this[bool[] mask] => _array.Mask(mask);
}

/// <summary>
/// Block indexing of a typed array, zarr's <c>z.blocks</c>: per dimension a chunk index or a range of chunk indices
/// (step 1); the selection is those whole chunks, edge chunks cut to the array. An integer keeps its dimension, as in
/// zarr (<c>z.Blocks[1]</c> of a 2-D array is the second row of chunks, still 2-D).
/// <code>
/// Tensor&lt;int&gt; chunk = await z.Blocks[0, 2];
/// await z.Blocks[^1, ..].WriteAsync(values);
/// </code>
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
public sealed class BlockIndexer<T> where T : unmanaged
{
    private readonly ZarrArray<T> _array;

    internal BlockIndexer(ZarrArray<T> array) => _array = array;

    /// <summary>A block selection; missing trailing dimensions are selected whole.</summary>
    public AdvancedSelection<T> this[params Slice[] blocks] => _array.Block(blocks);
}
