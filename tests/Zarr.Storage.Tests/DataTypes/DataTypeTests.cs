using System.Text;
using System.Text.Json;
using Zarr.Storage.Codecs;

namespace Zarr.Storage.Tests.DataTypes;

public class DataTypeTests
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [Theory]
    [InlineData("<M8[ns]", DataTypeKind.DateTime64, TimeUnit.Nanosecond, 1, 8)]
    [InlineData(">M8[10s]", DataTypeKind.DateTime64, TimeUnit.Second, 10, 8)]
    [InlineData("<m8[s]", DataTypeKind.TimeDelta64, TimeUnit.Second, 1, 8)]
    [InlineData("<m8[25us]", DataTypeKind.TimeDelta64, TimeUnit.Microsecond, 25, 8)]
    [InlineData("<M8[Y]", DataTypeKind.DateTime64, TimeUnit.Year, 1, 8)]
    [InlineData("<M8[as]", DataTypeKind.DateTime64, TimeUnit.Attosecond, 1, 8)]
    [InlineData("<M8", DataTypeKind.DateTime64, TimeUnit.Generic, 1, 8)]
    [InlineData("datetime64[ms]", DataTypeKind.DateTime64, TimeUnit.Millisecond, 1, 8)]
    public void Parses_time_type_strings(string text, DataTypeKind kind, TimeUnit unit, int scale, int size)
    {
        var t = ZarrDataType.Parse(text);
        Assert.Equal(kind, t.Kind);
        Assert.Equal(unit, t.TimeUnit);
        Assert.Equal(scale, t.TimeScale);
        Assert.Equal(size, t.ItemSize);
        Assert.Equal(8, t.ComponentSize);
        Assert.True(t.NeedsByteOrder);
    }

    [Fact]
    public void Time_types_format_as_numpy_writes_them()
    {
        Assert.Equal("<M8[ns]", ZarrDataType.DateTime64(TimeUnit.Nanosecond).ToNumpyTypeString());
        Assert.Equal(">m8[10s]", ZarrDataType.TimeDelta64(TimeUnit.Second, 10).ToNumpyTypeString(bigEndian: true));
        Assert.Equal("<M8", ZarrDataType.DateTime64(TimeUnit.Generic).ToNumpyTypeString());
        Assert.Equal("<m8[us]", ZarrDataType.Parse("m8[μs]").ToNumpyTypeString());
        Assert.Equal("datetime64[ns]", ZarrDataType.DateTime64(TimeUnit.Nanosecond).ToString());
    }

    [Fact]
    public void String_types_parse_and_format()
    {
        var s8 = ZarrDataType.Parse("|S8");
        Assert.Equal(ZarrDataType.FixedBytes(8), s8);
        Assert.Equal("|S8", s8.ToNumpyTypeString(bigEndian: true));
        Assert.Equal(1, s8.ComponentSize);
        Assert.False(s8.NeedsByteOrder);

        var u6 = ZarrDataType.Parse(">U6");
        Assert.Equal(ZarrDataType.FixedUnicode(6), u6);
        Assert.Equal(24, u6.ItemSize);
        Assert.Equal(4, u6.ComponentSize);
        Assert.Equal(">U6", u6.ToNumpyTypeString(bigEndian: true));
        Assert.Equal(typeof(string), u6.ClrType);

        Assert.Same(ZarrDataType.String, ZarrDataType.Parse("string"));
        Assert.False(ZarrDataType.String.IsFixedSize);
        Assert.Equal("|O", ZarrDataType.String.ToNumpyTypeString());
    }

    [Fact]
    public void Parameterised_types_compare_by_value_and_core_types_stay_singletons()
    {
        Assert.Equal(ZarrDataType.DateTime64(TimeUnit.Second, 10), ZarrDataType.Parse("<M8[10s]"));
        Assert.True(ZarrDataType.DateTime64(TimeUnit.Second) == ZarrDataType.DateTime64(TimeUnit.Second));
        Assert.True(ZarrDataType.DateTime64(TimeUnit.Second) != ZarrDataType.DateTime64(TimeUnit.Millisecond));
        Assert.NotEqual(ZarrDataType.DateTime64(TimeUnit.Second), ZarrDataType.TimeDelta64(TimeUnit.Second));
        Assert.NotEqual(ZarrDataType.FixedBytes(4), ZarrDataType.FixedBytes(5));
        Assert.Equal(ZarrDataType.DateTime64(TimeUnit.Day).GetHashCode(), ZarrDataType.Parse("M8[D]").GetHashCode());
        Assert.Same(ZarrDataType.Int32, ZarrDataType.Parse("<i4"));
        Assert.True(ZarrDataType.Int32 == ZarrDataType.Parse("int32"));
        Assert.Equal(14, ZarrDataType.All.Count);
    }

    [Fact]
    public void Of_maps_the_time_structs()
    {
        Assert.Equal(ZarrDataType.DateTime64(TimeUnit.Nanosecond), ZarrDataType.Of<DateTime64>());
        Assert.Equal(ZarrDataType.TimeDelta64(TimeUnit.Nanosecond), ZarrDataType.Of<TimeDelta64>());
        Assert.Equal(typeof(DateTime64), ZarrDataType.DateTime64(TimeUnit.Year).ClrType);
        Assert.Same(ZarrDataType.Float64, ZarrDataType.Of<double>());
    }

    [Fact]
    public void Structured_types_pack_fields_in_order()
    {
        var inner = ZarrDataType.Structured(new StructField("a", ZarrDataType.Int16), new StructField("b", ZarrDataType.UInt8));
        var t = ZarrDataType.Structured(
            new StructField("x", ZarrDataType.Int32),
            new StructField("m", ZarrDataType.Float32, [2, 3]),
            new StructField("n", inner),
            new StructField("s", ZarrDataType.FixedUnicode(2)));
        Assert.Equal(4 + 24 + 3 + 8, t.ItemSize);
        Assert.Equal([0, 4, 28, 31], t.Fields.Select(f => f.Offset));
        Assert.Equal(6, t.GetField("m").ElementCount);
        Assert.Equal(0, t.ComponentSize);
        Assert.True(t.NeedsByteOrder);
        Assert.Equal("struct{x: int32, m: float32[2, 3], n: struct{a: int16, b: uint8}, s: U2}", t.ToString());
        Assert.Throws<ArgumentException>(() => ZarrDataType.Structured(new StructField("x", ZarrDataType.Int8), new StructField("x", ZarrDataType.Int8)));
        Assert.Throws<ArgumentException>(() => new StructField("v", ZarrDataType.String));
        Assert.Throws<ZarrException>(() => t.GetField("nope"));

        // Big-endian storage reverses each multi-byte component of each field, nested ones included.
        var segments = t.SwapSegments(bigEndian: true);
        Assert.Equal((0, 4), segments[0]);
        Assert.Equal(1 + 6 + 1 + 2, segments.Count);
        Assert.Contains((28, 2), segments);
        Assert.DoesNotContain(segments, s => s.Offset == 30);
        Assert.Empty(t.SwapSegments(bigEndian: false));
    }

    [Theory]
    [InlineData("{\"name\": \"numpy.datetime64\", \"configuration\": {\"unit\": \"ns\", \"scale_factor\": 1}}", "<M8[ns]")]
    [InlineData("{\"name\": \"numpy.timedelta64\", \"configuration\": {\"unit\": \"s\", \"scale_factor\": 10}}", "<m8[10s]")]
    [InlineData("{\"name\": \"null_terminated_bytes\", \"configuration\": {\"length_bytes\": 8}}", "|S8")]
    [InlineData("{\"name\": \"fixed_length_utf32\", \"configuration\": {\"length_bytes\": 24}}", "<U6")]
    [InlineData("\"string\"", "|O")]
    public void V3_names_round_trip(string json, string numpy)
    {
        using var doc = JsonDocument.Parse(json);
        var t = DataTypeJson.ParseV3(doc.RootElement, "zarr.json");
        Assert.Equal(numpy, t.ToNumpyTypeString());
        Assert.Equal(JsonDocument.Parse(json).RootElement.GetRawText().Replace(" ", "", StringComparison.Ordinal),
            DataTypeJson.ToV3(t).ToJsonString());
    }

    [Fact]
    public void V3_struct_reads_both_forms_and_writes_zarr_python_3s()
    {
        using var canonical = JsonDocument.Parse("{\"name\": \"struct\", \"configuration\": {\"fields\": [{\"name\": \"x\", \"data_type\": \"int32\"}, {\"name\": \"t\", \"data_type\": {\"name\": \"numpy.datetime64\", \"configuration\": {\"unit\": \"s\", \"scale_factor\": 1}}}]}}");
        using var legacy = JsonDocument.Parse("{\"name\": \"structured\", \"configuration\": {\"fields\": [[\"x\", \"int32\"], [\"t\", {\"name\": \"numpy.datetime64\", \"configuration\": {\"unit\": \"s\", \"scale_factor\": 1}}]]}}");
        var a = DataTypeJson.ParseV3(canonical.RootElement, "zarr.json");
        var b = DataTypeJson.ParseV3(legacy.RootElement, "zarr.json");
        Assert.Equal(a, b);
        Assert.Equal(ZarrDataType.Structured(new StructField("x", ZarrDataType.Int32), new StructField("t", ZarrDataType.DateTime64(TimeUnit.Second))), a);
        Assert.Equal(canonical.RootElement.GetRawText().Replace(" ", "", StringComparison.Ordinal), DataTypeJson.ToV3(a).ToJsonString());

        var sub = ZarrDataType.Structured(new StructField("m", ZarrDataType.Float32, [2]));
        Assert.Contains("sub-array", Assert.Throws<ZarrException>(() => DataTypeJson.ToV3(sub)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void V2_descr_lists_parse_with_one_or_mixed_byte_orders()
    {
        using var uniform = JsonDocument.Parse("[[\"x\", \">i4\"], [\"y\", \">f8\", [2, 3]], [\"ok\", \"|b1\"], [\"n\", [[\"a\", \">i2\"], [\"s\", \"|S3\"]]]]");
        var (t, endian) = DataTypeJson.ParseV2(uniform.RootElement, ".zarray");
        Assert.Equal(Endian.Big, endian);
        Assert.All(t.Fields, f => Assert.Null(f.ByteOrder));
        Assert.Equal([2, 3], t.GetField("y").Shape.ToArray());
        Assert.Equal(uniform.RootElement.GetRawText().Replace(" ", "", StringComparison.Ordinal), DataTypeJson.ToV2(t, bigEndian: true).ToJsonString(Relaxed));

        using var mixed = JsonDocument.Parse("[[\"a\", \"<i4\"], [\"b\", \">f8\"], [\"c\", \"|u1\"]]");
        var (m, mixedEndian) = DataTypeJson.ParseV2(mixed.RootElement, ".zarray");
        Assert.Equal(Endian.Little, mixedEndian);
        Assert.Null(m.GetField("a").ByteOrder); // follows the little-endian bytes codec
        Assert.Equal(Endian.Big, m.GetField("b").ByteOrder);
        Assert.Null(m.GetField("c").ByteOrder);
        Assert.True(m.NeedsByteOrder);
        Assert.Equal(mixed.RootElement.GetRawText().Replace(" ", "", StringComparison.Ordinal), DataTypeJson.ToV2(m, bigEndian: false).ToJsonString(Relaxed));
        Assert.Contains("own byte order", Assert.Throws<ZarrException>(() => DataTypeJson.ToV3(m)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fill_values_in_both_formats()
    {
        var ns = ZarrDataType.DateTime64(TimeUnit.Nanosecond);
        Assert.Equal(BitConverter.GetBytes(long.MinValue), Parse3("\"NaT\"", ns));
        Assert.Equal("-9223372036854775808", FillValueJson.ToV3Json(BitConverter.GetBytes(long.MinValue), ns).ToJsonString());
        Assert.Equal("123", FillValueJson.ToV2Json(BitConverter.GetBytes(123L), ZarrDataType.TimeDelta64(TimeUnit.Second))!.ToJsonString());

        var s4 = ZarrDataType.FixedBytes(4);
        Assert.Equal("ab\0\0"u8.ToArray(), Parse3("\"YWI=\"", s4));
        Assert.Equal("\"YWI=\"", FillValueJson.ToV2Json("ab\0\0"u8, s4)!.ToJsonString());

        var u3 = ZarrDataType.FixedUnicode(3);
        var expected = new byte[12];
        new UTF32Encoding(false, false).GetBytes("é😀").CopyTo(expected, 0);
        Assert.Equal(expected, Parse3("\"é😀\"", u3));
        Assert.Equal("é😀", FillValueJson.ToV3Json(expected, u3).GetValue<string>());
        Assert.Throws<ZarrMetadataException>(() => Parse3("\"abcd\"", u3));

        var st = ZarrDataType.Structured(new StructField("x", ZarrDataType.Int32), new StructField("y", ZarrDataType.Float64));
        var fill = Parse3("{\"x\": 7, \"y\": \"NaN\"}", st);
        Assert.Equal(7, BitConverter.ToInt32(fill, 0));
        Assert.True(double.IsNaN(BitConverter.ToDouble(fill, 4)));
        Assert.Equal("{\"x\":7,\"y\":\"NaN\"}", FillValueJson.ToV3Json(fill, st).ToJsonString());

        // v2: numpy's raw bytes in the stored order, base64.
        var big = FillValueJson.ToV2Json(fill, st, byteOrder: Endian.Big)!.GetValue<string>();
        Assert.Equal([0, 0, 0, 7], Convert.FromBase64String(big)[..4]);
        using var doc = JsonDocument.Parse($"\"{big}\"");
        Assert.Equal(fill, FillValueJson.ParseV2(doc.RootElement, st, ".zarray", out _, byteOrder: Endian.Big));

        Assert.Equal("héllo"u8.ToArray(), Parse3("\"héllo\"", ZarrDataType.String));
        Assert.Equal("héllo", FillValueJson.ToV3Json("héllo"u8, ZarrDataType.String).GetValue<string>());
    }

    private static byte[] Parse3(string json, ZarrDataType type)
    {
        using var doc = JsonDocument.Parse(json);
        return FillValueJson.ParseV3(doc.RootElement, type, "zarr.json");
    }
}
