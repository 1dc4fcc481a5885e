using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;
using Zarr.Storage.Native;
using Zarr.Storage.Tests.Arrays;

namespace Zarr.Storage.Tests.Codecs;

/// <summary>
/// numcodecs' <c>zfpy</c> through libzfp: every mode on every type zfp takes in 1 to 4 dimensions (reversible exactly),
/// the bytes zfpy writes (Debian's python3-zfpy over the same libzfp) compared byte for byte both ways, whole v2
/// arrays both ways, the v3 <c>numcodecs.zfpy</c> form, and the errors of foreign, truncated and mismatched chunks.
/// </summary>
public class ZfpyCodecTests
{
    private sealed record Case(string Name, ZarrDataType Type, int[] Shape, ZfpyCodec Codec, string Python);

    private static readonly Case[] Cases =
    [
        new("f8_2d_reversible_default", ZarrDataType.Float64, [5, 7], new ZfpyCodec(), "numcodecs.ZFPY()"),
        new("f4_1d_tolerance", ZarrDataType.Float32, [37], new ZfpyCodec(ZfpMode.FixedAccuracy, tolerance: 0.01), "numcodecs.ZFPY(mode=4, tolerance=0.01)"),
        new("f8_3d_rate", ZarrDataType.Float64, [3, 4, 5], new ZfpyCodec(ZfpMode.FixedRate, rate: 12), "numcodecs.ZFPY(mode=2, rate=12)"),
        new("f4_4d_precision", ZarrDataType.Float32, [2, 3, 4, 5], new ZfpyCodec(ZfpMode.FixedPrecision, precision: 18), "numcodecs.ZFPY(mode=3, precision=18)"),
        new("i4_2d_reversible_rate_unset", ZarrDataType.Int32, [6, 9], new ZfpyCodec(ZfpMode.FixedRate), "numcodecs.ZFPY(mode=2)"),
        new("i8_3d_precision", ZarrDataType.Int64, [4, 4, 3], new ZfpyCodec(ZfpMode.FixedPrecision, precision: 40), "numcodecs.ZFPY(mode=3, precision=40)"),
        new("i8_1d_reversible_mode5", ZarrDataType.Int64, [50], new ZfpyCodec(ZfpMode.Reversible), "Reversible()"),
    ];

    private static byte[] Values(ZarrDataType type, int[] shape, int seed = 0)
    {
        var n = shape.Aggregate(1, (a, b) => a * b);
        var x = Enumerable.Range(0, n).Select(i => Math.Sin((i + seed) * 0.37) * 1000 + (i % 7)).ToArray();
        return type == ZarrDataType.Float64 ? MemoryMarshal.AsBytes(x.AsSpan()).ToArray()
            : type == ZarrDataType.Float32 ? MemoryMarshal.AsBytes(x.Select(v => (float)v).ToArray().AsSpan()).ToArray()
            : type == ZarrDataType.Int32 ? MemoryMarshal.AsBytes(x.Select(v => (int)(v * 1000)).ToArray().AsSpan()).ToArray()
            : MemoryMarshal.AsBytes(x.Select(v => (long)(v * 100_000)).ToArray().AsSpan()).ToArray();
    }

    private static ChunkSpec Spec(ZarrDataType type, int[] shape) => new([.. shape], type, [.. new byte[type.ItemSize]]);

    [Fact]
    public void The_native_library_is_loaded_and_a_missing_one_says_what_to_install()
    {
        Assert.True(ZfpNative.IsAvailable, "libzfp.so.1 did not load: " + ZfpNative.Install);
        Assert.Null(ZfpNative.Load(["libzarr-no-such-zfp.so.1"]));
        Assert.Contains("apt-get install libzfp1", ZfpNative.Missing("numcodecs.zfpy").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_mode_round_trips_within_its_bound_and_reversible_exactly_on_every_type_and_rank()
    {
        foreach (var type in new[] { ZarrDataType.Int32, ZarrDataType.Int64, ZarrDataType.Float32, ZarrDataType.Float64 })
        {
            foreach (var shape in new[] { new[] { 37 }, [5, 7], [3, 4, 5], [2, 3, 4, 5], [1, 1] })
            {
                var spec = Spec(type, shape);
                var data = Values(type, shape);
                foreach (var codec in new[] { new ZfpyCodec(), new ZfpyCodec(ZfpMode.Reversible), new ZfpyCodec(ZfpMode.FixedPrecision) })
                {
                    Assert.True(codec.IsReversible);
                    using var encoded = codec.Encode(data, spec);
                    Assert.Equal("zfp"u8.ToArray(), encoded.Span[..3].ToArray());
                    var back = new byte[data.Length];
                    codec.Decode(encoded.Span, back, spec);
                    Assert.Equal(data, back);
                }

                if (type == ZarrDataType.Float64)
                {
                    var tolerance = new ZfpyCodec(ZfpMode.FixedAccuracy, tolerance: 0.05);
                    Assert.False(tolerance.IsReversible);
                    using var lossy = tolerance.Encode(data, spec);
                    var back = new byte[data.Length];
                    tolerance.Decode(lossy.Span, back, spec);
                    var expected = MemoryMarshal.Cast<byte, double>(data);
                    var actual = MemoryMarshal.Cast<byte, double>(back);
                    for (var i = 0; i < expected.Length; i++)
                    {
                        Assert.InRange(Math.Abs(actual[i] - expected[i]), 0, 0.05);
                    }

                    // Fixed rate: 8 bits per value, so the blocks take a quarter of the doubles' bytes (plus the header).
                    using var rate = new ZfpyCodec(ZfpMode.FixedRate, rate: 8).Encode(data, spec);
                    Assert.True(rate.Length < (data.Length / 4) + (shape.Length * 64) + 32, $"{rate.Length} bytes for {data.Length}");
                }
            }
        }
    }

    [Fact]
    public void Bad_chunks_and_bad_metadata_fail_clearly()
    {
        var codec = new ZfpyCodec();
        var spec = Spec(ZarrDataType.Float64, [5, 7]);
        using var encoded = codec.Encode(Values(ZarrDataType.Float64, [5, 7]), spec);
        var chunk = new byte[spec.ByteLength];

        var ex = Assert.Throws<ZarrCodecException>(() => codec.Decode(Encoding.ASCII.GetBytes("not a zfp stream at all"), chunk, spec));
        Assert.Equal("numcodecs.zfpy", ex.Codec);
        Assert.Contains("zfp header", ex.Reason, StringComparison.Ordinal);
        ex = Assert.Throws<ZarrCodecException>(() => codec.Decode(encoded.Span, new byte[7 * 5 * 4], Spec(ZarrDataType.Float32, [5, 7])));
        Assert.Contains("float64 field of shape (5, 7); the chunk is float32 of shape (5, 7)", ex.Reason, StringComparison.Ordinal);
        ex = Assert.Throws<ZarrCodecException>(() => codec.Decode(encoded.Span, chunk, Spec(ZarrDataType.Float64, [7, 5])));
        Assert.Contains("shape (5, 7); the chunk is float64 of shape (7, 5)", ex.Reason, StringComparison.Ordinal);
        ex = Assert.Throws<ZarrCodecException>(() => codec.Decode(encoded.Span[..(encoded.Length / 2)], chunk, spec));
        Assert.Contains("truncated", ex.Reason, StringComparison.Ordinal);
        ex = Assert.Throws<ZarrCodecException>(() => codec.Encode(new byte[2 * 2 * 2 * 2 * 2 * 8], Spec(ZarrDataType.Float64, [2, 2, 2, 2, 2])));
        Assert.Contains("1 to 4 dimensions", ex.Reason, StringComparison.Ordinal);
        ex = Assert.Throws<ZarrCodecException>(() => codec.Encode(new byte[4], Spec(ZarrDataType.UInt16, [2])));
        Assert.Contains("the chunk is uint16", ex.Reason, StringComparison.Ordinal);

        var meta = Assert.Throws<ZarrMetadataException>(() => CodecRegistry.FromV3Json(JsonNode.Parse("""{"name": "numcodecs.zfpy", "configuration": {"mode": 4}}""")!, ZarrDataType.UInt8, "a/zarr.json"));
        Assert.Contains("the data type is uint8", meta.Message, StringComparison.Ordinal);
        meta = Assert.Throws<ZarrMetadataException>(() => CodecRegistry.FromV3Json(JsonNode.Parse("""{"name": "numcodecs.zfpy", "configuration": {"mode": 1}}""")!, ZarrDataType.Float32, "a/zarr.json"));
        Assert.Equal("codecs.numcodecs.zfpy.mode", meta.Field);
        Assert.Contains("expert", meta.Message, StringComparison.Ordinal);
        meta = Assert.Throws<ZarrMetadataException>(() => CodecRegistry.FromV3Json(JsonNode.Parse("""{"name": "numcodecs.zfpy", "configuration": {"compression_kwargs": 3}}""")!, ZarrDataType.Float32, "a/zarr.json"));
        Assert.Equal("codecs.numcodecs.zfpy.compression_kwargs", meta.Field);

        const string zarray = """{"zarr_format": 2, "shape": [4], "chunks": [4], "dtype": ">f8", "compressor": {"id": "zfpy", "mode": 4, "tolerance": -1, "rate": -1, "precision": -1}, "fill_value": 0, "order": "C", "filters": null}""";
        meta = Assert.Throws<ZarrMetadataException>(() => MetadataSerializer.ParseArrayV2(Encoding.UTF8.GetBytes(zarray), default, "a/.zarray"));
        Assert.Contains("little-endian", meta.Message, StringComparison.Ordinal);
        meta = Assert.Throws<ZarrMetadataException>(() => MetadataSerializer.ParseArrayV2(Encoding.UTF8.GetBytes(zarray.Replace(">f8", "<f8", StringComparison.Ordinal).Replace("\"filters\": null", "\"filters\": [{\"id\": \"shuffle\", \"elementsize\": 8}]", StringComparison.Ordinal)), default, "a/.zarray"));
        Assert.Contains("takes the chunk's elements", meta.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_v3_form_reads_and_writes_back_and_a_corrupt_chunk_names_itself()
    {
        const string json = """
            {"zarr_format": 3, "node_type": "array", "shape": [10, 6], "data_type": "float32",
             "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [5, 6]}},
             "chunk_key_encoding": {"name": "default"}, "fill_value": 0,
             "codecs": [{"name": "numcodecs.zfpy", "configuration": {"mode": 4, "tolerance": -1}}, {"name": "numcodecs.crc32", "configuration": {}}]}
            """;
        var store = new MemoryStore();
        await store.SetAsync("zarr.json", Encoding.UTF8.GetBytes(json));
        var array = await ZarrArray.OpenAsync<float>(store, "", AccessMode.ReadWrite);
        Assert.IsType<ZfpyCodec>(array.Metadata.Codecs[0]);
        var values = Enumerable.Range(0, 60).Select(i => (float)Math.Cos(i) * 10).ToArray();
        await array[.., ..].WriteAsync(values);
        Assert.Equal(values, SelectionTests.ToArray(await (await ZarrArray.OpenAsync<float>(store))[.., ..]));
        var codecs = JsonNode.Parse(MetadataSerializer.ToV3Json(array.Metadata))!["codecs"]!;
        Assert.Equal("""{"name":"numcodecs.zfpy","configuration":{"mode":4,"tolerance":-1,"rate":-1,"precision":-1}}""", codecs[0]!.ToJsonString());

        using var stored = await store.GetAsync("c/1/0");
        var corrupt = stored!.Span.ToArray();
        await store.SetAsync("c/1/0", corrupt.AsMemory(0, 12));
        var ex = await Assert.ThrowsAsync<ZarrCodecException>(async () => await (await ZarrArray.OpenAsync<float>(store))[5.., ..]);
        Assert.Equal("c/1/0", ex.ChunkKey);
    }

    [Fact]
    public async Task Zfpy_writes_the_bytes_we_write_decodes_ours_and_whole_arrays_cross_both_ways()
    {
        using var dir = new TempDirectory();
        var script = new StringBuilder("""
            import sys, os, numcodecs, zfpy, zarr, numpy as np
            root = sys.argv[1]
            class Reversible:
                def encode(self, a): return zfpy.compress_numpy(a, write_header=True)

            """);
        foreach (var c in Cases)
        {
            var spec = Spec(c.Type, c.Shape);
            var data = Values(c.Type, c.Shape);
            File.WriteAllBytes(dir.Combine(c.Name + ".raw"), data);
            using var encoded = c.Codec.Encode(data, spec);
            File.WriteAllBytes(dir.Combine(c.Name + ".ours"), encoded.Span.ToArray());
            var dtype = c.Type.ToString().ToLowerInvariant();
            script.Append($"""
                a = np.fromfile(os.path.join(root, '{c.Name}.raw'), dtype='{dtype}').reshape(({string.Join(", ", c.Shape)},))
                theirs = bytes({c.Python}.encode(a))
                open(os.path.join(root, '{c.Name}.theirs'), 'wb').write(theirs)
                ours = open(os.path.join(root, '{c.Name}.ours'), 'rb').read()
                d = numcodecs.ZFPY().decode(ours)
                assert d.dtype == a.dtype and d.shape == a.shape, (d.dtype, d.shape)
                assert (d == numcodecs.ZFPY().decode(theirs)).all()
                print('{c.Name}', theirs == ours, (d == a).all())

                """);
        }

        // A whole v2 array each way (values exact in binary, so numpy and .NET agree on them): reversible float64 in 8×8 chunks over 20×15 (edge chunks stored whole).
        var values = Enumerable.Range(0, 300).Select(i => (i * 0.125) - ((i % 11) * 3.5)).ToArray();
        var metadata = ArrayMetadata.Create([20, 15], ZarrDataType.Float64, new ArrayOptions { Format = ZarrFormat.V2, Chunks = [8, 8] }) with { Codecs = [new ZfpyCodec()] };
        var ours = (await ZarrArray.CreateFromMetadataAsync(new DirectoryStore(dir.Combine("ours.zarr")), "", metadata)).As<double>();
        await ours[.., ..].WriteAsync(values);
        script.Append("""
            v = (np.arange(300) * 0.125 - (np.arange(300) % 11) * 3.5).reshape(20, 15)
            a = zarr.open(os.path.join(root, 'ours.zarr'), mode='r')
            assert (a[...] == v).all(), ('our zfpy array differs', np.abs(a[...] - v).max())
            b = zarr.open(os.path.join(root, 'theirs.zarr'), mode='w', shape=(20, 15), chunks=(8, 8), dtype='<f8', compressor=numcodecs.ZFPY(mode=4, tolerance=-1))
            b[...] = v
            print('array', a.compressor)
            """);

        var output = PythonPeer.Run("zfpy could not read our zfp chunks", "-c", script.ToString(), dir.Path);
        foreach (var c in Cases)
        {
            Assert.Contains($"{c.Name} True {(c.Codec.IsReversible ? "True" : "False")}", output, StringComparison.Ordinal);
            var data = Values(c.Type, c.Shape);
            var fromOurs = new byte[data.Length];
            c.Codec.Decode(File.ReadAllBytes(dir.Combine(c.Name + ".ours")), fromOurs, Spec(c.Type, c.Shape));
            var fromTheirs = new byte[data.Length];
            c.Codec.Decode(File.ReadAllBytes(dir.Combine(c.Name + ".theirs")), fromTheirs, Spec(c.Type, c.Shape));
            Assert.Equal(fromOurs, fromTheirs);
            Assert.Equal(c.Codec.IsReversible, data.AsSpan().SequenceEqual(fromTheirs));
        }

        Assert.Contains("array ZFPY(mode=4, tolerance=-1, rate=-1, precision=-1)", output, StringComparison.Ordinal);
        var zarray = JsonNode.Parse(File.ReadAllText(dir.Combine("theirs.zarr", ".zarray")))!["compressor"]!.ToJsonString();
        Assert.Equal(zarray, JsonNode.Parse(File.ReadAllText(dir.Combine("ours.zarr", ".zarray")))!["compressor"]!.ToJsonString());
        var theirs = await ZarrArray.OpenAsync<double>(new DirectoryStore(dir.Combine("theirs.zarr")));
        Assert.Equal(values, SelectionTests.ToArray(await theirs[.., ..]));
        foreach (var chunk in Directory.GetFiles(dir.Combine("theirs.zarr")).Where(f => !Path.GetFileName(f).StartsWith('.')))
        {
            Assert.Equal(File.ReadAllBytes(chunk), File.ReadAllBytes(dir.Combine("ours.zarr", Path.GetFileName(chunk))));
        }
    }
}
