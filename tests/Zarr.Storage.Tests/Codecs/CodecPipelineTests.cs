using System.Text.Json.Nodes;
using Zarr.Storage.Buffers;
using Zarr.Storage.Codecs;
using Zarr.Storage.Codecs.ArrayToArray;
using Zarr.Storage.Codecs.ArrayToBytes;
using Zarr.Storage.Codecs.BytesToBytes;
using Zarr.Storage.DataTypes;
using static Zarr.Storage.Tests.Codecs.CodecTestData;

namespace Zarr.Storage.Tests.Codecs;

public class CodecPipelineTests
{
    [Theory]
    [MemberData(nameof(AllTypes), MemberType = typeof(CodecTestData))]
    public void Chains_round_trip_every_type(string typeName)
    {
        var type = Type(typeName);
        var spec = Spec(type, 13, 7, 5);
        var data = Make(type, 13 * 7 * 5);
        ICodec[][] chains =
        [
            [BytesCodec.For(type)],
            [new BytesCodec(Endian.Big), new GzipCodec(1)],
            [new TransposeCodec([2, 0, 1]), BytesCodec.For(type), CodecRegistry.DefaultCompressor(type)],
            [new TransposeCodec([2, 1, 0]), new TransposeCodec([1, 0, 2]), new BytesCodec(Endian.Big), new ZstdCodec(3), new Crc32cCodec()],
            [BytesCodec.For(type), new Crc32cCodec()],
            [BytesCodec.For(type), new Crc32cCodec(), new BloscCodec(BloscCompressor.Zstd, 5, BloscShuffle.BitShuffle, type.ItemSize), new Crc32cCodec()],
        ];
        foreach (var chain in chains)
        {
            var pipeline = CodecPipeline.Create(chain);
            using var encoded = pipeline.Encode(data, spec);
            var decoded = new byte[data.Length];
            pipeline.Decode(encoded.Span, decoded, spec);
            Assert.Equal(data, decoded);
        }
    }

    [Fact]
    public void Transpose_then_bytes_lays_out_the_transposed_array()
    {
        var spec = Spec(ZarrDataType.UInt8, 2, 3);
        byte[] data = [1, 2, 3, 4, 5, 6];
        var pipeline = CodecPipeline.Create([new TransposeCodec([1, 0]), new BytesCodec(null)]);
        using var encoded = pipeline.Encode(data, spec);
        Assert.Equal(new byte[] { 1, 4, 2, 5, 3, 6 }, encoded.Span.ToArray());
    }

    [Fact]
    public void Invalid_chains_are_refused_with_a_message_naming_the_problem()
    {
        var none = Assert.Throws<ZarrException>(() => CodecPipeline.Create([new GzipCodec()]));
        Assert.Contains("'gzip' at position 0 comes before any array→bytes codec", none.Message, StringComparison.Ordinal);
        var empty = Assert.Throws<ZarrException>(() => CodecPipeline.Create([]));
        Assert.Contains("no array→bytes codec", empty.Message, StringComparison.Ordinal);
        var two = Assert.Throws<ZarrException>(() => CodecPipeline.Create([new BytesCodec(), new BytesCodec()]));
        Assert.Contains("second array→bytes codec", two.Message, StringComparison.Ordinal);
        var late = Assert.Throws<ZarrException>(() => CodecPipeline.Create([new BytesCodec(), new TransposeCodec([0])]));
        Assert.Contains("'transpose' at position 1 comes after the array→bytes codec", late.Message, StringComparison.Ordinal);
        var odd = Assert.Throws<ZarrException>(() => CodecPipeline.Create([new BytesCodec(), new NotACodec()]));
        Assert.Contains("neither", odd.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_decoded_chunk_of_the_wrong_size_is_an_error()
    {
        var spec = Spec(ZarrDataType.Int32, 10);
        var other = Spec(ZarrDataType.Int32, 11);
        var plain = CodecPipeline.Create([new BytesCodec()]);
        using var encoded = plain.Encode(new byte[44], other);
        var ex = Assert.Throws<ZarrCodecException>(() => plain.Decode(encoded.Span, new byte[40], spec));
        Assert.Equal("bytes", ex.Codec);

        // A compressor's output of the wrong length is caught at the compressor (header or stream length).
        foreach (var compressor in BytesCodecs(ZarrDataType.Int32))
        {
            var pipeline = CodecPipeline.Create([new BytesCodec(), compressor]);
            using var wrong = pipeline.Encode(new byte[44], other);
            var e = Assert.Throws<ZarrCodecException>(() => pipeline.Decode(wrong.Span, new byte[40], spec));
            Assert.Equal(compressor.Name, e.Codec);
        }
    }

    [Fact]
    public void Foreign_exceptions_from_a_codec_are_wrapped_naming_it()
    {
        var pipeline = CodecPipeline.Create([new BytesCodec(), new ThrowingCodec()]);
        var ex = Assert.Throws<ZarrCodecException>(() => pipeline.Decode([1, 2, 3], new byte[4], Spec(ZarrDataType.Int32, 1)));
        Assert.Equal("throwing", ex.Codec);
        Assert.IsType<InvalidDataException>(ex.InnerException);
        var enc = Assert.Throws<ZarrCodecException>(() => pipeline.Encode(new byte[4], Spec(ZarrDataType.Int32, 1)));
        Assert.Equal("throwing", enc.Codec);
    }

    [Fact]
    public void Corrupt_chunks_through_the_pipeline_throw_codec_exceptions()
    {
        var type = ZarrDataType.Float64;
        var spec = Spec(type, 50, 20);
        var data = Make(type, 1000);
        var random = new Random(5);
        foreach (var compressor in BytesCodecs(type))
        {
            var pipeline = CodecPipeline.Create([new TransposeCodec([1, 0]), new BytesCodec(), compressor]);
            using var encoded = pipeline.Encode(data, spec);
            var good = encoded.Span.ToArray();
            for (var trial = 0; trial < 40; trial++)
            {
                var bad = good.AsSpan(0, random.Next(good.Length + 1)).ToArray();
                if (bad.Length > 0 && trial % 2 == 0)
                {
                    bad[random.Next(bad.Length)] ^= 0x5A;
                }

                try
                {
                    pipeline.Decode(bad, new byte[data.Length], spec);
                }
                catch (ZarrCodecException)
                {
                }
            }
        }
    }

    private sealed class NotACodec : ICodec
    {
        public string Name => "odd";

        public JsonObject ToV3Json() => new() { ["name"] = Name };
    }

    private sealed class ThrowingCodec : IBytesToBytesCodec
    {
        public string Name => "throwing";

        public JsonObject ToV3Json() => new() { ["name"] = Name };

        public PooledBuffer Encode(ReadOnlySpan<byte> decoded) => throw new InvalidOperationException("boom");

        public PooledBuffer Decode(ReadOnlySpan<byte> encoded, int expectedLength) => throw new InvalidDataException("bad data");
    }
}
