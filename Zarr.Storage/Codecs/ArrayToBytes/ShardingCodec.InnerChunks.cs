using Zarr.Storage.Buffers;

namespace Zarr.Storage.Codecs;

// The sharding codec's decode of a whole shard into a sink, inner chunk by inner chunk (or a row of them at a time), for
// a read that copies each straight into its result instead of through a whole decoded shard.
public sealed partial class ShardingCodec
{
    /// <summary>How many inner chunks of a shard of <paramref name="spec"/> <paramref name="region"/> touches.</summary>
    internal int InnerChunksTouched(ChunkRegion region, in ChunkSpec spec) => GetLayout(spec).ChunksTouched(region).Length;

    /// <summary>
    /// Decodes a whole shard inner chunk by inner chunk, each into a small pooled buffer of its decoded size, and hands
    /// each to <paramref name="sink"/> while it is in cache (a read copies it straight into its result, instead of
    /// through a whole decoded shard); an inner chunk that is not stored goes to the sink as the fill value. Every index
    /// entry is checked before anything is decoded; inner chunks go in parallel where <see cref="Decode"/> would.
    /// </summary>
    /// <exception cref="ZarrCodecException">The index or an inner chunk is corrupt (the message names the inner chunk).</exception>
    internal void DecodeInnerChunks<TSink>(ReadOnlySpan<byte> encoded, in ChunkSpec spec, TSink sink)
        where TSink : IInnerChunkSink
    {
        var layout = GetLayout(spec);
        var (index, dataStart, dataEnd, present) = ReadIndex(encoded, layout);
        using var indexBuffer = index;
        var maxDegree = spec.MaxDegreeOfParallelism;
        if (!UseParallel(layout, present, maxDegree))
        {
            var perRow = layout.ChunksPerShard[^1];
            var rowBytes = (long)layout.InnerByteLength * perRow;
            if (perRow > 1 && rowBytes <= RowStagingMaxBytes && !DecodeInnerChunksAlone)
            {
                DecodeRowsTo(encoded, index.Span, layout, dataStart, dataEnd, maxDegree, sink);
                return;
            }

            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(layout.InnerByteLength);
            try
            {
                for (var i = 0; i < layout.ChunkCount; i++)
                {
                    DecodeEntryTo(encoded, index.Span, buffer.AsSpan(0, layout.InnerByteLength), layout, i, dataStart, dataEnd, maxDegree, sink);
                }
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }

            return;
        }

        DecodeInnerChunksParallel(encoded, index, layout, dataStart, dataEnd, maxDegree, sink);
    }

    private unsafe void DecodeInnerChunksParallel<TSink>(ReadOnlySpan<byte> encoded, PooledBuffer index, ShardLayout layout, int dataStart, int dataEnd, int maxDegree, TSink sink)
        where TSink : IInnerChunkSink
    {
        fixed (byte* source = encoded)
        {
            var src = (nint)source;
            var srcLength = encoded.Length;
            RunParallel(layout.ChunkCount, maxDegree, i =>
            {
                var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(layout.InnerByteLength);
                try
                {
                    DecodeEntryTo(new ReadOnlySpan<byte>((void*)src, srcLength), index.Span, buffer.AsSpan(0, layout.InnerByteLength), layout, i, dataStart, dataEnd, 1, sink);
                }
                finally
                {
                    System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                }
            });
        }
    }

    /// <summary>
    /// A row of inner chunks (those that differ only in the last axis) is staged whole when it has at most this many
    /// bytes: the sink then copies out rows as long as the shard's, not the inner chunk's (a 64-element row of uint16 is
    /// 128 bytes, whose partly written cache lines at either end cost streaming stores dearly).
    /// </summary>
    internal const int RowStagingMaxBytes = 4 << 20;

    /// <summary>For tests and measurements: true hands the sink inner chunks one by one, never a staged row of them.</summary>
    internal bool DecodeInnerChunksAlone { get; init; } = Environment.GetEnvironmentVariable("ZARR_SHARD_ROW_STAGING") == "0";

    // Decodes the shard a row of inner chunks at a time: each inner chunk of the row into a small buffer, its rows
    // copied into their place in a staging buffer of the row's box (the fill value for one not stored), and the row's
    // box handed to the sink.
    private void DecodeRowsTo<TSink>(ReadOnlySpan<byte> encoded, ReadOnlySpan<byte> index, ShardLayout layout, long dataStart, long dataEnd, int maxDegree, TSink sink)
        where TSink : IInnerChunkSink
    {
        var rank = layout.InnerShape.Length;
        var perRow = layout.ChunksPerShard[^1];
        var innerRow = layout.InnerShape[^1] * layout.ShardSpec.DataType.ItemSize;
        var stagingRow = innerRow * perRow;
        var rows = layout.InnerByteLength / innerRow;
        var fill = layout.ShardSpec.FillValue.AsSpan();
        Span<int> start = stackalloc int[rank];
        Span<int> boxShape = stackalloc int[rank];
        layout.InnerShape.AsSpan().CopyTo(boxShape);
        boxShape[^1] *= perRow;
        var staging = System.Buffers.ArrayPool<byte>.Shared.Rent(layout.InnerByteLength * perRow);
        var inner = System.Buffers.ArrayPool<byte>.Shared.Rent(layout.InnerByteLength);
        try
        {
            var box = staging.AsSpan(0, layout.InnerByteLength * perRow);
            for (var first = 0; first < layout.ChunkCount; first += perRow)
            {
                layout.InnerStartOf(first, start);
                for (var j = 0; j < perRow; j++)
                {
                    var i = first + j;
                    if (ShardIndex.Locate(index, i, layout, dataStart, dataEnd, out var offset, out var length))
                    {
                        var decoded = inner.AsSpan(0, layout.InnerByteLength);
                        DecodeInnerInto(encoded.Slice((int)offset, (int)length), decoded, layout, i, maxDegree);
                        for (var r = 0; r < rows; r++)
                        {
                            decoded.Slice(r * innerRow, innerRow).CopyTo(box.Slice((r * stagingRow) + (j * innerRow), innerRow));
                        }
                    }
                    else
                    {
                        for (var r = 0; r < rows; r++)
                        {
                            StridedCopy.FillPattern(box.Slice((r * stagingRow) + (j * innerRow), innerRow), fill);
                        }
                    }
                }

                sink.Accept(start, boxShape, box, missing: false);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(inner);
            System.Buffers.ArrayPool<byte>.Shared.Return(staging);
        }
    }

    // Decodes inner chunk i from a whole shard's bytes into inner (its decoded size) and hands it to the sink, or hands
    // the sink the fill value when it is not stored.
    private void DecodeEntryTo<TSink>(ReadOnlySpan<byte> encoded, ReadOnlySpan<byte> index, Span<byte> inner, ShardLayout layout, int i, long dataStart, long dataEnd, int maxDegree, TSink sink)
        where TSink : IInnerChunkSink
    {
        var rank = layout.InnerShape.Length;
        Span<int> start = stackalloc int[rank];
        layout.InnerStartOf(i, start);

        if (ShardIndex.Locate(index, i, layout, dataStart, dataEnd, out var offset, out var length))
        {
            DecodeInnerInto(encoded.Slice((int)offset, (int)length), inner, layout, i, maxDegree);
            sink.Accept(start, layout.InnerShape, inner, missing: false);
        }
        else
        {
            sink.Accept(start, layout.InnerShape, layout.ShardSpec.FillValue.AsSpan(), missing: true);
        }
    }
}
