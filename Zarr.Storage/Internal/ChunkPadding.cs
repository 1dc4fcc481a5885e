namespace Zarr.Storage.Internal;

/// <summary>
/// A rectilinear grid's chunk held in a buffer of the grid's largest chunk shape (its envelope): the chunk's elements at
/// the envelope's strides, from the front. Decoding produces the chunk's own C-order layout, which is spread out in place;
/// encoding gathers it back.
/// </summary>
internal static class ChunkPadding
{
    /// <summary>Spreads a chunk of <paramref name="shape"/>, C order at the front of <paramref name="buffer"/>, to the strides of <paramref name="envelope"/>, in place.</summary>
    public static void Expand(Span<byte> buffer, ReadOnlySpan<int> shape, ReadOnlySpan<int> envelope, int itemSize)
    {
        var rank = shape.Length;
        if (rank == 0)
        {
            return;
        }

        Span<long> tight = stackalloc long[rank];
        Span<long> wide = stackalloc long[rank];
        Strides(shape, itemSize, tight);
        Strides(envelope, itemSize, wide);
        var rowBytes = shape[rank - 1] * itemSize;
        var rows = RowCount(shape);

        // Last row first: every row moves to an offset at or past its own, and rows before it all lie below that offset.
        for (var r = rows - 1; r >= 0; r--)
        {
            var (from, to) = Offsets(r, shape, tight, wide);
            if (from != to)
            {
                buffer.Slice((int)from, rowBytes).CopyTo(buffer.Slice((int)to, rowBytes));
            }
        }
    }

    /// <summary>Gathers a chunk of <paramref name="shape"/> held at the strides of <paramref name="envelope"/> into its own C-order layout in <paramref name="destination"/>.</summary>
    public static void Compact(ReadOnlySpan<byte> padded, ReadOnlySpan<int> shape, ReadOnlySpan<int> envelope, int itemSize, Span<byte> destination)
    {
        var rank = shape.Length;
        if (rank == 0)
        {
            padded[..itemSize].CopyTo(destination);
            return;
        }

        Span<long> tight = stackalloc long[rank];
        Span<long> wide = stackalloc long[rank];
        Strides(shape, itemSize, tight);
        Strides(envelope, itemSize, wide);
        var rowBytes = shape[rank - 1] * itemSize;
        var rows = RowCount(shape);
        for (long r = 0; r < rows; r++)
        {
            var (to, from) = Offsets(r, shape, tight, wide);
            padded.Slice((int)from, rowBytes).CopyTo(destination.Slice((int)to, rowBytes));
        }
    }

    private static long RowCount(ReadOnlySpan<int> shape)
    {
        long rows = 1;
        for (var d = 0; d < shape.Length - 1; d++)
        {
            rows *= shape[d];
        }

        return rows;
    }

    private static void Strides(ReadOnlySpan<int> shape, int itemSize, Span<long> strides)
    {
        long s = itemSize;
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            strides[d] = s;
            s *= shape[d];
        }
    }

    // The byte offsets of row r (an index over every dimension but the last) in the tight and the wide layout.
    private static (long Tight, long Wide) Offsets(long r, ReadOnlySpan<int> shape, ReadOnlySpan<long> tight, ReadOnlySpan<long> wide)
    {
        long a = 0, b = 0;
        for (var d = shape.Length - 2; d >= 0; d--)
        {
            var i = r % shape[d];
            r /= shape[d];
            a += i * tight[d];
            b += i * wide[d];
        }

        return (a, b);
    }
}
