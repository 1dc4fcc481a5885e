using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;
using Zarr.Storage.Native;
using Zarr.Storage.Tests.Arrays;

namespace Zarr.Storage.Tests.Codecs;

/// <summary>
/// numcodecs' <c>lzma</c> through liblzma: every format, check, preset and filter kind round trips; numcodecs 0.11
/// (Debian's python3, which links the same liblzma) decodes what we encode and writes the same bytes we do, and we
/// decode what it writes; a whole v2 array both ways; corrupt, short and trailing data and bad metadata fail clearly.
/// </summary>
public class LzmaCodecTests
{
    /// <summary>The numcodecs configurations checked against numcodecs (v2 form, without the id).</summary>
    private static readonly string[] Configurations =
    [
        """{"format": 1, "check": -1, "preset": null, "filters": null}""",
        """{"format": 1, "check": 0, "preset": 0}""",
        """{"format": 1, "check": 1, "preset": 9}""",
        """{"format": 1, "check": 10, "preset": 2147483651}""",
        """{"format": 2, "check": -1, "preset": 1}""",
        """{"format": 2, "check": 0, "filters": [{"id": 4611686018427387905, "preset": 2, "lc": 2, "lp": 1, "pb": 1, "dict_size": 65536}]}""",
        """{"format": 3, "check": -1, "filters": [{"id": 3, "dist": 4}, {"id": 33, "preset": 1}]}""",
        """{"format": 3, "check": -1, "filters": [{"id": 4}, {"id": 33, "preset": 3, "mode": 1, "nice_len": 32, "mf": 3, "depth": 8}]}""",
        """{"format": 3, "check": -1, "filters": [{"id": 4611686018427387905, "preset": 0}]}""",
    ];

    private static byte[] Data(int length) =>
        [.. Enumerable.Range(0, length).Select(i => (byte)((i % 251) ^ (i / 7 % 13) ^ (i * i % 5)))];

    [Fact]
    public void The_native_library_is_loaded_and_a_missing_one_says_what_to_install()
    {
        Assert.True(LzmaNative.IsAvailable, "liblzma.so.5 did not load: " + LzmaNative.Install);
        Assert.StartsWith("5.", LzmaNative.Version, StringComparison.Ordinal);
        Assert.Null(LzmaNative.Load(["libzarr-no-such-lzma.so.5"]));
        var ex = LzmaNative.Missing("numcodecs.lzma");
        Assert.Equal("numcodecs.lzma", ex.Codec);
        Assert.Contains("apt-get install liblzma5", ex.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> EveryOption()
    {
        var data = new TheoryData<string>();
        foreach (var c in Configurations)
        {
            data.Add(c);
        }

        data.Add("""{"format": 1, "check": 4, "filters": [{"id": 3, "dist": 2}, {"id": 33}]}""");
        data.Add("""{"format": 3, "filters": [{"id": 5, "start_offset": 16}, {"id": 7}, {"id": 33}]}""");
        data.Add("""{"format": 3, "filters": [{"id": 8}, {"id": 9}, {"id": 6}, {"id": 33}]}""");
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryOption))]
    public void Every_option_round_trips_and_is_written_back(string configuration)
    {
        var json = JsonNode.Parse(configuration)!.AsObject();
        json["id"] = "lzma";
        var codec = (LzmaCodec)CodecRegistry.FromV2Compressor(json, ZarrDataType.UInt8, ".zarray")!;
        var again = (LzmaCodec)CodecRegistry.FromV2Compressor(codec.ToV2Json(), ZarrDataType.UInt8, ".zarray")!;
        Assert.Equal(codec.ToV2Json().ToJsonString(), again.ToV2Json().ToJsonString());
        var v3 = codec.ToV3Json();
        Assert.Equal("numcodecs.lzma", (string?)v3["name"]);
        Assert.Equal(codec.ToV2Json().ToJsonString(), ((LzmaCodec)CodecRegistry.FromV3Json(v3, ZarrDataType.UInt8, "zarr.json")).ToV2Json().ToJsonString());

        var noise = new byte[65_536];
        new Random(5).NextBytes(noise);
        foreach (var data in new[] { Data(0), Data(1), Data(100_000), noise })
        {
            // Incompressible data too: it must fit the bound TryEncode promises.
            var length = data.Length;
            using var encoded = codec.Encode(data);
            Assert.True(encoded.Length <= codec.GetMaxEncodedLength(length));
            using var exact = codec.Decode(encoded.Span, length);
            Assert.Equal(data, exact.Span.ToArray());
            using var unknown = codec.Decode(encoded.Span, -1);
            Assert.Equal(data, unknown.Span.ToArray());
            var into = new byte[length + 3];
            Assert.Equal(length, ((IBytesToBytesCodec)codec).Decode(encoded.Span, into));
            Assert.Equal(data, into[..length]);
            if (codec.Format != LzmaFormat.Raw)
            {
                using var auto = new LzmaCodec(LzmaFormat.Auto).Decode(encoded.Span, length);
                Assert.Equal(data, auto.Span.ToArray());
            }
        }
    }

    [Fact]
    public void Bad_data_fails_naming_the_codec()
    {
        var codec = new LzmaCodec();
        var data = Data(50_000);
        using var encoded = codec.Encode(data);
        var bytes = encoded.Span.ToArray();

        var ex = Assert.Throws<ZarrCodecException>(() => codec.Decode(bytes.AsSpan(0, bytes.Length / 2), -1));
        Assert.Equal("numcodecs.lzma", ex.Codec);
        Assert.Contains("truncated", ex.Reason, StringComparison.Ordinal);

        var corrupt = (byte[])bytes.Clone();
        corrupt[bytes.Length / 2] ^= 0x55;
        ex = Assert.Throws<ZarrCodecException>(() => codec.Decode(corrupt, data.Length));
        Assert.Equal("numcodecs.lzma", ex.Codec);

        Assert.Throws<ZarrCodecException>(() => codec.Decode([.. bytes, 1, 2, 3, 4], -1));
        var alone = new LzmaCodec(LzmaFormat.Alone);
        using var aloneEncoded = alone.Encode(data);
        ex = Assert.Throws<ZarrCodecException>(() => alone.Decode([.. aloneEncoded.Span, 1, 2, 3, 4], -1));
        Assert.Contains("4 bytes follow the end of the lzma stream", ex.Reason, StringComparison.Ordinal);
        ex = Assert.Throws<ZarrCodecException>(() => new LzmaCodec(LzmaFormat.Alone).Decode(bytes, -1));
        Assert.Contains("LZMA_FORMAT_ERROR", ex.Reason, StringComparison.Ordinal);
        Assert.Throws<ZarrCodecException>(() => codec.Decode(bytes, data.Length - 1));
        Assert.Throws<ZarrCodecException>(() => codec.Decode(bytes, data.Length + 1));
        ex = Assert.Throws<ZarrCodecException>(() => codec.Decode(bytes, -1, 1000));
        Assert.True(ex.IsOverDecodeLimit);
        Assert.Throws<ZarrCodecException>(() => ((IBytesToBytesCodec)codec).Decode(bytes, new byte[data.Length - 1]));
        ex = Assert.Throws<ZarrCodecException>(() => new LzmaCodec(LzmaFormat.Auto).Encode(data));
        Assert.Contains("only decodes", ex.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"id": "lzma", "format": 4}""", "compressor.format", "between 0 and 3")]
    [InlineData("""{"id": "lzma", "check": 2}""", "compressor.check", "must be -1")]
    [InlineData("""{"id": "lzma", "preset": 10}""", "compressor.preset", "0 to 9")]
    [InlineData("""{"id": "lzma", "preset": 1, "filters": [{"id": 33}]}""", "compressor.preset", "exclude each other")]
    [InlineData("""{"id": "lzma", "format": 3}""", "compressor.filters", "needs the filter chain")]
    [InlineData("""{"id": "lzma", "format": 2, "check": 4}""", "compressor.check", "only the .xz container")]
    [InlineData("""{"id": "lzma", "format": 2, "filters": [{"id": 33}]}""", "compressor.filters", "one LZMA1 filter")]
    [InlineData("""{"id": "lzma", "filters": [{"id": 11}]}""", "compressor.filters[0]", "lzma filter id 11 (0xB) is not supported")]
    [InlineData("""{"id": "lzma", "filters": [{"id": 33, "dist": 2}]}""", "compressor.filters[0]", "'dist' is not an option of the lzma filter LZMA2")]
    [InlineData("""{"id": "lzma", "filters": [{"preset": 2}]}""", "compressor.filters[0]", "needs an integer 'id'")]
    [InlineData("""{"id": "lzma", "filters": [{"id": 33, "preset": "x"}]}""", "compressor.filters[0].preset", "must be an integer")]
    [InlineData("""{"id": "lzma", "filters": {"id": 33}}""", "compressor.filters", "list of filter objects")]
    public void Bad_metadata_names_the_field(string json, string field, string message)
    {
        var ex = Assert.Throws<ZarrMetadataException>(() => CodecRegistry.FromV2Compressor(JsonNode.Parse(json), ZarrDataType.UInt8, ".zarray"));
        Assert.Equal(field, ex.Field);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Numcodecs_decodes_ours_writes_the_same_bytes_and_we_decode_its_and_whole_arrays_cross_both_ways()
    {
        using var dir = new TempDirectory();
        var data = Data(70_001);
        File.WriteAllBytes(dir.Combine("raw.bin"), data);
        var cases = new JsonArray();
        for (var i = 0; i < Configurations.Length; i++)
        {
            var json = JsonNode.Parse(Configurations[i])!.AsObject();
            json["id"] = "lzma";
            var codec = (LzmaCodec)CodecRegistry.FromV2Compressor(json, ZarrDataType.UInt8, ".zarray")!;
            using var encoded = codec.Encode(data);
            File.WriteAllBytes(dir.Combine($"ours_{i}.bin"), encoded.Span.ToArray());
            cases.Add(new JsonObject { ["config"] = codec.ToV2Json(), ["ours"] = $"ours_{i}.bin", ["theirs"] = $"theirs_{i}.bin" });
        }

        File.WriteAllText(dir.Combine("cases.json"), cases.ToJsonString());
        var values = Enumerable.Range(0, 300).Select(i => (i * 0.37) - 20.0).ToArray();
        await ZarrArray.FromDataAsync<double>(new DirectoryStore(dir.Combine("ours.zarr")), "", values, [20, 15], new ArrayOptions
        {
            Format = ZarrFormat.V2, Chunks = [8, 8], Compressors = [new ShuffleCodec(8), new LzmaCodec(LzmaFormat.Xz, LzmaCheck.Crc32, 4)],
        });

        var output = PythonPeer.Run("numcodecs 0.11 could not decode our lzma output", "-c", """
            import sys, os, json, lzma, numcodecs, zarr, numpy as np
            root = sys.argv[1]
            raw = open(os.path.join(root, 'raw.bin'), 'rb').read()
            for case in json.load(open(os.path.join(root, 'cases.json'))):
                codec = numcodecs.get_codec(dict(case['config']))
                ours = open(os.path.join(root, case['ours']), 'rb').read()
                if case['config'].get('filters') and case['config']['format'] != 3:
                    # numcodecs passes its filters to lzma.decompress, which refuses them outside FORMAT_RAW.
                    assert lzma.decompress(ours, format=case['config']['format']) == raw, case['config']
                else:
                    assert bytes(codec.decode(ours)) == raw, case['config']
                open(os.path.join(root, case['theirs']), 'wb').write(bytes(codec.encode(raw)))
            a = zarr.open(os.path.join(root, 'ours.zarr'), mode='r')
            assert (a[...] == (np.arange(300) * 0.37 - 20.0).reshape(20, 15)).all()
            print('array', a.filters, a.compressor)
            b = zarr.open(os.path.join(root, 'theirs.zarr'), mode='w', shape=(20, 15), chunks=(8, 8), dtype='<f8',
                          filters=[numcodecs.Shuffle(elementsize=8)], compressor=numcodecs.LZMA(preset=4, check=1))
            b[...] = (np.arange(300) * 0.37 - 20.0).reshape(20, 15)
            print('OK', len(raw))
            """, dir.Path);
        Assert.Contains("OK 70001", output, StringComparison.Ordinal);

        for (var i = 0; i < Configurations.Length; i++)
        {
            var codec = (LzmaCodec)CodecRegistry.FromV2Compressor(cases[i]!["config"]!.DeepClone(), ZarrDataType.UInt8, ".zarray")!;
            var theirs = File.ReadAllBytes(dir.Combine($"theirs_{i}.bin"));
            using var decoded = codec.Decode(theirs, data.Length);
            Assert.Equal(data, decoded.Span.ToArray());
            Assert.Equal(theirs, File.ReadAllBytes(dir.Combine($"ours_{i}.bin")));
        }

        var array = await ZarrArray.OpenAsync<double>(new DirectoryStore(dir.Combine("theirs.zarr")));
        Assert.Equal("""{"check":1,"filters":null,"format":1,"id":"lzma","preset":4}""", JsonNode.Parse(File.ReadAllText(dir.Combine("theirs.zarr", ".zarray")))!["compressor"]!.ToJsonString());
        Assert.Equal(values, SelectionTests.ToArray(await array[.., ..]));
        foreach (var chunk in Directory.GetFiles(dir.Combine("theirs.zarr")).Where(f => !Path.GetFileName(f).StartsWith('.')))
        {
            Assert.Equal(File.ReadAllBytes(chunk), File.ReadAllBytes(dir.Combine("ours.zarr", Path.GetFileName(chunk))));
        }
    }
}
