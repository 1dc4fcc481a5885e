using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Zarr.Storage.Metadata;

/// <summary>
/// Writes JSON text the way Python's <c>json.dumps(obj, indent=n, sort_keys=..., ensure_ascii=True)</c> does, so that
/// the metadata documents we write are byte for byte those zarr-python writes: items end in <c>,</c> and a
/// newline and the given number of spaces per level, <c>": "</c> after keys, <c>[]</c> and <c>{}</c> for empty
/// containers, non-ASCII characters as lowercase <c>\uXXXX</c> escapes, floats as Python's <c>repr</c>, and no
/// trailing newline. NaN and infinities are never written as bare tokens: a double that is one becomes the string
/// <c>"NaN"</c>, <c>"Infinity"</c> or <c>"-Infinity"</c>, as the Zarr specifications spell them.
/// </summary>
internal static class PythonJson
{
    /// <summary>Serializes <paramref name="node"/> to UTF-8.</summary>
    public static byte[] Serialize(JsonNode? node, int indent, bool sortKeys)
    {
        var sb = new StringBuilder(256);
        Write(sb, node, indent, sortKeys, 0);
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

    private static void Write(StringBuilder sb, JsonNode? node, int indent, bool sortKeys, int level)
    {
        switch (node)
        {
            case null:
                sb.Append("null");
                break;
            case JsonObject obj:
                WriteObject(sb, obj, indent, sortKeys, level);
                break;
            case JsonArray array:
                WriteArray(sb, array, indent, sortKeys, level);
                break;
            case JsonValue value:
                WriteValue(sb, value, indent, sortKeys, level);
                break;
            default:
                throw new InvalidOperationException($"unexpected JSON node type {node.GetType().Name}");
        }
    }

    private static void WriteObject(StringBuilder sb, JsonObject obj, int indent, bool sortKeys, int level)
    {
        if (obj.Count == 0)
        {
            sb.Append("{}");
            return;
        }

        IEnumerable<KeyValuePair<string, JsonNode?>> items = obj;
        if (sortKeys)
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
            NewLine(sb, indent, level + 1);
            WriteString(sb, key);
            sb.Append(": ");
            Write(sb, value, indent, sortKeys, level + 1);
        }

        NewLine(sb, indent, level);
        sb.Append('}');
    }

    private static void WriteArray(StringBuilder sb, JsonArray array, int indent, bool sortKeys, int level)
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

            NewLine(sb, indent, level + 1);
            Write(sb, array[i], indent, sortKeys, level + 1);
        }

        NewLine(sb, indent, level);
        sb.Append(']');
    }

    private static void NewLine(StringBuilder sb, int indent, int level) =>
        sb.Append('\n').Append(' ', indent * level);

    private static void WriteValue(StringBuilder sb, JsonValue value, int indent, bool sortKeys, int level)
    {
        if (value.TryGetValue<JsonElement>(out var element))
        {
            WriteElement(sb, element, indent, sortKeys, level);
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
            WriteDouble(sb, d);
        }
        else if (value.TryGetValue<float>(out var f))
        {
            WriteDouble(sb, f);
        }
        else if (value.TryGetValue<Half>(out var h))
        {
            WriteDouble(sb, (double)h);
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
            WriteElement(sb, doc.RootElement, indent, sortKeys, level);
        }
    }

    private static void WriteElement(StringBuilder sb, JsonElement element, int indent, bool sortKeys, int level)
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
                Write(sb, element.ValueKind == JsonValueKind.Object ? JsonObject.Create(element) : JsonArray.Create(element), indent, sortKeys, level);
                break;
        }
    }

    private static void WriteDouble(StringBuilder sb, double d)
    {
        if (double.IsNaN(d))
        {
            sb.Append("\"NaN\"");
        }
        else if (double.IsInfinity(d))
        {
            sb.Append(d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
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
}
