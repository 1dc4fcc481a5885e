using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Zarr.Storage.Internal;

namespace Zarr.Storage;

/// <summary>
/// Conversions between .NET strings and numpy's fixed-length string elements: <c>U n</c> is n UTF-32 code units,
/// <c>S n</c> is n bytes, both NUL padded. As numpy, reading drops trailing NULs (so a value ending in NUL does not
/// round-trip) and writing refuses a value longer than the type.
/// </summary>
internal static class FixedStrings
{
    /// <summary>Writes <paramref name="value"/> as UTF-32LE code units into <paramref name="element"/> (the element's bytes), NUL padded.</summary>
    /// <exception cref="ZarrException">The value has more code points than the type holds, or a lone surrogate.</exception>
    public static void EncodeUtf32(string value, Span<byte> element, ZarrDataType dataType)
    {
        var capacity = element.Length / 4;
        var i = 0;
        var units = 0;
        while (i < value.Length)
        {
            if (Rune.DecodeFromUtf16(value.AsSpan(i), out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                throw new ZarrException(string.Create(CultureInfo.InvariantCulture, $"the string has a lone surrogate at index {i}; {dataType} holds Unicode code points (UTF-32)"));
            }

            if (units == capacity)
            {
                throw new ZarrException(string.Create(CultureInfo.InvariantCulture, $"the string {UserText.QuoteJson(value)} has more than {capacity} code points, the length of {dataType}"));
            }

            BinaryPrimitives.WriteUInt32LittleEndian(element[(units * 4)..], (uint)rune.Value);
            units++;
            i += consumed;
        }

        element[(units * 4)..].Clear();
    }

    /// <summary>The string of a UTF-32LE element, trailing NULs dropped.</summary>
    /// <exception cref="ZarrException">A code unit is not a Unicode scalar value.</exception>
    public static string DecodeUtf32(ReadOnlySpan<byte> element)
    {
        var units = element.Length / 4;
        while (units > 0 && BinaryPrimitives.ReadUInt32LittleEndian(element[((units - 1) * 4)..]) == 0)
        {
            units--;
        }

        if (units == 0)
        {
            return string.Empty;
        }

        var sb = new StringBuilder(units);
        for (var u = 0; u < units; u++)
        {
            var code = BinaryPrimitives.ReadUInt32LittleEndian(element[(u * 4)..]);
            if (!Rune.IsValid(code))
            {
                throw new ZarrException(string.Create(CultureInfo.InvariantCulture, $"code unit {u} of a UTF-32 string is 0x{code:x}, not a Unicode scalar value"));
            }

            sb.Append(new Rune(code).ToString());
        }

        return sb.ToString();
    }

    /// <summary>Writes raw bytes into a fixed-bytes element, NUL padded.</summary>
    /// <exception cref="ZarrException">The value is longer than the element.</exception>
    public static void EncodeBytes(ReadOnlySpan<byte> value, Span<byte> element, ZarrDataType dataType)
    {
        if (value.Length > element.Length)
        {
            throw new ZarrException(string.Create(CultureInfo.InvariantCulture, $"a value of {value.Length} bytes does not fit {dataType}, which holds {element.Length}"));
        }

        value.CopyTo(element);
        element[value.Length..].Clear();
    }

    /// <summary>The bytes of a fixed-bytes element, trailing NULs dropped (as numpy's <c>bytes_</c>).</summary>
    public static byte[] DecodeBytes(ReadOnlySpan<byte> element) => element.TrimEnd((byte)0).ToArray();
}
