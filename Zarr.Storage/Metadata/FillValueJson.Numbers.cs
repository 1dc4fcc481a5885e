using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;
using Zarr.Storage.Internal;

namespace Zarr.Storage;

/// <summary>The fill values that are numbers: bool, integers, floats (with their NaN payloads and hex forms), times.</summary>
static partial class FillValueJson
{
    private const ushort CanonicalNaN16 = 0x7E00;
    private const uint CanonicalNaN32 = 0x7FC00000;
    private const ulong CanonicalNaN64 = 0x7FF8000000000000;

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
        var bits = dataType.BitWidth;
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

    /// <summary>A bfloat16 fill value: as the core floats, its canonical NaN 0x7fc0, its hex form four digits.</summary>
    private static ulong ParseBFloat16(JsonElement value, ZarrDataType dataType, string document, string field)
    {
        if (value.ValueKind == JsonValueKind.Number)
        {
            var d = double.Parse(value.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture);
            var b = (BFloat16)d;
            return float.IsInfinity((float)b)
                ? throw Error(document, field, dataType, value, "out of range for a bfloat16 (write \"Infinity\" for infinity)")
                : b.Bits;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            switch (value.GetString())
            {
                case "NaN":
                    return BFloat16.NaN.Bits;
                case "Infinity":
                    return 0x7F80;
                case "-Infinity":
                    return 0xFF80;
                case { } s when s.StartsWith("0x", StringComparison.Ordinal):
                    return s.Length == 6 && ushort.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var raw)
                        ? raw
                        : throw Error(document, field, dataType, value, "a hex fill value of a bfloat16 is '0x' and exactly 4 hex digits");
            }
        }

        throw Error(document, field, dataType, value, "expected a number, \"NaN\", \"Infinity\", \"-Infinity\" or a hex string such as \"0x7fc0\"");
    }

    /// <summary>
    /// A float8/float6/float4 fill value, as the extension texts say: as the core floats, with the format's NaN for
    /// <c>"NaN"</c>, <c>"Infinity"</c> only where the format has one, a hex form of 2 digits; a number that rounds beyond
    /// the range (or, for e8m0, to no value: zero, negative) is refused rather than saturated.
    /// </summary>
    private static byte ParseMiniFloat(JsonElement value, MiniFloatFormat format, ZarrDataType dataType, string document, string field)
    {
        if (value.ValueKind == JsonValueKind.Number)
        {
            var d = double.Parse(value.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture);
            if (double.IsInfinity(d) || Math.Abs(d) >= format.OverflowThreshold)
            {
                throw Error(document, field, dataType, value, string.Create(CultureInfo.InvariantCulture, $"out of range for {format.Name} (largest {PythonJson.FormatDouble(format.MaxValue)})"));
            }

            var bits = format.FromDouble(d);
            return format.IsNaN(bits)
                ? throw Error(document, field, dataType, value, $"{format.Name} has no such value (it holds positive powers of two only)")
                : bits;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            switch (value.GetString())
            {
                case "NaN":
                    return format.NaNBits ?? throw Error(document, field, dataType, value, $"{format.Name} has no NaN");
                case "Infinity" or "-Infinity" when !format.HasInfinity:
                    throw Error(document, field, dataType, value, $"{format.Name} has no infinity");
                case "Infinity":
                    return (byte)(format.MaxBits + 1);
                case "-Infinity":
                    return (byte)((format.MaxBits + 1) | 0x80);
                case { } s when s.StartsWith("0x", StringComparison.Ordinal):
                    return s.Length == 4 && byte.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var raw) && raw >> format.BitWidth == 0
                        ? raw
                        : throw Error(document, field, dataType, value, string.Create(CultureInfo.InvariantCulture, $"a hex fill value of {format.Name} is '0x' and 2 hex digits of at most {format.BitWidth} bits"));
            }
        }

        throw Error(document, field, dataType, value, $"expected a number, {(format.NaNBits is null ? "" : "\"NaN\", ")}{(format.HasInfinity ? "\"Infinity\", \"-Infinity\", " : "")}or a hex string such as \"0x{format.MaxBits:x2}\"");
    }

    private static JsonNode FormatMiniFloat(byte bits, MiniFloatFormat format)
    {
        var value = format.ToDouble(bits);
        if (double.IsNaN(value))
        {
            return JsonValue.Create(bits == format.NaNBits ? "NaN" : "0x" + bits.ToString("x2", CultureInfo.InvariantCulture));
        }

        return double.IsInfinity(value)
            ? JsonValue.Create(value > 0 ? "Infinity" : "-Infinity")
            : PythonJson.NumberNode(PythonJson.FormatDouble(value));
    }

    private static JsonNode FormatBFloat16(ushort bits)
    {
        var value = (float)BFloat16.FromBits(bits);
        if (float.IsNaN(value))
        {
            return JsonValue.Create(bits == BFloat16.NaN.Bits ? "NaN" : "0x" + bits.ToString("x4", CultureInfo.InvariantCulture));
        }

        return float.IsInfinity(value)
            ? JsonValue.Create(value > 0 ? "Infinity" : "-Infinity")
            : PythonJson.NumberNode(PythonJson.FormatDouble(value));
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
}
