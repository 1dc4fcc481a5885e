using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Zarr.Storage.Internal;

namespace Zarr.Storage.Codecs.Registry;

/// <summary><c>bytes</c>: the byte order, required for multi-byte types; without one it is written with no configuration, as zarr-python does.</summary>
internal sealed class BytesDescriptor() : CodecDescriptor("bytes", null, typeof(BytesCodec))
{
    public override ICodec Read(JsonObject? configuration, CodecReadContext context)
    {
        var endian = ReadConfiguration(configuration, CodecConfigurationContext.Default.BytesConfiguration, context).Endian;
        Endian? parsed = endian switch
        {
            null => null,
            "little" => Endian.Little,
            "big" => Endian.Big,
            _ => throw context.Error("endian", $"must be \"little\" or \"big\"; got {UserText.QuoteJson(endian)}"),
        };
        if (parsed is null && context.DataType.NeedsByteOrder)
        {
            throw context.Error("endian", $"is required for the multi-byte data type {context.DataType}");
        }

        return new BytesCodec(parsed);
    }

    public override JsonObject? Write(ICodec codec, ZarrFormat format, CodecRegistry registry) =>
        ((BytesCodec)codec).Endian is { } endian
            ? WriteConfiguration(new BytesConfiguration(endian == Endian.Big ? "big" : "little"), CodecConfigurationContext.Default.BytesConfiguration)
            : null;
}

/// <summary>
/// <c>sharding_indexed</c>: the inner chain is read for the array's type (it may hold sharding again), the index chain
/// for the index's uint64; <c>index_codecs</c> and <c>index_location</c> default as zarr-python's do (bytes + crc32c, end).
/// </summary>
internal sealed class ShardingDescriptor() : CodecDescriptor(ShardingCodec.CodecName, null, typeof(ShardingCodec))
{
    public override ICodec Read(JsonObject? configuration, CodecReadContext context)
    {
        var config = ReadConfiguration(configuration, CodecConfigurationContext.Default.ShardingConfiguration, context);
        var chunkShape = context.Require("chunk_shape", config.ChunkShape);
        var codecs = context.ReadChain(config.Codecs, "codecs", context.DataType) ?? throw context.Error("codecs", "is required");
        var indexCodecs = context.ReadChain(config.IndexCodecs, "index_codecs", ZarrDataType.UInt64);
        var locationName = config.IndexLocation ?? "end";
        var location = locationName switch
        {
            "end" => ShardIndexLocation.End,
            "start" => ShardIndexLocation.Start,
            _ => throw context.Error("index_location", $"must be \"start\" or \"end\"; got {UserText.QuoteJson(locationName)}"),
        };

        try
        {
            return new ShardingCodec(chunkShape, codecs, indexCodecs, location);
        }
        catch (ZarrException ex) when (ex is not ZarrMetadataException)
        {
            throw new ZarrMetadataException(context.Document, $"codecs.{ShardingCodec.CodecName}.configuration", ex.Message, ex);
        }
    }

    public override JsonObject? Write(ICodec codec, ZarrFormat format, CodecRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var sharding = (ShardingCodec)codec;
        return WriteConfiguration(
            new ShardingConfiguration(
                [.. sharding.ChunkShape],
                WriteChain(sharding.Codecs.Codecs, registry),
                WriteChain(sharding.IndexCodecs.Codecs, registry),
                sharding.IndexLocation == ShardIndexLocation.Start ? "start" : "end"),
            CodecConfigurationContext.Default.ShardingConfiguration);
    }

    private static JsonArray WriteChain(IEnumerable<ICodec> codecs, CodecRegistry registry)
    {
        var array = new JsonArray();
        foreach (var codec in codecs)
        {
            array.Add(registry.WriteV3(codec));
        }

        return array;
    }
}

/// <summary>
/// numcodecs' <c>zfpy</c> (v3 <c>numcodecs.zfpy</c>, array→bytes; in v2 the compressor in place of <c>bytes</c>):
/// <c>mode</c> (4 by default), <c>tolerance</c>, <c>rate</c>, <c>precision</c> (-1 by default: reversible), and the
/// <c>compression_kwargs</c> numcodecs' <c>get_config</c> adds, which it ignores when reading and so does this.
/// </summary>
internal sealed class ZfpyDescriptor() : CodecDescriptor<ZfpyCodec, ZfpyConfiguration>("numcodecs.zfpy", "zfpy")
{
    private protected override JsonTypeInfo<ZfpyConfiguration> LoadTypeInfo() => CodecConfigurationContext.Default.ZfpyConfiguration;

    protected override ZfpyCodec Create(ZfpyConfiguration configuration, CodecReadContext context)
    {
        if (!ZfpyCodec.Supports(context.DataType))
        {
            throw context.Error(string.Empty, $"zfp compresses int32, int64, float32 and float64; the data type is {context.DataType}");
        }

        var mode = configuration.Mode ?? (int)ZfpMode.FixedAccuracy;
        if (!Enum.IsDefined((ZfpMode)mode))
        {
            throw context.Error("mode", mode is 0 or 1
                ? $"zfp's {(mode == 0 ? "null" : "expert")} mode ({mode}) is not supported (numcodecs cannot encode with it either); use 2 (fixed rate), 3 (fixed precision), 4 (fixed accuracy) or 5 (reversible)"
                : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"must be 2 (fixed rate), 3 (fixed precision), 4 (fixed accuracy) or 5 (reversible); got {mode}"));
        }

        if (configuration.CompressionKwargs is { } kwargs && kwargs.GetValueKind() is not (System.Text.Json.JsonValueKind.Object or System.Text.Json.JsonValueKind.Null))
        {
            throw context.Error("compression_kwargs", $"must be an object or null; got {UserText.Json(kwargs)}");
        }

        return new ZfpyCodec((ZfpMode)mode, Finite("tolerance", configuration.Tolerance, context), Finite("rate", configuration.Rate, context), configuration.Precision ?? -1);
    }

    protected override ZfpyConfiguration Describe(ZfpyCodec codec, ZarrFormat format)
    {
        // numcodecs' get_config: the parameter of the mode again, under compression_kwargs.
        JsonNode? kwargs = format != ZarrFormat.V2 ? null : codec.Mode switch
        {
            ZfpMode.FixedAccuracy => new JsonObject { ["tolerance"] = Number(codec.Tolerance) },
            ZfpMode.FixedRate => new JsonObject { ["rate"] = Number(codec.Rate) },
            ZfpMode.FixedPrecision => new JsonObject { ["precision"] = codec.Precision },
            _ => null,
        };
        return new((int)codec.Mode, kwargs, Number(codec.Tolerance), Number(codec.Rate), codec.Precision);
    }

    private static double Finite(string field, JsonNode? node, CodecReadContext context) =>
        node is null || node.GetValueKind() == System.Text.Json.JsonValueKind.Null ? -1 : context.Number(field, node).Value;

    // A whole number as an integer, as Python writes numcodecs' defaults (-1) and the rates and tolerances given as ints.
    private static JsonValue Number(double value) =>
        value == Math.Floor(value) && Math.Abs(value) < 1e15 ? JsonValue.Create((long)value) : JsonValue.Create(value);
}
