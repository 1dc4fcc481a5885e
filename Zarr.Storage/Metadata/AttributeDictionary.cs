using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Zarr.Storage;

/// <summary>
/// The attributes of an array or group as last read or written: a JSON object that can be indexed and enumerated but not
/// changed. Change what is stored with <c>UpdateAttributesAsync</c> (set and remove some keys, as zarr-python's
/// <c>attrs.update</c> and <c>del attrs[key]</c>) or <c>SetAttributesAsync</c> (replace them all) on
/// <see cref="ZarrArray"/> or <see cref="ZarrGroup"/>.
/// </summary>
/// <remarks>
/// Every value handed out (by the indexer, <see cref="TryGetValue"/>, enumeration or <see cref="ToJsonObject"/>) is a new
/// copy: changing it changes neither these attributes nor the store. A float that zarr-python 2 wrote as a bare
/// <c>NaN</c> or <c>Infinity</c> reads as that double.
/// </remarks>
public sealed class AttributeDictionary : IReadOnlyDictionary<string, JsonNode?>
{
    private static readonly JsonSerializerOptions WriteOptions = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    // Never handed out: the only reference to this object is this instance's.
    private readonly JsonObject _values;

    /// <summary>Attributes holding a copy of <paramref name="attributes"/>.</summary>
    public AttributeDictionary(JsonObject attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        _values = (JsonObject)attributes.DeepClone();
    }

    private AttributeDictionary(JsonObject owned, bool _) => _values = owned;

    /// <summary>No attributes.</summary>
    public static AttributeDictionary Empty { get; } = new([], false);

    /// <summary>The number of attributes.</summary>
    public int Count => _values.Count;

    /// <summary>The attribute names, in the order of the document.</summary>
    public IEnumerable<string> Keys => _values.Select(p => p.Key);

    /// <summary>The values (copies), in the order of the document.</summary>
    public IEnumerable<JsonNode?> Values => _values.Select(p => p.Value?.DeepClone());

    /// <summary>
    /// The JSON object the attributes are read from, for the metadata writers and copies (never to be changed, never to be
    /// handed out).
    /// </summary>
    internal JsonObject Json => _values;

    /// <summary>A copy of the value of the attribute <paramref name="key"/> (null for JSON null).</summary>
    /// <exception cref="KeyNotFoundException">There is no such attribute.</exception>
    public JsonNode? this[string key] =>
        TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"there is no attribute {Internal.UserText.Quote(key)}");

    /// <summary>True when there is an attribute <paramref name="key"/>.</summary>
    public bool ContainsKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _values.ContainsKey(key);
    }

    /// <summary>A copy of the value of the attribute <paramref name="key"/>, when there is one.</summary>
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out JsonNode? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_values.TryGetPropertyValue(key, out var stored))
        {
            value = stored?.DeepClone();
            return true;
        }

        value = null;
        return false;
    }

    /// <summary>A new JSON object with the attributes, to change and give to <c>SetAttributesAsync</c> (or anything else).</summary>
    public JsonObject ToJsonObject() => (JsonObject)_values.DeepClone();

    /// <summary>The attributes as standard JSON on one line (a NaN or an infinity as the string <c>"NaN"</c>, <c>"Infinity"</c>, as the library writes them).</summary>
    public string ToJsonString() => _values.ToJsonString(WriteOptions);

    /// <inheritdoc cref="ToJsonString"/>
    public override string ToString() => ToJsonString();

    /// <summary>Each attribute with a copy of its value, in the order of the document.</summary>
    public IEnumerator<KeyValuePair<string, JsonNode?>> GetEnumerator()
    {
        foreach (var (key, value) in _values)
        {
            yield return new(key, value?.DeepClone());
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Attributes over <paramref name="owned"/>, which the caller gives up (a document just parsed, a fresh copy).</summary>
    internal static AttributeDictionary Own(JsonObject owned) => owned.Count == 0 ? Empty : new(owned, false);

    /// <summary>
    /// The attributes of an update: <paramref name="stored"/> with the keys of <paramref name="set"/> set (added or
    /// overwritten, as Python's <c>dict.update</c>), then the keys of <paramref name="remove"/> removed.
    /// </summary>
    /// <exception cref="ZarrException">A key to remove is not there once the keys are set (<paramref name="node"/> names the node).</exception>
    internal static JsonObject Update(AttributeDictionary stored, JsonObject? set, IReadOnlyList<string>? remove, string node)
    {
        var result = stored.ToJsonObject();
        foreach (var (key, value) in set ?? [])
        {
            result[key] = value?.DeepClone();
        }

        foreach (var key in remove ?? [])
        {
            if (!result.Remove(key))
            {
                throw new ZarrException($"{node} has no attribute {Internal.UserText.Quote(key)} to remove");
            }
        }

        return result;
    }

    /// <summary>Attributes holding a copy of <paramref name="attributes"/>; none for null.</summary>
    internal static AttributeDictionary CopyOf(JsonObject? attributes) => attributes is null ? Empty : Own((JsonObject)attributes.DeepClone());
}
