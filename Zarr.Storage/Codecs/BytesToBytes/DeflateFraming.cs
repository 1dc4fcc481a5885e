using System.IO.Compression;
using Zarr.Storage.Buffers;

namespace Zarr.Storage.Codecs;

/// <summary>Checks a deflate stream's trailer (gzip's CRC-32 and length, zlib's Adler-32) against the decoded data.</summary>
/// <exception cref="ZarrCodecException">The trailer does not match.</exception>
internal delegate void TrailerCheck(ReadOnlySpan<byte> encoded, ReadOnlySpan<byte> decoded);

/// <summary>
/// What <c>gzip</c> and <c>zlib</c> share: deflate data in a frame (header and checksum trailer) run through
/// System.IO.Compression's streams, the frame of nothing written by hand (the streams write no bytes for empty input,
/// which other readers refuse), and the trailer checked after decoding (the streams stop at the end of the deflate
/// data, so a stream cut inside its trailer would otherwise pass). The codecs differ only in the stream type, their
/// empty frame and their trailer.
/// </summary>
internal static class DeflateFraming
{
    /// <summary>
    /// deflate's worst case for <paramref name="length"/> bytes plus <paramref name="frameBytes"/> of frame: stored
    /// blocks add 5 bytes per 16 KiB, and zlib-ng's fastest level up to one bit in eight; the bound covers both.
    /// </summary>
    public static long MaxEncodedLength(int length, int frameBytes) =>
        (long)length + (length >> 3) + (length >> 12) + 64 + frameBytes;

    public static PooledBuffer Encode(ReadOnlySpan<byte> decoded, ReadOnlySpan<byte> emptyFrame, int level, Func<Stream, ZLibCompressionOptions, Stream> open)
    {
        if (decoded.IsEmpty)
        {
            return PooledBuffer.CopyOf(emptyFrame);
        }

        var options = new ZLibCompressionOptions { CompressionLevel = level };
        return StreamCodecHelper.WriteAll(decoded, (decoded.Length / 2) + 64, sink => open(sink, options));
    }

    public static bool TryEncode(ReadOnlySpan<byte> decoded, Span<byte> destination, out int written, ReadOnlySpan<byte> emptyFrame, int level, Func<Stream, ZLibCompressionOptions, Stream> open)
    {
        if (decoded.IsEmpty)
        {
            written = emptyFrame.TryCopyTo(destination) ? emptyFrame.Length : 0;
            return written != 0;
        }

        var options = new ZLibCompressionOptions { CompressionLevel = level };
        return StreamCodecHelper.TryCompressInto(decoded, destination, out written, sink => open(sink, options));
    }

    public static PooledBuffer Decode(ReadOnlySpan<byte> encoded, int expectedLength, int maxLength, string codec, Func<Stream, Stream> open, TrailerCheck check)
    {
        var decoded = StreamCodecHelper.Decompress(encoded, expectedLength, maxLength, codec, open);
        try
        {
            check(encoded, decoded.Span);
            return decoded;
        }
        catch
        {
            decoded.Dispose();
            throw;
        }
    }

    public static int Decode(ReadOnlySpan<byte> encoded, Span<byte> destination, string codec, Func<Stream, Stream> open, TrailerCheck check)
    {
        var written = StreamCodecHelper.DecompressInto(encoded, destination, codec, open);
        check(encoded, destination[..written]);
        return written;
    }
}
