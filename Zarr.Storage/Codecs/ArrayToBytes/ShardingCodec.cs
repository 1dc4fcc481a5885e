using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json.Nodes;
using Zarr.Storage.Buffers;
using Zarr.Storage.Codecs.ArrayToBytes.Sharding;
using Zarr.Storage.Codecs.BytesToBytes;
using Zarr.Storage.Internal;
using Zarr.Storage.Stores;

namespace Zarr.Storage.Codecs.ArrayToBytes;

/// <summary>
/// The v3 <c>sharding_indexed</c> codec: a chunk of the array (a shard) is cut into inner chunks, each encoded with
/// its own codec chain and stored one after another, with an index of (offset, nbytes) per inner chunk — uint64
/// little-endian, C order of the inner-chunk grid, both 2^64−1 for an empty inner chunk — encoded with the index
/// codecs and placed at the start or the end of the shard.
/// </summary>
/// <remarks>
/// <para>Inner chunks whose every element is the fill value are not stored (index entry 2^64−1 twice), as zarr-python
/// does with <c>write_empty_chunks=False</c>; they decode as the fill value.</para>
/// <para>A read of part of a shard (<see cref="TryDecodePartialAsync"/>) fetches the index with one ranged read and
/// then only the inner chunks the region touches, coalescing ranges less than 64 KiB apart into one read.</para>
/// <para>Immutable and thread-safe. Large shards are encoded and decoded with their inner chunks in parallel.</para>
/// </remarks>
public sealed class ShardingCodec : IPartialDecodingCodec
{
    /// <summary>The registered name, <c>sharding_indexed</c>.</summary>
    public const string CodecName = "sharding_indexed";

    /// <summary>Ranges of inner chunks closer than this are read as one range (the gap is read and dropped).</summary>
    internal const int CoalesceMaxGap = 64 * 1024;

    /// <summary>A coalesced read is not grown beyond this many bytes.</summary>
    internal const int CoalesceMaxBytes = 16 * 1024 * 1024;

    /// <summary>Inner chunks are encoded and decoded in parallel when the shard has at least this many decoded bytes ...</summary>
    internal const int ParallelMinShardBytes = 1024 * 1024;

    /// <summary>... and each inner chunk at least this many (below, the work per task is too small to pay for the task).</summary>
    internal const int ParallelMinInnerBytes = 16 * 1024;

    private readonly int[] _chunkShape;
    private readonly CodecPipeline _inner;
    private readonly CodecPipeline _index;
    private readonly int _indexOverhead;
    private volatile ShardLayout? _layout;

    /// <summary>Creates the codec.</summary>
    /// <param name="chunkShape">The inner chunk shape; it must divide the shard shape (the array's chunk shape).</param>
    /// <param name="codecs">The inner chunks' codec chain (exactly one array→bytes codec, which may be sharding again).</param>
    /// <param name="indexCodecs">The index's codec chain; null for <c>bytes</c> (little-endian) + <c>crc32c</c>. It must have a
    /// fixed encoded size: the <c>bytes</c> codec, optionally array→array codecs before it and <c>crc32c</c> after it.</param>
    /// <param name="indexLocation">Where the index is stored.</param>
    /// <exception cref="ZarrException">A chain is invalid, the index chain has no fixed size, or a dimension is not positive.</exception>
    public ShardingCodec(int[] chunkShape, IEnumerable<ICodec> codecs, IEnumerable<ICodec>? indexCodecs = null, ShardIndexLocation indexLocation = ShardIndexLocation.End)
    {
        ArgumentNullException.ThrowIfNull(chunkShape);
        ArgumentNullException.ThrowIfNull(codecs);
        foreach (var c in chunkShape)
        {
            if (c <= 0)
            {
                throw new ZarrException($"{CodecName}: the inner chunk shape ({ShardLayout.Join(chunkShape)}) must be positive in every dimension");
            }
        }

        if (indexLocation is not (ShardIndexLocation.End or ShardIndexLocation.Start))
        {
            throw new ArgumentOutOfRangeException(nameof(indexLocation), indexLocation, "the index location is Start or End");
        }

        _chunkShape = (int[])chunkShape.Clone();
        _inner = Pipeline(codecs, "codecs");
        _index = Pipeline(indexCodecs ?? [new BytesCodec(Endian.Little), new Crc32cCodec()], "index_codecs");
        if (_index.ArrayToBytesCodec is not BytesCodec)
        {
            throw new ZarrException($"{CodecName}: the index codecs need the 'bytes' codec as their array→bytes codec, not '{_index.ArrayToBytesCodec.Name}'");
        }

        foreach (var codec in _index.BytesToBytesCodecs)
        {
            if (codec is not Crc32cCodec)
            {
                throw new ZarrException($"{CodecName}: the index codecs must have a fixed encoded size; '{codec.Name}' does not (use bytes + crc32c)");
            }

            _indexOverhead += Crc32cCodec.ChecksumSize;
        }

        IndexLocation = indexLocation;
    }

    /// <inheritdoc />
    public string Name => CodecName;

    /// <summary>The inner chunk shape (a copy).</summary>
    public int[] ChunkShape => (int[])_chunkShape.Clone();

    /// <summary>The inner chunks' codec chain.</summary>
    public CodecPipeline Codecs => _inner;

    /// <summary>The index's codec chain.</summary>
    public CodecPipeline IndexCodecs => _index;

    /// <summary>Where the index is stored.</summary>
    public ShardIndexLocation IndexLocation { get; }

    /// <summary>For tests: true or false forces inner chunks to be encoded and decoded in parallel or one by one; null decides by size.</summary>
    internal bool? ParallelInnerChunks { get; init; }

    /// <summary>
    /// The codec zarr-python 3's <c>create_array(shards=...)</c> writes: inner chunks of <paramref name="chunkShape"/>
    /// encoded with <paramref name="arrayCodecs"/> (such as <c>bytes</c>, or <c>transpose</c> + <c>bytes</c>) and the
    /// <paramref name="compressors"/>, the index encoded with <c>bytes</c> + <c>crc32c</c> at the end.
    /// </summary>
    public static ShardingCodec For(int[] chunkShape, IEnumerable<ICodec> arrayCodecs, IEnumerable<IBytesToBytesCodec> compressors)
    {
        ArgumentNullException.ThrowIfNull(arrayCodecs);
        ArgumentNullException.ThrowIfNull(compressors);
        return new ShardingCodec(chunkShape, [.. arrayCodecs, .. compressors]);
    }

    /// <inheritdoc />
    /// <remarks>As zarr-python 3 writes it: <c>chunk_shape</c>, <c>codecs</c>, <c>index_codecs</c>, <c>index_location</c>.</remarks>
    public JsonObject ToV3Json()
    {
        var codecs = new JsonArray();
        foreach (var codec in _inner.Codecs)
        {
            codecs.Add(codec.ToV3Json());
        }

        var indexCodecs = new JsonArray();
        foreach (var codec in _index.Codecs)
        {
            indexCodecs.Add(codec.ToV3Json());
        }

        var shape = new JsonArray();
        foreach (var s in _chunkShape)
        {
            shape.Add(s);
        }

        return new JsonObject
        {
            ["name"] = Name,
            ["configuration"] = new JsonObject
            {
                ["chunk_shape"] = shape,
                ["codecs"] = codecs,
                ["index_codecs"] = indexCodecs,
                ["index_location"] = IndexLocation == ShardIndexLocation.Start ? "start" : "end",
            },
        };
    }

    /// <summary>
    /// Checks that shards of <paramref name="spec"/> can be cut into inner chunks (same rank, inner chunk shape divides
    /// the shard shape), and the same for nested sharding codecs.
    /// </summary>
    /// <exception cref="ZarrCodecException">It cannot; the message names both shapes.</exception>
    public void Validate(in ChunkSpec spec)
    {
        var layout = GetLayout(spec);
        _inner.Validate(layout.InnerSpec);
    }

    /// <summary>The encoded size of the index for shards of <paramref name="spec"/>: 16 bytes per inner chunk plus the index codecs' overhead.</summary>
    public int GetIndexSize(in ChunkSpec spec) => GetLayout(spec).IndexEncodedLength;

    // ---------------------------------------------------------------- encode

    /// <inheritdoc />
    public PooledBuffer Encode(ReadOnlySpan<byte> chunk, in ChunkSpec spec)
    {
        var layout = GetLayout(spec);
        if (chunk.Length != spec.ByteLength)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"the shard is {chunk.Length} bytes; a shard of shape ({ShardLayout.Join(spec.Shape)}) and type {spec.DataType} is {spec.ByteLength}"));
        }

        var parts = new PooledBuffer?[layout.ChunkCount];
        try
        {
            EncodeInnerChunks(chunk, layout, parts);
            return Assemble(layout, parts);
        }
        finally
        {
            foreach (var part in parts)
            {
                part?.Dispose();
            }
        }
    }

    private unsafe void EncodeInnerChunks(ReadOnlySpan<byte> shard, ShardLayout layout, PooledBuffer?[] parts)
    {
        if (!UseParallel(layout, layout.ChunkCount))
        {
            for (var i = 0; i < parts.Length; i++)
            {
                parts[i] = EncodeInner(shard, layout, i);
            }

            return;
        }

        fixed (byte* pointer = shard)
        {
            var address = (nint)pointer;
            var length = shard.Length;
            RunParallel(parts.Length, i => parts[i] = EncodeInner(new ReadOnlySpan<byte>((void*)address, length), layout, i));
        }
    }

    // One inner chunk's encoded bytes, or null when it holds only the fill value (it is not stored).
    private PooledBuffer? EncodeInner(ReadOnlySpan<byte> shard, ShardLayout layout, int index)
    {
        if (layout.InnerIsContiguous)
        {
            return EncodeInnerSpan(shard.Slice((int)layout.OriginOf(index), layout.InnerByteLength), layout, index);
        }

        using var inner = PooledBuffer.Rent(layout.InnerByteLength);
        layout.CopyOut(shard, index, inner.Span);
        return EncodeInnerSpan(inner.Span, layout, index);
    }

    private PooledBuffer? EncodeInnerSpan(ReadOnlySpan<byte> inner, ShardLayout layout, int index)
    {
        var spec = layout.InnerSpec;
        if (FillValues.IsAllFill(inner, spec.FillValue, spec.DataType))
        {
            return null;
        }

        try
        {
            return _inner.Encode(inner, spec);
        }
        catch (ZarrCodecException e)
        {
            throw new ZarrCodecException(Name, $"inner chunk {layout.Describe(index)}: {e.Message}", e);
        }
    }

    // The inner chunks in C order, then the index (or the index first, its offsets counting it).
    private PooledBuffer Assemble(ShardLayout layout, PooledBuffer?[] parts)
    {
        long start = IndexLocation == ShardIndexLocation.Start ? layout.IndexEncodedLength : 0;
        using var index = PooledBuffer.Rent(layout.IndexByteLength);
        var entries = index.Span;
        var offset = start;
        for (var i = 0; i < parts.Length; i++)
        {
            var entry = entries.Slice(16 * i, 16);
            if (parts[i] is { } part)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(entry, (ulong)offset);
                BinaryPrimitives.WriteUInt64LittleEndian(entry[8..], (ulong)part.Length);
                offset += part.Length;
            }
            else
            {
                BinaryPrimitives.WriteUInt64LittleEndian(entry, ShardLayout.Empty);
                BinaryPrimitives.WriteUInt64LittleEndian(entry[8..], ShardLayout.Empty);
            }
        }

        var total = offset - start + layout.IndexEncodedLength;
        if (total > Array.MaxLength)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"the encoded shard would be {total} bytes; a shard must be under 2 GiB (use smaller shards)"));
        }

        using var encodedIndex = _index.Encode(entries, layout.IndexSpec);
        if (encodedIndex.Length != layout.IndexEncodedLength)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"the index codecs produced {encodedIndex.Length} bytes; {layout.IndexEncodedLength} were expected"));
        }

        var shard = PooledBuffer.Rent((int)total);
        var span = shard.Span;
        var position = 0;
        if (IndexLocation == ShardIndexLocation.Start)
        {
            encodedIndex.Span.CopyTo(span);
            position = encodedIndex.Length;
        }

        foreach (var part in parts)
        {
            if (part is not null)
            {
                part.Span.CopyTo(span[position..]);
                position += part.Length;
            }
        }

        if (IndexLocation == ShardIndexLocation.End)
        {
            encodedIndex.Span.CopyTo(span[position..]);
        }

        return shard;
    }

    // ---------------------------------------------------------------- decode

    /// <inheritdoc />
    public void Decode(ReadOnlySpan<byte> encoded, Span<byte> chunk, in ChunkSpec spec)
    {
        var layout = GetLayout(spec);
        if (chunk.Length != spec.ByteLength)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"the destination is {chunk.Length} bytes; the shard is {spec.ByteLength}"), nameof(chunk));
        }

        if (encoded.Length < layout.IndexEncodedLength)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"the shard is {encoded.Length} bytes, shorter than its {layout.IndexEncodedLength}-byte index"));
        }

        var indexBytes = IndexLocation == ShardIndexLocation.Start
            ? encoded[..layout.IndexEncodedLength]
            : encoded[^layout.IndexEncodedLength..];
        using var index = DecodeIndex(indexBytes, layout);
        var dataStart = IndexLocation == ShardIndexLocation.Start ? layout.IndexEncodedLength : 0;
        var dataEnd = IndexLocation == ShardIndexLocation.Start ? encoded.Length : encoded.Length - layout.IndexEncodedLength;

        // Every entry is checked before anything is decoded.
        var present = 0;
        for (var i = 0; i < layout.ChunkCount; i++)
        {
            if (Locate(index.Span, i, layout, dataStart, dataEnd, out _, out _))
            {
                present++;
            }
        }

        if (!UseParallel(layout, present))
        {
            for (var i = 0; i < layout.ChunkCount; i++)
            {
                DecodeEntry(encoded, index.Span, chunk, layout, i, dataStart, dataEnd);
            }

            return;
        }

        DecodeParallel(encoded, index, chunk, layout, dataStart, dataEnd);
    }

    private unsafe void DecodeParallel(ReadOnlySpan<byte> encoded, PooledBuffer index, Span<byte> chunk, ShardLayout layout, int dataStart, int dataEnd)
    {
        fixed (byte* source = encoded)
        fixed (byte* destination = chunk)
        {
            var src = (nint)source;
            var srcLength = encoded.Length;
            var dst = (nint)destination;
            var dstLength = chunk.Length;
            RunParallel(layout.ChunkCount, i => DecodeEntry(
                new ReadOnlySpan<byte>((void*)src, srcLength),
                index.Span,
                new Span<byte>((void*)dst, dstLength),
                layout,
                i,
                dataStart,
                dataEnd));
        }
    }

    // Decodes inner chunk i from a whole shard's bytes into its place, or fills it.
    private void DecodeEntry(ReadOnlySpan<byte> encoded, ReadOnlySpan<byte> index, Span<byte> shard, ShardLayout layout, int i, long dataStart, long dataEnd)
    {
        if (Locate(index, i, layout, dataStart, dataEnd, out var offset, out var length))
        {
            DecodeInner(encoded.Slice((int)offset, (int)length), shard, layout, i);
        }
        else
        {
            layout.Fill(shard, i);
        }
    }

    private void DecodeInner(ReadOnlySpan<byte> encoded, Span<byte> shard, ShardLayout layout, int index)
    {
        try
        {
            if (layout.InnerIsContiguous)
            {
                _inner.Decode(encoded, shard.Slice((int)layout.OriginOf(index), layout.InnerByteLength), layout.InnerSpec);
                return;
            }

            using var inner = PooledBuffer.Rent(layout.InnerByteLength);
            _inner.Decode(encoded, inner.Span, layout.InnerSpec);
            layout.CopyIn(inner.Span, shard, index);
        }
        catch (ZarrCodecException e)
        {
            throw new ZarrCodecException(Name, $"inner chunk {layout.Describe(index)}: {e.Message}", e);
        }
    }

    private PooledBuffer DecodeIndex(ReadOnlySpan<byte> encodedIndex, ShardLayout layout)
    {
        var index = PooledBuffer.Rent(layout.IndexByteLength);
        try
        {
            _index.Decode(encodedIndex, index.Span, layout.IndexSpec);
            return index;
        }
        catch (ZarrCodecException e)
        {
            index.Dispose();
            throw e.Codec == "crc32c"
                ? new ZarrCodecException(Name, $"shard index checksum mismatch ({e.Reason})", e)
                : new ZarrCodecException(Name, $"the shard index cannot be decoded: {e.Message}", e);
        }
        catch
        {
            index.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads index entry <paramref name="i"/>: false for an empty inner chunk, true with its byte range otherwise.
    /// </summary>
    /// <exception cref="ZarrCodecException">The entry is inconsistent or points outside [dataStart, dataEnd).</exception>
    private bool Locate(ReadOnlySpan<byte> index, int i, ShardLayout layout, long dataStart, long dataEnd, out long offset, out long length)
    {
        var o = BinaryPrimitives.ReadUInt64LittleEndian(index[(16 * i)..]);
        var n = BinaryPrimitives.ReadUInt64LittleEndian(index[((16 * i) + 8)..]);
        if (o == ShardLayout.Empty && n == ShardLayout.Empty)
        {
            offset = length = 0;
            return false;
        }

        if (o == ShardLayout.Empty || n == ShardLayout.Empty)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"index entry of inner chunk {layout.Describe(i)} is (offset {o}, nbytes {n}): an empty inner chunk has 2^64-1 for both"));
        }

        if (o < (ulong)dataStart || n > (ulong)dataEnd || o > (ulong)dataEnd - n)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"inner chunk {layout.Describe(i)} at bytes [{o}, {o + n}) lies outside the shard's data, bytes [{dataStart}, {(dataEnd == long.MaxValue ? "end" : dataEnd.ToString(CultureInfo.InvariantCulture))})"));
        }

        offset = (long)o;
        length = (long)n;
        return true;
    }

    // ---------------------------------------------------------------- partial decode

    /// <inheritdoc />
    /// <remarks>
    /// Reads the index (a prefix or suffix range) and then only the inner chunks <paramref name="region"/> touches, as
    /// ranged reads, coalescing ranges less than 64 KiB apart; when the region touches every inner chunk the shard is
    /// read whole, once. Empty inner chunks are filled with the fill value.
    /// </remarks>
    public async ValueTask<bool> TryDecodePartialAsync(IReadableStore store, string key, ChunkRegion region, Memory<byte> chunk, ChunkSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(key);
        var layout = GetLayout(spec);
        if (chunk.Length != spec.ByteLength)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"the destination is {chunk.Length} bytes; the shard is {spec.ByteLength}"), nameof(chunk));
        }

        var touched = layout.ChunksTouched(region);
        if (touched.Length == 0)
        {
            return await store.ExistsAsync(key, cancellationToken).ConfigureAwait(false);
        }

        if (touched.Length == layout.ChunkCount)
        {
            using var whole = await store.GetAsync(key, null, cancellationToken).ConfigureAwait(false);
            if (whole is null)
            {
                return false;
            }

            Decode(whole.Span, chunk.Span, spec);
            return true;
        }

        var indexRange = IndexLocation == ShardIndexLocation.Start
            ? ByteRange.Slice(0, layout.IndexEncodedLength)
            : ByteRange.Suffix(layout.IndexEncodedLength);
        PooledBuffer index;
        using (var encodedIndex = await store.GetAsync(key, indexRange, cancellationToken).ConfigureAwait(false))
        {
            if (encodedIndex is null)
            {
                return false;
            }

            if (encodedIndex.Length != layout.IndexEncodedLength)
            {
                throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"the shard is {encodedIndex.Length} bytes, shorter than its {layout.IndexEncodedLength}-byte index"));
            }

            index = DecodeIndex(encodedIndex.Span, layout);
        }

        using (index)
        {
            var groups = PlanReads(index.Span, touched, layout, chunk.Span);
            if (groups.Count == 0)
            {
                return true;
            }

            var reads = new Task<PooledBuffer?>[groups.Count];
            for (var g = 0; g < groups.Count; g++)
            {
                reads[g] = store.GetAsync(key, ByteRange.Slice(groups[g].Start, groups[g].End - groups[g].Start), cancellationToken).AsTask();
            }

            try
            {
                await Task.WhenAll(reads).ConfigureAwait(false);
                for (var g = 0; g < groups.Count; g++)
                {
                    DecodeGroup(groups[g], reads[g].Result, chunk.Span, layout);
                }
            }
            finally
            {
                foreach (var read in reads)
                {
                    if (read.IsCompletedSuccessfully)
                    {
                        read.Result?.Dispose();
                    }
                }
            }
        }

        return true;
    }

    // Fills the touched empty inner chunks and groups the stored ones into coalesced byte ranges, by offset.
    private List<ReadGroup> PlanReads(ReadOnlySpan<byte> index, int[] touched, ShardLayout layout, Span<byte> shard)
    {
        var dataStart = IndexLocation == ShardIndexLocation.Start ? layout.IndexEncodedLength : 0;
        var stored = new List<(long Offset, long Length, int Index)>(touched.Length);
        foreach (var i in touched)
        {
            if (Locate(index, i, layout, dataStart, long.MaxValue, out var offset, out var length))
            {
                stored.Add((offset, length, i));
            }
            else
            {
                layout.Fill(shard, i);
            }
        }

        stored.Sort(static (a, b) => a.Offset.CompareTo(b.Offset));
        var groups = new List<ReadGroup>();
        ReadGroup? current = null;
        foreach (var (offset, length, i) in stored)
        {
            var end = offset + length;
            if (current is not null && offset - current.End < CoalesceMaxGap && Math.Max(end, current.End) - current.Start <= CoalesceMaxBytes)
            {
                current.End = Math.Max(current.End, end);
                current.Members.Add((offset, length, i));
                continue;
            }

            if (length > Array.MaxLength)
            {
                throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"inner chunk {layout.Describe(i)} is {length} bytes; it cannot be read into one buffer"));
            }

            current = new ReadGroup(offset, end);
            current.Members.Add((offset, length, i));
            groups.Add(current);
        }

        return groups;
    }

    private void DecodeGroup(ReadGroup group, PooledBuffer? bytes, Span<byte> shard, ShardLayout layout)
    {
        var wanted = group.End - group.Start;
        if (bytes is null || bytes.Length != wanted)
        {
            // The value vanished or shrank since the index was read, or the index points past its end.
            var (_, _, first) = group.Members[0];
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"inner chunk {layout.Describe(first)}: bytes [{group.Start}, {group.End}) of the shard were requested and {bytes?.Length ?? 0} were read; the index points past the shard's end"));
        }

        foreach (var (offset, length, i) in group.Members)
        {
            DecodeInner(bytes.Span.Slice((int)(offset - group.Start), (int)length), shard, layout, i);
        }
    }

    // ---------------------------------------------------------------- helpers

    private ShardLayout GetLayout(in ChunkSpec spec)
    {
        var layout = _layout;
        if (layout is not null && layout.Matches(spec))
        {
            return layout;
        }

        layout = ShardLayout.Create(spec, _chunkShape, _indexOverhead);
        _layout = layout;
        return layout;
    }

    // Measured on 2 cores (1–4 MiB int32 shards of 16–256 KiB inner chunks, bytes / zstd / blosc): no reliable gain,
    // and a loss for uncompressed inner chunks (copy-bound), so inner chunks go in parallel only where there is
    // compression work to share, on 4 cores or more; the array already works on many shards at once.
    private bool UseParallel(ShardLayout layout, int chunks) =>
        chunks > 1 && (ParallelInnerChunks ?? (
            _inner.BytesToBytesCodecs.Count > 0
            && layout.InnerByteLength >= ParallelMinInnerBytes
            && (long)layout.InnerByteLength * chunks >= ParallelMinShardBytes
            && Environment.ProcessorCount >= 4));

    // Parallel.For, rethrowing the first failure itself rather than an AggregateException.
    private static void RunParallel(int count, Action<int> body)
    {
        try
        {
            Parallel.For(0, count, body);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            throw;
        }
    }

    private static CodecPipeline Pipeline(IEnumerable<ICodec> codecs, string field)
    {
        try
        {
            return CodecPipeline.Create(codecs);
        }
        catch (ZarrException e) when (e is not ZarrMetadataException)
        {
            throw new ZarrException($"{CodecName} {field}: {e.Message}", e);
        }
    }

    /// <summary>One ranged read covering one or more stored inner chunks.</summary>
    private sealed class ReadGroup(long start, long end)
    {
        public long Start { get; } = start;

        public long End { get; set; } = end;

        public List<(long Offset, long Length, int Index)> Members { get; } = [];
    }
}
