using System.Buffers.Binary;
using System.Globalization;

namespace Zarr.Storage.Codecs;

/// <summary>
/// The 16-byte header of a c-blosc 1.x frame (the <c>blosc</c> codec's chunk format; c-blosc's
/// <c>README_CHUNK_FORMAT.rst</c>): version, compressor version, flags, type size, then three little-endian 32-bit
/// sizes. <see cref="Validate"/> holds a header to exactly what c-blosc 1.21 accepts before decompressing, plus the
/// size the caller expects, so that no buffer is allocated for a size the frame cannot honestly declare.
/// </summary>
/// <param name="Version">Byte 0, the frame format version: 2 for every frame c-blosc 1.x writes.</param>
/// <param name="CompressorVersion">Byte 1, the version of the inner compressor's format (1).</param>
/// <param name="Flags">Byte 2: bit 0 byte shuffle, bit 1 memcpyed, bit 2 bit shuffle, bit 3 reserved, bit 4 blocks not
/// split, bits 5–7 the compressor format (<see cref="BloscFrameHeader.CompressorFormat"/>).</param>
/// <param name="TypeSize">Byte 3, the element size the shuffle worked on.</param>
/// <param name="DecodedSize">Bytes 4–7 (<c>nbytes</c>), the size of the decompressed data.</param>
/// <param name="BlockSize">Bytes 8–11 (<c>blocksize</c>), the size of every block but maybe the last.</param>
/// <param name="FrameSize">Bytes 12–15 (<c>cbytes</c>), the size of the whole frame, header included.</param>
public readonly record struct BloscFrameHeader(byte Version, byte CompressorVersion, byte Flags, byte TypeSize, uint DecodedSize, uint BlockSize, uint FrameSize)
{
    /// <summary>The size of the header in bytes (<c>BLOSC_MIN_HEADER_LENGTH</c>, also <c>BLOSC_MAX_OVERHEAD</c>).</summary>
    public const int Size = 16;

    /// <summary>The frame format version c-blosc 1.x writes and reads (<c>BLOSC_VERSION_FORMAT</c>).</summary>
    public const byte FormatVersion = 2;

    /// <summary>The version every inner compressor's format has in c-blosc 1.x.</summary>
    public const byte CompressorFormatVersion = 1;

    /// <summary>The largest decompressed size a frame may declare (<c>BLOSC_MAX_BUFFERSIZE</c>).</summary>
    public const int MaxDecodedSize = int.MaxValue - Size;

    /// <summary>The largest block size c-blosc accepts (<c>BLOSC_MAX_BLOCKSIZE</c>).</summary>
    public const int MaxBlockSize = (int.MaxValue - (255 * sizeof(int))) / 3;

    /// <summary>Flag bit 0: the blocks were byte-shuffled.</summary>
    public const byte ByteShuffleFlag = 0x01;

    /// <summary>Flag bit 1: the data follows the header uncompressed.</summary>
    public const byte MemcpyedFlag = 0x02;

    /// <summary>Flag bit 2: the blocks were bit-shuffled.</summary>
    public const byte BitShuffleFlag = 0x04;

    /// <summary>Flag bit 3: reserved; c-blosc 1.x refuses frames that set it.</summary>
    public const byte ReservedFlag = 0x08;

    /// <summary>Flag bit 4: the blocks were not split into one stream per byte of the type.</summary>
    public const byte NotSplitFlag = 0x10;

    /// <summary>Whether the data follows the header as it is, without blocks or compression.</summary>
    public bool IsMemcpyed => (Flags & MemcpyedFlag) != 0;

    /// <summary>Whether the byte-shuffle flag is set (it applies only when <see cref="TypeSize"/> is above 1).</summary>
    public bool IsByteShuffled => (Flags & ByteShuffleFlag) != 0;

    /// <summary>Whether the bit-shuffle flag is set.</summary>
    public bool IsBitShuffled => (Flags & BitShuffleFlag) != 0;

    /// <summary>Whether the frame says its blocks were not split into one stream per byte of the type.</summary>
    public bool IsNotSplit => (Flags & NotSplitFlag) != 0;

    /// <summary>The compressor format, bits 5–7 of the flags: 0 blosclz, 1 lz4 or lz4hc, 2 snappy, 3 zlib, 4 zstd.</summary>
    public int CompressorFormat => Flags >> 5;

    /// <summary>The name of <see cref="CompressorFormat"/>: <c>blosclz</c>, <c>lz4</c> (also lz4hc), <c>snappy</c>, <c>zlib</c>, <c>zstd</c>.</summary>
    public string CompressorFormatName => FormatName(CompressorFormat);

    /// <summary>The number of blocks (after <see cref="Validate"/>: <see cref="BlockSize"/> is then above 0).</summary>
    public int BlockCount => BlockSize == 0 ? 0 : (int)((DecodedSize + (ulong)BlockSize - 1) / BlockSize);

    /// <summary>The name of a compressor format number.</summary>
    public static string FormatName(int format) => format switch
    {
        0 => "blosclz",
        1 => "lz4",
        2 => "snappy",
        3 => "zlib",
        4 => "zstd",
        _ => string.Create(CultureInfo.InvariantCulture, $"unknown ({format})"),
    };

    /// <summary>Reads the header at the start of <paramref name="frame"/>; false when there are fewer than 16 bytes.</summary>
    public static bool TryRead(ReadOnlySpan<byte> frame, out BloscFrameHeader header)
    {
        if (frame.Length < Size)
        {
            header = default;
            return false;
        }

        header = new BloscFrameHeader(
            frame[0],
            frame[1],
            frame[2],
            frame[3],
            BinaryPrimitives.ReadUInt32LittleEndian(frame[4..]),
            BinaryPrimitives.ReadUInt32LittleEndian(frame[8..]),
            BinaryPrimitives.ReadUInt32LittleEndian(frame[12..]));
        return true;
    }

    /// <summary>
    /// Reads and checks the header of <paramref name="frame"/> (the whole frame): the checks c-blosc 1.21 makes before
    /// it decompresses, with <paramref name="expectedLength"/> (the decoded chunk's size, -1 when unknown) as the only
    /// size the frame may declare. Returns the header; a frame that declares 0 bytes is valid whatever else it says,
    /// as in c-blosc.
    /// </summary>
    /// <exception cref="ZarrCodecException">The frame is truncated, or a header field is out of range (the message names
    /// the field, what it declares and what is allowed).</exception>
    public static BloscFrameHeader Validate(ReadOnlySpan<byte> frame, int expectedLength)
    {
        if (!TryRead(frame, out var header))
        {
            throw Corrupt($"the frame is {frame.Length} bytes, shorter than the {Size}-byte blosc header");
        }

        header.Check(frame.Length, expectedLength);
        return header;
    }

    /// <summary>Writes the header into the first 16 bytes of <paramref name="destination"/>.</summary>
    internal void Write(Span<byte> destination)
    {
        destination[0] = Version;
        destination[1] = CompressorVersion;
        destination[2] = Flags;
        destination[3] = TypeSize;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], DecodedSize);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], BlockSize);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], FrameSize);
    }

    private void Check(int frameLength, int expectedLength)
    {
        if (FrameSize != (uint)frameLength)
        {
            throw Corrupt(Invariant($"header field 'cbytes' declares a {FrameSize}-byte frame; {frameLength} bytes are present (truncated or not a blosc frame)"));
        }

        if (DecodedSize > MaxDecodedSize)
        {
            throw Corrupt(Invariant($"header field 'nbytes' declares {DecodedSize} decompressed bytes; blosc allows at most {MaxDecodedSize}"));
        }

        if (expectedLength >= 0 && DecodedSize != (uint)expectedLength)
        {
            throw Corrupt(Invariant($"header field 'nbytes' declares {DecodedSize} decompressed bytes; the chunk is {expectedLength} bytes"));
        }

        if (DecodedSize == 0)
        {
            return; // c-blosc returns at once for an empty frame, whatever the rest says
        }

        if (Version != FormatVersion)
        {
            throw Corrupt(Invariant($"header field 'version' is {Version}; the frames of c-blosc 1.x (the Zarr blosc codec) are version {FormatVersion}"));
        }

        if ((Flags & ReservedFlag) != 0)
        {
            throw Corrupt(Invariant($"header field 'flags' (0x{Flags:X2}) sets the reserved bit 3"));
        }

        if (TypeSize == 0)
        {
            throw Corrupt("header field 'typesize' is 0; it must be 1 to 255");
        }

        var blockLimit = Math.Min(DecodedSize, MaxBlockSize);
        if (BlockSize == 0 || BlockSize > blockLimit)
        {
            throw Corrupt(Invariant($"header field 'blocksize' is {BlockSize}; with 'nbytes' {DecodedSize} it must be 1 to {blockLimit}"));
        }

        if (IsMemcpyed)
        {
            if ((ulong)DecodedSize + Size != FrameSize)
            {
                throw Corrupt(Invariant($"the frame is flagged memcpyed, so header field 'cbytes' must be 'nbytes' + 16 = {(ulong)DecodedSize + Size}; it is {FrameSize}"));
            }

            return;
        }

        var format = CompressorFormat;
        if (format > 4)
        {
            throw Corrupt(Invariant($"header field 'flags' names compressor format {format}, which blosc does not define"));
        }

        if (CompressorVersion != CompressorFormatVersion)
        {
            throw Corrupt(Invariant($"header field 'versionlz' is {CompressorVersion}; {FormatName(format)} streams in blosc frames are version {CompressorFormatVersion}"));
        }

        var blocks = BlockCount;
        if (blocks > (FrameSize - Size) / 4)
        {
            throw Corrupt(Invariant($"the frame's {blocks} blocks need {(long)blocks * 4} bytes of block offsets after the header; header field 'cbytes' leaves {FrameSize - Size}"));
        }
    }

    private static ZarrCodecException Corrupt(string message) => new("blosc", message);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
