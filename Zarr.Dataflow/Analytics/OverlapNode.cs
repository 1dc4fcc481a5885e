using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Zarr.Dataflow.Blocks;
using Zarr.Storage;
using Zarr.Storage.Buffers;

namespace Zarr.Dataflow;

/// <summary>How <see cref="LazyArray{T}.MapOverlap"/> fills a halo beyond the array's edge: numpy's <c>pad</c> modes.</summary>
public enum EdgeMode
{
    /// <summary>A constant value (numpy's <c>constant</c>).</summary>
    Constant,

    /// <summary>The edge value repeated (numpy's <c>edge</c>).</summary>
    Edge,

    /// <summary>Mirrored about the edge value, which is not repeated: … x2 x1 | x0 x1 x2 … (numpy's <c>reflect</c>).</summary>
    Reflect,

    /// <summary>Mirrored with the edge value repeated: … x1 x0 | x0 x1 … (numpy's <c>symmetric</c>).</summary>
    Symmetric,

    /// <summary>Periodic: the other end continues (numpy's <c>wrap</c>).</summary>
    Wrap,
}

/// <summary>
/// Computes a chunk from its region grown by a halo of <c>depth</c> cells on each side of each axis (the neighbouring
/// chunks' cells, or the edge mode's beyond the array): dask's <c>map_overlap</c>. Evaluating a region reads the box of
/// source cells the halo maps to (for <see cref="EdgeMode.Wrap"/> near an edge, the box reaches the other end), builds
/// the padded block and hands it to the function, which writes the region's values.
/// </summary>
internal sealed class OverlapNode<T>(LazyNode<T> operand, int[] depth, EdgeMode mode, T constant, OverlapFunction<T> function)
    : LazyNode<T>(operand.Shape, operand.Chunks) where T : unmanaged
{
    public override ZarrArray<T>? Primary => null;

    public override int StoredBytesPerElement => operand.StoredBytesPerElement;

    public override void CollectDeferred(List<IDeferredInput> into) => operand.CollectDeferred(into);

    public override LazyNode<T> Bind(DeferredValues values)
    {
        var bound = operand.Bind(values);
        return ReferenceEquals(bound, operand) ? this : new OverlapNode<T>(bound, depth, mode, constant, function);
    }

    public override async ValueTask EvaluateAsync(ChunkRegion region, Memory<byte> destination, bool primaryLoaded, CancellationToken cancellationToken)
    {
        var rank = Shape.Length;
        if (region.ElementCount == 0)
        {
            return;
        }

        // Per axis: the source index of each padded position (−1 for a constant), and the box of sources they span.
        var sources = new int[rank][];
        var boxStart = new long[rank];
        var boxShape = new int[rank];
        var padded = new int[rank];
        for (var d = 0; d < rank; d++)
        {
            padded[d] = region.Shape[d] + (2 * depth[d]);
            sources[d] = new int[padded[d]];
            long low = long.MaxValue;
            long high = -1;
            for (var i = 0; i < padded[d]; i++)
            {
                var s = Source(region.Start[d] - depth[d] + i, Shape[d]);
                sources[d][i] = (int)Math.Min(s, int.MaxValue);
                if (s >= 0)
                {
                    low = Math.Min(low, s);
                    high = Math.Max(high, s);
                }
            }

            boxStart[d] = high < 0 ? 0 : low;
            boxShape[d] = high < 0 ? 0 : (int)(high - low + 1);
            for (var i = 0; i < padded[d]; i++)
            {
                sources[d][i] = sources[d][i] < 0 ? -1 : (int)(sources[d][i] - boxStart[d]);
            }
        }

        var box = new ChunkRegion(boxStart, boxShape);
        var itemSize = Unsafe.SizeOf<T>();
        var boxBytes = checked((int)box.ElementCount * itemSize);
        var paddedCount = padded.Aggregate(1L, (a, b) => a * b);
        using var boxBuffer = PooledBuffer.RentDecoded(Math.Max(1, boxBytes));
        using var blockBuffer = PooledBuffer.RentDecoded(checked((int)paddedCount * itemSize));
        if (boxBytes > 0)
        {
            await operand.EvaluateAsync(box, boxBuffer.Memory[..boxBytes], false, cancellationToken).ConfigureAwait(false);
        }

        var block = MemoryMarshal.Cast<byte, T>(blockBuffer.Span)[..(int)paddedCount];
        Pad(MemoryMarshal.Cast<byte, T>(boxBuffer.Span[..boxBytes]), boxShape, sources, block);
        function(block, padded, Elements(destination)[..(int)region.ElementCount], region);
    }

    /// <summary>The source index of global position <paramref name="g"/> on an axis of <paramref name="n"/>, or −1 for the constant.</summary>
    private long Source(long g, long n)
    {
        if (g >= 0 && g < n)
        {
            return g;
        }

        switch (mode)
        {
            case EdgeMode.Constant:
                return -1;
            case EdgeMode.Edge:
                return g < 0 ? 0 : n - 1;
            case EdgeMode.Wrap:
                return ((g % n) + n) % n;
            case EdgeMode.Symmetric:
                {
                    var period = 2 * n;
                    var p = ((g % period) + period) % period;
                    return p < n ? p : period - 1 - p;
                }

            default:
                {
                    if (n == 1)
                    {
                        return 0;
                    }

                    var period = 2 * (n - 1);
                    var p = ((g % period) + period) % period;
                    return p < n ? p : period - p;
                }
        }
    }

    /// <summary>Fills the padded block from the box, row by row along the last axis.</summary>
    private void Pad(ReadOnlySpan<T> box, int[] boxShape, int[][] sources, Span<T> block)
    {
        var rank = boxShape.Length;
        var rowLength = sources[rank - 1].Length;
        var rows = block.Length / Math.Max(1, rowLength);
        Span<int> index = stackalloc int[rank];
        index.Clear();
        var last = sources[rank - 1];
        for (var r = 0; r < rows; r++)
        {
            long offset = 0;
            var outside = false;
            for (var d = 0; d < rank - 1; d++)
            {
                var s = sources[d][index[d]];
                outside |= s < 0;
                offset = (offset * boxShape[d]) + Math.Max(s, 0);
            }

            var row = block.Slice(r * rowLength, rowLength);
            offset *= boxShape[rank - 1];
            for (var i = 0; i < rowLength; i++)
            {
                row[i] = outside || last[i] < 0 ? constant : box[(int)(offset + last[i])];
            }

            for (var d = rank - 2; d >= 0; d--)
            {
                if (++index[d] < sources[d].Length)
                {
                    break;
                }

                index[d] = 0;
            }
        }
    }
}
