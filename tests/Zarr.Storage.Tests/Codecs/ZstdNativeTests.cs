using Zarr.Storage.Codecs;
using Zarr.Storage.Native;
using static Zarr.Storage.Tests.Codecs.CodecTestData;

namespace Zarr.Storage.Tests.Codecs;

/// <summary>
/// The zstd codec over the native libzstd (issue 18): it is the one used on Debian, its frames are the format ZstdSharp
/// (the fallback) reads and writes, and its failures are the codec's typed errors.
/// </summary>
public class ZstdNativeTests
{
    public ZstdNativeTests()
    {
        Assert.True(ZstdNative.IsAvailable, "libzstd.so.1 did not load: apt-get install -y libzstd1 (and leave ZARR_ZSTD unset)");
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(-5, false)]
    [InlineData(3, true)]
    [InlineData(19, false)]
    public void Native_frames_and_ZstdSharp_frames_read_each_other(int level, bool checksum)
    {
        var codec = new ZstdCodec(level, checksum);
        foreach (var count in new[] { 0, 1, 4097, 300_000 })
        {
            var data = Make(ZarrDataType.UInt16, count, seed: count + level);
            using var native = codec.Encode(data);
            Assert.Equal((ulong)data.Length, ZstdSharp.Decompressor.GetDecompressedSize(native.Span));
            Assert.Equal(checksum, (native.Span[4] & 0b100) != 0);
            using (var managed = new ZstdSharp.Decompressor())
            {
                Assert.True(data.AsSpan().SequenceEqual(managed.Unwrap(native.Span)), $"ZstdSharp reading libzstd's frame, {count} elements");
            }

            using var compressor = new ZstdSharp.Compressor(level);
            var foreign = compressor.Wrap(data).ToArray();
            using var decoded = codec.Decode(foreign, data.Length);
            Assert.True(data.AsSpan().SequenceEqual(decoded.Span), $"libzstd reading ZstdSharp's frame, {count} elements");
        }
    }

    [Fact]
    public void Two_frames_back_to_back_decode_as_one_chunk()
    {
        var codec = new ZstdCodec(1);
        var a = Make(ZarrDataType.Int32, 1000, seed: 1);
        var b = Make(ZarrDataType.Int32, 500, seed: 2);
        using var first = codec.Encode(a);
        using var second = codec.Encode(b);
        var both = first.Span.ToArray().Concat(second.Span.ToArray()).ToArray();
        using var decoded = codec.Decode(both, a.Length + b.Length);
        Assert.True(a.Concat(b).ToArray().AsSpan().SequenceEqual(decoded.Span));
    }

    [Fact]
    public void A_corrupt_frame_is_a_codec_error_naming_libzstd()
    {
        var codec = new ZstdCodec(3, checksum: true);
        var data = Make(ZarrDataType.Float64, 5000, seed: 7);
        using var encoded = codec.Encode(data);
        var damaged = encoded.Span.ToArray();
        damaged[^2] ^= 0x55; // inside the content checksum
        var ex = Assert.Throws<ZarrCodecException>(() => codec.Decode(damaged, data.Length).Dispose());
        Assert.Contains("libzstd", ex.Message, StringComparison.Ordinal);
        Assert.Equal("zstd", ex.Codec);

        var truncated = encoded.Span[..^10].ToArray();
        Assert.Throws<ZarrCodecException>(() => codec.Decode(truncated, data.Length).Dispose());
    }

    [Fact]
    public void A_destination_too_small_is_false_and_the_thread_compresses_on_correctly()
    {
        var codec = new ZstdCodec(3);
        var data = Make(ZarrDataType.Int64, 20000, seed: 3);
        var small = new byte[64];
        Assert.False(codec.TryEncode(data, small, out var written));
        Assert.Equal(0, written);

        var room = new byte[codec.GetMaxEncodedLength(data.Length)];
        Assert.True(codec.TryEncode(data, room, out written));
        using var decoded = codec.Decode(room.AsSpan(0, written), data.Length);
        Assert.True(data.AsSpan().SequenceEqual(decoded.Span));
    }
}
