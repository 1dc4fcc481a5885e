using System.Globalization;
using Zarr.Storage.Buffers;

namespace Zarr.Storage.Codecs;

/// <summary>
/// Reads part of a shard from a store: the index with one ranged read, then only the inner chunks a region touches,
/// coalescing ranges less than <see cref="ShardingCodec.CoalesceMaxGap"/> apart into one read (zarrs' sharding partial
/// decoder). A region that touches every inner chunk reads the shard whole, once.
/// </summary>
internal sealed class ShardPartialDecoder(ShardingCodec codec, ShardIndex index)
{
    /// <summary>Where decoded inner chunks go.</summary>
    public enum Placement
    {
        /// <summary>Into their place in the whole decoded shard.</summary>
        Shard,

        /// <summary>The one inner chunk the region touches, into its compact buffer (<see cref="ShardLayout.CompactOriginOf"/>).</summary>
        Compact,

        /// <summary>The one inner chunk the region touches, into a buffer of exactly its decoded size.</summary>
        Alone,

        /// <summary>Every inner chunk the region touches, each into a small pooled buffer handed to a sink (<see cref="IInnerChunkSink"/>); no buffer of the caller's.</summary>
        Sink,
    }

    // A shard replaced between the index and the inner chunks is read again from a fresh index, this many times at most.
    private const int MaxVersionedAttempts = 4;

    /// <summary>Decodes at least <paramref name="region"/> of the shard at <paramref name="key"/>; false when there is no shard.</summary>
    /// <exception cref="ZarrCodecException">The index or an inner chunk is corrupt, or the shard changed under the read.</exception>
    /// <remarks>With a <paramref name="cache"/> (a store with versioned reads), the index comes from the cache when it
    /// holds the shard's, and every read of inner chunks is conditional on the version the index was read at. With a
    /// <paramref name="placement"/> of <see cref="Placement.Compact"/> or <see cref="Placement.Alone"/>, the region lies in
    /// one inner chunk and <paramref name="chunk"/> is that inner chunk's buffer, not the whole shard's; with
    /// <see cref="Placement.Sink"/>, every inner chunk touched goes to <paramref name="sink"/> (a missing one as the fill
    /// value) and <paramref name="chunk"/> is not used.</remarks>
    public async ValueTask<bool> TryDecodeAsync(IReadableStore store, ShardIndexCache? cache, string key, ChunkRegion region, Memory<byte> chunk, ChunkSpec spec, ShardLayout layout, Placement placement, CancellationToken cancellationToken, IInnerChunkSink? sink = null)
    {
        var touched = layout.ChunksTouched(region);
        if ((placement == Placement.Sink) != (sink is not null))
        {
            throw new ArgumentException("a sink goes with the sink placement, and only with it", nameof(sink));
        }

        var compact = placement is Placement.Compact or Placement.Alone;
        if (compact && touched.Length != 1)
        {
            throw new ArgumentException("a compact buffer holds one inner chunk; the region touches " + touched.Length, nameof(region));
        }

        if (touched.Length == 0)
        {
            return await store.ExistsAsync(key, cancellationToken).ConfigureAwait(false);
        }

        if (touched.Length == layout.ChunkCount && !compact)
        {
            using var whole = cache is null
                ? await store.GetAsync(key, null, cancellationToken).ConfigureAwait(false)
                : await FetchWholeAsync(cache, key, layout, cancellationToken).ConfigureAwait(false);
            if (whole is null)
            {
                return false;
            }

            if (sink is not null)
            {
                codec.DecodeInnerChunks(whole.Span, spec, sink);
            }
            else
            {
                codec.Decode(whole.Span, chunk.Span, spec);
            }

            return true;
        }

        if (cache is not null)
        {
            return await TryDecodeVersionedAsync(cache, key, touched, chunk, spec, layout, placement, sink, cancellationToken).ConfigureAwait(false);
        }

        PooledBuffer entries;
        using (var encodedIndex = await store.GetAsync(key, index.Range(layout), cancellationToken).ConfigureAwait(false))
        {
            if (encodedIndex is null)
            {
                return false;
            }

            CheckIndexLength(encodedIndex.Length, layout);
            entries = index.Decode(encodedIndex.Span, layout);
        }

        using (entries)
        {
            var groups = PlanReads(entries.Span, touched, layout, chunk.Span, placement, sink);
            if (groups.Count == 0)
            {
                return true;
            }

            var reads = await ReadGroupsAsync(groups, g => store.GetAsync(key, g, cancellationToken)).ConfigureAwait(false);
            try
            {
                for (var g = 0; g < groups.Count; g++)
                {
                    DecodeGroup(groups[g], reads[g], chunk.Span, layout, spec, placement, sink);
                }
            }
            finally
            {
                Release(reads);
            }
        }

        return true;
    }

    // The index from the cache, or read with the shard's version and kept; then the inner chunks, each read only if the
    // shard is still that version. A shard replaced in between drops the index and starts again from a fresh one.
    private async ValueTask<bool> TryDecodeVersionedAsync(ShardIndexCache cache, string key, int[] touched, Memory<byte> chunk, ChunkSpec spec, ShardLayout layout, Placement placement, IInnerChunkSink? sink, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (!cache.TryGet(key, layout.IndexByteLength, out var cached))
            {
                using var read = await cache.Store.GetVersionedRangeAsync(key, index.Range(layout), cancellationToken).ConfigureAwait(false);
                if (read.Value is not { } encodedIndex)
                {
                    return false;
                }

                CheckIndexLength(encodedIndex.Length, layout);
                using var entries = index.Decode(encodedIndex.Span, layout);
                cached = cache.Add(key, read.Version, read.IsLasting, entries.Span);
            }

            var groups = PlanReads(cached.Entries, touched, layout, chunk.Span, placement, sink);
            if (groups.Count == 0)
            {
                return true;
            }

            var version = cached.Version;
            var reads = await ReadGroupsAsync(groups, g => cache.Store.GetRangeIfVersionAsync(key, g, version, cancellationToken)).ConfigureAwait(false);
            try
            {
                if (Array.TrueForAll(reads, r => r is not null))
                {
                    for (var g = 0; g < groups.Count; g++)
                    {
                        DecodeGroup(groups[g], reads[g], chunk.Span, layout, spec, placement, sink);
                    }

                    return true;
                }
            }
            finally
            {
                Release(reads);
            }

            cache.Remove(key, version);
            if (attempt == MaxVersionedAttempts)
            {
                throw new ZarrCodecException(ShardingCodec.CodecName, string.Create(CultureInfo.InvariantCulture, $"the shard was replaced between reading its index and its inner chunks, {MaxVersionedAttempts} times in a row"));
            }
        }
    }

    /// <summary>
    /// Reads the whole shard at <paramref name="key"/> (null when there is none) with its version, and when that version is
    /// lasting keeps the index in hand, so a later read of inner chunks is one ranged read. An index that does not decode
    /// is not kept: the shard's own decode reports it. The caller owns the buffer.
    /// </summary>
    public async ValueTask<PooledBuffer?> FetchWholeAsync(ShardIndexCache cache, string key, ShardLayout layout, CancellationToken cancellationToken)
    {
        // Not disposed: the value's buffer is handed to the caller, and the read holds nothing else.
        var read = await cache.Store.GetVersionedRangeAsync(key, ByteRange.From(0), cancellationToken).ConfigureAwait(false);
        if (read.Value is { } shard && read.IsLasting)
        {
            var (start, count) = index.Range(layout).Resolve(shard.Length);
            if (count == layout.IndexEncodedLength)
            {
                try
                {
                    using var entries = index.Decode(shard.Span.Slice((int)start, (int)count), layout);
                    cache.Add(key, read.Version, lasting: true, entries.Span);
                }
                catch (ZarrCodecException)
                {
                    // Corrupt: nothing is kept, and the decode of the shard says what is wrong with it.
                }
            }
        }

        return read.Value;
    }

    // Every group's bytes, read at once; on a failure the reads that did complete are given back.
    private static async ValueTask<PooledBuffer?[]> ReadGroupsAsync(List<ReadGroup> groups, Func<ByteRange, ValueTask<PooledBuffer?>> read)
    {
        if (groups.Count == 1)
        {
            return [await read(ByteRange.Slice(groups[0].Start, groups[0].End - groups[0].Start)).ConfigureAwait(false)];
        }

        var reads = new Task<PooledBuffer?>[groups.Count];
        for (var g = 0; g < groups.Count; g++)
        {
            reads[g] = read(ByteRange.Slice(groups[g].Start, groups[g].End - groups[g].Start)).AsTask();
        }

        try
        {
            return await Task.WhenAll(reads).ConfigureAwait(false);
        }
        catch
        {
            foreach (var r in reads)
            {
                if (r.IsCompletedSuccessfully)
                {
                    r.Result?.Dispose();
                }
            }

            throw;
        }
    }

    private static void Release(PooledBuffer?[] reads)
    {
        foreach (var r in reads)
        {
            r?.Dispose();
        }
    }

    private static void CheckIndexLength(int length, ShardLayout layout)
    {
        if (length != layout.IndexEncodedLength)
        {
            throw new ZarrCodecException(ShardingCodec.CodecName, string.Create(CultureInfo.InvariantCulture, $"the shard is {length} bytes, shorter than its {layout.IndexEncodedLength}-byte index"));
        }
    }

    // Fills the touched empty inner chunks and groups the stored ones into coalesced byte ranges, by offset.
    private List<ReadGroup> PlanReads(ReadOnlySpan<byte> entries, int[] touched, ShardLayout layout, Span<byte> shard, Placement placement, IInnerChunkSink? sink)
    {
        var dataStart = index.DataStart(layout);
        var stored = new List<(long Offset, long Length, int Index)>(touched.Length);
        foreach (var i in touched)
        {
            if (ShardIndex.Locate(entries, i, layout, dataStart, long.MaxValue, out var offset, out var length))
            {
                stored.Add((offset, length, i));
            }
            else if (sink is not null)
            {
                sink.Accept(layout.InnerStartOf(i), layout.InnerShape, layout.ShardSpec.FillValue.AsSpan(), missing: true);
            }
            else if (placement != Placement.Shard)
            {
                StridedCopy.FillPattern(InnerOf(shard, layout, i, placement), layout.ShardSpec.FillValue.AsSpan());
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
            if (current is not null && offset - current.End < ShardingCodec.CoalesceMaxGap && Math.Max(end, current.End) - current.Start <= ShardingCodec.CoalesceMaxBytes)
            {
                current.End = Math.Max(current.End, end);
                current.Members.Add((offset, length, i));
                continue;
            }

            if (length > Array.MaxLength)
            {
                throw new ZarrCodecException(ShardingCodec.CodecName, string.Create(CultureInfo.InvariantCulture, $"inner chunk {layout.Describe(i)} is {length} bytes; it cannot be read into one buffer"));
            }

            current = new ReadGroup(offset, end);
            current.Members.Add((offset, length, i));
            groups.Add(current);
        }

        return groups;
    }

    // The one inner chunk's bytes in its own buffer (compact or alone).
    private static Span<byte> InnerOf(Span<byte> buffer, ShardLayout layout, int i, Placement placement) =>
        placement == Placement.Compact ? buffer.Slice((int)layout.CompactOriginOf(i), layout.InnerByteLength) : buffer[..layout.InnerByteLength];

    private void DecodeGroup(ReadGroup group, PooledBuffer? bytes, Span<byte> shard, ShardLayout layout, in ChunkSpec spec, Placement placement, IInnerChunkSink? sink)
    {
        var wanted = group.End - group.Start;
        if (bytes is null || bytes.Length != wanted)
        {
            // The value vanished or shrank since the index was read, or the index points past its end.
            var (_, _, first) = group.Members[0];
            throw new ZarrCodecException(ShardingCodec.CodecName, string.Create(CultureInfo.InvariantCulture, $"inner chunk {layout.Describe(first)}: bytes [{group.Start}, {group.End}) of the shard were requested and {bytes?.Length ?? 0} were read; the index points past the shard's end"));
        }

        foreach (var (offset, length, i) in group.Members)
        {
            var encoded = bytes.Span.Slice((int)(offset - group.Start), (int)length);
            if (sink is not null)
            {
                using var inner = PooledBuffer.Rent(layout.InnerByteLength);
                codec.DecodeInnerInto(encoded, inner.Span, layout, i, spec.MaxDegreeOfParallelism);
                sink.Accept(layout.InnerStartOf(i), layout.InnerShape, inner.Span, missing: false);
            }
            else if (placement != Placement.Shard)
            {
                codec.DecodeInnerInto(encoded, InnerOf(shard, layout, i, placement), layout, i, spec.MaxDegreeOfParallelism);
            }
            else
            {
                codec.DecodeInner(encoded, shard, layout, i, spec.MaxDegreeOfParallelism);
            }
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
