using System.Globalization;
using System.Text.Json.Nodes;
using Zarr.Storage.Buffers;

namespace Zarr.Storage.Codecs;

/// <summary>
/// numcodecs' <c>shuffle</c> (<c>{"id": "shuffle", "elementsize": 4}</c>; v3 <c>numcodecs.shuffle</c>, bytes→bytes):
/// byte <c>j</c> of element <c>i</c> of <c>n</c> goes to <c>j·n + i</c>, the transpose blosc's byte shuffle makes of a
/// block, over the whole chunk. numcodecs refuses data whose length is not a multiple of the element size (blosc
/// would leave the trailing bytes alone), so this codec refuses it too, both ways; an element size of 0 or 1 copies.
/// </summary>
/// <remarks>In a v2 array it is a <c>filters</c> entry (or the compressor): zarr-python 2 hands it the chunk's memory,
/// which is what the <c>bytes</c> codec produces, so it stands after <c>bytes</c> in the chain.</remarks>
public sealed class ShuffleCodec : IBytesToBytesCodec, IV2Compressor
{
    /// <summary>Creates the codec.</summary>
    /// <param name="elementSize">The element size in bytes (numcodecs' default is 4; zarr-python 3 writes the data type's).</param>
    /// <exception cref="ArgumentOutOfRangeException">The size is negative.</exception>
    public ShuffleCodec(int elementSize = 4)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(elementSize);
        ElementSize = elementSize;
    }

    /// <summary>The element size in bytes; 0 or 1 leaves the bytes as they are.</summary>
    public int ElementSize { get; }

    /// <inheritdoc />
    public string Name => "numcodecs.shuffle";

    /// <inheritdoc />
    public JsonObject ToV3Json() => CodecRegistry.Default.WriteV3(this);

    /// <inheritdoc />
    public JsonObject ToV2Json() => CodecRegistry.Default.WriteV2(this);

    /// <inheritdoc />
    public PooledBuffer Encode(ReadOnlySpan<byte> decoded)
    {
        var buffer = PooledBuffer.Rent(decoded.Length);
        TryEncode(decoded, buffer.Span, out _);
        return buffer;
    }

    /// <inheritdoc />
    public long GetMaxEncodedLength(int decodedLength) => decodedLength;

    /// <inheritdoc />
    public bool TryEncode(ReadOnlySpan<byte> decoded, Span<byte> destination, out int written)
    {
        CheckLength(decoded.Length);
        if (destination.Length < decoded.Length)
        {
            written = 0;
            return false;
        }

        Transpose(decoded, destination[..decoded.Length], shuffle: true);
        written = decoded.Length;
        return true;
    }

    /// <inheritdoc />
    public PooledBuffer Decode(ReadOnlySpan<byte> encoded, int expectedLength) => Decode(encoded, expectedLength, Array.MaxLength);

    /// <inheritdoc />
    public PooledBuffer Decode(ReadOnlySpan<byte> encoded, int expectedLength, int maxLength)
    {
        if (expectedLength >= 0 && encoded.Length != expectedLength)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"the data is {encoded.Length} bytes; {expectedLength} were expected"));
        }

        if (encoded.Length > maxLength)
        {
            throw DecodeLimit.Exceeded(Name, maxLength, encoded.Length);
        }

        CheckLength(encoded.Length);
        var buffer = PooledBuffer.Rent(encoded.Length);
        Transpose(encoded, buffer.Span, shuffle: false);
        return buffer;
    }

    /// <inheritdoc />
    public int Decode(ReadOnlySpan<byte> encoded, Span<byte> destination)
    {
        if (encoded.Length > destination.Length)
        {
            throw DecodeLimit.Exceeded(Name, destination.Length, encoded.Length);
        }

        CheckLength(encoded.Length);
        Transpose(encoded, destination[..encoded.Length], shuffle: false);
        return encoded.Length;
    }

    private void Transpose(ReadOnlySpan<byte> source, Span<byte> destination, bool shuffle)
    {
        if (ElementSize <= 1)
        {
            source.CopyTo(destination);
        }
        else if (shuffle)
        {
            ByteShuffle.Shuffle(ElementSize, source, destination);
        }
        else
        {
            ByteShuffle.Unshuffle(ElementSize, source, destination);
        }
    }

    private void CheckLength(int length)
    {
        if (ElementSize > 1 && length % ElementSize != 0)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture,
                $"{length} bytes are not a whole number of {ElementSize}-byte elements (numcodecs refuses such data too)"));
        }
    }
}
