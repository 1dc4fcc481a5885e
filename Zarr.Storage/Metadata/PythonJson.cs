using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Zarr.Storage;

/// <summary>
/// JSON as Python's <c>json</c> module writes and reads it. <b>Writing</b>: as <c>json.dumps(obj, indent=n,
/// sort_keys=..., ensure_ascii=True)</c>, so that the metadata documents we write are byte for byte those zarr-python
/// writes: items end in <c>,</c> and a newline and the given number of spaces per level, <c>": "</c> after keys,
/// <c>[]</c> and <c>{}</c> for empty containers, non-ASCII characters as lowercase <c>\uXXXX</c> escapes, floats as
/// Python's <c>repr</c>, and no trailing newline. <b>Reading</b> (<see cref="ParseNode"/>, <see cref="ToStandard"/>):
/// standard JSON plus the bare tokens <c>NaN</c>, <c>Infinity</c> and <c>-Infinity</c>, which Python's <c>json.dumps</c>
/// writes for a float that is one (zarr-python 2.13 writes them so in <c>.zattrs</c>, and in the <c>.zmetadata</c> that
/// gathers them).
/// </summary>
/// <remarks>
/// <para>The library writes standard JSON only: a double that is NaN or infinite becomes the string <c>"NaN"</c>,
/// <c>"Infinity"</c> or <c>"-Infinity"</c>, as the Zarr specifications spell fill values. So an attribute that
/// zarr-python 2.13 wrote as <c>NaN</c> reads here as the double NaN, and once the library has written the attributes
/// back, zarr-python reads the string <c>'NaN'</c> (strict JSON readers, such as JavaScript's, could not read the bare
/// token at all).</para>
/// </remarks>
internal static partial class PythonJson
{
    // A bare token stands where a JSON number may. ParseNode puts a number of this length in its place, one that no
    // number of the document spells, and swaps it back for the double once the document is parsed.
    private const int MarkerLength = 24;

    private static readonly byte[] NaNString = "\"NaN\""u8.ToArray();
    private static readonly byte[] InfinityString = "\"Infinity\""u8.ToArray();
    private static readonly byte[] NegativeInfinityString = "\"-Infinity\""u8.ToArray();

    /// <summary>
    /// Parses a document Python's <c>json</c> wrote: standard JSON, or with bare <c>NaN</c>, <c>Infinity</c> and
    /// <c>-Infinity</c>, which become JSON values holding that double.
    /// </summary>
    /// <exception cref="JsonException">The text is not JSON, even with those tokens; it is not UTF-8; an object has a name twice (a JSON object cannot hold both).</exception>
    public static JsonNode? ParseNode(ReadOnlySpan<byte> json, JsonDocumentOptions options = default)
    {
        JsonUnicode.Check(json);
        options.AllowDuplicateProperties = false;
        var tokens = Scan(json, out var lengthyNumbers);
        if (tokens.Count == 0)
        {
            return JsonNode.Parse(json, documentOptions: options);
        }

        var markers = ChooseMarkers(lengthyNumbers);
        var node = JsonNode.Parse(Replace(json, tokens, t => markers[t]), documentOptions: options);
        return Restore(node, markers);
    }

    /// <summary>
    /// The document with its bare <c>NaN</c>, <c>Infinity</c> and <c>-Infinity</c> replaced by the strings
    /// <c>"NaN"</c>, <c>"Infinity"</c> and <c>"-Infinity"</c>, which is what they mean in a <c>.zarray</c> (a fill value
    /// is spelled so); the document itself when it has none.
    /// </summary>
    public static ReadOnlySpan<byte> ToStandard(ReadOnlySpan<byte> json)
    {
        var tokens = Scan(json, out _);
        return tokens.Count == 0
            ? json
            : Replace(json, tokens, static t => t switch { 0 => NaNString, 1 => InfinityString, _ => NegativeInfinityString });
    }

    /// <summary>The bare tokens outside strings (start, length, kind: 0 NaN, 1 Infinity, 2 -Infinity), and the number tokens of the markers' length.</summary>
    private static List<(int Start, int Length, int Kind)> Scan(ReadOnlySpan<byte> json, out HashSet<string>? lengthyNumbers)
    {
        var tokens = new List<(int, int, int)>();
        lengthyNumbers = null;
        var i = 0;
        while (i < json.Length)
        {
            var b = json[i];
            if (b == (byte)'"')
            {
                // Skip the string: escapes hide quotes, and nothing in a string is a token.
                for (i++; i < json.Length && json[i] != (byte)'"'; i++)
                {
                    if (json[i] == (byte)'\\')
                    {
                        i++;
                    }
                }

                i++;
            }
            else if (b == (byte)'N' && json[i..].StartsWith("NaN"u8))
            {
                tokens.Add((i, 3, 0));
                i += 3;
            }
            else if (b == (byte)'I' && json[i..].StartsWith("Infinity"u8))
            {
                tokens.Add((i, 8, 1));
                i += 8;
            }
            else if (b == (byte)'-' && json[i..].StartsWith("-Infinity"u8))
            {
                tokens.Add((i, 9, 2));
                i += 9;
            }
            else if (b == (byte)'-' || char.IsAsciiDigit((char)b))
            {
                var start = i;
                while (i < json.Length && json[i] is (>= (byte)'0' and <= (byte)'9') or (byte)'-' or (byte)'+' or (byte)'.' or (byte)'e' or (byte)'E')
                {
                    i++;
                }

                if (i - start == MarkerLength)
                {
                    (lengthyNumbers ??= new HashSet<string>(StringComparer.Ordinal)).Add(Encoding.ASCII.GetString(json[start..i]));
                }
            }
            else
            {
                i++;
            }
        }

        return tokens;
    }

    /// <summary>Three numbers of <see cref="MarkerLength"/> digits that no number of the document spells (for NaN, Infinity, -Infinity).</summary>
    private static byte[][] ChooseMarkers(HashSet<string>? taken)
    {
        for (long k = 0; ; k += 3)
        {
            var candidates = new[] { Marker(k), Marker(k + 1), Marker(k + 2) };
            if (taken is null || !candidates.Any(taken.Contains))
            {
                return [.. candidates.Select(Encoding.ASCII.GetBytes)];
            }
        }

        static string Marker(long n) => "7" + n.ToString("D" + (MarkerLength - 1).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    private static byte[] Replace(ReadOnlySpan<byte> json, List<(int Start, int Length, int Kind)> tokens, Func<int, byte[]> replacement)
    {
        var output = new List<byte>(json.Length + (tokens.Count * MarkerLength));
        var at = 0;
        foreach (var (start, length, kind) in tokens)
        {
            output.AddRange(json[at..start]);
            output.AddRange(replacement(kind));
            at = start + length;
        }

        output.AddRange(json[at..]);
        return [.. output];
    }

    /// <summary>Puts the doubles back where <see cref="ParseNode"/> put its markers.</summary>
    private static JsonNode? Restore(JsonNode? node, byte[][] markers)
    {
        switch (node)
        {
            case JsonObject obj:
                List<(string, JsonNode?)>? changed = null;
                foreach (var (name, value) in obj)
                {
                    var restored = Restore(value, markers);
                    if (!ReferenceEquals(restored, value))
                    {
                        (changed ??= []).Add((name, restored));
                    }
                }

                foreach (var (name, value) in changed ?? [])
                {
                    obj[name] = value;
                }

                return obj;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    var value = array[i];
                    var restored = Restore(value, markers);
                    if (!ReferenceEquals(restored, value))
                    {
                        array[i] = restored;
                    }
                }

                return array;
            case JsonValue value when value.TryGetValue<JsonElement>(out var element) && element.ValueKind == JsonValueKind.Number:
                var raw = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(element);
                for (var kind = 0; kind < markers.Length; kind++)
                {
                    if (raw.SequenceEqual(markers[kind]))
                    {
                        return JsonValue.Create(kind switch { 0 => double.NaN, 1 => double.PositiveInfinity, _ => double.NegativeInfinity });
                    }
                }

                return value;
            default:
                return node;
        }
    }
}
