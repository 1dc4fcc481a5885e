using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;
using static Zarr.Storage.Tests.Codecs.CodecTestData;

namespace Zarr.Storage.Tests.Codecs;

public class BloscCodecTests
{
    public static IEnumerable<object[]> CnameShuffle()
    {
        foreach (var c in Enum.GetValues<BloscCompressor>())
        {
            foreach (var s in Enum.GetValues<BloscShuffle>())
            {
                yield return [c, s];
            }
        }
    }

    [Theory]
    [MemberData(nameof(CnameShuffle))]
    public void Every_compressor_and_shuffle_round_trips_every_type(BloscCompressor compressor, BloscShuffle shuffle)
    {
        foreach (var type in ZarrDataType.All)
        {
            foreach (var count in new[] { 0, 1, 33, 5001 })
            {
                var codec = new BloscCodec(compressor, 5, shuffle, type.ItemSize);
                var data = Make(type, count);
                using var encoded = codec.Encode(data);
                using var decoded = codec.Decode(encoded.Span, data.Length);
                Assert.Equal(data, decoded.Span.ToArray());
                using var decodedUnknown = codec.Decode(encoded.Span, -1);
                Assert.Equal(data, decodedUnknown.Span.ToArray());
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllTypes), MemberType = typeof(CodecTestData))]
    public void Header_typesize_is_the_element_size(string typeName)
    {
        var type = Type(typeName);
        var codec = (BloscCodec)CodecRegistry.DefaultCompressor(type);
        using var encoded = codec.Encode(Make(type, 100));
        Assert.Equal(type.ItemSize, encoded.Span[3]);
        Assert.Equal(100 * type.ItemSize, BitConverter.ToInt32(encoded.Span[4..8]));
    }

    [Fact]
    public void Shuffle_actually_shuffles_multi_byte_types()
    {
        var data = new byte[4096 * 4];
        for (var i = 0; i < 4096; i++)
        {
            BitConverter.TryWriteBytes(data.AsSpan(i * 4), i);
        }

        using var shuffled = new BloscCodec(BloscCompressor.Lz4, 5, BloscShuffle.Shuffle, 4).Encode(data);
        using var plain = new BloscCodec(BloscCompressor.Lz4, 5, BloscShuffle.NoShuffle, 4).Encode(data);
        Assert.True(shuffled.Length < plain.Length, $"shuffled {shuffled.Length} bytes, plain {plain.Length}");
    }

    [Fact]
    public void A_frame_declaring_another_size_is_refused()
    {
        var codec = new BloscCodec();
        using var encoded = codec.Encode(Make(ZarrDataType.Int32, 100));
        var ex = Assert.Throws<ZarrCodecException>(() => codec.Decode(encoded.Span, 399).Dispose());
        Assert.Equal("blosc", ex.Codec);
        Assert.Contains("400", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hostile_header_is_refused_before_allocating()
    {
        var codec = new BloscCodec();
        using var encoded = codec.Encode(Make(ZarrDataType.Int32, 100));
        var bytes = encoded.Span.ToArray();
        BitConverter.TryWriteBytes(bytes.AsSpan(4), int.MaxValue - 100);
        Assert.Throws<ZarrCodecException>(() => codec.Decode(bytes, 400).Dispose());
        Assert.Throws<ZarrCodecException>(() => codec.Decode(bytes, -1).Dispose());
    }

    [Fact]
    public void Corrupt_and_truncated_frames_throw_codec_exceptions()
    {
        var codec = new BloscCodec(BloscCompressor.Lz4, 5, BloscShuffle.Shuffle, 8);
        var data = Make(ZarrDataType.Float64, 10000);
        using var encoded = codec.Encode(data);
        var good = encoded.Span.ToArray();
        for (var cut = 0; cut < good.Length; cut += Math.Max(1, good.Length / 50))
        {
            var ex = Assert.Throws<ZarrCodecException>(() => codec.Decode(good.AsSpan(0, cut), data.Length).Dispose());
            Assert.Equal("blosc", ex.Codec);
        }

        var random = new Random(7);
        for (var trial = 0; trial < 200; trial++)
        {
            var bad = (byte[])good.Clone();
            var position = random.Next(bad.Length);
            bad[position] ^= (byte)(1 + random.Next(255));
            try
            {
                using var decoded = codec.Decode(bad, data.Length);
            }
            catch (ZarrCodecException ex)
            {
                Assert.Equal("blosc", ex.Codec);
            }
        }

        Assert.Throws<ZarrCodecException>(() => codec.Decode([1, 2, 3], -1).Dispose());
        Assert.Throws<ZarrCodecException>(() => codec.Decode(new byte[64], -1).Dispose());
    }

    [Fact]
    public void V3_json_is_what_zarr_python_writes()
    {
        var codec = new BloscCodec(BloscCompressor.Lz4, 5, BloscShuffle.Shuffle, 4, 0);
        Assert.Equal("""{"name":"blosc","configuration":{"typesize":4,"cname":"lz4","clevel":5,"shuffle":"shuffle","blocksize":0}}""", codec.ToV3Json().ToJsonString());
        Assert.Equal("""{"id":"blosc","cname":"lz4","clevel":5,"shuffle":1,"blocksize":0}""", codec.ToV2Json().ToJsonString());
    }

    [Fact]
    public void Eight_threads_compress_at_once_with_different_settings()
    {
        var failures = 0;
        var threads = new Thread[8];
        for (var t = 0; t < threads.Length; t++)
        {
            var index = t;
            threads[t] = new Thread(() =>
            {
                var type = ZarrDataType.All[(index * 3) % ZarrDataType.All.Count];
                var codec = new BloscCodec((BloscCompressor)(index % 5), 1 + index, (BloscShuffle)(index % 3), type.ItemSize, index % 2 == 0 ? 0 : 8192);
                for (var i = 0; i < 60; i++)
                {
                    var data = Make(type, 1000 + (i * 997 % 20000), seed: (index * 1000) + i);
                    using var encoded = codec.Encode(data);
                    using var decoded = codec.Decode(encoded.Span, data.Length);
                    if (!decoded.Span.SequenceEqual(data))
                    {
                        Interlocked.Increment(ref failures);
                    }
                }
            });
        }

        foreach (var thread in threads)
        {
            thread.Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        Assert.Equal(0, failures);
    }
}
