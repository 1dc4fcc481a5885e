using System.Text.Json.Nodes;

namespace Zarr.Storage;

/// <summary>
/// The metadata documents of a Zarr node as stored, for tools that show or probe them without opening the node: their
/// key names, a parser that reads them as zarr-python writes them, and the node type a v3 document declares.
/// </summary>
public static class ZarrDocuments
{
    /// <summary>The v3 document of an array or group: <c>zarr.json</c>.</summary>
    public const string V3 = MetadataSerializer.ZarrJson;

    /// <summary>The v2 document of an array: <c>.zarray</c>.</summary>
    public const string V2Array = MetadataSerializer.ZArray;

    /// <summary>The v2 document of a group: <c>.zgroup</c>.</summary>
    public const string V2Group = MetadataSerializer.ZGroup;

    /// <summary>The v2 attributes of an array or group: <c>.zattrs</c>.</summary>
    public const string V2Attributes = MetadataSerializer.ZAttrs;

    /// <summary>
    /// Parses a metadata document: standard JSON, or JSON as Python's <c>json</c> writes it, whose bare <c>NaN</c>,
    /// <c>Infinity</c> and <c>-Infinity</c> (zarr-python 2 writes a NaN fill value so) are read as the strings
    /// <c>"NaN"</c>, <c>"Infinity"</c> and <c>"-Infinity"</c>, the spelling Zarr gives them.
    /// </summary>
    /// <param name="utf8">The document's bytes.</param>
    /// <exception cref="System.Text.Json.JsonException">The bytes are not JSON, even with those tokens.</exception>
    public static JsonNode? Parse(ReadOnlySpan<byte> utf8) => JsonNode.Parse(PythonJson.ToStandard(utf8));

    /// <summary>The node type, <c>array</c> or <c>group</c>, a v3 <c>zarr.json</c> declares.</summary>
    /// <param name="utf8">The document's bytes.</param>
    /// <param name="key">The document's store key, named in errors.</param>
    /// <exception cref="ZarrMetadataException">The document is not JSON, not v3, or has no valid <c>node_type</c>.</exception>
    public static string ReadNodeType(ReadOnlySpan<byte> utf8, string key) => MetadataSerializer.ReadNodeTypeV3(utf8, key);
}
