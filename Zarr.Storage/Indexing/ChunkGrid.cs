using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace Zarr.Storage;

/// <summary>
/// A chunk grid: an array shape cut into chunks of one shape (regular), edge chunks hanging over the end, or into chunks
/// whose edge lengths vary along each axis (rectilinear, <see cref="Edges"/>). Immutable: it keeps its own copy of the
/// shapes it is given and hands out only read-only views of them.
/// </summary>
/// <remarks>
/// For a rectilinear grid <see cref="ChunkShape"/> is the longest edge per axis: the shape of the buffer a decoded chunk
/// is held in (a shorter chunk fills its front part, by the same strides). Positions go through
/// <see cref="ChunkStart"/>, <see cref="ChunkEdge"/> and <see cref="ChunkIndexOf"/>, which work for both kinds.
/// </remarks>
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

    /// <summary>Creates a rectilinear grid: per axis, its chunk edge lengths, which must cover the shape (they may overhang it).</summary>
    /// <exception cref="ArgumentException">A shape is a default (uninitialised) <see cref="ImmutableArray{T}"/>.</exception>
    /// <exception cref="ZarrException">The ranks differ, a dimension is negative, or an axis's edges add up to less than its length.</exception>
    public ChunkGrid(ImmutableArray<long> shape, ImmutableArray<ChunkEdgeList> edges)
    {
        if (shape.IsDefault || edges.IsDefault)
        {
            throw new ArgumentException("a chunk grid needs the shape and the edges; a default (uninitialised) ImmutableArray is not one", shape.IsDefault ? nameof(shape) : nameof(edges));
        }

        if (shape.Length != edges.Length)
        {
            throw new ZarrException($"the chunk edges have {edges.Length} axes but the array shape ({string.Join(", ", shape)}) has {shape.Length}");
        }

        var gridShape = new long[shape.Length];
        var envelope = new int[shape.Length];
        long total = 1;
        for (var d = 0; d < shape.Length; d++)
        {
            if (shape[d] < 0)
            {
                throw new ZarrException($"dimension {d} of the shape is negative ({shape[d]})");
            }

            try
            {
                gridShape[d] = edges[d].ChunksCovering(shape[d]);
            }
            catch (ZarrException e)
            {
                throw new ZarrException($"axis {d} of the rectilinear chunk grid: {e.Message}", e);
            }

            envelope[d] = edges[d].MaxEdge;
            try
            {
                total = checked(total * gridShape[d]);
            }
            catch (OverflowException e)
            {
                throw new ZarrException($"the shape ({string.Join(", ", shape)}) has more rectilinear chunks than a 64-bit count holds", e);
            }
        }

        Shape = shape;
        ChunkShape = ImmutableCollectionsMarshal.AsImmutableArray(envelope);
        GridShape = ImmutableCollectionsMarshal.AsImmutableArray(gridShape);
        ChunkCount = total;
        Edges = edges;
    }

    /// <summary>A grid of the same kind over <paramref name="shape"/>: the same chunk shape, or the same edges (which must cover it).</summary>
    /// <exception cref="ZarrException">The rank differs, or rectilinear edges do not cover the shape.</exception>
    public ChunkGrid WithShape(ImmutableArray<long> shape) => Edges.IsDefault ? new ChunkGrid(shape, ChunkShape) : new ChunkGrid(shape, Edges);

    /// <summary>The rectilinear grid's edges per axis; default (<see cref="ImmutableArray{T}.IsDefault"/>) for a regular grid.</summary>
    public ImmutableArray<ChunkEdgeList> Edges { get; }

    /// <summary>True for a regular grid (one chunk shape).</summary>
    public bool IsRegular => Edges.IsDefault;

    /// <summary>The array position where chunk <paramref name="index"/> of axis <paramref name="dimension"/> starts.</summary>
    public long ChunkStart(int dimension, long index) => Edges.IsDefault ? index * ChunkShape[dimension] : Edges[dimension].StartOf(index);

    /// <summary>The edge length (stored extent, overhang included) of chunk <paramref name="index"/> of axis <paramref name="dimension"/>.</summary>
    public int ChunkEdge(int dimension, long index) => Edges.IsDefault ? ChunkShape[dimension] : Edges[dimension].EdgeOf(index);

    /// <summary>The index of the chunk of axis <paramref name="dimension"/> that holds array position <paramref name="position"/>.</summary>
    public long ChunkIndexOf(int dimension, long position) => Edges.IsDefault ? position / ChunkShape[dimension] : Edges[dimension].IndexOf(position);

    /// <summary>The shape of the chunk at <paramref name="coordinates"/> as stored (its edge lengths, overhang included).</summary>
    public int[] ChunkShapeAt(ReadOnlySpan<long> coordinates)
    {
        var shape = new int[coordinates.Length];
        for (var d = 0; d < shape.Length; d++)
        {
            shape[d] = ChunkEdge(d, coordinates[d]);
        }

        return shape;
    }

    /// <summary>True when the chunk at <paramref name="coordinates"/> has the shape <see cref="ChunkShape"/> (always, on a regular grid).</summary>
    public bool IsFullShape(ReadOnlySpan<long> coordinates)
    {
        if (Edges.IsDefault)
        {
            return true;
        }

        for (var d = 0; d < coordinates.Length; d++)
        {
            if (Edges[d].EdgeOf(coordinates[d]) != ChunkShape[d])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when both grids cut the same shape into the same chunks.</summary>
    public bool SameAs(ChunkGrid other) =>
        Shape.AsSpan().SequenceEqual(other.Shape.AsSpan()) && SameChunks(other);

    /// <summary>True when both grids have the same chunks (same chunk shape, or the same edges), whatever their shapes.</summary>
    public bool SameChunks(ChunkGrid other) =>
        Edges.IsDefault == other.Edges.IsDefault
        && ChunkShape.AsSpan().SequenceEqual(other.ChunkShape.AsSpan())
        && (Edges.IsDefault || Edges.AsSpan().SequenceEqual(other.Edges.AsSpan()));

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
    public int ValidLength(ReadOnlySpan<long> coordinates, int dimension) => ValidLengthOf(dimension, coordinates[dimension]);

    /// <summary>How many elements of chunk <paramref name="index"/> of axis <paramref name="dimension"/> lie inside the array (0 for a chunk past its end).</summary>
    public int ValidLengthOf(int dimension, long index) =>
        (int)Math.Clamp(Shape[dimension] - ChunkStart(dimension, index), 0, ChunkEdge(dimension, index));
}
