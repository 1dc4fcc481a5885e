using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Zarr.Storage;

// Writing: json.dumps's layout and Python's float repr.
internal static partial class PythonJson
{
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
