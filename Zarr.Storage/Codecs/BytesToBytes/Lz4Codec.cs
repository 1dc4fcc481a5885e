using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json.Nodes;
using K4os.Compression.LZ4;
using Zarr.Storage.Buffers;

namespace Zarr.Storage.Codecs;

/// <summary>
/// numcodecs' <c>lz4</c> compressor (<c>{"id": "lz4", "acceleration"}</c>): the uncompressed size as 4 little-endian
/// bytes, then one LZ4 block. A v2 codec; in a v3 chain it is written as <c>numcodecs.lz4</c>.
/// </summary>
/// <remarks>
/// Compression always runs LZ4's default fast mode (acceleration 1): the output is a valid LZ4 block for any
/// acceleration, which only trades ratio for speed, so the configured value is kept for the metadata only.
/// </remarks>
public sealed class Lz4Codec : IBytesToBytesCodec, IV2Compressor
{
    private const int HeaderSize = 4;

    // LZ4's largest input (LZ4_MAX_INPUT_SIZE).
    private const int MaxInput = 0x7E000000;

    /// <summary>Creates the codec.</summary>
    /// <param name="acceleration">numcodecs' acceleration (at least 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">The acceleration is below 1.</exception>
    public Lz4Codec(int acceleration = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(acceleration, 1);
        Acceleration = acceleration;
    }

    /// <summary>numcodecs' acceleration.</summary>
    public int Acceleration { get; }

    /// <inheritdoc />
    public string Name => "numcodecs.lz4";

    /// <inheritdoc />
    public JsonObject ToV3Json() => CodecRegistry.Default.WriteV3(this);

    /// <inheritdoc />
    public JsonObject ToV2Json() => CodecRegistry.Default.WriteV2(this);

    /// <inheritdoc />
    public PooledBuffer Encode(ReadOnlySpan<byte> decoded)
    {
        var bound = GetMaxEncodedLength(decoded.Length);
        if (decoded.Length > MaxInput || bound > Array.MaxLength)
        {
            throw TooLarge(decoded.Length);
        }

        var buffer = PooledBuffer.Rent((int)bound);
        try
        {
            if (!TryEncode(decoded, buffer.Span, out var written))
            {
                throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"LZ4 could not compress {decoded.Length} bytes"));
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
    public long GetMaxEncodedLength(int decodedLength) => (long)LZ4Codec.MaximumOutputSize(decodedLength) + HeaderSize;

    /// <inheritdoc />
    public bool TryEncode(ReadOnlySpan<byte> decoded, Span<byte> destination, out int written)
    {
        if (decoded.Length > MaxInput)
        {
            throw TooLarge(decoded.Length);
        }

        written = 0;
        if (destination.Length <= HeaderSize)
        {
            return false;
        }

        int block;
        if (decoded.IsEmpty)
        {
            // The LZ4 block of nothing is one zero token, as liblz4 (and so numcodecs) writes it.
            destination[HeaderSize] = 0;
            block = 1;
        }
        else
        {
            block = LZ4Codec.Encode(decoded, destination[HeaderSize..], LZ4Level.L00_FAST);
        }

        if (block <= 0)
        {
            return false;
        }

        BinaryPrimitives.WriteInt32LittleEndian(destination, decoded.Length);
        written = HeaderSize + block;
        return true;
    }

    /// <inheritdoc />
    public PooledBuffer Decode(ReadOnlySpan<byte> encoded, int expectedLength) => Decode(encoded, expectedLength, Array.MaxLength);

    /// <inheritdoc />
    /// <remarks>The size header is checked against the expected length, the limit and what the block could hold before anything is allocated.</remarks>
    public PooledBuffer Decode(ReadOnlySpan<byte> encoded, int expectedLength, int maxLength)
    {
        var declared = ReadHeader(encoded, expectedLength, maxLength);
        var buffer = PooledBuffer.Rent(declared);
        try
        {
            DecodeBlock(encoded[HeaderSize..], buffer.Span);
            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public int Decode(ReadOnlySpan<byte> encoded, Span<byte> destination)
    {
        var declared = ReadHeader(encoded, -1, destination.Length);
        DecodeBlock(encoded[HeaderSize..], destination[..declared]);
        return declared;
    }

    // The decoded size the header declares, refused when negative, unexpected, over the limit or impossible.
    private int ReadHeader(ReadOnlySpan<byte> encoded, int expectedLength, int maxLength)
    {
        if (encoded.Length < HeaderSize)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"the data is {encoded.Length} bytes, shorter than the {HeaderSize}-byte size header"));
        }

        var declared = BinaryPrimitives.ReadInt32LittleEndian(encoded);
        if (declared < 0)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"the header declares a negative size ({declared})"));
        }

        if (expectedLength >= 0 && declared != expectedLength)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"the header declares {declared} decompressed bytes; {expectedLength} were expected"));
        }

        if (declared > maxLength)
        {
            throw DecodeLimit.Exceeded(Name, maxLength, declared);
        }

        // An LZ4 block expands at most 255-fold: a header declaring more is corrupt, refused before allocating.
        var block = encoded.Length - HeaderSize;
        if (declared > (block * 255L) + 16)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"the header declares {declared} decompressed bytes, more than {block} compressed bytes can hold"));
        }

        return declared;
    }

    // Decodes the block into exactly the declared size.
    private void DecodeBlock(ReadOnlySpan<byte> block, Span<byte> destination)
    {
        // liblz4 writes nothing as one zero token; K4os refuses to decode into an empty target, so the empty case stops here.
        if (destination.IsEmpty)
        {
            return;
        }

        var written = LZ4Codec.Decode(block, destination);
        if (written != destination.Length)
        {
            throw new ZarrCodecException(Name, written < 0
                ? "the LZ4 block is corrupt or truncated"
                : string.Create(CultureInfo.InvariantCulture, $"the LZ4 block decompresses to {written} bytes; the header declares {destination.Length}"));
        }
    }

    private ZarrCodecException TooLarge(int length) =>
        new(Name, string.Create(CultureInfo.InvariantCulture, $"LZ4 compresses at most {MaxInput} bytes at once; got {length}"));
}
