using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Zarr.Storage;

/// <summary>
/// Refuses JSON text whose strings cannot become .NET strings: bytes that are not UTF-8, and <c>\u</c> escapes of a
/// lone surrogate. System.Text.Json parses both and fails only when a string is read, with an
/// <see cref="InvalidOperationException"/> from deep inside whichever reader reads it; checked once, up front, every
/// metadata reader refuses such a document as the not-JSON it is.
/// </summary>
internal static class JsonUnicode
{
    /// <summary>Checks <paramref name="json"/>.</summary>
    /// <exception cref="JsonException">It is not UTF-8, or escapes a lone surrogate.</exception>
    public static void Check(ReadOnlySpan<byte> json)
    {
        if (!System.Text.Unicode.Utf8.IsValid(json))
        {
            throw new JsonException(string.Create(CultureInfo.InvariantCulture, $"the text is not valid UTF-8 (at byte {FirstInvalidByte(json)})"));
        }

        for (var i = json.IndexOf((byte)'\\'); i >= 0 && i < json.Length; i = NextEscape(json, i))
        {
            if (i + 1 < json.Length && json[i + 1] == (byte)'u' && TryHex(json, i + 2, out var unit) && char.IsSurrogate((char)unit))
            {
                if (char.IsHighSurrogate((char)unit) && i + 7 < json.Length && json[i + 6] == (byte)'\\' && json[i + 7] == (byte)'u'
                    && TryHex(json, i + 8, out var low) && char.IsLowSurrogate((char)low))
                {
                    i += 6;
                    continue;
                }

                throw new JsonException(string.Create(CultureInfo.InvariantCulture, $"the escape \\u{unit:x4} at byte {i} is half of a surrogate pair, which no string holds"));
            }
        }
    }

    /// <summary>The index of the next backslash after the escape at <paramref name="at"/> (a <c>\\</c> is skipped whole).</summary>
    private static int NextEscape(ReadOnlySpan<byte> json, int at)
    {
        var from = Math.Min(at + 2, json.Length);
        var next = json[from..].IndexOf((byte)'\\');
        return next < 0 ? -1 : from + next;
    }

    private static bool TryHex(ReadOnlySpan<byte> json, int at, out int value)
    {
        value = 0;
        return at + 4 <= json.Length
            && int.TryParse(Encoding.ASCII.GetString(json.Slice(at, 4)), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }

    private static int FirstInvalidByte(ReadOnlySpan<byte> json)
    {
        var at = 0;
        while (at < json.Length && Rune.DecodeFromUtf8(json[at..], out _, out var consumed) == System.Buffers.OperationStatus.Done)
        {
            at += consumed;
        }

        return at;
    }
}
