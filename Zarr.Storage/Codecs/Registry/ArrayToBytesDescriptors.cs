using System.Text.Json.Nodes;
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
