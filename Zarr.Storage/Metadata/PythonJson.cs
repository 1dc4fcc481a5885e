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
internal static class PythonJson
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
    /// <exception cref="JsonException">The text is not JSON, even with those tokens.</exception>
    public static JsonNode? ParseNode(ReadOnlySpan<byte> json, JsonDocumentOptions options = default)
    {
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

    /// <summary>Serializes <paramref name="node"/> to UTF-8: standard JSON, NaN and infinities as strings.</summary>
    public static byte[] Serialize(JsonNode? node, int indent, bool sortKeys) => Serialize(node, new Style(indent, sortKeys, BareNonFinite: false));

    /// <summary>
    /// Serializes <paramref name="node"/> to UTF-8 as Python's <c>json.dumps</c> would, NaN and infinities as its bare
    /// tokens: for documents only this library reads back with <see cref="ParseNode"/> (a consolidated snapshot).
    /// </summary>
    public static byte[] SerializeAsPython(JsonNode? node, int indent, bool sortKeys) => Serialize(node, new Style(indent, sortKeys, BareNonFinite: true));

    private static byte[] Serialize(JsonNode? node, Style style)
    {
        var sb = new StringBuilder(256);
        Write(sb, node, style, 0);
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>Python's <c>repr(float)</c>: the shortest text that parses back to the same double.</summary>
    /// <remarks>
    /// Fixed notation when the decimal exponent is in [-4, 16), with at least one digit after the point
    /// (<c>0.0</c>, <c>1000000000000000.0</c>, <c>0.0001</c>); scientific otherwise (<c>1e+16</c>, <c>1e-05</c>,
    /// <c>1.5e-07</c>, <c>5e-324</c>). Not for NaN or infinities.
    /// </remarks>
    public static string FormatDouble(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "only finite values have a JSON number form");
        }

        // .NET's "R" is the shortest round-trip text; take its digits and decimal exponent and lay them out as Python does.
        var r = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = r.StartsWith('-');
        if (negative)
        {
            r = r[1..];
        }

        var exponent = 0;
        var e = r.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            r = r[..e];
        }

        var point = r.IndexOf('.', StringComparison.Ordinal);
        var intPart = point < 0 ? r : r[..point];
        var fracPart = point < 0 ? string.Empty : r[(point + 1)..];
        var digits = intPart + fracPart;

        // value = 0.d1 d2 d3 ... × 10^decimalPoint
        var decimalPoint = intPart.Length + exponent;
        var lead = 0;
        while (lead < digits.Length && digits[lead] == '0')
        {
            lead++;
        }

        digits = digits[lead..].TrimEnd('0');
        decimalPoint -= lead;
        var sign = negative ? "-" : string.Empty;
        if (digits.Length == 0)
        {
            return sign + "0.0";
        }

        var sciExponent = decimalPoint - 1;
        string body;
        if (sciExponent is >= -4 and < 16)
        {
            if (decimalPoint <= 0)
            {
                body = "0." + new string('0', -decimalPoint) + digits;
            }
            else if (decimalPoint >= digits.Length)
            {
                body = digits + new string('0', decimalPoint - digits.Length) + ".0";
            }
            else
            {
                body = digits[..decimalPoint] + "." + digits[decimalPoint..];
            }
        }
        else
        {
            var mantissa = digits.Length == 1 ? digits : digits[..1] + "." + digits[1..];
            var expText = Math.Abs(sciExponent).ToString("00", CultureInfo.InvariantCulture);
            body = mantissa + "e" + (sciExponent < 0 ? "-" : "+") + expText;
        }

        return sign + body;
    }

    /// <summary>A JSON number node whose text is exactly <paramref name="text"/> (which must be a valid JSON number).</summary>
    public static JsonNode NumberNode(string text)
    {
        using var doc = JsonDocument.Parse(text);
        return JsonValue.Create(doc.RootElement.Clone())!;
    }

    private static void Write(StringBuilder sb, JsonNode? node, Style style, int level)
    {
        switch (node)
        {
            case null:
                sb.Append("null");
                break;
            case JsonObject obj:
                WriteObject(sb, obj, style, level);
                break;
            case JsonArray array:
                WriteArray(sb, array, style, level);
                break;
            case JsonValue value:
                WriteValue(sb, value, style, level);
                break;
            default:
                throw new InvalidOperationException($"unexpected JSON node type {node.GetType().Name}");
        }
    }

    private static void WriteObject(StringBuilder sb, JsonObject obj, Style style, int level)
    {
        if (obj.Count == 0)
        {
            sb.Append("{}");
            return;
        }

        IEnumerable<KeyValuePair<string, JsonNode?>> items = obj;
        if (style.SortKeys)
        {
            items = obj.OrderBy(p => p.Key, StringComparer.Ordinal);
        }

        sb.Append('{');
        var first = true;
        foreach (var (key, value) in items)
        {
            if (!first)
            {
                sb.Append(',');
            }

            first = false;
            NewLine(sb, style.Indent, level + 1);
            WriteString(sb, key);
            sb.Append(": ");
            Write(sb, value, style, level + 1);
        }

        NewLine(sb, style.Indent, level);
        sb.Append('}');
    }

    private static void WriteArray(StringBuilder sb, JsonArray array, Style style, int level)
    {
        if (array.Count == 0)
        {
            sb.Append("[]");
            return;
        }

        sb.Append('[');
        for (var i = 0; i < array.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            NewLine(sb, style.Indent, level + 1);
            Write(sb, array[i], style, level + 1);
        }

        NewLine(sb, style.Indent, level);
        sb.Append(']');
    }

    private static void NewLine(StringBuilder sb, int indent, int level) =>
        sb.Append('\n').Append(' ', indent * level);

    private static void WriteValue(StringBuilder sb, JsonValue value, Style style, int level)
    {
        if (value.TryGetValue<JsonElement>(out var element))
        {
            WriteElement(sb, element, style, level);
            return;
        }

        if (value.TryGetValue<string>(out var s))
        {
            WriteString(sb, s);
        }
        else if (value.TryGetValue<bool>(out var b))
        {
            sb.Append(b ? "true" : "false");
        }
        else if (value.TryGetValue<double>(out var d))
        {
            WriteDouble(sb, d, style);
        }
        else if (value.TryGetValue<float>(out var f))
        {
            WriteDouble(sb, f, style);
        }
        else if (value.TryGetValue<Half>(out var h))
        {
            WriteDouble(sb, (double)h, style);
        }
        else if (value.TryGetValue<char>(out var c))
        {
            WriteString(sb, c.ToString());
        }
        else
        {
            // Integers, decimals and anything else System.Text.Json can write: its text is already valid JSON, and
            // strings (enums, dates) are re-escaped the Python way.
            using var doc = JsonDocument.Parse(value.ToJsonString());
            WriteElement(sb, doc.RootElement, style, level);
        }
    }

    private static void WriteElement(StringBuilder sb, JsonElement element, Style style, int level)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                WriteString(sb, element.GetString()!);
                break;
            case JsonValueKind.Number:
                sb.Append(element.GetRawText());
                break;
            case JsonValueKind.True:
                sb.Append("true");
                break;
            case JsonValueKind.False:
                sb.Append("false");
                break;
            case JsonValueKind.Null:
            case JsonValueKind.Undefined:
                sb.Append("null");
                break;
            default:
                // An object or array held as an element: write it through the node model.
                Write(sb, element.ValueKind == JsonValueKind.Object ? JsonObject.Create(element) : JsonArray.Create(element), style, level);
                break;
        }
    }

    private static void WriteDouble(StringBuilder sb, double d, Style style)
    {
        if (double.IsNaN(d))
        {
            sb.Append(style.BareNonFinite ? "NaN" : "\"NaN\"");
        }
        else if (double.IsInfinity(d))
        {
            sb.Append((d > 0, style.BareNonFinite) switch
            {
                (true, true) => "Infinity",
                (false, true) => "-Infinity",
                (true, false) => "\"Infinity\"",
                (false, false) => "\"-Infinity\"",
            });
        }
        else
        {
            sb.Append(FormatDouble(d));
        }
    }

    private static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var ch in s)
        {
            switch (ch)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                case '\b':
                    sb.Append("\\b");
                    break;
                case '\f':
                    sb.Append("\\f");
                    break;
                default:
                    if (ch < 0x20 || ch > 0x7e)
                    {
                        // Python's ensure_ascii escapes every non-ASCII UTF-16 code unit (surrogates stay pairs), lowercase.
                        sb.Append("\\u").Append(((int)ch).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(ch);
                    }

                    break;
            }
        }

        sb.Append('"');
    }

    /// <summary>How a document is written: the indent, whether keys are sorted, and NaN and infinities as bare tokens (Python's) or strings.</summary>
    private readonly record struct Style(int Indent, bool SortKeys, bool BareNonFinite);
}
