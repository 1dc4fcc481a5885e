using System.Buffers;
using Zarr.Storage.Codecs;

namespace Zarr.Storage;

/// <summary>
/// A coordinate selection (points, zarr's <c>vindex</c>) or a mask selection (the points where a mask is true, in C
/// order) grouped by chunk. Each point gets its chunk's linear number in the grid and its element offset inside the
/// chunk; the points are sorted by chunk (stably, so points given twice keep their order and on a write the last one
/// wins) and cut into one segment per chunk. The cost is O(points · log points) plus O(chunks touched); the grid is
/// never enumerated.
/// </summary>
internal sealed class CoordinatePlan : IndexPlan
{
    private readonly long[] _chunkNumbers;
    private readonly int[] _segmentStarts;
    private readonly int[] _local;
    private readonly long[] _out;
    private readonly long[] _chunkElementStrides;

    private CoordinatePlan(ChunkGrid grid, long[] chunkNumbers, int[] segmentStarts, int[] local, long[] output)
        : base(grid)
    {
        _chunkNumbers = chunkNumbers;
        _segmentStarts = segmentStarts;
        _local = local;
        _out = output;
        _chunkElementStrides = ElementStrides(grid);
        OutputShape = [local.Length];
    }

    public override long[] OutputShape { get; }

    public override long ElementCount => _local.Length;

    public override long ChunkCount => _chunkNumbers.Length;

    /// <summary>Resolves one index array per dimension, all of one length (negative indices count from the end).</summary>
    /// <exception cref="ZarrSelectionException">The number of arrays is not the rank, their lengths differ, or an index is out of bounds.</exception>
    public static CoordinatePlan Create(ChunkGrid grid, IReadOnlyList<long[]> coordinates)
    {
        var rank = grid.Shape.Length;
        if (coordinates.Count != rank)
        {
            throw new ZarrSelectionException($"a coordinate selection needs one index array per dimension ({rank}), but {coordinates.Count} were given");
        }

        if (rank == 0)
        {
            throw new ZarrSelectionException("a coordinate selection needs an array of at least one dimension");
        }

        var n = coordinates[0].Length;
        for (var d = 1; d < rank; d++)
        {
            if (coordinates[d].Length != n)
            {
                throw new ZarrSelectionException($"the coordinate arrays differ in length: dimension 0 has {n} indices but dimension {d} has {coordinates[d].Length}");
            }
        }

        // Per point: its chunk's number (C order over the grid) and its element offset inside that chunk.
        var gridStrides = new long[rank];
        long g = 1;
        for (var d = rank - 1; d >= 0; d--)
        {
            gridStrides[d] = g;
            g *= grid.GridShape[d];
        }

        var chunkStrides = ElementStrides(grid);
        var numbers = new long[n];
        var local = new int[n];
        for (var d = 0; d < rank; d++)
        {
            var length = grid.Shape[d];
            var values = coordinates[d];
            for (var i = 0; i < n; i++)
            {
                var raw = values[i];
                var v = raw < 0 ? raw + length : raw;
                if (v < 0 || v >= length)
                {
                    throw new ZarrSelectionException($"index {raw} (point {i}) is out of bounds for dimension {d} of length {length} (valid: {-length} to {length - 1})");
                }

                var c = grid.ChunkIndexOf(d, v);
                numbers[i] += c * gridStrides[d];
                local[i] += (int)((v - grid.ChunkStart(d, c)) * chunkStrides[d]);
            }
        }

        return Group(grid, numbers, local);
    }

    /// <summary>The points where <paramref name="mask"/> (the array's shape, C order) is true, in C order.</summary>
    /// <exception cref="ZarrSelectionException">The mask's length is not the array's element count.</exception>
    public static CoordinatePlan FromMask(ChunkGrid grid, ReadOnlySpan<bool> mask)
    {
        var rank = grid.Shape.Length;
        long size = 1;
        foreach (var s in grid.Shape)
        {
            size *= s;
        }

        if (mask.Length != size)
        {
            throw new ZarrSelectionException($"the mask holds {mask.Length} elements but the array of shape ({string.Join(", ", grid.Shape)}) has {size}");
        }

        if (rank == 0)
        {
            throw new ZarrSelectionException("a mask selection needs an array of at least one dimension");
        }

        var n = mask.Count(true);
        var coordinates = new long[rank][];
        for (var d = 0; d < rank; d++)
        {
            coordinates[d] = new long[n];
        }

        var k = 0;
        var offset = 0;
        while (k < n)
        {
            var next = mask[offset..].IndexOf(true);
            offset += next;
            long flat = offset;
            for (var d = rank - 1; d >= 0; d--)
            {
                coordinates[d][k] = flat % grid.Shape[d];
                flat /= grid.Shape[d];
            }

            k++;
            offset++;
        }

        return Create(grid, coordinates);
    }

    public override IEnumerable<PlannedChunk> Chunks()
    {
        var rank = Grid.Shape.Length;
        for (var s = 0; s < _chunkNumbers.Length; s++)
        {
            var coords = new long[rank];
            var number = _chunkNumbers[s];
            for (var d = rank - 1; d >= 0; d--)
            {
                coords[d] = number % Grid.GridShape[d];
                number /= Grid.GridShape[d];
            }

            yield return new PlannedChunk(coords, [s]);
        }
    }

    public override bool Covers(in PlannedChunk chunk)
    {
        var segment = Segment(chunk);
        var valid = ValidElements(chunk.Coordinates);
        if (segment.End.Value - segment.Start.Value < valid)
        {
            return false;
        }

        // As many points as elements: covered when no element is missed (points may repeat).
        var elements = (int)_chunkElementStrides[0] * Grid.ChunkShape[0];
        var seen = ArrayPool<bool>.Shared.Rent(elements);
        try
        {
            Array.Clear(seen, 0, elements);
            long distinct = 0;
            foreach (var offset in _local.AsSpan(segment))
            {
                if (!seen[offset])
                {
                    seen[offset] = true;
                    distinct++;
                }
            }

            return distinct == valid;
        }
        finally
        {
            ArrayPool<bool>.Shared.Return(seen);
        }
    }

    public override ChunkRegion Region(in PlannedChunk chunk)
    {
        var rank = Grid.Shape.Length;
        var min = new int[rank];
        var max = new int[rank];
        Array.Fill(min, int.MaxValue);
        foreach (var offset in _local.AsSpan(Segment(chunk)))
        {
            long rest = offset;
            for (var d = 0; d < rank; d++)
            {
                var c = (int)(rest / _chunkElementStrides[d]);
                rest -= c * _chunkElementStrides[d];
                min[d] = Math.Min(min[d], c);
                max[d] = Math.Max(max[d], c);
            }
        }

        var count = new int[rank];
        var step = new int[rank];
        for (var d = 0; d < rank; d++)
        {
            count[d] = max[d] - min[d] + 1;
            step[d] = 1;
        }

        return ChunkRegion.Over(min, step, count);
    }

    public override void Transfer(in PlannedChunk chunk, ref byte decoded, bool chunkIsScalar, ReadOnlySpan<long> chunkStrides, ref byte selection, bool selectionIsScalar, bool toChunk, int itemSize)
    {
        var segment = Segment(chunk);
        ElementCopy.Indexed(
            ref decoded, chunkIsScalar ? 0 : itemSize, _local.AsSpan(segment),
            ref selection, selectionIsScalar ? 0 : itemSize, _out.AsSpan(segment),
            toChunk, itemSize);
    }

    private Range Segment(in PlannedChunk chunk) => new(_segmentStarts[chunk.Parts[0]], _segmentStarts[chunk.Parts[0] + 1]);

    // Sorts the points by chunk number, stably, and cuts them into one segment per chunk.
    private static CoordinatePlan Group(ChunkGrid grid, long[] numbers, int[] local)
    {
        var n = numbers.Length;
        var order = new long[n];
        var sorted = true;
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
            sorted &= i == 0 || numbers[i - 1] <= numbers[i];
        }

        int[] groupedLocal;
        if (sorted)
        {
            groupedLocal = local;
        }
        else
        {
            var keys = (long[])numbers.Clone();
            Array.Sort(keys, order);
            numbers = keys;
            var start = 0;
            for (var i = 1; i <= n; i++)
            {
                if (i == n || numbers[i] != numbers[start])
                {
                    if (i - start > 1)
                    {
                        Array.Sort(order, start, i - start);
                    }

                    start = i;
                }
            }

            groupedLocal = new int[n];
            for (var i = 0; i < n; i++)
            {
                groupedLocal[i] = local[order[i]];
            }
        }

        var chunkNumbers = new List<long>();
        var starts = new List<int>();
        for (var i = 0; i < n; i++)
        {
            if (i == 0 || numbers[i] != numbers[i - 1])
            {
                chunkNumbers.Add(numbers[i]);
                starts.Add(i);
            }
        }

        starts.Add(n);
        return new CoordinatePlan(grid, [.. chunkNumbers], [.. starts], groupedLocal, order);
    }

    private static long[] ElementStrides(ChunkGrid grid)
    {
        var rank = grid.Shape.Length;
        var strides = new long[rank];
        long s = 1;
        for (var d = rank - 1; d >= 0; d--)
        {
            strides[d] = s;
            s *= grid.ChunkShape[d];
        }

        return strides;
    }
}
