using System.Collections.Immutable;
using System.Numerics;
using Zarr.Storage.Internal;

namespace Zarr.Dataflow;

/// <summary>
/// Summary statistics of a lazy array over some axes, computed in one pass (<see cref="LazyArrayReductions"/>'s
/// <c>StatisticsAsync</c>), with numpy's semantics of the plain reductions: NaN propagates through the sum, mean,
/// variance, minimum and maximum of a cell that holds one; <see cref="Count"/> counts every element and
/// <see cref="NaNCount"/> the NaNs. Computed skipping NaN (<see cref="SkipNaN"/>, numpy's <c>nansum</c>, <c>nanmean</c>,
/// ...), the NaNs are left out: <see cref="Count"/> counts the elements that went into the statistics and
/// <see cref="NaNCount"/> the NaNs seen. Every statistic is an array over the cells of the kept axes in C order (one cell
/// when every axis is reduced), of shape <see cref="Shape"/>.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
public sealed class ArrayStatistics<T> where T : unmanaged, INumber<T>
{
    internal ArrayStatistics(long[] shape, int ddof, bool skipNaN, long[] count, long[] nanCount, double[] sum, long[]? sumInt64, ulong[]? sumUInt64, double[] mean, double[] m2, T[] min, T[] max)
    {
        Shape = ImmutableArrays.Own(shape);
        Ddof = ddof;
        SkipNaN = skipNaN;
        Count = ImmutableArrays.Own(count);
        NaNCount = ImmutableArrays.Own(nanCount);
        Sum = ImmutableArrays.Own(sum);
        SumInt64 = sumInt64 is null ? null : ImmutableArrays.Own(sumInt64);
        SumUInt64 = sumUInt64 is null ? null : ImmutableArrays.Own(sumUInt64);
        Mean = ImmutableArrays.Own(mean);
        M2 = ImmutableArrays.Own(m2);
        Min = ImmutableArrays.Own(min);
        Max = ImmutableArrays.Own(max);
        var variance = new double[count.Length];
        var standardDeviation = new double[count.Length];
        for (var c = 0; c < count.Length; c++)
        {
            variance[c] = Moments.Variance(count[c], m2[c], ddof, sqrt: false);
            standardDeviation[c] = Math.Sqrt(variance[c]);
        }

        Variance = ImmutableArrays.Own(variance);
        StandardDeviation = ImmutableArrays.Own(standardDeviation);
    }

    /// <summary>The shape of the kept axes (<c>[]</c> when every axis is reduced).</summary>
    public ImmutableArray<long> Shape { get; }

    /// <summary>The delta degrees of freedom of <see cref="Variance"/>: it is <see cref="M2"/> / (n − ddof).</summary>
    public int Ddof { get; }

    /// <summary>Whether the NaNs were left out of the statistics (numpy's <c>nan*</c> functions) rather than propagated.</summary>
    public bool SkipNaN { get; }

    /// <summary>The number of elements per cell that went into the statistics: every element, or, when <see cref="SkipNaN"/>, those that are not NaN.</summary>
    public ImmutableArray<long> Count { get; }

    /// <summary>The number of NaN elements seen per cell, skipped or not (0 for integer types).</summary>
    public ImmutableArray<long> NaNCount { get; }

    /// <summary>The sums in double (for integer types, the exact 64-bit sums converted).</summary>
    public ImmutableArray<double> Sum { get; }

    /// <summary>The exact sums of a signed integer array in 64 bits, wrapping as numpy; null for other types.</summary>
    public ImmutableArray<long>? SumInt64 { get; }

    /// <summary>The exact sums of an unsigned integer array in 64 bits, wrapping as numpy; null for other types.</summary>
    public ImmutableArray<ulong>? SumUInt64 { get; }

    /// <summary>The means in double (NaN for an empty cell).</summary>
    public ImmutableArray<double> Mean { get; }

    /// <summary>The sums of squared deviations from the mean.</summary>
    public ImmutableArray<double> M2 { get; }

    /// <summary>The variances, M2 / (n − ddof) (NaN when n ≤ ddof).</summary>
    public ImmutableArray<double> Variance { get; }

    /// <summary>The standard deviations (√ of the variances).</summary>
    public ImmutableArray<double> StandardDeviation { get; }

    /// <summary>The minima (NaN where only skipped NaNs were seen, as numpy's nanmin; otherwise meaningless where <see cref="Count"/> is 0: numpy raises there).</summary>
    public ImmutableArray<T> Min { get; }

    /// <summary>The maxima (NaN where only skipped NaNs were seen, as numpy's nanmax; otherwise meaningless where <see cref="Count"/> is 0: numpy raises there).</summary>
    public ImmutableArray<T> Max { get; }

    /// <summary>
    /// The statistics of the reduced cells (one per position of <paramref name="shape"/>), as the local engine and the
    /// cluster's tasks both end with: the same cells give the same object.
    /// </summary>
    internal static ArrayStatistics<T> FromCells(StatisticsCell<T>[] cells, long[] shape, int ddof, bool skipNaN)
    {
        var n = cells.Length;
        var count = new long[n];
        var nanCount = new long[n];
        var sum = new double[n];
        var mean = new double[n];
        var m2 = new double[n];
        var min = new T[n];
        var max = new T[n];
        var integer = !NumericTraits<T>.IsFloat;
        var sumInt64 = integer && NumericTraits<T>.IsSigned ? new long[n] : null;
        var sumUInt64 = integer && !NumericTraits<T>.IsSigned ? new ulong[n] : null;
        for (var c = 0; c < n; c++)
        {
            ref readonly var cell = ref cells[c];
            count[c] = cell.Count;
            nanCount[c] = cell.NaNCount;
            sum[c] = cell.Sum;
            mean[c] = cell.Mean;
            m2[c] = cell.M2;
            // A cell that saw only skipped NaNs has no extreme: NaN, as numpy's nanmin and nanmax give.
            var onlyNaN = cell.Count == 0 && cell.NaNCount > 0;
            min[c] = onlyNaN ? T.CreateTruncating(double.NaN) : cell.Min;
            max[c] = onlyNaN ? T.CreateTruncating(double.NaN) : cell.Max;
            if (sumInt64 is not null)
            {
                sumInt64[c] = cell.IntegerSum;
            }

            if (sumUInt64 is not null)
            {
                sumUInt64[c] = unchecked((ulong)cell.IntegerSum);
            }
        }

        return new ArrayStatistics<T>(shape, ddof, skipNaN, count, nanCount, sum, sumInt64, sumUInt64, mean, m2, min, max);
    }
}

/// <summary>One cell of a one-pass statistics reduction.</summary>
internal struct StatisticsCell<T> where T : unmanaged
{
    public long Count;
    public long NaNCount;
    public long IntegerSum;
    public double Sum;
    public double Mean;
    public double M2;
    public T Min;
    public T Max;
}

/// <summary>
/// count, NaN count, sum, mean, M2, min and max in one <see cref="CellStats{T}"/> pass per chunk, tree-combined with
/// Chan's formulas; with <paramref name="skipNaN"/> the NaNs are counted but left out of every other statistic.
/// </summary>
internal sealed class StatisticsKernel<T>(bool skipNaN) : StatsKernel<T, StatisticsCell<T>>(StatFlags.Sum | StatFlags.Moments | StatFlags.Min | StatFlags.Max | StatFlags.NaNCount, skipNaN)
    where T : unmanaged, INumber<T>
{
    public override void Finish(CellStats<T> partial, Span<StatisticsCell<T>> output)
    {
        for (var c = 0; c < output.Length; c++)
        {
            var n = partial.Count[c];
            long isum = partial.ISum?[c] ?? 0;
            output[c] = new StatisticsCell<T>
            {
                Count = n,
                NaNCount = partial.NaNs?[c] ?? 0,
                IntegerSum = isum,
                Sum = partial.FSum?[c] ?? (NumericTraits<T>.IsSigned ? isum : (double)(ulong)isum),
                Mean = n == 0 ? double.NaN : partial.Mean![c],
                M2 = n == 0 ? double.NaN : partial.M2![c],
                Min = partial.Min![c],
                Max = partial.Max![c],
            };
        }
    }

}
