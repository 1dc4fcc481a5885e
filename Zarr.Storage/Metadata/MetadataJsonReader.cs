using System.Text.Json;
using System.Text.Json.Nodes;
using Zarr.Storage.Internal;

namespace Zarr.Storage;

/// <summary>
/// What the v2 and v3 readers share: parsing a document, required fields of a kind, the sizes of a shape, and errors
/// that name the document and the field.
/// </summary>
internal static class MetadataJsonReader
{
    /// <summary>Strict JSON: no trailing commas, no comments, no duplicate keys.</summary>
    internal static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowDuplicateProperties = false,
    };

    /// <summary>The document as a JSON object, or an error naming it.</summary>
    internal static JsonDocument ParseDocument(ReadOnlySpan<byte> json, string document)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (json.IsEmpty)
        {
            throw new ZarrMetadataException(document, null, "the document is empty");
        }

        JsonDocument doc;
        try
        {
            JsonUnicode.Check(json);
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
    internal static void CheckSizes(long[] shape, int[] chunks, ZarrDataType dataType, string document, string shapeField, string chunksField, string typeField)
    {
        if (Sizes.CheckArray(shape, chunks, dataType) is var (fault, message))
        {
            var field = fault switch { SizeFault.Shape => shapeField, SizeFault.Chunks => chunksField, _ => typeField };
            throw new ZarrMetadataException(document, field, message);
        }
    }

    internal static JsonElement Require(JsonElement root, string name, string document) =>
        root.TryGetProperty(name, out var value)
            ? value
            : throw new ZarrMetadataException(document, name, "required field is missing");

    internal static string RequireString(JsonElement root, string name, string document)
    {
        var value = Require(root, name, document);
        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw WrongKind(document, name, "a string", value);
    }

    internal static void RequireZarrFormat(JsonElement root, int expected, string document)
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

    /// <summary>An array's shape: integers of at least zero.</summary>
    internal static long[] ParseShape(JsonElement value, string field, string document) =>
        ParseIntegers(value, field, 0, long.MaxValue, "sizes cannot be negative", document);

    /// <summary>A regular grid's chunk shape: one positive <see cref="int"/> per dimension of the shape.</summary>
    internal static int[] ParseChunkShape(JsonElement value, int rank, string field, string document)
    {
        var sizes = ParseIntegers(value, field, 1, int.MaxValue, $"chunk sizes must be between 1 and {int.MaxValue}", document);
        if (sizes.Length != rank)
        {
            throw new ZarrMetadataException(document, field, $"has {sizes.Length} dimensions and the shape has {rank}");
        }

        var chunks = new int[sizes.Length];
        for (var i = 0; i < chunks.Length; i++)
        {
            chunks[i] = (int)sizes[i];
        }

        return chunks;
    }

    internal static AttributeDictionary ParseAttributes(JsonElement root, string field, string document)
    {
        if (!root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return AttributeDictionary.Empty;
        }

        return value.ValueKind == JsonValueKind.Object
            ? AttributeDictionary.Own((JsonObject)ToNode(value)!)
            : throw WrongKind(document, field, "an object", value);
    }

    // From the element's UTF-8 as the document holds it: no UTF-16 copy of a large value.
    internal static JsonNode? ToNode(JsonElement element) => JsonNode.Parse(System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(element));

    internal static ZarrMetadataException WrongKind(string document, string field, string expected, JsonElement value) =>
        new(document, field, value.ValueKind == JsonValueKind.Undefined
            ? $"required field is missing (expected {expected})"
            : $"expected {expected}, found {KindName(value.ValueKind)} {Describe(value)}");

    internal static string KindName(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    internal static string Describe(JsonElement value) => UserText.Json(value);

    /// <summary>An array of integers in [<paramref name="min"/>, <paramref name="max"/>], each failure naming its element.</summary>
    private static long[] ParseIntegers(JsonElement value, string field, long min, long max, string outOfRange, string document)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw WrongKind(document, field, "an array of integers", value);
        }

        var result = new long[value.GetArrayLength()];
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out var n))
            {
                throw new ZarrMetadataException(document, field, $"element {i} is {Describe(item)}, not an integer");
            }

            if (n < min || n > max)
            {
                throw new ZarrMetadataException(document, field, $"element {i} is {n}; {outOfRange}");
            }

            result[i++] = n;
        }

        return result;
    }
}
