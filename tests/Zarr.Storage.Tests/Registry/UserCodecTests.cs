using System.Text;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Zarr.Storage.Buffers;
using Zarr.Storage.Codecs;
using Zarr.Storage.Codecs.Registry;
using static Zarr.Storage.Tests.Arrays.SelectionTests;

namespace Zarr.Storage.Tests.Registry;

/// <summary>A codec of the user's own: XORs every byte with a key. Registered once in <see cref="CodecRegistry.Default"/>.</summary>
public sealed class XorCodec(byte key) : IBytesToBytesCodec, IV2Compressor
{
    public const string CodecName = "test.xor";

    public byte Key { get; } = key;

    public string Name => CodecName;

    public JsonObject ToV3Json() => CodecRegistry.Default.WriteV3(this);

    public JsonObject ToV2Json() => CodecRegistry.Default.WriteV2(this);

    public PooledBuffer Encode(ReadOnlySpan<byte> decoded) => Xor(decoded);

    public PooledBuffer Decode(ReadOnlySpan<byte> encoded, int expectedLength) => Xor(encoded);

    private PooledBuffer Xor(ReadOnlySpan<byte> source)
    {
        var buffer = PooledBuffer.Rent(source.Length);
        for (var i = 0; i < source.Length; i++)
        {
            buffer.Span[i] = (byte)(source[i] ^ Key);
        }

        return buffer;
    }
}

public sealed record XorConfiguration(int? Key);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(XorConfiguration))]
internal sealed partial class XorJson : JsonSerializerContext;

public sealed class XorDescriptor() : CodecDescriptor<XorCodec, XorConfiguration>(XorCodec.CodecName, "test_xor", XorJson.Default.XorConfiguration)
{
    /// <summary>Registers the descriptor in the default registry once for the whole test run.</summary>
    public static void EnsureRegistered()
    {
        lock (Gate)
        {
            if (!CodecRegistry.Default.TryGetDescriptor(XorCodec.CodecName, out _))
            {
                CodecRegistry.Default.Register(new XorDescriptor());
            }
        }
    }

    private static readonly Lock Gate = new();

    protected override XorCodec Create(XorConfiguration configuration, CodecReadContext context) =>
        new((byte)context.InRange("key", context.Require("key", configuration.Key), 0, 255));

    protected override XorConfiguration Describe(XorCodec codec, ZarrFormat format) => new(codec.Key);
}

public class UserCodecTests
{
    public UserCodecTests() => XorDescriptor.EnsureRegistered();

    [Fact]
    public void A_registered_codec_is_written_and_read_through_v3_metadata()
    {
        var metadata = Metadata(ZarrFormat.V3, new XorCodec(90));
        var json = Encoding.UTF8.GetString(MetadataSerializer.ToV3Json(metadata));
        Assert.Contains("\"name\": \"test.xor\",\n      \"configuration\": {\n        \"key\": 90\n      }", json, StringComparison.Ordinal);

        var back = MetadataSerializer.ParseArrayV3(Encoding.UTF8.GetBytes(json), "a/zarr.json");
        Assert.Equal(90, Assert.IsType<XorCodec>(back.Codecs[^1]).Key);
        Assert.Equal(MetadataSerializer.ToV3Json(metadata), MetadataSerializer.ToV3Json(back));
    }

    [Fact]
    public void A_registered_codec_with_a_numcodecs_id_is_a_v2_compressor()
    {
        var metadata = Metadata(ZarrFormat.V2, new XorCodec(7));
        var (zarray, _) = MetadataSerializer.ToV2Json(metadata);
        var compressor = JsonNode.Parse(zarray)!["compressor"]!;
        Assert.Equal("""{"id":"test_xor","key":7}""", compressor.ToJsonString());

        var back = MetadataSerializer.ParseArrayV2(zarray, default, "a/.zarray");
        Assert.Equal(7, Assert.IsType<XorCodec>(back.Codecs[^1]).Key);
        Assert.Contains("test_xor", CodecRegistry.V2Ids);
        Assert.Contains("test.xor", CodecRegistry.V3Names);
    }

    [Theory]
    [InlineData(ZarrFormat.V3)]
    [InlineData(ZarrFormat.V2)]
    public async Task An_array_reads_and_writes_through_a_registered_codec(ZarrFormat format)
    {
        var store = new MemoryStore();
        var data = Enumerable.Range(0, 6 * 4).Select(i => i * 3).ToArray();
        var options = new ArrayOptions { Format = format, Chunks = [3, 4], Compressors = [new XorCodec(0x5A)] };
        await ZarrArray.FromDataAsync<int>(store, "x", data, [6, 4], options);

        // The stored chunk is the XOR of the little-endian elements.
        using (var chunk = await store.GetAsync(format == ZarrFormat.V3 ? "x/c/0/0" : "x/0.0"))
        {
            Assert.Equal(0 ^ 0x5A, chunk!.Span[0]);
            Assert.Equal(3 ^ 0x5A, chunk.Span[4]);
        }

        var reopened = await ZarrArray.OpenAsync<int>(store, "x");
        Assert.IsType<XorCodec>(reopened.Metadata.Codecs[^1]);
        Assert.Equal(data, ToArray(await reopened[..]));
    }

    [Theory]
    [InlineData("""{"key": "x"}""", "codecs.test.xor.key", "must be an integer; got \"x\"")]
    [InlineData("""{"key": 300}""", "codecs.test.xor.key", "must be between 0 and 255; got 300")]
    [InlineData("""{}""", "codecs.test.xor.key", "is required")]
    [InlineData("""{"key": 2}""", null, null)]
    public void A_registered_codec_s_configuration_errors_name_the_field(string configuration, string? field, string? message)
    {
        var json = JsonNode.Parse($$"""{"name": "test.xor", "configuration": {{configuration}}}""")!;
        if (field is null)
        {
            Assert.Equal(2, Assert.IsType<XorCodec>(CodecRegistry.FromV3Json(json, ZarrDataType.Int32, "a/zarr.json")).Key);
            return;
        }

        var ex = Assert.Throws<ZarrMetadataException>(() => CodecRegistry.FromV3Json(json, ZarrDataType.Int32, "a/zarr.json"));
        Assert.Equal(field, ex.Field);
        Assert.Contains(message!, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"name": "gzip", "configuration": {"level": 5.0}}""", 5)]
    [InlineData("""{"name": "numcodecs.zlib", "configuration": {"level": 9e0}}""", 9)]
    public void Built_in_configurations_take_whole_numbers_written_with_a_fraction(string json, int level)
    {
        var codec = CodecRegistry.FromV3Json(JsonNode.Parse(json)!, ZarrDataType.Int32, "a/zarr.json");
        Assert.Equal(level, codec switch { GzipCodec g => g.Level, ZlibCodec z => z.Level, _ => -1 });
        var ex = Assert.Throws<ZarrMetadataException>(() => CodecRegistry.FromV3Json(JsonNode.Parse("""{"name": "gzip", "configuration": {"level": 5.5}}""")!, ZarrDataType.Int32, "a/zarr.json"));
        Assert.Equal("codecs.gzip.level", ex.Field);
        Assert.Contains("must be an integer; got 5.5", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Register_refuses_a_name_an_id_or_a_class_registered_already()
    {
        var registry = new CodecRegistry();
        registry.Register(new XorDescriptor());
        Assert.Throws<ArgumentException>(() => registry.Register(new XorDescriptor()));
        Assert.Throws<ArgumentException>(() => CodecRegistry.Default.Register(new XorDescriptor()));
        Assert.Throws<ArgumentNullException>(() => registry.Register(null!));
    }

    [Theory]
    [InlineData("test.other", "blosc", typeof(ZlibCodec), "a codec with the numcodecs id 'blosc' is registered already")]
    [InlineData("test.other", null, typeof(GzipCodec), "the codec class Zarr.Storage.Codecs.GzipCodec is registered already, as 'test.first'")]
    [InlineData("test.first", null, typeof(ZlibCodec), "a codec named 'test.first' is registered already")]
    public void Register_names_what_a_descriptor_repeats(string name, string? v2Id, Type codecType, string message)
    {
        var registry = new CodecRegistry();
        registry.Register(new BareDescriptor("test.first", "blosc", typeof(GzipCodec)));
        var ex = Assert.Throws<ArgumentException>(() => registry.Register(new BareDescriptor(name, v2Id, codecType)));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.Equal(["test.first"], registry.Descriptors.Select(d => d.Name));

        // What the refused one did not repeat is still free.
        registry.Register(new BareDescriptor("test.second", "zlib", typeof(ZlibCodec)));
        Assert.True(registry.TryGetDescriptor("test.second", out var second));
        Assert.Same(second, registry.DescriptorOf(new ZlibCodec(1)));
    }

    [Fact]
    public void A_new_registry_knows_only_what_is_registered_in_it()
    {
        var registry = new CodecRegistry();
        var ex = Assert.Throws<ZarrMetadataException>(() => registry.ReadV3(JsonValue.Create("bytes"), ZarrDataType.UInt8, "a/zarr.json"));
        Assert.Contains("unknown codec", ex.Message, StringComparison.Ordinal);

        registry.Register(new XorDescriptor());
        Assert.Equal([XorCodec.CodecName], registry.Descriptors.Select(d => d.Name));
        Assert.IsType<XorCodec>(registry.ReadV3(JsonNode.Parse("""{"name": "test.xor", "configuration": {"key": 1}}""")!, ZarrDataType.UInt8, "a/zarr.json"));
    }

    [Fact]
    public void The_built_in_codecs_are_one_descriptor_each_in_the_default_registry()
    {
        string[] builtIn =
        [
            "bytes", "transpose", "blosc", "gzip", "zstd", "crc32c", "numcodecs.zlib", "numcodecs.lz4", "numcodecs.bz2",
            "numcodecs.delta", "numcodecs.fixedscaleoffset", "numcodecs.astype", "numcodecs.quantize", "sharding_indexed",
        ];
        Assert.Equal(builtIn, CodecRegistry.V3Names.Take(builtIn.Length));
        Assert.Equal(["blosc", "gzip", "zstd", "zlib", "lz4", "bz2"], CodecRegistry.V2Ids.Take(6));
        Assert.Equal(["delta", "fixedscaleoffset", "astype", "quantize", "packbits"], CodecRegistry.V2FilterIds);
        Assert.Equal(CodecRegistry.Default.Descriptors.Count, CodecRegistry.Default.Descriptors.Select(d => d.CodecType).Distinct().Count());
    }

    private static ArrayMetadata Metadata(ZarrFormat format, ICodec compressor) => new()
    {
        Format = format,
        Shape = [4],
        ChunkShape = [2],
        DataType = ZarrDataType.Int32,
        FillValue = [.. new byte[4]],
        Codecs = [new BytesCodec(Endian.Little), compressor],
        ChunkKeyEncoding = format == ZarrFormat.V3 ? ChunkKeyEncoding.Default : ChunkKeyEncoding.V2Dot,
    };
}

/// <summary>A descriptor that only names a codec (for the registry's checks; it reads and writes nothing).</summary>
internal sealed class BareDescriptor(string name, string? v2Id, Type codecType) : CodecDescriptor(name, v2Id, codecType)
{
    public override ICodec Read(JsonObject? configuration, CodecReadContext context) => throw new NotSupportedException();

    public override JsonObject? Write(ICodec codec, ZarrFormat format, CodecRegistry registry) => throw new NotSupportedException();
}
