using System.Collections.Immutable;
using System.Numerics;

namespace Zarr.Dataflow;

/// <summary>
/// Analytics along one axis of a lazy array, as numpy and xarray compute them: quantiles and medians, polynomial
/// fits, groups and resampling, cumulative sums and products, rolling windows. Results are float64 lazy arrays; NaN is
/// skipped by default. Each needs every value of a lane along the axis at once, so a chunk of the result reads its
/// region with the axis whole (the input rechunked so the axis is whole): a chunk in flight holds the axis length times
/// the chunk's other lengths, in float64. Choose the input's chunks on the other axes to bound that.
/// </summary>
public static class LazyArrayAnalytics
{
    extension<T>(LazyArray<T> array) where T : unmanaged, INumber<T>
    {
        /// <summary>The <paramref name="q"/>-quantile along <paramref name="axis"/> (dropped), by numpy's default linear definition or <paramref name="method"/>: <c>nanquantile(x, q, axis, method=…)</c>, or <c>quantile</c> without <paramref name="skipNaN"/>.</summary>
        /// <param name="q">The quantile, in [0, 1].</param>
        /// <param name="axis">The axis (negative counts from the end).</param>
        /// <param name="skipNaN">Skip NaN (the default); otherwise a lane with a NaN gives NaN.</param>
        /// <param name="method">How a quantile between two values is taken (numpy's <c>method</c>).</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="q"/> is outside [0, 1], the method is not one, or the axis is out of range.</exception>
        public LazyArray<double> Quantile(double q, int axis, bool skipNaN = true, QuantileMethod method = QuantileMethod.Linear)
        {
            CheckQuantile(q, nameof(q));
            return Along(array, axis, new QuantilesKernel([q], skipNaN, CheckMethod(method), dropAxis: true));
        }

        /// <summary>
        /// Several quantiles along <paramref name="axis"/> from one sort of each lane: numpy's <c>nanquantile(x, q, axis,
        /// method=…)</c> with an array <c>q</c>, except that the axis is replaced, in place, by one index per quantile
        /// (numpy puts that axis first; xarray's <c>quantile</c> on a dataset variable does too, see
        /// <c>DatasetVariableAnalytics.QuantilesAsync</c>).
        /// </summary>
        /// <param name="q">The quantiles, each in [0, 1], at least one.</param>
        /// <param name="axis">The axis (negative counts from the end).</param>
        /// <param name="skipNaN">Skip NaN (the default); otherwise a lane with a NaN gives NaN for every quantile.</param>
        /// <param name="method">How a quantile between two values is taken (numpy's <c>method</c>).</param>
        /// <exception cref="ArgumentException"><paramref name="q"/> is empty.</exception>
        /// <exception cref="ArgumentOutOfRangeException">A quantile is outside [0, 1], the method is not one, or the axis is out of range.</exception>
        public LazyArray<double> Quantiles(double[] q, int axis, bool skipNaN = true, QuantileMethod method = QuantileMethod.Linear)
        {
            ArgumentNullException.ThrowIfNull(q);
            if (q.Length == 0)
            {
                throw new ArgumentException("no quantiles asked for", nameof(q));
            }

            foreach (var value in q)
            {
                CheckQuantile(value, nameof(q));
            }

            return Along(array, axis, new QuantilesKernel((double[])q.Clone(), skipNaN, CheckMethod(method), dropAxis: false));
        }

        /// <summary>The <paramref name="percent"/>-th percentile along <paramref name="axis"/>: numpy's <c>nanpercentile</c> (linear, or <paramref name="method"/>).</summary>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="percent"/> is outside [0, 100], the method is not one, or the axis is out of range.</exception>
        public LazyArray<double> Percentile(double percent, int axis, bool skipNaN = true, QuantileMethod method = QuantileMethod.Linear)
        {
            if (!(percent >= 0 && percent <= 100))
            {
                throw new ArgumentOutOfRangeException(nameof(percent), percent, "a percentile is in [0, 100]");
            }

            return array.Quantile(percent / 100, axis, skipNaN, method);
        }

        /// <summary>The median along <paramref name="axis"/> (dropped): numpy's <c>nanmedian</c>.</summary>
        /// <exception cref="ArgumentOutOfRangeException">The axis is out of range.</exception>
        public LazyArray<double> Median(int axis, bool skipNaN = true) => array.Quantile(0.5, axis, skipNaN);

        /// <summary>
        /// The least-squares polynomial of <paramref name="degree"/> per cell along <paramref name="axis"/>, as xarray's
        /// <c>polyfit(dim, deg, skipna)</c> fits it: the axis is replaced by the degree + 1 coefficients, highest degree
        /// first. With <paramref name="skipNaN"/> a cell is fitted over its non-NaN points; without, a cell with a NaN
        /// gets NaN. A cell whose points do not determine the coefficients (fewer points than coefficients, too few
        /// distinct abscissae, or a rank below degree + 1 by numpy's <c>lstsq</c> rule) gets lstsq's minimum-norm
        /// coefficients over xarray's scaled columns, as xarray gives with its "poorly conditioned" warning, or NaN with
        /// <paramref name="rankDeficientAsNaN"/>; a cell without points gets NaN.
        /// </summary>
        /// <param name="axis">The axis fitted along (negative counts from the end).</param>
        /// <param name="degree">The polynomial's degree, 1 or more.</param>
        /// <param name="x">The abscissa of each index along the axis (its length); the indices 0, 1, … when null.</param>
        /// <param name="skipNaN">Fit each cell over its non-NaN points (xarray's <c>skipna=True</c>, its choice when the data has NaN).</param>
        /// <param name="rankDeficientAsNaN">Give NaN, instead of the minimum-norm coefficients, to a cell whose points do not determine the fit.</param>
        /// <exception cref="ArgumentOutOfRangeException">The degree is below 1, or the axis is out of range.</exception>
        /// <exception cref="ArgumentException"><paramref name="x"/> does not have the axis's length, or holds a value that is not finite.</exception>
        public LazyArray<double> PolyFit(int axis, int degree, double[]? x = null, bool skipNaN = true, bool rankDeficientAsNaN = false)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(degree, 1);
            var a = AlongAxis.Axis(axis, array.Rank);
            var n = array.Node.Shape[a];
            if (x is not null && x.Length != n)
            {
                throw new ArgumentException($"{x.Length} abscissae for an axis of {n}", nameof(x));
            }

            if (x is not null && !x.All(double.IsFinite))
            {
                throw new ArgumentException($"abscissa {Array.FindIndex(x, v => !double.IsFinite(v))} is not a finite number", nameof(x));
            }

            var abscissae = x is null ? [.. Enumerable.Range(0, checked((int)n)).Select(i => (double)i)] : (double[])x.Clone();
            return Along(array, a, new RankCheckedPolyfitKernel(degree, abscissae, skipNaN, rankDeficientAsNaN));
        }

        /// <summary>
        /// Evaluates, per cell, the polynomial whose coefficients (highest degree first, as <c>PolyFit</c> gives them) lie
        /// along <paramref name="axis"/>, at each of <paramref name="x"/>: xarray's <c>polyval(coord, coeffs)</c>, with
        /// the coefficients' axis replaced, in place, by one index per abscissa. A NaN coefficient gives NaN.
        /// </summary>
        /// <param name="axis">The coefficients' axis (negative counts from the end).</param>
        /// <param name="x">The abscissae, at least one.</param>
        /// <exception cref="ArgumentException"><paramref name="x"/> is empty.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The axis is out of range.</exception>
        public LazyArray<double> PolyVal(int axis, double[] x)
        {
            ArgumentNullException.ThrowIfNull(x);
            if (x.Length == 0)
            {
                throw new ArgumentException("no abscissae to evaluate at", nameof(x));
            }

            return Along(array, axis, new PolyvalKernel((double[])x.Clone()));
        }

        /// <summary>Groups the indices along <paramref name="axis"/> by a label each (xarray's <c>groupby</c>): the distinct labels, in order, become the groups of the result.</summary>
        /// <param name="axis">The axis grouped (negative counts from the end).</param>
        /// <param name="labels">A label per index along the axis, such as the calendar month of each time step.</param>
        /// <exception cref="ArgumentException"><paramref name="labels"/> does not have the axis's length.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The axis is out of range.</exception>
        public LazyGroupBy<T> GroupBy(int axis, int[] labels)
        {
            ArgumentNullException.ThrowIfNull(labels);
            var a = AlongAxis.Axis(axis, array.Rank);
            if (labels.Length != array.Node.Shape[a])
            {
                throw new ArgumentException($"{labels.Length} labels for an axis of {array.Node.Shape[a]}", nameof(labels));
            }

            var groups = labels.Distinct().Order().ToArray();
            var groupOf = labels.Select(l => Array.BinarySearch(groups, l)).ToArray();
            return new LazyGroupBy<T>(array, a, groupOf, [.. groups]);
        }

        /// <summary>Resamples to coarser steps along <paramref name="axis"/>: consecutive runs of <paramref name="factor"/> indices form a group, the last one shorter when the axis is not a multiple of the factor (as xarray's <c>resample</c> keeps a partial last period).</summary>
        /// <exception cref="ArgumentOutOfRangeException">The factor is below 1, or the axis is out of range.</exception>
        public LazyGroupBy<T> Resample(int axis, int factor)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(factor, 1);
            var a = AlongAxis.Axis(axis, array.Rank);
            var n = checked((int)array.Node.Shape[a]);
            return array.GroupBy(a, [.. Enumerable.Range(0, n).Select(i => i / factor)]);
        }

        /// <summary>The cumulative sum along <paramref name="axis"/>: numpy's <c>nancumsum</c> (a NaN counts as 0), or <c>cumsum</c> without <paramref name="skipNaN"/>.</summary>
        /// <exception cref="ArgumentOutOfRangeException">The axis is out of range.</exception>
        public LazyArray<double> CumSum(int axis, bool skipNaN = true) => Cumulative(array, axis, false, skipNaN);

        /// <summary>The cumulative product along <paramref name="axis"/>: numpy's <c>nancumprod</c> (a NaN counts as 1), or <c>cumprod</c> without <paramref name="skipNaN"/>.</summary>
        /// <exception cref="ArgumentOutOfRangeException">The axis is out of range.</exception>
        public LazyArray<double> CumProd(int axis, bool skipNaN = true) => Cumulative(array, axis, true, skipNaN);

        /// <summary>The covariance with <paramref name="other"/> along <paramref name="axis"/> (dropped), as xarray's <c>cov(a, b, dim, ddof)</c>: pairs with a NaN left out, divided by the pairs less <paramref name="ddof"/>.</summary>
        /// <exception cref="ArgumentException">The shapes differ.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The axis is out of range, or ddof is negative.</exception>
        public LazyArray<double> Covariance(LazyArray<T> other, int axis, int ddof = 1)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(ddof);
            return Paired(array, other, axis, new CovarianceKernel(false, ddof));
        }

        /// <summary>The Pearson correlation with <paramref name="other"/> along <paramref name="axis"/> (dropped), as xarray's <c>corr(a, b, dim)</c>: pairs with a NaN left out.</summary>
        /// <exception cref="ArgumentException">The shapes differ.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The axis is out of range.</exception>
        public LazyArray<double> Correlation(LazyArray<T> other, int axis) => Paired(array, other, axis, new CovarianceKernel(true, 0));

        /// <summary>A moving window along <paramref name="axis"/> (xarray's <c>rolling</c>), reduced by the returned object's methods.</summary>
        /// <param name="axis">The axis (negative counts from the end).</param>
        /// <param name="window">The window's length, 1 or more.</param>
        /// <param name="minPeriods">The fewest non-NaN values a window needs for a value (else NaN); the window's length when null.</param>
        /// <param name="center">Centre the window on each index instead of ending it there.</param>
        /// <exception cref="ArgumentOutOfRangeException">The window or the minimum is out of range, or the axis is.</exception>
        public LazyRolling<T> Rolling(int axis, int window, int? minPeriods = null, bool center = false)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
            var periods = minPeriods ?? window;
            ArgumentOutOfRangeException.ThrowIfLessThan(periods, 1, nameof(minPeriods));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(periods, window, nameof(minPeriods));
            return new LazyRolling<T>(array, AlongAxis.Axis(axis, array.Rank), window, periods, center);
        }
    }

    private static void CheckQuantile(double q, string name)
    {
        if (!(q >= 0 && q <= 1))
        {
            throw new ArgumentOutOfRangeException(name, q, "a quantile is in [0, 1]");
        }
    }

    private static QuantileMethod CheckMethod(QuantileMethod method) => Enum.IsDefined(method)
        ? method
        : throw new ArgumentOutOfRangeException(nameof(method), method, "not a QuantileMethod");

    internal static LazyArray<double> Along<T>(LazyArray<T> array, int axis, LaneKernel kernel) where T : unmanaged, INumberBase<T>
    {
        ArgumentNullException.ThrowIfNull(array);
        return new LazyArray<double>(AlongAxisNode<T, double>.Create(array.Node, AlongAxis.Axis(axis, array.Rank), kernel));
    }

    private static LazyArray<double> Paired<T>(LazyArray<T> array, LazyArray<T> other, int axis, LaneKernel kernel) where T : unmanaged, INumberBase<T>
    {
        ArgumentNullException.ThrowIfNull(array);
        ArgumentNullException.ThrowIfNull(other);
        array.RequireSameShape(other.Node.Shape, nameof(other));
        return new LazyArray<double>(AlongAxisNode<T, double>.Create(array.Node, AlongAxis.Axis(axis, array.Rank), kernel, other.Node));
    }

    private static LazyArray<double> Cumulative<T>(LazyArray<T> array, int axis, bool product, bool skipNaN) where T : unmanaged, INumberBase<T>
    {
        ArgumentNullException.ThrowIfNull(array);
        var a = AlongAxis.Axis(axis, array.Rank);
        return Along(array, a, new CumulativeKernel(product, skipNaN, checked((int)array.Node.Shape[a])));
    }
}

/// <summary>An array grouped along an axis (<see cref="LazyArrayAnalytics"/>'s <c>GroupBy</c>, <c>Resample</c>): each method reduces every group, NaN skipped, into a float64 array whose axis has one index per group.</summary>
/// <typeparam name="T">The element type.</typeparam>
public sealed class LazyGroupBy<T> where T : unmanaged, INumber<T>
{
    private readonly LazyArray<T> _array;
    private readonly int _axis;
    private readonly int[] _groupOf;

    internal LazyGroupBy(LazyArray<T> array, int axis, int[] groupOf, ImmutableArray<int> groups)
    {
        _array = array;
        _axis = axis;
        _groupOf = groupOf;
        Groups = groups;
    }

    /// <summary>The groups' labels, in the order of the result's axis (the distinct labels sorted; for a resample, 0, 1, …).</summary>
    public ImmutableArray<int> Groups { get; }

    /// <summary>The mean of each group (NaN for a group without values).</summary>
    public LazyArray<double> Mean() => Reduce(GroupReduction.Mean, 0);

    /// <summary>The sum of each group (0 for a group without values).</summary>
    public LazyArray<double> Sum() => Reduce(GroupReduction.Sum, 0);

    /// <summary>The least value of each group (NaN for a group without values).</summary>
    public LazyArray<double> Min() => Reduce(GroupReduction.Min, 0);

    /// <summary>The greatest value of each group (NaN for a group without values).</summary>
    public LazyArray<double> Max() => Reduce(GroupReduction.Max, 0);

    /// <summary>The number of non-NaN values of each group.</summary>
    public LazyArray<double> Count() => Reduce(GroupReduction.Count, 0);

    /// <summary>The median of each group (xarray's <c>median</c>, numpy's <c>nanmedian</c>; NaN for a group without values).</summary>
    public LazyArray<double> Median() => LazyArrayAnalytics.Along(_array, _axis, new GroupMedianKernel(_groupOf, Groups.Length));

    /// <summary>The variance of each group with <paramref name="ddof"/> degrees of freedom removed (NaN when count ≤ ddof).</summary>
    public LazyArray<double> Var(int ddof = 0) => Reduce(GroupReduction.Var, ddof);

    /// <summary>The standard deviation of each group (NaN when count ≤ ddof).</summary>
    public LazyArray<double> Std(int ddof = 0) => Reduce(GroupReduction.Std, ddof);

    private LazyArray<double> Reduce(GroupReduction reduction, int ddof)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ddof);
        return LazyArrayAnalytics.Along(_array, _axis, new GroupKernel(_groupOf, Groups.Length, reduction, ddof));
    }
}

/// <summary>A moving window along an axis (<see cref="LazyArrayAnalytics"/>'s <c>Rolling</c>): each method gives a float64 array of the input's shape.</summary>
/// <typeparam name="T">The element type.</typeparam>
public sealed class LazyRolling<T> where T : unmanaged, INumber<T>
{
    private readonly LazyArray<T> _array;
    private readonly int _axis;
    private readonly int _window;
    private readonly int _minPeriods;
    private readonly bool _center;

    internal LazyRolling(LazyArray<T> array, int axis, int window, int minPeriods, bool center)
    {
        _array = array;
        _axis = axis;
        _window = window;
        _minPeriods = minPeriods;
        _center = center;
    }

    /// <summary>The mean of each window's non-NaN values.</summary>
    public LazyArray<double> Mean() => Reduce(GroupReduction.Mean);

    /// <summary>The sum of each window's non-NaN values.</summary>
    public LazyArray<double> Sum() => Reduce(GroupReduction.Sum);

    /// <summary>The least of each window's values.</summary>
    public LazyArray<double> Min() => Reduce(GroupReduction.Min);

    /// <summary>The greatest of each window's values.</summary>
    public LazyArray<double> Max() => Reduce(GroupReduction.Max);

    private LazyArray<double> Reduce(GroupReduction reduction) =>
        LazyArrayAnalytics.Along(_array, _axis, new RollingKernel(_window, _minPeriods, _center, reduction, checked((int)_array.Node.Shape[_axis])));
}
