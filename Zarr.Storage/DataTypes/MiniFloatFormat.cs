namespace Zarr.Storage;

/// <summary>What a <see cref="MiniFloatFormat"/> does at the ends of its range, in LLVM/ml_dtypes' naming.</summary>
public enum MiniFloatSpecials
{
    /// <summary>IEEE 754 style: the top exponent holds ±Infinity (mantissa 0) and NaNs; overflow gives ±Infinity.</summary>
    Ieee,
    /// <summary><c>fnuz</c>: no infinity and no −0; the one NaN is <c>0x80</c> (a "negative zero"); overflow gives NaN.</summary>
    FiniteUnsignedZero,
    /// <summary><c>fn</c> (the MX 6- and 4-bit types): no infinity and no NaN; overflow, ±Infinity saturate to ±max.</summary>
    FiniteNoNaN,
    /// <summary><c>fnu</c> (e8m0): no sign, no zero, no infinity; <c>0xff</c> is NaN; powers of two only.</summary>
    FiniteUnsigned,
}

/// <summary>
/// One of the small floating-point formats of zarr-extensions (float8_e5m2, float8_e4m3fnuz, float6_e2m3fn,
/// float4_e2m1fn, float8_e8m0fnu, ...), with exact conversions to and from <see cref="double"/>. An element is held in
/// one byte, its bits in the low <see cref="BitWidth"/> bits. Conversion from double rounds once to nearest, ties to
/// even (for e8m0, which has no mantissa, ties go up, as ml_dtypes' rounding of the implicit bit gives); values beyond
/// the range, infinities and NaNs become what ml_dtypes gives (see <see cref="MiniFloatSpecials"/>).
/// </summary>
public sealed class MiniFloatFormat
{
    private readonly double[] _values;

    private MiniFloatFormat(string name, int exponentBits, int mantissaBits, int bias, MiniFloatSpecials specials)
    {
        Name = name;
        ExponentBits = exponentBits;
        MantissaBits = mantissaBits;
        ExponentBias = bias;
        Specials = specials;
        IsSigned = specials != MiniFloatSpecials.FiniteUnsigned;
        BitWidth = exponentBits + mantissaBits + (IsSigned ? 1 : 0);
        NaNBits = specials switch
        {
            MiniFloatSpecials.Ieee => (byte)((((1 << exponentBits) - 1) << mantissaBits) | (1 << (mantissaBits - 1))),
            MiniFloatSpecials.FiniteUnsignedZero => 0x80,
            MiniFloatSpecials.FiniteUnsigned => 0xFF,
            _ => null,
        };

        _values = new double[1 << BitWidth];
        for (var bits = 0; bits < _values.Length; bits++)
        {
            _values[bits] = Decode(bits);
        }

        var maxBits = specials switch
        {
            MiniFloatSpecials.Ieee => (((1 << exponentBits) - 1) << mantissaBits) - 1,
            MiniFloatSpecials.FiniteUnsigned => 0xFE,
            _ => (1 << (exponentBits + mantissaBits)) - 1,
        };
        MaxValue = _values[maxBits];
        MaxBits = (byte)maxBits;
    }

    /// <summary>float8_e3m4: 3 exponent bits (bias 3), 4 mantissa bits, IEEE specials; NaN 0x78.</summary>
    public static MiniFloatFormat Float8E3M4 { get; } = new("float8_e3m4", 3, 4, 3, MiniFloatSpecials.Ieee);

    /// <summary>float8_e4m3: 4 exponent bits (bias 7), 3 mantissa bits, IEEE specials; NaN 0x7c.</summary>
    public static MiniFloatFormat Float8E4M3 { get; } = new("float8_e4m3", 4, 3, 7, MiniFloatSpecials.Ieee);

    /// <summary>float8_e4m3b11fnuz: 4 exponent bits (bias 11), 3 mantissa bits, no infinity, NaN 0x80.</summary>
    public static MiniFloatFormat Float8E4M3B11Fnuz { get; } = new("float8_e4m3b11fnuz", 4, 3, 11, MiniFloatSpecials.FiniteUnsignedZero);

    /// <summary>float8_e4m3fnuz: 4 exponent bits (bias 8), 3 mantissa bits, no infinity, NaN 0x80.</summary>
    public static MiniFloatFormat Float8E4M3Fnuz { get; } = new("float8_e4m3fnuz", 4, 3, 8, MiniFloatSpecials.FiniteUnsignedZero);

    /// <summary>float8_e5m2: 5 exponent bits (bias 15), 2 mantissa bits, IEEE specials; NaN 0x7e.</summary>
    public static MiniFloatFormat Float8E5M2 { get; } = new("float8_e5m2", 5, 2, 15, MiniFloatSpecials.Ieee);

    /// <summary>float8_e5m2fnuz: 5 exponent bits (bias 16), 2 mantissa bits, no infinity, NaN 0x80.</summary>
    public static MiniFloatFormat Float8E5M2Fnuz { get; } = new("float8_e5m2fnuz", 5, 2, 16, MiniFloatSpecials.FiniteUnsignedZero);

    /// <summary>float8_e8m0fnu: no sign, 8 exponent bits (bias 127), no mantissa: 2^-127..2^127; NaN 0xff.</summary>
    public static MiniFloatFormat Float8E8M0Fnu { get; } = new("float8_e8m0fnu", 8, 0, 127, MiniFloatSpecials.FiniteUnsigned);

    /// <summary>float6_e2m3fn: 2 exponent bits (bias 1), 3 mantissa bits, no infinity, no NaN.</summary>
    public static MiniFloatFormat Float6E2M3Fn { get; } = new("float6_e2m3fn", 2, 3, 1, MiniFloatSpecials.FiniteNoNaN);

    /// <summary>float6_e3m2fn: 3 exponent bits (bias 3), 2 mantissa bits, no infinity, no NaN.</summary>
    public static MiniFloatFormat Float6E3M2Fn { get; } = new("float6_e3m2fn", 3, 2, 3, MiniFloatSpecials.FiniteNoNaN);

    /// <summary>float4_e2m1fn: 2 exponent bits (bias 1), 1 mantissa bit, no infinity, no NaN.</summary>
    public static MiniFloatFormat Float4E2M1Fn { get; } = new("float4_e2m1fn", 2, 1, 1, MiniFloatSpecials.FiniteNoNaN);

    /// <summary>Every format, in the order of their <see cref="DataTypeKind"/>s.</summary>
    public static IReadOnlyList<MiniFloatFormat> All { get; } =
    [
        Float8E3M4, Float8E4M3, Float8E4M3B11Fnuz, Float8E4M3Fnuz, Float8E5M2, Float8E5M2Fnuz, Float8E8M0Fnu,
        Float6E2M3Fn, Float6E3M2Fn, Float4E2M1Fn,
    ];

    /// <summary>The registered data type name.</summary>
    public string Name { get; }

    /// <summary>The bits of a value: 8, 6 or 4.</summary>
    public int BitWidth { get; }

    /// <summary>The exponent bits.</summary>
    public int ExponentBits { get; }

    /// <summary>The mantissa (fraction) bits.</summary>
    public int MantissaBits { get; }

    /// <summary>The exponent bias.</summary>
    public int ExponentBias { get; }

    /// <summary>False only for e8m0, which has no sign bit.</summary>
    public bool IsSigned { get; }

    /// <summary>The special values the format has.</summary>
    public MiniFloatSpecials Specials { get; }

    /// <summary>The NaN the extension text names for the fill value <c>"NaN"</c>, or null when the format has no NaN.</summary>
    public byte? NaNBits { get; }

    /// <summary>True when the format has ±Infinity.</summary>
    public bool HasInfinity => Specials == MiniFloatSpecials.Ieee;

    /// <summary>The largest finite value.</summary>
    public double MaxValue { get; }

    /// <summary>The bits of <see cref="MaxValue"/>.</summary>
    public byte MaxBits { get; }

    /// <summary>
    /// The smallest magnitude that overflows when converted: <see cref="MaxValue"/> plus half its unit in the last place
    /// (the tie rounds away from max, whose last mantissa bit is odd).
    /// </summary>
    public double OverflowThreshold => MaxValue + Math.ScaleB(1, ILogB(MaxValue) - MantissaBits - 1);

    private int MinExponent => 1 - ExponentBias;

    /// <summary>True when <paramref name="bits"/> is a NaN.</summary>
    public bool IsNaN(byte bits) => double.IsNaN(ToDouble(bits));

    /// <summary>The exact value of <paramref name="bits"/> (its bits above <see cref="BitWidth"/> are ignored).</summary>
    public double ToDouble(byte bits) => _values[bits & (_values.Length - 1)];

    /// <summary>Converts every element of <paramref name="bits"/> into <paramref name="values"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="values"/> is shorter than <paramref name="bits"/>.</exception>
    public void ToDouble(ReadOnlySpan<byte> bits, Span<double> values)
    {
        if (values.Length < bits.Length)
        {
            throw new ArgumentException($"{bits.Length} values need room for {bits.Length} doubles, not {values.Length}", nameof(values));
        }

        var mask = _values.Length - 1;
        for (var i = 0; i < bits.Length; i++)
        {
            values[i] = _values[bits[i] & mask];
        }
    }

    /// <summary>Converts every element of <paramref name="values"/> into <paramref name="bits"/> (see <see cref="FromDouble(double)"/>).</summary>
    /// <exception cref="ArgumentException"><paramref name="bits"/> is shorter than <paramref name="values"/>.</exception>
    public void FromDouble(ReadOnlySpan<double> values, Span<byte> bits)
    {
        if (bits.Length < values.Length)
        {
            throw new ArgumentException($"{values.Length} values need room for {values.Length} bytes, not {bits.Length}", nameof(bits));
        }

        for (var i = 0; i < values.Length; i++)
        {
            bits[i] = FromDouble(values[i]);
        }
    }

    /// <summary>
    /// The nearest value (ties to even), rounded once. A value at or beyond <see cref="OverflowThreshold"/> and an
    /// infinity give ±Infinity (IEEE), NaN (fnuz, e8m0) or ±max (fn). A NaN gives the format's NaN (fnuz: 0x80; IEEE:
    /// the quiet NaN with the input's sign); the fn formats have none and give a zero of the opposite sign, as ml_dtypes
    /// does. e8m0 gives NaN for zero and negative values; values below 2^-127 become 2^-127. fnuz has no −0: −0 and
    /// negative values that round to zero give +0.
    /// </summary>
    public byte FromDouble(double value)
    {
        var negative = double.IsNegative(value);
        if (double.IsNaN(value))
        {
            return Specials switch
            {
                MiniFloatSpecials.Ieee => WithSign(NaNBits!.Value, negative),
                MiniFloatSpecials.FiniteNoNaN => WithSign(0, !negative),
                _ => NaNBits!.Value,
            };
        }

        if (!IsSigned && (negative || value == 0))
        {
            return NaNBits!.Value;
        }

        var magnitude = Math.Abs(value);
        if (magnitude >= OverflowThreshold)
        {
            return Specials switch
            {
                MiniFloatSpecials.Ieee => WithSign((byte)(MaxBits + 1), negative),
                MiniFloatSpecials.FiniteNoNaN => WithSign(MaxBits, negative),
                _ => NaNBits!.Value,
            };
        }

        if (magnitude == 0)
        {
            return WithSign(0, negative);
        }

        if (Specials == MiniFloatSpecials.FiniteUnsigned)
        {
            // Powers of two only, no subnormals: below the least value saturates to it; between two, the nearer (the
            // midpoint 1.5 · 2^e rounds to even, 2, so ties go up).
            var e = ILogB(magnitude);
            return e < -ExponentBias ? (byte)0 : (byte)(e + ExponentBias + (int)Math.Round(Math.ScaleB(magnitude, -e), MidpointRounding.ToEven) - 1);
        }

        // The value in units of the last place of its binade (the subnormal one below the least normal exponent):
        // exact in a double, so rounding it to an integer is the one rounding.
        var exponent = Math.Max(ILogB(magnitude), MinExponent);
        var units = Math.Round(Math.ScaleB(magnitude, MantissaBits - exponent), MidpointRounding.ToEven);

        // A carry out of the mantissa (units = 2^(m+1)) lands in the exponent field by the addition.
        var bits = ((exponent - MinExponent) << MantissaBits) + (long)units;
        return WithSign((byte)bits, negative);
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    private static int ILogB(double value) => Math.ILogB(value);

    private byte WithSign(byte magnitude, bool negative)
    {
        if (!negative || !IsSigned)
        {
            return magnitude;
        }

        // fnuz has no negative zero: that pattern is its NaN.
        return Specials == MiniFloatSpecials.FiniteUnsignedZero && magnitude == 0 ? (byte)0 : (byte)(magnitude | (1 << (BitWidth - 1)));
    }

    private double Decode(int bits)
    {
        if (Specials == MiniFloatSpecials.FiniteUnsigned)
        {
            return bits == 0xFF ? double.NaN : Math.ScaleB(1, bits - ExponentBias);
        }

        var signBit = 1 << (BitWidth - 1);
        var negative = (bits & signBit) != 0;
        var exponentField = (bits & (signBit - 1)) >> MantissaBits;
        var fraction = bits & ((1 << MantissaBits) - 1);
        var topExponent = (1 << ExponentBits) - 1;
        if (Specials == MiniFloatSpecials.FiniteUnsignedZero && bits == 0x80)
        {
            return double.NaN;
        }

        if (Specials == MiniFloatSpecials.Ieee && exponentField == topExponent)
        {
            return fraction != 0 ? double.NaN : negative ? double.NegativeInfinity : double.PositiveInfinity;
        }

        var magnitude = exponentField == 0
            ? Math.ScaleB(fraction, MinExponent - MantissaBits)
            : Math.ScaleB(fraction + (1 << MantissaBits), exponentField - ExponentBias - MantissaBits);
        return negative ? -magnitude : magnitude;
    }
}
