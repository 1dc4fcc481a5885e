using System.Numerics;
using System.Numerics.Tensors;
using Zarr.Dataflow.Blocks;

namespace Zarr.Dataflow;

/// <summary>Complex sums (and means, dividing by the count), per cell, in double precision.</summary>
internal sealed class ComplexSumKernel(bool mean, long count) : ReductionKernel<Complex, Complex[], Complex>
{
    public static LazyReduction<Complex> Create(LazyArray<Complex> array, int[]? axes, bool mean)
    {
        var plan = new AxisPlan(array.Node.Shape, array.Node.Chunks, axes);
        return Reductions.Create(array, plan, new ComplexSumKernel(mean, plan.ReducedCount));
    }

    public override Complex[] Partial(ReadOnlySpan<Complex> data, ChunkRegion region, AxisPlan plan)
    {
        var sums = new Complex[plan.CellsOf(region)];
        CellWalk.Walk(data, region.Shape, plan.Reduced, (cell, segment, oneCell) =>
        {
            if (oneCell)
            {
                sums[cell] += TensorPrimitives.Sum(segment);
            }
            else
            {
                var s = sums.AsSpan(cell, segment.Length);
                TensorPrimitives.Add(s, segment, s);
            }
        });
        return sums;
    }

    public override Complex[] Combine(Complex[] a, Complex[] b)
    {
        TensorPrimitives.Add<Complex>(a, b, a);
        return a;
    }

    public override Complex[] Empty(int cells) => new Complex[cells];

    public override void Finish(Complex[] partial, Span<Complex> output)
    {
        for (var c = 0; c < output.Length; c++)
        {
            output[c] = mean ? (count == 0 ? new Complex(double.NaN, double.NaN) : partial[c] / count) : partial[c];
        }
    }
}

/// <summary>Per-cell count, complex mean and the sum of squared distances from it (|x − mean|², real), as numpy's complex var.</summary>
internal sealed class ComplexMoments(int cells)
{
    public long[] Count { get; } = new long[cells];

    public Complex[] Mean { get; } = new Complex[cells];

    public double[] M2 { get; } = new double[cells];

    /// <summary>Chan et al.'s update with a part of <paramref name="n"/> elements, mean <paramref name="mean"/> and M2 <paramref name="m2"/>.</summary>
    public void Add(int c, long n, Complex mean, double m2)
    {
        if (n == 0)
        {
            return;
        }

        var na = Count[c];
        if (na == 0)
        {
            (Count[c], Mean[c], M2[c]) = (n, mean, m2);
            return;
        }

        var total = (double)(na + n);
        var delta = mean - Mean[c];
        Mean[c] += delta * (n / total);
        M2[c] += m2 + ((delta.Real * delta.Real) + (delta.Imaginary * delta.Imaginary)) * (na * (double)n / total);
        Count[c] = na + n;
    }
}

/// <summary>Variances and standard deviations of complex values (real results: the mean of |x − mean|², as numpy).</summary>
internal sealed class ComplexMomentKernel(int ddof, bool sqrt) : ReductionKernel<Complex, ComplexMoments, double>
{
    public override ComplexMoments Partial(ReadOnlySpan<Complex> data, ChunkRegion region, AxisPlan plan)
    {
        var moments = new ComplexMoments(plan.CellsOf(region));
        CellWalk.Walk(data, region.Shape, plan.Reduced, (cell, segment, oneCell) =>
        {
            if (oneCell)
            {
                var mean = TensorPrimitives.Sum(segment) / segment.Length;
                double m2 = 0;
                foreach (var x in segment)
                {
                    var d = x - mean;
                    m2 += (d.Real * d.Real) + (d.Imaginary * d.Imaginary);
                }

                moments.Add(cell, segment.Length, mean, m2);
            }
            else
            {
                for (var i = 0; i < segment.Length; i++)
                {
                    moments.Add(cell + i, 1, segment[i], 0);
                }
            }
        });
        return moments;
    }

    public override ComplexMoments Combine(ComplexMoments a, ComplexMoments b)
    {
        for (var c = 0; c < a.Count.Length; c++)
        {
            a.Add(c, b.Count[c], b.Mean[c], b.M2[c]);
        }

        return a;
    }

    public override ComplexMoments Empty(int cells) => new(cells);

    public override void Finish(ComplexMoments partial, Span<double> output)
    {
        for (var c = 0; c < output.Length; c++)
        {
            output[c] = Moments.Variance(partial.Count[c], partial.M2[c], ddof, sqrt);
        }
    }
}

/// <summary>The extreme value seen per cell, if any.</summary>
internal sealed class ComplexExtremes(int cells)
{
    public Complex[] Value { get; } = new Complex[cells];

    public bool[] Seen { get; } = new bool[cells];
}

/// <summary>
/// Minima or maxima of complex values in numpy's order: by real part, then by imaginary part; a value with a NaN part
/// wins (numpy propagates NaN), the first such one.
/// </summary>
internal sealed class ComplexExtremaKernel(bool min) : ReductionKernel<Complex, ComplexExtremes, Complex>
{
    public override ComplexExtremes Partial(ReadOnlySpan<Complex> data, ChunkRegion region, AxisPlan plan)
    {
        var partial = new ComplexExtremes(plan.CellsOf(region));
        CellWalk.Walk(data, region.Shape, plan.Reduced, (cell, segment, oneCell) =>
        {
            for (var i = 0; i < segment.Length; i++)
            {
                Offer(partial, oneCell ? cell : cell + i, segment[i]);
            }
        });
        return partial;
    }

    public override ComplexExtremes Combine(ComplexExtremes a, ComplexExtremes b)
    {
        for (var c = 0; c < a.Value.Length; c++)
        {
            if (b.Seen[c])
            {
                Offer(a, c, b.Value[c]);
            }
        }

        return a;
    }

    public override ComplexExtremes Empty(int cells) => new(cells);

    public override void Finish(ComplexExtremes partial, Span<Complex> output)
    {
        for (var c = 0; c < output.Length; c++)
        {
            output[c] = partial.Seen[c] ? partial.Value[c] : new Complex(double.NaN, double.NaN);
        }
    }

    private static bool IsNaN(Complex v) => double.IsNaN(v.Real) || double.IsNaN(v.Imaginary);

    private void Offer(ComplexExtremes partial, int c, Complex v)
    {
        if (!partial.Seen[c])
        {
            (partial.Value[c], partial.Seen[c]) = (v, true);
            return;
        }

        var current = partial.Value[c];
        if (IsNaN(current))
        {
            return;
        }

        if (IsNaN(v))
        {
            partial.Value[c] = v;
            return;
        }

        var less = v.Real < current.Real || (v.Real == current.Real && v.Imaginary < current.Imaginary);
        var greater = v.Real > current.Real || (v.Real == current.Real && v.Imaginary > current.Imaginary);
        if (min ? less : greater)
        {
            partial.Value[c] = v;
        }
    }
}
