using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Zarr.Storage.Tests.Metadata;

public class FillValueJsonTests
{
    private const string Doc = "a/zarr.json";

    /// <summary>Every data type with the fill values worth checking: extremes, NaNs (canonical and not), infinities, -0.0, subnormals.</summary>
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        void Add(ZarrDataType t, params string[] hexBits)
        {
            foreach (var h in hexBits)
            {
                data.Add(t.Name, h);
            }
        }

        // Bits are written big-endian (as the v3 hex form reads); complex: real bits then imaginary bits.
        Add(ZarrDataType.Bool, "00", "01");
        Add(ZarrDataType.Int8, "00", "80", "7f", "ff");
        Add(ZarrDataType.Int16, "0000", "8000", "7fff", "ffff");
        Add(ZarrDataType.Int32, "00000000", "80000000", "7fffffff", "ffffffd6");
        Add(ZarrDataType.Int64, "0000000000000000", "8000000000000000", "7fffffffffffffff", "ffffffffffffffff");
        Add(ZarrDataType.UInt8, "00", "ff", "2a");
        Add(ZarrDataType.UInt16, "0000", "ffff");
        Add(ZarrDataType.UInt32, "00000000", "ffffffff");
        Add(ZarrDataType.UInt64, "0000000000000000", "ffffffffffffffff", "8000000000000000");
        Add(ZarrDataType.Float16, "0000", "8000", "7e00", "7e01", "fe00", "7c00", "fc00", "0001", "03ff", "0400", "7bff", "3555", "3e00");
        Add(ZarrDataType.Float32, "00000000", "80000000", "7fc00000", "7fc00001", "ffc00000", "7f800001", "7f800000", "ff800000",
            "00000001", "007fffff", "00800000", "7f7fffff", "3dcccccd", "bfc00000");
        Add(ZarrDataType.Float64, "0000000000000000", "8000000000000000", "7ff8000000000000", "7ff8000000000001", "fff8000000000000",
            "7ff0000000000000", "fff0000000000000", "0000000000000001", "000fffffffffffff", "0010000000000000", "7fefffffffffffff",
            "3fb999999999999a", "4341c37937e08000");
        Add(ZarrDataType.Complex64, "0000000000000000", "3fc00000c0000000", "7fc0000080000000", "7f800000ff800000", "7fc00001" + "00000001");
        Add(ZarrDataType.Complex128, "0000000000000000" + "8000000000000000", "7ff0000000000000" + "7ff8000000000001",
            "3fb999999999999a" + "0000000000000001");
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void V3_RoundTripsEveryBitExactly(string type, string hexBits)
    {
        var dataType = ZarrDataType.Parse(type);
        var bytes = FromHexBits(dataType, hexBits);
        var text = Text(FillValueJson.ToV3Json(bytes, dataType));
        Assert.DoesNotContain("NaN,", text.Replace("\"NaN\"", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(bytes, ParseV3(text, dataType));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void V2_RoundTripsEveryValueNaNPayloadsBecomeCanonical(string type, string hexBits)
    {
        var dataType = ZarrDataType.Parse(type);
        var bytes = FromHexBits(dataType, hexBits);
        var text = Text(FillValueJson.ToV2Json(bytes, dataType));
        Assert.DoesNotContain("0x", text, StringComparison.Ordinal);
        var parsed = FillValueJson.ParseV2(Element(text), dataType, Doc, out var isNull);
        Assert.False(isNull);
        Assert.Equal(Canonical(dataType, bytes), parsed);
    }

    [Theory]
    [InlineData("float32", "3dcccccd", "0.10000000149011612")]
    [InlineData("float32", "7fc00000", "\"NaN\"")]
    [InlineData("float32", "7fc00001", "\"0x7fc00001\"")]
    [InlineData("float32", "ffc00000", "\"0xffc00000\"")]
    [InlineData("float32", "7f800000", "\"Infinity\"")]
    [InlineData("float32", "ff800000", "\"-Infinity\"")]
    [InlineData("float32", "80000000", "-0.0")]
    [InlineData("float32", "00000001", "1.401298464324817e-45")]
    [InlineData("float16", "7e00", "\"NaN\"")]
    [InlineData("float16", "7e01", "\"0x7e01\"")]
    [InlineData("float16", "0001", "5.960464477539063e-08")]
    [InlineData("float16", "7bff", "65504.0")]
    [InlineData("float64", "0000000000000000", "0.0")]
    [InlineData("float64", "4341c37937e08000", "1e+16")]
    [InlineData("float64", "7ff8000000000001", "\"0x7ff8000000000001\"")]
    [InlineData("float64", "0000000000000001", "5e-324")]
    [InlineData("int64", "8000000000000000", "-9223372036854775808")]
    [InlineData("uint64", "ffffffffffffffff", "18446744073709551615")]
    [InlineData("bool", "01", "true")]
    [InlineData("complex64", "3fc00000c0000000", "[1.5,-2.0]")]
    [InlineData("complex128", "7ff8000000000000" + "fff0000000000000", "[\"NaN\",\"-Infinity\"]")]
    public void V3_WritesTheExpectedForm(string type, string hexBits, string expected)
    {
        var dataType = ZarrDataType.Parse(type);
        Assert.Equal(expected, Compact(FillValueJson.ToV3Json(FromHexBits(dataType, hexBits), dataType)));
    }

    [Theory]
    [InlineData("float32", "7fc00001", "\"NaN\"")]
    [InlineData("float64", "fff8000000000000", "\"NaN\"")]
    [InlineData("float64", "8000000000000000", "-0.0")]
    [InlineData("float16", "3e00", "1.5")]
    [InlineData("complex64", "7fc0000080000000", "[\"NaN\",-0.0]")]
    public void V2_WritesTheExpectedForm(string type, string hexBits, string expected)
    {
        var dataType = ZarrDataType.Parse(type);
        Assert.Equal(expected, Compact(FillValueJson.ToV2Json(FromHexBits(dataType, hexBits), dataType)));
    }

    [Theory]
    [InlineData("int64", "-9223372036854775808", "8000000000000000")]
    [InlineData("int64", "9223372036854775807", "7fffffffffffffff")]
    [InlineData("uint64", "18446744073709551615", "ffffffffffffffff")]
    [InlineData("uint64", "9223372036854775808", "8000000000000000")]
    [InlineData("int8", "-128", "80")]
    [InlineData("uint32", "4294967295", "ffffffff")]
    [InlineData("int16", "-0", "0000")]
    [InlineData("float32", "\"0x7fc00000\"", "7fc00000")]
    [InlineData("float32", "\"0x7FC00001\"", "7fc00001")]
    [InlineData("float16", "\"0x7e00\"", "7e00")]
    [InlineData("float64", "\"0x7ff8000000000000\"", "7ff8000000000000")]
    [InlineData("float32", "0", "00000000")]
    [InlineData("float32", "-0.0", "80000000")]
    [InlineData("float32", "0.1", "3dcccccd")]
    [InlineData("float32", "1e-45", "00000001")]
    [InlineData("float64", "5e-324", "0000000000000001")]
    [InlineData("float32", "\"Infinity\"", "7f800000")]
    [InlineData("float16", "\"-Infinity\"", "fc00")]
    [InlineData("float64", "\"NaN\"", "7ff8000000000000")]
    [InlineData("complex64", "[1.5, \"0xc0000000\"]", "3fc00000c0000000")]
    [InlineData("complex128", "[\"NaN\", 0]", "7ff8000000000000" + "0000000000000000")]
    [InlineData("bool", "false", "00")]
    public void V3_ParsesEveryEncoding(string type, string json, string hexBits)
    {
        var dataType = ZarrDataType.Parse(type);
        Assert.Equal(FromHexBits(dataType, hexBits), ParseV3(json, dataType));
    }

    [Theory]
    [InlineData("int32", "1.0", "integer, not a float")]
    [InlineData("int32", "1e3", "integer, not a float")]
    [InlineData("int8", "128", "out of range")]
    [InlineData("int8", "-129", "out of range")]
    [InlineData("uint8", "-1", "out of range")]
    [InlineData("uint16", "65536", "out of range")]
    [InlineData("int64", "9223372036854775808", "out of range")]
    [InlineData("uint64", "18446744073709551616", "out of range")]
    [InlineData("int32", "\"0\"", "integer")]
    [InlineData("int32", "null", "must have a fill value")]
    [InlineData("bool", "0", "true or false")]
    [InlineData("float32", "\"0x7fc0\"", "exactly 8 hex digits")]
    [InlineData("float16", "\"0x7fc00000\"", "exactly 4 hex digits")]
    [InlineData("float64", "\"0xzzzzzzzzzzzzzzzz\"", "exactly 16 hex digits")]
    [InlineData("float32", "\"nan\"", "expected a number")]
    [InlineData("float32", "\"1.5\"", "expected a number")]
    [InlineData("float32", "1e39", "out of range")]
    [InlineData("float16", "65520", "out of range")]
    [InlineData("float64", "1e400", "out of range")]
    [InlineData("float64", "true", "number or a string")]
    [InlineData("complex64", "1.5", "two-element array")]
    [InlineData("complex64", "[1.5]", "two-element array")]
    [InlineData("complex64", "[1.5, 2, 3]", "two-element array")]
    [InlineData("complex128", "[1.5, \"x\"]", "expected a number")]
    public void V3_RejectsInvalidValuesNamingDocumentAndField(string type, string json, string reason)
    {
        var ex = Assert.Throws<ZarrMetadataException>(() => ParseV3(json, ZarrDataType.Parse(type)));
        Assert.Equal(Doc, ex.Document);
        Assert.Equal("fill_value", ex.Field);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("float32", "\"0x7fc00000\"")]
    [InlineData("int32", "1.5")]
    [InlineData("int8", "300")]
    [InlineData("bool", "2")]
    [InlineData("complex64", "[1]")]
    [InlineData("uint8", "\"AA==\"")]
    public void V2_RejectsInvalidValues(string type, string json)
    {
        var ex = Assert.Throws<ZarrMetadataException>(() => FillValueJson.ParseV2(Element(json), ZarrDataType.Parse(type), "x/.zarray", out _));
        Assert.Equal("x/.zarray", ex.Document);
        Assert.Equal("fill_value", ex.Field);
    }

    [Fact]
    public void V2_NullIsZerosAndFlagged()
    {
        foreach (var t in ZarrDataType.All)
        {
            var bytes = FillValueJson.ParseV2(Element("null"), t, Doc, out var isNull);
            Assert.True(isNull);
            Assert.Equal(new byte[t.ItemSize], bytes);
            Assert.Null(FillValueJson.ToV2Json(bytes, t, isNull: true));
        }
    }

    [Theory]
    [InlineData("int32", "1.0", "01000000")]
    [InlineData("int64", "-2.0", "feffffffffffffff")]
    [InlineData("bool", "1", "01")]
    [InlineData("bool", "0", "00")]
    [InlineData("float64", "\"-Infinity\"", "000000000000f0ff")]
    [InlineData("complex64", "[\"NaN\", -0.0]", "0000c07f00000080")]
    public void V2_AcceptsWhatZarrPython2Accepts(string type, string json, string littleEndianHex)
    {
        var parsed = FillValueJson.ParseV2(Element(json), ZarrDataType.Parse(type), Doc, out _);
        Assert.Equal(Convert.FromHexString(littleEndianHex), parsed);
    }

    [Fact]
    public void FromScalar_GivesLittleEndianBytesAndTheCanonicalNaN()
    {
        Assert.Equal(Convert.FromHexString("0000c07f"), FillValueJson.FromScalar(float.NaN));
        Assert.Equal(Convert.FromHexString("000000000000f87f"), FillValueJson.FromScalar(double.NaN));
        Assert.Equal(Convert.FromHexString("007e"), FillValueJson.FromScalar(Half.NaN));
        Assert.Equal(Convert.FromHexString("0000c07f00000080"), FillValueJson.FromScalar(new Complex64(float.NaN, -0.0f)));
        Assert.Equal(Convert.FromHexString("000000000000f87f000000000000f0ff"), FillValueJson.FromScalar(new System.Numerics.Complex(double.NaN, double.NegativeInfinity)));
        Assert.Equal(Convert.FromHexString("0000000000000080"), FillValueJson.FromScalar(long.MinValue));
        Assert.Equal(Convert.FromHexString("01"), FillValueJson.FromScalar(true));
        Assert.Equal(Convert.FromHexString("feff"), FillValueJson.FromScalar((short)-2));
        Assert.Equal("\"NaN\"", Text(FillValueJson.ToV3Json(FillValueJson.FromScalar(float.NaN), ZarrDataType.Float32)));
        Assert.Throws<ZarrException>(() => FillValueJson.FromScalar('c'));
    }

    [Fact]
    public void Format_RejectsWrongLength() =>
        Assert.Throws<ArgumentException>(() => FillValueJson.ToV3Json(new byte[3], ZarrDataType.Int32));

    private static byte[] ParseV3(string json, ZarrDataType dataType) => FillValueJson.ParseV3(Element(json), dataType, Doc);

    private static JsonElement Element(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    private static string Text(JsonNode? node) => Encoding.UTF8.GetString(PythonJson.Serialize(node, 2, sortKeys: false));

    private static string Compact(JsonNode? node) =>
        Text(node).Replace("\n", string.Empty, StringComparison.Ordinal).Replace(" ", string.Empty, StringComparison.Ordinal);

    /// <summary>Element bytes (little-endian) from big-endian hex bits, per component for complex types.</summary>
    private static byte[] FromHexBits(ZarrDataType dataType, string hexBits)
    {
        var part = dataType.ComponentSize;
        var bytes = Convert.FromHexString(hexBits);
        Assert.Equal(dataType.ItemSize, bytes.Length);
        for (var i = 0; i < bytes.Length; i += part)
        {
            Array.Reverse(bytes, i, part);
        }

        return bytes;
    }

    /// <summary>The bytes with every NaN component replaced by the canonical NaN (what v2 can express).</summary>
    private static byte[] Canonical(ZarrDataType dataType, byte[] bytes)
    {
        if (!dataType.IsFloatingPoint && !dataType.IsComplex)
        {
            return bytes;
        }

        var result = (byte[])bytes.Clone();
        var part = dataType.ComponentSize;
        for (var i = 0; i < result.Length; i += part)
        {
            var span = result.AsSpan(i, part);
            switch (part)
            {
                case 2 when Half.IsNaN(BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(span))):
                    BinaryPrimitives.WriteUInt16LittleEndian(span, 0x7E00);
                    break;
                case 4 when float.IsNaN(BinaryPrimitives.ReadSingleLittleEndian(span)):
                    BinaryPrimitives.WriteUInt32LittleEndian(span, 0x7FC00000);
                    break;
                case 8 when double.IsNaN(BinaryPrimitives.ReadDoubleLittleEndian(span)):
                    BinaryPrimitives.WriteUInt64LittleEndian(span, 0x7FF8000000000000);
                    break;
            }
        }

        return result;
    }
}
