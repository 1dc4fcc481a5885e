using System.Buffers;
using System.Runtime.InteropServices;
using Zarr.Dataflow.Blocks;

namespace Zarr.Dataflow;

/// <summary>
/// Moves a chunk's valid region between the full-chunk layout (what codecs produce and take) and the dense region
/// layout (what expressions compute on), in place: compacting walks rows forward, expanding walks them backward, so
/// no row is overwritten before it is moved.
/// </summary>
internal static class ChunkLayout
{
    public static bool IsFull(ReadOnlySpan<int> chunkShape, ReadOnlySpan<int> valid)
    {
        for (var d = 0; d < chunkShape.Length; d++)
        {
            if (chunkShape[d] != valid[d])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Moves the valid region of a full chunk to the front of <paramref name="buffer"/>, densely.</summary>
    public static void Compact(Span<byte> buffer, ReadOnlySpan<int> chunkShape, ReadOnlySpan<int> valid, int itemSize)
    {
        if (IsFull(chunkShape, valid))
        {
            return;
        }

        var rank = chunkShape.Length;
        var rows = RowCount(valid);
        var rowBytes = valid[rank - 1] * itemSize;
        Span<int> index = stackalloc int[Math.Max(rank - 1, 1)];
        index.Clear();
        for (long r = 0; r < rows; r++)
        {
            var src = FullOffset(index, chunkShape) * itemSize;
            var dst = r * rowBytes;
            buffer.Slice((int)src, rowBytes).CopyTo(buffer.Slice((int)dst, rowBytes));
            Next(index, valid);
        }
    }

    /// <summary>Spreads a dense region at the front of <paramref name="buffer"/> back into the full chunk layout and sets everything outside it to <paramref name="fill"/>.</summary>
    public static void Expand(Span<byte> buffer, ReadOnlySpan<int> chunkShape, ReadOnlySpan<int> valid, int itemSize, ReadOnlySpan<byte> fill)
    {
        if (IsFull(chunkShape, valid))
        {
            return;
        }

        var rank = chunkShape.Length;
        var rows = RowCount(valid);
        var rowBytes = valid[rank - 1] * itemSize;
        var fullRowBytes = chunkShape[rank - 1] * itemSize;
        var index = new int[Math.Max(rank - 1, 1)];
        var anyEmpty = rows == 0 || rowBytes == 0;

        // Backward: the last valid row moves furthest, and lands beyond every row not yet moved.
        if (!anyEmpty)
        {
            for (var d = 0; d < rank - 1; d++)
            {
                index[d] = valid[d] - 1;
            }

            for (var r = rows - 1; r >= 0; r--)
            {
                var dst = FullOffset(index, chunkShape) * itemSize;
                var src = r * rowBytes;
                buffer.Slice((int)src, rowBytes).CopyTo(buffer.Slice((int)dst, rowBytes));
                Previous(index, valid);
            }
        }

        // Fill: the tail of each valid row, and every row outside the valid region.
        var fullRows = RowCount(chunkShape);
        Array.Clear(index);
        for (long r = 0; r < fullRows; r++)
        {
            var inside = !anyEmpty;
            for (var d = 0; d < rank - 1 && inside; d++)
            {
                inside = index[d] < valid[d];
            }

            var rowStart = (int)(r * fullRowBytes);
            var from = inside ? rowBytes : 0;
            if (from < fullRowBytes)
            {
                FillPattern(buffer.Slice(rowStart + from, fullRowBytes - from), fill);
            }

            Next(index, chunkShape);
        }
    }

    public static void FillPattern(Span<byte> destination, ReadOnlySpan<byte> pattern)
    {
        if (pattern.Length == 1 || !pattern.ContainsAnyExcept(pattern[0]))
        {
            destination.Fill(pattern.IsEmpty ? (byte)0 : pattern[0]);
            return;
        }

        for (var i = 0; i + pattern.Length <= destination.Length; i += pattern.Length)
        {
            pattern.CopyTo(destination[i..]);
        }
    }

    private static long RowCount(ReadOnlySpan<int> shape)
    {
        long rows = 1;
        for (var d = 0; d < shape.Length - 1; d++)
        {
            rows *= shape[d];
        }

        return shape.Length == 0 ? 1 : rows;
    }

    private static long FullOffset(ReadOnlySpan<int> rowIndex, ReadOnlySpan<int> chunkShape)
    {
        long offset = 0;
        for (var d = 0; d < chunkShape.Length - 1; d++)
        {
            offset = (offset * chunkShape[d]) + rowIndex[d];
        }

        return offset * chunkShape[^1];
    }

    private static void Next(Span<int> index, ReadOnlySpan<int> shape)
    {
        for (var d = shape.Length - 2; d >= 0; d--)
        {
            if (++index[d] < shape[d])
            {
                return;
            }

            index[d] = 0;
        }
    }

    private static void Previous(Span<int> index, ReadOnlySpan<int> shape)
    {
        for (var d = shape.Length - 2; d >= 0; d--)
        {
            if (--index[d] >= 0)
            {
                return;
            }

            index[d] = shape[d] - 1;
        }
    }
}

/// <summary>A <see cref="Memory{T}"/> of elements over a range of a byte array (for APIs that take typed memory).</summary>
internal sealed class ByteMemoryManager<T>(byte[] array, int offset, int length) : MemoryManager<T> where T : unmanaged
{
    public static Memory<T> Create(Memory<byte> bytes)
    {
        if (!MemoryMarshal.TryGetArray<byte>(bytes, out var segment))
        {
            throw new ArgumentException("the memory is not backed by an array", nameof(bytes));
        }

        return new ByteMemoryManager<T>(segment.Array!, segment.Offset, segment.Count).Memory;
    }

    public override Span<T> GetSpan() => MemoryMarshal.Cast<byte, T>(array.AsSpan(offset, length));

    public override MemoryHandle Pin(int elementIndex = 0) => throw new NotSupportedException();

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
