using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Zarr.Storage.Codecs;
using Zarr.Storage.Internal;

namespace Zarr.Storage;

/// <summary>
/// One field of a structured type: a name, a fixed-size type, an optional sub-array shape (numpy's
/// <c>('x', '&lt;f4', (2, 3))</c>) and, for v2 types whose fields differ in byte order, the field's own stored byte
/// order (a v2 type read so has its big-endian fields marked, the others following a little-endian bytes codec).
/// Fields compare by value (offset included).
/// </summary>
public sealed class StructField : IEquatable<StructField>
{
    private readonly int[] _shape;

    /// <summary>Creates a field.</summary>
    /// <param name="name">The field's name.</param>
    /// <param name="dataType">Its element type: any fixed-size type, including another structured type.</param>
    /// <param name="shape">The sub-array shape, or null (or empty) for a scalar field.</param>
    /// <param name="byteOrder">The stored byte order of this field, or null to follow the bytes codec (the usual case).</param>
    /// <exception cref="ArgumentException">The name is empty, the type is variable-length, a dimension is below 1, or the field is more than 2^31 − 1 bytes.</exception>
    public StructField(string name, ZarrDataType dataType, int[]? shape = null, Endian? byteOrder = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(dataType);
        if (!dataType.IsFixedSize)
        {
            throw new ArgumentException($"the field {UserText.Quote(name)} has the variable-length type {dataType}; structured fields are fixed-size", nameof(dataType));
        }

        _shape = shape is null ? [] : (int[])shape.Clone();
        var count = 1L;
        foreach (var s in _shape)
        {
            if (s < 1)
            {
                throw new ArgumentException($"the field {UserText.Quote(name)} has sub-array shape ({Sizes.Dims(_shape)}); dimensions are at least 1", nameof(shape));
            }

            // Both factors are under 2^31, so neither this product nor the size below overflows before the check.
            count = Math.Min(count * s, int.MaxValue + 1L);
        }

        if (count * dataType.ItemSize > int.MaxValue)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"the field {UserText.Quote(name)} of sub-array shape ({Sizes.Dims(_shape)}) and type {dataType} is more than {int.MaxValue} bytes, the most an element holds"), nameof(shape));
        }

        Name = name;
        DataType = dataType;
        ElementCount = (int)count;
        Size = ElementCount * dataType.ItemSize;
        ByteOrder = dataType.NeedsByteOrder ? byteOrder : null;
    }

    /// <summary>The field's name.</summary>
    public string Name { get; }

    /// <summary>The field's element type.</summary>
    public ZarrDataType DataType { get; }

    /// <summary>The sub-array shape (empty for a scalar field).</summary>
    public ImmutableArray<int> Shape => ImmutableArray.Create(_shape);

    /// <summary>Elements in the field (the product of <see cref="Shape"/>; 1 for a scalar field).</summary>
    public int ElementCount { get; }

    /// <summary>The field's size in bytes.</summary>
    public int Size { get; }

    /// <summary>The field's byte offset in the element (set when the structured type is made).</summary>
    public int Offset { get; private init; }

    /// <summary>The field's own stored byte order, or null when it follows the bytes codec.</summary>
    public Endian? ByteOrder { get; }

    internal ReadOnlySpan<int> ShapeSpan => _shape;

    internal StructField At(int offset) => offset == Offset ? this : new StructField(Name, DataType, _shape, ByteOrder) { Offset = offset };

    /// <inheritdoc />
    public bool Equals(StructField? other) =>
        other is not null && Name == other.Name && DataType == other.DataType && Offset == other.Offset
        && ByteOrder == other.ByteOrder && _shape.AsSpan().SequenceEqual(other._shape);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as StructField);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Name, DataType, Offset, ByteOrder, _shape.Length);

    /// <inheritdoc />
    public override string ToString()
    {
        var sb = new StringBuilder().Append(UserText.Clip(Name)).Append(": ").Append(DataType);
        if (_shape.Length > 0)
        {
            sb.Append('[').Append(string.Join(", ", _shape)).Append(']');
        }

        if (ByteOrder is { } order)
        {
            sb.Append(order == Endian.Big ? " (big-endian)" : " (little-endian)");
        }

        return sb.ToString();
    }
}
