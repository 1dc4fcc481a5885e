using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;

namespace Zarr.Storage;

/// <summary>
/// Writes v2 <c>.zarray</c>, <c>.zgroup</c> and <c>.zattrs</c> documents as zarr-python 2.13 does (keys sorted, indent 4,
/// non-ASCII escaped, no trailing newline; see <see cref="MetadataSerializer"/>).
/// </summary>
internal static class V2MetadataWriter
{
    private const int Indent = 4;

    internal static (byte[] ZArray, byte[]? ZAttrs) WriteArray(ArrayMetadata metadata)
    {
        if (!metadata.RectilinearChunks.IsDefault)
        {
            throw new ZarrException("a rectilinear chunk grid cannot be written as v2: .zarray's \"chunks\" holds one chunk shape only (write the array as v3, or rechunk it to a regular grid)");
        }

        ArgumentNullException.ThrowIfNull(metadata);
        CodecChainRules.CheckModel(metadata);
        var layout = V2Layout.Of(metadata.Codecs);
        CodecChainRules.CheckEndian(metadata.Codecs, metadata.DataType, t => new ZarrException(CodecChainRules.EndianMessage(t)));
        CodecChainRules.CheckFilterTypes(metadata.Codecs, metadata.DataType, message => new ZarrException("the codec chain cannot be written as v2: " + message));
        if (metadata.ChunkKeyEncoding.IsDefault)
        {
            throw new ZarrException($"chunk key encoding {metadata.ChunkKeyEncoding} cannot be written as v2: v2 keys have no 'c' prefix (use the 'v2' encoding)");
        }

        // v2 has no dimension_names field: the names go into xarray's '_ARRAY_DIMENSIONS' attribute.
        metadata = V2DimensionNames.Normalize(metadata, null);

        var order = "C";
        if (layout.Transpose is { } transpose)
        {
            if (transpose.Order.SequenceEqual(CodecChainRules.ReversedOrder(metadata.Rank)))
            {
                order = "F";
            }
            else if (!transpose.Order.SequenceEqual(Enumerable.Range(0, metadata.Rank)))
            {
                throw new ZarrException($"the codec chain cannot be written as v2: transpose order [{string.Join(", ", transpose.Order)}] is neither C nor F order");
            }
        }

        // With filters, the dtype's byte order is the first filter's (zarr-python 2 views the chunk's memory as its dtype).
        JsonArray? filters = null;
        if (layout.Bytes is null && layout.Compressor is not IArrayToBytesCodec)
        {
            filters = [VlenUtf8Codec.Instance.ToV2Json()]; // the object codec of a string array
        }
        else if (layout.Filters.Count + layout.ByteFilters.Count > 0)
        {
            filters = [];
            foreach (var filter in layout.Filters.Concat(layout.ByteFilters))
            {
                filters.Add(CodecRegistry.Default.WriteV2(filter));
            }
        }

        var root = new JsonObject
        {
            ["chunks"] = CodecChainRules.ToJsonArray(metadata.ChunkShape.Select(c => (long)c)),
            ["compressor"] = layout.Compressor is ICodec compressor ? CodecRegistry.Default.WriteV2(compressor) : null,
            ["dtype"] = DataTypeJson.ToV2(metadata.DataType, layout.BigEndian),
            ["fill_value"] = FillValueJson.ToV2Json(metadata.FillValue.AsSpan(), metadata.DataType, metadata.FillValueIsNull, layout.BigEndian ? Endian.Big : Endian.Little),
            ["filters"] = filters,
            ["order"] = order,
            ["shape"] = CodecChainRules.ToJsonArray(metadata.Shape),
            ["zarr_format"] = 2,
        };

        // zarr-python 2.13 writes dimension_separator only when it was given; '.' is the v2 default, so only '/' is written.
        if (metadata.ChunkKeyEncoding.Separator == '/')
        {
            root["dimension_separator"] = "/";
        }

        return (PythonJson.Serialize(root, Indent, sortKeys: true), WriteAttributes(metadata.Attributes));
    }

    internal static (byte[] ZGroup, byte[]? ZAttrs) WriteGroup(GroupMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var zgroup = PythonJson.Serialize(new JsonObject { ["zarr_format"] = 2 }, Indent, sortKeys: true);
        return (zgroup, WriteAttributes(metadata.Attributes));
    }

    /// <summary>The fill value as a <c>.zarray</c> writes it (null when <see cref="ArrayMetadata.FillValueIsNull"/>).</summary>
    internal static JsonNode? FillValueJsonOf(ArrayMetadata metadata) =>
        FillValueJson.ToV2Json(metadata.FillValue.AsSpan(), metadata.DataType, metadata.FillValueIsNull, V2Layout.Of(metadata.Codecs).BigEndian ? Endian.Big : Endian.Little);

    /// <summary>The <c>.zattrs</c>, or null when there are no attributes (zarr-python 2.13 writes none then).</summary>
    private static byte[]? WriteAttributes(AttributeDictionary attributes) =>
        attributes.Count > 0 ? PythonJson.Serialize(attributes.Json, Indent, sortKeys: true) : null;
}
