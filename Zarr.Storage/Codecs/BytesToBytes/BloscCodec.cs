using System.Globalization;
using System.Text.Json.Nodes;
using Zarr.Storage.Buffers;
using Zarr.Storage.Native;

namespace Zarr.Storage.Codecs;

/// <summary>The compressor c-blosc runs inside its blocks.</summary>
public enum BloscCompressor
{
    /// <summary><c>blosclz</c>, c-blosc's own LZ77 variant.</summary>
    BloscLz,

    /// <summary><c>lz4</c>: fast (the default for new arrays).</summary>
    Lz4,

    /// <summary><c>lz4hc</c>: LZ4 high compression.</summary>
    Lz4Hc,

    /// <summary><c>zlib</c> (deflate).</summary>
    Zlib,

    /// <summary><c>zstd</c>.</summary>
    Zstd,
}

/// <summary>The shuffle filter c-blosc applies before compressing.</summary>
public enum BloscShuffle
{
    /// <summary>No shuffle (v2: 0).</summary>
    NoShuffle = 0,

    /// <summary>Byte shuffle by <see cref="BloscCodec.TypeSize"/> (v2: 1).</summary>
    Shuffle = 1,

    /// <summary>Bit shuffle (v2: 2).</summary>
    BitShuffle = 2,
}

/// <summary>
/// The <c>blosc</c> codec (c-blosc 1.x frames), in its v3 form and as the numcodecs v2 compressor. It runs the native
/// c-blosc library where it loads (through its contextual API with one internal thread), and the managed implementation
/// of the same format otherwise (<see cref="BloscRuntime"/>; <see cref="Implementation"/> forces one). Either way the
/// parallelism comes from many chunks being compressed at once. Immutable and thread-safe.
/// </summary>
/// <remarks>
/// Every frame's header is checked before anything is allocated for it, in both implementations: the decompressed size
/// it declares must be the chunk's, and when the chunk's size is not known, every block and stream it declares must lie
/// inside the frame and could decode to the sizes declared.
/// </remarks>
public sealed class BloscCodec : IBytesToBytesCodec, IV2Compressor
{
    private readonly byte[] _cnameNul;

    /// <summary>Creates the codec.</summary>
    /// <param name="compressor">The compressor inside blosc.</param>
    /// <param name="level">The compression level, 0 (none) to 9.</param>
    /// <param name="shuffle">The shuffle filter.</param>
    /// <param name="typeSize">The element size the shuffle works on, 1 to 255 (the array's item size).</param>
    /// <param name="blockSize">The block size in bytes, 0 for c-blosc's automatic choice.</param>
    /// <param name="implementation">Native or managed blosc; <see cref="BloscImplementation.Auto"/> follows <see cref="BloscRuntime"/>.
    /// Not part of the metadata: either reads what the other writes.</param>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of range.</exception>
    public BloscCodec(BloscCompressor compressor = BloscCompressor.Lz4, int level = 5, BloscShuffle shuffle = BloscShuffle.Shuffle, int typeSize = 1, int blockSize = 0, BloscImplementation implementation = BloscImplementation.Auto)
    {
        if (!Enum.IsDefined(compressor))
        {
            throw new ArgumentOutOfRangeException(nameof(compressor), compressor, "not a blosc compressor");
        }

        if (!Enum.IsDefined(shuffle))
        {
            throw new ArgumentOutOfRangeException(nameof(shuffle), shuffle, "not a blosc shuffle mode");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(level);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, 9);
        ArgumentOutOfRangeException.ThrowIfLessThan(typeSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(typeSize, 255);
        ArgumentOutOfRangeException.ThrowIfNegative(blockSize);
        if (!Enum.IsDefined(implementation))
        {
            throw new ArgumentOutOfRangeException(nameof(implementation), implementation, "not a blosc implementation");
        }

        Implementation = implementation;
        Compressor = compressor;
        Level = level;
        Shuffle = shuffle;
        TypeSize = typeSize;
        BlockSize = blockSize;
        _cnameNul = [.. System.Text.Encoding.ASCII.GetBytes(CompressorName(compressor)), 0];
    }

    /// <summary>The compressor inside blosc.</summary>
    public BloscCompressor Compressor { get; }

    /// <summary>The compression level, 0 to 9.</summary>
    public int Level { get; }

    /// <summary>The shuffle filter.</summary>
    public BloscShuffle Shuffle { get; }

    /// <summary>The element size the shuffle works on; written into each frame's header.</summary>
    public int TypeSize { get; }

    /// <summary>
    /// The typesize blosc takes for elements of <paramref name="dataType"/> when none is given: the item size, at most
    /// c-blosc's 255, and 1 for variable-length strings, whose encoded bytes blosc sees (as numcodecs and zarr-python 3 give it).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="dataType"/> is null.</exception>
    public static int TypeSizeFor(Zarr.Storage.ZarrDataType dataType) => Math.Clamp((dataType ?? throw new ArgumentNullException(nameof(dataType))).ItemSize, 1, 255);

    /// <summary>The block size in bytes; 0 lets c-blosc choose.</summary>
    public int BlockSize { get; }

    /// <summary>The implementation this codec asks for; <see cref="BloscImplementation.Auto"/> follows <see cref="BloscRuntime"/>.</summary>
    public BloscImplementation Implementation { get; }

    /// <inheritdoc />
    public string Name => "blosc";

    /// <summary>The name of a compressor as blosc and the metadata spell it (<c>lz4</c>, <c>blosclz</c>, ...).</summary>
    public static string CompressorName(BloscCompressor compressor) => compressor switch
    {
        BloscCompressor.BloscLz => "blosclz",
        BloscCompressor.Lz4 => "lz4",
        BloscCompressor.Lz4Hc => "lz4hc",
        BloscCompressor.Zlib => "zlib",
        BloscCompressor.Zstd => "zstd",
        _ => throw new ArgumentOutOfRangeException(nameof(compressor), compressor, "not a blosc compressor"),
    };

    /// <summary>Parses a compressor name; <c>snappy</c> and unknown names are refused.</summary>
    public static bool TryParseCompressor(string name, out BloscCompressor compressor)
    {
        switch (name)
        {
            case "blosclz": compressor = BloscCompressor.BloscLz; return true;
            case "lz4": compressor = BloscCompressor.Lz4; return true;
            case "lz4hc": compressor = BloscCompressor.Lz4Hc; return true;
            case "zlib": compressor = BloscCompressor.Zlib; return true;
            case "zstd": compressor = BloscCompressor.Zstd; return true;
            default: compressor = default; return false;
        }
    }

    /// <summary>The v3 name of a shuffle mode (<c>noshuffle</c>, <c>shuffle</c>, <c>bitshuffle</c>).</summary>
    public static string ShuffleName(BloscShuffle shuffle) => shuffle switch
    {
        BloscShuffle.NoShuffle => "noshuffle",
        BloscShuffle.Shuffle => "shuffle",
        BloscShuffle.BitShuffle => "bitshuffle",
        _ => throw new ArgumentOutOfRangeException(nameof(shuffle), shuffle, "not a blosc shuffle mode"),
    };

    /// <inheritdoc />
    /// <remarks>The fields in the order zarr-python 3 writes them.</remarks>
    public JsonObject ToV3Json() => CodecRegistry.Default.WriteV3(this);

    /// <inheritdoc />
    /// <remarks>numcodecs' form; the type size is not part of it (numcodecs takes it from the array's item size).</remarks>
    public JsonObject ToV2Json() => CodecRegistry.Default.WriteV2(this);

    /// <inheritdoc />
    public PooledBuffer Encode(ReadOnlySpan<byte> decoded)
    {
        CheckEncodable(decoded.Length);
        var buffer = PooledBuffer.Rent((int)GetMaxEncodedLength(decoded.Length));
        try
        {
            if (!TryEncode(decoded, buffer.Span, out var written))
            {
                throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"blosc could not compress {decoded.Length} bytes into {buffer.Length} bytes"));
            }

            buffer.SetLength(written);
            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    /// <remarks>A frame is at most its header (16 bytes) more than its data: blosc stores data it cannot shrink as it is.</remarks>
    public long GetMaxEncodedLength(int decodedLength) => (long)decodedLength + BloscFrameHeader.Size;

    /// <inheritdoc />
    public bool TryEncode(ReadOnlySpan<byte> decoded, Span<byte> destination, out int written)
    {
        CheckEncodable(decoded.Length);
        written = BloscRuntime.UsesNative(Implementation, BloscInnerCodecs.FormatOf(Compressor))
            ? BloscNative.Compress(Level, (int)Shuffle, TypeSize, decoded, destination, _cnameNul, BlockSize)
            : ManagedBlosc.Compress(Level, Shuffle, TypeSize, Compressor, BlockSize, decoded, destination);
        return written > 0;
    }

    /// <inheritdoc />
    public PooledBuffer Decode(ReadOnlySpan<byte> encoded, int expectedLength) => Decode(encoded, expectedLength, Array.MaxLength);

    /// <inheritdoc />
    public PooledBuffer Decode(ReadOnlySpan<byte> encoded, int expectedLength, int maxLength)
    {
        var header = BloscFrameHeader.Validate(encoded, expectedLength);
        if (header.DecodedSize > (uint)maxLength)
        {
            throw DecodeLimit.Exceeded(Name, maxLength, header.DecodedSize);
        }

        if (expectedLength < 0)
        {
            // Nothing bounds the size the frame declares but the frame itself: its blocks must be able to hold it.
            ManagedBlosc.CheckPlausible(encoded, header);
        }

        var buffer = PooledBuffer.Rent((int)header.DecodedSize);
        try
        {
            DecodeFrame(encoded, header, buffer.Span);
            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    /// <remarks>c-blosc and the managed blosc write into any destination: nothing is allocated.</remarks>
    public int Decode(ReadOnlySpan<byte> encoded, Span<byte> destination)
    {
        var header = BloscFrameHeader.Validate(encoded, -1);
        if (header.DecodedSize > (uint)destination.Length)
        {
            throw DecodeLimit.Exceeded(Name, destination.Length, header.DecodedSize);
        }

        var length = (int)header.DecodedSize;
        DecodeFrame(encoded, header, destination[..length]);
        return length;
    }

    private void CheckEncodable(int length)
    {
        if (length > BloscFrameHeader.MaxDecodedSize)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"blosc compresses at most {BloscFrameHeader.MaxDecodedSize} bytes at once; got {length}"));
        }
    }

    private void DecodeFrame(ReadOnlySpan<byte> encoded, in BloscFrameHeader header, Span<byte> destination)
    {
        var nbytes = (int)header.DecodedSize;
        if (nbytes == 0)
        {
            return;
        }

        // A frame stored as it is needs no decompressor: copied here whichever implementation was chosen.
        var native = BloscRuntime.UsesNative(Implementation, header.CompressorFormat);
        if (header.IsMemcpyed || !native)
        {
            ManagedBlosc.Decompress(encoded, header, destination);
            return;
        }

        var written = BloscNative.Decompress(encoded, destination);
        if (written != nbytes)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"c-blosc decompressed {written} bytes; the frame declares {nbytes}"));
        }
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"Blosc(cname='{CompressorName(Compressor)}', clevel={Level}, shuffle={ShuffleName(Shuffle).ToUpperInvariant()}, blocksize={BlockSize})");
}
