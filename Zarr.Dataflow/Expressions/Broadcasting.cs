using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Zarr.Dataflow.Blocks;
using Zarr.Storage;
using Zarr.Storage.Buffers;

namespace Zarr.Dataflow;

/// <summary>numpy's broadcasting rules: shapes align on their last axes; a length of 1 (or a missing leading axis) stretches.</summary>
internal static class Broadcasting
{
    /// <summary>The shape two operands broadcast to.</summary>
    /// <exception cref="ArgumentException">An axis has two lengths, neither of them 1 (numpy's "could not be broadcast together").</exception>
    public static long[] Shape(long[] left, long[] right, string parameter)
    {
        var rank = Math.Max(left.Length, right.Length);
        var shape = new long[rank];
        for (var d = 0; d < rank; d++)
        {
            var a = Length(left, d, rank);
            var b = Length(right, d, rank);
            if (a != b && a != 1 && b != 1)
            {
                throw new ArgumentException($"shapes ({string.Join(", ", left)}) and ({string.Join(", ", right)}) cannot be broadcast together: axis {d} has lengths {a} and {b}", parameter);
            }

            shape[d] = a == 1 ? b : a;
        }

        return shape;
    }

    /// <summary>The chunks of a broadcast result: per axis, the chunk of the first operand that spans the axis (not stretched), else the second's.</summary>
    public static int[] Chunks(long[] shape, long[] leftShape, int[] leftChunks, long[] rightShape, int[] rightChunks)
    {
        var rank = shape.Length;
        var chunks = new int[rank];
        for (var d = 0; d < rank; d++)
        {
            var l = d - (rank - leftShape.Length);
            var r = d - (rank - rightShape.Length);
            chunks[d] = l >= 0 && leftShape[l] == shape[d] ? leftChunks[l]
                : r >= 0 && rightShape[r] == shape[d] ? rightChunks[r]
                : (int)Math.Max(1, Math.Min(shape[d], int.MaxValue));
        }

        return chunks;
    }

    /// <summary>Whether <paramref name="operand"/> broadcasts to <paramref name="shape"/> (its axes align on the last, each 1 or the same length).</summary>
    public static bool Fits(long[] operand, long[] shape)
    {
        if (operand.Length > shape.Length)
        {
            return false;
        }

        for (var d = 0; d < operand.Length; d++)
        {
            var target = shape[d + shape.Length - operand.Length];
            if (operand[d] != target && operand[d] != 1)
            {
                return false;
            }
        }

        return true;
    }

    private static long Length(long[] shape, int d, int rank)
    {
        var i = d - (rank - shape.Length);
        return i < 0 ? 1 : shape[i];
    }
}

/// <summary>
/// An operand stretched to a larger shape as numpy broadcasts it: evaluating a region evaluates the operand's matching
/// region (one element along each stretched axis, nothing for the new leading axes) into a pooled buffer, then repeats
/// it row by row into the destination.
/// </summary>
internal sealed class BroadcastNode<T>(LazyNode<T> operand, long[] shape, int[] chunks) : LazyNode<T>(shape, chunks) where T : unmanaged
{
    public override ZarrArray<T>? Primary => null;

    // Reads happen on the operand's smaller region; counting them per output element would overstate them.
    public override int StoredBytesPerElement => 0;

    public override void CollectDeferred(List<IDeferredInput> into) => operand.CollectDeferred(into);

    public override LazyNode<T> Bind(DeferredValues values)
    {
        var bound = operand.Bind(values);
        return ReferenceEquals(bound, operand) ? this : new BroadcastNode<T>(bound, Shape, Chunks);
    }

    public override async ValueTask EvaluateAsync(ChunkRegion region, Memory<byte> destination, bool primaryLoaded, CancellationToken cancellationToken)
    {
        var rank = Shape.Length;
        var lead = rank - operand.Shape.Length;
        var start = new long[operand.Shape.Length];
        var boxShape = new int[operand.Shape.Length];
        for (var j = 0; j < start.Length; j++)
        {
            var stretched = operand.Shape[j] == 1 && Shape[j + lead] != 1;
            start[j] = stretched ? 0 : region.Start[j + lead];
            boxShape[j] = stretched ? 1 : region.Shape[j + lead];
        }

        var box = new ChunkRegion(start, boxShape);
        var bytes = checked((int)box.ElementCount * Unsafe.SizeOf<T>());
        using var input = PooledBuffer.RentDecoded(Math.Max(1, bytes));
        await operand.EvaluateAsync(box, input.Memory[..bytes], false, cancellationToken).ConfigureAwait(false);
        Repeat(MemoryMarshal.Cast<byte, T>(input.Span[..bytes]), boxShape, lead, region.Shape, Elements(destination));
    }

    /// <summary>Fills the dense region <paramref name="output"/> from the operand's box: a stretched axis reads its one element for every index.</summary>
    private static void Repeat(ReadOnlySpan<T> box, int[] boxShape, int lead, ReadOnlySpan<int> outShape, Span<T> output)
    {
        var rank = outShape.Length;
        if (rank == 0 || output.IsEmpty)
        {
            return;
        }

        // The box's stride for each output axis: 0 for new leading axes and stretched ones.
        Span<long> strides = stackalloc long[rank];
        long stride = 1;
        for (var d = rank - 1; d >= 0; d--)
        {
            var j = d - lead;
            strides[d] = j < 0 || (boxShape[j] == 1 && outShape[d] != 1) ? 0 : stride;
            stride *= j < 0 ? 1 : boxShape[j];
        }

        var rowLength = outShape[rank - 1];
        var rows = output.Length / rowLength;
        Span<int> index = stackalloc int[rank];
        index.Clear();
        for (var r = 0; r < rows; r++)
        {
            long offset = 0;
            for (var d = 0; d < rank - 1; d++)
            {
                offset += index[d] * strides[d];
            }

            var row = output.Slice(r * rowLength, rowLength);
            if (strides[rank - 1] == 0)
            {
                row.Fill(box[(int)offset]);
            }
            else
            {
                box.Slice((int)offset, rowLength).CopyTo(row);
            }

            for (var d = rank - 2; d >= 0; d--)
            {
                if (++index[d] < outShape[d])
                {
                    break;
                }

                index[d] = 0;
            }
        }
    }
}
