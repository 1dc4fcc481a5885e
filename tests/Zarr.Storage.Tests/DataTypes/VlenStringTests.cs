using System.Text;
using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;

namespace Zarr.Storage.Tests.DataTypes;

public class VlenStringTests
{
    [Fact]
    public void Codec_lays_out_numcodecs_vlen_utf8()
    {
        using var encoded = VlenUtf8Codec.Instance.EncodeStrings(new string?[] { "a", "", "é" });
        Assert.Equal(Convert.FromHexString("03000000" + "0100000061" + "00000000" + "02000000C3A9"), encoded.Span.ToArray());
        Assert.Equal(["a", "", "é"], VlenUtf8Codec.Instance.DecodeStrings(encoded.Span, 3));
        Assert.Throws<Zarr.Storage.ZarrCodecException>(() => VlenUtf8Codec.Instance.DecodeStrings(encoded.Span, 4));
        Assert.Throws<Zarr.Storage.ZarrCodecException>(() => VlenUtf8Codec.Instance.DecodeStrings(encoded.Span[..^1], 3));
        Assert.Throws<Zarr.Storage.ZarrCodecException>(() => VlenUtf8Codec.Instance.DecodeStrings(Convert.FromHexString("0100000001000000FF"), 1));
        Assert.Throws<Zarr.Storage.ZarrCodecException>(() => VlenUtf8Codec.Instance.EncodeStrings(new string?[] { null }));
    }

    [Fact]
    public async Task V3_string_array_writes_the_exact_metadata_and_chunk_bytes()
    {
        var store = new MemoryStore();
        var s = await ZarrStringArray.CreateAsync(store, "", [3], options: new ArrayOptions { Chunks = [2], Compressors = [], FillValue = "-" });
        Assert.Equal(
            """
            {
              "shape": [
                3
              ],
              "data_type": "string",
              "chunk_grid": {
                "name": "regular",
                "configuration": {
                  "chunk_shape": [
                    2
                  ]
                }
              },
              "chunk_key_encoding": {
                "name": "default",
                "configuration": {
                  "separator": "/"
                }
              },
              "fill_value": "-",
              "codecs": [
                {
                  "name": "vlen-utf8",
                  "configuration": {}
                }
              ],
              "attributes": {},
              "zarr_format": 3,
              "node_type": "array",
              "storage_transformers": []
            }
            """, Encoding.UTF8.GetString((await store.GetAsync("zarr.json"))!.Span));

        await s.WriteAsync([Slice.At(2)], new[] { "中" });
        // The edge chunk holds the whole chunk shape: the element past the edge is the fill value.
        Assert.Equal(Convert.FromHexString("02000000" + "03000000E4B8AD" + "010000002D"), (await store.GetAsync("c/1"))!.Span.ToArray());
        Assert.False(await store.ExistsAsync("c/0"));
        Assert.Equal(new string?[] { "-", "-", "中" }, (await s.ReadAsync([])).Values);

        // Writing the fill value everywhere in a chunk removes it.
        await s.WriteAsync([Slice.At(2)], new[] { "-" });
        Assert.False(await store.ExistsAsync("c/1"));
    }

    [Theory]
    [InlineData(ZarrFormat.V2, 'C')]
    [InlineData(ZarrFormat.V2, 'F')]
    [InlineData(ZarrFormat.V3, 'C')]
    [InlineData(ZarrFormat.V3, 'F')]
    public async Task Partial_writes_strided_reads_and_orders(ZarrFormat format, char order)
    {
        var store = new MemoryStore();
        var s = await ZarrStringArray.CreateAsync(store, "a/b", [9, 7], options: new ArrayOptions { Format = format, Chunks = [4, 3], Order = order, Compressors = [new ZstdCodec(3)] });
        var expected = new string[9 * 7];
        Array.Fill(expected, "");
        var random = new Random(5);
        for (var round = 0; round < 20; round++)
        {
            var r0 = random.Next(9);
            var r1 = random.Next(r0, 10);
            var c0 = random.Next(7);
            var c1 = random.Next(c0, 8);
            var values = new string?[(r1 - r0) * (c1 - c0)];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = new string('é', random.Next(0, 4)) + random.Next(1000);
                expected[((r0 + (i / (c1 - c0))) * 7) + c0 + (i % (c1 - c0))] = values[i]!;
            }

            await s.WriteAsync([Slice.Range(r0, r1), Slice.Range(c0, c1)], values);
        }

        var back = await ZarrStringArray.OpenAsync(store, "a/b");
        Assert.Equal(expected, (await back.ReadAsync([])).Values);
        var (column, shape) = await back.ReadAsync([Slice.Range(2, 9, 3), Slice.At(-1)]);
        Assert.Equal([3L], shape);
        Assert.Equal(new string?[] { expected[(2 * 7) + 6], expected[(5 * 7) + 6], expected[(8 * 7) + 6] }, column);
    }

    [Fact]
    public async Task V2_object_array_metadata_and_null_fill()
    {
        var store = new MemoryStore();
        var s = await ZarrStringArray.CreateAsync(store, "", [4], options: new ArrayOptions { Format = ZarrFormat.V2, Chunks = [2] });
        var zarray = JsonNode.Parse((await store.GetAsync(".zarray"))!.Span)!;
        Assert.Equal("\"|O\"", zarray["dtype"]!.ToJsonString());
        Assert.Equal("[{\"id\":\"vlen-utf8\"}]", zarray["filters"]!.ToJsonString());
        Assert.Equal("\"\"", zarray["fill_value"]!.ToJsonString());
        Assert.Equal("blosc", (string?)zarray["compressor"]!["id"]);
        await s.WriteAsync([Slice.Range(0, 2)], new[] { "x", "" });

        // zarr-python 2 may write fill_value null for object arrays: missing chunks read as null.
        zarray["fill_value"] = null;
        await store.SetAsync(".zarray", Encoding.UTF8.GetBytes(zarray.ToJsonString()));
        var reopened = await ZarrStringArray.OpenAsync(store, "", AccessMode.ReadWrite);
        Assert.Equal(new string?[] { "x", "", null, null }, (await reopened.ReadAsync([])).Values);
        await reopened.WriteAsync([Slice.At(3)], new[] { "y" });
        Assert.Equal(new string?[] { "x", "", "", "y" }, (await reopened.ReadAsync([])).Values);
    }

    [Fact]
    public async Task Byte_level_access_is_refused_clearly()
    {
        var store = new MemoryStore();
        var s = await ZarrStringArray.CreateAsync(store, "", [4]);
        var ex = await Assert.ThrowsAsync<ZarrException>(() => s.Array.ReadBytesAsync([]));
        Assert.Contains("ZarrStringArray", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ZarrException>(() => s.Array.WriteBytesAsync([], new byte[4]));
        var ints = await ZarrArray.ZerosAsync<int>(new MemoryStore(), "i", [2]);
        Assert.Throws<ZarrTypeMismatchException>(() => new ZarrStringArray(ints));
        Assert.Equal(ZarrDataType.String, MetadataSerializer.ParseArrayV3((await store.GetAsync("zarr.json"))!.Span, "zarr.json").DataType);
    }

    [Fact]
    public async Task Shards_are_refused_clearly_until_strings_in_shards_are_supported()
    {
        var store = new MemoryStore();
        var ex = await Assert.ThrowsAsync<ZarrException>(() => ZarrStringArray.CreateAsync(store, "", [8], null, new ArrayOptions { Chunks = [2], Shards = [4] }));
        Assert.Contains("variable-length strings in shards) is not supported yet", ex.Message, StringComparison.Ordinal);
        Assert.Null(await store.GetAsync("zarr.json"));
    }

    [Fact]
    public async Task Concurrent_partial_writes_into_one_chunk_lose_nothing()
    {
        var store = new MemoryStore();
        var s = await ZarrStringArray.CreateAsync(store, "", [64], options: new ArrayOptions { Chunks = [64] });
        await Parallel.ForEachAsync(Enumerable.Range(0, 8), async (w, ct) =>
        {
            for (var i = 0; i < 200; i++)
            {
                var index = (w * 8) + (i % 8);
                await s.WriteAsync([Slice.At(index)], new[] { $"w{w}-{i % 8}" }, ct);
            }
        });

        var values = (await s.ReadAsync([])).Values;
        for (var w = 0; w < 8; w++)
        {
            for (var k = 0; k < 8; k++)
            {
                Assert.Equal($"w{w}-{k}", values[(w * 8) + k]);
            }
        }
    }
}
