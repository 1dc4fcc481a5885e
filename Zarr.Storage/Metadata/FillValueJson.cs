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
internal static partial class FillValueJson
{
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

        if (dataType.Kind == DataTypeKind.BFloat16)
        {
            if (BFloat16.IsNaN(BFloat16.FromBits(BinaryPrimitives.ReadUInt16LittleEndian(bytes))))
            {
                WriteBits(bytes, BFloat16.NaN.Bits, 2);
            }
        }
        else if (dataType.IsFloatingPoint || dataType.IsComplex)
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
        if (dataType.Kind == DataTypeKind.BFloat16)
        {
            WriteBits(bytes, ParseBFloat16(value, dataType, document, field), 2);
            return bytes;
        }

        if (dataType.MiniFloat is { } format)
        {
            bytes[0] = ParseMiniFloat(value, format, dataType, document, field);
            return bytes;
        }

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
            case DataTypeKind.Int2:
            case DataTypeKind.Int4:
                return PythonJson.NumberNode(((sbyte)fillValue[0]).ToString(CultureInfo.InvariantCulture));
            case DataTypeKind.UInt2:
            case DataTypeKind.UInt4:
                return PythonJson.NumberNode(fillValue[0].ToString(CultureInfo.InvariantCulture));
            case DataTypeKind.BFloat16:
                return FormatBFloat16(BinaryPrimitives.ReadUInt16LittleEndian(fillValue));
            case >= DataTypeKind.Float8E3M4 and <= DataTypeKind.Float4E2M1Fn:
                return FormatMiniFloat(fillValue[0], dataType.MiniFloat!);
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

    private static ZarrMetadataException Error(string document, string field, ZarrDataType dataType, JsonElement value, string reason) =>
        new(document, field, $"{Describe(value)} is not a valid fill value for {dataType}: {reason}");

    private static string Describe(JsonElement value) => UserText.Json(value);
}
