using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;

namespace Zarr.Storage.Codecs;

/// <summary>
/// numcodecs' <c>fixedscaleoffset</c> filter (<c>{"id": "fixedscaleoffset", "scale": 8, "offset": -50, "dtype": "&lt;f8",
/// "astype": "|u1"}</c>; in v3 <c>numcodecs.fixedscaleoffset</c>): <c>round((x - offset) × scale)</c>, stored as
/// <see cref="NumcodecsFilterCodec.EncodedType"/>. Lossy.
/// </summary>
/// <remarks>
/// As numpy computes it: encoding in <see cref="NumcodecsFilterCodec.DecodedType"/>'s precision (float32 or float64), rounded half to even
/// (<c>numpy.around</c>), then cast (to an integer by truncation; out-of-range values wrap as numpy's cast does, which
/// numcodecs leaves to the user to avoid). Decoding is <c>x / scale + offset</c> in float64 for an integer
/// <see cref="NumcodecsFilterCodec.EncodedType"/> (in its own precision for a float one), then cast to <see cref="NumcodecsFilterCodec.DecodedType"/>.
/// </remarks>
public sealed class FixedScaleOffsetCodec : NumcodecsFilterCodec
{
    private readonly JsonNode _offsetJson;
    private readonly JsonNode _scaleJson;

    /// <summary>Creates the filter.</summary>
    /// <param name="offset">The value subtracted before scaling.</param>
    /// <param name="scale">The factor applied after subtracting the offset.</param>
    /// <param name="dtype">The decoded type: float32 or float64.</param>
    /// <param name="astype">The encoded type, an integer or float type; null for <paramref name="dtype"/>.</param>
    /// <exception cref="ArgumentException">A type is not supported, or offset or scale is not finite, or scale is 0.</exception>
    public FixedScaleOffsetCodec(double offset, double scale, NumpyDType dtype, NumpyDType? astype = null)
        : this(offset, scale, dtype, astype, NumberJson(offset), NumberJson(scale))
    {
    }

    /// <summary>Creates the filter keeping the JSON numbers it was read from (an integer stays an integer when written back).</summary>
    internal FixedScaleOffsetCodec(double offset, double scale, NumpyDType dtype, NumpyDType? astype, JsonNode offsetJson, JsonNode scaleJson)
        : base("fixedscaleoffset", dtype, astype ?? dtype, CreateKernel(offset, scale, dtype, astype ?? dtype))
    {
        Offset = offset;
        Scale = scale;
        _offsetJson = offsetJson.DeepClone();
        _scaleJson = scaleJson.DeepClone();
    }

    /// <summary>The value subtracted before scaling.</summary>
    public double Offset { get; }

    /// <summary>The factor applied after subtracting the offset.</summary>
    public double Scale { get; }

    /// <summary>The offset as the JSON number it was read from (or made from), for the codec registry to write back.</summary>
    internal JsonNode OffsetJson => _offsetJson.DeepClone();

    /// <summary>The scale as the JSON number it was read from (or made from), for the codec registry to write back.</summary>
    internal JsonNode ScaleJson => _scaleJson.DeepClone();

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"FixedScaleOffset(scale={Scale}, offset={Offset}, dtype='{DecodedType}', astype='{EncodedType}')");

    /// <summary>An integral value as a JSON integer (as a Python int would be written), anything else as a float.</summary>
    internal static JsonNode NumberJson(double value) =>
        double.IsFinite(value) && value == Math.Floor(value) && Math.Abs(value) < 9007199254740992.0
            ? JsonValue.Create((long)value)
            : JsonValue.Create(value);

    private static FilterKernel CreateKernel(double offset, double scale, NumpyDType dtype, NumpyDType astype)
    {
        var encoded = astype;
        ArgumentNullException.ThrowIfNull(dtype.DataType, nameof(dtype));
        ArgumentNullException.ThrowIfNull(encoded.DataType, nameof(astype));
        if (dtype.DataType.Kind is not (Zarr.Storage.DataTypeKind.Float32 or Zarr.Storage.DataTypeKind.Float64))
        {
            throw new ArgumentException($"fixedscaleoffset decodes to float32 or float64 here, not {dtype}", nameof(dtype));
        }

        if (!FilterKernels.IsRealNumber(encoded.DataType) || encoded.DataType.Kind == Zarr.Storage.DataTypeKind.Float16)
        {
            throw new ArgumentException($"fixedscaleoffset encodes to an integer type, float32 or float64, not {encoded}", nameof(astype));
        }

        if (!double.IsFinite(offset) || !double.IsFinite(scale) || scale == 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"fixedscaleoffset needs a finite offset and a finite, non-zero scale; got offset {offset}, scale {scale}"));
        }

        return FilterKernels.Create(dtype.DataType, encoded.DataType, new Factory(offset, scale));
    }

    private readonly struct Factory(double offset, double scale) : IKernelFactory
    {
        public FilterKernel Create<TDecoded, TEncoded>()
            where TDecoded : unmanaged, INumber<TDecoded>
            where TEncoded : unmanaged, INumber<TEncoded> => new Kernel<TDecoded, TEncoded>(offset, scale);
    }

    private sealed class Kernel<TDecoded, TEncoded>(double offset, double scale) : FilterKernel
        where TDecoded : unmanaged, INumber<TDecoded>
        where TEncoded : unmanaged, INumber<TEncoded>
    {
        public override void Encode(ReadOnlySpan<byte> decoded, Span<byte> encoded)
        {
            var source = Elements.Of<TDecoded>(decoded);
            var target = Elements.Of<TEncoded>(encoded)[..source.Length];
            if (typeof(TDecoded) == typeof(float))
            {
                // numpy: a float32 array with Python scalars stays float32, the scalars rounded to float32 first.
                var o = (float)offset;
                var s = (float)scale;
                for (var i = 0; i < source.Length; i++)
                {
                    var x = float.CreateTruncating(source[i]);
                    target[i] = NumpyCast.Convert<float, TEncoded>(MathF.Round((x - o) * s, MidpointRounding.ToEven));
                }
            }
            else
            {
                for (var i = 0; i < source.Length; i++)
                {
                    var x = double.CreateTruncating(source[i]);
                    target[i] = NumpyCast.Convert<double, TEncoded>(Math.Round((x - offset) * scale, MidpointRounding.ToEven));
                }
            }
        }

        public override void Decode(ReadOnlySpan<byte> encoded, Span<byte> decoded)
        {
            var source = Elements.Of<TEncoded>(encoded);
            var target = Elements.Of<TDecoded>(decoded)[..source.Length];
            if (typeof(TEncoded) == typeof(float))
            {
                // A float32 array divided by a Python scalar stays float32.
                var o = (float)offset;
                var s = (float)scale;
                for (var i = 0; i < source.Length; i++)
                {
                    target[i] = NumpyCast.Convert<float, TDecoded>((float.CreateTruncating(source[i]) / s) + o);
                }
            }
            else
            {
                // Integers divided by a scalar are float64 (true division); float64 stays float64.
                for (var i = 0; i < source.Length; i++)
                {
                    target[i] = NumpyCast.Convert<double, TDecoded>((double.CreateTruncating(source[i]) / scale) + offset);
                }
            }
        }
    }
}
