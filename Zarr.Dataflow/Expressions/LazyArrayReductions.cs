using System.Numerics;
using System.Numerics.Tensors;
using Zarr.Storage;

namespace Zarr.Dataflow;

/// <summary>
/// Reductions of numeric lazy arrays, with numpy's semantics: population variance (ddof 0) unless asked, integer sums
/// in 64 bits, means and variances in double. Each reduction exists three ways: over every axis as a scalar
/// (<c>SumAsync()</c>), over a subset of axes as an in-memory tensor (<c>SumAsync(axes)</c>), and over a subset of axes
/// as a <see cref="LazyReduction{TOut}"/> (<c>Sum(axes)</c>) that can also be stored into a Zarr array block by block,
/// for results larger than memory. Negative axes count from the end.
/// </summary>
/// <remarks>
/// <b>Floating-point sums are accumulated in double</b>, for every element type, and returned as double: each chunk is
/// summed a block at a time with <see cref="TensorPrimitives.Sum{T}(ReadOnlySpan{T})"/> over the elements converted
/// to double, and chunk partials are added in a tree. numpy's <c>float32.sum()</c> instead returns float32, summed
/// pairwise in float32; its result can differ from ours in the last float32 digits (and for large arrays by much
/// more, pairwise float32 summation having an error growing as O(ε log n) with ε = 6e-8, against our ε = 1e-16).
/// Ours is the more accurate value; cast it to float to get numpy's type. Means and variances are double in both.
/// </remarks>
public static class LazyArrayReductions
{
    extension<T>(LazyArray<T> array) where T : unmanaged, INumber<T>
    {

        // ---------------------------------------------------------------- sum

        /// <summary>
        /// The sum of all elements, in double. See the remarks of <see cref="LazyArrayReductions"/> on float32. An array
        /// whose integer (or bool) element type is written in the code gets numpy's integer sum instead, by the overloads
        /// of <see cref="LazyArrayIntegerSums"/> (<c>long</c> for signed integers and bool, <c>ulong</c> for unsigned); code
        /// generic over <typeparamref name="T"/> gets this one: the exact 64-bit integer sum converted to double (use
        /// <c>SumInt64Async</c> / <c>SumUInt64Async</c> there, or the untyped <see cref="LazyArrayUntypedReductions"/>).
        /// </summary>
        public async Task<double> SumAsync(PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
            await ScalarAsync(array.Sum(null), options, cancellationToken).ConfigureAwait(false);

        /// <summary>The sums over <paramref name="axes"/> in double: an array of the other axes' shape (shape [1] when every axis is reduced). Integer arrays whose type is written in the code get 64-bit integer sums (<see cref="LazyArrayIntegerSums"/>).</summary>
        public Task<Tensor<double>> SumAsync(int[] axes, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
            array.Sum(CheckAxes(axes)).ToTensorAsync(options, cancellationToken);

        /// <summary>The sums over <paramref name="axes"/> (null: every axis), lazily: store them with <see cref="LazyReduction{TOut}.StoreAsync(Zarr.Storage.ZarrArray{TOut}, PipelineOptions?, CancellationToken)"/>.</summary>
        public LazyReduction<double> Sum(int[]? axes) => Reductions.Create(Checked(array), axes, new SumKernel<T>(false));

        /// <summary>The sum skipping NaN (numpy's <c>nansum</c>), in double.</summary>
        public async Task<double> NanSumAsync(PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
            await ScalarAsync(array.NanSum(null), options, cancellationToken).ConfigureAwait(false);

        /// <summary>Sums skipping NaN over <paramref name="axes"/>.</summary>
        public Task<Tensor<double>> NanSumAsync(int[] axes, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
            array.NanSum(CheckAxes(axes)).ToTensorAsync(options, cancellationToken);

        /// <summary>Sums skipping NaN over <paramref name="axes"/> (null: every axis), lazily.</summary>
        public LazyReduction<double> NanSum(int[]? axes) => Reductions.Create(Checked(array), axes, new SumKernel<T>(true));

        // ---------------------------------------------------------------- mean, variance, standard deviation

        /// <summary>The mean, in double (NaN for an empty array).</summary>
        public Task<double> MeanAsync(PipelineOptions? options = null, CancellationToken cancellationToken = default) => ScalarAsync(array.Mean(null), options, cancellationToken);

        /// <summary>The means over <paramref name="axes"/>.</summary>
        public Task<Tensor<double>> MeanAsync(int[] axes, PipelineOptions? options = null, CancellationToken cancellationToken = default) => array.Mean(CheckAxes(axes)).ToTensorAsync(options, cancellationToken);

        /// <summary>The means over <paramref name="axes"/> (null: every axis), lazily.</summary>
        public LazyReduction<double> Mean(int[]? axes) => Reductions.Create(Checked(array), axes, new MeanKernel<T>(false));

        /// <summary>The mean skipping NaN (numpy's <c>nanmean</c>).</summary>
        public Task<double> NanMeanAsync(PipelineOptions? options = null, CancellationToken cancellationToken = default) => ScalarAsync(array.NanMean(null), options, cancellationToken);

        /// <summary>The means skipping NaN over <paramref name="axes"/>.</summary>
        public Task<Tensor<double>> NanMeanAsync(int[] axes, PipelineOptions? options = null, CancellationToken cancellationToken = default) => array.NanMean(CheckAxes(axes)).ToTensorAsync(options, cancellationToken);

        /// <summary>The means skipping NaN over <paramref name="axes"/> (null: every axis), lazily.</summary>
        public LazyReduction<double> NanMean(int[]? axes) => Reductions.Create(Checked(array), axes, new MeanKernel<T>(true));

        /// <summary>The variance: M2 / (n − <paramref name="ddof"/>), population variance by default (NaN when n ≤ ddof).</summary>
        public Task<double> VarAsync(int ddof = 0, PipelineOptions? options = null, CancellationToken cancellationToken = default) => ScalarAsync(array.Var(null, ddof), options, cancellationToken);

        /// <summary>The variances over <paramref name="axes"/>.</summary>
        public Task<Tensor<double>> VarAsync(int[] axes, int ddof = 0, PipelineOptions? options = null, CancellationToken cancellationToken = default) => array.Var(CheckAxes(axes), ddof).ToTensorAsync(options, cancellationToken);

        /// <summary>The variances over <paramref name="axes"/> (null: every axis), lazily.</summary>
        public LazyReduction<double> Var(int[]? axes, int ddof = 0) => Reductions.Create(Checked(array), axes, new MomentKernel<T>(false, CheckDdof(ddof), false));

        /// <summary>The variance skipping NaN (numpy's <c>nanvar</c>).</summary>
        public Task<double> NanVarAsync(int ddof = 0, PipelineOptions? options = null, CancellationToken cancellationToken = default) => ScalarAsync(array.NanVar(null, ddof), options, cancellationToken);

        /// <summary>The variances skipping NaN over <paramref name="axes"/>.</summary>
        public Task<Tensor<double>> NanVarAsync(int[] axes, int ddof = 0, PipelineOptions? options = null, CancellationToken cancellationToken = default) => array.NanVar(CheckAxes(axes), ddof).ToTensorAsync(options, cancellationToken);

        /// <summary>The variances skipping NaN over <paramref name="axes"/> (null: every axis), lazily.</summary>
        public LazyReduction<double> NanVar(int[]? axes, int ddof = 0) => Reductions.Create(Checked(array), axes, new MomentKernel<T>(true, CheckDdof(ddof), false));

        /// <summary>The standard deviation (√ of the variance).</summary>
        public Task<double> StdAsync(int ddof = 0, PipelineOptions? options = null, CancellationToken cancellationToken = default) => ScalarAsync(array.Std(null, ddof), options, cancellationToken);

        /// <summary>The standard deviations over <paramref name="axes"/>.</summary>
        public Task<Tensor<double>> StdAsync(int[] axes, int ddof = 0, PipelineOptions? options = null, CancellationToken cancellationToken = default) => array.Std(CheckAxes(axes), ddof).ToTensorAsync(options, cancellationToken);

        /// <summary>The standard deviations over <paramref name="axes"/> (null: every axis), lazily.</summary>
        public LazyReduction<double> Std(int[]? axes, int ddof = 0) => Reductions.Create(Checked(array), axes, new MomentKernel<T>(false, CheckDdof(ddof), true));

        /// <summary>The standard deviation skipping NaN (numpy's <c>nanstd</c>).</summary>
        public Task<double> NanStdAsync(int ddof = 0, PipelineOptions? options = null, CancellationToken cancellationToken = default) => ScalarAsync(array.NanStd(null, ddof), options, cancellationToken);

        /// <summary>The standard deviations skipping NaN over <paramref name="axes"/>.</summary>
        public Task<Tensor<double>> NanStdAsync(int[] axes, int ddof = 0, PipelineOptions? options = null, CancellationToken cancellationToken = default) => array.NanStd(CheckAxes(axes), ddof).ToTensorAsync(options, cancellationToken);

        /// <summary>The standard deviations skipping NaN over <paramref name="axes"/> (null: every axis), lazily.</summary>
        public LazyReduction<double> NanStd(int[]? axes, int ddof = 0) => Reductions.Create(Checked(array), axes, new MomentKernel<T>(true, CheckDdof(ddof), true));

        // ---------------------------------------------------------------- all at once

        /// <summary>
        /// count, NaN count, sum, mean, M2, variance (M2 / (n − <paramref name="ddof"/>)), standard deviation, minimum and
        /// maximum over <paramref name="axes"/> (null: every axis) in one pass over the array: one partial per chunk,
        /// partials combined in a tree with Chan et al.'s exact formulas. numpy's semantics of the plain reductions:
        /// integer sums exact in 64 bits, means and variances in double, NaN propagating through sum, mean, variance,
        /// minimum and maximum, and counted in <see cref="ArrayStatistics{T}.NaNCount"/>.
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException">An axis is out of range, or <paramref name="ddof"/> is negative.</exception>
        /// <exception cref="ArgumentException">An axis is repeated.</exception>
        public Task<ArrayStatistics<T>> StatisticsAsync(int[]? axes = null, int ddof = 0, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
            array.StatisticsAsync(axes, ddof, skipNaN: false, options, cancellationToken);

        /// <summary>
        /// The statistics as the overload without <paramref name="skipNaN"/> computes them; with <paramref name="skipNaN"/>
        /// the statistics leave the NaNs out, as numpy's <c>nansum</c>, <c>nanmean</c>, <c>nanvar</c>, <c>nanstd</c>,
        /// <c>nanmin</c> and <c>nanmax</c> (xarray's default for floats): <see cref="ArrayStatistics{T}.Count"/> then
        /// counts the elements that went in, <see cref="ArrayStatistics{T}.NaNCount"/> still the NaNs seen.
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException">An axis is out of range, or <paramref name="ddof"/> is negative.</exception>
        /// <exception cref="ArgumentException">An axis is repeated.</exception>
        public async Task<ArrayStatistics<T>> StatisticsAsync(int[]? axes, int ddof, bool skipNaN, PipelineOptions? options = null, CancellationToken cancellationToken = default)
        {
            CheckDdof(ddof);
            var source = Checked(array);
            var plan = new AxisPlan(source.Node.Shape, source.Node.Chunks, axes);
            var cells = await Reductions.Create(source, plan, new StatisticsKernel<T>(skipNaN)).ToArrayAsync(options, cancellationToken).ConfigureAwait(false);
            return ArrayStatistics<T>.FromCells(cells, (long[])plan.Kept.Clone(), ddof, skipNaN);
        }

        // ---------------------------------------------------------------- min, max

        /// <summary>The minimum (NaN if any element is NaN, as numpy).</summary>
        /// <exception cref="InvalidOperationException">The array is empty.</exception>
        public Task<T> MinAsync(PipelineOptions? options = null, CancellationToken cancellationToken = default) => ScalarAsync(array.Min(null), options, cancellationToken);

        /// <summary>The minima over <paramref name="axes"/>.</summary>
        /// <exception cref="InvalidOperationException">A reduced axis has length 0.</exception>
        public Task<Tensor<T>> MinAsync(int[] axes, PipelineOptions? options = null, CancellationToken cancellationToken = default) => array.Min(CheckAxes(axes)).ToTensorAsync(options, cancellationToken);

        /// <summary>The minima over <paramref name="axes"/> (null: every axis), lazily.</summary>
        /// <exception cref="InvalidOperationException">A reduced axis has length 0.</exception>
        public LazyReduction<T> Min(int[]? axes) => array.Extrema(axes, true, false);

        /// <summary>The maximum (NaN if any element is NaN, as numpy).</summary>
        /// <exception cref="InvalidOperationException">The array is empty.</exception>
        public Task<T> MaxAsync(PipelineOptions? options = null, CancellationToken cancellationToken = default) => ScalarAsync(array.Max(null), options, cancellationToken);

        /// <summary>The maxima over <paramref name="axes"/>.</summary>
        /// <exception cref="InvalidOperationException">A reduced axis has length 0.</exception>
        public Task<Tensor<T>> MaxAsync(int[] axes, PipelineOptions? options = null, CancellationToken cancellationToken = default) => array.Max(CheckAxes(axes)).ToTensorAsync(options, cancellationToken);

        /// <summary>The maxima over <paramref name="axes"/> (null: every axis), lazily.</summary>
        /// <exception cref="InvalidOperationException">A reduced axis has length 0.</exception>
        public LazyReduction<T> Max(int[]? axes) => array.Extrema(axes, false, false);

        /// <summary>The minimum skipping NaN (NaN when every element is NaN).</summary>
        public Task<T> NanMinAsync(PipelineOptions? options = null, CancellationToken cancellationToken = default) => ScalarAsync(array.NanMin(null), options, cancellationToken);

        /// <summary>The minima skipping NaN over <paramref name="axes"/>.</summary>
        public Task<Tensor<T>> NanMinAsync(int[] axes, PipelineOptions? options = null, CancellationToken cancellationToken = default) => array.NanMin(CheckAxes(axes)).ToTensorAsync(options, cancellationToken);

        /// <summary>The minima skipping NaN over <paramref name="axes"/> (null: every axis), lazily.</summary>
        public LazyReduction<T> NanMin(int[]? axes) => array.Extrema(axes, true, true);

        /// <summary>The maximum skipping NaN (NaN when every element is NaN).</summary>
        public Task<T> NanMaxAsync(PipelineOptions? options = null, CancellationToken cancellationToken = default) => ScalarAsync(array.NanMax(null), options, cancellationToken);

        /// <summary>The maxima skipping NaN over <paramref name="axes"/>.</summary>
        public Task<Tensor<T>> NanMaxAsync(int[] axes, PipelineOptions? options = null, CancellationToken cancellationToken = default) => array.NanMax(CheckAxes(axes)).ToTensorAsync(options, cancellationToken);

        /// <summary>The maxima skipping NaN over <paramref name="axes"/> (null: every axis), lazily.</summary>
        public LazyReduction<T> NanMax(int[]? axes) => array.Extrema(axes, false, true);

        private LazyReduction<T> Extrema(int[]? axes, bool min, bool skipNaN) =>
            Reductions.Create(array, ExtremaPlan(array, axes, min), new ExtremaKernel<T>(min, skipNaN));

        // ---------------------------------------------------------------- counts

        /// <summary>The number of elements that are not NaN.</summary>
        public async Task<long> CountNonNaNAsync(PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
            NumericTraits<T>.IsFloat ? await ScalarAsync(array.CountNonNaN(null), options, cancellationToken).ConfigureAwait(false) : Checked(array).Size;

        /// <summary>The number of elements that are not NaN along <paramref name="axes"/>.</summary>
        public Task<Tensor<long>> CountNonNaNAsync(int[] axes, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
            array.CountNonNaN(CheckAxes(axes)).ToTensorAsync(options, cancellationToken);

        /// <summary>The number of elements that are not NaN along <paramref name="axes"/> (null: every axis), lazily.</summary>
        public LazyReduction<long> CountNonNaN(int[]? axes) => Reductions.Create(Checked(array), axes, new CountKernel<T>());

        // ---------------------------------------------------------------- argmin, argmax

        /// <summary>The flat (C order) index of the first minimum; of the first NaN if there is one (numpy's <c>argmin()</c>).</summary>
        /// <exception cref="InvalidOperationException">The array is empty.</exception>
        public Task<long> ArgMinAsync(PipelineOptions? options = null, CancellationToken cancellationToken = default) => ScalarAsync(array.Arg(null, true, false), options, cancellationToken);

        /// <summary>The flat (C order) index of the first maximum; of the first NaN if there is one (numpy's <c>argmax()</c>).</summary>
        /// <exception cref="InvalidOperationException">The array is empty.</exception>
        public Task<long> ArgMaxAsync(PipelineOptions? options = null, CancellationToken cancellationToken = default) => ScalarAsync(array.Arg(null, false, false), options, cancellationToken);

        /// <summary>The flat index of the first minimum ignoring NaN (numpy's <c>nanargmin()</c>).</summary>
        /// <exception cref="InvalidOperationException">The array is empty, or every element is NaN.</exception>
        public Task<long> NanArgMinAsync(PipelineOptions? options = null, CancellationToken cancellationToken = default) => ScalarAsync(array.Arg(null, true, true), options, cancellationToken);

        /// <summary>The flat index of the first maximum ignoring NaN (numpy's <c>nanargmax()</c>).</summary>
        /// <exception cref="InvalidOperationException">The array is empty, or every element is NaN.</exception>
        public Task<long> NanArgMaxAsync(PipelineOptions? options = null, CancellationToken cancellationToken = default) => ScalarAsync(array.Arg(null, false, true), options, cancellationToken);

        /// <summary>The indices along <paramref name="axis"/> of the first minimum of each slice (numpy's <c>argmin(axis=axis)</c>; the first NaN wins): an array of the other axes' shape.</summary>
        /// <exception cref="ArgumentOutOfRangeException">The axis is out of range.</exception>
        /// <exception cref="InvalidOperationException">The axis has length 0.</exception>
        public Task<Tensor<long>> ArgMinAsync(int axis, PipelineOptions? options = null, CancellationToken cancellationToken = default) => array.ArgMin([axis]).ToTensorAsync(options, cancellationToken);

        /// <summary>The indices along <paramref name="axis"/> of the first maximum of each slice (numpy's <c>argmax(axis=axis)</c>).</summary>
        /// <exception cref="ArgumentOutOfRangeException">The axis is out of range.</exception>
        /// <exception cref="InvalidOperationException">The axis has length 0.</exception>
        public Task<Tensor<long>> ArgMaxAsync(int axis, PipelineOptions? options = null, CancellationToken cancellationToken = default) => array.ArgMax([axis]).ToTensorAsync(options, cancellationToken);

        /// <summary>numpy's <c>nanargmin(axis=axis)</c>.</summary>
        /// <exception cref="InvalidOperationException">The axis has length 0, or a slice is all NaN.</exception>
        public Task<Tensor<long>> NanArgMinAsync(int axis, PipelineOptions? options = null, CancellationToken cancellationToken = default) => array.NanArgMin([axis]).ToTensorAsync(options, cancellationToken);

        /// <summary>numpy's <c>nanargmax(axis=axis)</c>.</summary>
        /// <exception cref="InvalidOperationException">The axis has length 0, or a slice is all NaN.</exception>
        public Task<Tensor<long>> NanArgMaxAsync(int axis, PipelineOptions? options = null, CancellationToken cancellationToken = default) => array.NanArgMax([axis]).ToTensorAsync(options, cancellationToken);

        /// <summary>
        /// argmin lazily: <paramref name="axes"/> null for the flat index over every axis (a one-value result), or exactly
        /// one axis for the indices along it. numpy defines no argmin over several axes at once, nor do we.
        /// </summary>
        /// <exception cref="ArgumentException">More than one axis (or none) is given.</exception>
        /// <exception cref="InvalidOperationException">A reduced axis has length 0.</exception>
        public LazyReduction<long> ArgMin(int[]? axes) => array.Arg(axes, true, false);

        /// <summary>argmax lazily (see <see cref="ArgMin"/> for the axes).</summary>
        /// <exception cref="ArgumentException">More than one axis (or none) is given.</exception>
        /// <exception cref="InvalidOperationException">A reduced axis has length 0.</exception>
        public LazyReduction<long> ArgMax(int[]? axes) => array.Arg(axes, false, false);

        /// <summary>nanargmin lazily (see <see cref="ArgMin"/> for the axes); a slice that is all NaN fails the run.</summary>
        /// <exception cref="ArgumentException">More than one axis (or none) is given.</exception>
        public LazyReduction<long> NanArgMin(int[]? axes) => array.Arg(axes, true, true);

        /// <summary>nanargmax lazily (see <see cref="ArgMin"/> for the axes); a slice that is all NaN fails the run.</summary>
        /// <exception cref="ArgumentException">More than one axis (or none) is given.</exception>
        public LazyReduction<long> NanArgMax(int[]? axes) => array.Arg(axes, false, true);

        private LazyReduction<long> Arg(int[]? axes, bool min, bool skipNaN)
        {
            var node = Checked(array).Node;
            if (axes is not null && axes.Length != 1)
            {
                throw new ArgumentException($"arg{(min ? "min" : "max")} reduces over every axis (null) or along exactly one axis, as numpy; {axes.Length} axes were given", nameof(axes));
            }

            var plan = new AxisPlan(node.Shape, node.Chunks, axes);
            if (plan.ReducedCount == 0)
            {
                throw new InvalidOperationException($"arg{(min ? "min" : "max")} of an empty sequence");
            }

            return Reductions.Create(array, plan, new ArgKernel<T>(min, skipNaN, axes is null ? -1 : plan.ReducedAxes[0], node.Shape));
        }

        // ---------------------------------------------------------------- histogram

        /// <summary>
        /// numpy's <c>histogram(x, bins=edges)</c> over every element: counts per bin [e₀, e₁), …, [eₙ₋₁, eₙ] (the last bin
        /// includes its right edge); values outside the edges and NaN are not counted.
        /// </summary>
        /// <exception cref="ArgumentException">Fewer than two edges, or edges not increasing.</exception>
        public async Task<long[]> HistogramAsync(double[] edges, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
            await array.Histogram(edges, null).ToArrayAsync(options, cancellationToken).ConfigureAwait(false);

        /// <summary>Histograms over <paramref name="axes"/>, one per cell of the other axes: a tensor of the kept axes' shape plus a last axis of bins.</summary>
        /// <exception cref="ArgumentException">Fewer than two edges, or edges not increasing.</exception>
        public Task<Tensor<long>> HistogramAsync(double[] edges, int[] axes, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
            array.Histogram(edges, CheckAxes(axes)).ToTensorAsync(options, cancellationToken);

        /// <summary>Histograms over <paramref name="axes"/> (null: every axis, a result of shape [bins]), lazily: the kept axes plus a last axis of bins.</summary>
        /// <exception cref="ArgumentException">Fewer than two edges, or edges not increasing.</exception>
        public LazyReduction<long> Histogram(double[] edges, int[]? axes)
        {
            ArgumentNullException.ThrowIfNull(edges);
            if (edges.Length < 2)
            {
                throw new ArgumentException("a histogram needs at least two bin edges", nameof(edges));
            }

            for (var i = 1; i < edges.Length; i++)
            {
                if (!(edges[i] > edges[i - 1]))
                {
                    throw new ArgumentException($"bin edges must increase monotonically (edge {i} is {edges[i]} after {edges[i - 1]})", nameof(edges));
                }
            }

            return Reductions.Create(Checked(array), axes, new HistogramKernel<T>((double[])edges.Clone()));
        }
    }

    internal static async Task<TOut> ScalarAsync<TOut>(LazyReduction<TOut> reduction, PipelineOptions? options, CancellationToken cancellationToken) where TOut : unmanaged =>
        (await reduction.ToArrayAsync(options, cancellationToken).ConfigureAwait(false))[0];

    internal static LazyArray<TX> Checked<TX>(LazyArray<TX> array) where TX : unmanaged => LazyArrayArithmetic.Checked(array);

    internal static int[] CheckAxes(int[] axes)
    {
        ArgumentNullException.ThrowIfNull(axes);
        return axes;
    }

    /// <summary>The plan of a minimum or maximum, which has no value over zero elements (numpy raises).</summary>
    /// <exception cref="InvalidOperationException">A reduced axis has length zero.</exception>
    internal static AxisPlan ExtremaPlan<TX>(LazyArray<TX> array, int[]? axes, bool min) where TX : unmanaged
    {
        var plan = new AxisPlan(Checked(array).Node.Shape, array.Node.Chunks, axes);
        return plan.ReducedCount == 0
            ? throw new InvalidOperationException($"{(min ? "minimum" : "maximum")} of an empty selection: a zero-size reduction has no identity")
            : plan;
    }

    internal static int CheckDdof(int ddof)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ddof);
        return ddof;
    }
}

/// <summary>Sums, means, variances and standard deviations of complex lazy arrays (as numpy), per cell in double precision.</summary>
public static class LazyArrayComplexReductions
{
    /// <summary>The complex sum of all elements.</summary>
    public static async Task<Complex> SumAsync(this LazyArray<Complex> array, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        await LazyArrayReductions.ScalarAsync(array.Sum(null), options, cancellationToken).ConfigureAwait(false);

    /// <summary>Complex sums over <paramref name="axes"/> (null: every axis), lazily.</summary>
    public static LazyReduction<Complex> Sum(this LazyArray<Complex> array, int[]? axes) => ComplexSumKernel.Create(LazyArrayReductions.Checked(array), axes, false);

    /// <summary>The complex mean of all elements (NaN + NaN i for an empty array).</summary>
    public static async Task<Complex> MeanAsync(this LazyArray<Complex> array, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        await LazyArrayReductions.ScalarAsync(array.Mean(null), options, cancellationToken).ConfigureAwait(false);

    /// <summary>Complex means over <paramref name="axes"/> (null: every axis), lazily.</summary>
    public static LazyReduction<Complex> Mean(this LazyArray<Complex> array, int[]? axes) => ComplexSumKernel.Create(LazyArrayReductions.Checked(array), axes, true);

    /// <summary>The variance of all elements: the mean of |x − mean|² over n − <paramref name="ddof"/> (real, as numpy; NaN when n ≤ ddof).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ddof"/> is negative.</exception>
    public static Task<double> VarAsync(this LazyArray<Complex> array, int ddof = 0, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        LazyArrayReductions.ScalarAsync(array.Var(null, ddof), options, cancellationToken);

    /// <summary>Variances over <paramref name="axes"/> (null: every axis), lazily.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ddof"/> is negative, or an axis is out of range.</exception>
    public static LazyReduction<double> Var(this LazyArray<Complex> array, int[]? axes, int ddof = 0) =>
        Reductions.Create(LazyArrayReductions.Checked(array), axes, new ComplexMomentKernel(LazyArrayReductions.CheckDdof(ddof), false));

    /// <summary>The standard deviation of all elements (the square root of <see cref="VarAsync(LazyArray{Complex}, int, PipelineOptions?, CancellationToken)"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ddof"/> is negative.</exception>
    public static Task<double> StdAsync(this LazyArray<Complex> array, int ddof = 0, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        LazyArrayReductions.ScalarAsync(array.Std(null, ddof), options, cancellationToken);

    /// <summary>Standard deviations over <paramref name="axes"/> (null: every axis), lazily.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ddof"/> is negative, or an axis is out of range.</exception>
    public static LazyReduction<double> Std(this LazyArray<Complex> array, int[]? axes, int ddof = 0) =>
        Reductions.Create(LazyArrayReductions.Checked(array), axes, new ComplexMomentKernel(LazyArrayReductions.CheckDdof(ddof), true));

    /// <summary>The smallest element in numpy's order (by real part, then imaginary part; NaN propagates).</summary>
    /// <exception cref="InvalidOperationException">The array is empty (numpy raises too).</exception>
    public static Task<Complex> MinAsync(this LazyArray<Complex> array, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        LazyArrayReductions.ScalarAsync(array.Min(null), options, cancellationToken);

    /// <summary>Minima over <paramref name="axes"/> (null: every axis), lazily.</summary>
    /// <exception cref="InvalidOperationException">A reduced axis has length zero.</exception>
    public static LazyReduction<Complex> Min(this LazyArray<Complex> array, int[]? axes) =>
        Reductions.Create(array, LazyArrayReductions.ExtremaPlan(array, axes, true), new ComplexExtremaKernel(true));

    /// <summary>The largest element in numpy's order (by real part, then imaginary part; NaN propagates).</summary>
    /// <exception cref="InvalidOperationException">The array is empty (numpy raises too).</exception>
    public static Task<Complex> MaxAsync(this LazyArray<Complex> array, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        LazyArrayReductions.ScalarAsync(array.Max(null), options, cancellationToken);

    /// <summary>Maxima over <paramref name="axes"/> (null: every axis), lazily.</summary>
    /// <exception cref="InvalidOperationException">A reduced axis has length zero.</exception>
    public static LazyReduction<Complex> Max(this LazyArray<Complex> array, int[]? axes) =>
        Reductions.Create(array, LazyArrayReductions.ExtremaPlan(array, axes, false), new ComplexExtremaKernel(false));

    /// <summary>The smallest element in numpy's order, as a double-precision complex.</summary>
    /// <exception cref="InvalidOperationException">The array is empty.</exception>
    public static Task<Complex> MinAsync(this LazyArray<Complex64> array, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        LazyArrayReductions.Checked(array).Cast<Complex>().MinAsync(options, cancellationToken);

    /// <summary>Minima over <paramref name="axes"/> (null: every axis), lazily, as double-precision complex.</summary>
    public static LazyReduction<Complex> Min(this LazyArray<Complex64> array, int[]? axes) => LazyArrayReductions.Checked(array).Cast<Complex>().Min(axes);

    /// <summary>The largest element in numpy's order, as a double-precision complex.</summary>
    /// <exception cref="InvalidOperationException">The array is empty.</exception>
    public static Task<Complex> MaxAsync(this LazyArray<Complex64> array, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        LazyArrayReductions.Checked(array).Cast<Complex>().MaxAsync(options, cancellationToken);

    /// <summary>Maxima over <paramref name="axes"/> (null: every axis), lazily, as double-precision complex.</summary>
    public static LazyReduction<Complex> Max(this LazyArray<Complex64> array, int[]? axes) => LazyArrayReductions.Checked(array).Cast<Complex>().Max(axes);

    /// <summary>The variance of all elements, in double precision.</summary>
    public static Task<double> VarAsync(this LazyArray<Complex64> array, int ddof = 0, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        LazyArrayReductions.Checked(array).Cast<Complex>().VarAsync(ddof, options, cancellationToken);

    /// <summary>Variances over <paramref name="axes"/> (null: every axis), lazily, in double precision.</summary>
    public static LazyReduction<double> Var(this LazyArray<Complex64> array, int[]? axes, int ddof = 0) => LazyArrayReductions.Checked(array).Cast<Complex>().Var(axes, ddof);

    /// <summary>The standard deviation of all elements, in double precision.</summary>
    public static Task<double> StdAsync(this LazyArray<Complex64> array, int ddof = 0, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        LazyArrayReductions.Checked(array).Cast<Complex>().StdAsync(ddof, options, cancellationToken);

    /// <summary>Standard deviations over <paramref name="axes"/> (null: every axis), lazily, in double precision.</summary>
    public static LazyReduction<double> Std(this LazyArray<Complex64> array, int[]? axes, int ddof = 0) => LazyArrayReductions.Checked(array).Cast<Complex>().Std(axes, ddof);

    /// <summary>The complex sum of all elements, accumulated in double precision (numpy returns complex64; convert the result to get it).</summary>
    public static Task<Complex> SumAsync(this LazyArray<Complex64> array, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        LazyArrayReductions.Checked(array).Cast<Complex>().SumAsync(options, cancellationToken);

    /// <summary>Complex sums over <paramref name="axes"/> (null: every axis), lazily, in double precision.</summary>
    public static LazyReduction<Complex> Sum(this LazyArray<Complex64> array, int[]? axes) => LazyArrayReductions.Checked(array).Cast<Complex>().Sum(axes);

    /// <summary>The complex mean of all elements, in double precision.</summary>
    public static Task<Complex> MeanAsync(this LazyArray<Complex64> array, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        LazyArrayReductions.Checked(array).Cast<Complex>().MeanAsync(options, cancellationToken);

    /// <summary>Complex means over <paramref name="axes"/> (null: every axis), lazily, in double precision.</summary>
    public static LazyReduction<Complex> Mean(this LazyArray<Complex64> array, int[]? axes) => LazyArrayReductions.Checked(array).Cast<Complex>().Mean(axes);
}
