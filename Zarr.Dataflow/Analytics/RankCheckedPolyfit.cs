using MathNet.Numerics.LinearAlgebra;

namespace Zarr.Dataflow;

/// <summary>
/// xarray's <c>polyfit</c> per lane, rank-deficient fits included: a lane whose points determine the coefficients (the
/// Vandermonde matrix of its non-NaN points has full rank by numpy's <c>lstsq</c> rule) gets the unique least-squares
/// fit of <see cref="PolyfitKernel"/>; one whose points do not (fewer points than coefficients, too few distinct
/// abscissae, or singular values below <c>rcond</c>·largest) gets what xarray gives, <c>lstsq</c>'s minimum-norm
/// solution over the Vandermonde columns scaled by their norms over the whole axis (xarray's scaling), or NaN when asked.
/// A lane without points, or with a NaN when NaN is not skipped, gives NaN as xarray's does.
/// </summary>
internal sealed class RankCheckedPolyfitKernel : LaneKernel
{
    // Below this ratio, times the lane's points, of (bounds of) the least to the greatest eigenvalue of a lane's scaled
    // Gram matrix, the Gram's rounding (up to the points' count of ulps of the greatest) could hide whether a singular
    // value is under rcond: the lane's rank is then taken from a singular value decomposition, as lstsq takes it.
    private const double GramDoubt = 1e4 * MachineEpsilon;

    private const double MachineEpsilon = 2.220446049250313e-16;

    private readonly PolyfitKernel _unique;
    private readonly int _order;
    private readonly double[] _x;
    private readonly double[] _columnScale; // xarray's: each Vandermonde column's norm over the whole axis
    private readonly double[] _inverseScale; // 1 / _columnScale, so a lane's check multiplies
    private readonly bool _zeroColumn; // a column of zeros (every abscissa 0): no fit is determined
    private readonly bool _skipNaN;
    private readonly bool _deficientAsNaN;
    private readonly double[,]? _deficientOperator; // order × n: the scaled minimum-norm solution for a lane without NaN, when the whole axis is deficient

    public RankCheckedPolyfitKernel(int degree, double[] x, bool skipNaN, bool deficientAsNaN)
    {
        _unique = new PolyfitKernel(degree, x);
        _order = degree + 1;
        _x = x;
        _skipNaN = skipNaN;
        _deficientAsNaN = deficientAsNaN;
        _columnScale = new double[_order];
        for (var c = 0; c < _order; c++)
        {
            double sum = 0;
            foreach (var v in x)
            {
                var p = Math.Pow(v, degree - c);
                sum += p * p;
            }

            _columnScale[c] = Math.Sqrt(sum);
        }

        _zeroColumn = _columnScale.Any(s => s == 0);
        _inverseScale = [.. _columnScale.Select(s => 1 / s)];
        var all = Enumerable.Range(0, x.Length).ToArray();
        if (x.Length > 0 && !Determined(all))
        {
            _deficientOperator = MinimumNormOperator(all);
        }
    }

    public override int OutputLength => _order;

    public override int ScratchLength(int n) => Math.Max(_unique.ScratchLength(n), n);

    public override void Apply(ReadOnlySpan<double> lane, Span<double> output, Span<double> scratch)
    {
        var valid = 0;
        foreach (var v in lane)
        {
            valid += double.IsNaN(v) ? 0 : 1;
        }

        if (valid == 0 || (valid < lane.Length && !_skipNaN))
        {
            output.Fill(double.NaN);
            return;
        }

        if (valid == lane.Length)
        {
            if (_deficientOperator is null)
            {
                _unique.Apply(lane, output, scratch);
            }
            else if (_deficientAsNaN)
            {
                output.Fill(double.NaN);
            }
            else
            {
                for (var c = 0; c < _order; c++)
                {
                    double sum = 0;
                    for (var i = 0; i < lane.Length; i++)
                    {
                        sum += _deficientOperator[c, i] * lane[i];
                    }

                    output[c] = sum / _columnScale[c];
                }
            }

            return;
        }

        if (valid >= _order && !_zeroColumn && CertainlyDetermined(lane))
        {
            _unique.Apply(lane, output, scratch);
            return;
        }

        var points = new int[valid];
        for (int i = 0, k = 0; i < lane.Length; i++)
        {
            if (!double.IsNaN(lane[i]))
            {
                points[k++] = i;
            }
        }

        if (Determined(points))
        {
            _unique.Apply(lane, output, scratch);
        }
        else if (_deficientAsNaN)
        {
            output.Fill(double.NaN);
        }
        else
        {
            var solve = MinimumNormOperator(points);
            for (var c = 0; c < _order; c++)
            {
                double sum = 0;
                for (var k = 0; k < points.Length; k++)
                {
                    sum += solve[c, k] * lane[points[k]];
                }

                output[c] = sum / _columnScale[c];
            }
        }
    }

    /// <summary>
    /// Whether the lane's non-NaN points certainly determine the fit, from their scaled Gram matrix G alone (no
    /// allocation): 1 / trace(G⁻¹), a lower bound of its least eigenvalue, clears the Gram's rounding relative to
    /// trace(G), an upper bound of its greatest, by a wide margin. False means "not certain": <see cref="Determined"/> then decides.
    /// </summary>
    private bool CertainlyDetermined(ReadOnlySpan<double> lane)
    {
        var order = _order;
        Span<double> gram = stackalloc double[order * order];
        Span<double> row = stackalloc double[order];
        gram.Clear();
        for (var i = 0; i < lane.Length; i++)
        {
            if (double.IsNaN(lane[i]))
            {
                continue;
            }

            var power = 1.0;
            for (var c = order - 1; c >= 0; c--)
            {
                row[c] = power * _inverseScale[c];
                power *= _x[i];
            }

            for (var c = 0; c < order; c++)
            {
                for (var d = 0; d <= c; d++)
                {
                    gram[(c * order) + d] += row[c] * row[d];
                }
            }
        }

        // Cholesky, G = L Lᵀ, in the lower triangle; a pivot that is not positive leaves the rank in doubt.
        double trace = 0;
        for (var j = 0; j < order; j++)
        {
            trace += gram[(j * order) + j];
            var pivot = gram[(j * order) + j];
            for (var k = 0; k < j; k++)
            {
                pivot -= gram[(j * order) + k] * gram[(j * order) + k];
            }

            if (!(pivot > 0))
            {
                return false;
            }

            var l = Math.Sqrt(pivot);
            gram[(j * order) + j] = l;
            for (var i = j + 1; i < order; i++)
            {
                var v = gram[(i * order) + j];
                for (var k = 0; k < j; k++)
                {
                    v -= gram[(i * order) + k] * gram[(j * order) + k];
                }

                gram[(i * order) + j] = v / l;
            }
        }

        // trace(G⁻¹) = ‖L⁻¹‖²: L⁻¹'s columns by forward substitution.
        double inverseTrace = 0;
        for (var c = 0; c < order; c++)
        {
            for (var i = c; i < order; i++)
            {
                var v = i == c ? 1.0 : 0.0;
                for (var k = c; k < i; k++)
                {
                    v -= gram[(i * order) + k] * row[k];
                }

                row[i] = v / gram[(i * order) + i];
                inverseTrace += row[i] * row[i];
            }
        }

        return 1 / inverseTrace > GramDoubt * Math.Max(lane.Length, order) * trace;
    }

    /// <summary>The scaled Vandermonde matrix of the points (rows) as xarray builds it: x^(degree − c) over column c's norm.</summary>
    private Matrix<double> Scaled(int[] points)
    {
        var a = Matrix<double>.Build.Dense(points.Length, _order);
        for (var r = 0; r < points.Length; r++)
        {
            for (var c = 0; c < _order; c++)
            {
                a[r, c] = Math.Pow(_x[points[r]], _order - 1 - c) / _columnScale[c];
            }
        }

        return a;
    }

    /// <summary>lstsq's cutoff below which a singular value counts as zero: machine epsilon times the matrix's larger dimension (numpy's default rcond, and xarray's len(x)·eps).</summary>
    private double Cutoff(int rows) => MachineEpsilon * Math.Max(rows, _order);

    /// <summary>Whether the points determine the fit: the scaled Vandermonde matrix has full column rank by lstsq's rule (its singular values above rcond times the greatest).</summary>
    private bool Determined(int[] points)
    {
        if (points.Length < _order || _zeroColumn)
        {
            return false;
        }

        var singular = Scaled(points).Svd(false).S;
        var cutoff = Cutoff(points.Length) * singular[0];
        return singular.Count(s => s > cutoff) == _order;
    }

    /// <summary>The operator (order × points) giving lstsq's minimum-norm solution, in the scaled columns, from the points' values: V Σ⁺ Uᵀ with the singular values under the cutoff dropped.</summary>
    private double[,] MinimumNormOperator(int[] points)
    {
        var svd = Scaled(points).Svd(true);
        var s = svd.S;
        var u = svd.U;
        var vt = svd.VT;
        var cutoff = s.Count == 0 ? 0 : Cutoff(points.Length) * s[0];
        var result = new double[_order, points.Length];
        for (var i = 0; i < s.Count; i++)
        {
            if (!(s[i] > cutoff))
            {
                continue;
            }

            for (var c = 0; c < _order; c++)
            {
                var weight = vt[i, c] / s[i];
                for (var k = 0; k < points.Length; k++)
                {
                    result[c, k] += weight * u[k, i];
                }
            }
        }

        return result;
    }
}

/// <summary>A polynomial evaluated at given abscissae from its coefficients along the lane, highest degree first (xarray's <c>polyval</c>, by Horner's rule as xarray's); a NaN coefficient gives NaN.</summary>
internal sealed class PolyvalKernel(double[] x) : LaneKernel
{
    public override int OutputLength => x.Length;

    public override void Apply(ReadOnlySpan<double> lane, Span<double> output, Span<double> scratch)
    {
        for (var j = 0; j < x.Length; j++)
        {
            var value = lane[0];
            for (var c = 1; c < lane.Length; c++)
            {
                value = (value * x[j]) + lane[c];
            }

            output[j] = value;
        }
    }
}
