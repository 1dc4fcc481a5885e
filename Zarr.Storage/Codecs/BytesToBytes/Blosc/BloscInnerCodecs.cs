using System.Buffers.Binary;
using System.IO.Compression;
using K4os.Compression.LZ4;
using ZstdSharp;

namespace Zarr.Storage.Codecs;

/// <summary>
/// The compressors blosc runs on each stream of a block, with c-blosc 1.x's meaning of the level: blosclz
/// (<see cref="BloscLz"/>), lz4 (K4os, LZ4's fast mode with acceleration <c>10 − clevel</c>), lz4hc (K4os, HC level =
/// clevel, at least 3), zlib
/// (System.IO.Compression's zlib-ng, level = clevel, at least 2) and zstd (ZstdSharp, level <c>2·clevel − 1</c>, 22 for 9). Compressing
/// returns 0 when the result does not fit (the caller stores the stream as it is); decompressing returns the number
/// of bytes written, or -1 when the stream is corrupt. zstd contexts are kept per thread.
/// </summary>
internal static class BloscInnerCodecs
{
    /// <summary>The compressor format a frame's flags record for a compressor (lz4 and lz4hc share one).</summary>
    public static int FormatOf(BloscCompressor compressor) => compressor switch
    {
        BloscCompressor.BloscLz => 0,
        BloscCompressor.Lz4 or BloscCompressor.Lz4Hc => 1,
        BloscCompressor.Zlib => 3,
        BloscCompressor.Zstd => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(compressor), compressor, "not a blosc compressor"),
    };

    /// <summary>The zstd level c-blosc 1.x uses for a blosc level (1..9).</summary>
    public static int ZstdLevel(int clevel) => clevel < 9 ? (2 * clevel) - 1 : 22;

    [ThreadStatic]
    private static Compressor? _zstdCompressor;

    [ThreadStatic]
    private static Decompressor? _zstdDecompressor;

    /// <summary>Compresses one stream; 0 when it does not fit into <paramref name="destination"/>.</summary>
    public static int Compress(BloscCompressor compressor, int clevel, ReadOnlySpan<byte> source, Span<byte> destination)
    {
        switch (compressor)
        {
            case BloscCompressor.BloscLz:
                return BloscLz.Compress(clevel, source, destination);
            case BloscCompressor.Lz4:
                return Lz4Compress(10 - clevel, source, destination);
            case BloscCompressor.Lz4Hc:
                return Math.Max(0, LZ4Codec.Encode(source, destination, (LZ4Level)Math.Clamp(clevel, 3, 12)));
            case BloscCompressor.Zlib:
                // System.IO.Compression is zlib-ng, whose level 1 is its "quick" mode: streams 1.2 to 3 times zlib's level
                // 1 on 256 KiB blocks of integers and floats. Its level 2 comes closer (0.76 to 1.8 times).
                return ZlibCompress(Math.Max(clevel, 2), source, destination);
            case BloscCompressor.Zstd:
                var zstd = _zstdCompressor ??= new Compressor(ZstdLevel(clevel));
                var level = ZstdLevel(clevel);
                if (zstd.Level != level)
                {
                    zstd.Level = level;
                }

                try
                {
                    return zstd.TryWrap(source, destination, out var written) ? written : 0;
                }
                catch (ZstdException)
                {
                    return 0;
                }

            default:
                throw new ArgumentOutOfRangeException(nameof(compressor), compressor, "not a blosc compressor");
        }
    }

    /// <summary>
    /// Decompresses one stream of compressor format <paramref name="format"/> into <paramref name="destination"/>;
    /// returns the bytes written, -1 when the stream is corrupt or decodes to more than the destination holds.
    /// </summary>
    public static int Decompress(int format, ReadOnlySpan<byte> source, Span<byte> destination)
    {
        switch (format)
        {
            case 0:
                return BloscLz.Decompress(source, destination);
            case 1:
                return source.IsEmpty ? -1 : LZ4Codec.Decode(source, destination);
            case 3:
                return ZlibDecompress(source, destination);
            case 4:
                try
                {
                    return (_zstdDecompressor ??= new Decompressor()).TryUnwrap(source, destination, out var written) ? written : -1;
                }
                catch (ZstdException)
                {
                    return -1;
                }

            default:
                return -1;
        }
    }

    /// <summary>
    /// LZ4's fast mode with an acceleration, as c-blosc calls it (K4os's <c>LZ4Codec.Encode</c> has acceleration 1 only,
    /// which compresses noisy data several times slower). K4os exposes the accelerated compressor as a streaming one
    /// (<c>Pubternal.CompressFast</c>); on a fresh context its first block is an independent LZ4 block, so each stream
    /// gets a fresh context (16 KiB of unmanaged table, freed at once).
    /// </summary>
    private static unsafe int Lz4Compress(int acceleration, ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (source.IsEmpty)
        {
            return 0;
        }

        using var context = new K4os.Compression.LZ4.Engine.Pubternal.FastContext();
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            return Math.Max(0, K4os.Compression.LZ4.Engine.Pubternal.CompressFast(context, src, dst, source.Length, destination.Length, acceleration));
        }
    }

    private static unsafe int ZlibCompress(int clevel, ReadOnlySpan<byte> source, Span<byte> destination)
    {
        fixed (byte* dst = destination)
        {
            using var sink = new UnmanagedMemoryStream(dst, 0, destination.Length, FileAccess.Write);
            try
            {
                using (var zlib = new ZLibStream(sink, new ZLibCompressionOptions { CompressionLevel = clevel }, leaveOpen: true))
                {
                    zlib.Write(source);
                }

                return (int)sink.Position;
            }
            catch (NotSupportedException)
            {
                return 0; // the stream would not fit: UnmanagedMemoryStream refuses to grow
            }
            catch (IOException)
            {
                return 0;
            }
        }
    }

    private static unsafe int ZlibDecompress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        // A zlib stream is at least a 2-byte header, an empty deflate block and the 4-byte Adler-32.
        if (source.Length < 7)
        {
            return -1;
        }

        fixed (byte* src = source)
        {
            using var input = new UnmanagedMemoryStream(src, source.Length);
            try
            {
                using var zlib = new ZLibStream(input, CompressionMode.Decompress);
                var written = 0;
                while (written < destination.Length)
                {
                    var n = zlib.Read(destination[written..]);
                    if (n == 0)
                    {
                        break;
                    }

                    written += n;
                }

                // zlib's uncompress() fails when the stream holds more than the destination; so does this.
                Span<byte> probe = stackalloc byte[1];
                if (zlib.Read(probe) != 0)
                {
                    return -1;
                }

                // The stream ends with the Adler-32 of its content, which System.IO.Compression does not check when the
                // data stops right at (or inside) it.
                var stored = BinaryPrimitives.ReadUInt32BigEndian(source[^4..]);
                return stored == ZlibCodec.Adler32(destination[..written]) ? written : -1;
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                // IOException: zlib's own error codes on some corrupt streams (ZLibException), found by AFL++.
                return -1;
            }
        }
    }
}
