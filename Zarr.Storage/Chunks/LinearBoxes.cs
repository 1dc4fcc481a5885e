namespace Zarr.Storage.Chunks;

/// <summary>
/// Cuts a run of consecutive elements of a C-order chunk (a window of its decoded bytes) into boxes: each box is one
/// index on every axis before some axis, a range on that axis, and whole extents after it, so a selection's plan can
/// copy out of it with one strided copy. A run is at most 2 × rank − 1 boxes.
/// </summary>
internal static class LinearBoxes
{
    /// <summary>
    /// The largest such box that starts at element <paramref name="start"/> and ends at or before <paramref name="end"/>
    /// (exclusive, greater than <paramref name="start"/>), written to <paramref name="boxStart"/> and
    /// <paramref name="boxShape"/>; returns its element count.
    /// </summary>
    /// <param name="start">The run's first element, as a C-order index of the chunk.</param>
    /// <param name="end">The run's end (exclusive).</param>
    /// <param name="shape">The chunk's shape (rank at least 1).</param>
    /// <param name="elementStrides">The chunk's C-order element strides.</param>
    /// <param name="boxStart">Receives the box's first index per axis.</param>
    /// <param name="boxShape">Receives the box's extent per axis.</param>
    public static long Next(long start, long end, ReadOnlySpan<int> shape, ReadOnlySpan<long> elementStrides, Span<int> boxStart, Span<int> boxShape)
    {
        var rank = shape.Length;

        // The outermost axis whose blocks the run starts on the edge of and holds at least one of: the innermost always
        // qualifies (its blocks are single elements).
        var axis = 0;
        while (axis < rank - 1 && (start % elementStrides[axis] != 0 || end - start < elementStrides[axis]))
        {
            axis++;
        }

        for (var d = 0; d < rank; d++)
        {
            var index = (int)(start / elementStrides[d] % shape[d]);
            if (d < axis)
            {
                (boxStart[d], boxShape[d]) = (index, 1);
            }
            else if (d == axis)
            {
                var blocks = (int)Math.Min(shape[d] - index, (end - start) / elementStrides[d]);
                (boxStart[d], boxShape[d]) = (index, blocks);
            }
            else
            {
                (boxStart[d], boxShape[d]) = (0, shape[d]);
            }
        }

        return boxShape[axis] * elementStrides[axis];
    }
}
