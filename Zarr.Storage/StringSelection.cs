using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Zarr.Storage;

/// <summary>
/// A selection of a string array, made by its indexer as <see cref="ArraySelection{T}"/> is by a typed array's
/// (<c>names[0..3]</c>, <c>names[.., 2]</c>). Awaiting it reads it (<c>var (values, shape) = await names[..3];</c>); its
/// methods read, write or fill the selection through the array's own entry points.
/// </summary>
public readonly struct StringSelection : IEquatable<StringSelection>
{
    private readonly ZarrStringArray _array;
    private readonly Slice[] _selection;

    internal StringSelection(ZarrStringArray array, Slice[] selection)
    {
        _array = array;
        _selection = selection;
    }

    /// <summary>The shape the selection reads as (dimensions selected by an integer are dropped).</summary>
    public ImmutableArray<long> Shape => ImmutableCollectionsMarshal.AsImmutableArray(SelectionPlan.Create(_array.Array.Grid, _selection).OutputShape);

    /// <summary>Reads the selection as strings (C order) with its shape: the documented way to read (awaiting the selection is a shorthand without a token).</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    public Task<(string?[] Values, long[] Shape)> ReadAsync(CancellationToken cancellationToken = default) => _array.ReadAsync(_selection, cancellationToken);

    /// <summary>Reads the selection of a fixed-length bytes (<c>|S n</c>) array: each value's bytes without trailing NULs.</summary>
    public Task<(byte[][] Values, long[] Shape)> ReadByteStringsAsync(CancellationToken cancellationToken = default) => _array.ReadByteStringsAsync(_selection, cancellationToken);

    /// <summary>Writes strings (C order, exactly the selection's element count).</summary>
    public Task WriteAsync(ReadOnlyMemory<string?> values, CancellationToken cancellationToken = default) => _array.WriteAsync(_selection, values, cancellationToken);

    /// <summary>Writes an array of strings (C order, exactly the selection's element count).</summary>
    public Task WriteAsync(string?[] values, CancellationToken cancellationToken = default) => _array.WriteAsync(_selection, values, cancellationToken);

    /// <summary>Writes byte strings (C order) into a fixed-length bytes (<c>|S n</c>) array, each NUL padded.</summary>
    public Task WriteByteStringsAsync(ReadOnlyMemory<byte[]> values, CancellationToken cancellationToken = default) => _array.WriteByteStringsAsync(_selection, values, cancellationToken);

    /// <summary>Sets every selected element to <paramref name="value"/>.</summary>
    public Task FillAsync(string value, CancellationToken cancellationToken = default) => _array.FillAsync(_selection, value, cancellationToken);

    /// <summary>Lets <c>await names[..]</c> read the selection: <see cref="ReadAsync"/> without a cancellation token.</summary>
    public TaskAwaiter<(string?[] Values, long[] Shape)> GetAwaiter() => ReadAsync().GetAwaiter();

    /// <inheritdoc />
    public bool Equals(StringSelection other) => ReferenceEquals(_array, other._array) && ReferenceEquals(_selection, other._selection);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is StringSelection other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_array, _selection);

    /// <summary>Equality.</summary>
    public static bool operator ==(StringSelection left, StringSelection right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(StringSelection left, StringSelection right) => !left.Equals(right);
}
