using System.Buffers.Binary;
using Zarr.Storage;
using Zarr.Storage.Codecs;

namespace Zarr.Cli.Tests;

/// <summary>
/// Arrays of every data type the library reads beyond plain numbers, made by the library (v2 and v3, either byte
/// order), with the numpy descr that <c>zarr export</c> gives them, for the export and import tests.
/// </summary>
internal static class DataTypeCases
{
    public static readonly long[] Shape = [5, 7];

    /// <summary>The regions every export is checked with (as numpy indices): whole, strided, a dropped dimension, one element.</summary>
    public static readonly (string Region, string Numpy)[] Regions =
    [
        ("", "()"),
        ("1:4,::3", "np.s_[1:4,::3]"),
        ("-2,2:", "np.s_[-2,2:]"),
        ("3,-1", "np.s_[3,-1]"),
    ];

    private static readonly ZarrDataType Flat = ZarrDataType.Structured(
        new StructField("x", ZarrDataType.Int32),
        new StructField("t", ZarrDataType.DateTime64(TimeUnit.Millisecond)),
        new StructField("s", ZarrDataType.FixedBytes(3)),
        new StructField("ok", ZarrDataType.Bool),
        new StructField("c", ZarrDataType.Complex64),
        new StructField("u", ZarrDataType.FixedUnicode(2)));

    private static readonly ZarrDataType Nested = ZarrDataType.Structured(
        new StructField("x", ZarrDataType.Int32),
        new StructField("y", ZarrDataType.Float64, [2]),
        new StructField("ok", ZarrDataType.Bool),
        new StructField("n", ZarrDataType.Structured(new StructField("a", ZarrDataType.Int16), new StructField("s", ZarrDataType.FixedBytes(2))), [2]),
        new StructField("m", ZarrDataType.UInt16, [2, 3]),
        new StructField("d", ZarrDataType.TimeDelta64(TimeUnit.Microsecond)));

    private static readonly ZarrDataType Mixed = ZarrDataType.Structured(
        new StructField("x", ZarrDataType.Int32, byteOrder: Endian.Big),
        new StructField("y", ZarrDataType.Float32, [2]),
        new StructField("t", ZarrDataType.DateTime64(TimeUnit.Nanosecond), byteOrder: Endian.Big),
        new StructField("u", ZarrDataType.FixedUnicode(3), byteOrder: Endian.Big));

    /// <summary>Arrays the library makes: name → (type, format, stored byte order, the numpy descr export must give).</summary>
    public static readonly Dictionary<string, (ZarrDataType Type, ZarrFormat Format, Endian Endian, string Descr)> Library = BuildLibraryCases();

    public static TheoryData<string> LibraryNames() => [.. Library.Keys];

    private static Dictionary<string, (ZarrDataType, ZarrFormat, Endian, string)> BuildLibraryCases()
    {
        var cases = new Dictionary<string, (ZarrDataType, ZarrFormat, Endian, string)>(StringComparer.Ordinal);
        var types = new (string Name, ZarrDataType Type, string Descr, bool V3)[]
        {
            ("M8[ns]", ZarrDataType.DateTime64(TimeUnit.Nanosecond), "'<M8[ns]'", true),
            ("M8[10s]", ZarrDataType.DateTime64(TimeUnit.Second, 10), "'<M8[10s]'", true),
            ("M8[D]", ZarrDataType.DateTime64(TimeUnit.Day), "'<M8[D]'", true),
            ("m8[s]", ZarrDataType.TimeDelta64(TimeUnit.Second), "'<m8[s]'", true),
            ("m8[ps]", ZarrDataType.TimeDelta64(TimeUnit.Picosecond), "'<m8[ps]'", true),
            ("S8", ZarrDataType.FixedBytes(8), "'|S8'", true),
            ("U6", ZarrDataType.FixedUnicode(6), "'<U6'", true),
            ("U70 (wider than blosc's typesize)", ZarrDataType.FixedUnicode(70), "'<U70'", true),
            ("struct", Flat, "[('x', '<i4'), ('t', '<M8[ms]'), ('s', '|S3'), ('ok', '|b1'), ('c', '<c8'), ('u', '<U2')]", true),
            ("struct-nested-subarrays", Nested, "[('x', '<i4'), ('y', '<f8', (2,)), ('ok', '|b1'), ('n', [('a', '<i2'), ('s', '|S2')], (2,)), ('m', '<u2', (2, 3)), ('d', '<m8[us]')]", false),
            ("struct-mixed-byte-orders", Mixed, "[('x', '<i4'), ('y', '<f4', (2,)), ('t', '<M8[ns]'), ('u', '<U3')]", false),
            ("bool", ZarrDataType.Bool, "'|b1'", true),
            ("complex128", ZarrDataType.Complex128, "'<c16'", true),
        };
        foreach (var (name, type, descr, v3) in types)
        {
            foreach (var format in v3 ? new[] { ZarrFormat.V2, ZarrFormat.V3 } : [ZarrFormat.V2])
            {
                foreach (var endian in new[] { Endian.Little, Endian.Big })
                {
                    cases[$"{name} v{(format == ZarrFormat.V2 ? 2 : 3)} {(endian == Endian.Big ? "big" : "little")}-endian"] = (type, format, endian, descr);
                }
            }
        }

        return cases;
    }

    /// <summary>Creates the array (chunks that do not divide the shape) and writes every element; returns the values as the library holds them.</summary>
    public static async Task<byte[]> CreateAsync(string path, ZarrDataType type, ZarrFormat format, Endian endian)
    {
        var options = new ArrayOptions { Format = format, Chunks = [2, 3], Endian = endian };
        var array = await ZarrArray.CreateAsync(new DirectoryStore(path), "", type, Shape, options);
        var values = new byte[Shape[0] * Shape[1] * type.ItemSize];
        for (var i = 0; i < Shape[0] * Shape[1]; i++)
        {
            Element(type, i, values.AsSpan(i * type.ItemSize, type.ItemSize));
        }

        await array.WriteBytesAsync([], values);
        return values;
    }

    /// <summary>Element <paramref name="i"/>'s bytes, little-endian: varied values of the type (NaT among dates; strings of every length, NUL padded).</summary>
    private static void Element(ZarrDataType type, int i, Span<byte> element)
    {
        switch (type.Kind)
        {
            case DataTypeKind.Bool:
                element[0] = (byte)(i % 3 == 0 ? 1 : 0);
                break;
            case DataTypeKind.Int8 or DataTypeKind.UInt8 or DataTypeKind.Int16 or DataTypeKind.UInt16 or DataTypeKind.Int32 or DataTypeKind.UInt32 or DataTypeKind.Int64 or DataTypeKind.UInt64:
                Span<byte> wide = stackalloc byte[8];
                BinaryPrimitives.WriteInt64LittleEndian(wide, (i * 2_654_435_761L) - 1_000_000_000_000);
                wide[..element.Length].CopyTo(element);
                break;
            case DataTypeKind.Float32:
                BinaryPrimitives.WriteSingleLittleEndian(element, (i * 0.75f) - 3);
                break;
            case DataTypeKind.Float64:
                BinaryPrimitives.WriteDoubleLittleEndian(element, (i / 7.0) - 3);
                break;
            case DataTypeKind.Complex64:
                BinaryPrimitives.WriteSingleLittleEndian(element, i * 1.5f);
                BinaryPrimitives.WriteSingleLittleEndian(element[4..], -i - 0.25f);
                break;
            case DataTypeKind.Complex128:
                BinaryPrimitives.WriteDoubleLittleEndian(element, i / 3.0);
                BinaryPrimitives.WriteDoubleLittleEndian(element[8..], -i * 1e300);
                break;
            case DataTypeKind.DateTime64 or DataTypeKind.TimeDelta64:
                BinaryPrimitives.WriteInt64LittleEndian(element, i % 5 == 3 ? long.MinValue : (i * 1_000_000_007L) - 9_000_000_000);
                break;
            case DataTypeKind.FixedBytes:
                element.Clear();
                for (var k = 0; k < i % (type.Length + 1); k++)
                {
                    element[k] = k == 1 && i % 4 == 1 ? (byte)0xFF : (byte)('a' + ((i + k) % 26));
                }

                break;
            case DataTypeKind.FixedUnicode:
                element.Clear();
                int[] codePoints = ['a', 'é', 0x1F600, '中', 'Z'];
                for (var k = 0; k < i % (type.Length + 1); k++)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(element[(4 * k)..], codePoints[(i + k) % codePoints.Length]);
                }

                break;
            case DataTypeKind.Structured:
                foreach (var field in type.Fields)
                {
                    var size = field.DataType.ItemSize;
                    for (var k = 0; k < field.ElementCount; k++)
                    {
                        Element(field.DataType, (i * 31) + k, element.Slice(field.Offset + (k * size), size));
                    }
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "no test values for this type");
        }
    }
}
