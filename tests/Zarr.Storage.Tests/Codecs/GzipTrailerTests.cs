using Zarr.Storage.Codecs;

namespace Zarr.Storage.Tests.Codecs;

public class GzipTrailerTests
{
    private static byte[] Data => [.. Enumerable.Range(0, 10_000).Select(i => (byte)(i * 7 % 251))];

    [Theory]
    [InlineData(8)]
    [InlineData(4)]
    [InlineData(1)]
    public void A_stream_cut_in_or_before_its_trailer_is_refused(int cut)
    {
        var codec = new GzipCodec(5);
        using var encoded = codec.Encode(Data);
        var truncated = encoded.Span[..^cut].ToArray();
        var e = Assert.Throws<ZarrCodecException>(() => codec.Decode(truncated, Data.Length).Dispose());
        Assert.Equal("gzip", e.Codec);
    }

    [Fact]
    public void A_wrong_crc_is_refused_and_named()
    {
        var codec = new GzipCodec(5);
        using var encoded = codec.Encode(Data);
        var damaged = encoded.Span.ToArray();
        damaged[^6] ^= 0x40;
        var e = Assert.Throws<ZarrCodecException>(() => codec.Decode(damaged, -1).Dispose());
        Assert.Contains("corrupt", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_intact_stream_and_the_empty_stream_decode()
    {
        var codec = new GzipCodec(1);
        using var encoded = codec.Encode(Data);
        using var decoded = codec.Decode(encoded.Span, Data.Length);
        Assert.Equal(Data, decoded.Span.ToArray());
        using var empty = codec.Encode([]);
        using var nothing = codec.Decode(empty.Span, 0);
        Assert.Equal(0, nothing.Length);
    }
}
