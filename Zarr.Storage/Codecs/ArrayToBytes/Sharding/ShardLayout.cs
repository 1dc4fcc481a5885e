using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.InteropServices;
using Zarr.Storage.Internal;

namespace Zarr.Storage.Codecs;

/// <summary>
/// The geometry of one shard shape under one sharding configuration: the grid of inner chunks, their specs, the
/// index's spec and encoded size, and the byte strides that place an inner chunk inside the decoded shard.
/// Built once per shard spec and reused (immutable).
/// </summary>
internal sealed class ShardLayout
{
    /// <summary>An index entry's offset and length for an empty inner chunk.</summary>
    public const ulong Empty = ulong.MaxValue;

    private static readonly ImmutableArray<byte> IndexFill = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];

    private ShardLayout(ChunkSpec shardSpec, int[] innerShape, int[] chunksPerShard, int indexEncodedLength)
    {
        ShardSpec = shardSpec;
        InnerShape = innerShape;
        ChunksPerShard = chunksPerShard;
        var rank = innerShape.Length;
        var count = 1;
        foreach (var c in chunksPerShard)
        {
            count = checked(count * c);
        }

        ChunkCount = count;
        InnerSpec = new ChunkSpec(ImmutableArrays.Own(innerShape), shardSpec.DataType, shardSpec.FillValue);
        InnerByteLength = InnerSpec.ByteLength;
        IndexSpec = new ChunkSpec([.. chunksPerShard, 2], ZarrDataType.UInt64, IndexFill);
        IndexByteLength = checked(16 * count);
        IndexEncodedLength = indexEncodedLength;

        var itemSize = shardSpec.DataType.ItemSize;
        ShardSteps = new nint[rank];
        InnerSteps = new nint[rank];
        InnerCounts = new long[rank];
        nint shardStride = itemSize, innerStride = itemSize;
        for (var d = rank - 1; d >= 0; d--)
        {
            ShardSteps[d] = shardStride;
            InnerSteps[d] = innerStride;
            InnerCounts[d] = innerShape[d];
            shardStride *= shardSpec.Shape[d];
            innerStride *= innerShape[d];
        }

        // An inner chunk is one run of the shard's bytes when it is whole along every dimension after the first
        // that is split (and one element thick before it).
        var contiguous = true;
        var split = false;
        for (var d = 0; d < rank; d++)
        {
            if (split && innerShape[d] != shardSpec.Shape[d])
            {
                contiguous = false;
                break;
            }

            split |= innerShape[d] != 1;
        }

        InnerIsContiguous = contiguous;
    }

    /// <summary>The shard's spec (shape, type, fill value).</summary>
    public ChunkSpec ShardSpec { get; }

    /// <summary>The inner chunk shape.</summary>
    public int[] InnerShape { get; }

    /// <summary>Inner chunks per shard, per dimension.</summary>
    public int[] ChunksPerShard { get; }

    /// <summary>The number of inner chunks in a shard.</summary>
    public int ChunkCount { get; }

    /// <summary>The spec of one inner chunk.</summary>
    public ChunkSpec InnerSpec { get; }

    /// <summary>The decoded size of one inner chunk in bytes.</summary>
    public int InnerByteLength { get; }

    /// <summary>The spec of the decoded index: uint64 of shape chunks-per-shard + [2], fill 2^64−1.</summary>
    public ChunkSpec IndexSpec { get; }

    /// <summary>The decoded index size: 16 bytes per inner chunk.</summary>
    public int IndexByteLength { get; }

    /// <summary>The encoded index size (the decoded size plus the index codecs' fixed overhead).</summary>
    public int IndexEncodedLength { get; }

    /// <summary>True when an inner chunk is one contiguous run of the decoded shard.</summary>
    public bool InnerIsContiguous { get; }

    /// <summary>Byte strides of the decoded shard.</summary>
    public nint[] ShardSteps { get; }

    /// <summary>Byte strides of a decoded inner chunk.</summary>
    public nint[] InnerSteps { get; }

    /// <summary>The inner chunk shape, as copy counts.</summary>
    public long[] InnerCounts { get; }

    /// <summary>
    /// The layout of <paramref name="shardSpec"/> under <paramref name="innerShape"/>.
    /// </summary>
    /// <exception cref="ZarrCodecException">The ranks differ or the inner chunk shape does not divide the shard shape.</exception>
    public static ShardLayout Create(ChunkSpec shardSpec, int[] innerShape, int indexOverhead)
    {
        var shape = shardSpec.Shape;
        if (shape.Length != innerShape.Length)
        {
            throw new ZarrCodecException(ShardingCodec.CodecName, $"the inner chunk shape ({Join(innerShape)}) has {innerShape.Length} dimensions but the shard shape ({Join(shape)}) has {shape.Length}");
        }

        var perShard = new int[shape.Length];
        for (var d = 0; d < shape.Length; d++)
        {
            if (innerShape[d] <= 0 || shape[d] % innerShape[d] != 0)
            {
                throw new ZarrCodecException(ShardingCodec.CodecName, $"the shard shape ({Join(shape)}) is not divisible by the inner chunk shape ({Join(innerShape)}) (dimension {d}: {shape[d]} by {innerShape[d]})");
            }

            perShard[d] = shape[d] / innerShape[d];
        }

        var indexBytes = checked(16L * Product(perShard));
        if (indexBytes + indexOverhead > Array.MaxLength)
        {
            throw new ZarrCodecException(ShardingCodec.CodecName, $"a shard of shape ({Join(shape)}) holds {Product(perShard)} inner chunks of shape ({Join(innerShape)}); its index would not fit one buffer");
        }

        return new ShardLayout(shardSpec, (int[])innerShape.Clone(), perShard, (int)indexBytes + indexOverhead);
    }

    /// <summary>True when this layout was made for <paramref name="spec"/>.</summary>
    public bool Matches(in ChunkSpec spec) =>
        ReferenceEquals(spec.DataType, ShardSpec.DataType)
        && spec.Shape.AsSpan().SequenceEqual(ShardSpec.Shape.AsSpan())
        && spec.FillValue.AsSpan().SequenceEqual(ShardSpec.FillValue.AsSpan());

    /// <summary>The byte offset, in the decoded shard, of the first element of inner chunk <paramref name="index"/> (C order).</summary>
    public nint OriginOf(int index)
    {
        nint offset = 0;
        for (var d = ChunksPerShard.Length - 1; d >= 0; d--)
        {
            var c = index % ChunksPerShard[d];
            index /= ChunksPerShard[d];
            offset += c * InnerShape[d] * ShardSteps[d];
        }

        return offset;
    }

    /// <summary>
    /// The byte offset of inner chunk <paramref name="index"/> in its compact buffer: a buffer addressed by the shard's
    /// element coordinates with the inner chunk's strides (<see cref="InnerSteps"/>), where that one inner chunk lies as
    /// one contiguous run (other inner chunks would overlap it: such a buffer holds one). A read of a region inside one
    /// inner chunk decodes it there, straight, with no copy into a whole shard's buffer.
    /// </summary>
    public long CompactOriginOf(int index)
    {
        long offset = 0;
        for (var d = ChunksPerShard.Length - 1; d >= 0; d--)
        {
            var c = index % ChunksPerShard[d];
            index /= ChunksPerShard[d];
            offset += (long)c * InnerShape[d] * InnerSteps[d];
        }

        return offset;
    }

    /// <summary>The element coordinates in the shard of the first element of inner chunk <paramref name="index"/>.</summary>
    public int[] InnerStartOf(int index)
    {
        var start = new int[ChunksPerShard.Length];
        InnerStartOf(index, start);
        return start;
    }

    /// <summary>As <see cref="InnerStartOf(int)"/>, into <paramref name="start"/> (one entry per dimension).</summary>
    public void InnerStartOf(int index, Span<int> start)
    {
        for (var d = start.Length - 1; d >= 0; d--)
        {
            start[d] = index % ChunksPerShard[d] * InnerShape[d];
            index /= ChunksPerShard[d];
        }
    }

    /// <summary>The coordinates of inner chunk <paramref name="index"/> in the inner grid, for messages.</summary>
    public string Describe(int index)
    {
        var coords = new int[ChunksPerShard.Length];
        for (var d = coords.Length - 1; d >= 0; d--)
        {
            coords[d] = index % ChunksPerShard[d];
            index /= ChunksPerShard[d];
        }

        return "(" + Join(coords) + ")";
    }

    /// <summary>Copies inner chunk <paramref name="index"/> out of the decoded shard into <paramref name="inner"/>.</summary>
    public void CopyOut(ReadOnlySpan<byte> shard, int index, Span<byte> inner) =>
        StridedCopy.Copy(
            ref MemoryMarshal.GetReference(shard), OriginOf(index), ShardSteps,
            ref MemoryMarshal.GetReference(inner), 0, InnerSteps,
            InnerCounts, ShardSpec.DataType.ItemSize);

    /// <summary>Copies a decoded inner chunk into its place in the decoded shard.</summary>
    public void CopyIn(ReadOnlySpan<byte> inner, Span<byte> shard, int index) =>
        StridedCopy.Copy(
            ref MemoryMarshal.GetReference(inner), 0, InnerSteps,
            ref MemoryMarshal.GetReference(shard), OriginOf(index), ShardSteps,
            InnerCounts, ShardSpec.DataType.ItemSize);

    /// <summary>Sets every element of inner chunk <paramref name="index"/> in the decoded shard to the fill value.</summary>
    public void Fill(Span<byte> shard, int index) =>
        StridedCopy.Fill(ref MemoryMarshal.GetReference(shard), OriginOf(index), ShardSteps, InnerCounts, ShardSpec.FillValue.AsSpan());

    /// <summary>
    /// The inner chunks (C-order indices, ascending) that hold at least one element of <paramref name="region"/>.
    /// Costs the region's extent per dimension plus the number of chunks returned.
    /// </summary>
    public int[] ChunksTouched(ChunkRegion region)
    {
        var rank = ChunksPerShard.Length;
        var perDim = new List<int>[rank];
        long total = 1;
        for (var d = 0; d < rank; d++)
        {
            var list = new List<int>();
            var start = region.Start[d];
            var step = Math.Max(region.Step[d], 1);
            var count = region.Count[d];
            var last = -1;
            for (var k = 0; k < count; k++)
            {
                var c = (int)((start + ((long)k * step)) / InnerShape[d]);
                if (c != last)
                {
                    list.Add(c);
                    last = c;
                }

                if (step == 1)
                {
                    // Skip to the next inner chunk along this dimension.
                    var next = ((c + 1) * InnerShape[d]) - start;
                    k = Math.Max(k, next - 1);
                }
            }

            perDim[d] = list;
            total *= list.Count;
        }

        var result = new int[total];
        if (total == 0)
        {
            return result;
        }

        var position = new int[rank];
        for (var i = 0; i < result.Length; i++)
        {
            var flat = 0;
            for (var d = 0; d < rank; d++)
            {
                flat = (flat * ChunksPerShard[d]) + perDim[d][position[d]];
            }

            result[i] = flat;
            for (var d = rank - 1; d >= 0; d--)
            {
                if (++position[d] < perDim[d].Count)
                {
                    break;
                }

                position[d] = 0;
            }
        }

        return result;
    }

    private static long Product(int[] values)
    {
        long n = 1;
        foreach (var v in values)
        {
            n = checked(n * v);
        }

        return n;
    }

    internal static string Join(IEnumerable<int> values) => string.Join(", ", values.Select(v => v.ToString(CultureInfo.InvariantCulture)));
}
