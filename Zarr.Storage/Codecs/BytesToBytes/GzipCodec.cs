using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using Zarr.Storage.Internal;

namespace Zarr.Storage.Codecs;

/// <summary>The <c>gzip</c> codec (v3 <c>{"level"}</c>, numcodecs <c>{"id": "gzip", "level"}</c>) over System.IO.Compression.</summary>
/// <remarks>
/// The member's trailer (CRC-32 and length of the data, RFC 1952) is checked after decoding. Zarr writers produce one
/// gzip member per chunk; a multi-member stream fails this check.
/// </remarks>
public sealed class GzipCodec : DeflateCodec
{
    private const string CodecName = "gzip";

    // The header (10 bytes) and trailer (8) around the deflate data.
    private const int FrameBytes = 18;

    // A gzip header (no name, mtime 0), an empty final block, CRC-32 0 and size 0, as zlib itself writes it.
    private static readonly byte[] EmptyStream = [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];

    /// <summary>Creates the codec.</summary>
    /// <param name="level">The compression level, 0 (stored) to 9 (smallest).</param>
    /// <exception cref="ArgumentOutOfRangeException">The level is not 0 to 9.</exception>
    public GzipCodec(int level = 5)
        : base(CodecName, level, FrameBytes, EmptyStream, OpenCompressor, OpenDecompressor, CheckTrailer)
    {
    }

    private static Stream OpenCompressor(Stream sink, ZLibCompressionOptions options) => new GZipStream(sink, options, leaveOpen: true);

    private static Stream OpenDecompressor(Stream source) => new GZipStream(source, CompressionMode.Decompress);

    private static void CheckTrailer(ReadOnlySpan<byte> encoded, ReadOnlySpan<byte> decoded)
    {
        if (encoded.Length < 18)
        {
            throw new ZarrCodecException(CodecName, string.Create(CultureInfo.InvariantCulture, $"{encoded.Length} bytes cannot hold a gzip header and trailer; the chunk is truncated"));
        }

        var storedCrc = BinaryPrimitives.ReadUInt32LittleEndian(encoded[^8..]);
        var storedLength = BinaryPrimitives.ReadUInt32LittleEndian(encoded[^4..]);
        var crc = Crc32.Compute(decoded);
        if (storedCrc != crc || storedLength != (uint)decoded.Length)
        {
            throw new ZarrCodecException(CodecName, string.Create(CultureInfo.InvariantCulture, $"the gzip trailer does not match the data (stored CRC-32 0x{storedCrc:X8} and length {storedLength}, computed 0x{crc:X8} and {(uint)decoded.Length}): the chunk is truncated or corrupt"));
        }
    }
}
