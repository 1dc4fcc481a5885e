using Zarr.Storage;

namespace Zarr.Dataflow.Blocks;

/// <summary>
/// A box of an array: where it starts and how long it is along each dimension. For a chunk, the part of the chunk
/// inside the array (edge chunks hang over the array's end; their region is the valid part).
/// </summary>
public sealed class ChunkRegion
{
    private readonly long[] _start;
    private readonly int[] _shape;

    /// <summary>Creates a region (both arrays are copied).</summary>
    /// <exception cref="ArgumentException">The ranks differ, a start is negative or a length is negative.</exception>
    public ChunkRegion(long[] start, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(shape);
        if (start.Length != shape.Length)
        {
            throw new ArgumentException($"the start has {start.Length} dimensions but the shape has {shape.Length}", nameof(shape));
        }

        long count = 1;
        for (var d = 0; d < start.Length; d++)
        {
            if (start[d] < 0 || shape[d] < 0)
            {
                throw new ArgumentException($"dimension {d} of the region starts at {start[d]} with length {shape[d]}", nameof(start));
            }

            count = checked(count * shape[d]);
        }

        _start = (long[])start.Clone();
        _shape = (int[])shape.Clone();
        ElementCount = count;
    }

    /// <summary>The region of the chunk at <paramref name="coordinates"/> of <paramref name="grid"/> that lies inside the array.</summary>
    public static ChunkRegion OfChunk(ChunkGrid grid, ReadOnlySpan<long> coordinates)
    {
        ArgumentNullException.ThrowIfNull(grid);
        var rank = grid.Shape.Length;
        var start = new long[rank];
        var shape = new int[rank];
        for (var d = 0; d < rank; d++)
        {
            start[d] = grid.ChunkStart(d, coordinates[d]);
            shape[d] = grid.ValidLength(coordinates, d);
        }

        return new ChunkRegion(start, shape);
    }

    /// <summary>The number of dimensions.</summary>
    public int Rank => _start.Length;

    /// <summary>The first index along each dimension.</summary>
    public ReadOnlySpan<long> Start => _start;

    /// <summary>The length along each dimension.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>The number of elements.</summary>
    public long ElementCount { get; }

    /// <summary>The selection of this region, one range per dimension.</summary>
    public Slice[] ToSlices()
    {
        var slices = new Slice[_start.Length];
        for (var d = 0; d < slices.Length; d++)
        {
            slices[d] = Slice.Range(_start[d], _start[d] + _shape[d]);
        }

        return slices;
    }

    /// <summary>This region moved by <paramref name="offset"/>.</summary>
    public ChunkRegion Offset(ReadOnlySpan<long> offset)
    {
        var start = (long[])_start.Clone();
        for (var d = 0; d < start.Length; d++)
        {
            start[d] += offset[d];
        }

        return new ChunkRegion(start, _shape);
    }

    /// <summary>The start as an array (a copy).</summary>
    public long[] GetStart() => (long[])_start.Clone();

    /// <summary>The shape as an array (a copy).</summary>
    public int[] GetShape() => (int[])_shape.Clone();

    internal long[] StartArray => _start;

    internal int[] ShapeArray => _shape;

    /// <inheritdoc />
    public override string ToString() =>
        "[" + string.Join(", ", _start.Select((s, d) => $"{s}:{s + _shape[d]}")) + "]";
}
