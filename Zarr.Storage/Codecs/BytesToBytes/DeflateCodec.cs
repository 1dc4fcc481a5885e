using System.IO.Compression;
using System.Text.Json.Nodes;
using Zarr.Storage.Buffers;

namespace Zarr.Storage.Codecs;

/// <summary>Checks a deflate stream's trailer (gzip's CRC-32 and length, zlib's Adler-32) against the decoded data.</summary>
/// <exception cref="ZarrCodecException">The trailer does not match.</exception>
internal delegate void TrailerCheck(ReadOnlySpan<byte> encoded, ReadOnlySpan<byte> decoded);

/// <summary>
/// What <see cref="GzipCodec"/> and <see cref="ZlibCodec"/> share: deflate data in a frame (header and checksum
/// trailer) run through System.IO.Compression's streams at a level of 0 to 9.
/// </summary>
/// <remarks>
/// The frame of nothing is written by hand (the streams write no bytes for empty input, which other readers refuse),
/// and the trailer is checked after decoding (the streams stop at the end of the deflate data, so a stream cut inside
/// its trailer would otherwise pass). The codecs differ only in the stream type, their empty frame and their trailer.
/// </remarks>
public abstract class DeflateCodec : IBytesToBytesCodec, IV2Compressor
{
    private readonly int _frameBytes;
    private readonly byte[] _emptyFrame;
    private readonly Func<Stream, ZLibCompressionOptions, Stream> _openCompressor;
    private readonly Func<Stream, Stream> _openDecompressor;
    private readonly TrailerCheck _checkTrailer;

    /// <summary>The frame's streams and trailer check come from the derived codec (static, so nothing is made per chunk).</summary>
    private protected DeflateCodec(
        string name,
        int level,
        int frameBytes,
        byte[] emptyFrame,
        Func<Stream, ZLibCompressionOptions, Stream> openCompressor,
        Func<Stream, Stream> openDecompressor,
        TrailerCheck checkTrailer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(level);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, 9);
        Name = name;
        Level = level;
        _frameBytes = frameBytes;
        _emptyFrame = emptyFrame;
        _openCompressor = openCompressor;
        _openDecompressor = openDecompressor;
        _checkTrailer = checkTrailer;
    }

    /// <summary>The compression level, 0 to 9.</summary>
    public int Level { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public JsonObject ToV3Json() => CodecRegistry.Default.WriteV3(this);

    /// <inheritdoc />
    public JsonObject ToV2Json() => CodecRegistry.Default.WriteV2(this);

    /// <inheritdoc />
    public PooledBuffer Encode(ReadOnlySpan<byte> decoded)
    {
        if (decoded.IsEmpty)
        {
            return PooledBuffer.CopyOf(_emptyFrame);
        }

        var options = new ZLibCompressionOptions { CompressionLevel = Level };
        return StreamCodecHelper.WriteAll(decoded, (decoded.Length / 2) + 64, sink => _openCompressor(sink, options));
    }

    /// <inheritdoc />
    /// <remarks>
    /// deflate's worst case plus the frame: stored blocks add 5 bytes per 16 KiB, and zlib-ng's fastest level up to
    /// one bit in eight; the bound covers both.
    /// </remarks>
    public long GetMaxEncodedLength(int decodedLength) =>
        (long)decodedLength + (decodedLength >> 3) + (decodedLength >> 12) + 64 + _frameBytes;

    /// <inheritdoc />
    public bool TryEncode(ReadOnlySpan<byte> decoded, Span<byte> destination, out int written)
    {
        if (decoded.IsEmpty)
        {
            written = _emptyFrame.AsSpan().TryCopyTo(destination) ? _emptyFrame.Length : 0;
            return written != 0;
        }

        var options = new ZLibCompressionOptions { CompressionLevel = Level };
        return StreamCodecHelper.TryCompressInto(decoded, destination, out written, sink => _openCompressor(sink, options));
    }

    /// <inheritdoc />
    /// <remarks>The frame's trailer is checked against the decoded data.</remarks>
    public PooledBuffer Decode(ReadOnlySpan<byte> encoded, int expectedLength) => Decode(encoded, expectedLength, Array.MaxLength);

    /// <inheritdoc />
    public PooledBuffer Decode(ReadOnlySpan<byte> encoded, int expectedLength, int maxLength)
    {
        var decoded = StreamCodecHelper.Decompress(encoded, expectedLength, maxLength, Name, _openDecompressor);
        try
        {
            _checkTrailer(encoded, decoded.Span);
            return decoded;
        }
        catch
        {
            decoded.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public int Decode(ReadOnlySpan<byte> encoded, Span<byte> destination)
    {
        var written = StreamCodecHelper.DecompressInto(encoded, destination, Name, _openDecompressor);
        _checkTrailer(encoded, destination[..written]);
        return written;
    }
}
