using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Zarr.Dataflow.Blocks;

namespace Zarr.Dataflow;

/// <summary>The statistics kernels: one <see cref="CellStats{T}"/> pass per chunk, Chan's combination, a finishing step per statistic.</summary>
internal abstract class StatsKernel<T, TOut>(StatFlags flags, bool skipNaN) : ReductionKernel<T, CellStats<T>, TOut>
    where T : unmanaged, INumber<T>
    where TOut : unmanaged
{
    public override CellStats<T> Partial(ReadOnlySpan<T> data, ChunkRegion region, AxisPlan plan)
    {
        var partial = new CellStats<T>(plan.CellsOf(region), flags);
        partial.Accumulate(data, region.Shape, plan.Reduced, skipNaN);
        return partial;
    }

    public override CellStats<T> Combine(CellStats<T> a, CellStats<T> b) => a.Combine(b);

    public override CellStats<T> Empty(int cells) => new(cells, flags);
}

/// <summary>Sums in double (integers summed exactly in 64 bits first).</summary>
internal sealed class SumKernel<T>(bool skipNaN) : StatsKernel<T, double>(StatFlags.Sum, skipNaN) where T : unmanaged, INumber<T>
{
    public override void Finish(CellStats<T> partial, Span<double> output)
    {
        if (partial.FSum is not null)
        {
            partial.FSum.CopyTo(output);
            return;
        }

        for (var c = 0; c < output.Length; c++)
        {
            output[c] = NumericTraits<T>.IsSigned ? partial.ISum![c] : (ulong)partial.ISum![c];
        }
    }
}

/// <summary>Integer sums in 64 bits, wrapping as numpy (the unsigned ones reinterpreted by the caller).</summary>
internal sealed class IntegerSumKernel<T>() : StatsKernel<T, long>(StatFlags.Sum, false) where T : unmanaged, INumber<T>
{
    public override void Finish(CellStats<T> partial, Span<long> output) => partial.ISum.AsSpan().CopyTo(output);
}

/// <summary>Means as numpy computes them: the sum in double over the count (NaN for an empty cell).</summary>
internal sealed class MeanKernel<T>(bool skipNaN) : StatsKernel<T, double>(StatFlags.MeanSum, skipNaN) where T : unmanaged, INumber<T>
{
    public override void Finish(CellStats<T> partial, Span<double> output)
    {
        for (var c = 0; c < output.Length; c++)
        {
            var n = partial.Count[c];
            output[c] = n == 0 ? double.NaN : partial.FSum![c] / n;
        }
    }
}

/// <summary>Variances and standard deviations.</summary>
internal sealed class MomentKernel<T>(bool skipNaN, int ddof, bool sqrt) : StatsKernel<T, double>(StatFlags.Moments, skipNaN) where T : unmanaged, INumber<T>
{
    public override void Finish(CellStats<T> partial, Span<double> output)
    {
        for (var c = 0; c < output.Length; c++)
        {
            output[c] = Moments.Variance(partial.Count[c], partial.M2![c], ddof, sqrt);
        }
    }
}

/// <summary>Minima or maxima (NaN for a cell that saw only NaN while skipping them, as numpy's nanmin).</summary>
internal sealed class ExtremaKernel<T>(bool min, bool skipNaN) : StatsKernel<T, T>(min ? StatFlags.Min : StatFlags.Max, skipNaN) where T : unmanaged, INumber<T>
{
    public override void Finish(CellStats<T> partial, Span<T> output)
    {
        var values = min ? partial.Min! : partial.Max!;
        var nan = NumericTraits<T>.IsFloat ? T.CreateTruncating(double.NaN) : T.Zero;
        for (var c = 0; c < output.Length; c++)
        {
            output[c] = partial.Count[c] == 0 ? nan : values[c];
        }
    }
}

/// <summary>The number of non-NaN elements.</summary>
internal sealed class CountKernel<T>() : StatsKernel<T, long>(StatFlags.None, true) where T : unmanaged, INumber<T>
{
    public override void Finish(CellStats<T> partial, Span<long> output) => partial.Count.CopyTo(output);
}

/// <summary>The number of true elements of a mask: the sum of its bytes (0 or 1), one SIMD pass per chunk.</summary>
internal sealed class CountTrueKernel : ReductionKernel<bool, long, long>
{
    public override long Partial(ReadOnlySpan<bool> data, ChunkRegion region, AxisPlan plan)
    {
        var bytes = MemoryMarshal.AsBytes(data);
        return bytes.Length - bytes.Count((byte)0);
    }

    public override long Combine(long a, long b) => a + b;

    public override long Empty(int cells) => 0;

    public override void Finish(long partial, Span<long> output) => output[0] = partial;
}

/// <summary>Per cell: the best value so far, its index, and whether there is one.</summary>
internal sealed class ArgPartial<T>(int cells)
{
    public T[] Value { get; } = new T[cells];

    public long[] Index { get; } = new long[cells];

    public bool[] Valid { get; } = new bool[cells];
}

/// <summary>
/// argmin/argmax: over every axis the flat (C order) index, along one axis the index along it. Without NaN skipping
/// the first NaN wins (numpy); with it NaN is ignored and a cell with nothing but NaN raises (numpy's
/// "All-NaN slice encountered"). Ties go to the lowest index.
/// </summary>
internal sealed class ArgKernel<T>(bool min, bool skipNaN, int axis, long[] shape) : ReductionKernel<T, ArgPartial<T>, long> where T : unmanaged, INumber<T>
{
    private readonly bool _skipNaN = skipNaN && NumericTraits<T>.IsFloat;

    public override ArgPartial<T> Partial(ReadOnlySpan<T> data, ChunkRegion region, AxisPlan plan)
    {
        if (axis < 0)
        {
            var flat = new ArgPartial<T>(1);
            var local = IndexOfBest(data);
            if (local >= 0)
            {
                flat.Value[0] = data[local];
                flat.Index[0] = GlobalIndex(region, local, shape);
                flat.Valid[0] = true;
            }

            return flat;
        }

        // The region as outer × length × inner, the axis in the middle; cells are outer × inner.
        var rank = region.Rank;
        var outer = 1;
        var inner = 1;
        for (var d = 0; d < axis; d++)
        {
            outer *= region.Shape[d];
        }

        for (var d = axis + 1; d < rank; d++)
        {
            inner *= region.Shape[d];
        }

        var length = region.Shape[axis];
        var start = region.Start[axis];
        var partial = new ArgPartial<T>(outer * inner);
        if (inner == 1)
        {
            for (var o = 0; o < outer; o++)
            {
                var local = IndexOfBest(data.Slice(o * length, length));
                if (local >= 0)
                {
                    partial.Value[o] = data[(o * length) + local];
                    partial.Index[o] = start + local;
                    partial.Valid[o] = true;
                }
            }

            return partial;
        }

        for (var o = 0; o < outer; o++)
        {
            var values = partial.Value.AsSpan(o * inner, inner);
            var index = partial.Index.AsSpan(o * inner, inner);
            var valid = partial.Valid.AsSpan(o * inner, inner);
            for (var j = 0; j < length; j++)
            {
                var row = data.Slice(((o * length) + j) * inner, inner);
                for (var k = 0; k < inner; k++)
                {
                    var v = row[k];
                    if (_skipNaN && T.IsNaN(v))
                    {
                        continue;
                    }

                    if (!valid[k] || Better(v, values[k]))
                    {
                        values[k] = v;
                        index[k] = start + j;
                        valid[k] = true;
                    }
                }
            }
        }

        return partial;
    }

    public override ArgPartial<T> Combine(ArgPartial<T> a, ArgPartial<T> b)
    {
        for (var c = 0; c < a.Index.Length; c++)
        {
            if (!b.Valid[c])
            {
                continue;
            }

            if (!a.Valid[c] || Better(b.Value[c], a.Value[c]) || (!Better(a.Value[c], b.Value[c]) && b.Index[c] < a.Index[c]))
            {
                a.Value[c] = b.Value[c];
                a.Index[c] = b.Index[c];
                a.Valid[c] = true;
            }
        }

        return a;
    }

    public override ArgPartial<T> Empty(int cells) => new(cells);

    public override void Finish(ArgPartial<T> partial, Span<long> output)
    {
        for (var c = 0; c < output.Length; c++)
        {
            if (!partial.Valid[c])
            {
                throw new InvalidOperationException($"All-NaN slice encountered: nanarg{(min ? "min" : "max")} has no answer where every element is NaN");
            }

            output[c] = partial.Index[c];
        }
    }

    // Strictly better: NaN beats any number unless skipping; a number beats NaN never.
    private bool Better(T candidate, T best)
    {
        if (!_skipNaN)
        {
            if (T.IsNaN(best))
            {
                return false;
            }

            if (T.IsNaN(candidate))
            {
                return true;
            }
        }

        return min ? candidate < best : candidate > best;
    }

    // The first best element of a run; -1 when it has none (empty, or all NaN while skipping).
    private int IndexOfBest(ReadOnlySpan<T> values)
    {
        if (values.IsEmpty)
        {
            return -1;
        }

        if (!_skipNaN || !TensorPrimitives.IsNaNAny(values))
        {
            // SIMD; the first NaN wins, ties go to the first.
            return min ? TensorPrimitives.IndexOfMin(values) : TensorPrimitives.IndexOfMax(values);
        }

        var best = -1;
        for (var i = 0; i < values.Length; i++)
        {
            if (!T.IsNaN(values[i]) && (best < 0 || Better(values[i], values[best])))
            {
                best = i;
            }
        }

        return best;
    }

    private static long GlobalIndex(ChunkRegion region, int local, long[] shape)
    {
        var rank = shape.Length;
        Span<long> index = stackalloc long[Math.Max(rank, 1)];
        long rest = local;
        for (var d = rank - 1; d >= 0; d--)
        {
            var len = region.Shape[d];
            index[d] = region.Start[d] + (rest % len);
            rest /= len;
        }

        long flat = 0;
        for (var d = 0; d < rank; d++)
        {
            flat = (flat * shape[d]) + index[d];
        }

        return flat;
    }
}

/// <summary>
/// numpy's <c>histogram(x, bins=edges)</c> per cell: bins [e₀, e₁), …, [eₙ₋₁, eₙ] (the last includes its right edge);
/// values outside the edges and NaN are not counted. Elements are converted to double a block at a time (SIMD) and
/// binned by a direct guess for even edges, corrected by at most a step or two.
/// </summary>
internal sealed class HistogramKernel<T>(double[] edges) : ReductionKernel<T, long[], long> where T : unmanaged, INumber<T>
{
    private const int Block = 4096;

    private readonly int _bins = edges.Length - 1;

    public override int Extra => _bins;

    public override bool Binned => true;

    public override long[] Partial(ReadOnlySpan<T> data, ChunkRegion region, AxisPlan plan)
    {
        var counts = new long[plan.CellsOf(region) * _bins];
        var doubles = ArrayPool<double>.Shared.Rent(Block);
        try
        {
            CellWalk.Walk(data, region.Shape, plan.Reduced, (cell, segment, oneCell) =>
            {
                for (var offset = 0; offset < segment.Length; offset += Block)
                {
                    var n = Math.Min(Block, segment.Length - offset);
                    var x = doubles.AsSpan(0, n);
                    TensorPrimitives.ConvertTruncating<T, double>(segment.Slice(offset, n), x);
                    for (var i = 0; i < n; i++)
                    {
                        var bin = BinOf(x[i]);
                        if (bin >= 0)
                        {
                            counts[((oneCell ? cell : cell + offset + i) * _bins) + bin]++;
                        }
                    }
                }
            });
        }
        finally
        {
            ArrayPool<double>.Shared.Return(doubles);
        }

        return counts;
    }

    public override long[] Combine(long[] a, long[] b)
    {
        TensorPrimitives.Add<long>(a, b, a);
        return a;
    }

    public override long[] Empty(int cells) => new long[cells * _bins];

    public override void Finish(long[] partial, Span<long> output) => partial.CopyTo(output);

    private int BinOf(double v)
    {
        double first = edges[0], last = edges[^1];
        if (!(v >= first && v <= last))
        {
            return -1; // outside, or NaN
        }

        var i = Math.Clamp((int)((v - first) * (_bins / (last - first))), 0, _bins - 1);
        while (i > 0 && v < edges[i])
        {
            i--;
        }

        while (i < _bins - 1 && v >= edges[i + 1])
        {
            i++;
        }

        return i;
    }
}

/// <summary>A row visitor: <paramref name="cell"/> is the cell every element of <paramref name="segment"/> reduces into when <paramref name="oneCell"/>, else the cell of its first element (the others follow).</summary>
internal delegate void RowVisitor<T>(int cell, ReadOnlySpan<T> segment, bool oneCell);

/// <summary>Walks a dense region row by row, mapping rows to the cells (kept-axes elements, C order) they reduce into.</summary>
internal static class CellWalk
{
    public static void Walk<T>(ReadOnlySpan<T> data, ReadOnlySpan<int> shape, ReadOnlySpan<bool> reduced, RowVisitor<T> visit)
    {
        var rank = shape.Length;
        if (data.IsEmpty)
        {
            return;
        }

        // The trailing run of axes that are all reduced or all kept forms a row.
        var trailingReduced = rank == 0 || reduced[rank - 1];
        var split = rank;
        var rowLength = 1;
        while (split > 0 && reduced[split - 1] == trailingReduced)
        {
            split--;
            rowLength *= shape[split];
        }

        var rows = data.Length / rowLength;
        Span<int> index = stackalloc int[Math.Max(split, 1)];
        index.Clear();
        for (var r = 0; r < rows; r++)
        {
            var cell = 0;
            for (var d = 0; d < split; d++)
            {
                if (!reduced[d])
                {
                    cell = (cell * shape[d]) + index[d];
                }
            }

            visit(trailingReduced ? cell : cell * rowLength, data.Slice(r * rowLength, rowLength), trailingReduced);
            for (var d = split - 1; d >= 0; d--)
            {
                if (++index[d] < shape[d])
                {
                    break;
                }

                index[d] = 0;
            }
        }
    }
}
