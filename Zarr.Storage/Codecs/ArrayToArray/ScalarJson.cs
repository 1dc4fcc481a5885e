using System.Text.Json;
using System.Text.Json.Nodes;

namespace Zarr.Storage.Codecs;

/// <summary>A codec's scalar parameter written as a v3 fill value of a data type (<c>scale_offset</c>'s offset and scale, <c>cast_value</c>'s scalar map).</summary>
internal static class ScalarJson
{
    /// <summary>One element of <paramref name="dataType"/>, little-endian, from its v3 fill value form.</summary>
    /// <exception cref="ZarrMetadataException">The value is not a valid scalar of the type.</exception>
    public static byte[] Parse(JsonNode? node, ZarrDataType dataType, string document, string field)
    {
        // The cast_value text's own example writes "+Infinity", which the core spec spells "Infinity".
        var text = node is JsonValue v && v.TryGetValue<string>(out var s) && s == "+Infinity" ? "\"Infinity\"" : node?.ToJsonString() ?? "null";
        using var json = JsonDocument.Parse(text);
        return FillValueJson.ParseV3(json.RootElement, dataType, document, field);
    }

    /// <summary>The v3 fill value form of one element.</summary>
    public static JsonNode Format(ReadOnlySpan<byte> element, ZarrDataType dataType) => FillValueJson.ToV3Json(element, dataType);
}
