using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;

namespace Zarr.Storage.Codecs;

/// <summary>
/// The c-blosc 1.x frame format in C#: a 16-byte header (<see cref="BloscFrameHeader"/>), then either the data as it
/// is ("memcpyed") or one 32-bit offset per block followed by the blocks. Each block is shuffled (byte or bit), then
/// split into one stream per byte of the type when the frame allows it, and each stream stored as its compressed size
/// and the compressed bytes (or the bytes as they are when the size equals the stream's). One thread per frame, as
/// c-blosc with one internal thread: the parallelism comes from many chunks at once. Scratch blocks are pooled.
/// <para>Decoding reads what c-blosc 1.x reads, with its checks (every offset and size inside the frame, every stream
/// decoding to exactly its size). Encoding writes frames c-blosc reads: the same block sizes, splits and flags as
/// c-blosc 1.21 (split mode "forward compatible"); the compressed streams themselves differ from c-blosc's where the
/// compressor implementations differ (see <see cref="BloscInnerCodecs"/>).</para>
/// </summary>
internal static class ManagedBlosc
{
    /// <summary>Blocks below this size are not split, and frames below it are stored as they are (<c>MIN_BUFFERSIZE</c>).</summary>
    private const int MinBufferSize = 128;

    /// <summary>Types wider than this are never split (<c>MAX_SPLITS</c>).</summary>
    private const int MaxSplits = 16;

    private const int L1 = 32 * 1024;

    private const string Codec = "blosc";

    /// <summary>
    /// Compresses <paramref name="source"/> into a frame in <paramref name="destination"/> and returns its size, or 0 when
    /// it does not fit (a destination of <c>source.Length + 16</c> bytes always fits: incompressible data is then
    /// stored as it is).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of range.</exception>
    public static int Compress(int clevel, BloscShuffle shuffle, int typeSize, BloscCompressor compressor, int forcedBlockSize, ReadOnlySpan<byte> source, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(clevel);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(clevel, 9);
        ArgumentOutOfRangeException.ThrowIfLessThan(typeSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(forcedBlockSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(source.Length, BloscFrameHeader.MaxDecodedSize);
        if (destination.Length < BloscFrameHeader.Size)
        {
            return 0;
        }

        if (typeSize > 255)
        {
            typeSize = 1; // as c-blosc: the buffer is then a stream of bytes
        }

        var nbytes = source.Length;
        var blockSize = ComputeBlockSize(compressor, clevel, typeSize, nbytes, forcedBlockSize);
        var flags = (byte)(BloscInnerCodecs.FormatOf(compressor) << 5);
        flags |= shuffle switch
        {
            BloscShuffle.Shuffle => BloscFrameHeader.ByteShuffleFlag,
            BloscShuffle.BitShuffle => BloscFrameHeader.BitShuffleFlag,
            _ => 0,
        };
        if (!SplitsBlocks(compressor, typeSize, blockSize))
        {
            flags |= BloscFrameHeader.NotSplitFlag;
        }

        var header = new BloscFrameHeader(BloscFrameHeader.FormatVersion, BloscFrameHeader.CompressorFormatVersion, flags, (byte)typeSize, (uint)nbytes, (uint)blockSize, 0);
        if (clevel > 0 && nbytes >= MinBufferSize)
        {
            var written = CompressBlocks(header, clevel, compressor, source, destination);
            if (written > 0)
            {
                (header with { FrameSize = (uint)written }).Write(destination);
                return written;
            }
        }

        // Level 0, a buffer too small to compress, or data that does not compress: the bytes as they are.
        if ((long)nbytes + BloscFrameHeader.Size > destination.Length)
        {
            return 0;
        }

        var total = nbytes + BloscFrameHeader.Size;
        (header with { Flags = (byte)(flags | BloscFrameHeader.MemcpyedFlag), FrameSize = (uint)total }).Write(destination);
        source.CopyTo(destination[BloscFrameHeader.Size..]);
        return total;
    }

    /// <summary>
    /// Decompresses <paramref name="frame"/>, whose header <see cref="BloscFrameHeader.Validate"/> returned, into
    /// <paramref name="destination"/> (exactly <c>nbytes</c> long).
    /// </summary>
    /// <exception cref="ZarrCodecException">The frame is corrupt: the message names the block, the stream and what was wrong.</exception>
    public static void Decompress(ReadOnlySpan<byte> frame, in BloscFrameHeader header, Span<byte> destination)
    {
        var nbytes = (int)header.DecodedSize;
        if (destination.Length != nbytes)
        {
            throw new ArgumentException("the destination must be exactly the decompressed size", nameof(destination));
        }

        if (nbytes == 0)
        {
            return;
        }

        if (header.IsMemcpyed)
        {
            frame.Slice(BloscFrameHeader.Size, nbytes).CopyTo(destination);
            return;
        }

        if (header.CompressorFormat == 2)
        {
            throw new ZarrCodecException(Codec, "the frame's streams are snappy, which the managed blosc does not implement (nor does the Zarr blosc codec allow it); the native c-blosc library reads them where it was built with snappy");
        }

        var blockSize = (int)header.BlockSize;
        var typeSize = (int)header.TypeSize;
        var blocks = header.BlockCount;
        var byteShuffled = header.IsByteShuffled && typeSize > 1;
        byte[]? scratch = null;
        try
        {
            for (var j = 0; j < blocks; j++)
            {
                var start = j * blockSize;
                var size = Math.Min(blockSize, nbytes - start);
                var last = size < blockSize;
                var bitShuffled = !byteShuffled && header.IsBitShuffled && size >= typeSize;
                var target = destination.Slice(start, size);
                if (byteShuffled || bitShuffled)
                {
                    scratch ??= ArrayPool<byte>.Shared.Rent(2 * blockSize);
                    target = scratch.AsSpan(0, size);
                }

                DecompressBlock(frame, header, j, last, target);
                if (byteShuffled)
                {
                    ByteShuffle.Unshuffle(typeSize, target, destination.Slice(start, size));
                }
                else if (bitShuffled)
                {
                    BitShuffle.Unshuffle(typeSize, target, destination.Slice(start, size), scratch.AsSpan(blockSize, size));
                }
            }
        }
        finally
        {
            if (scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }
    }

    /// <summary>
    /// Checks, without decompressing, that every block offset and stream size of <paramref name="frame"/> lies inside it
    /// and that each stream could decode to its share of the block (an LZ77 stream expands at most about 255-fold, a
    /// zlib stream 1032-fold, a zstd frame at most to the size it declares): the frame's declared size is then backed by
    /// its data, and a buffer of that size may be allocated for it when the caller does not know the size to expect.
    /// </summary>
    /// <exception cref="ZarrCodecException">The frame's sizes do not hold together.</exception>
    public static void CheckPlausible(ReadOnlySpan<byte> frame, in BloscFrameHeader header)
    {
        if (header.DecodedSize == 0 || header.IsMemcpyed)
        {
            return;
        }

        var nbytes = (int)header.DecodedSize;
        var blockSize = (int)header.BlockSize;
        for (var j = 0; j < header.BlockCount; j++)
        {
            var size = Math.Min(blockSize, nbytes - (j * blockSize));
            var (splits, streamSize) = Streams(header, size, size < blockSize);
            var offset = BlockOffset(frame, header, j);
            for (var s = 0; s < splits; s++)
            {
                var stream = Stream(frame, header, j, s, ref offset);
                if (stream.Length != streamSize && MaxExpansion(header.CompressorFormat, stream) < streamSize)
                {
                    throw Corrupt(j, s, Invariant($"{stream.Length} compressed {header.CompressorFormatName} bytes cannot decode to the {streamSize} bytes the frame declares"));
                }
            }
        }
    }

    /// <summary>
    /// c-blosc 1.21's block size for these parameters (<c>compute_blocksize</c>): 32 KiB scaled by level and
    /// compressor, enlarged for split blocks, never above the buffer, a multiple of the type size; a forced size is
    /// clamped to 128 bytes and up.
    /// </summary>
    internal static int ComputeBlockSize(BloscCompressor compressor, int clevel, int typeSize, int nbytes, int forcedBlockSize)
    {
        if (nbytes < typeSize)
        {
            return 1;
        }

        var highRatio = compressor is BloscCompressor.Lz4Hc or BloscCompressor.Zlib or BloscCompressor.Zstd;
        var blockSize = nbytes;
        if (forcedBlockSize > 0)
        {
            blockSize = Math.Clamp(forcedBlockSize, MinBufferSize, BloscFrameHeader.MaxBlockSize);
        }
        else if (nbytes >= L1)
        {
            blockSize = L1 * (highRatio ? 2 : 1);
            blockSize = clevel switch
            {
                0 => blockSize / 4,
                1 => blockSize / 2,
                2 => blockSize,
                3 => blockSize * 2,
                4 or 5 => blockSize * 4,
                6 or 7 or 8 => blockSize * 8,
                _ => blockSize * (highRatio ? 16 : 8),
            };
        }

        if (clevel > 0 && SplitsBlocks(compressor, typeSize, blockSize))
        {
            blockSize = Math.Clamp(Math.Min(blockSize, 1 << 18) * typeSize, 1 << 16, 1 << 20);
        }

        blockSize = Math.Min(blockSize, nbytes);
        if (blockSize > typeSize)
        {
            blockSize = blockSize / typeSize * typeSize;
        }

        return blockSize;
    }

    /// <summary>Whether c-blosc 1.21 splits the blocks (split mode "forward compatible": never for zstd).</summary>
    private static bool SplitsBlocks(BloscCompressor compressor, int typeSize, int blockSize) =>
        compressor != BloscCompressor.Zstd && typeSize <= MaxSplits && blockSize / typeSize >= MinBufferSize;

    /// <summary>Writes the block offsets and blocks after the header; returns the frame's size, or 0 when it does not fit.</summary>
    private static int CompressBlocks(in BloscFrameHeader header, int clevel, BloscCompressor compressor, ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var nbytes = source.Length;
        var blockSize = (int)header.BlockSize;
        var typeSize = (int)header.TypeSize;
        var blocks = header.BlockCount;
        var position = BloscFrameHeader.Size + (4L * blocks);
        if (position > destination.Length)
        {
            return 0;
        }

        var byteShuffle = header.IsByteShuffled && typeSize > 1;
        var scratch = ArrayPool<byte>.Shared.Rent(2 * blockSize);
        try
        {
            for (var j = 0; j < blocks; j++)
            {
                var start = j * blockSize;
                var size = Math.Min(blockSize, nbytes - start);
                var last = size < blockSize;
                BinaryPrimitives.WriteInt32LittleEndian(destination[(BloscFrameHeader.Size + (4 * j))..], (int)position);
                var block = source.Slice(start, size);
                if (byteShuffle)
                {
                    ByteShuffle.Shuffle(typeSize, block, scratch.AsSpan(0, size));
                    block = scratch.AsSpan(0, size);
                }
                else if (header.IsBitShuffled && size >= typeSize)
                {
                    BitShuffle.Shuffle(typeSize, block, scratch.AsSpan(0, size), scratch.AsSpan(blockSize, size));
                    block = scratch.AsSpan(0, size);
                }

                var (splits, streamSize) = (!header.IsNotSplit && !last) ? (typeSize, size / typeSize) : (1, size);
                for (var s = 0; s < splits; s++)
                {
                    position += 4;
                    var room = Math.Min(streamSize, destination.Length - position);
                    if (room <= 0)
                    {
                        return 0;
                    }

                    var stream = block.Slice(s * streamSize, streamSize);
                    var into = destination.Slice((int)position, (int)room);
                    var compressed = BloscInnerCodecs.Compress(compressor, clevel, stream, into);
                    if (compressed <= 0 || compressed >= streamSize)
                    {
                        // Not compressible: the stream as it is, marked by a size equal to the stream's.
                        if (position + streamSize > destination.Length)
                        {
                            return 0;
                        }

                        stream.CopyTo(destination[(int)position..]);
                        compressed = streamSize;
                    }

                    BinaryPrimitives.WriteInt32LittleEndian(destination[(int)(position - 4)..], compressed);
                    position += compressed;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }

        return (int)position;
    }

    /// <summary>Decompresses block <paramref name="j"/>'s streams into <paramref name="target"/> (the block's size).</summary>
    private static void DecompressBlock(ReadOnlySpan<byte> frame, in BloscFrameHeader header, int j, bool last, Span<byte> target)
    {
        var (splits, streamSize) = Streams(header, target.Length, last);
        if (splits * streamSize != target.Length)
        {
            throw new ZarrCodecException(Codec, Invariant($"corrupt frame: block {j}: its {target.Length} bytes cannot be split into {splits} streams (header field 'blocksize' {header.BlockSize} is not a multiple of 'typesize' {header.TypeSize})"));
        }

        var offset = BlockOffset(frame, header, j);
        for (var s = 0; s < splits; s++)
        {
            var stream = Stream(frame, header, j, s, ref offset);
            var into = target.Slice(s * streamSize, streamSize);
            if (stream.Length == streamSize)
            {
                stream.CopyTo(into);
                continue;
            }

            var written = BloscInnerCodecs.Decompress(header.CompressorFormat, stream, into);
            if (written != streamSize)
            {
                throw Corrupt(j, s, written < 0
                    ? Invariant($"the {stream.Length}-byte {header.CompressorFormatName} stream is corrupt or decodes to more than the {streamSize} bytes it must")
                    : Invariant($"the {stream.Length}-byte {header.CompressorFormatName} stream decodes to {written} bytes; the frame declares {streamSize}"));
            }
        }
    }

    /// <summary>How many streams block of <paramref name="size"/> bytes has and their size, as c-blosc 1.21 decides when reading.</summary>
    private static (int Splits, int StreamSize) Streams(in BloscFrameHeader header, int size, bool last)
    {
        var typeSize = (int)header.TypeSize;

        // The type size and block size conditions keep frames written before the "not split" flag existed readable.
        var split = !header.IsNotSplit && typeSize <= MaxSplits && size / typeSize >= MinBufferSize && !last;
        return split ? (typeSize, size / typeSize) : (1, size);
    }

    private static int BlockOffset(ReadOnlySpan<byte> frame, in BloscFrameHeader header, int j)
    {
        var offset = BinaryPrimitives.ReadInt32LittleEndian(frame[(BloscFrameHeader.Size + (4 * j))..]);
        return offset >= 0 && offset <= header.FrameSize - 4
            ? offset
            : throw new ZarrCodecException(Codec, Invariant($"corrupt frame: block {j}: its offset in the table after the header is {offset}; the frame is {header.FrameSize} bytes"));
    }

    /// <summary>The compressed bytes of stream <paramref name="s"/>, whose 32-bit size is at <paramref name="offset"/>; moves the offset past them.</summary>
    private static ReadOnlySpan<byte> Stream(ReadOnlySpan<byte> frame, in BloscFrameHeader header, int j, int s, ref int offset)
    {
        if (offset < 0 || offset > frame.Length - 4)
        {
            throw Corrupt(j, s, Invariant($"its size field at byte {offset} lies outside the {frame.Length}-byte frame"));
        }

        var size = BinaryPrimitives.ReadInt32LittleEndian(frame[offset..]);
        offset += 4;
        if (size < 0 || size > frame.Length - offset)
        {
            throw Corrupt(j, s, Invariant($"its size field declares {size} compressed bytes; {frame.Length - offset} remain in the frame"));
        }

        var stream = frame.Slice(offset, size);
        offset += size;
        return stream;
    }

    private static unsafe long MaxExpansion(int format, ReadOnlySpan<byte> stream)
    {
        switch (format)
        {
            case 0 or 1 or 2:
                return (256L * stream.Length) + 64;
            case 3:
                return (1032L * stream.Length) + 64;
            default:
                ulong declared;
                fixed (byte* p = stream)
                {
                    declared = ZstdSharp.Unsafe.Methods.ZSTD_findDecompressedSize(p, (nuint)stream.Length);
                }

                return declared is ulong.MaxValue or ulong.MaxValue - 1 or > int.MaxValue
                    ? (32768L * stream.Length) + 64 // no size declared: a zstd block of 128 KiB takes at least 4 bytes
                    : (long)declared;
        }
    }

    private static ZarrCodecException Corrupt(int block, int stream, string message) =>
        new(Codec, Invariant($"corrupt frame: block {block}, stream {stream}: {message}"));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
