using System.Buffers.Binary;
using System.Globalization;
using Zarr.Storage.Buffers;

namespace Zarr.Storage.Codecs;

/// <summary>
/// A shard's index: one (offset, nbytes) pair of uint64 little-endian per inner chunk, C order of the inner-chunk grid,
/// both 2^64−1 for an empty inner chunk; encoded with its own fixed-size codec chain and stored at the start or the
/// end of the shard. This type knows where the index lies, how it is encoded, and what an entry may point at.
/// </summary>
internal sealed class ShardIndex
{
    private const int EntrySize = 16;

    private ShardIndex(CodecPipeline codecs, ShardIndexLocation location, int overhead)
    {
        Codecs = codecs;
        Location = location;
        Overhead = overhead;
    }

    /// <summary>The index's codec chain.</summary>
    public CodecPipeline Codecs { get; }

    /// <summary>Where the index is stored.</summary>
    public ShardIndexLocation Location { get; }

    /// <summary>The bytes the index codecs add to the 16 bytes per inner chunk (4 per <c>crc32c</c>).</summary>
    public int Overhead { get; }

    /// <summary>Checks that the chain has a fixed encoded size (<c>bytes</c>, then only <c>crc32c</c>) and builds the index.</summary>
    /// <exception cref="ZarrException">It has not.</exception>
    public static ShardIndex Create(CodecPipeline codecs, ShardIndexLocation location)
    {
        if (codecs.ArrayToBytesCodec is not BytesCodec)
        {
            throw new ZarrException($"{ShardingCodec.CodecName}: the index codecs need the 'bytes' codec as their array→bytes codec, not '{codecs.ArrayToBytesCodec.Name}'");
        }

        var overhead = 0;
        foreach (var codec in codecs.BytesToBytesCodecs)
        {
            if (codec is not Crc32cCodec)
            {
                throw new ZarrException($"{ShardingCodec.CodecName}: the index codecs must have a fixed encoded size; '{codec.Name}' does not (use bytes + crc32c)");
            }

            overhead += Crc32cCodec.ChecksumSize;
        }

        return new ShardIndex(codecs, location, overhead);
    }

    /// <summary>Where the inner chunks' bytes may start in a shard (after the index when it comes first).</summary>
    public int DataStart(ShardLayout layout) => Location == ShardIndexLocation.Start ? layout.IndexEncodedLength : 0;

    /// <summary>Where the inner chunks' bytes must end in a shard of <paramref name="shardLength"/> bytes.</summary>
    public int DataEnd(ShardLayout layout, int shardLength) =>
        Location == ShardIndexLocation.Start ? shardLength : shardLength - layout.IndexEncodedLength;

    /// <summary>The byte range of the index in a stored shard, for a ranged read.</summary>
    public ByteRange Range(ShardLayout layout) => Location == ShardIndexLocation.Start
        ? ByteRange.Slice(0, layout.IndexEncodedLength)
        : ByteRange.Suffix(layout.IndexEncodedLength);

    /// <summary>The encoded index inside a whole shard's bytes.</summary>
    /// <exception cref="ZarrCodecException">The shard is shorter than its index.</exception>
    public ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> shard, ShardLayout layout)
    {
        CheckHolds(shard.Length, layout);
        return Location == ShardIndexLocation.Start ? shard[..layout.IndexEncodedLength] : shard[^layout.IndexEncodedLength..];
    }

    /// <summary>Refuses a shard (or a ranged read of its index) shorter than the encoded index.</summary>
    /// <exception cref="ZarrCodecException">It is shorter.</exception>
    public static void CheckHolds(int length, ShardLayout layout)
    {
        if (length < layout.IndexEncodedLength)
        {
            throw new ZarrCodecException(ShardingCodec.CodecName, string.Create(CultureInfo.InvariantCulture, $"the shard is {length} bytes, shorter than its {layout.IndexEncodedLength}-byte index"));
        }
    }

    /// <summary>Decodes the encoded index into a new buffer of entries the caller owns.</summary>
    /// <exception cref="ZarrCodecException">The index is corrupt; a checksum mismatch says so.</exception>
    public PooledBuffer Decode(ReadOnlySpan<byte> encodedIndex, ShardLayout layout)
    {
        var entries = PooledBuffer.Rent(layout.IndexByteLength);
        try
        {
            Codecs.Decode(encodedIndex, entries.Span, layout.IndexSpec);
            return entries;
        }
        catch (ZarrCodecException e)
        {
            entries.Dispose();
            throw e.Codec == "crc32c"
                ? new ZarrCodecException(ShardingCodec.CodecName, $"shard index checksum mismatch ({e.Reason})", e)
                : new ZarrCodecException(ShardingCodec.CodecName, $"the shard index cannot be decoded: {e.Message}", e);
        }
        catch
        {
            entries.Dispose();
            throw;
        }
    }

    /// <summary>Encodes the entries into a new buffer of exactly <c>layout.IndexEncodedLength</c> bytes.</summary>
    /// <exception cref="ZarrCodecException">The index codecs produced another length.</exception>
    public PooledBuffer Encode(ReadOnlySpan<byte> entries, ShardLayout layout)
    {
        var encoded = Codecs.Encode(entries, layout.IndexSpec);
        if (encoded.Length != layout.IndexEncodedLength)
        {
            encoded.Dispose();
            throw new ZarrCodecException(ShardingCodec.CodecName, string.Create(CultureInfo.InvariantCulture, $"the index codecs produced {encoded.Length} bytes; {layout.IndexEncodedLength} were expected"));
        }

        return encoded;
    }

    /// <summary>Writes entry <paramref name="i"/>: a stored inner chunk's range, or with a null length an empty one.</summary>
    public static void Write(Span<byte> entries, int i, long offset, int? length)
    {
        var entry = entries.Slice(EntrySize * i, EntrySize);
        BinaryPrimitives.WriteUInt64LittleEndian(entry, length is null ? ShardLayout.Empty : (ulong)offset);
        BinaryPrimitives.WriteUInt64LittleEndian(entry[8..], length is { } n ? (ulong)n : ShardLayout.Empty);
    }

    /// <summary>
    /// Reads entry <paramref name="i"/>: false for an empty inner chunk, true with its byte range otherwise.
    /// </summary>
    /// <exception cref="ZarrCodecException">The entry is inconsistent or points outside [dataStart, dataEnd).</exception>
    public static bool Locate(ReadOnlySpan<byte> entries, int i, ShardLayout layout, long dataStart, long dataEnd, out long offset, out long length)
    {
        var o = BinaryPrimitives.ReadUInt64LittleEndian(entries[(EntrySize * i)..]);
        var n = BinaryPrimitives.ReadUInt64LittleEndian(entries[((EntrySize * i) + 8)..]);
        if (o == ShardLayout.Empty && n == ShardLayout.Empty)
        {
            offset = length = 0;
            return false;
        }

        if (o == ShardLayout.Empty || n == ShardLayout.Empty)
        {
            throw new ZarrCodecException(ShardingCodec.CodecName, string.Create(CultureInfo.InvariantCulture, $"index entry of inner chunk {layout.Describe(i)} is (offset {o}, nbytes {n}): an empty inner chunk has 2^64-1 for both"));
        }

        if (o < (ulong)dataStart || n > (ulong)dataEnd || o > (ulong)dataEnd - n)
        {
            throw new ZarrCodecException(ShardingCodec.CodecName, string.Create(CultureInfo.InvariantCulture, $"inner chunk {layout.Describe(i)} at bytes [{o}, {o + n}) lies outside the shard's data, bytes [{dataStart}, {(dataEnd == long.MaxValue ? "end" : dataEnd.ToString(CultureInfo.InvariantCulture))})"));
        }

        offset = (long)o;
        length = (long)n;
        return true;
    }
}
