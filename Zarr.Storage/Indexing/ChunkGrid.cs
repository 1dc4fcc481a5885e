using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace Zarr.Storage;

/// <summary>
/// A regular chunk grid: an array shape cut into chunks of one shape, edge chunks hanging over the end. Immutable: it
/// keeps its own copy of the shapes it is given and hands out only read-only views of them.
/// </summary>
public sealed class ChunkGrid
{
    /// <summary>Creates the grid from a copy of the shapes; all arithmetic is checked, so a grid whose chunk count overflows 64 bits is an error.</summary>
    /// <exception cref="ZarrException">The ranks differ, a chunk size is not positive, or a dimension is negative.</exception>
    public ChunkGrid(ReadOnlySpan<long> shape, ReadOnlySpan<int> chunkShape)
        : this(ImmutableArray.Create(shape), ImmutableArray.Create(chunkShape))
    {
    }

    /// <summary>Creates the grid over shapes that are already immutable (no copy); all arithmetic is checked.</summary>
    /// <exception cref="ArgumentException">A shape is a default (uninitialised) <see cref="ImmutableArray{T}"/>.</exception>
    /// <exception cref="ZarrException">The ranks differ, a chunk size is not positive, or a dimension is negative.</exception>
    public ChunkGrid(ImmutableArray<long> shape, ImmutableArray<int> chunkShape)
    {
        if (shape.IsDefault || chunkShape.IsDefault)
        {
            throw new ArgumentException("a chunk grid needs both shapes; a default (uninitialised) ImmutableArray is not one", shape.IsDefault ? nameof(shape) : nameof(chunkShape));
        }

        if (shape.Length != chunkShape.Length)
        {
            throw new ZarrException($"the chunk shape ({string.Join(", ", chunkShape)}) has {chunkShape.Length} dimensions but the array shape ({string.Join(", ", shape)}) has {shape.Length}");
        }

        var gridShape = new long[shape.Length];
        long total = 1;
        for (var d = 0; d < shape.Length; d++)
        {
            if (shape[d] < 0)
            {
                throw new ZarrException($"dimension {d} of the shape is negative ({shape[d]})");
            }

            if (chunkShape[d] <= 0)
            {
                throw new ZarrException($"dimension {d} of the chunk shape must be positive (got {chunkShape[d]})");
            }

            // Rounded up without adding first: shape + chunk − 1 overflows for a shape near 2^63.
            gridShape[d] = (shape[d] / chunkShape[d]) + (shape[d] % chunkShape[d] == 0 ? 0 : 1);
            try
            {
                total = checked(total * gridShape[d]);
            }
            catch (OverflowException e)
            {
                throw new ZarrException($"the shape ({string.Join(", ", shape)}) with chunks ({string.Join(", ", chunkShape)}) has more chunks than a 64-bit count holds", e);
            }
        }

        Shape = shape;
        ChunkShape = chunkShape;
        GridShape = ImmutableCollectionsMarshal.AsImmutableArray(gridShape);
        ChunkCount = total;
    }

    /// <summary>The array's shape.</summary>
    public ImmutableArray<long> Shape { get; }

    /// <summary>The chunk shape.</summary>
    public ImmutableArray<int> ChunkShape { get; }

    /// <summary>The number of chunks along each dimension.</summary>
    public ImmutableArray<long> GridShape { get; }

    /// <summary>The number of chunks in the grid.</summary>
    public long ChunkCount { get; }

    /// <summary>True when <paramref name="coordinates"/> name a chunk inside the grid.</summary>
    public bool Contains(ReadOnlySpan<long> coordinates)
    {
        if (coordinates.Length != GridShape.Length)
        {
            return false;
        }

        for (var d = 0; d < coordinates.Length; d++)
        {
            if (coordinates[d] < 0 || coordinates[d] >= GridShape[d])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>How many elements of the chunk at <paramref name="coordinates"/> lie inside the array along dimension <paramref name="dimension"/>.</summary>
    public int ValidLength(ReadOnlySpan<long> coordinates, int dimension) =>
        (int)Math.Min(ChunkShape[dimension], Shape[dimension] - (coordinates[dimension] * ChunkShape[dimension]));
}
