using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;

namespace Zarr.Storage.Tests.Metadata;

/// <summary>
/// The public calls a tool (the <c>zarr</c> CLI first) plans and inspects arrays with, instead of the library's
/// internals: the metadata a new array would get, value equality of elements, the stored documents, the byte form of a read.
/// </summary>
public class ToolingSurfaceTests
{
    public static TheoryData<string, int> Formats => new() { { "int16", 3 }, { "float64", 2 }, { "float32", 3 }, { "string", 3 }, { "string", 2 } };

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Create_gives_the_metadata_the_factory_writes_and_opening_reads(string type, int format)
    {
        var dataType = ZarrDataType.Parse(type);
        var options = new ArrayOptions
        {
            Format = (ZarrFormat)format,
            Chunks = [7, 5],
            FillValue = dataType.IsFixedSize ? JsonValue.Create(3) : JsonValue.Create("none"),
            Attributes = new JsonObject { ["units"] = "K" },
        };
        var store = new MemoryStore();
        _ = dataType.IsFixedSize
            ? await ZarrArray.CreateAsync(store, "a", dataType, [20, 11], options)
            : (await ZarrStringArray.CreateAsync(store, "a", [20, 11], dataType, options)).Array;
        var opened = await ZarrArray.OpenAsync(store, "a");

        var planned = ArrayMetadata.Create([20, 11], dataType, options);

        Assert.Equal(MetadataSerializerFor(opened.Metadata), MetadataSerializerFor(planned));
    }

    [Fact]
    public void Create_with_fill_bytes_keeps_a_NaN_payload()
    {
        byte[] payload = [0x01, 0x00, 0xc0, 0x7f]; // a float32 NaN that is not numpy's
        var planned = ArrayMetadata.Create([4], ZarrDataType.Parse("float32"), payload, new ArrayOptions { Format = ZarrFormat.V3 });
        Assert.Equal(payload, planned.FillValue.ToArray());
    }

    [Fact]
    public async Task A_non_finite_fill_value_given_as_a_CLR_number_is_taken_as_Zarr_spells_it()
    {
        Assert.True(double.IsNaN(BitConverter.ToDouble(ArrayMetadata.Create([4], ZarrDataType.Float64, new ArrayOptions { FillValue = double.NaN }).FillValue.AsSpan())));
        Assert.Equal(float.NegativeInfinity, BitConverter.ToSingle(ArrayMetadata.Create([4], ZarrDataType.Parse("float32"), new ArrayOptions { FillValue = float.NegativeInfinity }).FillValue.AsSpan()));
        var z = await ZarrArray.CreateAsync<double>(new MemoryStore(), "", [4], new ArrayOptions { FillValue = double.PositiveInfinity });
        var read = new double[4];
        await z.ReadIntoAsync([Slice.All], read);
        Assert.All(read, v => Assert.Equal(double.PositiveInfinity, v));
    }

    [Fact]
    public void Create_refuses_a_fill_value_given_twice_or_of_the_wrong_size()
    {
        var int32 = ZarrDataType.Parse("int32");
        Assert.Throws<ArgumentException>(() => ArrayMetadata.Create([4], int32, new byte[4], new ArrayOptions { FillValue = 1 }));
        Assert.Throws<ArgumentException>(() => ArrayMetadata.Create([4], int32, new byte[3], new ArrayOptions()));
        var bad = Assert.ThrowsAny<ZarrException>(() => ArrayMetadata.Create([4], int32, new ArrayOptions { FillValue = "x" }));
        Assert.Contains("fill value", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AreSameValue_takes_any_two_NaNs_as_one_value_and_other_values_by_their_bytes()
    {
        var float64 = ZarrDataType.Float64;
        var nan = BitConverter.GetBytes(double.NaN);
        var otherNan = BitConverter.GetBytes(BitConverter.Int64BitsToDouble(0x7ff8_0000_0000_0001));
        Assert.True(float64.AreSameValue(nan, otherNan));
        Assert.False(float64.AreSameValue(nan, BitConverter.GetBytes(0.0)));
        Assert.False(ZarrDataType.Parse("int64").AreSameValue(nan, otherNan));
        Assert.Throws<ArgumentException>(() => float64.AreSameValue(nan, new byte[4]));
        Assert.Throws<ArgumentException>(() => ZarrDataType.String.AreSameValue([], []));
    }

    [Fact]
    public void Documents_parse_as_zarr_python_writes_them_and_name_a_bad_node_type()
    {
        var node = ZarrDocuments.Parse("{\"fill_value\": NaN, \"s\": \"NaN inside\", \"x\": -Infinity}"u8);
        Assert.Equal("NaN", (string?)node!["fill_value"]);
        Assert.Equal("NaN inside", (string?)node["s"]);
        Assert.Equal("-Infinity", (string?)node["x"]);
        Assert.Equal("group", ZarrDocuments.ReadNodeType("{\"zarr_format\": 3, \"node_type\": \"group\"}"u8, "g/zarr.json"));
        var ex = Assert.ThrowsAny<ZarrMetadataException>(() => ZarrDocuments.ReadNodeType("{\"zarr_format\": 3, \"node_type\": \"table\"}"u8, "g/zarr.json"));
        Assert.Contains("g/zarr.json", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadBytesIntoAsync_fills_the_callers_buffer_in_C_order()
    {
        var z = await ZarrArray.CreateAsync<short>(new MemoryStore(), "", [3, 4], new ArrayOptions { Chunks = [2, 3] });
        await z.WriteAsync([Slice.All, Slice.All], Enumerable.Range(0, 12).Select(i => (short)i).ToArray());
        var bytes = new byte[2 * 2 * 2];
        await z.ReadBytesIntoAsync([1..3, 2..4], bytes);
        Assert.Equal(new short[] { 6, 7, 10, 11 }, Enumerable.Range(0, 4).Select(i => BitConverter.ToInt16(bytes, 2 * i)));
    }

    [Fact]
    public void HumanSize_and_TypeSizeFor_print_and_choose_as_the_summaries_and_numcodecs_do()
    {
        Assert.Equal("38.1M", ArrayInfo.HumanSize(40_000_000));
        Assert.Equal(8, BloscCodec.TypeSizeFor(ZarrDataType.Float64));
        Assert.Equal(1, BloscCodec.TypeSizeFor(ZarrDataType.String));
    }

    private static string MetadataSerializerFor(ArrayMetadata metadata) =>
        metadata.Format == ZarrFormat.V3
            ? System.Text.Encoding.UTF8.GetString(MetadataSerializer.ToV3Json(metadata))
            : System.Text.Encoding.UTF8.GetString(MetadataSerializer.ToV2Json(metadata).ZArray) + System.Text.Encoding.UTF8.GetString(MetadataSerializer.ToV2Json(metadata).ZAttrs ?? []);
}
