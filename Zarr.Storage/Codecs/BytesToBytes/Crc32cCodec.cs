using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Zarr.Storage.Buffers;

namespace Zarr.Storage.Codecs;

/// <summary>
/// The v3 <c>crc32c</c> codec: appends the CRC32C (Castagnoli) checksum of the data as 4 little-endian bytes, and
/// verifies and strips it when decoding. Uses the processor's CRC32C instruction where there is one.
/// </summary>
public sealed class Crc32cCodec : IBytesToBytesCodec
{
    /// <summary>The size of the checksum in bytes.</summary>
    public const int ChecksumSize = 4;

    /// <inheritdoc />
    public string Name => "crc32c";

    /// <summary>The CRC32C of <paramref name="data"/> (initial value and final xor 0xFFFFFFFF, as RFC 3720).</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = uint.MaxValue;
        var words = MemoryMarshal.Cast<byte, ulong>(data);
        foreach (var word in words)
        {
            crc = BitOperations.Crc32C(crc, BitConverter.IsLittleEndian ? word : BinaryPrimitives.ReverseEndianness(word));
        }

        foreach (var b in data[(words.Length * sizeof(ulong))..])
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return ~crc;
    }

    /// <inheritdoc />
    /// <remarks><c>{"name": "crc32c"}</c>, as zarr-python writes it (the codec has no configuration).</remarks>
    public JsonObject ToV3Json() => CodecRegistry.Default.WriteV3(this);

    /// <inheritdoc />
    public PooledBuffer Encode(ReadOnlySpan<byte> decoded)
    {
        if (decoded.Length > Array.MaxLength - ChecksumSize)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"{decoded.Length} bytes and a checksum do not fit one buffer"));
        }

        var buffer = PooledBuffer.Rent(decoded.Length + ChecksumSize);
        TryEncode(decoded, buffer.Span, out _);
        return buffer;
    }

    /// <inheritdoc />
    public long GetMaxEncodedLength(int decodedLength) => (long)decodedLength + ChecksumSize;

    /// <inheritdoc />
    public bool TryEncode(ReadOnlySpan<byte> decoded, Span<byte> destination, out int written)
    {
        if ((long)decoded.Length + ChecksumSize > destination.Length)
        {
            written = 0;
            return false;
        }

        decoded.CopyTo(destination);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[decoded.Length..], Compute(decoded));
        written = decoded.Length + ChecksumSize;
        return true;
    }

    /// <inheritdoc />
    public PooledBuffer Decode(ReadOnlySpan<byte> encoded, int expectedLength) => Decode(encoded, expectedLength, Array.MaxLength);

    /// <inheritdoc />
    public PooledBuffer Decode(ReadOnlySpan<byte> encoded, int expectedLength, int maxLength) =>
        PooledBuffer.CopyOf(Verify(encoded, expectedLength, maxLength));

    /// <inheritdoc />
    public int Decode(ReadOnlySpan<byte> encoded, Span<byte> destination)
    {
        var data = Verify(encoded, -1, destination.Length);
        data.CopyTo(destination);
        return data.Length;
    }

    // The data before the checksum, once its length and checksum are right.
    private ReadOnlySpan<byte> Verify(ReadOnlySpan<byte> encoded, int expectedLength, int maxLength)
    {
        if (encoded.Length < ChecksumSize)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"the data is {encoded.Length} bytes, shorter than the {ChecksumSize}-byte checksum"));
        }

        var data = encoded[..^ChecksumSize];
        if (expectedLength >= 0 && data.Length != expectedLength)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"the data is {data.Length} bytes before its checksum; {expectedLength} were expected"));
        }

        if (data.Length > maxLength)
        {
            throw DecodeLimit.Exceeded(Name, maxLength, data.Length);
        }

        var stored = BinaryPrimitives.ReadUInt32LittleEndian(encoded[^ChecksumSize..]);
        var computed = Compute(data);
        if (stored != computed)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"checksum mismatch (stored 0x{stored:X8}, computed 0x{computed:X8})"));
        }

        return data;
    }
}
