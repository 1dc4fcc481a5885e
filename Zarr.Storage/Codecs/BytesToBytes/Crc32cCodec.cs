using System.Buffers.Binary;
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
    public const int ChecksumSize = ChecksumFrame.Size;

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
    public PooledBuffer Encode(ReadOnlySpan<byte> decoded) => ChecksumFrame.Encode(Name, decoded, ChecksumLocation.End, Compute(decoded));

    /// <inheritdoc />
    public long GetMaxEncodedLength(int decodedLength) => (long)decodedLength + ChecksumSize;

    /// <inheritdoc />
    public bool TryEncode(ReadOnlySpan<byte> decoded, Span<byte> destination, out int written) =>
        ChecksumFrame.TryEncode(decoded, destination, ChecksumLocation.End, Compute(decoded), out written);

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
        var data = ChecksumFrame.Split(Name, encoded, ChecksumLocation.End, expectedLength, maxLength, out var stored);
        var computed = Compute(data);
        return stored == computed ? data : throw ChecksumFrame.Mismatch(Name, stored, computed);
    }
}
