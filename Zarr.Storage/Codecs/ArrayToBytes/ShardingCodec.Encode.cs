using System.Globalization;
using Zarr.Storage.Buffers;
using Zarr.Storage.Internal;

namespace Zarr.Storage.Codecs;

// The encode side of the sharding codec: a whole shard, its inner chunks encoded in order or in parallel and laid out
// by ShardWriter.
public sealed partial class ShardingCodec
{
    /// <inheritdoc />
    public PooledBuffer Encode(ReadOnlySpan<byte> chunk, in ChunkSpec spec)
    {
        var layout = GetLayout(spec);
        if (chunk.Length != spec.ByteLength)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"the shard is {chunk.Length} bytes; a shard of shape ({ShardLayout.Join(spec.Shape)}) and type {spec.DataType} is {spec.ByteLength}"));
        }

        var maxDegree = spec.MaxDegreeOfParallelism;
        if (!UseParallel(layout, layout.ChunkCount, maxDegree))
        {
            return EncodeInOrder(chunk, layout, maxDegree);
        }

        var parts = new PooledBuffer?[layout.ChunkCount];
        try
        {
            EncodeInnerChunksInParallel(chunk, layout, parts, maxDegree);
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

    // One inner chunk after the other, each appended to the shard's bytes as soon as it is encoded and its buffer given
    // back: a worker holds the shard's output and one inner chunk's, not every inner chunk's encoded bytes at once
    // (64 buffers of the compressor's worst case for 256³ shards of 64³ chunks, most of them new allocations).
    private PooledBuffer EncodeInOrder(ReadOnlySpan<byte> shard, ShardLayout layout, int maxDegree)
    {
        var innerSpec = InnerSpec(layout, maxDegree);
        var start = _index.DataStart(layout);
        using var entries = PooledBuffer.Rent(layout.IndexByteLength);

        // A quarter of the decoded shard holds most compressed shards without growing; one inner chunk more, the rest.
        using var output = new ShardWriter(start, (long)start + layout.IndexEncodedLength + Math.Max(layout.InnerByteLength, shard.Length / 4));
        for (var i = 0; i < layout.ChunkCount; i++)
        {
            using var part = EncodeInner(shard, layout, innerSpec, i);
            Place(output, entries.Span, i, part);
        }

        return Finish(output, entries.Span, layout);
    }

    // Appends an inner chunk's bytes (none for one left out as all fill) and records in the index where they went.
    private static void Place(ShardWriter output, Span<byte> entries, int index, PooledBuffer? part)
    {
        ShardIndex.Write(entries, index, output.Position, part?.Length);
        if (part is not null)
        {
            output.Append(part.Span);
        }
    }

    // Encodes the index and puts it where the codec keeps it (first, in the room kept for it, or last); the shard's bytes.
    private PooledBuffer Finish(ShardWriter output, ReadOnlySpan<byte> entries, ShardLayout layout)
    {
        using var encodedIndex = _index.Encode(entries, layout);
        return IndexLocation == ShardIndexLocation.Start ? output.FinishWithIndexFirst(encodedIndex.Span) : output.FinishWithIndexLast(encodedIndex.Span);
    }

    private unsafe void EncodeInnerChunksInParallel(ReadOnlySpan<byte> shard, ShardLayout layout, PooledBuffer?[] parts, int maxDegree)
    {
        fixed (byte* pointer = shard)
        {
            var address = (nint)pointer;
            var length = shard.Length;
            var innerSpec = InnerSpec(layout, 1);
            RunParallel(parts.Length, maxDegree, i => parts[i] = EncodeInner(new ReadOnlySpan<byte>((void*)address, length), layout, innerSpec, i));
        }
    }

    // One inner chunk's encoded bytes, or null when it holds only the fill value (it is not stored).
    private PooledBuffer? EncodeInner(ReadOnlySpan<byte> shard, ShardLayout layout, in ChunkSpec spec, int index)
    {
        if (layout.InnerIsContiguous)
        {
            return EncodeInnerSpan(shard.Slice((int)layout.OriginOf(index), layout.InnerByteLength), layout, spec, index);
        }

        using var inner = PooledBuffer.Rent(layout.InnerByteLength);
        layout.CopyOut(shard, index, inner.Span);
        return EncodeInnerSpan(inner.Span, layout, spec, index);
    }

    private PooledBuffer? EncodeInnerSpan(ReadOnlySpan<byte> inner, ShardLayout layout, in ChunkSpec spec, int index)
    {
        if (FillValues.IsAllFill(inner, spec.FillValue.AsSpan(), spec.DataType))
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
        var start = _index.DataStart(layout);
        long data = 0;
        foreach (var part in parts)
        {
            data += part?.Length ?? 0;
        }

        // Sized exactly: the parts are all encoded already.
        using var entries = PooledBuffer.Rent(layout.IndexByteLength);
        using var output = new ShardWriter(start, start + data + layout.IndexEncodedLength);
        for (var i = 0; i < parts.Length; i++)
        {
            Place(output, entries.Span, i, parts[i]);
        }

        return Finish(output, entries.Span, layout);
    }
}
