using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Zarr.Storage.Internal;

/// <summary>
/// How a message shows text it was given (a key, a path, a codec or data type name, a field name, a JSON value): the
/// one place that decides, so that no message echoes a 100 MB name or carries characters that break a log line.
/// </summary>
/// <remarks>
/// At most <see cref="MaxShown"/> characters are shown; longer text ends in <c>…</c> and its length follows:
/// <c>'abc…' (100000000 characters)</c>. A backslash is shown as <c>\\</c>; control characters, line and paragraph
/// separators and lone surrogates (text that is not valid UTF-16, hence not valid UTF-8) as escapes: <c>\n</c>,
/// <c>\t</c>, <c>\r</c>, <c>\0</c>, <c>\uD800</c>. So a message is always valid Unicode, one line, and short.
/// </remarks>
internal static class UserText
{
    /// <summary>The most characters of one piece of text a message shows (escapes count as what they print).</summary>
    public const int MaxShown = 200;

    // "<i4" shown as it is, not as "\u003Ci4"; a NaN or an infinity (read from a bare token of a v2 document) as "NaN".
    private static readonly JsonSerializerOptions ShowOptions = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The text in single quotes, escaped and shortened: <c>'a/b'</c>, <c>'k\uD800'</c>, <c>'xxx…' (100000000 characters)</c>; <c>null</c> for null.</summary>
    public static string Quote(string? text) => QuoteWith(text, '\'');

    /// <summary>The text as <see cref="Quote"/> shows it, in double quotes (a JSON string as a document holds it): <c>"abc"</c>.</summary>
    public static string QuoteJson(string? text) => QuoteWith(text, '"');

    /// <summary>The text escaped and shortened as <see cref="Quote"/> does, without the quotes: <c>a/b</c>, <c>xxx… (100000000 characters)</c>.</summary>
    public static string Clip(string? text)
    {
        if (text is null)
        {
            return "null";
        }

        var shown = Escape(text, out var cut);
        return cut ? string.Create(CultureInfo.InvariantCulture, $"{shown}… ({text.Length} characters)") : shown;
    }

    /// <summary>
    /// A JSON value as its JSON text, shortened (a long string or a large object is not copied whole to be shown):
    /// <c>"abc"</c>, <c>[1, 2]</c>, <c>{"a": 1…} (100000 characters)</c>; <c>(missing)</c> for an undefined element.
    /// </summary>
    public static string Json(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Undefined)
        {
            return "(missing)";
        }

        // The raw UTF-8 of the value as it stands in the document: only its start is decoded.
        var raw = JsonMarshal.GetRawUtf8Value(value);
        return ClipUtf8(raw);
    }

    /// <summary>A JSON node as its JSON text, shortened as <see cref="Json(JsonElement)"/>; <c>null</c> for null.</summary>
    public static string Json(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return "null";
            case JsonValue value when value.TryGetValue<JsonElement>(out var element):
                return Json(element);
            case JsonValue value when value.TryGetValue<string>(out var s):
                return QuoteWith(s, '"');
        }

        return Clip(node.ToJsonString(ShowOptions));
    }

    private static string QuoteWith(string? text, char quote)
    {
        if (text is null)
        {
            return "null";
        }

        var shown = Escape(text, out var cut);
        return cut
            ? string.Create(CultureInfo.InvariantCulture, $"{quote}{shown}…{quote} ({text.Length} characters)")
            : string.Concat(quote.ToString(), shown, quote.ToString());
    }

    private static string ClipUtf8(ReadOnlySpan<byte> utf8)
    {
        // A character is at most four bytes: decode no more than can be shown (counting the rest costs no copy).
        if (utf8.Length <= MaxShown * 4)
        {
            return Clip(Encoding.UTF8.GetString(utf8));
        }

        var shown = Escape(Encoding.UTF8.GetString(utf8[..(MaxShown * 4)]), out _);
        shown = shown.Length > MaxShown ? shown[..MaxShown] : shown;
        if (shown.Length > 0 && char.IsHighSurrogate(shown[^1]))
        {
            shown = shown[..^1];
        }

        return string.Create(CultureInfo.InvariantCulture, $"{shown}… ({Encoding.UTF8.GetCharCount(utf8)} characters)");
    }

    private static string Escape(string text, out bool cut)
    {
        cut = false;
        if (text.Length <= MaxShown && !NeedsEscape(text))
        {
            return text;
        }

        var sb = new StringBuilder(Math.Min(text.Length, MaxShown) + 16);
        for (var i = 0; i < text.Length; i++)
        {
            if (sb.Length >= MaxShown)
            {
                cut = true;
                break;
            }

            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                sb.Append(c).Append(text[i + 1]);
                i++;
                continue;
            }

            switch (c)
            {
                case '\\':
                    sb.Append(@"\\");
                    break;
                case '\n':
                    sb.Append(@"\n");
                    break;
                case '\r':
                    sb.Append(@"\r");
                    break;
                case '\t':
                    sb.Append(@"\t");
                    break;
                case '\0':
                    sb.Append(@"\0");
                    break;
                default:
                    if (MustEscape(c))
                    {
                        sb.Append(@"\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.ToString();
    }

    private static bool NeedsEscape(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            if (c == '\\' || MustEscape(c))
            {
                return true;
            }
        }

        return false;
    }

    private static bool MustEscape(char c) =>
        char.IsControl(c) || char.IsSurrogate(c) || c is '\u2028' or '\u2029';
}
