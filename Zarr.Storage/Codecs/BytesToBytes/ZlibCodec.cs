using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;

namespace Zarr.Storage.Codecs;

/// <summary>
/// numcodecs' <c>zlib</c> compressor (<c>{"id": "zlib", "level"}</c>): a zlib stream (RFC 1950) over System.IO.Compression.
/// A v2 codec; in a v3 chain it is written as zarr-python 3 writes numcodecs codecs, <c>numcodecs.zlib</c>.
/// </summary>
public sealed class ZlibCodec : DeflateCodec
{
    private const string CodecName = "numcodecs.zlib";

    // The header (2 bytes) and the Adler-32 trailer (4) around the deflate data.
    private const int FrameBytes = 6;

    // A zlib header, an empty final fixed-Huffman block and the Adler-32 of nothing (1), as zlib itself writes it.
    private static readonly byte[] EmptyStream = [0x78, 0x01, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01];

    /// <summary>Creates the codec.</summary>
    /// <param name="level">The compression level, 0 (stored) to 9 (smallest).</param>
    /// <exception cref="ArgumentOutOfRangeException">The level is not 0 to 9.</exception>
    public ZlibCodec(int level = 1)
        : base(CodecName, level, FrameBytes, EmptyStream, OpenCompressor, OpenDecompressor, CheckTrailer)
    {
    }

    private static Stream OpenCompressor(Stream sink, ZLibCompressionOptions options) => new ZLibStream(sink, options, leaveOpen: true);

    private static Stream OpenDecompressor(Stream source) => new ZLibStream(source, CompressionMode.Decompress);

    private static void CheckTrailer(ReadOnlySpan<byte> encoded, ReadOnlySpan<byte> decoded)
    {
        var stored = encoded.Length >= 6 ? BinaryPrimitives.ReadUInt32BigEndian(encoded[^4..]) : 0;
        var computed = Adler32(decoded);
        if (stored != computed)
        {
            throw new ZarrCodecException(CodecName, string.Create(CultureInfo.InvariantCulture, $"the stream is truncated or corrupt: Adler-32 mismatch (stored 0x{stored:X8}, computed 0x{computed:X8})"));
        }
    }

    /// <summary>The Adler-32 checksum (RFC 1950) of <paramref name="data"/>.</summary>
    internal static uint Adler32(ReadOnlySpan<byte> data)
    {
        const uint modulus = 65521;
        const int block = 5552; // the most bytes before the sums can overflow 32 bits
        uint a = 1, b = 0;
        while (!data.IsEmpty)
        {
            var chunk = data[..Math.Min(block, data.Length)];
            foreach (var x in chunk)
            {
                a += x;
                b += a;
            }

            a %= modulus;
            b %= modulus;
            data = data[chunk.Length..];
        }

        return (b << 16) | a;
    }
}
