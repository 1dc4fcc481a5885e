namespace Zarr.Storage;

/// <summary>
/// What an orthogonal selection picks along one dimension, as zarr's <c>oindex</c> and numpy's <c>np.ix_</c>: a
/// <see cref="Slice"/> (a range, a step, or an integer, which drops the dimension), a list of integer indices (any
/// order, duplicates allowed, negative indices count from the end), or a Boolean mask of the dimension's length.
/// Each converts implicitly, so a selection reads like zarr's:
/// <code>
/// var part = await z.Oindex[new[] { 7, 2, 2, -1 }, ..];            // rows 7, 2, 2 and the last, every column
/// var cols = await z.Oindex[3.., new[] { true, false, true }];     // rows from 3, columns 0 and 2
/// var cell = await z.Oindex[(..).WithStep(2), new long[] { 4, 0 }];
/// </code>
/// The arrays are copied on conversion; later changes to them do not change the selection.
/// </summary>
public readonly struct OrthogonalIndex
{
    private readonly long[]? _indices;
    private readonly bool[]? _mask;

    private OrthogonalIndex(Slice slice, long[]? indices, bool[]? mask)
    {
        Slice = slice;
        _indices = indices;
        _mask = mask;
    }

    /// <summary>The kind of selection along the dimension.</summary>
    public OrthogonalIndexKind Kind => _indices is not null ? OrthogonalIndexKind.Indices : _mask is not null ? OrthogonalIndexKind.Mask : OrthogonalIndexKind.Slice;

    /// <summary>The slice, when <see cref="Kind"/> is <see cref="OrthogonalIndexKind.Slice"/> (the whole dimension for a default value).</summary>
    public Slice Slice { get; }

    /// <summary>The indices (a copy), when <see cref="Kind"/> is <see cref="OrthogonalIndexKind.Indices"/>; otherwise empty.</summary>
    public ReadOnlyMemory<long> Indices => _indices;

    /// <summary>The mask (a copy), when <see cref="Kind"/> is <see cref="OrthogonalIndexKind.Mask"/>; otherwise empty.</summary>
    public ReadOnlyMemory<bool> Mask => _mask;

    internal long[]? IndexArray => _indices;

    internal bool[]? MaskArray => _mask;

    /// <summary>A range, step or integer.</summary>
    public static OrthogonalIndex FromSlice(Slice slice) => new(slice, null, null);

    /// <summary>A list of indices (copied): any order, duplicates allowed, negative ones counting from the end.</summary>
    public static OrthogonalIndex FromIndices(ReadOnlySpan<long> indices) => new(Slice.All, indices.ToArray(), null);

    /// <summary>A list of indices (copied): any order, duplicates allowed, negative ones counting from the end.</summary>
    public static OrthogonalIndex FromIndices(ReadOnlySpan<int> indices)
    {
        var copy = new long[indices.Length];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = indices[i];
        }

        return new(Slice.All, copy, null);
    }

    /// <summary>A Boolean mask (copied) whose length must be the dimension's: the indices where it is true, ascending.</summary>
    public static OrthogonalIndex FromMask(ReadOnlySpan<bool> mask) => new(Slice.All, null, mask.ToArray());

    /// <summary>Converts a slice.</summary>
    public static implicit operator OrthogonalIndex(Slice slice) => FromSlice(slice);

    /// <summary>Converts an integer index (the dimension is dropped).</summary>
    public static implicit operator OrthogonalIndex(int index) => FromSlice(Slice.At(index));

    /// <summary>Converts an integer index (the dimension is dropped).</summary>
    public static implicit operator OrthogonalIndex(long index) => FromSlice(Slice.At(index));

    /// <summary>Converts an index (<c>^1</c> is the last element; the dimension is dropped).</summary>
    public static implicit operator OrthogonalIndex(Index index) => FromSlice(index);

    /// <summary>Converts a range.</summary>
    public static implicit operator OrthogonalIndex(Range range) => FromSlice(range);

    /// <summary>Converts a list of indices.</summary>
    public static implicit operator OrthogonalIndex(long[] indices) => FromIndices(indices);

    /// <summary>Converts a list of indices.</summary>
    public static implicit operator OrthogonalIndex(int[] indices) => FromIndices(indices);

    /// <summary>Converts a Boolean mask.</summary>
    public static implicit operator OrthogonalIndex(bool[] mask) => FromMask(mask);

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        OrthogonalIndexKind.Indices => $"[{string.Join(", ", _indices!)}]",
        OrthogonalIndexKind.Mask => $"mask of {_mask!.Length}",
        _ => Slice.ToString(),
    };
}

/// <summary>The kinds of <see cref="OrthogonalIndex"/>.</summary>
public enum OrthogonalIndexKind
{
    /// <summary>A range, step or integer.</summary>
    Slice,

    /// <summary>A list of integer indices.</summary>
    Indices,

    /// <summary>A Boolean mask of the dimension's length.</summary>
    Mask,
}
