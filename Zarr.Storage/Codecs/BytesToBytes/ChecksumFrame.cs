using System.Buffers.Binary;
using System.Globalization;
using Zarr.Storage.Buffers;

namespace Zarr.Storage.Codecs;

/// <summary>
/// The layout every 32-bit checksum codec shares (v3 <c>crc32c</c> and numcodecs' <c>crc32</c>, <c>adler32</c>,
/// <c>crc32c</c>, <c>fletcher32</c>, <c>jenkins_lookup3</c>): the data with its checksum as 4 little-endian bytes before
/// or after it. The codec computes the checksum; this writes the frame, and splits and checks one when decoding.
/// </summary>
internal static class ChecksumFrame
{
    /// <summary>The size of the checksum in bytes.</summary>
    public const int Size = 4;

    /// <summary>The data and its checksum in a new buffer.</summary>
    /// <exception cref="ZarrCodecException">The data and the checksum do not fit one buffer.</exception>
    public static PooledBuffer Encode(string codec, ReadOnlySpan<byte> decoded, ChecksumLocation location, uint checksum)
    {
        if (decoded.Length > Array.MaxLength - Size)
        {
            throw new ZarrCodecException(codec, string.Create(CultureInfo.InvariantCulture, $"{decoded.Length} bytes and a checksum do not fit one buffer"));
        }

        var buffer = PooledBuffer.Rent(decoded.Length + Size);
        TryEncode(decoded, buffer.Span, location, checksum, out _);
        return buffer;
    }

    /// <summary>Writes the data and its checksum into <paramref name="destination"/>, if it is large enough.</summary>
    public static bool TryEncode(ReadOnlySpan<byte> decoded, Span<byte> destination, ChecksumLocation location, uint checksum, out int written)
    {
        if ((long)decoded.Length + Size > destination.Length)
        {
            written = 0;
            return false;
        }

        var start = location == ChecksumLocation.Start;
        decoded.CopyTo(destination[(start ? Size : 0)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[(start ? 0 : decoded.Length)..], checksum);
        written = decoded.Length + Size;
        return true;
    }

    /// <summary>The data of a frame and the checksum stored with it, once the frame's lengths are right.</summary>
    /// <param name="codec">The codec's name, for errors.</param>
    /// <param name="encoded">The frame.</param>
    /// <param name="location">Where the checksum is.</param>
    /// <param name="expectedLength">The data's length, or -1 when it is not known.</param>
    /// <param name="maxLength">The most data the caller takes.</param>
    /// <param name="stored">The checksum stored in the frame.</param>
    /// <exception cref="ZarrCodecException">The frame is shorter than a checksum, or its data is not the expected length or exceeds the limit.</exception>
    public static ReadOnlySpan<byte> Split(string codec, ReadOnlySpan<byte> encoded, ChecksumLocation location, int expectedLength, int maxLength, out uint stored)
    {
        if (encoded.Length < Size)
        {
            throw new ZarrCodecException(codec, string.Create(CultureInfo.InvariantCulture, $"the data is {encoded.Length} bytes, shorter than the {Size}-byte checksum"));
        }

        var start = location == ChecksumLocation.Start;
        var data = start ? encoded[Size..] : encoded[..^Size];
        if (expectedLength >= 0 && data.Length != expectedLength)
        {
            throw new ZarrCodecException(codec, string.Create(CultureInfo.InvariantCulture, $"the data is {data.Length} bytes besides its checksum; {expectedLength} were expected"));
        }

        if (data.Length > maxLength)
        {
            throw DecodeLimit.Exceeded(codec, maxLength, data.Length);
        }

        stored = BinaryPrimitives.ReadUInt32LittleEndian(start ? encoded[..Size] : encoded[^Size..]);
        return data;
    }

    /// <summary>The error for a checksum that does not match its data.</summary>
    public static ZarrCodecException Mismatch(string codec, uint stored, uint computed, string? hint = null) =>
        new(codec, string.Create(CultureInfo.InvariantCulture, $"checksum mismatch (stored 0x{stored:X8}, computed 0x{computed:X8}){hint}"));
}
