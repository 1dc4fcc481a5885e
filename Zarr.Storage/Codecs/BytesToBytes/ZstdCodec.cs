using System.Globalization;
using System.Text.Json.Nodes;
using Zarr.Storage.Buffers;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Zarr.Storage.Codecs;

/// <summary>
/// The <c>zstd</c> codec (v3 <c>{"level", "checksum"}</c>, numcodecs <c>{"id": "zstd", "level"}</c>) over the native
/// libzstd when it loads (Debian's <c>libzstd1</c>; <c>ZARR_ZSTD=managed</c> turns it off), over ZstdSharp otherwise.
/// Frames are written with their content size, as numcodecs and zstandard need to read them; frames without one
/// are read by streaming.
/// </summary>
public sealed class ZstdCodec : IBytesToBytesCodec, IV2Compressor, ISlicedDecodingCodec
{
    // zstd contexts are large and costly to create, and not thread-safe: each thread keeps one of each and reuses it
    // for every chunk (a compressor is recreated only when a codec with other settings runs on the thread).
    private const ulong Unknown = ulong.MaxValue; // ZSTD_CONTENTSIZE_UNKNOWN
    private const ulong Error = ulong.MaxValue - 1; // ZSTD_CONTENTSIZE_ERROR

    [ThreadStatic]
    private static Compressor? _threadCompressor;

    [ThreadStatic]
    private static (int Level, bool Checksum) _threadCompressorSettings;

    [ThreadStatic]
    private static Decompressor? _threadDecompressor;

    /// <summary>Creates the codec.</summary>
    /// <param name="level">The compression level: 0 is zstd's default (3), negative levels are faster, at most 22.</param>
    /// <param name="checksum">Whether each frame carries a checksum of its content.</param>
    /// <exception cref="ArgumentOutOfRangeException">The level is outside zstd's range.</exception>
    public ZstdCodec(int level = 0, bool checksum = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(level, -131072);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, 22);
        Level = level;
        Checksum = checksum;
    }

    /// <summary>The compression level.</summary>
    public int Level { get; }

    /// <summary>Whether frames carry a checksum.</summary>
    public bool Checksum { get; }

    /// <inheritdoc />
    public string Name => "zstd";

    /// <inheritdoc />
    public JsonObject ToV3Json() => CodecRegistry.Default.WriteV3(this);

    /// <inheritdoc />
    /// <remarks>
    /// numcodecs' form, <c>{"id": "zstd", "level"}</c>. The checksum flag is left out: numcodecs before 0.13 (Debian's
    /// zarr-python 2 stack) refuses the field, and it only matters when compressing, since every zstd reader verifies
    /// a checksum a frame carries.
    /// </remarks>
    public JsonObject ToV2Json() => CodecRegistry.Default.WriteV2(this);

    /// <inheritdoc />
    public PooledBuffer Encode(ReadOnlySpan<byte> decoded)
    {
        if (Native.ZstdNative.IsAvailable)
        {
            return EncodeNative(decoded);
        }

        var bound = (long)Compressor.GetCompressBound(decoded.Length);
        if (bound > Array.MaxLength)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"{decoded.Length} bytes are too many to compress into one buffer"));
        }

        var buffer = PooledBuffer.Rent((int)bound);
        try
        {
            var written = RentCompressor().Wrap(decoded, buffer.Span);
            buffer.SetLength(written);
            return buffer;
        }
        catch (ZstdException ex)
        {
            buffer.Dispose();
            throw new ZarrCodecException(Name, $"compression failed: {ex.Message}", ex);
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    private PooledBuffer EncodeNative(ReadOnlySpan<byte> decoded)
    {
        var bound = Native.ZstdNative.CompressBound(decoded.Length);
        if (bound > Array.MaxLength)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"{decoded.Length} bytes are too many to compress into one buffer"));
        }

        var buffer = PooledBuffer.Rent((int)bound);
        try
        {
            buffer.SetLength(Native.ZstdNative.Compress(decoded, buffer.Span, Level, Checksum));
            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    private Compressor RentCompressor()
    {
        if (_threadCompressor is { } cached && _threadCompressorSettings == (Level, Checksum))
        {
            return cached;
        }

        _threadCompressor?.Dispose();
        _threadCompressor = null;
        var compressor = new Compressor(Level);
        compressor.SetParameter(ZSTD_cParameter.ZSTD_c_checksumFlag, Checksum ? 1 : 0);
        _threadCompressor = compressor;
        _threadCompressorSettings = (Level, Checksum);
        return compressor;
    }

    /// <inheritdoc />
    public long GetMaxEncodedLength(int decodedLength) => (long)Compressor.GetCompressBound(decodedLength);

    /// <inheritdoc />
    public bool TryEncode(ReadOnlySpan<byte> decoded, Span<byte> destination, out int written)
    {
        if (Native.ZstdNative.IsAvailable)
        {
            written = Math.Max(0, Native.ZstdNative.Compress(decoded, destination, Level, Checksum));
            return written > 0;
        }

        try
        {
            return RentCompressor().TryWrap(decoded, destination, out written);
        }
        catch (ZstdException ex)
        {
            throw new ZarrCodecException(Name, $"compression failed: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public PooledBuffer Decode(ReadOnlySpan<byte> encoded, int expectedLength) => Decode(encoded, expectedLength, Array.MaxLength);

    /// <inheritdoc />
    /// <remarks>A frame that declares its content size is refused before anything is allocated when the size is not the one expected or exceeds the limit.</remarks>
    public PooledBuffer Decode(ReadOnlySpan<byte> encoded, int expectedLength, int maxLength)
    {
        var contentSize = DeclaredSize(encoded);
        try
        {
            if (contentSize == Unknown)
            {
                return StreamCodecHelper.Decompress(encoded, expectedLength, maxLength, Name, static source => new DecompressionStream(source));
            }

            if (expectedLength >= 0 && contentSize != (ulong)expectedLength)
            {
                throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"the frame declares {contentSize} decompressed bytes; {expectedLength} were expected"));
            }

            if (contentSize > (ulong)maxLength)
            {
                throw DecodeLimit.Exceeded(Name, maxLength, (long)Math.Min(contentSize, long.MaxValue));
            }

            var buffer = PooledBuffer.Rent((int)contentSize);
            try
            {
                Unwrap(encoded, buffer.Span, contentSize);
                return buffer;
            }
            catch
            {
                buffer.Dispose();
                throw;
            }
        }
        catch (ZstdException ex)
        {
            throw new ZarrCodecException(Name, $"the data is corrupt or truncated: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public int Decode(ReadOnlySpan<byte> encoded, Span<byte> destination)
    {
        var contentSize = DeclaredSize(encoded);
        try
        {
            if (contentSize == Unknown)
            {
                return StreamCodecHelper.DecompressInto(encoded, destination, Name, static source => new DecompressionStream(source));
            }

            if (contentSize > (ulong)destination.Length)
            {
                throw DecodeLimit.Exceeded(Name, destination.Length, (long)Math.Min(contentSize, long.MaxValue));
            }

            Unwrap(encoded, destination[..(int)contentSize], contentSize);
            return (int)contentSize;
        }
        catch (ZstdException ex)
        {
            throw new ZarrCodecException(Name, $"the data is corrupt or truncated: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    bool ISlicedDecodingCodec.CanDecodeSliced => Native.ZstdNative.IsAvailable;

    /// <inheritdoc />
    /// <remarks>
    /// Data that fits the window whole (by the sizes its frames declare) is decoded in one call into it; otherwise each
    /// block is decoded into a ring of the thread's and handed over from there (<c>ZSTD_decompressContinue</c>), or,
    /// over a libzstd without that API, streamed through the window (<c>ZSTD_decompressStream</c>, which copies each
    /// block out of a ring of its own).
    /// </remarks>
    void ISlicedDecodingCodec.DecodeSliced<TSink>(ReadOnlySpan<byte> encoded, int expectedLength, int elementSize, Span<byte> window, ref TSink sink)
    {
        var contentSize = DeclaredSize(encoded);
        if (contentSize != Unknown && contentSize != (ulong)expectedLength)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"the frame declares {contentSize} decompressed bytes; {expectedLength} were expected"));
        }

        if (contentSize != Unknown && expectedLength <= window.Length)
        {
            var whole = window[..expectedLength];
            Unwrap(encoded, whole, contentSize);
            sink.Accept(whole, 0);
            return;
        }

        var written = Native.ZstdNative.DecodesInRing
            ? Native.ZstdNative.DecompressInRing(encoded, elementSize, window.Length, expectedLength, boundedFrames: contentSize != Unknown, ref sink)
            : Native.ZstdNative.DecompressSliced(encoded, window, expectedLength, boundedFrames: contentSize != Unknown, ref sink);
        if (written != expectedLength)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"the data decompresses to {written} bytes; {expectedLength} were expected"));
        }
    }

    // The content size the frames declare, or Unknown; an invalid frame is refused.
    private unsafe ulong DeclaredSize(ReadOnlySpan<byte> encoded)
    {
        ulong contentSize;
        fixed (byte* src = encoded)
        {
            contentSize = Methods.ZSTD_findDecompressedSize(src, (nuint)encoded.Length);
        }

        return contentSize == Error
            ? throw new ZarrCodecException(Name, "the data is not a valid zstd frame or is truncated")
            : contentSize;
    }

    private void Unwrap(ReadOnlySpan<byte> encoded, Span<byte> destination, ulong contentSize)
    {
        var written = Native.ZstdNative.IsAvailable
            ? Native.ZstdNative.Decompress(encoded, destination)
            : (_threadDecompressor ??= new Decompressor()).Unwrap(encoded, destination);
        if (written != (int)contentSize)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"the data decompresses to {written} bytes; the frame declares {contentSize}"));
        }
    }
}
