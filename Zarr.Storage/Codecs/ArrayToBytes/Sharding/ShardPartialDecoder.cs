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
    /// <summary>Decodes at least <paramref name="region"/> of the shard at <paramref name="key"/>; false when there is no shard.</summary>
    /// <exception cref="ZarrCodecException">The index or an inner chunk is corrupt, or the shard changed under the read.</exception>
    public async ValueTask<bool> TryDecodeAsync(IReadableStore store, string key, ChunkRegion region, Memory<byte> chunk, ChunkSpec spec, ShardLayout layout, CancellationToken cancellationToken)
    {
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

            codec.Decode(whole.Span, chunk.Span, spec);
            return true;
        }

        PooledBuffer entries;
        using (var encodedIndex = await store.GetAsync(key, index.Range(layout), cancellationToken).ConfigureAwait(false))
        {
            if (encodedIndex is null)
            {
                return false;
            }

            if (encodedIndex.Length != layout.IndexEncodedLength)
            {
                throw new ZarrCodecException(ShardingCodec.CodecName, string.Create(CultureInfo.InvariantCulture, $"the shard is {encodedIndex.Length} bytes, shorter than its {layout.IndexEncodedLength}-byte index"));
            }

            entries = index.Decode(encodedIndex.Span, layout);
        }

        using (entries)
        {
            var groups = PlanReads(entries.Span, touched, layout, chunk.Span);
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
                    DecodeGroup(groups[g], reads[g].Result, chunk.Span, layout, spec);
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
    private List<ReadGroup> PlanReads(ReadOnlySpan<byte> entries, int[] touched, ShardLayout layout, Span<byte> shard)
    {
        var dataStart = index.DataStart(layout);
        var stored = new List<(long Offset, long Length, int Index)>(touched.Length);
        foreach (var i in touched)
        {
            if (ShardIndex.Locate(entries, i, layout, dataStart, long.MaxValue, out var offset, out var length))
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

    private void DecodeGroup(ReadGroup group, PooledBuffer? bytes, Span<byte> shard, ShardLayout layout, in ChunkSpec spec)
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
            codec.DecodeInner(bytes.Span.Slice((int)(offset - group.Start), (int)length), shard, layout, i, spec.MaxDegreeOfParallelism);
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
