using System.Collections.Immutable;
using Zarr.Storage;
using Zarr.Storage.Datasets;

namespace Zarr.Dataflow.Datasets;

/// <summary>
/// Analytics along a named dimension of a dataset variable, with names and coordinates carried as xarray carries them:
/// a groupby over time by month gives a <c>month</c> dimension with the months present as its coordinate, a quantile
/// drops the dimension (several put <c>quantile</c> first), a polynomial fit replaces it by <c>degree</c>; the other dimensions keep their coordinates. The
/// values are the variable's decoded ones (<see cref="DatasetVariableEngine"/>'s <c>ToDecodedLazy</c>), NaN skipped;
/// each is one lazy pass with the dimension made whole per chunk (see <see cref="LazyArrayAnalytics"/> for the memory).
/// </summary>
public static class DatasetVariableAnalytics
{
    extension(DatasetVariable variable)
    {
        /// <summary>
        /// Reduces each calendar month of <paramref name="dimension"/>'s time coordinate: xarray's
        /// <c>da.groupby("time.month").mean()</c> (or the other reductions). The dimension is replaced, in place, by
        /// <c>month</c>, whose coordinate is the months present in ascending order.
        /// </summary>
        /// <param name="dimension">The time dimension (it needs a CF time coordinate without missing times).</param>
        /// <param name="reduction">The reduction of each month's values.</param>
        /// <param name="options">Pipeline options; null for the defaults.</param>
        /// <param name="cancellationToken">Cancels the computation.</param>
        /// <exception cref="ZarrSelectionException">The variable has no such dimension.</exception>
        /// <exception cref="ZarrException">The dimension has no time coordinate, a time is missing, or the variable does not hold numbers.</exception>
        public async Task<ReducedVariable> GroupByMonthAsync(string dimension, DatasetReduction reduction, PipelineOptions? options = null, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(variable);
            AxisOf(variable, dimension);
            var times = await TimesAsync(variable, dimension, cancellationToken).ConfigureAwait(false);
            return await variable.GroupByAsync(dimension, "month", [.. times.Select(t => t.Month)], reduction, options, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Reduces the groups of <paramref name="dimension"/>'s indices that share a label: xarray's
        /// <c>da.groupby(xr.DataArray(labels, dims=dimension, name=groupName)).mean()</c>. The dimension is replaced, in
        /// place, by <paramref name="groupName"/>, whose coordinate is the distinct labels in ascending order.
        /// </summary>
        /// <param name="dimension">The dimension grouped.</param>
        /// <param name="groupName">The new dimension's name (and its coordinate's).</param>
        /// <param name="labels">A label per index of the dimension.</param>
        /// <param name="reduction">The reduction of each group's values.</param>
        /// <param name="options">Pipeline options; null for the defaults.</param>
        /// <param name="cancellationToken">Cancels the computation.</param>
        /// <exception cref="ZarrSelectionException">The variable has no such dimension.</exception>
        /// <exception cref="ArgumentException">The labels' count is not the dimension's length, or the name is one of the variable's other dimensions.</exception>
        /// <exception cref="ZarrException">The variable does not hold numbers.</exception>
        public async Task<ReducedVariable> GroupByAsync(string dimension, string groupName, int[] labels, DatasetReduction reduction, PipelineOptions? options = null, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(variable);
            ArgumentException.ThrowIfNullOrEmpty(groupName);
            ArgumentNullException.ThrowIfNull(labels);
            var axis = AxisOf(variable, dimension);
            if (groupName != dimension && variable.Dimensions.Contains(groupName))
            {
                throw new ArgumentException($"variable '{variable.Name}' already has a dimension '{groupName}'; name the groups' dimension otherwise", nameof(groupName));
            }

            var grouped = variable.ToDecodedLazy().GroupBy(axis, labels);
            var lazy = reduction switch
            {
                DatasetReduction.Mean => grouped.Mean(),
                DatasetReduction.Sum => grouped.Sum(),
                DatasetReduction.Min => grouped.Min(),
                DatasetReduction.Max => grouped.Max(),
                DatasetReduction.Std => grouped.Std(),
                DatasetReduction.Var => grouped.Var(),
                DatasetReduction.Count => grouped.Count(),
                DatasetReduction.Median => grouped.Median(),
                _ => throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "not a DatasetReduction"),
            };
            var values = await lazy.ToArrayAsync(options, cancellationToken).ConfigureAwait(false);
            var dimensions = variable.Dimensions.SetItem(axis, groupName);
            var shape = variable.Shape.SetItem(axis, grouped.Groups.Length);
            return new ReducedVariable(variable.Name, dimensions, shape, values, Kept(variable, dimension), [new LabelCoordinate(groupName, [.. grouped.Groups.Select(g => (long)g)])]);
        }

        /// <summary>
        /// The <paramref name="q"/>-quantile over <paramref name="dimension"/> (dropped), NaN skipped: xarray's
        /// <c>da.quantile(q, dim, method=…)</c> with a scalar <c>q</c>, whose result keeps <c>q</c> as the scalar
        /// coordinate <c>quantile</c> (in <see cref="ReducedVariable.Labels"/>).
        /// </summary>
        /// <param name="dimension">The dimension reduced.</param>
        /// <param name="q">The quantile, in [0, 1].</param>
        /// <param name="method">How a quantile between two values is taken (numpy's and xarray's <c>method</c>).</param>
        /// <param name="options">Pipeline options; null for the defaults.</param>
        /// <param name="cancellationToken">Cancels the computation.</param>
        /// <exception cref="ZarrSelectionException">The variable has no such dimension.</exception>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="q"/> is outside [0, 1].</exception>
        /// <exception cref="ZarrException">The variable does not hold numbers.</exception>
        public async Task<ReducedVariable> QuantileAsync(string dimension, double q, QuantileMethod method = QuantileMethod.Linear, PipelineOptions? options = null, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(variable);
            var axis = AxisOf(variable, dimension);
            var values = await variable.ToDecodedLazy().Quantile(q, axis, method: method).ToArrayAsync(options, cancellationToken).ConfigureAwait(false);
            return new ReducedVariable(variable.Name, variable.Dimensions.RemoveAt(axis), variable.Shape.RemoveAt(axis), values, Kept(variable, dimension), [new LabelCoordinate("quantile", [q], isScalar: true)]);
        }

        /// <summary>
        /// Several quantiles over <paramref name="dimension"/>, NaN skipped, from one sort of each lane: xarray's
        /// <c>da.quantile(q, dim, method=…)</c> with an array <c>q</c>. The dimension is dropped and a <c>quantile</c>
        /// dimension, whose coordinate is <paramref name="q"/>, comes first, before the other dimensions (as xarray's).
        /// </summary>
        /// <param name="dimension">The dimension reduced.</param>
        /// <param name="q">The quantiles, each in [0, 1], at least one.</param>
        /// <param name="method">How a quantile between two values is taken (numpy's and xarray's <c>method</c>).</param>
        /// <param name="options">Pipeline options; null for the defaults.</param>
        /// <param name="cancellationToken">Cancels the computation.</param>
        /// <exception cref="ZarrSelectionException">The variable has no such dimension.</exception>
        /// <exception cref="ArgumentException"><paramref name="q"/> is empty, or the variable already has a <c>quantile</c> dimension.</exception>
        /// <exception cref="ArgumentOutOfRangeException">A quantile is outside [0, 1].</exception>
        /// <exception cref="ZarrException">The variable does not hold numbers.</exception>
        public async Task<ReducedVariable> QuantilesAsync(string dimension, double[] q, QuantileMethod method = QuantileMethod.Linear, PipelineOptions? options = null, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(variable);
            ArgumentNullException.ThrowIfNull(q);
            var axis = AxisOf(variable, dimension);
            if (dimension != "quantile" && variable.Dimensions.Contains("quantile"))
            {
                throw new ArgumentException($"variable '{variable.Name}' already has a dimension 'quantile'", nameof(dimension));
            }

            var lazy = variable.ToDecodedLazy().Quantiles(q, axis, method: method);
            var values = await lazy.ToArrayAsync(options, cancellationToken).ConfigureAwait(false);
            return new ReducedVariable(
                variable.Name,
                variable.Dimensions.RemoveAt(axis).Insert(0, "quantile"),
                variable.Shape.RemoveAt(axis).Insert(0, q.Length),
                MovedToFront(values, [.. lazy.Shape], axis),
                Kept(variable, dimension),
                [new LabelCoordinate("quantile", [.. q], isScalar: false)]);
        }

        /// <summary>
        /// The least-squares polynomial of <paramref name="degree"/> per cell along <paramref name="dimension"/>:
        /// xarray's <c>da.polyfit(dim, deg, skipna)</c>. The result, named <c>NAME_polyfit_coefficients</c> as xarray's
        /// <c>Dataset.polyfit</c> names it, has the dimension <c>degree</c> (highest first, its coordinate) before the
        /// others. The abscissae are the dimension's coordinate as xarray takes them: numbers as they are, times as
        /// nanoseconds since 1970-01-01 (so a slope is per nanosecond), and 0, 1, … without a coordinate. A cell whose
        /// points do not determine the fit gets lstsq's minimum-norm coefficients, as xarray's (see
        /// <see cref="LazyArrayAnalytics"/>'s <c>PolyFit</c>); a cell without points gets NaN.
        /// </summary>
        /// <param name="dimension">The dimension fitted along.</param>
        /// <param name="degree">The polynomial's degree, 1 or more.</param>
        /// <param name="skipNaN">Fit each cell over its non-NaN points (xarray's choice when the data has NaN); otherwise a cell with a NaN gets NaN.</param>
        /// <param name="options">Pipeline options; null for the defaults.</param>
        /// <param name="cancellationToken">Cancels the computation.</param>
        /// <exception cref="ZarrSelectionException">The variable has no such dimension.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The degree is below 1.</exception>
        /// <exception cref="ZarrException">The coordinate holds neither numbers nor times, a time is missing, or the variable does not hold numbers.</exception>
        public async Task<ReducedVariable> PolyFitAsync(string dimension, int degree, bool skipNaN = true, PipelineOptions? options = null, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(variable);
            var axis = AxisOf(variable, dimension);
            ArgumentOutOfRangeException.ThrowIfLessThan(degree, 1);
            var x = await AbscissaeAsync(variable, dimension, cancellationToken).ConfigureAwait(false);
            var fit = await variable.ToDecodedLazy().PolyFit(axis, degree, x, skipNaN).ToArrayAsync(options, cancellationToken).ConfigureAwait(false);
            var terms = degree + 1;
            var shape = variable.Shape.SetItem(axis, terms);
            var values = MovedToFront(fit, [.. shape], axis);
            return new ReducedVariable(
                variable.Name + "_polyfit_coefficients",
                variable.Dimensions.RemoveAt(axis).Insert(0, "degree"),
                variable.Shape.RemoveAt(axis).Insert(0, terms),
                values,
                Kept(variable, dimension),
                [new LabelCoordinate("degree", [.. Enumerable.Range(0, terms).Select(c => (long)(degree - c))])]);
        }
    }

    private static int AxisOf(DatasetVariable variable, string dimension)
    {
        ArgumentNullException.ThrowIfNull(dimension);
        var axis = variable.Dimensions.IndexOf(dimension);
        return axis >= 0
            ? axis
            : throw new ZarrSelectionException($"variable '{variable.Name}' has no dimension '{dimension}' (it has {string.Join(", ", variable.Dimensions.Select(d => $"'{d}'"))})");
    }

    private static ImmutableArray<DatasetVariable> Kept(DatasetVariable variable, string dimension) =>
        [.. variable.Coordinates.Where(c => c.Name != dimension)];

    private static async Task<DateTime[]> TimesAsync(DatasetVariable variable, string dimension, CancellationToken cancellationToken)
    {
        var coordinate = variable.Coordinates.FirstOrDefault(c => c.Name == dimension);
        if (coordinate is null || coordinate.Kind != DatasetValueKind.Time)
        {
            throw new ZarrException($"variable '{variable.Name}': dimension '{dimension}' has no CF time coordinate, so its steps have no calendar months{(coordinate?.DecodingNote is { } note ? " (" + note + ")" : "")}");
        }

        var times = await coordinate.ReadTimesAsync(cancellationToken).ConfigureAwait(false);
        var missing = Array.FindIndex(times, t => t is null);
        return missing < 0
            ? [.. times.Select(t => t!.Value)]
            : throw new ZarrException($"variable '{variable.Name}': coordinate '{dimension}' has a missing time (NaT) at index {missing}");
    }

    private static async Task<double[]?> AbscissaeAsync(DatasetVariable variable, string dimension, CancellationToken cancellationToken)
    {
        var coordinate = variable.Coordinates.FirstOrDefault(c => c.Name == dimension);
        switch (coordinate?.Kind)
        {
            case null:
                return null;
            case DatasetValueKind.Time:
                // xarray fits over datetime64[ns] as float64 nanoseconds since the epoch.
                return [.. (await TimesAsync(variable, dimension, cancellationToken).ConfigureAwait(false)).Select(t => (t - DateTime.UnixEpoch).Ticks * 100.0)];
            case DatasetValueKind.Number:
                return await coordinate.ReadDoublesAsync(cancellationToken).ConfigureAwait(false);
            default:
                throw new ZarrException($"variable '{variable.Name}': coordinate '{dimension}' holds {coordinate.Array.DataType}; a fit needs numbers or times");
        }
    }

    /// <summary>Moves the axis an operation put in place of the one it consumed (at <paramref name="axis"/> of <paramref name="shape"/>) to the front, as xarray's result has <c>degree</c> and <c>quantile</c> first.</summary>
    private static double[] MovedToFront(double[] fit, long[] shape, int axis)
    {
        var terms = (int)shape[axis];
        var outer = 1L;
        for (var d = 0; d < axis; d++)
        {
            outer *= shape[d];
        }

        var inner = fit.LongLength / outer / terms;
        var moved = new double[fit.Length];
        for (long o = 0; o < outer; o++)
        {
            for (var c = 0; c < terms; c++)
            {
                Array.Copy(fit, ((o * terms) + c) * inner, moved, ((c * outer) + o) * inner, inner);
            }
        }

        return moved;
    }
}
