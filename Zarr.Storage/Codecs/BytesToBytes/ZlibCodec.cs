using System.IO.Compression;
using System.Text.Json.Nodes;
using Zarr.Storage.Buffers;

namespace Zarr.Storage.Codecs.BytesToBytes;

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

    /// <summary>The compression level, 0 to 9.</summary>
    public int Level { get; }

    /// <inheritdoc />
    public string Name => "numcodecs.zlib";

    /// <inheritdoc />
    public JsonObject ToV3Json() => new() { ["name"] = Name, ["configuration"] = new JsonObject { ["level"] = Level } };

    /// <inheritdoc />
    public JsonObject ToV2Json() => new() { ["id"] = "zlib", ["level"] = Level };

    /// <inheritdoc />
    public PooledBuffer Encode(ReadOnlySpan<byte> decoded)
    {
        var options = new ZLibCompressionOptions { CompressionLevel = Level };
        return StreamCodecHelper.WriteAll(decoded, (decoded.Length / 2) + 64, sink => new ZLibStream(sink, options, leaveOpen: true));
    }

    /// <inheritdoc />
    public unsafe PooledBuffer Decode(ReadOnlySpan<byte> encoded, int expectedLength)
    {
        fixed (byte* data = encoded)
        {
            using var source = StreamCodecHelper.OpenPinned(data, encoded.Length);
            using var zlib = new ZLibStream(source, CompressionMode.Decompress);
            return StreamCodecHelper.ReadAll(zlib, expectedLength, encoded.Length, Name);
        }
    }
}
