using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;
using Zarr.Storage.Internal;

namespace Zarr.Storage;

/// <summary>
/// The JSON forms of a fill value in Zarr v3 (<c>zarr.json</c>) and v2 (<c>.zarray</c>), converted to and from one
/// element's bytes (little-endian, <c>ItemSize</c> bytes).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>bool: <c>true</c>/<c>false</c>.</item>
/// <item>integers: JSON integers over the type's full range, parsed exactly (no detour through double).</item>
/// <item>floats: numbers, <c>"NaN"</c>, <c>"Infinity"</c>, <c>"-Infinity"</c>; v3 also a hex string of the raw IEEE bits
/// (<c>"0x7fc00000"</c>: 4 hex digits for float16, 8 for float32, 16 for float64). Finite values are written as Python's
/// <c>repr</c> of the value as a double (what zarr-python writes), which parses back to the same bits; the canonical
/// NaN is written <c>"NaN"</c>, any other NaN as hex in v3 (v2 has no way to keep a NaN payload).</item>
/// <item>complex: a two-element array of float encodings, real part first.</item>
/// <item>datetime64/timedelta64: the int64 count (written so, NaT included); <c>"NaT"</c> is read too.</item>
/// <item>fixed bytes (<c>|S n</c>): base64 of the bytes without trailing NULs (v2: zarr-python 2 also wrote 0).</item>
/// <item>fixed unicode (<c>&lt;U n</c>): the string (at most n code points).</item>
/// <item>structured: v2 base64 of numpy's raw element bytes in the stored byte order; v3 an object of field values
/// (zarr-python 3's <c>struct</c>), or base64 of the little-endian element (its legacy form).</item>
/// <item>variable-length strings: the string (the fill value's bytes are its UTF-8).</item>
/// <item>v2 only: <c>null</c>, meaning "no fill value" (missing chunks read as zeros).</item>
/// </list>
/// </remarks>
internal static class FillValueJson
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private const ushort CanonicalNaN16 = 0x7E00;
    private const uint CanonicalNaN32 = 0x7FC00000;
    private const ulong CanonicalNaN64 = 0x7FF8000000000000;

    /// <summary>Parses a v3 <c>fill_value</c>.</summary>
    /// <param name="value">The JSON value.</param>
    /// <param name="dataType">The array's data type.</param>
    /// <param name="document">The document's key, for error messages.</param>
    /// <param name="field">The field's name, for error messages.</param>
    /// <returns>One element, little-endian.</returns>
    /// <exception cref="ZarrMetadataException">The value is not a valid fill value of <paramref name="dataType"/>.</exception>
    public static byte[] ParseV3(JsonElement value, ZarrDataType dataType, string document, string field = "fill_value")
    {
        ArgumentNullException.ThrowIfNull(dataType);
        if (value.ValueKind == JsonValueKind.Null)
        {
            throw Error(document, field, dataType, value, "a v3 array must have a fill value");
        }

        return Parse(value, dataType, document, field, v3: true, bigEndian: false);
    }

    /// <summary>Parses a v2 <c>fill_value</c>; JSON null gives zero bytes and <paramref name="isNull"/> true.</summary>
    /// <param name="value">The JSON value.</param>
    /// <param name="dataType">The array's data type.</param>
    /// <param name="document">The document's key, for error messages.</param>
    /// <param name="isNull">True when the value is JSON null.</param>
    /// <param name="field">The field's name, for error messages.</param>
    /// <param name="byteOrder">The dtype's stored byte order: a structured fill value is numpy's raw bytes in it.</param>
    /// <returns>One element, little-endian (variable-length strings: the UTF-8 bytes).</returns>
    /// <exception cref="ZarrMetadataException">The value is not a valid fill value of <paramref name="dataType"/>.</exception>
    public static byte[] ParseV2(JsonElement value, ZarrDataType dataType, string document, out bool isNull, string field = "fill_value", Endian byteOrder = Endian.Little)
    {
        ArgumentNullException.ThrowIfNull(dataType);
        isNull = value.ValueKind == JsonValueKind.Null;
        return isNull ? new byte[dataType.ItemSize] : Parse(value, dataType, document, field, v3: false, bigEndian: byteOrder == Endian.Big);
    }

    /// <summary>The v3 JSON form of a fill value.</summary>
    /// <param name="fillValue">One element, little-endian.</param>
    /// <param name="dataType">The array's data type.</param>
    /// <exception cref="ArgumentException"><paramref name="fillValue"/> is not <c>ItemSize</c> bytes long.</exception>
    public static JsonNode ToV3Json(ReadOnlySpan<byte> fillValue, ZarrDataType dataType) => Format(fillValue, dataType, v3: true, bigEndian: false);

    /// <summary>The v2 JSON form of a fill value (null when <paramref name="isNull"/>).</summary>
    /// <param name="fillValue">One element, little-endian.</param>
    /// <param name="dataType">The array's data type.</param>
    /// <param name="isNull">Write JSON null (v2's "no fill value").</param>
    /// <param name="byteOrder">The dtype's stored byte order: a structured fill value is written as numpy's raw bytes in it.</param>
    /// <exception cref="ArgumentException"><paramref name="fillValue"/> is not <c>ItemSize</c> bytes long.</exception>
    public static JsonNode? ToV2Json(ReadOnlySpan<byte> fillValue, ZarrDataType dataType, bool isNull = false, Endian byteOrder = Endian.Little) =>
        isNull ? null : Format(fillValue, dataType, v3: false, bigEndian: byteOrder == Endian.Big);

    /// <summary>
    /// The fill value bytes of a scalar (one element, little-endian), with every NaN made the canonical quiet NaN.
    /// </summary>
    /// <remarks>
    /// .NET's <see cref="float.NaN"/> and <see cref="double.NaN"/> have the sign bit set (<c>0xFFC00000</c>); the NaN that
    /// Zarr writes as <c>"NaN"</c>, and numpy's <c>np.nan</c>, is the positive one (<c>0x7FC00000</c>). Without this a
    /// fill value of <c>float.NaN</c> would be written as the hex string <c>"0xffc00000"</c>. Build the bytes directly
    /// to keep a particular NaN payload.
    /// </remarks>
    /// <exception cref="ZarrException"><typeparamref name="T"/> is not a Zarr data type.</exception>
    public static byte[] FromScalar<T>(T value) where T : unmanaged
    {
        var dataType = ZarrDataType.Of<T>();
        var bytes = new byte[dataType.ItemSize];
        MemoryMarshal.Write(bytes, in value);
        var part = dataType.ComponentSize;
        if (!BitConverter.IsLittleEndian && part > 1)
        {
            for (var i = 0; i < bytes.Length; i += part)
            {
                bytes.AsSpan(i, part).Reverse();
            }
        }

        if (dataType.IsFloatingPoint || dataType.IsComplex)
        {
            for (var i = 0; i < bytes.Length; i += part)
            {
                var span = bytes.AsSpan(i, part);
                var bits = ReadBits(span, part);
                var isNaN = part switch
                {
                    2 => Half.IsNaN(BitConverter.UInt16BitsToHalf((ushort)bits)),
                    4 => float.IsNaN(BitConverter.UInt32BitsToSingle((uint)bits)),
                    _ => double.IsNaN(BitConverter.UInt64BitsToDouble(bits)),
                };
                if (isNaN)
                {
                    WriteBits(span, part switch { 2 => CanonicalNaN16, 4 => CanonicalNaN32, _ => CanonicalNaN64 }, part);
                }
            }
        }

        return bytes;
    }

    private static byte[] Parse(JsonElement value, ZarrDataType dataType, string document, string field, bool v3, bool bigEndian)
    {
        var bytes = new byte[dataType.ItemSize];
        switch (dataType.NumpyKind)
        {
            case 'M':
            case 'm':
                WriteBits(bytes, (ulong)ParseTime(value, dataType, document, field), 8);
                break;
            case 'S':
                ParseFixedBytes(value, bytes, dataType, document, field, v3);
                break;
            case 'U':
                ParseFixedUnicode(value, bytes, dataType, document, field);
                break;
            case 'V':
                ParseStructured(value, bytes, dataType, document, field, v3, bigEndian);
                break;
            case 'O':
                return ParseString(value, dataType, document, field);
            case 'b':
                bytes[0] = ParseBool(value, dataType, document, field, v3) ? (byte)1 : (byte)0;
                break;
            case 'i':
            case 'u':
                WriteInteger(bytes, value, dataType, document, field, v3);
                break;
            case 'f':
                WriteBits(bytes, ParseFloat(value, dataType.ItemSize, dataType, document, field, v3), dataType.ItemSize);
                break;
            case 'c':
                if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() != 2)
                {
                    throw Error(document, field, dataType, value, "a complex fill value is a two-element array [real, imaginary]");
                }

                var part = dataType.ItemSize / 2;
                WriteBits(bytes.AsSpan(0, part), ParseFloat(value[0], part, dataType, document, field, v3), part);
                WriteBits(bytes.AsSpan(part), ParseFloat(value[1], part, dataType, document, field, v3), part);
                break;
            default:
                throw new ZarrMetadataException(document, field, $"data type {dataType} has no fill value encoding");
        }

        return bytes;
    }

    private static bool ParseBool(JsonElement value, ZarrDataType dataType, string document, string field, bool v3)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            case JsonValueKind.Number when !v3 && value.TryGetInt64(out var n) && n is 0 or 1:
                // zarr-python 2 lets numpy cast 0/1 to bool.
                return n == 1;
            default:
                throw Error(document, field, dataType, value, "expected true or false");
        }
    }

    private static void WriteInteger(Span<byte> bytes, JsonElement value, ZarrDataType dataType, string document, string field, bool v3)
    {
        if (value.ValueKind != JsonValueKind.Number)
        {
            throw Error(document, field, dataType, value, "expected a JSON integer");
        }

        var signed = dataType.NumpyKind == 'i';
        var bits = dataType.ItemSize * 8;
        if (value.TryGetInt64(out var l))
        {
            var min = signed ? (bits == 64 ? long.MinValue : -(1L << (bits - 1))) : 0;
            var max = signed ? (bits == 64 ? long.MaxValue : (1L << (bits - 1)) - 1) : (bits == 64 ? long.MaxValue : (1L << bits) - 1);
            if (l < min || l > max)
            {
                throw Error(document, field, dataType, value, "out of range");
            }

            WriteBits(bytes, unchecked((ulong)l), dataType.ItemSize);
            return;
        }

        if (value.TryGetUInt64(out var u))
        {
            if (dataType.Kind != DataTypeKind.UInt64)
            {
                throw Error(document, field, dataType, value, "out of range");
            }

            WriteBits(bytes, u, dataType.ItemSize);
            return;
        }

        // Not an integer token (a fraction or exponent), or beyond 64 bits. v3 wants an integer; zarr-python 2 let numpy
        // cast an integral float such as 0.0, so v2 accepts those when they are exact.
        if (!v3 && double.TryParse(value.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            && Math.Abs(d) <= 9007199254740992.0 && d == Math.Floor(d))
        {
            using var doc = JsonDocument.Parse(((long)d).ToString(CultureInfo.InvariantCulture));
            WriteInteger(bytes, doc.RootElement, dataType, document, field, v3);
            return;
        }

        throw Error(document, field, dataType, value, value.GetRawText().AsSpan().IndexOfAny(".eE") >= 0 ? "expected an integer, not a float" : "out of range");
    }

    private static ulong ParseFloat(JsonElement value, int size, ZarrDataType dataType, string document, string field, bool v3)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Number:
                var d = double.Parse(value.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture);
                ulong bits;
                bool overflow;
                switch (size)
                {
                    case 2:
                        var h = (Half)d;
                        overflow = Half.IsInfinity(h);
                        bits = BitConverter.HalfToUInt16Bits(h);
                        break;
                    case 4:
                        var f = (float)d;
                        overflow = float.IsInfinity(f);
                        bits = BitConverter.SingleToUInt32Bits(f);
                        break;
                    default:
                        overflow = double.IsInfinity(d);
                        bits = BitConverter.DoubleToUInt64Bits(d);
                        break;
                }

                return overflow
                    ? throw Error(document, field, dataType, value, $"out of range for a {size * 8}-bit float (write \"Infinity\" for infinity)")
                    : bits;
            case JsonValueKind.String:
                var s = value.GetString()!;
                switch (s)
                {
                    case "NaN":
                        return size switch { 2 => CanonicalNaN16, 4 => CanonicalNaN32, _ => CanonicalNaN64 };
                    case "Infinity":
                        return size switch { 2 => 0x7C00, 4 => 0x7F800000, _ => 0x7FF0000000000000 };
                    case "-Infinity":
                        return size switch { 2 => 0xFC00, 4 => 0xFF800000, _ => 0xFFF0000000000000 };
                }

                if (v3 && s.StartsWith("0x", StringComparison.Ordinal))
                {
                    var hex = s.AsSpan(2);
                    if (hex.Length != size * 2
                        || !ulong.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var raw))
                    {
                        throw Error(document, field, dataType, value, $"a hex fill value of a {size * 8}-bit float is '0x' and exactly {size * 2} hex digits");
                    }

                    return raw;
                }

                throw Error(document, field, dataType, value, v3
                    ? "expected a number, \"NaN\", \"Infinity\", \"-Infinity\" or a hex string such as \"0x7fc00000\""
                    : "expected a number, \"NaN\", \"Infinity\" or \"-Infinity\"");
            default:
                throw Error(document, field, dataType, value, "expected a number or a string");
        }
    }

    private static JsonNode Format(ReadOnlySpan<byte> fillValue, ZarrDataType dataType, bool v3, bool bigEndian)
    {
        ArgumentNullException.ThrowIfNull(dataType);
        if (dataType.Kind == DataTypeKind.String)
        {
            return JsonValue.Create(StrictUtf8.GetString(fillValue));
        }

        if (fillValue.Length != dataType.ItemSize)
        {
            throw new ArgumentException($"a fill value of {dataType} is {dataType.ItemSize} bytes, not {fillValue.Length}", nameof(fillValue));
        }

        switch (dataType.Kind)
        {
            case DataTypeKind.Bool:
                return JsonValue.Create(fillValue[0] != 0);
            case DataTypeKind.Int8:
                return PythonJson.NumberNode(((sbyte)fillValue[0]).ToString(CultureInfo.InvariantCulture));
            case DataTypeKind.Int16:
                return PythonJson.NumberNode(BinaryPrimitives.ReadInt16LittleEndian(fillValue).ToString(CultureInfo.InvariantCulture));
            case DataTypeKind.Int32:
                return PythonJson.NumberNode(BinaryPrimitives.ReadInt32LittleEndian(fillValue).ToString(CultureInfo.InvariantCulture));
            case DataTypeKind.Int64:
                return PythonJson.NumberNode(BinaryPrimitives.ReadInt64LittleEndian(fillValue).ToString(CultureInfo.InvariantCulture));
            case DataTypeKind.UInt8:
                return PythonJson.NumberNode(fillValue[0].ToString(CultureInfo.InvariantCulture));
            case DataTypeKind.UInt16:
                return PythonJson.NumberNode(BinaryPrimitives.ReadUInt16LittleEndian(fillValue).ToString(CultureInfo.InvariantCulture));
            case DataTypeKind.UInt32:
                return PythonJson.NumberNode(BinaryPrimitives.ReadUInt32LittleEndian(fillValue).ToString(CultureInfo.InvariantCulture));
            case DataTypeKind.UInt64:
                return PythonJson.NumberNode(BinaryPrimitives.ReadUInt64LittleEndian(fillValue).ToString(CultureInfo.InvariantCulture));
            case DataTypeKind.Float16:
            case DataTypeKind.Float32:
            case DataTypeKind.Float64:
                return FormatFloat(ReadBits(fillValue, dataType.ItemSize), dataType.ItemSize, v3);
            case DataTypeKind.Complex64:
            case DataTypeKind.Complex128:
                var part = dataType.ItemSize / 2;
                return new JsonArray(
                    FormatFloat(ReadBits(fillValue[..part], part), part, v3),
                    FormatFloat(ReadBits(fillValue[part..], part), part, v3));
            case DataTypeKind.DateTime64:
            case DataTypeKind.TimeDelta64:
                // zarr-python writes the int64 count, NaT included (-9223372036854775808).
                return PythonJson.NumberNode(BinaryPrimitives.ReadInt64LittleEndian(fillValue).ToString(CultureInfo.InvariantCulture));
            case DataTypeKind.FixedBytes:
                // numpy's bytes_ scalar drops trailing NULs; zarr-python writes it base64-encoded.
                return JsonValue.Create(Convert.ToBase64String(fillValue.TrimEnd((byte)0)));
            case DataTypeKind.FixedUnicode:
                return JsonValue.Create(FixedStrings.DecodeUtf32(fillValue));
            case DataTypeKind.Structured:
                return v3 ? FormatStructV3(fillValue, dataType) : JsonValue.Create(Convert.ToBase64String(StoredStructBytes(fillValue, dataType, bigEndian)));
            default:
                throw new ArgumentException($"data type {dataType} has no fill value encoding", nameof(dataType));
        }
    }

    private static JsonNode FormatFloat(ulong bits, int size, bool v3)
    {
        var value = size switch
        {
            2 => (double)BitConverter.UInt16BitsToHalf((ushort)bits),
            4 => BitConverter.UInt32BitsToSingle((uint)bits),
            _ => BitConverter.UInt64BitsToDouble(bits),
        };

        if (double.IsNaN(value))
        {
            var canonical = size switch { 2 => CanonicalNaN16, 4 => CanonicalNaN32, _ => CanonicalNaN64 };
            return JsonValue.Create(!v3 || bits == canonical ? "NaN" : "0x" + bits.ToString(size == 2 ? "x4" : size == 4 ? "x8" : "x16", CultureInfo.InvariantCulture));
        }

        if (double.IsInfinity(value))
        {
            return JsonValue.Create(value > 0 ? "Infinity" : "-Infinity");
        }

        // Python's repr of the value widened to double: what zarr-python writes (float32 0.1 is 0.10000000149011612),
        // and it narrows back to the same bits.
        return PythonJson.NumberNode(PythonJson.FormatDouble(value));
    }

    private static long ParseTime(JsonElement value, ZarrDataType dataType, string document, string field)
    {
        if (value.ValueKind == JsonValueKind.String && value.GetString() == "NaT")
        {
            return long.MinValue;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var count))
        {
            return count;
        }

        throw Error(document, field, dataType, value, "expected an integer count (int64) or \"NaT\"");
    }

    private static void ParseFixedBytes(JsonElement value, Span<byte> bytes, ZarrDataType dataType, string document, string field, bool v3)
    {
        if (!v3 && value.ValueKind == JsonValueKind.Number && value.GetRawText() == "0")
        {
            return; // zarr-python 2 takes 0 as "all zero bytes"
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw Error(document, field, dataType, value, "expected a base64 string");
        }

        byte[] decoded;
        try
        {
            decoded = Convert.FromBase64String(value.GetString()!);
        }
        catch (FormatException e)
        {
            throw new ZarrMetadataException(document, field, $"{Describe(value)} is not a valid fill value for {dataType}: not base64 ({e.Message})", e);
        }

        if (decoded.Length > bytes.Length)
        {
            throw Error(document, field, dataType, value, $"it is {decoded.Length} bytes; the type holds {bytes.Length}");
        }

        decoded.CopyTo(bytes);
    }

    private static void ParseFixedUnicode(JsonElement value, Span<byte> bytes, ZarrDataType dataType, string document, string field)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            throw Error(document, field, dataType, value, "expected a string");
        }

        try
        {
            FixedStrings.EncodeUtf32(value.GetString()!, bytes, dataType);
        }
        catch (ZarrException e)
        {
            throw new ZarrMetadataException(document, field, $"{Describe(value)} is not a valid fill value for {dataType}: {e.Message}", e);
        }
    }

    private static byte[] ParseString(JsonElement value, ZarrDataType dataType, string document, string field) => value.ValueKind switch
    {
        JsonValueKind.String => StrictUtf8.GetBytes(value.GetString()!),

        // zarr-python 3 reads a number as its text (zarr-python 2 wrote 0 for object arrays).
        JsonValueKind.Number => StrictUtf8.GetBytes(value.GetRawText()),
        _ => throw Error(document, field, dataType, value, "expected a string"),
    };

    private static void ParseStructured(JsonElement value, Span<byte> bytes, ZarrDataType dataType, string document, string field, bool v3, bool bigEndian)
    {
        if (value.ValueKind == JsonValueKind.Number && value.GetRawText() == "0")
        {
            return; // all fields zero, as numpy casts 0
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            // v2: numpy's raw bytes in the stored byte order, base64; v3 (zarr-python's legacy form): native (little-endian) bytes.
            byte[] raw;
            try
            {
                raw = Convert.FromBase64String(value.GetString()!);
            }
            catch (FormatException e)
            {
                throw new ZarrMetadataException(document, field, $"{Describe(value)} is not a valid fill value for {dataType}: not base64 ({e.Message})", e);
            }

            if (raw.Length != bytes.Length)
            {
                throw Error(document, field, dataType, value, $"it is {raw.Length} bytes; the type is {bytes.Length}");
            }

            raw.CopyTo(bytes);
            SwapStruct(bytes, dataType, v3 ? false : bigEndian);
            return;
        }

        if (v3 && value.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in value.EnumerateObject())
            {
                var f = dataType.Fields.FirstOrDefault(x => x.Name == property.Name)
                    ?? throw Error(document, field, dataType, value, $"the type has no field {UserText.Quote(property.Name)}");
                if (f.ElementCount != 1)
                {
                    throw Error(document, field, dataType, value, $"the field {UserText.Quote(f.Name)} is a sub-array");
                }

                var part = Parse(property.Value, f.DataType, document, $"{field}.{f.Name}", v3: true, bigEndian: false);
                part.CopyTo(bytes.Slice(f.Offset, f.Size));
            }

            return;
        }

        throw Error(document, field, dataType, value, v3 ? "expected an object of field values or a base64 string" : "expected a base64 string of the raw element");
    }

    private static JsonObject FormatStructV3(ReadOnlySpan<byte> fillValue, ZarrDataType dataType)
    {
        var result = new JsonObject();
        foreach (var f in dataType.Fields)
        {
            if (f.ElementCount != 1)
            {
                throw new ZarrException($"the fill value of {dataType} cannot be written as v3: the field {UserText.Quote(f.Name)} is a sub-array");
            }

            result[f.Name] = Format(fillValue.Slice(f.Offset, f.Size), f.DataType, v3: true, bigEndian: false);
        }

        return result;
    }

    /// <summary>A structured element's bytes in the stored order (numpy's raw bytes, as v2 writes the fill value).</summary>
    private static byte[] StoredStructBytes(ReadOnlySpan<byte> fillValue, ZarrDataType dataType, bool bigEndian)
    {
        var copy = fillValue.ToArray();
        SwapStruct(copy, dataType, bigEndian);
        return copy;
    }

    private static void SwapStruct(Span<byte> element, ZarrDataType dataType, bool bigEndian)
    {
        foreach (var (offset, size) in dataType.SwapSegments(bigEndian))
        {
            element.Slice(offset, size).Reverse();
        }
    }

    private static ulong ReadBits(ReadOnlySpan<byte> bytes, int size) => size switch
    {
        1 => bytes[0],
        2 => BinaryPrimitives.ReadUInt16LittleEndian(bytes),
        4 => BinaryPrimitives.ReadUInt32LittleEndian(bytes),
        _ => BinaryPrimitives.ReadUInt64LittleEndian(bytes),
    };

    private static void WriteBits(Span<byte> bytes, ulong bits, int size)
    {
        switch (size)
        {
            case 1:
                bytes[0] = (byte)bits;
                break;
            case 2:
                BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)bits);
                break;
            case 4:
                BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)bits);
                break;
            default:
                BinaryPrimitives.WriteUInt64LittleEndian(bytes, bits);
                break;
        }
    }

    private static ZarrMetadataException Error(string document, string field, ZarrDataType dataType, JsonElement value, string reason) =>
        new(document, field, $"{Describe(value)} is not a valid fill value for {dataType}: {reason}");

    private static string Describe(JsonElement value) => UserText.Json(value);
}
