using System.Buffers;
using System.Diagnostics;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Zarr.Dataflow;

/// <summary>
/// Per-cell statistics of a reduction: the count, the integer (64-bit, wrapping as numpy) or floating (double) sum,
/// the mean and sum of squared deviations (M2), the minimum and maximum. A chunk's partial is computed in one pass
/// over the chunk, SIMD through <see cref="TensorPrimitives"/>; partials combine with Chan et al.'s exact formulas.
/// </summary>
internal sealed class CellStats<T> where T : unmanaged, INumber<T>
{
    private const int Block = 4096;

    // Integers summed exactly per chunk in ISum, then folded into FSum (see StatFlags.MeanSum).
    private readonly bool _foldIntegers;

    public CellStats(int cells, StatFlags flags)
    {
        Debug.Assert((flags & (StatFlags.Sum | StatFlags.MeanSum)) != (StatFlags.Sum | StatFlags.MeanSum), "Sum and MeanSum share ISum");
        Flags = flags;
        Count = new long[cells];
        if ((flags & StatFlags.MeanSum) != 0)
        {
            FSum = new double[cells];
            if (!NumericTraits<T>.IsFloat && Unsafe.SizeOf<T>() <= 4)
            {
                ISum = new long[cells];
                _foldIntegers = true;
            }
        }
        else if ((flags & StatFlags.Sum) != 0)
        {
            if (NumericTraits<T>.IsFloat)
            {
                FSum = new double[cells];
            }
            else
            {
                ISum = new long[cells];
            }
        }

        if ((flags & StatFlags.Moments) != 0)
        {
            Mean = new double[cells];
            M2 = new double[cells];
        }

        Min = (flags & StatFlags.Min) != 0 ? new T[cells] : null;
        Max = (flags & StatFlags.Max) != 0 ? new T[cells] : null;
        NaNs = (flags & StatFlags.NaNCount) != 0 && NumericTraits<T>.IsFloat ? new long[cells] : null;
    }

    public StatFlags Flags { get; }

    public long[] Count { get; }

    public double[]? FSum { get; }

    public long[]? ISum { get; }

    public double[]? Mean { get; }

    public double[]? M2 { get; }

    public T[]? Min { get; }

    public T[]? Max { get; }

    /// <summary>The NaNs seen per cell (floating-point types, when asked; they are also in <see cref="Count"/> unless skipped).</summary>
    public long[]? NaNs { get; }

    public int Cells => Count.Length;

    /// <summary>Adds a dense region of <paramref name="shape"/>; the cells are the region's kept axes in C order.</summary>
    public void Accumulate(ReadOnlySpan<T> data, ReadOnlySpan<int> shape, ReadOnlySpan<bool> reduced, bool skipNaN)
    {
        var rank = shape.Length;
        skipNaN &= NumericTraits<T>.IsFloat;
        if (data.IsEmpty)
        {
            return;
        }

        // A region without NaN reduces as the plain reduction does: the vectorised row path, the counts added once.
        if (skipNaN && !TensorPrimitives.IsNaNAny(data))
        {
            skipNaN = false;
        }

        // The trailing run of axes that are all reduced or all kept forms a "row".
        var trailingReduced = rank == 0 || reduced[rank - 1];
        var split = rank;
        long rowLength = 1;
        while (split > 0 && reduced[split - 1] == trailingReduced)
        {
            split--;
            rowLength *= shape[split];
        }

        var rows = data.Length / rowLength;

        // Rows of kept elements each give every cell of the row one element, so every cell of the region gets the same
        // count: it is added once at the end (Count does not change during the loop), and a row's running count is the
        // cell's count before this call plus the row's visit number (its position among the rows of the same cells:
        // the leading reduced axes' index).
        var rowsDeferCount = !trailingReduced && !skipNaN;
        Span<int> index = stackalloc int[Math.Max(split, 1)];
        index.Clear();
        var doubles = ArrayPool<double>.Shared.Rent(Block * 3);
        var longs = ArrayPool<long>.Shared.Rent(Block);
        var scratch = ArrayPool<T>.Shared.Rent(Block);
        try
        {
            for (long r = 0; r < rows; r++)
            {
                // The cell index of the leading kept axes, and the visit number of the leading reduced ones.
                long cell = 0;
                long visit = 0;
                for (var d = 0; d < split; d++)
                {
                    if (reduced[d])
                    {
                        visit = (visit * shape[d]) + index[d];
                    }
                    else
                    {
                        cell = (cell * shape[d]) + index[d];
                    }
                }

                var row = data.Slice((int)(r * rowLength), (int)rowLength);
                for (var offset = 0; offset < row.Length; offset += Block)
                {
                    var segment = row.Slice(offset, Math.Min(Block, row.Length - offset));
                    if (trailingReduced)
                    {
                        AddToCell((int)cell, segment, skipNaN, doubles, longs, scratch);
                    }
                    else if (skipNaN)
                    {
                        AddRowSkippingNaN((int)((cell * rowLength) + offset), segment);
                    }
                    else
                    {
                        var c0 = (int)((cell * rowLength) + offset);
                        AddRow(c0, segment, Count[c0] + visit + 1, doubles, longs);
                    }
                }

                for (var d = split - 1; d >= 0; d--)
                {
                    if (++index[d] < shape[d])
                    {
                        break;
                    }

                    index[d] = 0;
                }
            }

            if (rowsDeferCount)
            {
                TensorPrimitives.Add<long>(Count, data.Length / Count.Length, Count);
            }

            if (_foldIntegers)
            {
                for (var c = 0; c < ISum!.Length; c++)
                {
                    FSum![c] += ISum[c];
                }

                ISum.AsSpan().Clear();
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(doubles);
            ArrayPool<long>.Shared.Return(longs);
            ArrayPool<T>.Shared.Return(scratch);
        }
    }

    // A run of elements that all reduce into one cell: one SIMD pass, then Chan's combination into the cell.
    private void AddToCell(int c, ReadOnlySpan<T> segment, bool skipNaN, double[] doubles, long[] longs, T[] scratch)
    {
        if (skipNaN && TensorPrimitives.IsNaNAny(segment))
        {
            var m = NaNFilter.Numbers(segment, scratch);

            // The skipped NaNs are still seen: counted here, as they are not in the filtered run below.
            if (NaNs is not null)
            {
                NaNs[c] += segment.Length - m;
            }

            segment = scratch.AsSpan(0, m);
        }

        var n = segment.Length;
        if (n == 0)
        {
            return;
        }

        if (NaNs is not null && TensorPrimitives.IsNaNAny(segment))
        {
            NaNs[c] += CountNaN(segment);
        }

        var x = doubles.AsSpan(0, n);
        if (ISum is not null)
        {
            ISum[c] = unchecked(ISum[c] + WideningSum.Sum(segment, longs));
        }

        var doubleSum = FSum is not null && !_foldIntegers;
        if (doubleSum || Mean is not null)
        {
            TensorPrimitives.ConvertTruncating<T, double>(segment, x);
            var sum = TensorPrimitives.Sum<double>(x);
            if (doubleSum)
            {
                FSum![c] += sum;
            }

            if (Mean is not null)
            {
                var mean = sum / n;
                var deviations = doubles.AsSpan(Block, n);
                TensorPrimitives.Subtract(x, mean, deviations);
                var m2 = TensorPrimitives.SumOfSquares<double>(deviations);
                Moments.Combine(ref Count[c], ref Mean[c], ref M2![c], n, mean, m2, updateCount: false);
            }
        }

        if (Min is not null)
        {
            var v = skipNaN ? TensorPrimitives.MinNumber(segment) : TensorPrimitives.Min(segment);
            Min[c] = Count[c] == 0 ? v : skipNaN ? T.MinNumber(Min[c], v) : MinPropagating(Min[c], v);
        }

        if (Max is not null)
        {
            var v = skipNaN ? TensorPrimitives.MaxNumber(segment) : TensorPrimitives.Max(segment);
            Max[c] = Count[c] == 0 ? v : skipNaN ? T.MaxNumber(Max[c], v) : MaxPropagating(Max[c], v);
        }

        Count[c] += n;
    }

    // A run of elements each into its own cell (c0, c0 + 1, ...): every cell of the run has the same count, n once
    // this row is in (the caller adds the counts).
    private void AddRow(int c0, ReadOnlySpan<T> segment, long n, double[] doubles, long[] longs)
    {
        var len = segment.Length;
        if (NaNs is not null && TensorPrimitives.IsNaNAny(segment))
        {
            for (var i = 0; i < len; i++)
            {
                NaNs[c0 + i] += T.IsNaN(segment[i]) ? 1 : 0;
            }
        }
        if (ISum is not null)
        {
            WideningSum.AddTo(segment, ISum.AsSpan(c0, len), longs);
        }

        var doubleSum = FSum is not null && !_foldIntegers;
        if (doubleSum || Mean is not null)
        {
            var x = doubles.AsSpan(0, len);
            TensorPrimitives.ConvertTruncating<T, double>(segment, x);
            if (doubleSum)
            {
                var s = FSum.AsSpan(c0, len);
                TensorPrimitives.Add<double>(s, x, s);
            }

            if (Mean is not null)
            {
                // Welford, vectorised across cells: delta = x - mean; mean += delta / n; M2 += delta * (x - mean).
                var mean = Mean.AsSpan(c0, len);
                var m2 = M2.AsSpan(c0, len);
                var delta = doubles.AsSpan(Block, len);
                var step = doubles.AsSpan(2 * Block, len);
                TensorPrimitives.Subtract<double>(x, mean, delta);
                TensorPrimitives.Divide(delta, (double)n, step);
                TensorPrimitives.Add<double>(mean, step, mean);
                TensorPrimitives.Subtract<double>(x, mean, x);
                TensorPrimitives.MultiplyAdd<double>(delta, x, m2, m2);
            }
        }

        if (Min is not null)
        {
            var s = Min.AsSpan(c0, len);
            if (n == 1)
            {
                segment.CopyTo(s);
            }
            else
            {
                TensorPrimitives.Min(s, segment, s);
            }
        }

        if (Max is not null)
        {
            var s = Max.AsSpan(c0, len);
            if (n == 1)
            {
                segment.CopyTo(s);
            }
            else
            {
                TensorPrimitives.Max(s, segment, s);
            }
        }
    }

    // The NaN-skipping row: counts differ per cell, so this one is scalar.
    private void AddRowSkippingNaN(int c0, ReadOnlySpan<T> segment)
    {
        for (var i = 0; i < segment.Length; i++)
        {
            var v = segment[i];
            if (T.IsNaN(v))
            {
                if (NaNs is not null)
                {
                    NaNs[c0 + i]++;
                }

                continue;
            }

            var c = c0 + i;
            var n = ++Count[c];
            var d = double.CreateTruncating(v);
            if (FSum is not null)
            {
                FSum[c] += d;
            }

            if (Mean is not null)
            {
                var delta = d - Mean[c];
                Mean[c] += delta / n;
                M2![c] += delta * (d - Mean[c]);
            }

            if (Min is not null)
            {
                Min[c] = n == 1 ? v : T.MinNumber(Min[c], v);
            }

            if (Max is not null)
            {
                Max[c] = n == 1 ? v : T.MaxNumber(Max[c], v);
            }
        }
    }

    /// <summary>Combines <paramref name="other"/> (same cells) into this.</summary>
    public CellStats<T> Combine(CellStats<T> other)
    {
        for (var c = 0; c < Count.Length; c++)
        {
            // Skipped NaNs are seen even where nothing was counted (a run of NaN only).
            if (NaNs is not null)
            {
                NaNs[c] += other.NaNs![c];
            }

            var nb = other.Count[c];
            if (nb == 0)
            {
                continue;
            }

            var na = Count[c];
            if (Min is not null)
            {
                Min[c] = na == 0 ? other.Min![c] : MinOf(Min[c], other.Min![c]);
            }

            if (Max is not null)
            {
                Max[c] = na == 0 ? other.Max![c] : MaxOf(Max[c], other.Max![c]);
            }

            if (ISum is not null)
            {
                ISum[c] = unchecked(ISum[c] + other.ISum![c]);
            }

            if (FSum is not null)
            {
                FSum[c] += other.FSum![c];
            }

            if (Mean is not null)
            {
                Moments.Combine(ref Count[c], ref Mean[c], ref M2![c], nb, other.Mean![c], other.M2![c], updateCount: false);
            }

            Count[c] = na + nb;
        }

        return this;
    }

    private static long CountNaN(ReadOnlySpan<T> segment)
    {
        long count = 0;
        foreach (var v in segment)
        {
            count += T.IsNaN(v) ? 1 : 0;
        }

        return count;
    }

    // NaN-skipping partials never hold NaN unless the cell is all NaN (count 0), so the propagating form serves both.
    private static T MinOf(T a, T b) => MinPropagating(a, b);

    private static T MaxOf(T a, T b) => MaxPropagating(a, b);

    private static T MinPropagating(T a, T b) => T.IsNaN(a) || T.IsNaN(b) ? (T.IsNaN(a) ? a : b) : T.Min(a, b);

    private static T MaxPropagating(T a, T b) => T.IsNaN(a) || T.IsNaN(b) ? (T.IsNaN(a) ? a : b) : T.Max(a, b);
}
