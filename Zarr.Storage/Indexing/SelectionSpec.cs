using System.Numerics.Tensors;

namespace Zarr.Storage;

/// <summary>The kinds of advanced selection, as zarr-python names them.</summary>
public enum SelectionKind
{
    /// <summary>Per dimension a slice, an index list or a mask (zarr's <c>oindex</c>, <c>get_orthogonal_selection</c>).</summary>
    Orthogonal,

    /// <summary>Points given by one index array per dimension (zarr's <c>vindex</c>, <c>get_coordinate_selection</c>).</summary>
    Coordinate,

    /// <summary>The elements where a Boolean mask of the array's shape is true, in C order (zarr's <c>get_mask_selection</c>).</summary>
    Mask,

    /// <summary>Whole chunks by chunk index (zarr's <c>blocks</c>, <c>get_block_selection</c>).</summary>
    Block,
}

/// <summary>
/// An advanced selection as given, kept apart from the array's current shape: it is resolved into an
/// <see cref="IndexPlan"/> at each read or write, so a resize between calls is honoured (as a basic selection is).
/// </summary>
internal abstract class SelectionSpec
{
    public abstract SelectionKind Kind { get; }

    public abstract IndexPlan Plan(ChunkGrid grid);
}

/// <summary>An orthogonal selection.</summary>
internal sealed class OrthogonalSpec(OrthogonalIndex[] selection) : SelectionSpec
{
    public override SelectionKind Kind => SelectionKind.Orthogonal;

    public override IndexPlan Plan(ChunkGrid grid) => OrthogonalPlan.Create(grid, selection);

    public override string ToString() => $"oindex[{string.Join(", ", selection)}]";
}

/// <summary>A coordinate selection: one index array per dimension (copied when made).</summary>
internal sealed class CoordinateSpec(long[][] coordinates) : SelectionSpec
{
    public override SelectionKind Kind => SelectionKind.Coordinate;

    public static CoordinateSpec Copy(ReadOnlySpan<long[]> coordinates)
    {
        var copy = new long[coordinates.Length][];
        for (var d = 0; d < copy.Length; d++)
        {
            ArgumentNullException.ThrowIfNull(coordinates[d]);
            copy[d] = (long[])coordinates[d].Clone();
        }

        return new CoordinateSpec(copy);
    }

    public static CoordinateSpec Copy(ReadOnlySpan<int[]> coordinates)
    {
        var copy = new long[coordinates.Length][];
        for (var d = 0; d < copy.Length; d++)
        {
            ArgumentNullException.ThrowIfNull(coordinates[d]);
            copy[d] = Array.ConvertAll(coordinates[d], v => (long)v);
        }

        return new CoordinateSpec(copy);
    }

    public override IndexPlan Plan(ChunkGrid grid) => CoordinatePlan.Create(grid, coordinates);
}

/// <summary>A mask selection: the mask's values in C order and, when it came as a tensor, its shape.</summary>
internal sealed class MaskSpec(bool[] mask, long[]? shape) : SelectionSpec
{
    public override SelectionKind Kind => SelectionKind.Mask;

    public static MaskSpec Copy(Tensor<bool> mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        var shape = new long[mask.Rank];
        for (var d = 0; d < shape.Length; d++)
        {
            shape[d] = mask.Lengths[d];
        }

        return new MaskSpec(Internal.TensorData.ToArray(mask), shape);
    }

    public override IndexPlan Plan(ChunkGrid grid)
    {
        if (shape is not null && !shape.AsSpan().SequenceEqual(grid.Shape.AsSpan()))
        {
            throw new ZarrSelectionException($"the mask has shape ({string.Join(", ", shape)}) but the array has shape ({string.Join(", ", grid.Shape)}); a mask selection needs the array's shape");
        }

        return CoordinatePlan.FromMask(grid, mask);
    }
}

/// <summary>
/// A block selection: per dimension a chunk index (negative counts from the end; the dimension is kept, as zarr keeps
/// it) or a range of chunk indices with step 1; missing trailing dimensions are selected whole.
/// </summary>
internal sealed class BlockSpec(Slice[] blocks) : SelectionSpec
{
    public override SelectionKind Kind => SelectionKind.Block;

    public override IndexPlan Plan(ChunkGrid grid)
    {
        var rank = grid.Shape.Length;
        if (blocks.Length > rank)
        {
            throw new ZarrSelectionException($"the block selection has {blocks.Length} dimensions but the array has {rank}");
        }

        var start = new long[rank];
        var stop = new long[rank];
        for (var d = 0; d < rank; d++)
        {
            var chunks = grid.GridShape[d];
            var block = d < blocks.Length && blocks[d].Step != 0 ? blocks[d] : Slice.All;
            long first, end;
            if (block.IsIndex)
            {
                var i = block.StartFromEnd ? chunks - block.Start : block.Start;
                if (i < 0 || i >= chunks)
                {
                    var shown = block.StartFromEnd ? -block.Start : block.Start;
                    throw new ZarrSelectionException($"block index {shown} is out of bounds for dimension {d} of {chunks} chunks (valid: {-chunks} to {chunks - 1})");
                }

                first = i;
                end = i + 1;
            }
            else
            {
                if (block.Step != 1)
                {
                    throw new ZarrSelectionException($"a block selection takes ranges of step 1; dimension {d} has step {block.Step}");
                }

                var sel = block.Resolve(chunks, d);
                first = sel.Start;
                end = sel.Start + sel.Count;
            }

            start[d] = first >= end ? 0 : grid.ChunkStart(d, first);
            stop[d] = first >= end ? 0 : Math.Min(grid.ChunkStart(d, end - 1) + grid.ChunkEdge(d, end - 1), grid.Shape[d]);
        }

        return OrthogonalPlan.CreateRanges(grid, start, stop);
    }

    public override string ToString() => $"blocks[{string.Join(", ", blocks)}]";
}
