using System.Globalization;
using System.Numerics;

namespace Zarr.Storage.Codecs;

/// <summary>
/// numcodecs' <c>quantize</c> filter (<c>{"id": "quantize", "digits": 2, "dtype": "&lt;f8", "astype": "&lt;f8"}</c>; in v3
/// <c>numcodecs.quantize</c>): keeps about <see cref="Digits"/> decimal digits after the point by rounding to a multiple
/// of a power of two, so that the low mantissa bits are zero and compress well. Lossy; decoding only casts back.
/// </summary>
/// <remarks>
/// As numcodecs computes it: <c>e = floor(log10(10^-digits))</c> (ceiling when not negative), <c>bits = ceil(log2(10^-e))</c>,
/// <c>scale = 2^bits</c>, then <c>around(scale × x) / scale</c> in <see cref="NumcodecsFilterCodec.DecodedType"/>'s precision, half to even,
/// cast to <see cref="NumcodecsFilterCodec.EncodedType"/>.
/// </remarks>
public sealed class QuantizeCodec : NumcodecsFilterCodec
{
    /// <summary>Creates the filter.</summary>
    /// <param name="digits">The number of decimal digits to keep after the point (may be 0 or negative).</param>
    /// <param name="dtype">The decoded type: float32 or float64.</param>
    /// <param name="astype">The encoded type, float32 or float64; null for <paramref name="dtype"/>.</param>
    /// <exception cref="ArgumentException">A type is not float32 or float64, or <paramref name="digits"/> is out of range.</exception>
    public QuantizeCodec(int digits, NumpyDType dtype, NumpyDType? astype = null)
        : base("quantize", dtype, astype ?? dtype, CreateKernel(digits, dtype, astype ?? dtype))
    {
        Digits = digits;
        ScaleFactor = ComputeScale(digits);
    }

    /// <summary>The number of decimal digits kept after the point.</summary>
    public int Digits { get; }

    /// <summary>The power of two values are rounded to a multiple of the inverse of.</summary>
    public double ScaleFactor { get; }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"Quantize(digits={Digits}, dtype='{DecodedType}', astype='{EncodedType}')");

    /// <summary>numcodecs' scale for <paramref name="digits"/>, with the same floating-point steps (Python's <c>math.log(x, b)</c> is <c>log(x) / log(b)</c>).</summary>
    internal static double ComputeScale(int digits)
    {
        var precision = Math.Pow(10.0, -digits);
        var exp = Math.Log(precision) / Math.Log(10.0);
        var e = exp < 0 ? Math.Floor(exp) : Math.Ceiling(exp);
        var bits = Math.Ceiling(Math.Log(Math.Pow(10.0, -e)) / Math.Log(2.0));
        return Math.Pow(2.0, bits);
    }

    private static FilterKernel CreateKernel(int digits, NumpyDType dtype, NumpyDType astype)
    {
        var encoded = astype;
        ArgumentNullException.ThrowIfNull(dtype.DataType, nameof(dtype));
        ArgumentNullException.ThrowIfNull(encoded.DataType, nameof(astype));
        if (dtype.DataType.Kind is not (DataTypeKind.Float32 or DataTypeKind.Float64)
            || encoded.DataType.Kind is not (DataTypeKind.Float32 or DataTypeKind.Float64))
        {
            throw new ArgumentException($"quantize works on float32 and float64 here, not {dtype} → {encoded}");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(digits, -300);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(digits, 300);
        return FilterKernels.Create(dtype.DataType, encoded.DataType, new Factory(ComputeScale(digits)));
    }

    private readonly struct Factory(double scale) : IKernelFactory
    {
        public FilterKernel Create<TDecoded, TEncoded>()
            where TDecoded : unmanaged, INumber<TDecoded>
            where TEncoded : unmanaged, INumber<TEncoded> => new Kernel<TDecoded, TEncoded>(scale);
    }

    private sealed class Kernel<TDecoded, TEncoded>(double scale) : FilterKernel
        where TDecoded : unmanaged, INumber<TDecoded>
        where TEncoded : unmanaged, INumber<TEncoded>
    {
        public override void Encode(ReadOnlySpan<byte> decoded, Span<byte> encoded)
        {
            var source = Elements.Of<TDecoded>(decoded);
            var target = Elements.Of<TEncoded>(encoded)[..source.Length];
            if (typeof(TDecoded) == typeof(float))
            {
                // numpy: float32 times a Python float stays float32 (the scale, a power of two, is exact in float32).
                var s = (float)scale;
                for (var i = 0; i < source.Length; i++)
                {
                    var x = float.CreateTruncating(source[i]);
                    target[i] = NumpyCast.Convert<float, TEncoded>(MathF.Round(s * x, MidpointRounding.ToEven) / s);
                }
            }
            else
            {
                for (var i = 0; i < source.Length; i++)
                {
                    var x = double.CreateTruncating(source[i]);
                    target[i] = NumpyCast.Convert<double, TEncoded>(Math.Round(scale * x, MidpointRounding.ToEven) / scale);
                }
            }
        }

        public override void Decode(ReadOnlySpan<byte> encoded, Span<byte> decoded)
        {
            var source = Elements.Of<TEncoded>(encoded);
            var target = Elements.Of<TDecoded>(decoded)[..source.Length];
            for (var i = 0; i < source.Length; i++)
            {
                target[i] = NumpyCast.Convert<TEncoded, TDecoded>(source[i]);
            }
        }
    }
}
