using System.Text.Json;
using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;
using Zarr.Storage.Internal;
using static Zarr.Storage.MetadataJsonReader;

namespace Zarr.Storage;

/// <summary>Reads v3 <c>zarr.json</c> documents of arrays and groups (see <see cref="MetadataSerializer"/>).</summary>
internal static class V3MetadataReader
{
    private static readonly HashSet<string> ArrayFields =
    [
        "zarr_format", "node_type", "shape", "data_type", "chunk_grid", "chunk_key_encoding", "fill_value", "codecs",
        "attributes", "dimension_names", "storage_transformers",
    ];

    private static readonly HashSet<string> GroupFields = ["zarr_format", "node_type", "attributes", "consolidated_metadata"];

    internal static ArrayMetadata ParseArray(ReadOnlySpan<byte> json, string document)
    {
        using var doc = ParseNode(json, "array", ArrayFields, document);
        var root = doc.RootElement;

        var shape = ParseShape(Require(root, "shape", document), "shape", document);
        var dataType = DataTypeJson.ParseV3(Require(root, "data_type", document), document);
        var (chunkShape, rectilinear) = ParseChunkGrid(Require(root, "chunk_grid", document), shape, document);
        CheckSizes(shape, chunkShape, dataType, document, "shape", rectilinear.IsDefault ? "chunk_grid.configuration.chunk_shape" : "chunk_grid.configuration.chunk_shapes", "data_type");
        var chunkKeyEncoding = ParseChunkKeyEncoding(Require(root, "chunk_key_encoding", document), document);
        var fillValue = FillValueJson.ParseV3(Require(root, "fill_value", document), dataType, document);
        var (codecs, pipeline) = ParseCodecs(Require(root, "codecs", document), dataType, shape.Length, document);
        CodecChainRules.CheckFillValue(codecs, dataType, fillValue, message => new ZarrMetadataException(document, "codecs", message));
        var attributes = ParseAttributes(root, "attributes", document);
        var dimensionNames = ParseDimensionNames(root, shape.Length, document);
        ParseStorageTransformers(root, document);

        return new ArrayMetadata
        {
            Format = ZarrFormat.V3,
            Shape = ImmutableArrays.Own(shape),
            ChunkShape = ImmutableArrays.Own(chunkShape),
            RectilinearChunks = rectilinear,
            DataType = dataType,
            FillValue = ImmutableArrays.Own(fillValue),
            Codecs = codecs,
            ChunkKeyEncoding = chunkKeyEncoding,
            Attributes = attributes,
            DimensionNames = dimensionNames,
            IgnoredExtensions = IgnoredExtensions(root, ArrayFields),
        }.KeepPipeline(pipeline);
    }

    internal static GroupMetadata ParseGroup(ReadOnlySpan<byte> json, string document)
    {
        using var doc = ParseNode(json, "group", GroupFields, document);
        var root = doc.RootElement;

        // Consolidated metadata is read by ConsolidatedMetadata from the same document; here its kind is checked.
        if (root.TryGetProperty("consolidated_metadata", out var consolidated)
            && consolidated.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
        {
            throw WrongKind(document, "consolidated_metadata", "an object or null", consolidated);
        }

        return new GroupMetadata
        {
            Format = ZarrFormat.V3,
            Attributes = ParseAttributes(root, "attributes", document),
            IgnoredExtensions = IgnoredExtensions(root, GroupFields),
        };
    }

    internal static string ReadNodeType(ReadOnlySpan<byte> json, string document)
    {
        using var doc = ParseDocument(json, document);
        RequireZarrFormat(doc.RootElement, 3, document);
        var nodeType = RequireString(doc.RootElement, "node_type", document);
        return nodeType is "array" or "group"
            ? nodeType
            : throw new ZarrMetadataException(document, "node_type", $"{UserText.Quote(nodeType)} is not a node type (expected \"array\" or \"group\")");
    }

    /// <summary>A v3 document of the node type <paramref name="nodeType"/> whose fields are all known or ignorable extensions.</summary>
    private static JsonDocument ParseNode(ReadOnlySpan<byte> json, string nodeType, HashSet<string> known, string document)
    {
        var doc = ParseDocument(json, document);
        try
        {
            RequireZarrFormat(doc.RootElement, 3, document);
            RequireNodeType(doc.RootElement, nodeType, document);
            CheckExtensionFields(doc.RootElement, known, document);
            return doc;
        }
        catch
        {
            doc.Dispose();
            throw;
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

    /// <summary>
    /// The extensions of a checked document that are kept without being understood: its unknown fields (each declares
    /// <c>"must_understand": false</c>, or <see cref="CheckExtensionFields"/> refused it) and a non-empty
    /// <c>storage_transformers</c> (all of them ignorable, or <see cref="ParseStorageTransformers"/> refused it), as the
    /// text of one object; null when there are none.
    /// </summary>
    private static string? IgnoredExtensions(JsonElement root, HashSet<string> known)
    {
        JsonObject? kept = null;
        foreach (var property in root.EnumerateObject())
        {
            var ignored = !known.Contains(property.Name)
                || (property.Name == "storage_transformers" && property.Value.ValueKind == JsonValueKind.Array && property.Value.GetArrayLength() > 0);
            if (ignored)
            {
                kept ??= [];
                kept[property.Name] = JsonNode.Parse(property.Value.GetRawText());
            }
        }

        return kept?.ToJsonString();
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
            if (IsMustUnderstandFalse(property.Value))
            {
                continue;
            }

            throw new ZarrMetadataException(document, property.Name,
                "unknown field: an extension this library does not understand (only objects with \"must_understand\": false may be ignored)");
        }
    }

    private static (int[] ChunkShape, System.Collections.Immutable.ImmutableArray<ChunkEdgeList> Rectilinear) ParseChunkGrid(JsonElement value, long[] shape, string document)
    {
        var rank = shape.Length;
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw WrongKind(document, "chunk_grid", "an object", value);
        }

        var name = value.TryGetProperty("name", out var n) ? n : default;
        if (name.ValueKind != JsonValueKind.String)
        {
            throw WrongKind(document, "chunk_grid.name", "a string", name);
        }

        if (name.GetString() is not ("regular" or "rectilinear"))
        {
            throw new ZarrMetadataException(document, "chunk_grid.name", $"chunk grid {UserText.Json(name)} is not supported (only 'regular' and 'rectilinear'){MustUnderstandNote(value, "chunk grid")}");
        }

        if (!value.TryGetProperty("configuration", out var configuration) || configuration.ValueKind != JsonValueKind.Object)
        {
            throw WrongKind(document, "chunk_grid.configuration", "an object", configuration);
        }

        if (name.GetString() == "rectilinear")
        {
            var edges = RectilinearGridJson.Parse(configuration, shape, document);
            return ([.. edges.Select(e => e.MaxEdge)], edges);
        }

        const string Field = "chunk_grid.configuration.chunk_shape";
        if (!configuration.TryGetProperty("chunk_shape", out var chunkShape))
        {
            throw new ZarrMetadataException(document, Field, "required field is missing");
        }

        return (ParseChunkShape(chunkShape, rank, Field, document), default);
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
            _ => throw new ZarrMetadataException(document, "chunk_key_encoding.name", $"chunk key encoding {UserText.Quote(name)} is not supported (expected 'default' or 'v2'){MustUnderstandNote(value, "chunk key encoding")}"),
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

    private static (List<ICodec> Codecs, CodecPipeline Pipeline) ParseCodecs(JsonElement value, ZarrDataType dataType, int rank, string document)
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

            var codec = CodecRegistry.Default.ReadV3(ToNode(item)!, current, document, codecs.Exists(c => c is IArrayToBytesCodec));
            codecs.Add(codec);
            current = CodecChainRules.TypeAfter(codec, current);
        }

        var pipeline = CodecChainRules.CreatePipeline(codecs, document);
        if (!dataType.IsFixedSize && codecs.Find(c => c is IArrayToBytesCodec) is { } arrayToBytes && arrayToBytes is not VlenUtf8Codec)
        {
            throw new ZarrMetadataException(document, "codecs", $"a {dataType} array needs the 'vlen-utf8' codec as its array→bytes codec, not '{arrayToBytes.Name}'");
        }

        CodecChainRules.CheckEndian(codecs, dataType, t => new ZarrMetadataException(document, "codecs", CodecChainRules.EndianMessage(t)));
        CodecChainRules.CheckFilterTypes(codecs, dataType, message => new ZarrMetadataException(document, "codecs", message));
        foreach (var codec in codecs)
        {
            if (codec is TransposeCodec transpose && transpose.Order.Length != rank)
            {
                throw new ZarrMetadataException(document, "codecs",
                    $"transpose order [{string.Join(", ", transpose.Order)}] has {transpose.Order.Length} axes and the array has {rank} dimensions");
            }
        }

        return (codecs, pipeline);
    }

    private static bool IsVlenUtf8(JsonElement codec) =>
        (codec.ValueKind == JsonValueKind.String && codec.ValueEquals("vlen-utf8"))
        || (codec.ValueKind == JsonValueKind.Object && codec.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String && n.ValueEquals("vlen-utf8"));

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

    /// <summary>True for an extension object declaring <c>"must_understand": false</c>.</summary>
    internal static bool IsMustUnderstandFalse(JsonElement extension) =>
        extension.ValueKind == JsonValueKind.Object && extension.TryGetProperty("must_understand", out var mu) && mu.ValueKind == JsonValueKind.False;

    /// <summary>
    /// For an unknown extension at a point where the spec does not let it be ignored (data type, chunk grid, chunk key
    /// encoding), why its <c>"must_understand": false</c> did not help; empty when it has none.
    /// </summary>
    internal static string MustUnderstandNote(JsonElement extension, string point) => IsMustUnderstandFalse(extension)
        ? $"; \"must_understand\": false does not apply to a {point} (v3 core spec: data types, chunk grids and chunk key encodings must be understood)"
        : string.Empty;

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

        // A transformer declared "must_understand": false may be ignored (v3.1); any other one changes where bytes are.
        var needed = value.EnumerateArray().Where(t => !IsMustUnderstandFalse(t)).ToList();
        if (needed.Count > 0)
        {
            var names = needed.Take(4)
                .Select(t => t.ValueKind == JsonValueKind.Object && t.TryGetProperty("name", out var n) ? UserText.Json(n) : UserText.Json(t));
            var more = needed.Count > 4 ? ", …" : "";
            throw new ZarrMetadataException(document, "storage_transformers", $"storage transformers are not supported: [{string.Join(", ", names)}{more}]");
        }
    }
}
