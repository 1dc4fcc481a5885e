using System.Runtime.InteropServices;

namespace Zarr.Storage.Chunks;

/// <summary>
/// Where a chunk meets the array's edge: whether it lies wholly inside, and the reset of its elements beyond the edge
/// to the fill value (a shrinking resize's trim, and a write planned before a shrink).
/// </summary>
internal static class ChunkEdges
{
    /// <summary>True when the chunk lies wholly inside the array (no part of it hangs over an edge).</summary>
    public static bool IsInterior(ChunkGrid grid, ReadOnlySpan<long> coordinates)
    {
        for (var d = 0; d < coordinates.Length; d++)
        {
            if (grid.ChunkStart(d, coordinates[d]) + grid.ChunkEdge(d, coordinates[d]) > grid.Shape[d])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when <paramref name="current"/> is smaller than <paramref name="planned"/> along some dimension: the array shrank since a write was planned.</summary>
    public static bool ShrankSince(ChunkGrid planned, ChunkGrid current)
    {
        for (var d = 0; d < planned.Shape.Length; d++)
        {
            if (current.Shape[d] < planned.Shape[d])
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Sets every element of a decoded chunk (C order, <paramref name="chunkStrides"/> in bytes) that lies outside the grid's shape to <paramref name="fill"/>.</summary>
    public static void FillOutside(Span<byte> decoded, ReadOnlySpan<long> coordinates, ChunkGrid grid, ReadOnlySpan<long> chunkStrides, ReadOnlySpan<byte> fill)
    {
        var rank = coordinates.Length;
        Span<nint> steps = stackalloc nint[rank];
        Span<long> counts = stackalloc long[rank];
        for (var d = 0; d < rank; d++)
        {
            var valid = grid.ValidLengthOf(d, coordinates[d]);
            if (valid >= grid.ChunkShape[d])
            {
                continue;
            }

            // The slab beyond the edge along d, whole along every other dimension.
            var offset = (nint)(valid * chunkStrides[d]);
            for (var k = 0; k < rank; k++)
            {
                steps[k] = (nint)chunkStrides[k];
                counts[k] = k == d ? grid.ChunkShape[d] - valid : grid.ChunkShape[k];
            }

            StridedCopy.Fill(ref MemoryMarshal.GetReference(decoded), offset, steps, counts, fill);
        }
    }

    /// <summary>
    /// Copies from <paramref name="source"/> into <paramref name="destination"/> (two decoded chunks of the same layout)
    /// every element that lies inside the grid's shape; the elements beyond its edge stay as they are.
    /// </summary>
    public static void CopyInside(Span<byte> destination, ReadOnlySpan<byte> source, ReadOnlySpan<long> coordinates, ChunkGrid grid, ReadOnlySpan<long> chunkStrides, int itemSize)
    {
        var rank = coordinates.Length;
        Span<nint> steps = stackalloc nint[rank];
        Span<long> counts = stackalloc long[rank];
        for (var d = 0; d < rank; d++)
        {
            steps[d] = (nint)chunkStrides[d];
            counts[d] = Math.Clamp(grid.Shape[d] - (coordinates[d] * grid.ChunkShape[d]), 0, grid.ChunkShape[d]);
        }

        StridedCopy.Copy(
            ref MemoryMarshal.GetReference(source), 0, steps,
            ref MemoryMarshal.GetReference(destination), 0, steps,
            counts, itemSize);
    }

    /// <summary>Sets every value of a chunk of strings (C order) that lies outside the grid's shape to <paramref name="fill"/>.</summary>
    public static void FillOutside(string?[] values, ReadOnlySpan<long> coordinates, ChunkGrid grid, string fill)
    {
        var rank = coordinates.Length;
        var chunkShape = grid.ChunkShape;
        Span<long> valid = stackalloc long[rank];
        Span<long> strides = stackalloc long[rank];
        var inside = true;
        long stride = 1;
        for (var d = rank - 1; d >= 0; d--)
        {
            strides[d] = stride;
            stride *= chunkShape[d];
            valid[d] = grid.ValidLengthOf(d, coordinates[d]);
            inside &= valid[d] == chunkShape[d];
        }

        if (inside)
        {
            return;
        }

        for (var i = 0; i < values.Length; i++)
        {
            for (var d = 0; d < rank; d++)
            {
                if ((i / strides[d]) % chunkShape[d] >= valid[d])
                {
                    values[i] = fill;
                    break;
                }
            }
        }
    }
}
