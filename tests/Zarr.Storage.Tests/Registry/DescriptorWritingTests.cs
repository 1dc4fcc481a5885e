using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;

namespace Zarr.Storage.Tests.Registry;

/// <summary>
/// The descriptors write every built-in codec exactly as the codec classes' own ToV3Json/ToV2Json do (which the interop
/// tests compare with zarr-python byte for byte), and what they write reads back to the same JSON.
/// </summary>
public class DescriptorWritingTests
{
    public static TheoryData<string> Codecs() => [.. Instances().Select(c => c.Label)];

    [Theory]
    [MemberData(nameof(Codecs))]
    public void A_descriptor_writes_a_codec_as_the_codec_does(string label)
    {
        var (_, codec, type) = Instances().Single(c => c.Label == label);
        var v3 = CodecRegistry.Default.WriteV3(codec);
        Assert.True(JsonNode.DeepEquals(codec.ToV3Json(), v3), $"{v3.ToJsonString()} != {codec.ToV3Json().ToJsonString()}");
        Assert.Equal(codec.ToV3Json().ToJsonString(), v3.ToJsonString());
        var back = CodecRegistry.Default.ReadV3(JsonNode.Parse(v3.ToJsonString())!, type, "a/zarr.json");
        Assert.Equal(v3.ToJsonString(), CodecRegistry.Default.WriteV3(back).ToJsonString());

        JsonObject? own = codec switch { IV2Filter f => f.ToV2Json(), IV2Compressor c => c.ToV2Json(), _ => null };
        if (own is not null)
        {
            var v2 = CodecRegistry.Default.WriteV2(codec);
            Assert.Equal(own.ToJsonString(), v2.ToJsonString());
        }
    }

    private static IEnumerable<(string Label, ICodec Codec, ZarrDataType Type)> Instances()
    {
        var f8 = new NumpyDType(ZarrDataType.Float64);
        var i4 = new NumpyDType(ZarrDataType.Int32);
        var u1 = new NumpyDType(ZarrDataType.UInt8);
        var fso = (FixedScaleOffsetCodec)CodecRegistry.FromV2Filter(
            JsonNode.Parse("""{"id": "fixedscaleoffset", "offset": 1000, "scale": 1e-05, "dtype": "<f8", "astype": "|u1"}"""), 0, ".zarray");
        return
        [
            ("bytes little", new BytesCodec(Endian.Little), ZarrDataType.Int32),
            ("bytes big", new BytesCodec(Endian.Big), ZarrDataType.Int32),
            ("bytes none", new BytesCodec(null), ZarrDataType.UInt8),
            ("transpose", new TransposeCodec([2, 0, 1]), ZarrDataType.Int32),
            ("blosc", new BloscCodec(BloscCompressor.Zstd, 3, BloscShuffle.BitShuffle, 8, 4096), ZarrDataType.Float64),
            ("gzip", new GzipCodec(7), ZarrDataType.Int32),
            ("zstd", new ZstdCodec(-3, true), ZarrDataType.Int32),
            ("crc32c", new Crc32cCodec(), ZarrDataType.Int32),
            ("zlib", new ZlibCodec(4), ZarrDataType.Int32),
            ("lz4", new Lz4Codec(3), ZarrDataType.Int32),
            ("bz2", new Bz2Codec(9), ZarrDataType.Int32),
            ("delta", new DeltaCodec(i4, new NumpyDType(ZarrDataType.Int16)), ZarrDataType.Int32),
            ("fixedscaleoffset made", new FixedScaleOffsetCodec(-50, 8, f8, u1), ZarrDataType.Float64),
            ("fixedscaleoffset read", fso, ZarrDataType.Float64),
            ("astype", new AsTypeCodec(new NumpyDType(ZarrDataType.Float32), f8), ZarrDataType.Float64),
            ("quantize", new QuantizeCodec(3, f8, new NumpyDType(ZarrDataType.Float32)), ZarrDataType.Float64),
            ("sharding", new ShardingCodec([2, 2], [new TransposeCodec([1, 0]), new ShardingCodec([1, 1], [new BytesCodec(), new GzipCodec(1)])], [new BytesCodec(Endian.Little), new Crc32cCodec()], ShardIndexLocation.Start), ZarrDataType.Int32),
        ];
    }
}
