using System.Text.Json;
using System.Text.Json.Nodes;
using Zarr.Storage.Internal;

namespace Zarr.Storage;

/// <summary>
/// A v2 array's dimension names: v2 has no field for them, and xarray keeps them in the attribute
/// <c>_ARRAY_DIMENSIONS</c> (a JSON list of one string per dimension), which zarr-python shows among the attributes.
/// The v2 metadata model holds both: <see cref="ArrayMetadata.DimensionNames"/> is what the attribute says (null when
/// there is none, or it is not a list of one string per dimension), and the attribute stays in
/// <see cref="ArrayMetadata.Attributes"/>, as zarr-python and the document have it.
/// </summary>
internal static class V2DimensionNames
{
    /// <summary>The attribute xarray reads a v2 array's dimension names from.</summary>
    public const string AttributeName = "_ARRAY_DIMENSIONS";

    /// <summary>The names the attribute gives an array of <paramref name="rank"/> dimensions, or null when it gives none.</summary>
    public static string?[]? Read(JsonObject attributes, int rank) =>
        attributes.TryGetPropertyValue(AttributeName, out var value) ? Parse(value, rank) : null;

    /// <summary>
    /// The v2 metadata with names and attribute agreeing: given names are written into the attribute; without names, the
    /// attribute (if any) gives them. v3 metadata is returned as it is.
    /// </summary>
    /// <exception cref="ZarrException">The names cannot be stored in the attribute (a dimension has no name).</exception>
    public static ArrayMetadata Normalize(ArrayMetadata metadata, string? path)
    {
        if (metadata.Format != ZarrFormat.V2)
        {
            return metadata;
        }

        if (metadata.DimensionNames is not { } names)
        {
            return metadata with { DimensionNames = Read(metadata.Attributes.Json, metadata.Rank) };
        }

        var attributes = metadata.Attributes.ToJsonObject();
        attributes[AttributeName] = ToJson(names, metadata.Rank, path);
        return metadata with { Attributes = AttributeDictionary.Own(attributes), DimensionNames = [.. names] };
    }

    /// <summary>
    /// The metadata of a new array from what its options say: for v2, <paramref name="names"/> go into the attribute, and
    /// without them the attribute (if the options' attributes have it) gives them.
    /// </summary>
    /// <exception cref="ZarrException">The names and the attribute disagree, or a v2 dimension has no name.</exception>
    public static (AttributeDictionary Attributes, IReadOnlyList<string?>? Names) ForNewArray(ZarrFormat format, int rank, JsonObject? attributes, IReadOnlyList<string?>? names)
    {
        if (names is not null && names.Count != rank)
        {
            throw new ZarrException($"{names.Count} dimension names were given for {rank} dimensions");
        }

        if (format != ZarrFormat.V2)
        {
            return (AttributeDictionary.CopyOf(attributes), names is null ? null : [.. names]);
        }

        var copy = (JsonObject?)attributes?.DeepClone() ?? [];
        if (names is null)
        {
            return (AttributeDictionary.Own(copy), Read(copy, rank));
        }

        var json = ToJson(names, rank, null);
        if (copy.TryGetPropertyValue(AttributeName, out var given) && !JsonNode.DeepEquals(given, json))
        {
            throw new ZarrException($"the dimension names ({string.Join(", ", names.Select(UserText.Quote))}) and the attribute {AttributeName} ({UserText.Json(given)}) disagree; a v2 array keeps its names in that attribute, so give one or the other");
        }

        copy[AttributeName] = json;
        return (AttributeDictionary.Own(copy), [.. names]);
    }

    /// <summary>
    /// The v2 array's metadata with new attributes: the attribute, when they have it, gives the names (and must be a list of
    /// one string per dimension if it changed); when they do not, the names go unless <paramref name="keepNames"/> (a
    /// replacement of all attributes keeps them, as it does for v3's <c>dimension_names</c>).
    /// </summary>
    /// <exception cref="ZarrException">The attribute changed to something that is not one name per dimension.</exception>
    public static ArrayMetadata WithAttributes(ArrayMetadata stored, JsonObject attributes, bool keepNames, string path)
    {
        if (stored.Format != ZarrFormat.V2)
        {
            return stored with { Attributes = AttributeDictionary.Own(attributes) };
        }

        IReadOnlyList<string?>? names;
        if (attributes.TryGetPropertyValue(AttributeName, out var value))
        {
            stored.Attributes.Json.TryGetPropertyValue(AttributeName, out var before);
            var unchanged = stored.Attributes.Json.ContainsKey(AttributeName) && JsonNode.DeepEquals(before, value);
            names = unchanged ? stored.DimensionNames : Parse(value, stored.Rank)
                ?? throw new ZarrException($"array {UserText.Quote("/" + path)}: the attribute {AttributeName} holds the v2 array's dimension names for xarray, a list of {stored.Rank} strings, not {UserText.Json(value)}");
        }
        else if (keepNames && stored.DimensionNames is { } kept)
        {
            attributes[AttributeName] = ToJson(kept, stored.Rank, path);
            names = kept;
        }
        else
        {
            names = null;
        }

        return stored with { Attributes = AttributeDictionary.Own(attributes), DimensionNames = names };
    }

    /// <summary>The attribute's value for <paramref name="names"/>.</summary>
    /// <exception cref="ZarrException">A name is null (the attribute has a string for every dimension).</exception>
    public static JsonArray ToJson(IReadOnlyList<string?> names, int rank, string? path)
    {
        if (names.Count != rank)
        {
            throw new ZarrException($"{names.Count} dimension names were given for {rank} dimensions");
        }

        var array = new JsonArray();
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i] ?? throw new ZarrException(
                $"{(path is null ? "" : $"array {UserText.Quote("/" + path)}: ")}dimension {i} has no name: v2 has no dimension_names field, and a v2 array keeps its dimension names in the attribute {AttributeName}, where xarray needs a name for every dimension");
            array.Add(JsonValue.Create(name));
        }

        return array;
    }

    private static string?[]? Parse(JsonNode? value, int rank)
    {
        if (value is not JsonArray array || array.Count != rank)
        {
            return null;
        }

        var names = new string?[rank];
        for (var i = 0; i < rank; i++)
        {
            if (array[i] is not JsonValue item || item.GetValueKind() != JsonValueKind.String)
            {
                return null;
            }

            names[i] = item.GetValue<string>();
        }

        return names;
    }
}
