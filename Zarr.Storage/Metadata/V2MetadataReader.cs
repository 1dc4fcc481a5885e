using System.Text.Json;
using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;
using Zarr.Storage.Internal;
using static Zarr.Storage.MetadataJsonReader;

namespace Zarr.Storage;

/// <summary>Reads v2 <c>.zarray</c>, <c>.zgroup</c> and <c>.zattrs</c> documents (see <see cref="MetadataSerializer"/>).</summary>
internal static class V2MetadataReader
{
    internal static ArrayMetadata ParseArray(ReadOnlySpan<byte> zarray, ReadOnlySpan<byte> zattrs, string document)
    {
        AttributeDictionary attributes;
        ChunkKeyEncoding chunkKeyEncoding;
        long[] shape;
        int[] chunkShape;
        ZarrDataType dataType;
        byte[] fillValue;
        bool fillIsNull;
        CodecPipeline pipeline;
        var codecs = new List<ICodec>(4);
        using (var doc = ParseDocument(PythonJson.ToStandard(zarray), document))
        {
            var root = doc.RootElement;
            RequireZarrFormat(root, 2, document);
            shape = ParseShape(Require(root, "shape", document), "shape", document);
            chunkShape = ParseChunkShape(Require(root, "chunks", document), shape.Length, "chunks", document);
            (dataType, var endian) = DataTypeJson.ParseV2(Require(root, "dtype", document), document);
            CheckSizes(shape, chunkShape, dataType, document, "shape", "chunks", "dtype");
            fillValue = FillValueJson.ParseV2(Require(root, "fill_value", document), dataType, document, out fillIsNull, byteOrder: endian ?? Endian.Little);
            var order = RequireString(root, "order", document);
            if (order is not ("C" or "F"))
            {
                throw new ZarrMetadataException(document, "order", $"{UserText.Quote(order)} is not a valid order (expected \"C\" or \"F\")");
            }

            // An object array's object codec (its first filter, vlen-utf8) stands where 'bytes' stands for other types,
            // and the compressor sees bytes.
            var byteFilters = new List<ICodec>();
            var filters = dataType.IsFixedSize ? ParseFilters(root, new NumpyDType(dataType, endian == Endian.Big), byteFilters, document) : ParseObjectCodec(root, document);
            chunkKeyEncoding = ParseDimensionSeparator(root, document);

            // The equivalent v3 chain: transpose (order F), the filters (zarr-python 2 runs them over the chunk's memory,
            // in its order, before compressing), bytes with the byte order of the last type (the dtype's, or the last
            // filter's astype), the compressor (which sees elements of that type).
            if (order == "F" && shape.Length > 0)
            {
                codecs.Add(new TransposeCodec(CodecChainRules.ReversedOrder(shape.Length)));
            }

            var stored = new NumpyDType(dataType.IsFixedSize ? dataType : ZarrDataType.UInt8, endian == Endian.Big);
            foreach (var filter in filters)
            {
                codecs.Add(filter);
                stored = filter.EncodedType;
            }

            // A compressor that takes the chunk as an array (zfpy) stands where bytes does, alone.
            var hasCompressor = root.TryGetProperty("compressor", out var compressor) && compressor.ValueKind != JsonValueKind.Null;
            var arrayCompressor = hasCompressor && dataType.IsFixedSize ? CodecRegistry.Default.ReadV2ArrayCompressor(ToNode(compressor), stored.DataType, document) : null;
            if (arrayCompressor is not null && (stored.BigEndian || byteFilters.Count > 0))
            {
                throw new ZarrMetadataException(document, "compressor", stored.BigEndian
                    ? $"'{arrayCompressor.Name}' compresses little-endian elements; the stored type is {stored}"
                    : $"'{arrayCompressor.Name}' takes the chunk's elements, and the filter '{byteFilters[^1].Name}' before it hands it bytes");
            }

            codecs.Add(arrayCompressor ?? (dataType.IsFixedSize ? new BytesCodec(filters.Count == 0 ? endian : stored.Endian) : (ICodec)VlenUtf8Codec.Instance));
            codecs.AddRange(byteFilters);
            if (hasCompressor && arrayCompressor is null)
            {
                if (compressor.ValueKind != JsonValueKind.Object)
                {
                    throw WrongKind(document, "compressor", "an object or null", compressor);
                }

                var codec = CodecRegistry.FromV2Compressor(ToNode(compressor), stored.DataType, document);
                if (codec is not null)
                {
                    codecs.Add(codec);
                }
            }

            pipeline = CodecChainRules.CreatePipeline(codecs, document);
        }

        attributes = ParseZAttrs(zattrs, SiblingDocument(document, MetadataSerializer.ZArray));
        return new ArrayMetadata
        {
            Format = ZarrFormat.V2,
            Shape = ImmutableArrays.Own(shape),
            ChunkShape = ImmutableArrays.Own(chunkShape),
            DataType = dataType,
            FillValue = ImmutableArrays.Own(fillValue),
            FillValueIsNull = fillIsNull,
            Codecs = codecs,
            ChunkKeyEncoding = chunkKeyEncoding,
            Attributes = attributes,

            // xarray's names of the dimensions, as zarr-python shows them: among the attributes.
            DimensionNames = V2DimensionNames.Read(attributes.Json, shape.Length),
        }.KeepPipeline(pipeline);
    }

    internal static GroupMetadata ParseGroup(ReadOnlySpan<byte> zgroup, ReadOnlySpan<byte> zattrs, string document)
    {
        using (var doc = ParseDocument(PythonJson.ToStandard(zgroup), document))
        {
            RequireZarrFormat(doc.RootElement, 2, document);
        }

        return new GroupMetadata { Format = ZarrFormat.V2, Attributes = ParseZAttrs(zattrs, SiblingDocument(document, MetadataSerializer.ZGroup)) };
    }

    /// <summary>
    /// The v2 <c>filters</c> list as codecs, in numcodecs' order (encoding runs them first to last). The first must
    /// decode to the array's dtype and each next one to the previous one's astype, byte order included: zarr-python 2
    /// would otherwise reinterpret the chunk's bytes, which this library does not model.
    /// </summary>
    /// <remarks>Filters of bytes (<c>shuffle</c>, checksums, compressors) go into <paramref name="byteFilters"/>: they see
    /// the chunk's memory, as the bytes codec produces it, so no numcodecs filter may follow them.</remarks>
    private static List<IV2Filter> ParseFilters(JsonElement root, NumpyDType arrayType, List<ICodec> byteFilters, string document)
    {
        var result = new List<IV2Filter>();
        if (!root.TryGetProperty("filters", out var filters) || filters.ValueKind == JsonValueKind.Null)
        {
            return result;
        }

        if (filters.ValueKind != JsonValueKind.Array)
        {
            throw WrongKind(document, "filters", "an array or null", filters);
        }

        var expected = arrayType;
        var from = "the array's dtype is";
        foreach (var entry in filters.EnumerateArray())
        {
            var index = result.Count + byteFilters.Count;
            var codec = CodecRegistry.Default.ReadV2FilterEntry(ToNode(entry), index, expected.DataType, document);
            if (codec is not IV2Filter filter)
            {
                byteFilters.Add(codec);
                continue;
            }

            if (byteFilters.Count > 0)
            {
                throw new ZarrMetadataException(document, $"filters[{index}]",
                    $"the filter '{filter.V2Id}' follows '{byteFilters[^1].Name}', which works on bytes; a filter of elements after one of bytes (it would see them reinterpreted as its dtype) is not supported");
            }

            if (!CodecChainRules.SameStoredType(filter.DecodedType, expected))
            {
                var field = $"filters[{index}].{(filter is AsTypeCodec ? "decode_dtype" : "dtype")}";
                throw new ZarrMetadataException(document, field,
                    $"the filter '{filter.V2Id}' decodes to '{filter.DecodedType}' but {from} '{expected}'; filters whose type differs from the data they receive (a reinterpretation of its bytes) are not supported");
            }

            result.Add(filter);
            expected = filter.EncodedType;
            from = $"the filter before it ('{filter.V2Id}') encodes to";
        }

        return result;
    }

    /// <summary>
    /// The <c>filters</c> of an object (<c>|O</c>) array: numcodecs' object codec first, which must be <c>vlen-utf8</c>
    /// (variable-length strings); filters after it are not supported. Returns no array filters.
    /// </summary>
    private static List<IV2Filter> ParseObjectCodec(JsonElement root, string document)
    {
        if (!root.TryGetProperty("filters", out var filters) || filters.ValueKind != JsonValueKind.Array || filters.GetArrayLength() == 0)
        {
            throw new ZarrMetadataException(document, "filters", "an object ('|O') array needs its object codec as the first filter; only 'vlen-utf8' (variable-length strings) is supported");
        }

        var first = filters[0];
        var id = first.ValueKind == JsonValueKind.Object && first.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
        if (id != "vlen-utf8")
        {
            var why = id is null ? null : Zarr.Storage.Codecs.Registry.UnsupportedNumcodecs.Reason(id);
            throw new ZarrMetadataException(document, "filters[0]", $"object codec {Describe(first)} is not supported yet; only 'vlen-utf8' (variable-length strings) is{(why is null ? "" : $" ({UserText.Quote(id!)}: {why})")}");
        }

        if (filters.GetArrayLength() > 1)
        {
            throw new ZarrMetadataException(document, "filters[1]", $"filters after the object codec ({Describe(filters[1])}) are not supported yet");
        }

        return [];
    }

    private static ChunkKeyEncoding ParseDimensionSeparator(JsonElement root, string document)
    {
        if (!root.TryGetProperty("dimension_separator", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return ChunkKeyEncoding.V2Dot;
        }

        return value.ValueKind == JsonValueKind.String && value.GetString() is "." or "/"
            ? (value.GetString() == "/" ? ChunkKeyEncoding.V2Slash : ChunkKeyEncoding.V2Dot)
            : throw new ZarrMetadataException(document, "dimension_separator", $"{Describe(value)} is not a separator (expected \".\" or \"/\")");
    }

    /// <summary>A <c>.zattrs</c>: standard JSON, or as Python's json writes a float that is NaN or infinite (see <see cref="PythonJson"/>).</summary>
    private static AttributeDictionary ParseZAttrs(ReadOnlySpan<byte> zattrs, string document)
    {
        if (zattrs.IsEmpty)
        {
            return AttributeDictionary.Empty;
        }

        JsonNode? node;
        try
        {
            node = PythonJson.ParseNode(zattrs, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new ZarrMetadataException(document, null, $"not valid JSON: {ex.Message}", ex);
        }

        return node is JsonObject attributes
            ? AttributeDictionary.Own(attributes)
            : throw new ZarrMetadataException(document, null, $"expected a JSON object, found {(node is null ? "null" : KindName(node.GetValueKind()))}");
    }

    /// <summary>The key of the <c>.zattrs</c> beside <paramref name="document"/> (for error messages).</summary>
    private static string SiblingDocument(string document, string name) =>
        document.EndsWith(name, StringComparison.Ordinal) ? document[..^name.Length] + MetadataSerializer.ZAttrs : document + " (" + MetadataSerializer.ZAttrs + ")";
}
