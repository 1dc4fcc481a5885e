using System.Globalization;
using System.Numerics;
using Zarr.Storage;

namespace Zarr.Dataflow;

/// <summary>
/// A number whose type is chosen at run time, as a reduction of an untyped <see cref="LazyArray"/> gives it: numpy's
/// scalar result, exact, in one of <see cref="ZarrDataType.Bool"/>, <see cref="ZarrDataType.Int64"/>,
/// <see cref="ZarrDataType.UInt64"/>, <see cref="ZarrDataType.Float64"/> or <see cref="ZarrDataType.Complex128"/>.
/// </summary>
public readonly struct NumericScalar : IEquatable<NumericScalar>, IFormattable
{
    private readonly ZarrDataType? _dataType;
    private readonly long _bits;
    private readonly Complex _complex;

    private NumericScalar(ZarrDataType dataType, long bits, Complex complex)
    {
        _dataType = dataType;
        _bits = bits;
        _complex = complex;
    }

    /// <summary>The type of the value: bool, int64, uint64, float64 or complex128 (null only for <c>default</c>, which reads as int64 0).</summary>
    public ZarrDataType DataType => _dataType ?? ZarrDataType.Int64;

    /// <summary>The value boxed as its CLR type: <see cref="bool"/>, <see cref="long"/>, <see cref="ulong"/>, <see cref="double"/> or <see cref="Complex"/>.</summary>
    public object Value => DataType.Kind switch
    {
        DataTypeKind.Bool => _bits != 0,
        DataTypeKind.UInt64 => unchecked((ulong)_bits),
        DataTypeKind.Float64 => BitConverter.Int64BitsToDouble(_bits),
        DataTypeKind.Complex128 => _complex,
        _ => _bits,
    };

    /// <summary>A boolean.</summary>
    public static NumericScalar FromBoolean(bool value) => new(ZarrDataType.Bool, value ? 1 : 0, default);

    /// <summary>A signed 64-bit integer.</summary>
    public static NumericScalar FromInt64(long value) => new(ZarrDataType.Int64, value, default);

    /// <summary>An unsigned 64-bit integer.</summary>
    public static NumericScalar FromUInt64(ulong value) => new(ZarrDataType.UInt64, unchecked((long)value), default);

    /// <summary>A double.</summary>
    public static NumericScalar FromDouble(double value) => new(ZarrDataType.Float64, BitConverter.DoubleToInt64Bits(value), default);

    /// <summary>A double-precision complex number.</summary>
    public static NumericScalar FromComplex(Complex value) => new(ZarrDataType.Complex128, 0, value);

    /// <summary>The value as a signed 64-bit integer (bool: 0 or 1).</summary>
    /// <exception cref="OverflowException">An unsigned value above <see cref="long.MaxValue"/>.</exception>
    /// <exception cref="InvalidCastException">The value is a float or complex (convert it yourself: no rounding is chosen for you).</exception>
    public long ToInt64() => DataType.Kind switch
    {
        DataTypeKind.Bool or DataTypeKind.Int64 => _bits,
        DataTypeKind.UInt64 => checked((long)unchecked((ulong)_bits)),
        _ => throw new InvalidCastException($"the value {this} is {DataType}, not an integer"),
    };

    /// <summary>The value as an unsigned 64-bit integer (bool: 0 or 1).</summary>
    /// <exception cref="OverflowException">A negative signed value.</exception>
    /// <exception cref="InvalidCastException">The value is a float or complex.</exception>
    public ulong ToUInt64() => DataType.Kind switch
    {
        DataTypeKind.Bool or DataTypeKind.UInt64 => unchecked((ulong)_bits),
        DataTypeKind.Int64 => checked((ulong)_bits),
        _ => throw new InvalidCastException($"the value {this} is {DataType}, not an integer"),
    };

    /// <summary>The value as a double (integers above 2^53 round to the nearest double).</summary>
    /// <exception cref="InvalidCastException">The value is complex.</exception>
    public double ToDouble() => DataType.Kind switch
    {
        DataTypeKind.Bool or DataTypeKind.Int64 => _bits,
        DataTypeKind.UInt64 => unchecked((ulong)_bits),
        DataTypeKind.Float64 => BitConverter.Int64BitsToDouble(_bits),
        _ => throw new InvalidCastException($"the value {this} is complex; take its real part or magnitude"),
    };

    /// <summary>The value as a complex number (a real value has a zero imaginary part).</summary>
    public Complex ToComplex() => DataType.Kind == DataTypeKind.Complex128 ? _complex : new Complex(ToDouble(), 0);

    /// <inheritdoc />
    public bool Equals(NumericScalar other) => DataType == other.DataType && _bits == other._bits && _complex.Equals(other._complex);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is NumericScalar other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(DataType, _bits, _complex);

    /// <summary>Value and type equality.</summary>
    public static bool operator ==(NumericScalar left, NumericScalar right) => left.Equals(right);

    /// <summary>Value or type inequality.</summary>
    public static bool operator !=(NumericScalar left, NumericScalar right) => !left.Equals(right);

    /// <summary>The value in the invariant culture: integers exactly, doubles round-tripping, complex as (re, im), bool as True/False.</summary>
    public override string ToString() => ToString(null, CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public string ToString(string? format, IFormatProvider? formatProvider) => Value switch
    {
        double d when format is null => d.ToString("R", formatProvider),
        IFormattable f => f.ToString(format, formatProvider),
        var v => v.ToString() ?? "",
    };
}
