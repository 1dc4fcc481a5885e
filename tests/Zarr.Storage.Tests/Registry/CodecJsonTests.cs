using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;

namespace Zarr.Storage.Tests.Registry;

/// <summary>
/// Each built-in codec's JSON, written out literally (fields in the order zarr-python and numcodecs write them): a
/// codec's ToV3Json/ToV2Json is its descriptor's writing, so this pins the one place that writes it.
/// </summary>
public class CodecJsonTests
{
    public static TheoryData<string, string, string?> Cases() => new()
    {
        { "bytes", """{"name": "bytes", "configuration": {"endian": "little"}}""", null },
        { "bytes none", """{"name": "bytes"}""", null },
        { "transpose", """{"name": "transpose", "configuration": {"order": [2, 0, 1]}}""", null },
        { "blosc", """{"name": "blosc", "configuration": {"typesize": 8, "cname": "zstd", "clevel": 3, "shuffle": "bitshuffle", "blocksize": 4096}}""", """{"id": "blosc", "cname": "zstd", "clevel": 3, "shuffle": 2, "blocksize": 4096}""" },
        { "gzip", """{"name": "gzip", "configuration": {"level": 7}}""", """{"id": "gzip", "level": 7}""" },
        { "zstd", """{"name": "zstd", "configuration": {"level": -3, "checksum": true}}""", """{"id": "zstd", "level": -3}""" },
        { "crc32c", """{"name": "crc32c"}""", null },
        { "zlib", """{"name": "numcodecs.zlib", "configuration": {"level": 4}}""", """{"id": "zlib", "level": 4}""" },
        { "lz4", """{"name": "numcodecs.lz4", "configuration": {"acceleration": 3}}""", """{"id": "lz4", "acceleration": 3}""" },
        { "bz2", """{"name": "numcodecs.bz2", "configuration": {"level": 9}}""", """{"id": "bz2", "level": 9}""" },
        { "delta", """{"name": "numcodecs.delta", "configuration": {"dtype": "<i4", "astype": "<i2"}}""", """{"id": "delta", "dtype": "<i4", "astype": "<i2"}""" },
        { "fixedscaleoffset", """{"name": "numcodecs.fixedscaleoffset", "configuration": {"scale": 8, "offset": -50.5, "dtype": "<f8", "astype": "|u1"}}""", """{"id": "fixedscaleoffset", "scale": 8, "offset": -50.5, "dtype": "<f8", "astype": "|u1"}""" },
        { "astype", """{"name": "numcodecs.astype", "configuration": {"encode_dtype": "<f4", "decode_dtype": "<f8"}}""", """{"id": "astype", "encode_dtype": "<f4", "decode_dtype": "<f8"}""" },
        { "quantize", """{"name": "numcodecs.quantize", "configuration": {"digits": 3, "dtype": "<f8", "astype": "<f4"}}""", """{"id": "quantize", "digits": 3, "dtype": "<f8", "astype": "<f4"}""" },
        {
            "sharding",
            """{"name": "sharding_indexed", "configuration": {"chunk_shape": [2, 2], "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "gzip", "configuration": {"level": 1}}], "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "crc32c"}], "index_location": "start"}}""",
            null
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_built_in_codec_writes_the_json_zarr_python_writes(string label, string v3, string? v2)
    {
        var codec = Codec(label);
        Assert.Equal(JsonNode.Parse(v3)!.ToJsonString(), codec.ToV3Json().ToJsonString());
        Assert.Equal(JsonNode.Parse(v3)!.ToJsonString(), CodecRegistry.Default.WriteV3(codec).ToJsonString());
        if (v2 is null)
        {
            Assert.IsNotAssignableFrom<IV2Compressor>(codec);
            Assert.IsNotAssignableFrom<IV2Filter>(codec);
            return;
        }

        var own = codec switch { IV2Filter f => f.ToV2Json(), IV2Compressor c => c.ToV2Json(), _ => null };
        Assert.NotNull(own);
        Assert.Equal(JsonNode.Parse(v2)!.ToJsonString(), own.ToJsonString());
        Assert.Equal(JsonNode.Parse(v2)!.ToJsonString(), CodecRegistry.Default.WriteV2(codec).ToJsonString());
    }

    [Fact]
    public void The_deflate_codecs_and_the_numcodecs_filters_keep_their_own_names_and_defaults()
    {
        Assert.Equal(("gzip", 5), (new GzipCodec().Name, new GzipCodec().Level));
        Assert.Equal(("numcodecs.zlib", 1), (new ZlibCodec().Name, new ZlibCodec().Level));
        Assert.Throws<ArgumentOutOfRangeException>("level", () => new GzipCodec(10));
        Assert.Throws<ArgumentOutOfRangeException>("level", () => new ZlibCodec(-1));
        var i4 = new NumpyDType(ZarrDataType.Int32);
        var f8 = new NumpyDType(ZarrDataType.Float64);
        NumcodecsFilterCodec[] filters = [new DeltaCodec(i4), new FixedScaleOffsetCodec(0, 1, f8), new AsTypeCodec(f8, f8), new QuantizeCodec(2, f8)];
        Assert.Equal(["numcodecs.delta", "numcodecs.fixedscaleoffset", "numcodecs.astype", "numcodecs.quantize"], filters.Select(f => f.Name));
        Assert.Equal(["delta", "fixedscaleoffset", "astype", "quantize"], filters.Select(f => f.V2Id));
        Assert.All(filters, f => Assert.Equal(f.DecodedType, f.EncodedType));
    }

    private static ICodec Codec(string label)
    {
        var f8 = new NumpyDType(ZarrDataType.Float64);
        return label switch
        {
            "bytes" => new BytesCodec(),
            "bytes none" => new BytesCodec(null),
            "transpose" => new TransposeCodec([2, 0, 1]),
            "blosc" => new BloscCodec(BloscCompressor.Zstd, 3, BloscShuffle.BitShuffle, 8, 4096),
            "gzip" => new GzipCodec(7),
            "zstd" => new ZstdCodec(-3, true),
            "crc32c" => new Crc32cCodec(),
            "zlib" => new ZlibCodec(4),
            "lz4" => new Lz4Codec(3),
            "bz2" => new Bz2Codec(9),
            "delta" => new DeltaCodec(new NumpyDType(ZarrDataType.Int32), new NumpyDType(ZarrDataType.Int16)),
            "fixedscaleoffset" => new FixedScaleOffsetCodec(-50.5, 8, f8, new NumpyDType(ZarrDataType.UInt8)),
            "astype" => new AsTypeCodec(new NumpyDType(ZarrDataType.Float32), f8),
            "quantize" => new QuantizeCodec(3, f8, new NumpyDType(ZarrDataType.Float32)),
            "sharding" => new ShardingCodec([2, 2], [new BytesCodec(), new GzipCodec(1)], [new BytesCodec(Endian.Little), new Crc32cCodec()], ShardIndexLocation.Start),
            _ => throw new ArgumentOutOfRangeException(nameof(label), label),
        };
    }
}
