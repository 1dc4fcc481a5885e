using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Zarr.Storage.Tests.Arrays;

namespace Zarr.Storage.Tests.DataTypes;

/// <summary>
/// The examples of the zarr-extensions texts for <c>struct</c> and <c>fixed_length_utf32</c>, typed in from the texts:
/// their metadata reads, their byte layouts are the ones the texts draw, and their arrays read and write exactly.
/// </summary>
public class ExtensionTextFixtureTests
{
    private const string Doc = "a/zarr.json";

    // data-types/struct/README.md, the first example (2D points).
    private const string PointArray = """
        {
          "zarr_format": 3,
          "node_type": "array",
          "shape": [100],
          "data_type": {
            "name": "struct",
            "configuration": {
              "fields": [
                {"name": "x", "data_type": "float32"},
                {"name": "y", "data_type": "float32"}
              ]
            }
          },
          "chunk_grid": {
            "name": "regular",
            "configuration": {"chunk_shape": [100]}
          },
          "chunk_key_encoding": {"name": "default"},
          "fill_value": {"x": 0.0, "y": 0.0},
          "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}]
        }
        """;

    private static ZarrDataType Struct(string configuration)
    {
        using var json = JsonDocument.Parse($$"""{"name": "struct", "configuration": {{configuration}}}""");
        return DataTypeJson.ParseV3(json.RootElement, Doc);
    }

    [Fact]
    public async Task The_point_records_example_reads_and_stores_x_then_y_little_endian()
    {
        var store = new MemoryStore();
        await store.SetAsync("zarr.json", Encoding.UTF8.GetBytes(PointArray));
        var chunk = new byte[100 * 8];
        for (var i = 0; i < 100; i++)
        {
            BitConverter.TryWriteBytes(chunk.AsSpan(i * 8), (float)i);
            BitConverter.TryWriteBytes(chunk.AsSpan((i * 8) + 4), -(float)i / 2);
        }

        await store.SetAsync("c/0", chunk);
        var array = await ZarrStructuredArray.OpenAsync(store);
        Assert.Equal(["x", "y"], array.Array.DataType.Fields.Select(f => f.Name));
        Assert.Equal([0, 4], array.Array.DataType.Fields.Select(f => f.Offset));
        var (y, _) = await array.ReadFieldAsync<float>("y", [Slice.Range(10, 12)]);
        Assert.Equal(new[] { -5f, -5.5f }, y);

        // The data type and fill value are written back as the text spells them.
        var meta = MetadataSerializer.ParseArrayV3(Encoding.UTF8.GetBytes(PointArray), Doc);
        var written = JsonNode.Parse(MetadataSerializer.ToV3Json(meta))!;
        var text = JsonNode.Parse(PointArray)!;
        Assert.True(JsonNode.DeepEquals(text["data_type"], written["data_type"]), written["data_type"]!.ToJsonString());
        Assert.True(JsonNode.DeepEquals(text["fill_value"], written["fill_value"]), written["fill_value"]!.ToJsonString());
    }

    [Fact]
    public void The_byte_layouts_the_text_draws_are_the_offsets_here()
    {
        var flat = Struct("""{"fields": [{"name": "id", "data_type": "int32"}, {"name": "flags", "data_type": "uint8"}, {"name": "value", "data_type": "float64"}]}""");
        Assert.Equal(13, flat.ItemSize);
        Assert.Equal([0, 4, 5], flat.Fields.Select(f => f.Offset));

        var nested = Struct("""
            {"fields": [
              {"name": "point", "data_type": {"name": "struct", "configuration": {"fields": [{"name": "x", "data_type": "float32"}, {"name": "y", "data_type": "float32"}]}}},
              {"name": "value", "data_type": "float64"}]}
            """);
        Assert.Equal(16, nested.ItemSize);
        Assert.Equal([0, 8], nested.Fields.Select(f => f.Offset));
        Assert.Equal([0, 4], nested.GetField("point").DataType.Fields.Select(f => f.Offset));

        var timed = Struct("""{"fields": [{"name": "timestamp", "data_type": {"name": "numpy.datetime64", "configuration": {"unit": "s", "scale_factor": 1}}}, {"name": "value", "data_type": "float32"}]}""");
        Assert.Equal(ZarrDataType.DateTime64(TimeUnit.Second), timed.GetField("timestamp").DataType);
        Assert.Equal(12, timed.ItemSize);

        // zarr-extensions #63: a field type may be an object without configuration.
        var objectForm = Struct("""{"fields": [{"name": "v", "data_type": {"name": "float64"}}]}""");
        Assert.Equal(ZarrDataType.Float64, objectForm.GetField("v").DataType);
    }

    [Fact]
    public void Struct_rules_of_the_text_are_errors_naming_the_field()
    {
        var ex = Assert.Throws<ZarrMetadataException>(() => Struct("""{"fields": [{"name": "a", "data_type": "int8"}, {"name": "a", "data_type": "int8"}]}"""));
        Assert.Contains("appears twice", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ZarrMetadataException>(() => Struct("""{"fields": []}"""));
        Assert.Contains("at least one field", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ZarrMetadataException>(() => Struct("""{"fields": [{"name": "s", "data_type": "string"}]}"""));
        Assert.Contains("variable-length", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ZarrMetadataException>(() => Struct("""{"fields": [{"name": "", "data_type": "int8"}]}"""));
        Assert.Equal("data_type.configuration.fields[0]", ex.Field);
    }

    [Fact]
    public async Task The_fixed_length_utf32_example_is_numpys_U12_and_pads_with_zero_code_units()
    {
        // data-types/fixed_length_utf32/README.md: length_bytes 48, fill value "", little-endian bytes.
        const string json = """
            {"zarr_format": 3, "node_type": "array", "shape": [2],
             "data_type": {"name": "fixed_length_utf32", "configuration": {"length_bytes": 48}},
             "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [2]}},
             "chunk_key_encoding": {"name": "default"},
             "fill_value": "",
             "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}]}
            """;
        var meta = MetadataSerializer.ParseArrayV3(Encoding.UTF8.GetBytes(json), Doc);
        Assert.Equal(ZarrDataType.FixedUnicode(12), meta.DataType);
        using (var v2 = JsonDocument.Parse("\"<U12\""))
        {
            // The text: the v2 dtype "<U12" is this type.
            Assert.Equal(meta.DataType, DataTypeJson.ParseV2(v2.RootElement, Doc).DataType);
        }

        Assert.Equal(new byte[48], meta.FillValue.ToArray());

        var store = new MemoryStore();
        await store.SetAsync("zarr.json", Encoding.UTF8.GetBytes(json));
        var array = await ZarrStringArray.OpenAsync(store, "", AccessMode.ReadWrite);
        await array.WriteAsync([Slice.All], new string?[] { "zarr", "𝔷 ü" });
        using var stored = await store.GetAsync("c/0");
        var expected = new byte[96];
        Encoding.UTF32.GetBytes("zarr").CopyTo(expected, 0);
        Encoding.UTF32.GetBytes("𝔷 ü").CopyTo(expected, 48);
        Assert.Equal(expected, stored!.Span.ToArray());
        Assert.Equal(new string?[] { "zarr", "𝔷 ü" }, (await (await ZarrStringArray.OpenAsync(store)).ReadAsync([Slice.All])).Values);

        var bad = Assert.Throws<ZarrMetadataException>(() => MetadataSerializer.ParseArrayV3(Encoding.UTF8.GetBytes(json.Replace("48", "50", StringComparison.Ordinal)), Doc));
        Assert.Contains("multiple of 4", bad.Message, StringComparison.Ordinal);
    }
}
