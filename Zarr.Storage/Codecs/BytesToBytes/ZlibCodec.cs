using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json.Nodes;
using Zarr.Storage.Buffers;

namespace Zarr.Storage.Codecs;

/// <summary>
/// numcodecs' <c>zlib</c> compressor (<c>{"id": "zlib", "level"}</c>): a zlib stream (RFC 1950) over System.IO.Compression.
/// A v2 codec; in a v3 chain it is written as zarr-python 3 writes numcodecs codecs, <c>numcodecs.zlib</c>.
/// </summary>
public sealed class ZlibCodec : IBytesToBytesCodec, IV2Compressor
{
    /// <summary>Creates the codec.</summary>
    /// <param name="level">The compression level, 0 (stored) to 9 (smallest).</param>
    /// <exception cref="ArgumentOutOfRangeException">The level is not 0 to 9.</exception>
    public ZlibCodec(int level = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(level);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, 9);
        Level = level;
    }

    private const string CodecName = "numcodecs.zlib";

    // The header (2 bytes) and the Adler-32 trailer (4) around the deflate data.
    private const int FrameBytes = 6;

    // A zlib header, an empty final fixed-Huffman block and the Adler-32 of nothing (1), as zlib itself writes it.
    private static ReadOnlySpan<byte> EmptyStream => [0x78, 0x01, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01];

    /// <summary>The compression level, 0 to 9.</summary>
    public int Level { get; }

    /// <inheritdoc />
    public string Name => CodecName;

    /// <inheritdoc />
    public JsonObject ToV3Json() => new() { ["name"] = Name, ["configuration"] = new JsonObject { ["level"] = Level } };

    /// <inheritdoc />
    public JsonObject ToV2Json() => new() { ["id"] = "zlib", ["level"] = Level };

    /// <inheritdoc />
    public PooledBuffer Encode(ReadOnlySpan<byte> decoded) => DeflateFraming.Encode(decoded, EmptyStream, Level, OpenCompressor);

    /// <inheritdoc />
    public long GetMaxEncodedLength(int decodedLength) => DeflateFraming.MaxEncodedLength(decodedLength, FrameBytes);

    /// <inheritdoc />
    public bool TryEncode(ReadOnlySpan<byte> decoded, Span<byte> destination, out int written) =>
        DeflateFraming.TryEncode(decoded, destination, out written, EmptyStream, Level, OpenCompressor);

    /// <inheritdoc />
    /// <remarks>
    /// The stream's Adler-32 trailer is checked here too: System.IO.Compression stops at the end of the deflate data,
    /// so a stream cut inside its trailer would otherwise pass.
    /// </remarks>
    public PooledBuffer Decode(ReadOnlySpan<byte> encoded, int expectedLength) => Decode(encoded, expectedLength, Array.MaxLength);

    /// <inheritdoc />
    public PooledBuffer Decode(ReadOnlySpan<byte> encoded, int expectedLength, int maxLength) =>
        DeflateFraming.Decode(encoded, expectedLength, maxLength, CodecName, OpenDecompressor, CheckTrailer);

    /// <inheritdoc />
    public int Decode(ReadOnlySpan<byte> encoded, Span<byte> destination) =>
        DeflateFraming.Decode(encoded, destination, CodecName, OpenDecompressor, CheckTrailer);

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
