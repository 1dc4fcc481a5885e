using System.Numerics;

namespace Zarr.Storage.DataTypes;

/// <summary>The kinds of element this library stores.</summary>
public enum DataTypeKind
{
    /// <summary>bool, one byte 0 or 1.</summary>
    Bool,
    /// <summary>int8.</summary>
    Int8,
    /// <summary>int16.</summary>
    Int16,
    /// <summary>int32.</summary>
    Int32,
    /// <summary>int64.</summary>
    Int64,
    /// <summary>uint8.</summary>
    UInt8,
    /// <summary>uint16.</summary>
    UInt16,
    /// <summary>uint32.</summary>
    UInt32,
    /// <summary>uint64.</summary>
    UInt64,
    /// <summary>float16 (IEEE half).</summary>
    Float16,
    /// <summary>float32.</summary>
    Float32,
    /// <summary>float64.</summary>
    Float64,
    /// <summary>complex64: two float32.</summary>
    Complex64,
    /// <summary>complex128: two float64.</summary>
    Complex128,
}

/// <summary>
/// An element type: its Zarr v3 name, its size, its CLR type and numpy's type code. Instances are singletons,
/// so they compare by reference. In memory, elements are always little-endian; byte order on disk is the
/// <c>bytes</c> codec's business.
/// </summary>
public sealed class ZarrDataType
{
    private ZarrDataType(DataTypeKind kind, string name, int itemSize, Type clrType, char numpyKind)
    {
        Kind = kind;
        Name = name;
        ItemSize = itemSize;
        ClrType = clrType;
        NumpyKind = numpyKind;
    }

    /// <summary>bool.</summary>
    public static ZarrDataType Bool { get; } = new(DataTypeKind.Bool, "bool", 1, typeof(bool), 'b');
    /// <summary>int8.</summary>
    public static ZarrDataType Int8 { get; } = new(DataTypeKind.Int8, "int8", 1, typeof(sbyte), 'i');
    /// <summary>int16.</summary>
    public static ZarrDataType Int16 { get; } = new(DataTypeKind.Int16, "int16", 2, typeof(short), 'i');
    /// <summary>int32.</summary>
    public static ZarrDataType Int32 { get; } = new(DataTypeKind.Int32, "int32", 4, typeof(int), 'i');
    /// <summary>int64.</summary>
    public static ZarrDataType Int64 { get; } = new(DataTypeKind.Int64, "int64", 8, typeof(long), 'i');
    /// <summary>uint8.</summary>
    public static ZarrDataType UInt8 { get; } = new(DataTypeKind.UInt8, "uint8", 1, typeof(byte), 'u');
    /// <summary>uint16.</summary>
    public static ZarrDataType UInt16 { get; } = new(DataTypeKind.UInt16, "uint16", 2, typeof(ushort), 'u');
    /// <summary>uint32.</summary>
    public static ZarrDataType UInt32 { get; } = new(DataTypeKind.UInt32, "uint32", 4, typeof(uint), 'u');
    /// <summary>uint64.</summary>
    public static ZarrDataType UInt64 { get; } = new(DataTypeKind.UInt64, "uint64", 8, typeof(ulong), 'u');
    /// <summary>float16.</summary>
    public static ZarrDataType Float16 { get; } = new(DataTypeKind.Float16, "float16", 2, typeof(Half), 'f');
    /// <summary>float32.</summary>
    public static ZarrDataType Float32 { get; } = new(DataTypeKind.Float32, "float32", 4, typeof(float), 'f');
    /// <summary>float64.</summary>
    public static ZarrDataType Float64 { get; } = new(DataTypeKind.Float64, "float64", 8, typeof(double), 'f');
    /// <summary>complex64.</summary>
    public static ZarrDataType Complex64 { get; } = new(DataTypeKind.Complex64, "complex64", 8, typeof(Complex64), 'c');
    /// <summary>complex128.</summary>
    public static ZarrDataType Complex128 { get; } = new(DataTypeKind.Complex128, "complex128", 16, typeof(Complex), 'c');

    /// <summary>Every data type, in the order of <see cref="DataTypeKind"/>.</summary>
    public static IReadOnlyList<ZarrDataType> All { get; } =
    [
        Bool, Int8, Int16, Int32, Int64, UInt8, UInt16, UInt32, UInt64, Float16, Float32, Float64, Complex64, Complex128,
    ];

    /// <summary>The kind.</summary>
    public DataTypeKind Kind { get; }

    /// <summary>The Zarr v3 name, which is also numpy's name (<c>int32</c>, <c>float64</c>, ...).</summary>
    public string Name { get; }

    /// <summary>Bytes per element.</summary>
    public int ItemSize { get; }

    /// <summary>The CLR element type (<see cref="Complex64"/> for complex64, <see cref="Complex"/> for complex128).</summary>
    public Type ClrType { get; }

    /// <summary>numpy's kind character: b, i, u, f or c.</summary>
    public char NumpyKind { get; }

    /// <summary>True for float16/32/64.</summary>
    public bool IsFloatingPoint => NumpyKind == 'f';

    /// <summary>True for complex64/128.</summary>
    public bool IsComplex => NumpyKind == 'c';

    /// <summary>The data type whose CLR type is <typeparamref name="T"/>.</summary>
    /// <exception cref="ZarrException">No data type has that CLR type.</exception>
    public static ZarrDataType Of<T>() where T : unmanaged => TypeCache<T>.Value ?? throw new ZarrException($"{typeof(T).Name} is not a Zarr data type; use one of {string.Join(", ", All.Select(t => t.ClrType.Name))}");

    /// <summary>Finds a data type by its v3 name or a numpy name or type string (<c>int32</c>, <c>i4</c>, <c>&lt;f8</c>, <c>bool</c>); the byte order of a type string is ignored here.</summary>
    public static bool TryParse(string name, out ZarrDataType dataType)
    {
        ArgumentNullException.ThrowIfNull(name);
        var n = name.Length > 1 && name[0] is '<' or '>' or '|' or '=' ? name[1..] : name;
        foreach (var t in All)
        {
            if (t.Name == n || t.NumpyTypeCode == n)
            {
                dataType = t;
                return true;
            }
        }

        if (n is "b1" or "?")
        {
            dataType = Bool;
            return true;
        }

        dataType = null!;
        return false;
    }

    /// <summary>Finds a data type by name (see <see cref="TryParse"/>).</summary>
    /// <exception cref="ZarrException">The name is not a supported data type.</exception>
    public static ZarrDataType Parse(string name) =>
        TryParse(name, out var t) ? t : throw new ZarrException($"'{name}' is not a supported data type; use one of {string.Join(", ", All.Select(d => d.Name))}");

    /// <summary>numpy's type code without byte order: <c>b1</c>, <c>i4</c>, <c>f8</c>, <c>c16</c>, ...</summary>
    public string NumpyTypeCode => $"{NumpyKind}{ItemSize}";

    /// <summary>The numpy type string with a byte order (<c>&lt;i4</c>, <c>&gt;f8</c>, <c>|u1</c>, <c>|b1</c>).</summary>
    public string ToNumpyTypeString(bool bigEndian = false) =>
        ItemSize == 1 ? $"|{NumpyTypeCode}" : $"{(bigEndian ? '>' : '<')}{NumpyTypeCode}";

    /// <summary>The size of one scalar component in bytes, which is what byte-swapping works on (complex: the part's size).</summary>
    public int ComponentSize => IsComplex ? ItemSize / 2 : ItemSize;

    /// <inheritdoc />
    public override string ToString() => Name;

    private static class TypeCache<T>
    {
        public static readonly ZarrDataType? Value = All.FirstOrDefault(t => t.ClrType == typeof(T));
    }
}
