using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Zarr.Storage.Internal;

namespace Zarr.Storage;

/// <summary>
/// A field-by-field view of an array of a structured data type. Whole rows are the array's raw elements
/// (<see cref="ZarrArray.ReadBytesAsync"/> / <see cref="ZarrArray.WriteBytesAsync"/>: each element packed, fields in
/// order at <see cref="StructField.Offset"/>, every component little-endian whatever the stored byte order); this
/// view reads one field of a selection as typed values.
/// </summary>
public sealed class ZarrStructuredArray
{
    private readonly ZarrArray _array;

    /// <summary>A field view of <paramref name="array"/>.</summary>
    /// <exception cref="ZarrTypeMismatchException">The array's data type is not structured.</exception>
    public ZarrStructuredArray(ZarrArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array.DataType.Kind != DataTypeKind.Structured)
        {
            throw new ZarrTypeMismatchException(array.Path, array.DataType.ToString(), typeof(byte[]));
        }

        _array = array;
    }

    /// <summary>The array.</summary>
    public ZarrArray Array => _array;

    /// <summary>The structured type's fields, in order.</summary>
    public IReadOnlyList<StructField> Fields => _array.DataType.Fields;

    /// <summary>Opens an existing structured array.</summary>
    /// <exception cref="ZarrTypeMismatchException">The array is not structured.</exception>
    public static async Task<ZarrStructuredArray> OpenAsync(IStore store, string path = "", AccessMode mode = AccessMode.Read, CancellationToken cancellationToken = default) =>
        new(await ZarrArray.OpenAsync(store, path, mode, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Reads one field of a selection: its values in C order, and the shape — the selection's, followed by the field's
    /// sub-array shape when it has one. <typeparamref name="T"/> is the field type's CLR type (<c>int</c>,
    /// <c>double</c>, <see cref="Zarr.Storage.DateTime64"/>, ...); a nested structured or string field is read as
    /// <c>byte</c> (its raw bytes per element).
    /// </summary>
    /// <exception cref="ZarrException">No such field, or <typeparamref name="T"/> does not fit it.</exception>
    public async Task<(T[] Values, long[] Shape)> ReadFieldAsync<T>(string name, Slice[] selection, CancellationToken cancellationToken = default)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(selection);
        var field = _array.DataType.GetField(name);
        var perElement = typeof(T) == typeof(byte) && field.DataType.ClrType != typeof(byte)
            ? field.Size
            : field.DataType.ClrType == typeof(T) ? field.ElementCount : -1;
        if (perElement < 0)
        {
            throw new ZarrException($"the field {UserText.Quote(name)} is {field.DataType}; read it as {field.DataType.ClrType.Name}{(field.DataType.IsFixedSize ? " (or its raw bytes as Byte)" : "")}, not {typeof(T).Name}");
        }

        var (rows, shape) = await _array.ReadBytesAsync(selection, cancellationToken).ConfigureAwait(false);
        var itemSize = _array.DataType.ItemSize;
        var count = rows.Length / itemSize;
        var values = new T[checked(count * perElement)];
        var destination = MemoryMarshal.AsBytes(values.AsSpan());
        var width = perElement * Unsafe.SizeOf<T>();
        for (var i = 0; i < count; i++)
        {
            rows.AsSpan((i * itemSize) + field.Offset, width).CopyTo(destination.Slice(i * width, width));
        }

        long[] resultShape = typeof(T) == typeof(byte) && field.DataType.ClrType != typeof(byte)
            ? [.. shape, .. field.Shape.Select(s => (long)s), field.DataType.ItemSize]
            : [.. shape, .. field.Shape.Select(s => (long)s)];
        return (values, resultShape);
    }
}
