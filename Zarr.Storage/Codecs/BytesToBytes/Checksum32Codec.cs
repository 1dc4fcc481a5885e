using System.Text.Json.Nodes;
using Zarr.Storage.Buffers;

namespace Zarr.Storage.Codecs;

/// <summary>Where a numcodecs checksum codec puts its 4 bytes.</summary>
public enum ChecksumLocation
{
    /// <summary>Before the data (numcodecs' <c>crc32</c> and <c>adler32</c> by default, and always before numcodecs 0.13).</summary>
    Start,

    /// <summary>After the data (numcodecs' <c>crc32c</c> by default; <c>fletcher32</c> and <c>jenkins_lookup3</c> always).</summary>
    End,
}

/// <summary>
/// What numcodecs' 32-bit checksum codecs share: the data with its checksum as 4 little-endian bytes before or after it
/// (<see cref="Location"/>); decoding verifies and strips it, and a mismatch is a <see cref="ZarrCodecException"/>
/// naming the codec (and, through the array, the chunk). The derived codec computes the checksum.
/// </summary>
public abstract class Checksum32Codec : IBytesToBytesCodec, IV2Compressor
{
    /// <summary>The size of the checksum in bytes.</summary>
    public const int ChecksumSize = ChecksumFrame.Size;

    private protected Checksum32Codec(string v2Id, ChecksumLocation location)
    {
        if (!Enum.IsDefined(location))
        {
            throw new ArgumentOutOfRangeException(nameof(location), location, "must be Start or End");
        }

        V2Id = v2Id;
        Name = "numcodecs." + v2Id;
        Location = location;
    }

    /// <summary>numcodecs' codec id (<c>crc32</c>, <c>adler32</c>, ...).</summary>
    public string V2Id { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Where the checksum goes.</summary>
    public ChecksumLocation Location { get; }

    /// <summary>The checksum of <paramref name="data"/>.</summary>
    public abstract uint Compute(ReadOnlySpan<byte> data);

    /// <inheritdoc />
    public JsonObject ToV3Json() => CodecRegistry.Default.WriteV3(this);

    /// <inheritdoc />
    public JsonObject ToV2Json() => CodecRegistry.Default.WriteV2(this);

    /// <inheritdoc />
    public PooledBuffer Encode(ReadOnlySpan<byte> decoded) => ChecksumFrame.Encode(Name, decoded, Location, Compute(decoded));

    /// <inheritdoc />
    public long GetMaxEncodedLength(int decodedLength) => (long)decodedLength + ChecksumSize;

    /// <inheritdoc />
    public bool TryEncode(ReadOnlySpan<byte> decoded, Span<byte> destination, out int written) =>
        ChecksumFrame.TryEncode(decoded, destination, Location, Compute(decoded), out written);

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

    // The data without its checksum, once its length and checksum are right.
    private ReadOnlySpan<byte> Verify(ReadOnlySpan<byte> encoded, int expectedLength, int maxLength)
    {
        var data = ChecksumFrame.Split(Name, encoded, Location, expectedLength, maxLength, out var stored);
        var computed = Compute(data);
        return stored == computed
            ? data
            : throw ChecksumFrame.Mismatch(Name, stored, computed, Location == ChecksumLocation.Start
                ? " in the first 4 bytes; the chunk is corrupt, or was written with the checksum at the end"
                : " in the last 4 bytes; the chunk is corrupt, or was written with the checksum at the start");
    }
}
