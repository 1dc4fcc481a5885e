using System.Globalization;

namespace Zarr.Storage;

/// <summary>
/// A <c>bfloat16</c> element (zarr-extensions <c>bfloat16</c>; ml_dtypes' <c>bfloat16</c>): an IEEE 754 binary32 cut to
/// its top 16 bits, 1 sign, 8 exponent and 7 mantissa bits, with NaN, ±Infinity and subnormals. .NET 10 has no such
/// type; this one stores the bits and converts to and from <see cref="float"/> (exactly) and <see cref="double"/>
/// (rounded to nearest, ties to even, once). Compare as numbers by converting to float.
/// </summary>
public readonly struct BFloat16 : IEquatable<BFloat16>
{
    private BFloat16(ushort bits) => Bits = bits;

    /// <summary>The quiet NaN the extension names: <c>0x7fc0</c>.</summary>
    public static BFloat16 NaN => new(0x7FC0);

    /// <summary>The raw bits (<c>0bSEEEEEEEEMMMMMMM</c>).</summary>
    public ushort Bits { get; }

    /// <summary>The value with these raw bits.</summary>
    public static BFloat16 FromBits(ushort bits) => new(bits);

    /// <summary>True for a NaN.</summary>
    public static bool IsNaN(BFloat16 value) => (value.Bits & 0x7FFF) > 0x7F80;

    /// <summary>The exact float value.</summary>
    public static explicit operator float(BFloat16 value) => BitConverter.UInt32BitsToSingle((uint)value.Bits << 16);

    /// <summary>The exact double value.</summary>
    public static explicit operator double(BFloat16 value) => (float)value;

    /// <summary>The nearest bfloat16 (ties to even); a NaN stays a quiet NaN of the same sign; beyond the range, ±Infinity.</summary>
    public static explicit operator BFloat16(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return new((ushort)((bits >> 16) | 0x0040));
        }

        var rounded = bits + 0x7FFF + ((bits >> 16) & 1);
        return new((ushort)(rounded >> 16));
    }

    /// <summary>The nearest bfloat16 (ties to even, rounded once: the double is first cut to a float rounded to odd).</summary>
    public static explicit operator BFloat16(double value)
    {
        var f = (float)value;
        if (!double.IsNaN(value) && double.IsFinite(f) && (double)f != value)
        {
            // Round to odd: the float toward zero with its last bit set keeps the information a second rounding needs.
            if (Math.Abs((double)f) > Math.Abs(value))
            {
                f = f > 0 ? MathF.BitDecrement(f) : MathF.BitIncrement(f);
            }

            f = BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(f) | 1);
        }

        return (BFloat16)f;
    }

    /// <inheritdoc />
    public bool Equals(BFloat16 other) => Bits == other.Bits;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is BFloat16 other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => Bits;

    /// <summary>Bitwise equality (as the raw bits; NaNs with the same bits are equal, +0 and −0 are not).</summary>
    public static bool operator ==(BFloat16 left, BFloat16 right) => left.Equals(right);

    /// <summary>Bitwise inequality.</summary>
    public static bool operator !=(BFloat16 left, BFloat16 right) => !left.Equals(right);

    /// <summary>The float value's shortest round-trip text.</summary>
    public override string ToString() => ((float)this).ToString(CultureInfo.InvariantCulture);
}
