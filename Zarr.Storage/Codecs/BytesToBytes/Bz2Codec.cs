using System.Globalization;
using System.Text.Json.Nodes;
using ICSharpCode.SharpZipLib;
using ICSharpCode.SharpZipLib.BZip2;
using Zarr.Storage.Buffers;

namespace Zarr.Storage.Codecs;

/// <summary>
/// numcodecs' <c>bz2</c> compressor (<c>{"id": "bz2", "level": 9}</c>): one bzip2 stream (<c>BZh</c> and the block size),
/// as Python's <c>bz2.compress</c> writes it, over SharpZipLib. A v2 codec; in a v3 chain it is written as zarr-python 3
/// writes numcodecs codecs, <c>numcodecs.bz2</c>.
/// </summary>
public sealed class Bz2Codec : IBytesToBytesCodec, IV2Compressor
{
    /// <summary>Creates the codec.</summary>
    /// <param name="level">The compression level, 1 to 9: the block size in units of 100 kB (numcodecs' default is 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">The level is not 1 to 9.</exception>
    public Bz2Codec(int level = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(level, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, 9);
        Level = level;
    }

    /// <summary>The compression level (block size in 100 kB units), 1 to 9.</summary>
    public int Level { get; }

    /// <inheritdoc />
    public string Name => "numcodecs.bz2";

    /// <inheritdoc />
    public JsonObject ToV3Json() => CodecRegistry.Default.WriteV3(this);

    /// <inheritdoc />
    public JsonObject ToV2Json() => CodecRegistry.Default.WriteV2(this);

    /// <inheritdoc />
    public PooledBuffer Encode(ReadOnlySpan<byte> decoded)
    {
        try
        {
            return StreamCodecHelper.WriteAll(decoded, (decoded.Length / 4) + 64, sink => new BZip2OutputStream(sink, Level) { IsStreamOwner = false });
        }
        catch (SharpZipBaseException ex)
        {
            throw new ZarrCodecException(Name, $"bzip2 compression failed: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    /// <remarks>bzip2's worst case: 1% and 600 bytes over the input (bzip2's own documentation), with room to spare.</remarks>
    public long GetMaxEncodedLength(int decodedLength) => (long)decodedLength + (decodedLength / 50) + 1024;

    /// <inheritdoc />
    public bool TryEncode(ReadOnlySpan<byte> decoded, Span<byte> destination, out int written)
    {
        try
        {
            return StreamCodecHelper.TryCompressInto(decoded, destination, out written, sink => new BZip2OutputStream(sink, Level) { IsStreamOwner = false });
        }
        catch (SharpZipBaseException ex)
        {
            throw new ZarrCodecException(Name, $"bzip2 compression failed: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    /// <remarks>The stream's header is checked before anything is allocated, and its CRCs as it is read.</remarks>
    public PooledBuffer Decode(ReadOnlySpan<byte> encoded, int expectedLength) => Decode(encoded, expectedLength, Array.MaxLength);

    /// <inheritdoc />
    public PooledBuffer Decode(ReadOnlySpan<byte> encoded, int expectedLength, int maxLength)
    {
        CheckHeader(encoded);
        try
        {
            return StreamCodecHelper.Decompress(encoded, expectedLength, maxLength, Name, OpenDecompressor);
        }
        catch (SharpZipBaseException ex)
        {
            throw Corrupt(ex);
        }
    }

    /// <inheritdoc />
    public int Decode(ReadOnlySpan<byte> encoded, Span<byte> destination)
    {
        CheckHeader(encoded);
        try
        {
            return StreamCodecHelper.DecompressInto(encoded, destination, Name, OpenDecompressor);
        }
        catch (SharpZipBaseException ex)
        {
            throw Corrupt(ex);
        }
    }

    private static Stream OpenDecompressor(Stream source) => new BZip2InputStream(source) { IsStreamOwner = false };

    private void CheckHeader(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length < 14 || encoded[0] != 'B' || encoded[1] != 'Z' || encoded[2] != 'h' || encoded[3] is < (byte)'1' or > (byte)'9')
        {
            var head = Convert.ToHexString(encoded[..Math.Min(encoded.Length, 4)]);
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"not a bzip2 stream: {encoded.Length} bytes starting 0x{head}; a bzip2 stream starts \"BZh1\" to \"BZh9\" and is at least 14 bytes"));
        }
    }

    private ZarrCodecException Corrupt(SharpZipBaseException ex) => new(Name, $"the bzip2 data is corrupt or truncated: {ex.Message}", ex);
}
