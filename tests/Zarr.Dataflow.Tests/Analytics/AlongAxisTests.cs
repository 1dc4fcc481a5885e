using Zarr.Storage;

namespace Zarr.Dataflow.Tests.Analytics;

/// <summary>Quantiles, fits, groups, resampling, cumulative and rolling results along each axis, against numpy and xarray.</summary>
public sealed class AlongAxisTests
{
    private static readonly long[] Shape = [6, 5, 4];

    /// <summary>Chunk grids of the (6, 5, 4) input: edge chunks, one chunk, single-index chunks on the first axis.</summary>
    public static TheoryData<int[]> ChunkGrids => new([4, 2, 3], [6, 5, 4], [1, 3, 2]);

    private static readonly PipelineOptions[] Options = [PipelineOptions.Uniform(1, 1), PipelineOptions.Uniform(4, 2)];

    /// <summary>The input: random values as float32 holds them, a tenth NaN, and lane (·, 0, 0) along axis 0 all NaN.</summary>
    private static double[] Input()
    {
        var data = NumpyPeer.Data(120, 31, 0.1).Select(v => (double)(float)v).ToArray();
        for (var t = 0; t < 6; t++)
        {
            data[t * 20] = double.NaN;
        }

        return data;
    }

    private static async Task<LazyArray<float>> StoredAsync(double[] data, int[] chunks) =>
        Lazy.From(await Support.ArrayAsync(new MemoryStore(), "x", Shape, chunks, data.Select(v => (float)v).ToArray()));

    [Theory]
    [MemberData(nameof(ChunkGrids))]
    public async Task QuantilesAndMediansMatchNumpy(int[] chunks)
    {
        var data = Input();
        var snippet = "results = [r for a in range(3) for r in (np.nanquantile(x, 0.9, axis=a), np.nanquantile(x, 0.25, axis=a), np.nanmedian(x, axis=a), np.nanpercentile(x, 37.5, axis=a), np.quantile(x, 0.5, axis=a))]";
        var expected = await NumpyPeer.RunAsync(snippet, new NumpyInput("x", data, Shape));
        var x = await StoredAsync(data, chunks);
        foreach (var options in Options)
        {
            for (var axis = 0; axis < 3; axis++)
            {
                var q90 = x.Quantile(0.9, axis);
                Assert.Equal(Shape.Where((_, d) => d != axis).ToArray(), q90.Shape.ToArray());
                NumpyPeer.AssertClose(expected[5 * axis], await q90.ToArrayAsync(options), $"nanquantile 0.9, axis {axis}");
                NumpyPeer.AssertClose(expected[(5 * axis) + 1], await x.Quantile(0.25, axis - 3).ToArrayAsync(options), $"nanquantile 0.25, axis {axis}");
                NumpyPeer.AssertClose(expected[(5 * axis) + 2], await x.Median(axis).ToArrayAsync(options), $"nanmedian, axis {axis}");
                NumpyPeer.AssertClose(expected[(5 * axis) + 3], await x.Percentile(37.5, axis).ToArrayAsync(options), $"nanpercentile 37.5, axis {axis}");
                NumpyPeer.AssertClose(expected[(5 * axis) + 4], await x.Quantile(0.5, axis, skipNaN: false).ToArrayAsync(options), $"quantile 0.5, axis {axis}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(ChunkGrids))]
    public async Task SeveralQuantilesAndEachMethodMatchNumpy(int[] chunks)
    {
        // 0.125 and 0.375 of five values fall at positions 0.5 and 1.5: ties that "nearest" rounds to the even one.
        var data = Input();
        const string Snippet = """
            qs = [0.0, 0.125, 0.375, 0.9, 1.0]
            methods = ['linear', 'lower', 'higher', 'nearest', 'midpoint']
            results = []
            for a in range(3):
                for m in methods:
                    results.append(np.moveaxis(np.nanquantile(x, qs, axis=a, method=m), 0, a))
                    results.append(np.nanquantile(x, 0.375, axis=a, method=m))
                results.append(np.moveaxis(np.quantile(x, qs, axis=a, method='nearest'), 0, a))
            """;
        var expected = await NumpyPeer.RunAsync(Snippet, new NumpyInput("x", data, Shape));
        double[] qs = [0.0, 0.125, 0.375, 0.9, 1.0];
        QuantileMethod[] methods = [QuantileMethod.Linear, QuantileMethod.Lower, QuantileMethod.Higher, QuantileMethod.Nearest, QuantileMethod.Midpoint];
        var x = await StoredAsync(data, chunks);
        foreach (var options in Options)
        {
            for (var axis = 0; axis < 3; axis++)
            {
                var at = 11 * axis;
                for (var m = 0; m < methods.Length; m++)
                {
                    var several = x.Quantiles(qs, axis, method: methods[m]);
                    var shape = Shape.ToArray();
                    shape[axis] = qs.Length;
                    Assert.Equal(shape, several.Shape.ToArray());
                    NumpyPeer.AssertClose(expected[at + (2 * m)], await several.ToArrayAsync(options), $"nanquantile {methods[m]} of five quantiles, axis {axis}");
                    NumpyPeer.AssertClose(expected[at + (2 * m) + 1], await x.Quantile(0.375, axis, method: methods[m]).ToArrayAsync(options), $"nanquantile {methods[m]} 0.375, axis {axis}");
                }

                NumpyPeer.AssertClose(expected[at + 10], await x.Quantiles(qs, axis - 3, skipNaN: false, method: QuantileMethod.Nearest).ToArrayAsync(options), $"quantile nearest (NaN kept), axis {axis}");
            }
        }

        Assert.Throws<ArgumentException>(() => x.Quantiles([], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Quantiles([0.5, -0.1], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Quantile(0.5, 0, method: (QuantileMethod)9));
    }

    [Theory]
    [MemberData(nameof(ChunkGrids))]
    public async Task PolynomialFitsMatchXarrayRankDeficientCellsIncluded(int[] chunks)
    {
        // Besides the input's NaN: lane (·, 1, 0) along axis 0 keeps one point, lane (·, 2, 0) two; with the repeated
        // abscissae of "pairs", a lane keeping both points of one abscissa has fewer distinct abscissae than it seems.
        var data = Input();
        for (var t = 0; t < 6; t++)
        {
            data[(t * 20) + 4] = t == 2 ? data[(t * 20) + 4] : double.NaN;
            data[(t * 20) + 8] = t is 0 or 1 ? 1.5 + t : double.NaN;
        }

        double[] days = [0, 31, 59, 90, 120, 151];
        double[] pairs = [0, 0, 31, 31, 59, 59];
        double[] at = [0, 10, 100.5];
        const string Fit = """
            import xarray as xr
            dims = ['a', 'b', 'c']
            def fit(x, axis, deg, xs, **kw):
                r = xr.DataArray(x, dims=dims, coords={dims[axis]: xs}).polyfit(dims[axis], deg, **kw).polyfit_coefficients
                return r.transpose('degree', *[d for i, d in enumerate(dims) if i != axis])
            def inplace(r, axis):
                return np.moveaxis(r.values, 0, axis)
            def determined(x, deg, xs):
                ok = ~np.isnan(x)
                distinct = np.apply_along_axis(lambda m: len(np.unique(xs[m])), 0, ok)
                return np.where(distinct > deg, 1.0, np.nan)
            line = fit(x, 0, 1, days)
            results = [inplace(line, 0), inplace(fit(x, 0, 2, days), 0), inplace(fit(x, 1, 1, np.arange(5.0)), 1), inplace(fit(x, 2, 3, np.arange(4.0)), 2),
                       inplace(fit(x, 0, 2, pairs), 0), inplace(fit(x, 0, 3, pairs), 0), inplace(fit(x, 0, 1, days, skipna=False), 0),
                       inplace(fit(x, 0, 2, days), 0) * determined(x, 2, days),
                       xr.polyval(xr.DataArray(at, dims='e', coords={'e': at}), line).transpose('e', 'b', 'c').values]
            """;
        var expected = await NumpyPeer.RunAsync(Fit, new NumpyInput("x", data, Shape), new NumpyInput("days", days, [6]), new NumpyInput("pairs", pairs, [6]), new NumpyInput("at", at, [3]));
        var x = await StoredAsync(data, chunks);
        foreach (var options in Options)
        {
            var line = x.PolyFit(0, 1, days);
            Assert.Equal([2L, 5, 4], line.Shape.ToArray());
            NumpyPeer.AssertClose(expected[0], await line.ToArrayAsync(options), "polyfit degree 1 over days", 1e-7);
            NumpyPeer.AssertClose(expected[1], await x.PolyFit(0, 2, days).ToArrayAsync(options), "polyfit degree 2 over days", 1e-7);
            NumpyPeer.AssertClose(expected[2], await x.PolyFit(1, 1).ToArrayAsync(options), "polyfit degree 1 along axis 1", 1e-7);
            NumpyPeer.AssertClose(expected[3], await x.PolyFit(-1, 3).ToArrayAsync(options), "polyfit degree 3 along axis 2 (a NaN leaves three points)", 1e-6);
            NumpyPeer.AssertClose(expected[4], await x.PolyFit(0, 2, pairs).ToArrayAsync(options), "polyfit degree 2 over paired abscissae", 1e-6);
            NumpyPeer.AssertClose(expected[5], await x.PolyFit(0, 3, pairs).ToArrayAsync(options), "polyfit degree 3 over three distinct abscissae", 1e-6);
            NumpyPeer.AssertClose(expected[6], await x.PolyFit(0, 1, days, skipNaN: false).ToArrayAsync(options), "polyfit skipna=False", 1e-7);
            NumpyPeer.AssertClose(expected[7], await x.PolyFit(0, 2, days, rankDeficientAsNaN: true).ToArrayAsync(options), "polyfit with NaN for undetermined cells", 1e-7);
            var values = await line.PolyVal(0, at).ToArrayAsync(options);
            NumpyPeer.AssertClose(expected[8], values, "polyval of the line at three abscissae", 1e-7);
        }

        Assert.Throws<ArgumentException>(() => x.PolyFit(0, 1, [0, 1, 2, double.NaN, 4, 5]));
        Assert.Throws<ArgumentException>(() => x.PolyVal(0, []));
    }

    [Theory]
    [MemberData(nameof(ChunkGrids))]
    public async Task GroupsAndResamplingMatchNumpyPerGroup(int[] chunks)
    {
        var data = Input();
        int[] months = [3, 1, 3, 2, 1, 3];
        const string Groups = """
            def by(x, axis, labels, f):
                return np.stack([f(np.take(x, np.nonzero(labels == g)[0], axis=axis), axis=axis) for g in np.unique(labels)], axis=axis)
            count = lambda v, axis: np.sum(~np.isnan(v), axis=axis)
            sums = lambda v, axis: np.nansum(v, axis=axis)
            std1 = lambda v, axis: np.nanstd(v, axis=axis, ddof=1)
            halves = np.arange(5) // 2
            results = [by(x, 0, months, np.nanmean), by(x, 0, months, sums), by(x, 0, months, np.nanmin), by(x, 0, months, np.nanmax),
                       by(x, 0, months, count), by(x, 0, months, np.nanstd), by(x, 0, months, std1), by(x, 1, halves, np.nanmean),
                       by(x, 0, months, np.nanmedian), by(x, 1, halves, np.nanmedian), by(x, 2, np.array([7, 7, 7, 7]), np.nanmedian)]
            """;
        var expected = await NumpyPeer.RunAsync(Groups, new NumpyInput("x", data, Shape), new NumpyInput("months", [.. months.Select(m => (double)m)], [6]));
        var x = await StoredAsync(data, chunks);
        foreach (var options in Options)
        {
            var byMonth = x.GroupBy(0, months);
            Assert.Equal([1, 2, 3], byMonth.Groups.ToArray());
            var mean = byMonth.Mean();
            Assert.Equal([3L, 5, 4], mean.Shape.ToArray());
            NumpyPeer.AssertClose(expected[0], await mean.ToArrayAsync(options), "mean per month", 1e-6);
            NumpyPeer.AssertClose(expected[1], await byMonth.Sum().ToArrayAsync(options), "sum per month", 1e-6);
            NumpyPeer.AssertClose(expected[2], await byMonth.Min().ToArrayAsync(options), "min per month", 1e-6);
            NumpyPeer.AssertClose(expected[3], await byMonth.Max().ToArrayAsync(options), "max per month", 1e-6);
            NumpyPeer.AssertClose(expected[4], await byMonth.Count().ToArrayAsync(options), "count per month");
            NumpyPeer.AssertClose(expected[5], await byMonth.Std().ToArrayAsync(options), "std per month", 1e-6);
            NumpyPeer.AssertClose(expected[6], await byMonth.Std(ddof: 1).ToArrayAsync(options), "std (ddof 1) per month", 1e-6);

            var coarse = x.Resample(1, 2);
            Assert.Equal([0, 1, 2], coarse.Groups.ToArray());
            NumpyPeer.AssertClose(expected[7], await coarse.Mean().ToArrayAsync(options), "resample by 2 along axis 1", 1e-6);
            NumpyPeer.AssertClose(expected[8], await byMonth.Median().ToArrayAsync(options), "median per month", 1e-9);
            NumpyPeer.AssertClose(expected[9], await coarse.Median().ToArrayAsync(options), "median of a resample by 2 along axis 1", 1e-9);
            NumpyPeer.AssertClose(expected[10], await x.GroupBy(-1, [7, 7, 7, 7]).Median().ToArrayAsync(options), "median of one group along the last axis", 1e-9);
        }
    }

    [Theory]
    [MemberData(nameof(ChunkGrids))]
    public async Task CumulativeResultsMatchNumpy(int[] chunks)
    {
        var data = Input().Select(v => double.IsNaN(v) ? v : (double)(float)(v / 40)).ToArray();
        var expected = await NumpyPeer.RunAsync(
            "results = [r for a in range(3) for r in (np.nancumsum(x, axis=a), np.nancumprod(x, axis=a), np.cumsum(x, axis=a))]",
            new NumpyInput("x", data, Shape));
        var x = await StoredAsync(data, chunks);
        foreach (var options in Options)
        {
            for (var axis = 0; axis < 3; axis++)
            {
                NumpyPeer.AssertClose(expected[3 * axis], await x.CumSum(axis).ToArrayAsync(options), $"nancumsum, axis {axis}", 1e-6);
                NumpyPeer.AssertClose(expected[(3 * axis) + 1], await x.CumProd(axis).ToArrayAsync(options), $"nancumprod, axis {axis}", 1e-6);
                NumpyPeer.AssertClose(expected[(3 * axis) + 2], await x.CumSum(axis, skipNaN: false).ToArrayAsync(options), $"cumsum, axis {axis}", 1e-6);
            }
        }
    }

    [Theory]
    [MemberData(nameof(ChunkGrids))]
    public async Task RollingWindowsMatchXarray(int[] chunks)
    {
        var data = Input();
        const string Rolling = """
            import xarray as xr
            a = xr.DataArray(x, dims=['t', 'y', 'x'])
            results = []
            for w, mp, c in ((3, None, False), (3, 1, True), (4, 2, True), (2, 1, False)):
                r = a.rolling(t=w, min_periods=mp, center=c)
                results += [r.mean().values, r.sum().values, r.min().values, r.max().values]
            results.append(a.rolling(x=3, min_periods=1, center=True).mean().values)
            """;
        var expected = await NumpyPeer.RunAsync(Rolling, new NumpyInput("x", data, Shape));
        var x = await StoredAsync(data, chunks);
        (int Window, int? MinPeriods, bool Center)[] cases = [(3, null, false), (3, 1, true), (4, 2, true), (2, 1, false)];
        foreach (var options in Options)
        {
            for (var i = 0; i < cases.Length; i++)
            {
                var (window, minPeriods, center) = cases[i];
                var rolling = x.Rolling(0, window, minPeriods, center);
                var what = $"rolling(t={window}, min_periods={minPeriods}, center={center})";
                NumpyPeer.AssertClose(expected[4 * i], await rolling.Mean().ToArrayAsync(options), what + ".mean", 1e-6);
                NumpyPeer.AssertClose(expected[(4 * i) + 1], await rolling.Sum().ToArrayAsync(options), what + ".sum", 1e-6);
                NumpyPeer.AssertClose(expected[(4 * i) + 2], await rolling.Min().ToArrayAsync(options), what + ".min", 1e-6);
                NumpyPeer.AssertClose(expected[(4 * i) + 3], await rolling.Max().ToArrayAsync(options), what + ".max", 1e-6);
            }

            NumpyPeer.AssertClose(expected[16], await x.Rolling(-1, 3, 1, center: true).Mean().ToArrayAsync(options), "rolling along the last axis", 1e-6);
        }
    }

    [Fact]
    public void ArgumentsOutOfRangeAreRefused()
    {
        var x = Lazy.Generate<double>([6, 5], [2, 5], static (_, d) => d.Fill(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Quantile(1.5, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Median(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.PolyFit(0, 0));
        Assert.Throws<ArgumentException>(() => x.PolyFit(0, 1, [1, 2]));
        Assert.Throws<ArgumentException>(() => x.GroupBy(0, [1, 2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Rolling(0, 3, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Resample(1, 0));
    }
}
