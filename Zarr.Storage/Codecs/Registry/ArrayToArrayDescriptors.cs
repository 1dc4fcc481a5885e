using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Zarr.Storage.Internal;

namespace Zarr.Storage.Codecs.Registry;

/// <summary><c>transpose</c>: a permutation of the axes.</summary>
internal sealed class TransposeDescriptor() : CodecDescriptor<TransposeCodec, TransposeConfiguration>("transpose", null)
{
    private protected override JsonTypeInfo<TransposeConfiguration> LoadTypeInfo() => CodecConfigurationContext.Default.TransposeConfiguration;

    protected override TransposeCodec Create(TransposeConfiguration configuration, CodecReadContext context)
    {
        var order = context.Require("order", configuration.Order);
        return TransposeCodec.IsPermutation(order)
            ? new TransposeCodec(order)
            : throw context.Error("order", $"[{string.Join(", ", order)}] is not a permutation of 0..{order.Length - 1}");
    }

    protected override TransposeConfiguration Describe(TransposeCodec codec, ZarrFormat format) => new([.. codec.Order]);
}

/// <summary>
/// A numcodecs filter: a v2 <c>filters</c> entry <c>{"id": "delta", ...}</c>, and in v3 <c>numcodecs.delta</c> with
/// numcodecs' configuration without the id. zarr-python 3 fills in a missing <c>dtype</c> from the type the filter
/// receives, so in v3 it defaults to that; in v2 it is required.
/// </summary>
internal abstract class NumcodecsFilterDescriptor<TFilter, TConfiguration>(string id)
    : CodecDescriptor<TFilter, TConfiguration>("numcodecs." + id, id)
    where TFilter : IV2Filter
{
    protected sealed override TFilter Create(TConfiguration configuration, CodecReadContext context)
    {
        NumpyDType? received = context.Format == ZarrFormat.V3 ? new NumpyDType(context.DataType) : (NumpyDType?)null;
        try
        {
            return Create(configuration, context, received);
        }
        catch (ArgumentException ex)
        {
            throw context.Error(string.Empty, $"{UserText.Clip(V2Id!)}: {ex.Message}");
        }
    }

    /// <summary>Builds the filter; <paramref name="received"/> is the default of its decoded type (v3), or null (v2).</summary>
    protected abstract TFilter Create(TConfiguration configuration, CodecReadContext context, NumpyDType? received);
}

/// <summary>numcodecs' <c>delta</c>.</summary>
internal sealed class DeltaDescriptor() : NumcodecsFilterDescriptor<DeltaCodec, DeltaConfiguration>("delta")
{
    private protected override JsonTypeInfo<DeltaConfiguration> LoadTypeInfo() => CodecConfigurationContext.Default.DeltaConfiguration;

    protected override DeltaCodec Create(DeltaConfiguration configuration, CodecReadContext context, NumpyDType? received)
    {
        var dtype = context.DType("dtype", configuration.Dtype, received);
        return new DeltaCodec(dtype, context.DType("astype", configuration.Astype, dtype));
    }

    protected override DeltaConfiguration Describe(DeltaCodec codec, ZarrFormat format) =>
        new(codec.DecodedType.ToString(), codec.EncodedType.ToString());
}

/// <summary>numcodecs' <c>fixedscaleoffset</c>: offset and scale written back as they were read (an integer stays one).</summary>
internal sealed class FixedScaleOffsetDescriptor() : NumcodecsFilterDescriptor<FixedScaleOffsetCodec, FixedScaleOffsetConfiguration>("fixedscaleoffset")
{
    private protected override JsonTypeInfo<FixedScaleOffsetConfiguration> LoadTypeInfo() => CodecConfigurationContext.Default.FixedScaleOffsetConfiguration;

    protected override FixedScaleOffsetCodec Create(FixedScaleOffsetConfiguration configuration, CodecReadContext context, NumpyDType? received)
    {
        var (offset, offsetJson) = context.Number("offset", configuration.Offset);
        var (scale, scaleJson) = context.Number("scale", configuration.Scale);
        var dtype = context.DType("dtype", configuration.Dtype, received);
        return new FixedScaleOffsetCodec(offset, scale, dtype, context.DType("astype", configuration.Astype, dtype), offsetJson, scaleJson);
    }

    protected override FixedScaleOffsetConfiguration Describe(FixedScaleOffsetCodec codec, ZarrFormat format) =>
        new(codec.ScaleJson, codec.OffsetJson, codec.DecodedType.ToString(), codec.EncodedType.ToString());
}

/// <summary>numcodecs' <c>astype</c>: <c>encode_dtype</c> is required, <c>decode_dtype</c> defaults as a filter's dtype does.</summary>
internal sealed class AsTypeDescriptor() : NumcodecsFilterDescriptor<AsTypeCodec, AsTypeConfiguration>("astype")
{
    private protected override JsonTypeInfo<AsTypeConfiguration> LoadTypeInfo() => CodecConfigurationContext.Default.AsTypeConfiguration;

    protected override AsTypeCodec Create(AsTypeConfiguration configuration, CodecReadContext context, NumpyDType? received)
    {
        var decode = context.DType("decode_dtype", configuration.DecodeDtype, received);
        return new AsTypeCodec(context.DType("encode_dtype", configuration.EncodeDtype, null), decode);
    }

    protected override AsTypeConfiguration Describe(AsTypeCodec codec, ZarrFormat format) =>
        new(codec.EncodedType.ToString(), codec.DecodedType.ToString());
}

/// <summary>numcodecs' <c>quantize</c>: digits between -300 and 300.</summary>
internal sealed class QuantizeDescriptor() : NumcodecsFilterDescriptor<QuantizeCodec, QuantizeConfiguration>("quantize")
{
    private protected override JsonTypeInfo<QuantizeConfiguration> LoadTypeInfo() => CodecConfigurationContext.Default.QuantizeConfiguration;

    protected override QuantizeCodec Create(QuantizeConfiguration configuration, CodecReadContext context, NumpyDType? received)
    {
        var digits = context.InRange("digits", context.Require("digits", configuration.Digits), -300, 300);
        var dtype = context.DType("dtype", configuration.Dtype, received);
        return new QuantizeCodec(digits, dtype, context.DType("astype", configuration.Astype, dtype));
    }

    protected override QuantizeConfiguration Describe(QuantizeCodec codec, ZarrFormat format) =>
        new(codec.Digits, codec.DecodedType.ToString(), codec.EncodedType.ToString());
}

/// <summary>numcodecs' <c>packbits</c> (v3 <c>numcodecs.packbits</c>): no parameters; zarr-python 3 writes an empty configuration.</summary>
internal sealed class NumcodecsPackBitsDescriptor() : CodecDescriptor("numcodecs.packbits", "packbits", typeof(NumcodecsPackBitsCodec))
{
    public override ICodec Read(JsonObject? configuration, CodecReadContext context)
    {
        foreach (var (key, _) in configuration ?? [])
        {
            // The v2 form carries its id beside the (absent) parameters.
            if (!(context.Format == ZarrFormat.V2 && key == "id"))
            {
                throw context.Error(key, "is not a parameter of packbits (it has none)");
            }
        }

        return context.Format == ZarrFormat.V3 && context.DataType != ZarrDataType.Bool
            ? throw context.Error(string.Empty, $"packbits packs bool elements; it receives {context.DataType}")
            : new NumcodecsPackBitsCodec();
    }

    public override JsonObject? Write(ICodec codec, ZarrFormat format, CodecRegistry registry) => format == ZarrFormat.V3 ? [] : null;
}
