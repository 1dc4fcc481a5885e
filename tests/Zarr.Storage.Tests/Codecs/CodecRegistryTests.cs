using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;
using static Zarr.Storage.Tests.Codecs.CodecTestData;

namespace Zarr.Storage.Tests.Codecs;

public class CodecRegistryTests
{
    private const string Doc = "a/zarr.json";

    [Theory]
    [MemberData(nameof(AllTypes), MemberType = typeof(CodecTestData))]
    public void Every_codec_round_trips_through_its_v3_json(string typeName)
    {
        var type = Type(typeName);
        var codecs = new List<ICodec>(BytesCodecs(type))
        {
            BytesCodec.For(type),
            new BytesCodec(Endian.Big),
            new TransposeCodec([0]),
            new TransposeCodec([2, 0, 1]),
            new BloscCodec(BloscCompressor.Lz4Hc, 0, BloscShuffle.NoShuffle, type.ItemSize, 65536),
        };
        foreach (var codec in codecs)
        {
            var json = codec.ToV3Json();
            var back = CodecRegistry.FromV3Json(JsonNode.Parse(json.ToJsonString())!, type, Doc);
            Assert.Equal(codec.GetType(), back.GetType());
            Assert.True(JsonNode.DeepEquals(json, back.ToV3Json()), $"{json.ToJsonString()} != {back.ToV3Json().ToJsonString()}");
        }
    }

    [Theory]
    [MemberData(nameof(AllTypes), MemberType = typeof(CodecTestData))]
    public void Every_v2_compressor_round_trips_through_its_numcodecs_json(string typeName)
    {
        var type = Type(typeName);
        foreach (var codec in BytesCodecs(type).OfType<IV2Compressor>())
        {
            var json = codec.ToV2Json();
            var back = CodecRegistry.FromV2Compressor(JsonNode.Parse(json.ToJsonString()), type, ".zarray");
            Assert.NotNull(back);
            Assert.Equal(codec.GetType(), back.GetType());
            Assert.True(JsonNode.DeepEquals(json, ((IV2Compressor)back).ToV2Json()), json.ToJsonString());
            if (codec is not ZstdCodec { Checksum: true })
            {
                // zstd's checksum flag is not written in v2 form (numcodecs 0.11 refuses it); everything else survives.
                Assert.True(JsonNode.DeepEquals(((ICodec)codec).ToV3Json(), back.ToV3Json()));
            }
        }
    }

    [Theory]
    [InlineData("""{"name":"bytes","configuration":{"endian":"little"}}""")]
    [InlineData("""{"name":"transpose","configuration":{"order":[1,0]}}""")]
    [InlineData("""{"name":"blosc","configuration":{"typesize":4,"cname":"zstd","clevel":5,"shuffle":"shuffle","blocksize":0}}""")]
    [InlineData("""{"name":"gzip","configuration":{"level":5}}""")]
    [InlineData("""{"name":"zstd","configuration":{"level":0,"checksum":false}}""")]
    [InlineData("""{"name":"crc32c"}""")]
    public void V3_json_is_written_back_exactly_as_zarr_python_writes_it(string json)
    {
        var codec = CodecRegistry.FromV3Json(JsonNode.Parse(json)!, ZarrDataType.Float32, Doc);
        Assert.Equal(json, codec.ToV3Json().ToJsonString());
    }

    [Theory]
    [InlineData("""{"id":"blosc","cname":"lz4","clevel":5,"shuffle":1,"blocksize":0}""")]
    [InlineData("""{"id":"zlib","level":1}""")]
    [InlineData("""{"id":"gzip","level":5}""")]
    [InlineData("""{"id":"zstd","level":3}""")]
    [InlineData("""{"id":"lz4","acceleration":1}""")]
    public void V2_json_is_written_back_exactly_as_numcodecs_writes_it(string json)
    {
        var codec = (IV2Compressor)CodecRegistry.FromV2Compressor(JsonNode.Parse(json), ZarrDataType.Int32, ".zarray")!;
        Assert.Equal(json, codec.ToV2Json().ToJsonString());
    }

    [Fact]
    public void Bare_names_and_missing_configuration()
    {
        Assert.IsType<Crc32cCodec>(CodecRegistry.FromV3Json(JsonValue.Create("crc32c"), ZarrDataType.Int32, Doc));
        Assert.Null(((BytesCodec)CodecRegistry.FromV3Json(JsonValue.Create("bytes"), ZarrDataType.UInt8, Doc)).Endian);
        var ex = Assert.Throws<ZarrMetadataException>(() => CodecRegistry.FromV3Json(JsonValue.Create("bytes"), ZarrDataType.Int32, Doc));
        Assert.Equal("codecs.bytes.endian", ex.Field);
    }

    [Fact]
    public void Blosc_typesize_defaults_and_requirements()
    {
        var noShuffle = (BloscCodec)CodecRegistry.FromV3Json(Parse("""{"name":"blosc","configuration":{"cname":"lz4","clevel":1,"shuffle":"noshuffle"}}"""), ZarrDataType.Float64, Doc);
        Assert.Equal(8, noShuffle.TypeSize);
        var ex = Assert.Throws<ZarrMetadataException>(() => CodecRegistry.FromV3Json(Parse("""{"name":"blosc","configuration":{"cname":"lz4","clevel":1,"shuffle":"shuffle"}}"""), ZarrDataType.Float64, Doc));
        Assert.Equal("codecs.blosc.typesize", ex.Field);

        // v2: the type size is the array's item size; shuffle -1 is numcodecs' AUTOSHUFFLE.
        var v2 = (BloscCodec)CodecRegistry.FromV2Compressor(Parse("""{"id":"blosc","cname":"zstd","clevel":3,"shuffle":-1,"blocksize":0}"""), ZarrDataType.Int16, ".zarray")!;
        Assert.Equal((2, BloscShuffle.Shuffle), (v2.TypeSize, v2.Shuffle));
        var v2Byte = (BloscCodec)CodecRegistry.FromV2Compressor(Parse("""{"id":"blosc","cname":"zstd","clevel":3,"shuffle":-1,"blocksize":0}"""), ZarrDataType.UInt8, ".zarray")!;
        Assert.Equal(BloscShuffle.BitShuffle, v2Byte.Shuffle);
    }

    [Fact]
    public void Default_compressor_is_blosc_lz4_5_shuffle_with_the_item_size()
    {
        var codec = (BloscCodec)CodecRegistry.DefaultCompressor(ZarrDataType.Complex128);
        Assert.Equal((BloscCompressor.Lz4, 5, BloscShuffle.Shuffle, 16, 0), (codec.Compressor, codec.Level, codec.Shuffle, codec.TypeSize, codec.BlockSize));
    }

    [Theory]
    [InlineData("""{"name":"nope"}""", "codecs", "unknown codec 'nope'")]
    [InlineData("""{"configuration":{}}""", "codecs", "string 'name'")]
    [InlineData("42", "codecs", "object or a name")]
    [InlineData("""{"name":"blosc","configuration":{"cname":"snappy","clevel":5,"shuffle":"noshuffle"}}""", "codecs.blosc.cname", "snappy")]
    [InlineData("""{"name":"blosc","configuration":{"cname":"lz5","clevel":5,"shuffle":"noshuffle"}}""", "codecs.blosc.cname", "lz5")]
    [InlineData("""{"name":"blosc","configuration":{"cname":"lz4","clevel":10,"shuffle":"noshuffle"}}""", "codecs.blosc.clevel", "between 0 and 9")]
    [InlineData("""{"name":"blosc","configuration":{"cname":"lz4","shuffle":"noshuffle"}}""", "codecs.blosc.clevel", "required")]
    [InlineData("""{"name":"blosc","configuration":{"cname":"lz4","clevel":5,"shuffle":"byte","typesize":4}}""", "codecs.blosc.shuffle", "byte")]
    [InlineData("""{"name":"blosc","configuration":{"cname":"lz4","clevel":5,"shuffle":"shuffle","typesize":0}}""", "codecs.blosc.typesize", "between 1 and 255")]
    [InlineData("""{"name":"gzip","configuration":{"level":"5"}}""", "codecs.gzip.level", "integer")]
    [InlineData("""{"name":"gzip"}""", "codecs.gzip.level", "required")]
    [InlineData("""{"name":"zstd","configuration":{"level":3,"checksum":1}}""", "codecs.zstd.checksum", "true or false")]
    [InlineData("""{"name":"transpose","configuration":{"order":[0,0]}}""", "codecs.transpose.order", "not a permutation")]
    [InlineData("""{"name":"transpose","configuration":{"order":"C"}}""", "codecs.transpose.order", "array of integers")]
    [InlineData("""{"name":"bytes","configuration":{"endian":"middle"}}""", "codecs.bytes.endian", "middle")]
    [InlineData("""{"name":"gzip","configuration":[]}""", "codecs.gzip.configuration", "object")]
    public void Bad_v3_metadata_names_the_field(string json, string field, string message)
    {
        var ex = Assert.Throws<ZarrMetadataException>(() => CodecRegistry.FromV3Json(Parse(json), ZarrDataType.Int32, Doc));
        Assert.Equal(Doc, ex.Document);
        Assert.Equal(field, ex.Field);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"id":"lzham","level":1}""", "compressor.id", "unknown compressor 'lzham'")]
    [InlineData("""{"id":"bz2","level":0}""", "compressor.level", "between 1 and 9")]
    [InlineData("""{"level":1}""", "compressor.id", "'id'")]
    [InlineData("[]", "compressor", "object or null")]
    [InlineData("""{"id":"blosc","cname":"snappy","clevel":5,"shuffle":1}""", "compressor.cname", "snappy")]
    [InlineData("""{"id":"blosc","cname":"lz4","clevel":5,"shuffle":3}""", "compressor.shuffle", "between -1 and 2")]
    [InlineData("""{"id":"zlib","level":10}""", "compressor.level", "between 0 and 9")]
    [InlineData("""{"id":"lz4","acceleration":0}""", "compressor.acceleration", "between 1")]
    public void Bad_v2_metadata_names_the_field(string json, string field, string message)
    {
        var ex = Assert.Throws<ZarrMetadataException>(() => CodecRegistry.FromV2Compressor(Parse(json), ZarrDataType.Int32, ".zarray"));
        Assert.Equal(field, ex.Field);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_compressor_is_no_compressor()
    {
        Assert.Null(CodecRegistry.FromV2Compressor(null, ZarrDataType.Int32, ".zarray"));
        Assert.Null(CodecRegistry.FromV2Compressor(JsonNode.Parse("null"), ZarrDataType.Int32, ".zarray"));
    }
}
