using System.Buffers.Binary;
using System.Text;
using Zarr.Storage.Codecs;
using static Zarr.Storage.Tests.Codecs.CodecTestData;

namespace Zarr.Storage.Tests.Codecs;

public class BytesToBytesCodecTests
{
    [Theory]
    [MemberData(nameof(AllTypes), MemberType = typeof(CodecTestData))]
    public void Every_codec_round_trips_every_size(string typeName)
    {
        var type = Type(typeName);
        foreach (var codec in BytesCodecs(type))
        {
            foreach (var count in ElementCounts)
            {
                // 131072 elements of the largest types is 1-2 MiB; keep the total time reasonable for one-byte types too.
                var data = Make(type, count, seed: count);
                using var encoded = codec.Encode(data);
                using var exact = codec.Decode(encoded.Span, data.Length);
                Assert.True(data.AsSpan().SequenceEqual(exact.Span), $"{codec.Name} {type} {count}");
                using var unknown = codec.Decode(encoded.Span, -1);
                Assert.True(data.AsSpan().SequenceEqual(unknown.Span), $"{codec.Name} {type} {count} (length unknown)");
            }
        }
    }

    [Fact]
    public void One_mebibyte_round_trips_through_every_codec()
    {
        var data = Make(ZarrDataType.Float64, 131072, seed: 3);
        Assert.Equal(1 << 20, data.Length);
        foreach (var codec in BytesCodecs(ZarrDataType.Float64))
        {
            using var encoded = codec.Encode(data);
            using var decoded = codec.Decode(encoded.Span, data.Length);
            Assert.True(data.AsSpan().SequenceEqual(decoded.Span), codec.Name);
        }
    }

    [Fact]
    public void Truncated_data_throws_a_codec_exception_naming_the_codec()
    {
        var data = Make(ZarrDataType.Int32, 3000);
        foreach (var codec in BytesCodecs(ZarrDataType.Int32))
        {
            using var encoded = codec.Encode(data);
            var good = encoded.Span.ToArray();
            var step = Math.Max(1, good.Length / 40);
            for (var cut = 0; cut < good.Length; cut += step)
            {
                var prefix = good.AsSpan(0, cut).ToArray();
                var ex = Record.Exception(() => codec.Decode(prefix, data.Length).Dispose());
                Assert.True(ex is ZarrCodecException, $"{codec} ({codec.Name}) cut at {cut} of {good.Length}: {ex?.GetType().Name ?? "no exception"}");
                Assert.Equal(codec.Name, ((ZarrCodecException)ex!).Codec);
            }
        }
    }

    [Fact]
    public void Corrupt_data_throws_only_codec_exceptions()
    {
        var data = Make(ZarrDataType.Float32, 3000);
        var random = new Random(11);
        foreach (var codec in BytesCodecs(ZarrDataType.Float32))
        {
            using var encoded = codec.Encode(data);
            var good = encoded.Span.ToArray();
            for (var trial = 0; trial < 150; trial++)
            {
                var bad = (byte[])good.Clone();
                for (var flips = 1 + random.Next(3); flips > 0; flips--)
                {
                    bad[random.Next(bad.Length)] ^= (byte)(1 + random.Next(255));
                }

                foreach (var expected in new[] { data.Length, -1 })
                {
                    try
                    {
                        using var decoded = codec.Decode(bad, expected);
                        if (expected >= 0)
                        {
                            Assert.Equal(expected, decoded.Length);
                        }
                    }
                    catch (ZarrCodecException ex)
                    {
                        Assert.Equal(codec.Name, ex.Codec);
                    }
                }
            }

            // Garbage of every small length.
            for (var length = 0; length < 40; length++)
            {
                var garbage = new byte[length];
                random.NextBytes(garbage);
                try
                {
                    codec.Decode(garbage, -1).Dispose();
                }
                catch (ZarrCodecException ex)
                {
                    Assert.Equal(codec.Name, ex.Codec);
                }
            }
        }
    }

    [Fact]
    public void A_stream_longer_or_shorter_than_expected_is_an_error()
    {
        var data = Make(ZarrDataType.Int16, 5000);
        foreach (var codec in BytesCodecs(ZarrDataType.Int16))
        {
            using var encoded = codec.Encode(data);
            var longer = Assert.Throws<ZarrCodecException>(() => codec.Decode(encoded.Span, data.Length - 1).Dispose());
            Assert.Equal(codec.Name, longer.Codec);
            var shorter = Assert.Throws<ZarrCodecException>(() => codec.Decode(encoded.Span, data.Length + 1).Dispose());
            Assert.Equal(codec.Name, shorter.Codec);
        }
    }

    [Fact]
    public void Lz4_framing_is_numcodecs_size_header_then_one_block()
    {
        var data = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("abcdefgh", 4)));
        using var encoded = new Lz4Codec().Encode(data);
        Assert.Equal(32, BinaryPrimitives.ReadInt32LittleEndian(encoded.Span));
        using var empty = new Lz4Codec().Encode([]);
        Assert.Equal(Convert.FromHexString("0000000000"), empty.Span.ToArray());
    }

    [Fact]
    public void Lz4_header_claiming_a_huge_size_is_refused_before_allocating()
    {
        var hostile = new byte[] { 0xFF, 0xFF, 0xFF, 0x7F, 0x00 };
        var ex = Assert.Throws<ZarrCodecException>(() => new Lz4Codec().Decode(hostile, -1).Dispose());
        Assert.Contains("2147483647", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Zstd_reads_frames_without_a_content_size_by_streaming()
    {
        var data = Make(ZarrDataType.Int64, 20000);
        var frame = ZstdStreamFrame(data);
        var codec = new ZstdCodec();
        using var unknown = codec.Decode(frame, -1);
        Assert.True(data.AsSpan().SequenceEqual(unknown.Span));
        using var exact = codec.Decode(frame, data.Length);
        Assert.True(data.AsSpan().SequenceEqual(exact.Span));
        Assert.Throws<ZarrCodecException>(() => codec.Decode(frame, data.Length - 8).Dispose());
    }

    [Fact]
    public void Zstd_frame_declaring_another_size_is_refused()
    {
        var codec = new ZstdCodec(3);
        using var encoded = codec.Encode(Make(ZarrDataType.Int32, 100));
        var ex = Assert.Throws<ZarrCodecException>(() => codec.Decode(encoded.Span, 1 << 20).Dispose());
        Assert.Contains("declares 400", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Zstd_frames_carry_their_content_size()
    {
        using var encoded = new ZstdCodec(1).Encode(Make(ZarrDataType.UInt8, 1000));
        Assert.Equal(1000UL, ZstdSharp.Decompressor.GetDecompressedSize(encoded.Span));
    }

    [Fact]
    public void Zstd_codecs_with_different_settings_on_one_thread_keep_their_own_settings()
    {
        var data = Make(ZarrDataType.Int32, 5000);
        var with = new ZstdCodec(3, checksum: true);
        var without = new ZstdCodec(3);
        foreach (var codec in new[] { with, without, with, new ZstdCodec(19), without })
        {
            using var encoded = codec.Encode(data);

            // Frame header descriptor (byte 4): bit 2 is the content checksum flag.
            Assert.Equal(codec.Checksum, (encoded.Span[4] & 0b100) != 0);
            using var decoded = codec.Decode(encoded.Span, data.Length);
            Assert.True(data.AsSpan().SequenceEqual(decoded.Span));
        }
    }

    [Fact]
    public void Every_codec_is_safe_to_share_between_threads()
    {
        var codecs = BytesCodecs(ZarrDataType.Float32).ToArray();
        var failures = 0;
        Parallel.For(0, 400, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var codec = codecs[i % codecs.Length];
            var data = Make(ZarrDataType.Float32, 100 + (i * 37 % 3000), seed: i);
            using var encoded = codec.Encode(data);
            using var decoded = codec.Decode(encoded.Span, data.Length);
            if (!decoded.Span.SequenceEqual(data))
            {
                Interlocked.Increment(ref failures);
            }
        });
        Assert.Equal(0, failures);
    }

    [Fact]
    public void Gzip_bomb_is_stopped_at_the_expected_length()
    {
        var zeros = new byte[4 << 20];
        using var encoded = new GzipCodec(9).Encode(zeros);
        Assert.True(encoded.Length < 10000);
        Assert.Throws<ZarrCodecException>(() => new GzipCodec().Decode(encoded.Span, 1024).Dispose());
    }

    [Fact]
    public void Crc32c_matches_the_known_vectors()
    {
        Assert.Equal(0xE3069283u, Crc32cCodec.Compute("123456789"u8));
        Assert.Equal(0u, Crc32cCodec.Compute([]));
        Assert.Equal(0x8A9136AAu, Crc32cCodec.Compute(new byte[32]));
        Assert.Equal(0x62A8AB43u, Crc32cCodec.Compute(Enumerable.Repeat((byte)0xFF, 32).ToArray()));
        Assert.Equal(0x46DD794Eu, Crc32cCodec.Compute(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()));
        using var encoded = new Crc32cCodec().Encode("123456789"u8);
        Assert.Equal(Convert.FromHexString("313233343536373839839206E3"), encoded.Span.ToArray());
    }

    [Fact]
    public void Crc32c_detects_every_single_bit_flip()
    {
        var codec = new Crc32cCodec();
        using var encoded = codec.Encode(Make(ZarrDataType.UInt8, 37));
        var good = encoded.Span.ToArray();
        for (var bit = 0; bit < good.Length * 8; bit++)
        {
            var bad = (byte[])good.Clone();
            bad[bit / 8] ^= (byte)(1 << (bit % 8));
            var ex = Assert.Throws<ZarrCodecException>(() => codec.Decode(bad, -1).Dispose());
            Assert.Equal("crc32c", ex.Codec);
            Assert.Contains("checksum mismatch (stored 0x", ex.Message, StringComparison.Ordinal);
            Assert.Contains(", computed 0x", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Crc32c_refuses_data_of_another_length()
    {
        var codec = new Crc32cCodec();
        using var encoded = codec.Encode(new byte[10]);
        Assert.Throws<ZarrCodecException>(() => codec.Decode(encoded.Span, 11).Dispose());
        Assert.Throws<ZarrCodecException>(() => codec.Decode([1, 2, 3], -1).Dispose());
        using var empty = codec.Decode(codec.Encode([]).Span, 0);
        Assert.Equal(0, empty.Length);
    }

    private static byte[] ZstdStreamFrame(byte[] data)
    {
        using var output = new MemoryStream();
        using (var stream = new ZstdSharp.CompressionStream(output, 3))
        {
            // Written in pieces, the stream cannot know the content size up front.
            for (var offset = 0; offset < data.Length; offset += 1000)
            {
                stream.Write(data, offset, Math.Min(1000, data.Length - offset));
            }
        }

        var frame = output.ToArray();
        Assert.Equal(ulong.MaxValue, ContentSize(frame));
        return frame;
    }

    private static unsafe ulong ContentSize(byte[] frame)
    {
        fixed (byte* p = frame)
        {
            return ZstdSharp.Unsafe.Methods.ZSTD_findDecompressedSize(p, (nuint)frame.Length);
        }
    }

    public static TheoryData<string> CodecsWithBz2() => [.. BytesCodecs(ZarrDataType.Float64).Append(new Bz2Codec(1)).Select(c => c.ToV3Json().ToJsonString())];

    [Theory]
    [MemberData(nameof(CodecsWithBz2))]
    public void Every_codec_encodes_and_decodes_into_the_callers_buffer(string json)
    {
        var codec = BytesCodecs(ZarrDataType.Float64).Append(new Bz2Codec(1)).Single(c => c.ToV3Json().ToJsonString() == json);
        foreach (var count in ElementCounts)
        {
            var data = Make(ZarrDataType.Float64, count, seed: count);
            var bound = codec.GetMaxEncodedLength(data.Length);
            Assert.True(bound < Array.MaxLength, $"{json}: no bound for {data.Length} bytes");
            var encoded = new byte[bound];
            Assert.True(codec.TryEncode(data, encoded, out var written), $"{json}: {data.Length} bytes did not fit their bound of {bound}");
            using (var reference = codec.Decode(encoded.AsSpan(0, written), data.Length))
            {
                Assert.True(data.AsSpan().SequenceEqual(reference.Span), $"{json} {count}: what TryEncode wrote does not decode to the data");
            }

            // Into a destination of exactly the size, and of more (the destination is a limit, not the size).
            var exact = new byte[data.Length];
            Assert.Equal(data.Length, codec.Decode(encoded.AsSpan(0, written), exact));
            Assert.Equal(data, exact);
            var roomy = new byte[data.Length + 100];
            Assert.Equal(data.Length, codec.Decode(encoded.AsSpan(0, written), roomy));
            Assert.True(data.AsSpan().SequenceEqual(roomy.AsSpan(0, data.Length)));

            // A destination too small is refused, naming the codec, and a too-small encode target is reported.
            if (data.Length > 0)
            {
                var small = new byte[data.Length - 1];
                var ex = Assert.Throws<ZarrCodecException>(() => codec.Decode(encoded.AsSpan(0, written), small));
                Assert.Equal(codec.Name, ex.Codec);
                Assert.False(codec.TryEncode(data, new byte[Math.Min(written - 1, 3)], out var none));
                Assert.Equal(0, none);
            }
        }
    }
}
