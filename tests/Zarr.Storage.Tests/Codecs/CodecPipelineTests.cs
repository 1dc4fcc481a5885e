using System.Text.Json.Nodes;
using Zarr.Storage.Buffers;
using Zarr.Storage.Codecs;
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
        // A cut value must be refused by every compressor, naming it; a flipped byte must be refused, naming the
        // compressor, or (for codecs without a checksum of their data, or a flip in a field that does not matter)
        // decode to some chunk; codecs that check their data (gzip's CRC-32, zlib's Adler-32, zstd's checksum, crc32c)
        // never return anything but the original.
        var type = ZarrDataType.Float64;
        var spec = Spec(type, 50, 20);
        var data = Make(type, 1000);
        var random = new Random(5);
        foreach (var compressor in BytesCodecs(type))
        {
            var label = compressor.ToV3Json().ToJsonString();
            var verifies = compressor is GzipCodec or ZlibCodec or Crc32cCodec or ZstdCodec { Checksum: true };
            var pipeline = CodecPipeline.Create([new TransposeCodec([1, 0]), new BytesCodec(), compressor]);
            using var encoded = pipeline.Encode(data, spec);
            var good = encoded.Span.ToArray();
            var refused = 0;
            for (var trial = 0; trial < 40; trial++)
            {
                var cut = random.Next(good.Length);
                var flip = trial % 2 == 0;
                var bad = good.AsSpan(0, flip ? good.Length : cut).ToArray();
                var at = random.Next(bad.Length);
                if (flip)
                {
                    bad[at] ^= 0x5A;
                }

                var decoded = new byte[data.Length];
                var what = flip ? $"{label}: byte {at} of {good.Length} flipped" : $"{label}: cut to {cut} of {good.Length} bytes";
                var ex = Record.Exception(() => pipeline.Decode(bad, decoded, spec));
                if (ex is null)
                {
                    Assert.True(flip, $"{what}: decoded without an error");
                    Assert.True(!verifies || data.AsSpan().SequenceEqual(decoded), $"{what}: decoded to other data without an error");
                    continue;
                }

                var codecError = Assert.IsType<ZarrCodecException>(ex);
                Assert.True(codecError.Codec == compressor.Name, $"{what}: the error names '{codecError.Codec}': {codecError.Message}");
                refused++;
            }

            Assert.True(refused >= 20, $"{label}: only {refused} of 40 corruptions were refused");
        }
    }

    [Fact]
    public void The_specs_between_codecs_are_computed_once_per_chunk_shape_not_per_chunk()
    {
        var counting = new CountingFilter();
        var pipeline = CodecPipeline.Create([counting, new BytesCodec(), new ZstdCodec()]);
        var spec = Spec(ZarrDataType.Int32, 64);
        var data = Make(ZarrDataType.Int32, 64);
        var decoded = new byte[data.Length];
        for (var chunk = 0; chunk < 10; chunk++)
        {
            using var encoded = pipeline.Encode(data, spec);
            pipeline.Decode(encoded.Span, decoded, spec);
        }

        Assert.Equal(data, decoded);
        Assert.Equal(1, counting.SpecsComputed);
    }

    [Fact]
    public void The_encoded_size_bound_follows_every_codec()
    {
        var spec = Spec(ZarrDataType.Int32, 1000);
        Assert.Equal(4000, CodecPipeline.Create([new BytesCodec()]).GetMaxEncodedLength(spec));
        Assert.Equal(4004, CodecPipeline.Create([new BytesCodec(), new Crc32cCodec()]).GetMaxEncodedLength(spec));
        Assert.Equal(4020, CodecPipeline.Create([new BytesCodec(), new Crc32cCodec(), new BloscCodec()]).GetMaxEncodedLength(spec));
        Assert.Equal(1, CodecPipeline.Create([new BytesCodec()]).GetRecommendedConcurrency(spec));
    }

    private sealed class CountingFilter : IArrayToArrayCodec
    {
        private int _specsComputed;

        public int SpecsComputed => _specsComputed;

        public string Name => "counting";

        public JsonObject ToV3Json() => new() { ["name"] = Name };

        public ChunkSpec GetEncodedSpec(in ChunkSpec decoded)
        {
            Interlocked.Increment(ref _specsComputed);
            return decoded;
        }

        public void Encode(ReadOnlySpan<byte> decoded, Span<byte> encoded, in ChunkSpec decodedSpec) => decoded.CopyTo(encoded);

        public void Decode(ReadOnlySpan<byte> encoded, Span<byte> decoded, in ChunkSpec decodedSpec) => encoded.CopyTo(decoded);
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
