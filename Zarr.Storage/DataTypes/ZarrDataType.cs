using System.Globalization;
using System.Numerics;
using System.Text;
using Zarr.Storage.Codecs;
using Zarr.Storage.Internal;

namespace Zarr.Storage;

/// <summary>
/// An element type: its Zarr v3 name, its size, its CLR type and numpy's type code. The core types (bool, integers,
/// floats, complex) are singletons; the parameterised ones (<see cref="DateTime64(TimeUnit, int)"/>,
/// <see cref="TimeDelta64(TimeUnit, int)"/>, <see cref="FixedBytes"/>, <see cref="FixedUnicode"/>,
/// <see cref="Structured(IEnumerable{StructField})"/>) and <see cref="String"/> compare by value. In memory, elements are always little-endian
/// (every scalar component; a structured type field by field); byte order on disk is the <c>bytes</c> codec's
/// business (and, for a structured type read from v2, a field's own <see cref="StructField.ByteOrder"/>).
/// </summary>
public sealed partial class ZarrDataType : IEquatable<ZarrDataType>
{
    private readonly StructField[] _fields;

    private ZarrDataType(DataTypeKind kind, string name, int itemSize, Type clrType, char numpyKind,
        TimeUnit unit = TimeUnit.Generic, int scale = 1, int length = 0, StructField[]? fields = null)
    {
        Kind = kind;
        Name = name;
        ItemSize = itemSize;
        ClrType = clrType;
        NumpyKind = numpyKind;
        TimeUnit = unit;
        TimeScale = scale;
        Length = length;
        _fields = fields ?? [];
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

    /// <summary>
    /// Variable-length UTF-8 strings (v3 <c>string</c> with the <c>vlen-utf8</c> codec; v2 <c>|O</c> with the
    /// <c>vlen-utf8</c> filter). Not fixed-size: <see cref="ItemSize"/> is 0 and the array's values are read and
    /// written through <see cref="ZarrStringArray"/>, never as bytes.
    /// </summary>
    public static ZarrDataType String { get; } = new(DataTypeKind.String, "string", 0, typeof(string), 'O');

    /// <summary>bfloat16 (zarr-extensions; v3 only): elements are <see cref="Zarr.Storage.BFloat16"/>.</summary>
    public static ZarrDataType BFloat16 { get; } = new(DataTypeKind.BFloat16, "bfloat16", 2, typeof(BFloat16), 'f');
    /// <summary>int2 (zarr-extensions; v3 only): −2..1, elements are <see cref="sbyte"/>.</summary>
    public static ZarrDataType Int2 { get; } = new(DataTypeKind.Int2, "int2", 1, typeof(sbyte), 'i');
    /// <summary>int4 (zarr-extensions; v3 only): −8..7, elements are <see cref="sbyte"/>.</summary>
    public static ZarrDataType Int4 { get; } = new(DataTypeKind.Int4, "int4", 1, typeof(sbyte), 'i');
    /// <summary>uint2 (zarr-extensions; v3 only): 0..3, elements are <see cref="byte"/>.</summary>
    public static ZarrDataType UInt2 { get; } = new(DataTypeKind.UInt2, "uint2", 1, typeof(byte), 'u');
    /// <summary>uint4 (zarr-extensions; v3 only): 0..15, elements are <see cref="byte"/>.</summary>
    public static ZarrDataType UInt4 { get; } = new(DataTypeKind.UInt4, "uint4", 1, typeof(byte), 'u');

    /// <summary>float8_e3m4 (zarr-extensions; v3 only): elements are the bits, one <see cref="byte"/> each (<see cref="MiniFloat"/> converts).</summary>
    public static ZarrDataType Float8E3M4 { get; } = MiniFloatType(DataTypeKind.Float8E3M4, MiniFloatFormat.Float8E3M4);
    /// <summary>float8_e4m3 (zarr-extensions; v3 only): elements are the bits, one <see cref="byte"/> each.</summary>
    public static ZarrDataType Float8E4M3 { get; } = MiniFloatType(DataTypeKind.Float8E4M3, MiniFloatFormat.Float8E4M3);
    /// <summary>float8_e4m3b11fnuz (zarr-extensions; v3 only): elements are the bits, one <see cref="byte"/> each.</summary>
    public static ZarrDataType Float8E4M3B11Fnuz { get; } = MiniFloatType(DataTypeKind.Float8E4M3B11Fnuz, MiniFloatFormat.Float8E4M3B11Fnuz);
    /// <summary>float8_e4m3fnuz (zarr-extensions; v3 only): elements are the bits, one <see cref="byte"/> each.</summary>
    public static ZarrDataType Float8E4M3Fnuz { get; } = MiniFloatType(DataTypeKind.Float8E4M3Fnuz, MiniFloatFormat.Float8E4M3Fnuz);
    /// <summary>float8_e5m2 (zarr-extensions; v3 only): elements are the bits, one <see cref="byte"/> each.</summary>
    public static ZarrDataType Float8E5M2 { get; } = MiniFloatType(DataTypeKind.Float8E5M2, MiniFloatFormat.Float8E5M2);
    /// <summary>float8_e5m2fnuz (zarr-extensions; v3 only): elements are the bits, one <see cref="byte"/> each.</summary>
    public static ZarrDataType Float8E5M2Fnuz { get; } = MiniFloatType(DataTypeKind.Float8E5M2Fnuz, MiniFloatFormat.Float8E5M2Fnuz);
    /// <summary>float8_e8m0fnu (zarr-extensions; v3 only): elements are the bits, one <see cref="byte"/> each.</summary>
    public static ZarrDataType Float8E8M0Fnu { get; } = MiniFloatType(DataTypeKind.Float8E8M0Fnu, MiniFloatFormat.Float8E8M0Fnu);
    /// <summary>float6_e2m3fn (zarr-extensions; v3 only): elements are the 6 bits in one <see cref="byte"/> each.</summary>
    public static ZarrDataType Float6E2M3Fn { get; } = MiniFloatType(DataTypeKind.Float6E2M3Fn, MiniFloatFormat.Float6E2M3Fn);
    /// <summary>float6_e3m2fn (zarr-extensions; v3 only): elements are the 6 bits in one <see cref="byte"/> each.</summary>
    public static ZarrDataType Float6E3M2Fn { get; } = MiniFloatType(DataTypeKind.Float6E3M2Fn, MiniFloatFormat.Float6E3M2Fn);
    /// <summary>float4_e2m1fn (zarr-extensions; v3 only): elements are the 4 bits in one <see cref="byte"/> each.</summary>
    public static ZarrDataType Float4E2M1Fn { get; } = MiniFloatType(DataTypeKind.Float4E2M1Fn, MiniFloatFormat.Float4E2M1Fn);

    /// <summary>
    /// The parameterless types of zarr-extensions this library reads and writes besides the core ones (v3 only:
    /// numpy has no such types without ml_dtypes, so v2 cannot hold them): bfloat16, int2, int4, uint2, uint4 and the
    /// float8/float6/float4 formats of <see cref="MiniFloatFormat.All"/>.
    /// </summary>
    public static IReadOnlyList<ZarrDataType> Extensions { get; } =
    [
        BFloat16, Int2, Int4, UInt2, UInt4, Float8E3M4, Float8E4M3, Float8E4M3B11Fnuz, Float8E4M3Fnuz, Float8E5M2,
        Float8E5M2Fnuz, Float8E8M0Fnu, Float6E2M3Fn, Float6E3M2Fn, Float4E2M1Fn,
    ];

    /// <summary>The format of a float8/float6/float4 type (its conversions to and from double); null for the other types.</summary>
    public MiniFloatFormat? MiniFloat { get; private init; }

    /// <summary>The bits of a value: 2 or 4 for the sub-byte integers, 8, 6 or 4 for the small floats, 8 × <see cref="ItemSize"/> otherwise.</summary>
    public int BitWidth => Kind switch
    {
        DataTypeKind.Int2 or DataTypeKind.UInt2 => 2,
        DataTypeKind.Int4 or DataTypeKind.UInt4 => 4,
        _ => MiniFloat?.BitWidth ?? ItemSize * 8,
    };

    private static ZarrDataType MiniFloatType(DataTypeKind kind, MiniFloatFormat format) =>
        new(kind, format.Name, 1, typeof(byte), 'f') { MiniFloat = format };

    /// <summary>True for the types v2 (numpy's type strings) cannot describe: <see cref="Extensions"/>.</summary>
    internal bool IsV3Only => Kind >= DataTypeKind.BFloat16;

    /// <summary>Every core data type (the fixed, parameterless ones), in the order of <see cref="DataTypeKind"/>.</summary>
    public static IReadOnlyList<ZarrDataType> All { get; } =
    [
        Bool, Int8, Int16, Int32, Int64, UInt8, UInt16, UInt32, UInt64, Float16, Float32, Float64, Complex64, Complex128,
    ];

    /// <summary>The kind.</summary>
    public DataTypeKind Kind { get; }

    /// <summary>
    /// The Zarr v3 name (<c>int32</c>, <c>float64</c>, ...; for the extension types the registered name:
    /// <c>numpy.datetime64</c>, <c>numpy.timedelta64</c>, <c>null_terminated_bytes</c>, <c>fixed_length_utf32</c>,
    /// <c>struct</c>, <c>string</c>). A parameterised type's full v3 form also has a configuration.
    /// </summary>
    public string Name { get; }

    /// <summary>Bytes per element (0 for the variable-length <see cref="String"/>).</summary>
    public int ItemSize { get; }

    /// <summary>
    /// The CLR element type: <see cref="Zarr.Storage.DateTime64"/> / <see cref="Zarr.Storage.TimeDelta64"/> for dates
    /// (whatever the unit), <c>byte[]</c> for fixed bytes and structured types (read them as bytes or field by field),
    /// <c>string</c> for fixed unicode and variable-length strings.
    /// </summary>
    public Type ClrType { get; }

    /// <summary>numpy's kind character: b, i, u, f, c, M, m, S, U, V (structured) or O (object, for strings).</summary>
    public char NumpyKind { get; }

    /// <summary>The time unit of a datetime64/timedelta64 (<see cref="TimeUnit.Generic"/> for other types).</summary>
    public TimeUnit TimeUnit { get; }

    /// <summary>The scale factor of a datetime64/timedelta64 unit (10 for <c>M8[10s]</c>; 1 for other types).</summary>
    public int TimeScale { get; }

    /// <summary>The length of a fixed-length string: bytes for <see cref="FixedBytes"/>, code points for <see cref="FixedUnicode"/>; 0 otherwise.</summary>
    public int Length { get; }

    /// <summary>The fields of a structured type, in order, with their offsets; empty otherwise.</summary>
    public IReadOnlyList<StructField> Fields => _fields;

    /// <summary>True for float16/32/64.</summary>
    public bool IsFloatingPoint => NumpyKind == 'f';

    /// <summary>True for complex64/128.</summary>
    public bool IsComplex => NumpyKind == 'c';

    /// <summary>False only for the variable-length <see cref="String"/>.</summary>
    public bool IsFixedSize => Kind != DataTypeKind.String;

    /// <summary>True when storing the type needs a byte order: it has a component wider than one byte whose order is not fixed by the type itself.</summary>
    public bool NeedsByteOrder => Kind == DataTypeKind.Structured
        ? _fields.Any(f => f.ByteOrder is null && f.DataType.NeedsByteOrder)
        : ComponentSize > 1;

    /// <summary>
    /// The size of one scalar component in bytes, which is what byte-swapping works on (complex: the part's size;
    /// datetime/timedelta: 8; fixed unicode: 4, a code unit; fixed bytes and strings: 1). A structured type is swapped
    /// field by field: 1 when every field is one byte wide, 0 otherwise.
    /// </summary>
    public int ComponentSize => Kind switch
    {
        DataTypeKind.Complex64 or DataTypeKind.Complex128 => ItemSize / 2,
        DataTypeKind.FixedBytes or DataTypeKind.String => 1,
        DataTypeKind.FixedUnicode => 4,
        DataTypeKind.Structured => HasMultiByteComponent ? 0 : 1,
        _ => ItemSize,
    };

    private bool HasMultiByteComponent => Kind == DataTypeKind.Structured
        ? _fields.Any(f => f.DataType.HasMultiByteComponent)
        : ComponentSize > 1;

    /// <summary>numpy's <c>datetime64</c> of <paramref name="unit"/> × <paramref name="scale"/> (<c>&lt;M8[ns]</c>, <c>&lt;M8[10s]</c>); elements are <see cref="Zarr.Storage.DateTime64"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The scale is not in [1, 2^31 − 1] or the unit is not a unit.</exception>
    public static ZarrDataType DateTime64(TimeUnit unit, int scale = 1)
    {
        CheckTime(unit, scale);
        return new ZarrDataType(DataTypeKind.DateTime64, "numpy.datetime64", 8, typeof(Zarr.Storage.DateTime64), 'M', unit, scale);
    }

    /// <summary>numpy's <c>timedelta64</c> of <paramref name="unit"/> × <paramref name="scale"/> (<c>&lt;m8[s]</c>); elements are <see cref="Zarr.Storage.TimeDelta64"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The scale is not in [1, 2^31 − 1] or the unit is not a unit.</exception>
    public static ZarrDataType TimeDelta64(TimeUnit unit, int scale = 1)
    {
        CheckTime(unit, scale);
        return new ZarrDataType(DataTypeKind.TimeDelta64, "numpy.timedelta64", 8, typeof(Zarr.Storage.TimeDelta64), 'm', unit, scale);
    }

    /// <summary>Fixed-length byte strings of <paramref name="length"/> bytes (numpy <c>|S n</c>, v3 <c>null_terminated_bytes</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The length is below 1.</exception>
    public static ZarrDataType FixedBytes(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        return new ZarrDataType(DataTypeKind.FixedBytes, "null_terminated_bytes", length, typeof(byte[]), 'S', length: length);
    }

    /// <summary>Fixed-length unicode strings of <paramref name="length"/> code points, UTF-32 (numpy <c>&lt;U n</c>, v3 <c>fixed_length_utf32</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The length is below 1 or above 536870911 (numpy's limit).</exception>
    public static ZarrDataType FixedUnicode(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, int.MaxValue / 4);
        return new ZarrDataType(DataTypeKind.FixedUnicode, "fixed_length_utf32", length * 4, typeof(string), 'U', length: length);
    }

    /// <summary>A structured type whose fields are packed in the order given (numpy's default layout, as zarr writes it).</summary>
    /// <exception cref="ArgumentException">No fields, a repeated or empty name, a field of variable size, or fields that add up to more than 2^31 − 1 bytes.</exception>
    public static ZarrDataType Structured(IEnumerable<StructField> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var list = new List<StructField>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var offset = 0;
        foreach (var f in fields)
        {
            ArgumentNullException.ThrowIfNull(f, nameof(fields));
            if (!names.Add(f.Name))
            {
                throw new ArgumentException($"the field name {UserText.Quote(f.Name)} appears twice", nameof(fields));
            }

            list.Add(f.At(offset));
            if (offset > int.MaxValue - f.Size)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"the fields add up to more than {int.MaxValue} bytes, the most an element holds"), nameof(fields));
            }

            offset += f.Size;
        }

        if (list.Count == 0)
        {
            throw new ArgumentException("a structured type needs at least one field", nameof(fields));
        }

        return new ZarrDataType(DataTypeKind.Structured, "struct", offset, typeof(byte[]), 'V', fields: [.. list]);
    }

    /// <summary>A structured type of the fields given (see <see cref="Structured(IEnumerable{StructField})"/>).</summary>
    public static ZarrDataType Structured(params StructField[] fields) => Structured((IEnumerable<StructField>)fields);

    /// <summary>The field named <paramref name="name"/> of a structured type.</summary>
    /// <exception cref="ZarrException">The type is not structured or has no such field.</exception>
    public StructField GetField(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var f in _fields)
        {
            if (f.Name == name)
            {
                return f;
            }
        }

        throw new ZarrException(Kind == DataTypeKind.Structured
            ? $"the structured type {this} has no field {UserText.Quote(name)} (fields: {UserText.Clip(string.Join(", ", _fields.Select(f => f.Name)))})"
            : $"{this} is not a structured type; it has no field {UserText.Quote(name)}");
    }

    /// <summary>
    /// Runs <paramref name="visitor"/>'s method for this type's kind: the one place where code that depends on the element
    /// type turns a run-time <see cref="ZarrDataType"/> into a type argument.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="visitor"/> is null.</exception>
    public TResult Accept<TResult>(IZarrDataTypeVisitor<TResult> visitor)
    {
        ArgumentNullException.ThrowIfNull(visitor);
        return Kind switch
        {
            DataTypeKind.Bool => visitor.VisitBool(),
            DataTypeKind.Int8 => visitor.VisitNumber<sbyte>(),
            DataTypeKind.Int16 => visitor.VisitNumber<short>(),
            DataTypeKind.Int32 => visitor.VisitNumber<int>(),
            DataTypeKind.Int64 => visitor.VisitNumber<long>(),
            DataTypeKind.UInt8 => visitor.VisitNumber<byte>(),
            DataTypeKind.UInt16 => visitor.VisitNumber<ushort>(),
            DataTypeKind.UInt32 => visitor.VisitNumber<uint>(),
            DataTypeKind.UInt64 => visitor.VisitNumber<ulong>(),
            DataTypeKind.Float16 => visitor.VisitNumber<Half>(),
            DataTypeKind.Float32 => visitor.VisitNumber<float>(),
            DataTypeKind.Float64 => visitor.VisitNumber<double>(),
            DataTypeKind.Complex64 => visitor.VisitComplex64(),
            DataTypeKind.Complex128 => visitor.VisitComplex128(),
            DataTypeKind.DateTime64 => visitor.VisitDateTime64(this),
            DataTypeKind.TimeDelta64 => visitor.VisitTimeDelta64(this),
            DataTypeKind.FixedBytes => visitor.VisitFixedBytes(this),
            DataTypeKind.FixedUnicode => visitor.VisitFixedUnicode(this),
            DataTypeKind.Structured => visitor.VisitStructured(this),
            DataTypeKind.String => visitor.VisitString(),
            DataTypeKind.BFloat16 => visitor.VisitBFloat16(),
            DataTypeKind.Int2 or DataTypeKind.Int4 => visitor.VisitNumber<sbyte>(),
            DataTypeKind.UInt2 or DataTypeKind.UInt4 => visitor.VisitNumber<byte>(),
            >= DataTypeKind.Float8E3M4 and <= DataTypeKind.Float4E2M1Fn => visitor.VisitMiniFloat(this),
            _ => throw new InvalidOperationException($"no visitor method for the kind {Kind}"),
        };
    }

    /// <summary>
    /// The data type whose CLR type is <typeparamref name="T"/>, or null when none has it (see <see cref="Of{T}"/>).
    /// </summary>
    public static ZarrDataType? TryOf<T>() where T : unmanaged => TypeCache<T>.Value;

    /// <summary>
    /// The data type whose CLR type is <typeparamref name="T"/>; <see cref="Zarr.Storage.DateTime64"/> and
    /// <see cref="Zarr.Storage.TimeDelta64"/> give nanosecond units (choose another unit with
    /// <see cref="DateTime64(TimeUnit, int)"/>).
    /// </summary>
    /// <exception cref="ZarrException">No data type has that CLR type.</exception>
    public static ZarrDataType Of<T>() where T : unmanaged => TypeCache<T>.Value ?? throw new ZarrException($"{typeof(T).Name} is not a Zarr data type; use one of {string.Join(", ", All.Select(t => t.ClrType.Name))}, DateTime64 or TimeDelta64");

    /// <summary>
    /// numpy's type code without byte order: <c>b1</c>, <c>i4</c>, <c>f8</c>, <c>c16</c>, <c>M8[ns]</c>,
    /// <c>m8[10s]</c>, <c>S8</c>, <c>U6</c>, <c>V13</c> (structured: see its fields), <c>O</c>.
    /// </summary>
    public string NumpyTypeCode => Kind switch
    {
        DataTypeKind.DateTime64 or DataTypeKind.TimeDelta64 => TimeUnit == TimeUnit.Generic && TimeScale == 1
            ? $"{NumpyKind}8"
            : string.Create(CultureInfo.InvariantCulture, $"{NumpyKind}8[{(TimeScale == 1 ? "" : TimeScale.ToString(CultureInfo.InvariantCulture))}{TimeUnits.Code(TimeUnit)}]"),
        DataTypeKind.FixedBytes or DataTypeKind.FixedUnicode => string.Create(CultureInfo.InvariantCulture, $"{NumpyKind}{Length}"),
        DataTypeKind.String => "O",
        _ => string.Create(CultureInfo.InvariantCulture, $"{NumpyKind}{ItemSize}"),
    };

    /// <summary>
    /// The numpy type string with a byte order (<c>&lt;i4</c>, <c>&gt;f8</c>, <c>|u1</c>, <c>|b1</c>, <c>&lt;M8[ns]</c>,
    /// <c>|S8</c>, <c>&gt;U6</c>, <c>|O</c>; a structured type gives numpy's <c>|V13</c>, its fields are written as a list).
    /// </summary>
    public string ToNumpyTypeString(bool bigEndian = false) =>
        ComponentSize == 1 || Kind is DataTypeKind.Structured or DataTypeKind.String
            ? $"|{NumpyTypeCode}"
            : $"{(bigEndian ? '>' : '<')}{NumpyTypeCode}";

    /// <summary>
    /// The components to byte-swap in each element when the stored order differs from little-endian: pairs of
    /// (offset, size) in one element. <paramref name="bigEndian"/> is the bytes codec's order; a structured field with
    /// its own <see cref="StructField.ByteOrder"/> keeps it.
    /// </summary>
    internal List<(int Offset, int Size)> SwapSegments(bool bigEndian)
    {
        var segments = new List<(int, int)>();
        AddSwapSegments(segments, 0, bigEndian);
        return segments;
    }

    private void AddSwapSegments(List<(int, int)> segments, int baseOffset, bool bigEndian)
    {
        if (Kind == DataTypeKind.Structured)
        {
            foreach (var f in _fields)
            {
                var big = f.ByteOrder is { } order ? order == Endian.Big : bigEndian;
                for (var i = 0; i < f.ElementCount; i++)
                {
                    f.DataType.AddSwapSegments(segments, baseOffset + f.Offset + (i * f.DataType.ItemSize), big);
                }
            }

            return;
        }

        var part = ComponentSize;
        if (!bigEndian || part <= 1)
        {
            return;
        }

        for (var o = 0; o < ItemSize; o += part)
        {
            segments.Add((baseOffset + o, part));
        }
    }

    /// <inheritdoc />
    public bool Equals(ZarrDataType? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        return other is not null && Kind == other.Kind && TimeUnit == other.TimeUnit && TimeScale == other.TimeScale
            && Length == other.Length && _fields.AsSpan().SequenceEqual(other._fields);
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ZarrDataType);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Kind);
        hash.Add(TimeUnit);
        hash.Add(TimeScale);
        hash.Add(Length);
        foreach (var f in _fields)
        {
            hash.Add(f);
        }

        return hash.ToHashCode();
    }

    /// <summary>Value equality.</summary>
    public static bool operator ==(ZarrDataType? left, ZarrDataType? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(ZarrDataType? left, ZarrDataType? right) => !(left == right);

    /// <summary>
    /// The name a numpy user knows the type by, as <c>zarr info</c> and <c>zarr tree</c> print it: the v3 name of a core
    /// type (<c>int32</c>, <c>float64</c>), <c>datetime64[s]</c>, <c>timedelta64[10ms]</c>, <c>&lt;U5</c>, <c>|S3</c>,
    /// <c>struct{...}</c>, <c>string</c>.
    /// </summary>
    public string NumpyName => Kind is DataTypeKind.FixedBytes or DataTypeKind.FixedUnicode ? ToNumpyTypeString() : ToString();

    /// <summary>The v3 name for core types; a numpy-like description for the others (<c>datetime64[ns]</c>, <c>S8</c>, <c>U6</c>, <c>struct{x: int32, y: float64}</c>).</summary>
    public override string ToString() => Kind switch
    {
        DataTypeKind.DateTime64 => "datetime64" + TimeSuffix(),
        DataTypeKind.TimeDelta64 => "timedelta64" + TimeSuffix(),
        DataTypeKind.FixedBytes or DataTypeKind.FixedUnicode => NumpyTypeCode,
        DataTypeKind.Structured => "struct{" + string.Join(", ", _fields.Select(f => f.ToString())) + "}",
        _ => Name,
    };

    private string TimeSuffix() => TimeUnit == TimeUnit.Generic && TimeScale == 1
        ? string.Empty
        : string.Create(CultureInfo.InvariantCulture, $"[{(TimeScale == 1 ? "" : TimeScale.ToString(CultureInfo.InvariantCulture))}{TimeUnits.Code(TimeUnit)}]");

    private static void CheckTime(TimeUnit unit, int scale)
    {
        if (unit is < TimeUnit.Generic or > TimeUnit.Attosecond)
        {
            throw new ArgumentOutOfRangeException(nameof(unit), unit, "not a time unit");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
    }

    private static class TypeCache<T>
    {
        public static readonly ZarrDataType? Value =
            typeof(T) == typeof(Zarr.Storage.BFloat16) ? BFloat16
            : typeof(T) == typeof(Zarr.Storage.DateTime64) ? DateTime64(TimeUnit.Nanosecond)
            : typeof(T) == typeof(Zarr.Storage.TimeDelta64) ? TimeDelta64(TimeUnit.Nanosecond)
            : All.FirstOrDefault(t => t.ClrType == typeof(T));
    }
}
