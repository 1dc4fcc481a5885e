using SimdVector = System.Numerics.Vector;
using SimdDoubles = System.Numerics.Vector<double>;
using MathNet.Numerics.LinearAlgebra;

namespace Zarr.Dataflow;

/// <summary>
/// A least-squares polynomial per lane, as numpy's <c>polyfit(x, y, degree)</c> over the lane's non-NaN points:
/// coefficients highest degree first. A lane without NaN uses the pseudo-inverse computed once (QR, MathNet); a lane
/// with NaN solves its own points (closed form for degree 1, MathNet QR above). Fewer points than coefficients: NaN.
/// The fit runs on x centred and scaled to [-1, 1] (as numpy scales its Vandermonde columns), then the coefficients are
/// expanded back to powers of x, so abscissae far from 0 (times in nanoseconds since 1970, as xarray fits over a time
/// coordinate) keep their precision.
/// </summary>
internal sealed class PolyfitKernel : LaneKernel
{
    private readonly int _degree;
    private readonly double[] _x; // centred and scaled: (x − shift) / scale
    private readonly double _shift;
    private readonly double _scale;
    private readonly double[,] _pseudoInverse; // (degree + 1) × n: coefficients = P · y for a lane without NaN
    private readonly double[,] _expansion; // (degree + 1)²: coefficient j of x = Σ_k E[j, k] · coefficient k of t, highest first

    public PolyfitKernel(int degree, double[] x)
    {
        _degree = degree;
        _shift = x.Length == 0 ? 0 : x.Average();
        var spread = x.Length == 0 ? 0 : x.Max(v => Math.Abs(v - _shift));
        _scale = spread > 0 && double.IsFinite(spread) ? spread : 1;
        _x = [.. x.Select(v => (v - _shift) / _scale)];
        _pseudoInverse = x.Length > degree ? PseudoInverse(_x, degree) : new double[degree + 1, x.Length];
        _expansion = Expansion(degree, _shift, _scale);
    }

    public override int OutputLength => _degree + 1;

    public override int ScratchLength(int n) => 2 * n;

    public override void Apply(ReadOnlySpan<double> lane, Span<double> output, Span<double> scratch)
    {
        var n = lane.Length;
        var valid = 0;
        var xs = scratch[..n];
        var ys = scratch[n..(2 * n)];
        for (var i = 0; i < n; i++)
        {
            if (!double.IsNaN(lane[i]))
            {
                xs[valid] = _x[i];
                ys[valid] = lane[i];
                valid++;
            }
        }

        if (valid <= _degree)
        {
            output.Fill(double.NaN);
            return;
        }

        Span<double> scaled = stackalloc double[_degree + 1];
        if (valid == n)
        {
            for (var c = 0; c <= _degree; c++)
            {
                double sum = 0;
                for (var i = 0; i < n; i++)
                {
                    sum += _pseudoInverse[c, i] * lane[i];
                }

                scaled[c] = sum;
            }
        }
        else if (_degree == 1)
        {
            Line(xs[..valid], ys[..valid], scaled);
        }
        else
        {
            Fit(xs[..valid], ys[..valid], _degree).CopyTo(scaled);
        }

        for (var j = 0; j <= _degree; j++)
        {
            double sum = 0;
            for (var k = 0; k <= _degree; k++)
            {
                sum += _expansion[j, k] * scaled[k];
            }

            output[j] = sum;
        }
    }

    /// <summary>
    /// The matrix taking the coefficients of p(t), t = (x − shift) / scale, to those of p as a polynomial in x, both
    /// highest degree first: t^k = Σ_j C(k, j) x^j (−shift)^(k−j) / scale^k.
    /// </summary>
    private static double[,] Expansion(int degree, double shift, double scale)
    {
        var e = new double[degree + 1, degree + 1];
        for (var k = 0; k <= degree; k++)
        {
            var binomial = 1.0; // C(k, j), from j = k down
            for (var j = k; j >= 0; j--)
            {
                e[degree - j, degree - k] = binomial * Math.Pow(-shift, k - j) / Math.Pow(scale, k);
                binomial = binomial * j / (k - j + 1);
            }
        }

        return e;
    }

    /// <summary>The closed-form line through the points (centred sums): slope, then intercept.</summary>
    private static void Line(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> output)
    {
        double mx = 0;
        double my = 0;
        for (var i = 0; i < x.Length; i++)
        {
            mx += x[i];
            my += y[i];
        }

        mx /= x.Length;
        my /= x.Length;
        double sxy = 0;
        double sxx = 0;
        for (var i = 0; i < x.Length; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }

        var slope = sxy / sxx;
        output[0] = slope;
        output[1] = my - (slope * mx);
    }

    private static Matrix<double> Vandermonde(ReadOnlySpan<double> x, int degree)
    {
        var v = Matrix<double>.Build.Dense(x.Length, degree + 1);
        for (var i = 0; i < x.Length; i++)
        {
            var p = 1.0;
            for (var c = degree; c >= 0; c--)
            {
                v[i, c] = p;
                p *= x[i];
            }
        }

        return v;
    }

    private static double[] Fit(ReadOnlySpan<double> x, ReadOnlySpan<double> y, int degree) =>
        Vandermonde(x, degree).QR().Solve(Vector<double>.Build.Dense(y.ToArray())).ToArray();

    private static double[,] PseudoInverse(double[] x, int degree)
    {
        // Solving V c = e_i for each unit vector gives the columns of the least-squares operator (V⁺ = R⁻¹ Qᵀ).
        var qr = Vandermonde(x, degree).QR();
        var identity = Matrix<double>.Build.DenseIdentity(x.Length);
        return qr.Solve(identity).ToArray();
    }
}

/// <summary>How the values of a group (or a window) combine.</summary>
internal enum GroupReduction
{
    Sum,
    Mean,
    Min,
    Max,
    Count,
    Var,
    Std,
}

/// <summary>
/// Reductions per group of indices along the axis (xarray's <c>groupby(labels)</c>, and resampling, whose groups are
/// runs of consecutive steps): output index g reduces the lane's values whose group is g, NaN skipped. An empty group
/// gives NaN (0 for a sum and a count, as xarray's skipna sums).
/// </summary>
internal sealed class GroupKernel(int[] groupOf, int groups, GroupReduction reduction, int ddof) : LaneKernel, IRowKernel<double>
{
    public override int OutputLength => groups;

    // The row path serves the sum, the mean and the count: a sum and a count per group and cell, added a row at a time in
    // SIMD (a NaN adds 0 and counts 0). The other reductions take the lane path.
    public bool TakesRows => reduction is GroupReduction.Sum or GroupReduction.Mean or GroupReduction.Count;

    int IRowKernel<double>.StateLength(int inner) => 2 * groups * inner;

    void IRowKernel<double>.AddRow(int k, ReadOnlySpan<double> row, Span<double> state)
    {
        var inner = row.Length;
        var g = groupOf[k];
        var sum = state.Slice(g * inner, inner);
        var count = state.Slice((groups + g) * inner, inner);
        var i = 0;
        if (SimdVector.IsHardwareAccelerated)
        {
            var one = SimdDoubles.One;
            for (; i <= inner - SimdDoubles.Count; i += SimdDoubles.Count)
            {
                var v = new SimdDoubles(row[i..]);
                var present = SimdVector.Equals(v, v); // false for NaN
                (new SimdDoubles(sum[i..]) + SimdVector.ConditionalSelect(present, v, SimdDoubles.Zero)).CopyTo(sum[i..]);
                (new SimdDoubles(count[i..]) + SimdVector.ConditionalSelect(present, one, SimdDoubles.Zero)).CopyTo(count[i..]);
            }
        }

        for (; i < inner; i++)
        {
            var v = row[i];
            if (!double.IsNaN(v))
            {
                sum[i] += v;
                count[i]++;
            }
        }
    }

    void IRowKernel<double>.Finish(ReadOnlySpan<double> state, int inner, Span<double> output)
    {
        var sums = state[..(groups * inner)];
        var counts = state.Slice(groups * inner, groups * inner);
        switch (reduction)
        {
            case GroupReduction.Sum:
                sums.CopyTo(output);
                break;
            case GroupReduction.Count:
                counts.CopyTo(output);
                break;
            default:
                for (var j = 0; j < output.Length; j++)
                {
                    output[j] = counts[j] == 0 ? double.NaN : sums[j] / counts[j];
                }

                break;
        }
    }

    public override int ScratchLength(int n) => 3 * groups;

    public override void Apply(ReadOnlySpan<double> lane, Span<double> output, Span<double> scratch)
    {
        var count = scratch[..groups];
        var mean = scratch[groups..(2 * groups)];
        var m2 = scratch[(2 * groups)..(3 * groups)];
        count.Clear();
        mean.Clear();
        m2.Clear();
        var extreme = reduction is GroupReduction.Min or GroupReduction.Max;
        if (extreme)
        {
            output.Fill(double.NaN);
        }

        for (var i = 0; i < lane.Length; i++)
        {
            var v = lane[i];
            if (double.IsNaN(v))
            {
                continue;
            }

            var g = groupOf[i];
            count[g]++;
            switch (reduction)
            {
                case GroupReduction.Min:
                    output[g] = double.IsNaN(output[g]) || v < output[g] ? v : output[g];
                    break;
                case GroupReduction.Max:
                    output[g] = double.IsNaN(output[g]) || v > output[g] ? v : output[g];
                    break;
                case GroupReduction.Sum:
                    mean[g] += v;
                    break;
                default:
                    // Welford: the mean and the sum of squared deviations in one pass.
                    var delta = v - mean[g];
                    mean[g] += delta / count[g];
                    m2[g] += delta * (v - mean[g]);
                    break;
            }
        }

        if (extreme)
        {
            return;
        }

        for (var g = 0; g < groups; g++)
        {
            output[g] = reduction switch
            {
                GroupReduction.Sum => mean[g],
                GroupReduction.Count => count[g],
                GroupReduction.Mean => count[g] == 0 ? double.NaN : mean[g],
                GroupReduction.Var => count[g] - ddof <= 0 ? double.NaN : m2[g] / (count[g] - ddof),
                _ => count[g] - ddof <= 0 ? double.NaN : Math.Sqrt(m2[g] / (count[g] - ddof)),
            };
        }
    }
}

/// <summary>A cumulative sum or product along the lane (numpy's <c>nancumsum</c>/<c>nancumprod</c> when skipping NaN: a NaN counts as 0 or 1).</summary>
internal sealed class CumulativeKernel(bool product, bool skipNaN, int length) : LaneKernel
{
    public override int OutputLength => length;

    public override void Apply(ReadOnlySpan<double> lane, Span<double> output, Span<double> scratch)
    {
        var running = product ? 1.0 : 0.0;
        for (var i = 0; i < lane.Length; i++)
        {
            var v = lane[i];
            if (!(skipNaN && double.IsNaN(v)))
            {
                running = product ? running * v : running + v;
            }

            output[i] = running;
        }
    }
}

/// <summary>
/// A moving window along the lane (xarray's <c>rolling</c>): output i reduces the window ending at i, or, centred, the
/// window whose middle is i (an even window reaches one index further back than forward, as xarray's); NaN skipped, and a window
/// with fewer than <c>minPeriods</c> values gives NaN.
/// </summary>
internal sealed class RollingKernel(int window, int minPeriods, bool center, GroupReduction reduction, int length) : LaneKernel
{
    public override int OutputLength => length;

    public override void Apply(ReadOnlySpan<double> lane, Span<double> output, Span<double> scratch)
    {
        var n = lane.Length;
        var shift = center ? (window - 1) / 2 : 0;
        for (var i = 0; i < n; i++)
        {
            var end = Math.Min(n - 1, i + shift);
            var start = Math.Max(0, i + shift - window + 1);
            var count = 0;
            double sum = 0;
            var best = double.NaN;
            for (var k = start; k <= end; k++)
            {
                var v = lane[k];
                if (double.IsNaN(v))
                {
                    continue;
                }

                count++;
                sum += v;
                best = double.IsNaN(best) || (reduction == GroupReduction.Min ? v < best : v > best) ? v : best;
            }

            output[i] = count < minPeriods ? double.NaN : reduction switch
            {
                GroupReduction.Sum => sum,
                GroupReduction.Mean => sum / count,
                GroupReduction.Count => count,
                _ => best,
            };
        }
    }
}

/// <summary>
/// The covariance or the Pearson correlation of two paired lanes (xarray's <c>cov</c> and <c>corr</c> along a dim):
/// pairs where either value is NaN are left out; the covariance divides by the pairs less <c>ddof</c>. Too few pairs: NaN.
/// </summary>
internal sealed class CovarianceKernel(bool correlation, int ddof) : LaneKernel
{
    public override int OutputLength => -1;

    public override void Apply(ReadOnlySpan<double> lane, Span<double> output, Span<double> scratch) =>
        throw new InvalidOperationException("a covariance pairs two arrays");

    public override void Apply(ReadOnlySpan<double> lane, ReadOnlySpan<double> paired, Span<double> output, Span<double> scratch)
    {
        // Welford's co-moment update: stable without a second pass.
        double n = 0;
        double mx = 0;
        double my = 0;
        double cxy = 0;
        double m2x = 0;
        double m2y = 0;
        for (var i = 0; i < lane.Length; i++)
        {
            var x = lane[i];
            var y = paired[i];
            if (double.IsNaN(x) || double.IsNaN(y))
            {
                continue;
            }

            n++;
            var dx = x - mx;
            mx += dx / n;
            var dy = y - my;
            my += dy / n;
            cxy += dx * (y - my);
            m2x += dx * (x - mx);
            m2y += dy * (y - my);
        }

        output[0] = correlation
            ? (n < 1 ? double.NaN : cxy / Math.Sqrt(m2x * m2y))
            : (n - ddof <= 0 ? double.NaN : cxy / (n - ddof));
    }
}
