using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;

namespace Zarr.Storage;

/// <summary>Writes v3 <c>zarr.json</c> documents as zarr-python 3 does (its field order, indent 2; see <see cref="MetadataSerializer"/>).</summary>
internal static class V3MetadataWriter
{
    private const int Indent = 2;

    internal static byte[] WriteArray(ArrayMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        CodecChainRules.CheckModel(metadata);
        _ = metadata.Pipeline;
        CodecChainRules.CheckEndian(metadata.Codecs, metadata.DataType, t => new ZarrException(CodecChainRules.EndianMessage(t)));
        CodecChainRules.CheckFilterTypes(metadata.Codecs, metadata.DataType, message => new ZarrException(message));
        foreach (var filter in metadata.Codecs.OfType<IV2Filter>())
        {
            if (filter.DecodedType.BigEndian || filter.EncodedType.BigEndian)
            {
                throw new ZarrException($"the codec chain cannot be written as v3: the filter '{filter.Name}' has a big-endian type ({filter.DecodedType} → {filter.EncodedType}); in v3 a filter works on elements in memory and the 'bytes' codec alone sets the byte order, so give the filter little-endian types");
            }
        }

        var codecs = new JsonArray();
        foreach (var codec in metadata.Codecs)
        {
            codecs.Add(CodecRegistry.Default.WriteV3(codec));
        }

        // zarr-python 3's field order (its ArrayV3Metadata dataclass order).
        var root = new JsonObject
        {
            ["shape"] = CodecChainRules.ToJsonArray(metadata.Shape),
            ["data_type"] = DataTypeJson.ToV3(metadata.DataType),
            ["chunk_grid"] = metadata.RectilinearChunks.IsDefault
                ? new JsonObject
                {
                    ["name"] = "regular",
                    ["configuration"] = new JsonObject { ["chunk_shape"] = CodecChainRules.ToJsonArray(metadata.ChunkShape.Select(c => (long)c)) },
                }
                : RectilinearGridJson.Write(metadata.RectilinearChunks),
            ["chunk_key_encoding"] = new JsonObject
            {
                ["name"] = metadata.ChunkKeyEncoding.Name,
                ["configuration"] = new JsonObject { ["separator"] = metadata.ChunkKeyEncoding.Separator.ToString() },
            },
            ["fill_value"] = FillValueJson.ToV3Json(metadata.FillValue.AsSpan(), metadata.DataType),
            ["codecs"] = codecs,
            ["attributes"] = metadata.Attributes.ToJsonObject(),
        };

        if (metadata.DimensionNames is { } names)
        {
            var array = new JsonArray();
            foreach (var name in names)
            {
                array.Add(name is null ? null : JsonValue.Create(name));
            }

            root["dimension_names"] = array;
        }

        root["zarr_format"] = 3;
        root["node_type"] = "array";
        root["storage_transformers"] = new JsonArray();
        WriteIgnoredExtensions(root, metadata.IgnoredExtensions);
        return PythonJson.Serialize(root, Indent, sortKeys: false);
    }

    internal static byte[] WriteGroup(GroupMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var root = new JsonObject
        {
            ["attributes"] = metadata.Attributes.ToJsonObject(),
            ["zarr_format"] = 3,
            ["node_type"] = "group",
        };
        WriteIgnoredExtensions(root, metadata.IgnoredExtensions);
        return PythonJson.Serialize(root, Indent, sortKeys: false);
    }

    /// <summary>
    /// Puts back the extensions the document had when it was read and this library ignored (the v3 spec lets a reader
    /// skip them, not a writer drop them): another implementation that understands them still finds them.
    /// </summary>
    private static void WriteIgnoredExtensions(JsonObject root, string? ignored)
    {
        if (ignored is null)
        {
            return;
        }

        foreach (var (name, value) in JsonNode.Parse(ignored)!.AsObject())
        {
            root[name] = value?.DeepClone();
        }
    }
}
