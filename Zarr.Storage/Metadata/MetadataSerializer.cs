using System.Text.Json;
using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;
using Zarr.Storage.Codecs.ArrayToArray;
using Zarr.Storage.Codecs.ArrayToBytes;
using Zarr.Storage.DataTypes;
using Zarr.Storage.Internal;

namespace Zarr.Storage.Metadata;

/// <summary>Reads and writes array and group metadata documents in the Zarr v2 and v3 JSON formats.</summary>
/// <remarks>
/// <para>Output is byte for byte what the reference implementations write: v2 as zarr-python 2.13 (keys sorted, indent 4,
/// non-ASCII escaped, no trailing newline), v3 as zarr-python 3 (its field order, indent 2). Every reading failure is a
/// <see cref="ZarrMetadataException"/> naming the document and the field.</para>
/// <para>NaN and infinities: v2 documents are read as Python's json writes them, with the bare tokens <c>NaN</c>,
/// <c>Infinity</c> and <c>-Infinity</c> (zarr-python 2.13 writes an attribute that is float('nan') so): in
/// <c>.zattrs</c> they read as the doubles, in <c>.zarray</c> as the fill value strings <c>"NaN"</c>, <c>"Infinity"</c>,
/// <c>"-Infinity"</c>. Everything is written as standard JSON, those doubles as those strings (where zarr-python 2.13
/// would write the bare token), which zarr-python 2.13 reads back as the strings. v3 documents are standard JSON.</para>
/// </remarks>
public static class MetadataSerializer
{
    /// <summary>The v3 metadata document's name.</summary>
    public const string ZarrJson = "zarr.json";

    /// <summary>The v2 array document's name.</summary>
    public const string ZArray = ".zarray";

    /// <summary>The v2 group document's name.</summary>
    public const string ZGroup = ".zgroup";

    /// <summary>The v2 attributes document's name.</summary>
    public const string ZAttrs = ".zattrs";

    private const int V2Indent = 4;
    private const int V3Indent = 2;

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowDuplicateProperties = false,
    };

    private static readonly HashSet<string> V3ArrayFields =
    [
        "zarr_format", "node_type", "shape", "data_type", "chunk_grid", "chunk_key_encoding", "fill_value", "codecs",
        "attributes", "dimension_names", "storage_transformers",
    ];

    private static readonly HashSet<string> V3GroupFields = ["zarr_format", "node_type", "attributes", "consolidated_metadata"];

    /// <summary>Parses a v3 <c>zarr.json</c> of an array.</summary>
    /// <param name="json">The document's bytes (UTF-8).</param>
    /// <param name="document">The document's store key, for error messages.</param>
    /// <exception cref="ZarrMetadataException">The document is not valid; the message names the field.</exception>
    public static ArrayMetadata ParseArrayV3(ReadOnlySpan<byte> json, string document)
    {
        using var doc = ParseDocument(json, document);
        var root = doc.RootElement;
        RequireZarrFormat(root, 3, document);
        RequireNodeType(root, "array", document);
        CheckExtensionFields(root, V3ArrayFields, document);

        var shape = ParseShape(Require(root, "shape", document), "shape", document);
        var dataType = DataTypeJson.ParseV3(Require(root, "data_type", document), document);
        var chunkShape = ParseChunkGrid(Require(root, "chunk_grid", document), shape.Length, document);
        CheckSizes(shape, chunkShape, dataType, document, "shape", "chunk_grid.configuration.chunk_shape", "data_type");
        var chunkKeyEncoding = ParseChunkKeyEncoding(Require(root, "chunk_key_encoding", document), document);
        var fillValue = FillValueJson.ParseV3(Require(root, "fill_value", document), dataType, document);
        var codecs = ParseCodecsV3(Require(root, "codecs", document), dataType, shape.Length, document);
        var attributes = ParseAttributes(root, "attributes", document);
        var dimensionNames = ParseDimensionNames(root, shape.Length, document);
        ParseStorageTransformers(root, document);

        return new ArrayMetadata
        {
            Format = ZarrFormat.V3,
            Shape = shape,
            ChunkShape = chunkShape,
            DataType = dataType,
            FillValue = fillValue,
            Codecs = codecs,
            ChunkKeyEncoding = chunkKeyEncoding,
            Attributes = attributes,
            DimensionNames = dimensionNames,
        };
    }

    /// <summary>Parses a v2 <c>.zarray</c> with its <c>.zattrs</c> (empty span when there is none).</summary>
    /// <param name="zarray">The <c>.zarray</c> document's bytes (UTF-8).</param>
    /// <param name="zattrs">The <c>.zattrs</c> document's bytes, or an empty span when there is none.</param>
    /// <param name="document">The <c>.zarray</c> document's store key, for error messages.</param>
    /// <exception cref="ZarrMetadataException">A document is not valid, or uses a feature not supported yet (string, date,
    /// structured or object data types; filters other than delta, fixedscaleoffset, astype and quantize); the message
    /// names the field.</exception>
    public static ArrayMetadata ParseArrayV2(ReadOnlySpan<byte> zarray, ReadOnlySpan<byte> zattrs, string document)
    {
        JsonObject attributes;
        ChunkKeyEncoding chunkKeyEncoding;
        long[] shape;
        int[] chunkShape;
        ZarrDataType dataType;
        byte[] fillValue;
        bool fillIsNull;
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
            var filters = dataType.IsFixedSize ? ParseFiltersV2(root, new NumpyDType(dataType, endian == Endian.Big), document) : ParseObjectCodecV2(root, document);
            chunkKeyEncoding = ParseDimensionSeparator(root, document);

            // The equivalent v3 chain: transpose (order F), the filters (zarr-python 2 runs them over the chunk's memory,
            // in its order, before compressing), bytes with the byte order of the last type (the dtype's, or the last
            // filter's astype), the compressor (which sees elements of that type).
            if (order == "F" && shape.Length > 0)
            {
                codecs.Add(new TransposeCodec(ReversedOrder(shape.Length)));
            }

            var stored = new NumpyDType(dataType.IsFixedSize ? dataType : ZarrDataType.UInt8, endian == Endian.Big);
            foreach (var filter in filters)
            {
                codecs.Add(filter);
                stored = filter.EncodedType;
            }

            codecs.Add(dataType.IsFixedSize ? new BytesCodec(filters.Count == 0 ? endian : stored.Endian) : (ICodec)VlenUtf8Codec.Instance);
            if (root.TryGetProperty("compressor", out var compressor) && compressor.ValueKind != JsonValueKind.Null)
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

            ValidatePipeline(codecs, document);
        }

        attributes = ParseZAttrs(zattrs, SiblingDocument(document, ZArray));
        return new ArrayMetadata
        {
            Format = ZarrFormat.V2,
            Shape = shape,
            ChunkShape = chunkShape,
            DataType = dataType,
            FillValue = fillValue,
            FillValueIsNull = fillIsNull,
            Codecs = codecs,
            ChunkKeyEncoding = chunkKeyEncoding,
            Attributes = attributes,
        };
    }

    /// <summary>Parses a v3 <c>zarr.json</c> of a group.</summary>
    /// <param name="json">The document's bytes (UTF-8).</param>
    /// <param name="document">The document's store key, for error messages.</param>
    /// <exception cref="ZarrMetadataException">The document is not valid; the message names the field.</exception>
    public static GroupMetadata ParseGroupV3(ReadOnlySpan<byte> json, string document)
    {
        using var doc = ParseDocument(json, document);
        var root = doc.RootElement;
        RequireZarrFormat(root, 3, document);
        RequireNodeType(root, "group", document);
        CheckExtensionFields(root, V3GroupFields, document);

        // consolidated_metadata is read by a later issue; for now its presence is accepted and its content ignored.
        if (root.TryGetProperty("consolidated_metadata", out var consolidated)
            && consolidated.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
        {
            throw WrongKind(document, "consolidated_metadata", "an object or null", consolidated);
        }

        return new GroupMetadata { Format = ZarrFormat.V3, Attributes = ParseAttributes(root, "attributes", document) };
    }

    /// <summary>Parses a v2 <c>.zgroup</c> with its <c>.zattrs</c> (empty span when there is none).</summary>
    /// <param name="zgroup">The <c>.zgroup</c> document's bytes (UTF-8).</param>
    /// <param name="zattrs">The <c>.zattrs</c> document's bytes, or an empty span when there is none.</param>
    /// <param name="document">The <c>.zgroup</c> document's store key, for error messages.</param>
    /// <exception cref="ZarrMetadataException">A document is not valid; the message names the field.</exception>
    public static GroupMetadata ParseGroupV2(ReadOnlySpan<byte> zgroup, ReadOnlySpan<byte> zattrs, string document)
    {
        using (var doc = ParseDocument(PythonJson.ToStandard(zgroup), document))
        {
            RequireZarrFormat(doc.RootElement, 2, document);
        }

        return new GroupMetadata { Format = ZarrFormat.V2, Attributes = ParseZAttrs(zattrs, SiblingDocument(document, ZGroup)) };
    }

    /// <summary>The node type (<c>array</c> or <c>group</c>) a v3 <c>zarr.json</c> declares.</summary>
    /// <param name="json">The document's bytes (UTF-8).</param>
    /// <param name="document">The document's store key, for error messages.</param>
    /// <exception cref="ZarrMetadataException">The document is not JSON, not v3, or has no valid <c>node_type</c>.</exception>
    public static string ReadNodeTypeV3(ReadOnlySpan<byte> json, string document)
    {
        using var doc = ParseDocument(json, document);
        RequireZarrFormat(doc.RootElement, 3, document);
        var nodeType = RequireString(doc.RootElement, "node_type", document);
        return nodeType is "array" or "group"
            ? nodeType
            : throw new ZarrMetadataException(document, "node_type", $"{UserText.Quote(nodeType)} is not a node type (expected \"array\" or \"group\")");
    }

    /// <summary>The v3 <c>zarr.json</c> of an array (UTF-8, indented).</summary>
    /// <param name="metadata">The array's metadata (of either format: a v2 array's model is written as its v3 equivalent,
    /// a null fill value as the zeros it reads as).</param>
    /// <exception cref="ZarrException">The metadata is not consistent (ranks, codec chain, fill value size, a null fill
    /// value whose bytes are not zero).</exception>
    public static byte[] ToV3Json(ArrayMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        CheckModel(metadata);
        ValidateChain(metadata.Codecs, ZarrFormat.V3);
        CheckEndian(metadata.Codecs, metadata.DataType, t => new ZarrException(EndianMessage(t)));
        CheckFilterTypes(metadata.Codecs, metadata.DataType, message => new ZarrException(message));
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
            codecs.Add(codec.ToV3Json());
        }

        // zarr-python 3's field order (its ArrayV3Metadata dataclass order).
        var root = new JsonObject
        {
            ["shape"] = ToArray(metadata.Shape),
            ["data_type"] = DataTypeJson.ToV3(metadata.DataType),
            ["chunk_grid"] = new JsonObject
            {
                ["name"] = "regular",
                ["configuration"] = new JsonObject { ["chunk_shape"] = ToArray(metadata.ChunkShape) },
            },
            ["chunk_key_encoding"] = new JsonObject
            {
                ["name"] = metadata.ChunkKeyEncoding.Name,
                ["configuration"] = new JsonObject { ["separator"] = metadata.ChunkKeyEncoding.Separator.ToString() },
            },
            ["fill_value"] = FillValueJson.ToV3Json(metadata.FillValue, metadata.DataType),
            ["codecs"] = codecs,
            ["attributes"] = metadata.Attributes.DeepClone(),
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
        return PythonJson.Serialize(root, V3Indent, sortKeys: false);
    }

    /// <summary>The v2 <c>.zarray</c> and <c>.zattrs</c> of an array (<c>.zattrs</c> null when there are no attributes).</summary>
    /// <param name="metadata">The array's metadata (of either format).</param>
    /// <exception cref="ZarrException">The codec chain, chunk key encoding or dimension names cannot be expressed in v2, or
    /// the metadata is not consistent (ranks, fill value size, a null fill value whose bytes are not zero).</exception>
    public static (byte[] ZArray, byte[]? ZAttrs) ToV2Json(ArrayMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        CheckModel(metadata);
        var layout = GetV2Layout(metadata.Codecs);
        CheckEndian(metadata.Codecs, metadata.DataType, t => new ZarrException(EndianMessage(t)));
        CheckFilterTypes(metadata.Codecs, metadata.DataType, message => new ZarrException("the codec chain cannot be written as v2: " + message));
        if (metadata.ChunkKeyEncoding.IsDefault)
        {
            throw new ZarrException($"chunk key encoding {metadata.ChunkKeyEncoding} cannot be written as v2: v2 keys have no 'c' prefix (use the 'v2' encoding)");
        }

        if (metadata.DimensionNames is not null)
        {
            throw new ZarrException("dimension_names cannot be written as v2 (v2 has no such field; xarray keeps them in the '_ARRAY_DIMENSIONS' attribute)");
        }

        var order = "C";
        if (layout.Transpose is { } transpose)
        {
            if (transpose.Order.SequenceEqual(ReversedOrder(metadata.Rank)))
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
        if (layout.Bytes is null)
        {
            filters = [VlenUtf8Codec.Instance.ToV2Json()]; // the object codec of a string array
        }
        else if (layout.Filters.Count > 0)
        {
            filters = [];
            foreach (var filter in layout.Filters)
            {
                filters.Add(filter.ToV2Json());
            }
        }

        var bigEndian = V2BigEndian(layout);
        var root = new JsonObject
        {
            ["chunks"] = ToArray(metadata.ChunkShape),
            ["compressor"] = layout.Compressor?.ToV2Json(),
            ["dtype"] = DataTypeJson.ToV2(metadata.DataType, bigEndian),
            ["fill_value"] = FillValueJson.ToV2Json(metadata.FillValue, metadata.DataType, metadata.FillValueIsNull, bigEndian ? Endian.Big : Endian.Little),
            ["filters"] = filters,
            ["order"] = order,
            ["shape"] = ToArray(metadata.Shape),
            ["zarr_format"] = 2,
        };

        // zarr-python 2.13 writes dimension_separator only when it was given; '.' is the v2 default, so only '/' is written.
        if (metadata.ChunkKeyEncoding.Separator == '/')
        {
            root["dimension_separator"] = "/";
        }

        var zattrs = metadata.Attributes.Count > 0 ? PythonJson.Serialize(metadata.Attributes, V2Indent, sortKeys: true) : null;
        return (PythonJson.Serialize(root, V2Indent, sortKeys: true), zattrs);
    }

    /// <summary>The v3 <c>zarr.json</c> of a group.</summary>
    /// <param name="metadata">The group's metadata.</param>
    public static byte[] ToV3Json(GroupMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var root = new JsonObject
        {
            ["attributes"] = metadata.Attributes.DeepClone(),
            ["zarr_format"] = 3,
            ["node_type"] = "group",
        };
        return PythonJson.Serialize(root, V3Indent, sortKeys: false);
    }

    /// <summary>The v2 <c>.zgroup</c> and <c>.zattrs</c> of a group (<c>.zattrs</c> null when there are no attributes).</summary>
    /// <param name="metadata">The group's metadata.</param>
    public static (byte[] ZGroup, byte[]? ZAttrs) ToV2Json(GroupMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var zgroup = PythonJson.Serialize(new JsonObject { ["zarr_format"] = 2 }, V2Indent, sortKeys: true);
        var zattrs = metadata.Attributes.Count > 0 ? PythonJson.Serialize(metadata.Attributes, V2Indent, sortKeys: true) : null;
        return (zgroup, zattrs);
    }

    /// <summary>
    /// The fill value as the array's own metadata document writes it: v3 <c>zarr.json</c>'s <c>fill_value</c>, or v2
    /// <c>.zarray</c>'s, which is null when <see cref="ArrayMetadata.FillValueIsNull"/>.
    /// </summary>
    internal static JsonNode? FillValueJsonOf(ArrayMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (metadata.Format == ZarrFormat.V2)
        {
            var bigEndian = V2BigEndian(GetV2Layout(metadata.Codecs));
            return FillValueJson.ToV2Json(metadata.FillValue, metadata.DataType, metadata.FillValueIsNull, bigEndian ? Endian.Big : Endian.Little);
        }

        try
        {
            return FillValueJson.ToV3Json(metadata.FillValue, metadata.DataType);
        }
        catch (ZarrException) when (metadata.DataType.Kind == DataTypeKind.Structured)
        {
            // A sub-array field has no v3 object form; zarr-python 3's legacy form is base64 of the element.
            return JsonValue.Create(Convert.ToBase64String(metadata.FillValue));
        }
    }

    /// <summary>
    /// A null fill value (<see cref="ArrayMetadata.FillValueIsNull"/>) reads as zeros, so <see cref="ArrayMetadata.FillValue"/>
    /// must be zeros with it: anything else would read differently once written and read back.
    /// </summary>
    /// <exception cref="ZarrException">The flag is set and the fill value's bytes are not all zero.</exception>
    internal static void CheckNullFillValue(ArrayMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (metadata.FillValueIsNull && metadata.FillValue.AsSpan().ContainsAnyExcept((byte)0))
        {
            throw new ZarrException($"FillValueIsNull says the array has no fill value (missing chunks read as zeros), but FillValue is not zero ({Convert.ToHexString(metadata.FillValue)}); clear one of them");
        }
    }

    /// <summary>Validates a codec chain for use with <paramref name="format"/>.</summary>
    /// <exception cref="ZarrException">The chain is not valid (v3: the order the specification requires; v2: it must be
    /// an optional transpose, numcodecs filters, the bytes codec and at most one v2 compressor).</exception>
    internal static void ValidateChain(IReadOnlyList<ICodec> codecs, ZarrFormat format)
    {
        ArgumentNullException.ThrowIfNull(codecs);
        if (format == ZarrFormat.V2)
        {
            GetV2Layout(codecs);
        }
        else
        {
            CodecPipeline.Create(codecs);
        }
    }

    /// <summary>Splits a chain into the parts v2 can express, or says why it cannot.</summary>
    internal static V2Layout GetV2Layout(IReadOnlyList<ICodec> codecs)
    {
        ArgumentNullException.ThrowIfNull(codecs);
        const string Prefix = "the codec chain cannot be written as v2";
        foreach (var codec in codecs)
        {
            if (codec is not (TransposeCodec or IV2Filter or BytesCodec or VlenUtf8Codec or (IBytesToBytesCodec and IV2Compressor)))
            {
                var why = codec.Name == "crc32c" ? " (crc32c is v3 only)" : string.Empty;
                throw new ZarrException($"{Prefix}: '{codec.Name}' has no v2 form{why}; v2 holds [transpose (order F)] + [numcodecs filters] + bytes + [one numcodecs compressor]");
            }
        }

        var i = 0;
        TransposeCodec? transpose = null;
        if (i < codecs.Count && codecs[i] is TransposeCodec t)
        {
            transpose = t;
            i++;
        }

        var filters = new List<IV2Filter>();
        while (i < codecs.Count && codecs[i] is IV2Filter filter)
        {
            if (filters.Count > 0 && !SameStoredType(filters[^1].EncodedType, filter.DecodedType))
            {
                throw new ZarrException($"{Prefix}: the filter '{filter.Name}' decodes to {filter.DecodedType} and the filter before it encodes to {filters[^1].EncodedType}; zarr-python 2 would reinterpret the bytes");
            }

            filters.Add(filter);
            i++;
        }

        if (i < codecs.Count && codecs[i] is VlenUtf8Codec && filters.Count == 0)
        {
            // A string array: numcodecs' object codec stands in the filters, and produces the bytes.
            i++;
            IBytesToBytesCodec? objectCompressor = null;
            if (i < codecs.Count && codecs[i] is IBytesToBytesCodec and IV2Compressor)
            {
                objectCompressor = (IBytesToBytesCodec)codecs[i];
                i++;
            }

            if (i < codecs.Count)
            {
                throw new ZarrException($"{Prefix}: v2 has one compressor, and the chain has more after 'vlen-utf8': {string.Join(", ", codecs.Skip(i).Select(c => $"'{c.Name}'"))}");
            }

            return new V2Layout(transpose, filters, null, (IV2Compressor?)objectCompressor);
        }

        if (i >= codecs.Count || codecs[i] is not BytesCodec bytes)
        {
            var found = i < codecs.Count ? $"'{codecs[i].Name}'" : "nothing";
            throw new ZarrException($"{Prefix}: v2 needs [transpose (order F)] + [filters] + bytes + [one compressor], and {found} stands where 'bytes' must");
        }

        if (filters.Count > 0 && filters[^1].EncodedType is { DataType.ItemSize: > 1 } last && bytes.Endian != last.Endian)
        {
            throw new ZarrException($"{Prefix}: the last filter stores {last} and the bytes codec's byte order is {bytes.Endian?.ToString() ?? "none"}; in v2 the stored byte order is the filter's astype");
        }

        i++;
        IBytesToBytesCodec? compressor = null;
        if (i < codecs.Count)
        {
            if (codecs[i] is not (IBytesToBytesCodec and IV2Compressor))
            {
                throw new ZarrException($"{Prefix}: '{codecs[i].Name}' stands after 'bytes', where v2 holds only one compressor");
            }

            compressor = (IBytesToBytesCodec)codecs[i];
            i++;
        }

        if (i < codecs.Count)
        {
            throw new ZarrException($"{Prefix}: v2 has one compressor, and the chain has more after '{codecs[i - 1].Name}': {string.Join(", ", codecs.Skip(i).Select(c => $"'{c.Name}'"))}");
        }

        return new V2Layout(transpose, filters, bytes, (IV2Compressor?)compressor);
    }

    // ---- reading helpers -------------------------------------------------------------------------------------------

    private static JsonDocument ParseDocument(ReadOnlySpan<byte> json, string document)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (json.IsEmpty)
        {
            throw new ZarrMetadataException(document, null, "the document is empty");
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json.ToArray(), DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new ZarrMetadataException(document, null, $"not valid JSON: {ex.Message}", ex);
        }

        if (doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            var kind = doc.RootElement.ValueKind;
            doc.Dispose();
            throw new ZarrMetadataException(document, null, $"expected a JSON object, found {KindName(kind)}");
        }

        return doc;
    }

    /// <summary>Refuses sizes the library cannot hold (<see cref="Sizes.CheckArray"/>) before the fill value is allocated.</summary>
    private static void CheckSizes(long[] shape, int[] chunks, ZarrDataType dataType, string document, string shapeField, string chunksField, string typeField)
    {
        if (Sizes.CheckArray(shape, chunks, dataType) is var (fault, message))
        {
            var field = fault switch { SizeFault.Shape => shapeField, SizeFault.Chunks => chunksField, _ => typeField };
            throw new ZarrMetadataException(document, field, message);
        }
    }

    private static JsonElement Require(JsonElement root, string name, string document) =>
        root.TryGetProperty(name, out var value)
            ? value
            : throw new ZarrMetadataException(document, name, "required field is missing");

    private static string RequireString(JsonElement root, string name, string document)
    {
        var value = Require(root, name, document);
        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw WrongKind(document, name, "a string", value);
    }

    private static void RequireZarrFormat(JsonElement root, int expected, string document)
    {
        var value = Require(root, "zarr_format", document);
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var format))
        {
            throw WrongKind(document, "zarr_format", "an integer", value);
        }

        if (format != expected)
        {
            throw new ZarrMetadataException(document, "zarr_format", $"expected {expected}, found {format}");
        }
    }

    private static void RequireNodeType(JsonElement root, string expected, string document)
    {
        var nodeType = RequireString(root, "node_type", document);
        if (nodeType != expected)
        {
            throw new ZarrMetadataException(document, "node_type", $"expected \"{expected}\", found {UserText.Json(root.GetProperty("node_type"))}");
        }
    }

    private static void CheckExtensionFields(JsonElement root, HashSet<string> known, string document)
    {
        foreach (var property in root.EnumerateObject())
        {
            if (known.Contains(property.Name))
            {
                continue;
            }

            // The v3 spec: an unknown field is ignored only when it is an object declaring "must_understand": false.
            if (property.Value.ValueKind == JsonValueKind.Object
                && property.Value.TryGetProperty("must_understand", out var mu)
                && mu.ValueKind == JsonValueKind.False)
            {
                continue;
            }

            throw new ZarrMetadataException(document, property.Name,
                "unknown field: an extension this library does not understand (only objects with \"must_understand\": false may be ignored)");
        }
    }

    private static long[] ParseShape(JsonElement value, string field, string document)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw WrongKind(document, field, "an array of integers", value);
        }

        var shape = new long[value.GetArrayLength()];
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out var n))
            {
                throw new ZarrMetadataException(document, field, $"element {i} is {Describe(item)}, not an integer");
            }

            if (n < 0)
            {
                throw new ZarrMetadataException(document, field, $"element {i} is {n}; sizes cannot be negative");
            }

            shape[i++] = n;
        }

        return shape;
    }

    private static int[] ParseChunkShape(JsonElement value, int rank, string field, string document)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw WrongKind(document, field, "an array of integers", value);
        }

        var chunks = new int[value.GetArrayLength()];
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out var n))
            {
                throw new ZarrMetadataException(document, field, $"element {i} is {Describe(item)}, not an integer");
            }

            if (n is <= 0 or > int.MaxValue)
            {
                throw new ZarrMetadataException(document, field, $"element {i} is {n}; chunk sizes must be between 1 and {int.MaxValue}");
            }

            chunks[i++] = (int)n;
        }

        if (chunks.Length != rank)
        {
            throw new ZarrMetadataException(document, field, $"has {chunks.Length} dimensions and the shape has {rank}");
        }

        return chunks;
    }

    private static int[] ParseChunkGrid(JsonElement value, int rank, string document)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw WrongKind(document, "chunk_grid", "an object", value);
        }

        var name = value.TryGetProperty("name", out var n) ? n : default;
        if (name.ValueKind != JsonValueKind.String)
        {
            throw WrongKind(document, "chunk_grid.name", "a string", name);
        }

        if (name.GetString() != "regular")
        {
            throw new ZarrMetadataException(document, "chunk_grid.name", $"chunk grid {UserText.Json(name)} is not supported (only 'regular')");
        }

        if (!value.TryGetProperty("configuration", out var configuration) || configuration.ValueKind != JsonValueKind.Object)
        {
            throw WrongKind(document, "chunk_grid.configuration", "an object", configuration);
        }

        const string Field = "chunk_grid.configuration.chunk_shape";
        if (!configuration.TryGetProperty("chunk_shape", out var chunkShape))
        {
            throw new ZarrMetadataException(document, Field, "required field is missing");
        }

        return ParseChunkShape(chunkShape, rank, Field, document);
    }

    private static ChunkKeyEncoding ParseChunkKeyEncoding(JsonElement value, string document)
    {
        string? name;
        JsonElement configuration = default;
        if (value.ValueKind == JsonValueKind.String)
        {
            name = value.GetString();
        }
        else if (value.ValueKind == JsonValueKind.Object)
        {
            if (!value.TryGetProperty("name", out var n) || n.ValueKind != JsonValueKind.String)
            {
                throw WrongKind(document, "chunk_key_encoding.name", "a string", n);
            }

            name = n.GetString();
            if (value.TryGetProperty("configuration", out configuration)
                && configuration.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
            {
                throw WrongKind(document, "chunk_key_encoding.configuration", "an object", configuration);
            }
        }
        else
        {
            throw WrongKind(document, "chunk_key_encoding", "an object", value);
        }

        var separator = name switch
        {
            "default" => '/',
            "v2" => '.',
            _ => throw new ZarrMetadataException(document, "chunk_key_encoding.name", $"chunk key encoding {UserText.Quote(name)} is not supported (expected 'default' or 'v2')"),
        };

        if (configuration.ValueKind == JsonValueKind.Object && configuration.TryGetProperty("separator", out var sep))
        {
            var s = sep.ValueKind == JsonValueKind.String ? sep.GetString() : null;
            if (s is not ("/" or "."))
            {
                throw new ZarrMetadataException(document, "chunk_key_encoding.configuration.separator", $"{Describe(sep)} is not a separator (expected \"/\" or \".\")");
            }

            separator = s[0];
        }

        return ChunkKeyEncoding.Create(name, separator);
    }

    private static List<ICodec> ParseCodecsV3(JsonElement value, ZarrDataType dataType, int rank, string document)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw WrongKind(document, "codecs", "an array of codecs", value);
        }

        if (value.GetArrayLength() == 0)
        {
            throw new ZarrMetadataException(document, "codecs", "the chain is empty; it needs at least an array-to-bytes codec such as 'bytes'");
        }

        // Each codec is told the type it receives: a numcodecs filter may change it (fixedscaleoffset float64 → uint8).
        var codecs = new List<ICodec>(value.GetArrayLength());
        var current = dataType;
        foreach (var item in value.EnumerateArray())
        {
            // vlen-utf8 (a string array's array→bytes codec) is read here; what follows it sees bytes.
            if (IsVlenUtf8(item))
            {
                if (dataType.IsFixedSize)
                {
                    throw new ZarrMetadataException(document, "codecs", $"the 'vlen-utf8' codec encodes variable-length strings; the data type is {dataType}");
                }

                codecs.Add(VlenUtf8Codec.Instance);
                current = ZarrDataType.UInt8;
                continue;
            }

            var codec = CodecRegistry.FromV3Json(ToNode(item)!, current, document);
            codecs.Add(codec);
            if (codec is IV2Filter filter)
            {
                current = filter.EncodedType.DataType;
            }
        }

        ValidatePipeline(codecs, document);
        if (!dataType.IsFixedSize && codecs.Find(c => c is IArrayToBytesCodec) is { } arrayToBytes && arrayToBytes is not VlenUtf8Codec)
        {
            throw new ZarrMetadataException(document, "codecs", $"a {dataType} array needs the 'vlen-utf8' codec as its array→bytes codec, not '{arrayToBytes.Name}'");
        }

        CheckEndian(codecs, dataType, t => new ZarrMetadataException(document, "codecs", EndianMessage(t)));
        CheckFilterTypes(codecs, dataType, message => new ZarrMetadataException(document, "codecs", message));
        foreach (var codec in codecs)
        {
            if (codec is TransposeCodec transpose && transpose.Order.Length != rank)
            {
                throw new ZarrMetadataException(document, "codecs",
                    $"transpose order [{string.Join(", ", transpose.Order)}] has {transpose.Order.Length} axes and the array has {rank} dimensions");
            }
        }

        return codecs;
    }

    private static bool IsVlenUtf8(JsonElement codec) =>
        (codec.ValueKind == JsonValueKind.String && codec.ValueEquals("vlen-utf8"))
        || (codec.ValueKind == JsonValueKind.Object && codec.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String && n.ValueEquals("vlen-utf8"));

    private static void ValidatePipeline(List<ICodec> codecs, string document)
    {
        try
        {
            CodecPipeline.Create(codecs);
        }
        catch (ZarrMetadataException)
        {
            throw;
        }
        catch (ZarrException ex)
        {
            throw new ZarrMetadataException(document, "codecs", ex.Message, ex);
        }
    }

    /// <summary>The bytes codec needs a byte order for the type it receives (the last filter's encoded type, if any).</summary>
    private static void CheckEndian(IReadOnlyList<ICodec> codecs, ZarrDataType dataType, Func<ZarrDataType, ZarrException> error)
    {
        var type = dataType;
        foreach (var codec in codecs)
        {
            if (codec is IV2Filter filter)
            {
                type = filter.EncodedType.DataType;
            }
            else if (codec is BytesCodec { Endian: null } && type.NeedsByteOrder)
            {
                throw error(type);
            }
        }
    }

    /// <summary>Each numcodecs filter must decode to the type that reaches it: the array's, or the previous filter's output.</summary>
    private static void CheckFilterTypes(IReadOnlyList<ICodec> codecs, ZarrDataType dataType, Func<string, ZarrException> error)
    {
        var type = dataType;
        var from = "the array's data type";
        foreach (var filter in codecs.OfType<IV2Filter>())
        {
            if (filter.DecodedType.DataType != type)
            {
                throw error($"the filter '{filter.Name}' decodes to {filter.DecodedType} ({filter.DecodedType.DataType}), but {from} is {type}");
            }

            type = filter.EncodedType.DataType;
            from = $"the filter before it ('{filter.Name}') encodes to {filter.EncodedType} and so the type reaching it";
        }
    }

    /// <summary>Two numpy types name the same stored layout (the same type; the same byte order unless one byte wide).</summary>
    private static bool SameStoredType(NumpyDType a, NumpyDType b) => a.DataType == b.DataType && a.BigEndian == b.BigEndian;

    private static string EndianMessage(ZarrDataType dataType) =>
        $"the bytes codec needs an endian (\"little\" or \"big\") for {dataType}, whose elements are {dataType.ItemSize} bytes";

    private static JsonObject ParseAttributes(JsonElement root, string field, string document)
    {
        if (!root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        return value.ValueKind == JsonValueKind.Object
            ? (JsonObject)ToNode(value)!
            : throw WrongKind(document, field, "an object", value);
    }

    private static List<string?>? ParseDimensionNames(JsonElement root, int rank, string document)
    {
        if (!root.TryGetProperty("dimension_names", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw WrongKind(document, "dimension_names", "an array of strings or nulls", value);
        }

        var names = new List<string?>(value.GetArrayLength());
        foreach (var item in value.EnumerateArray())
        {
            names.Add(item.ValueKind switch
            {
                JsonValueKind.String => item.GetString(),
                JsonValueKind.Null => null,
                _ => throw new ZarrMetadataException(document, "dimension_names", $"element {names.Count} is {Describe(item)}, not a string or null"),
            });
        }

        return names.Count == rank
            ? names
            : throw new ZarrMetadataException(document, "dimension_names", $"has {names.Count} names and the shape has {rank} dimensions");
    }

    private static void ParseStorageTransformers(JsonElement root, string document)
    {
        if (!root.TryGetProperty("storage_transformers", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw WrongKind(document, "storage_transformers", "an array", value);
        }

        if (value.GetArrayLength() > 0)
        {
            var names = value.EnumerateArray().Take(4)
                .Select(t => t.ValueKind == JsonValueKind.Object && t.TryGetProperty("name", out var n) ? UserText.Json(n) : UserText.Json(t));
            var more = value.GetArrayLength() > 4 ? ", …" : "";
            throw new ZarrMetadataException(document, "storage_transformers", $"storage transformers are not supported: [{string.Join(", ", names)}{more}]");
        }
    }

    /// <summary>
    /// The v2 <c>filters</c> list as codecs, in numcodecs' order (encoding runs them first to last). The first must
    /// decode to the array's dtype and each next one to the previous one's astype, byte order included: zarr-python 2
    /// would otherwise reinterpret the chunk's bytes, which this library does not model.
    /// </summary>
    private static List<IV2Filter> ParseFiltersV2(JsonElement root, NumpyDType arrayType, string document)
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
            var filter = CodecRegistry.FromV2Filter(ToNode(entry), result.Count, document);
            if (!SameStoredType(filter.DecodedType, expected))
            {
                var field = $"filters[{result.Count}].{(filter is AsTypeCodec ? "decode_dtype" : "dtype")}";
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
    private static List<IV2Filter> ParseObjectCodecV2(JsonElement root, string document)
    {
        if (!root.TryGetProperty("filters", out var filters) || filters.ValueKind != JsonValueKind.Array || filters.GetArrayLength() == 0)
        {
            throw new ZarrMetadataException(document, "filters", "an object ('|O') array needs its object codec as the first filter; only 'vlen-utf8' (variable-length strings) is supported");
        }

        var first = filters[0];
        var id = first.ValueKind == JsonValueKind.Object && first.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
        if (id != "vlen-utf8")
        {
            throw new ZarrMetadataException(document, "filters[0]", $"object codec {Describe(first)} is not supported yet; only 'vlen-utf8' (variable-length strings) is");
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
    private static JsonObject ParseZAttrs(ReadOnlySpan<byte> zattrs, string document)
    {
        if (zattrs.IsEmpty)
        {
            return [];
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

        return node as JsonObject
            ?? throw new ZarrMetadataException(document, null, $"expected a JSON object, found {(node is null ? "null" : KindName(node.GetValueKind()))}");
    }

    /// <summary>The key of the <c>.zattrs</c> beside <paramref name="document"/> (for error messages).</summary>
    private static string SiblingDocument(string document, string name) =>
        document.EndsWith(name, StringComparison.Ordinal) ? document[..^name.Length] + ZAttrs : document + " (" + ZAttrs + ")";

    // From the element's UTF-8 as the document holds it: no UTF-16 copy of a large value.
    private static JsonNode? ToNode(JsonElement element) => JsonNode.Parse(System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(element));

    private static ZarrMetadataException WrongKind(string document, string field, string expected, JsonElement value) =>
        new(document, field, value.ValueKind == JsonValueKind.Undefined
            ? $"required field is missing (expected {expected})"
            : $"expected {expected}, found {KindName(value.ValueKind)} {Describe(value)}");

    private static string KindName(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string Describe(JsonElement value) => UserText.Json(value);

    // ---- writing helpers -------------------------------------------------------------------------------------------

    private static void CheckModel(ArrayMetadata metadata)
    {
        if (metadata.ChunkShape.Length != metadata.Shape.Length)
        {
            throw new ZarrException($"the chunk shape has {metadata.ChunkShape.Length} dimensions and the shape has {metadata.Shape.Length}");
        }

        if (metadata.Shape.Any(s => s < 0) || metadata.ChunkShape.Any(c => c <= 0))
        {
            throw new ZarrException($"shape ({string.Join(", ", metadata.Shape)}) must be >= 0 and chunk shape ({string.Join(", ", metadata.ChunkShape)}) > 0");
        }

        if (metadata.DataType.IsFixedSize && metadata.FillValue.Length != metadata.DataType.ItemSize)
        {
            throw new ZarrException($"the fill value is {metadata.FillValue.Length} bytes; a {metadata.DataType} is {metadata.DataType.ItemSize}");
        }

        CheckNullFillValue(metadata);

        if (metadata.DimensionNames is { } names && names.Count != metadata.Rank)
        {
            throw new ZarrException($"there are {names.Count} dimension names for {metadata.Rank} dimensions");
        }
    }

    private static JsonArray ToArray(long[] values)
    {
        var array = new JsonArray();
        foreach (var v in values)
        {
            array.Add(v);
        }

        return array;
    }

    private static JsonArray ToArray(int[] values)
    {
        var array = new JsonArray();
        foreach (var v in values)
        {
            array.Add(v);
        }

        return array;
    }

    private static int[] ReversedOrder(int rank)
    {
        var order = new int[rank];
        for (var i = 0; i < rank; i++)
        {
            order[i] = rank - 1 - i;
        }

        return order;
    }

    /// <summary>Whether a v2 chain's dtype is big-endian: with filters the first filter's type (zarr-python 2 views the chunk's memory as the dtype), else the bytes codec's.</summary>
    private static bool V2BigEndian(V2Layout layout) =>
        layout.Filters.Count > 0 ? layout.Filters[0].DecodedType.BigEndian : layout.Bytes?.Endian == Endian.Big;

    /// <summary>A chain split into what a <c>.zarray</c> holds.</summary>
    /// <param name="Transpose">The transpose codec (order F), or null.</param>
    /// <param name="Filters">The numcodecs filters in encoding order (the <c>filters</c> list), possibly none.</param>
    /// <param name="Bytes">The bytes codec, or null for a string array (whose array→bytes codec is vlen-utf8, written as its object codec).</param>
    /// <param name="Compressor">The compressor, or null.</param>
    internal readonly record struct V2Layout(TransposeCodec? Transpose, IReadOnlyList<IV2Filter> Filters, BytesCodec? Bytes, IV2Compressor? Compressor);
}
