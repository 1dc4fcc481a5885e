using System.Globalization;
using System.Text.Json.Nodes;
using Zarr.Dataflow.Datasets;
using Zarr.Storage;
using Zarr.Storage.Datasets;

namespace Zarr.Dataflow.Tests.Analytics;

/// <summary>
/// Analytics on dataset variables carry names and coordinates as xarray does: a groupby by month gives <c>month</c> in
/// the time dimension's place with the months present, a quantile drops the dimension, a fit puts <c>degree</c> first;
/// each checked against xarray opening the same dataset (its dims asserted in Python, its values compared here).
/// </summary>
public sealed class DatasetAnalyticsTests
{
    // Twelve steps over fifteen months, none in April, June, August to November: months 1, 2, 3, 5, 7, 12.
    private static readonly DateTime[] Times =
    [
        .. new[] { "2000-01-05", "2000-01-20", "2000-02-11", "2000-03-03", "2000-03-30", "2000-05-01", "2000-07-04", "2000-07-20", "2000-12-24", "2001-01-02", "2001-02-28", "2001-03-15" }
            .Select(d => DateTime.SpecifyKind(DateTime.Parse(d, CultureInfo.InvariantCulture), DateTimeKind.Utc)),
    ];

    private const int Lats = 5, Lons = 4;

    /// <summary>temp(lat, time, lon) float32, time in the middle, a tenth NaN and cell (0, ·, 0) all NaN; chunks (2, 5, 3) leave edge chunks on every axis.</summary>
    private static async Task<string> DatasetAsync(TempDir dir)
    {
        var data = NumpyPeer.Data(Lats * Times.Length * Lons, 53, 0.1).Select(v => (float)v).ToArray();
        for (var t = 0; t < Times.Length; t++)
        {
            data[t * Lons] = float.NaN;
        }

        var contents = new DatasetContents()
            .AddCoordinate("lat", new[] { -40.0, -20, 0, 20, 40 }, new JsonObject { ["units"] = "degrees_north" })
            .AddCoordinate("time", Times)
            .AddCoordinate("lon", new[] { 0.0, 90, 180, 270 })
            .AddVariable("temp", ["lat", "time", "lon"], data, new JsonObject { ["units"] = "degC" });
        var path = Path.Combine(dir.Path, "in.zarr");
        await ZarrDataset.CreateAsync(new DirectoryStore(path), "", contents, new DatasetWriteOptions
        {
            Chunks = new Dictionary<string, int> { ["lat"] = 2, ["time"] = 5, ["lon"] = 3 },
        });
        return path;
    }

    private static readonly PipelineOptions[] Options = [PipelineOptions.Uniform(1, 1), PipelineOptions.Uniform(4, 2)];

    [Fact]
    public async Task GroupbyMonthQuantileAndPolyfitCarryDimsAndCoordinatesAsXarray()
    {
        using var dir = new TempDir();
        var path = await DatasetAsync(dir);
        var snippet = $$"""
            import xarray as xr
            ds = xr.open_zarr(r'{{path}}')
            t = ds.temp.load()
            g = t.groupby('time.month')
            mean, std, mx = g.mean(), g.std(), g.max()
            assert mean.dims == ('lat', 'month', 'lon'), mean.dims
            q = t.quantile(0.9, 'time')
            assert q.dims == ('lat', 'lon'), q.dims
            assert q['quantile'].dims == () and float(q['quantile']) == 0.9, q['quantile']
            qs = t.quantile([0.1, 0.5, 0.95], 'time', method='nearest')
            assert qs.dims == ('quantile', 'lat', 'lon'), qs.dims
            qlat = t.quantile([0.25, 0.75], 'lat', method='midpoint')
            assert qlat.dims == ('quantile', 'time', 'lon'), qlat.dims
            fit = t.polyfit('time', 1).polyfit_coefficients
            assert fit.dims == ('degree', 'lat', 'lon'), fit.dims
            lat2 = t.polyfit('lat', 2).polyfit_coefficients
            assert lat2.dims == ('degree', 'time', 'lon'), lat2.dims
            # Cell (0, ·, 0) has no points along time: NaN coefficients, as ours.
            assert np.isnan(fit.values[:, 0, 0]).all()
            strict = t.polyfit('time', 1, skipna=False).polyfit_coefficients
            sub = t.isel(lon=1).sel(time=slice('2000-03-01', '2000-12-31')).groupby('time.month').sum()
            assert sub.dims == ('lat', 'month'), sub.dims
            perday = np.array([86400e9, 1.0])[:, None, None]
            results = [mean.values, std.values, mx.values, mean.month.values, mean.lat.values, mean.lon.values,
                       q.values, fit.values * perday, fit.degree.values, lat2.values, lat2.degree.values,
                       sub.values, sub.month.values, sub.lat.values, qs.values, qs['quantile'].values, qlat.values, strict.values * perday]
            """;
        var expected = await NumpyPeer.RunAsync(snippet);

        var dataset = await ZarrDataset.OpenAsync(new DirectoryStore(path));
        var temp = dataset["temp"];
        foreach (var options in Options)
        {
            var mean = await temp.GroupByMonthAsync("time", DatasetReduction.Mean, options);
            Assert.Equal(["lat", "month", "lon"], mean.Dimensions.ToArray());
            Assert.Equal([(long)Lats, 6, Lons], mean.Shape.ToArray());
            Assert.Equal(["lat", "lon"], mean.Coordinates.Select(c => c.Name));
            var month = Assert.Single(mean.Labels);
            Assert.Equal("month", month.Name);
            NumpyPeer.AssertClose(expected[3], month.Values.ToArray(), "month coordinate");
            NumpyPeer.AssertClose(expected[0], mean.Values.ToArray(), "groupby('time.month').mean()", 1e-6);
            NumpyPeer.AssertClose(expected[1], (await temp.GroupByMonthAsync("time", DatasetReduction.Std, options)).Values.ToArray(), "groupby('time.month').std()", 1e-6);
            NumpyPeer.AssertClose(expected[2], (await temp.GroupByMonthAsync("time", DatasetReduction.Max, options)).Values.ToArray(), "groupby('time.month').max()", 1e-6);

            var q = await temp.QuantileAsync("time", 0.9, options: options);
            Assert.Equal(["lat", "lon"], q.Dimensions.ToArray());
            var scalar = Assert.Single(q.Labels);
            Assert.True(scalar.IsScalar);
            Assert.Equal("quantile", scalar.Name);
            Assert.Equal([0.9], scalar.Values.ToArray());
            NumpyPeer.AssertClose(expected[6], q.Values.ToArray(), "quantile(0.9, 'time')", 1e-6);

            var qs = await temp.QuantilesAsync("time", [0.1, 0.5, 0.95], QuantileMethod.Nearest, options);
            Assert.Equal(["quantile", "lat", "lon"], qs.Dimensions.ToArray());
            Assert.Equal([3L, Lats, Lons], qs.Shape.ToArray());
            Assert.Equal(["lat", "lon"], qs.Coordinates.Select(c => c.Name));
            var quantile = Assert.Single(qs.Labels);
            Assert.False(quantile.IsScalar || quantile.IsInteger);
            NumpyPeer.AssertClose(expected[15], quantile.Values.ToArray(), "quantile coordinate");
            NumpyPeer.AssertClose(expected[14], qs.Values.ToArray(), "quantile([0.1, 0.5, 0.95], 'time', method='nearest')", 1e-6);
            var qlat = await temp.QuantilesAsync("lat", [0.25, 0.75], QuantileMethod.Midpoint, options);
            Assert.Equal(["quantile", "time", "lon"], qlat.Dimensions.ToArray());
            NumpyPeer.AssertClose(expected[16], qlat.Values.ToArray(), "quantile([0.25, 0.75], 'lat', method='midpoint')", 1e-6);

            var fit = await temp.PolyFitAsync("time", 1, options: options);
            Assert.Equal("temp_polyfit_coefficients", fit.Name);
            Assert.Equal(["degree", "lat", "lon"], fit.Dimensions.ToArray());
            Assert.Equal([2L, Lats, Lons], fit.Shape.ToArray());
            NumpyPeer.AssertClose(expected[8], fit.Labels.Single().Values.ToArray(), "degree coordinate");
            var cells = Lats * Lons;
            var perDay = fit.Values.Select((v, i) => i < cells ? v * 86400e9 : v).ToArray();
            NumpyPeer.AssertClose(expected[7], perDay, "polyfit('time', 1) (slope per day, intercept)", 1e-6);

            var lat2 = await temp.PolyFitAsync("lat", 2, options: options);
            Assert.Equal(["degree", "time", "lon"], lat2.Dimensions.ToArray());
            Assert.Equal(["time", "lon"], lat2.Coordinates.Select(c => c.Name));
            NumpyPeer.AssertClose(expected[9], lat2.Values.ToArray(), "polyfit('lat', 2), rank-deficient cells included", 1e-6);
            var strict = await temp.PolyFitAsync("time", 1, skipNaN: false, options: options);
            var strictPerDay = strict.Values.Select((v, i) => i < cells ? v * 86400e9 : v).ToArray();
            NumpyPeer.AssertClose(expected[17], strictPerDay, "polyfit('time', 1, skipna=False)", 1e-6);
            Assert.Contains(strictPerDay, double.IsNaN);
            Assert.Contains(strictPerDay, double.IsFinite);
            NumpyPeer.AssertClose(expected[10], lat2.Labels.Single().Values.ToArray(), "degree coordinate of degree 2");

            var view = temp.ISel("lon", 1).Sel("time", Times[3], new DateTime(2000, 12, 31, 0, 0, 0, DateTimeKind.Utc));
            var sub = await view.GroupByMonthAsync("time", DatasetReduction.Sum, options);
            Assert.Equal(["lat", "month"], sub.Dimensions.ToArray());
            NumpyPeer.AssertClose(expected[11], sub.Values.ToArray(), "sum per month of a selection", 1e-6);
            NumpyPeer.AssertClose(expected[12], sub.Labels.Single().Values.ToArray(), "months of a selection");
        }
    }

    [Fact]
    public async Task AGroupbyMonthStoresAsADatasetThatXarrayReadsWithItsMonthCoordinate()
    {
        using var dir = new TempDir();
        var path = await DatasetAsync(dir);
        var dataset = await ZarrDataset.OpenAsync(new DirectoryStore(path));
        var climatology = await dataset["temp"].GroupByMonthAsync("time", DatasetReduction.Mean);
        var output = Path.Combine(dir.Path, "out.zarr");
        await ZarrDataset.CreateAsync(new DirectoryStore(output), "", await climatology.ToContentsAsync("climatology"));
        var snippet = $$"""
            import xarray as xr
            expected = xr.open_zarr(r'{{path}}').temp.groupby('time.month').mean()
            got = xr.open_zarr(r'{{output}}').climatology
            assert got.dims == expected.dims, got.dims
            assert got.month.dtype == np.int64, got.month.dtype
            xr.testing.assert_allclose(got.astype('f8'), expected.astype('f8'), rtol=1e-6)
            assert got.lat.attrs['units'] == 'degrees_north', got.lat.attrs
            results = [got.month.values]
            """;
        var months = await NumpyPeer.RunAsync(snippet);
        Assert.Equal([1.0, 2, 3, 5, 7, 12], months[0]);
    }

    [Fact]
    public async Task CountsAndMediansPerMonthAndOverDimensionsMatchXarray()
    {
        using var dir = new TempDir();
        var path = await DatasetAsync(dir);
        var snippet = $$"""
            import xarray as xr
            t = xr.open_zarr(r'{{path}}').temp.astype('f8').load()
            g = t.groupby('time.month')
            count, median = g.count(), g.median()
            assert median.dims == ('lat', 'month', 'lon'), median.dims
            over = t.count(['time', 'lon'])
            assert over.dims == ('lat',), over.dims
            middle = t.median('time')
            assert middle.dims == ('lat', 'lon'), middle.dims
            results = [count.values, median.values, over.values, middle.values, t.median('lat').values]
            """;
        var expected = await NumpyPeer.RunAsync(snippet);
        var temp = (await ZarrDataset.OpenAsync(new DirectoryStore(path)))["temp"];
        foreach (var options in Options)
        {
            var count = await temp.GroupByMonthAsync("time", DatasetReduction.Count, options);
            Assert.Equal(["lat", "month", "lon"], count.Dimensions.ToArray());
            NumpyPeer.AssertClose(expected[0], count.Values.ToArray(), "groupby('time.month').count()");
            NumpyPeer.AssertClose(expected[1], (await temp.GroupByMonthAsync("time", DatasetReduction.Median, options)).Values.ToArray(), "groupby('time.month').median()", 1e-6);
            var over = await temp.ReduceAsync(DatasetReduction.Count, ["time", "lon"], options);
            Assert.Equal(["lat"], over.Dimensions.ToArray());
            NumpyPeer.AssertClose(expected[2], over.Values.ToArray(), "count(['time', 'lon'])");
            var middle = await temp.ReduceAsync(DatasetReduction.Median, ["time"], options);
            Assert.Equal(["lat", "lon"], middle.Dimensions.ToArray());
            Assert.Equal(["lat", "lon"], middle.Coordinates.Select(c => c.Name));
            NumpyPeer.AssertClose(expected[3], middle.Values.ToArray(), "median('time')", 1e-6);
            NumpyPeer.AssertClose(expected[4], (await temp.ReduceAsync(DatasetReduction.Median, ["lat"], options)).Values.ToArray(), "median('lat')", 1e-6);
        }

        var e = await Assert.ThrowsAsync<ArgumentException>(() => temp.ReduceAsync(DatasetReduction.Median, ["time", "lon"]));
        Assert.Contains("one dimension at a time", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QuantilesStoreAsADatasetThatXarrayReadsWithItsQuantileCoordinate()
    {
        using var dir = new TempDir();
        var path = await DatasetAsync(dir);
        var temp = (await ZarrDataset.OpenAsync(new DirectoryStore(path)))["temp"];
        var single = Path.Combine(dir.Path, "p90.zarr");
        await ZarrDataset.CreateAsync(new DirectoryStore(single), "", await (await temp.QuantileAsync("time", 0.9)).ToContentsAsync("p90"));
        var several = Path.Combine(dir.Path, "quantiles.zarr");
        await ZarrDataset.CreateAsync(new DirectoryStore(several), "", await (await temp.QuantilesAsync("time", [0.25, 0.5], QuantileMethod.Lower)).ToContentsAsync());
        var snippet = $$"""
            import xarray as xr
            t = xr.open_zarr(r'{{path}}').temp.astype('f8').load()
            p90 = xr.open_zarr(r'{{single}}').p90
            assert p90.dims == ('lat', 'lon'), p90.dims
            assert 'quantile' in p90.coords and p90['quantile'].dims == (), p90.coords
            xr.testing.assert_allclose(p90, t.quantile(0.9, 'time'), rtol=1e-6)
            qs = xr.open_zarr(r'{{several}}').temp
            assert qs.dims == ('quantile', 'lat', 'lon'), qs.dims
            assert qs['quantile'].dtype == np.float64, qs['quantile'].dtype
            xr.testing.assert_allclose(qs, t.quantile([0.25, 0.5], 'time', method='lower'), rtol=1e-6)
            results = [p90['quantile'].values, qs['quantile'].values]
            """;
        var stored = await NumpyPeer.RunAsync(snippet);
        Assert.Equal([0.9], stored[0]);
        Assert.Equal([0.25, 0.5], stored[1]);
    }

    [Fact]
    public async Task MisnamedDimensionsAndAMissingTimeCoordinateAreRefused()
    {
        using var dir = new TempDir();
        var path = await DatasetAsync(dir);
        var temp = (await ZarrDataset.OpenAsync(new DirectoryStore(path)))["temp"];
        var e = await Assert.ThrowsAsync<ZarrSelectionException>(() => temp.GroupByMonthAsync("day", DatasetReduction.Mean));
        Assert.Contains("'day'", e.Message, StringComparison.Ordinal);
        var notTime = await Assert.ThrowsAsync<ZarrException>(() => temp.GroupByMonthAsync("lat", DatasetReduction.Mean));
        Assert.Contains("no CF time coordinate", notTime.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => temp.GroupByAsync("time", "lon", new int[Times.Length], DatasetReduction.Mean));
        await Assert.ThrowsAsync<ArgumentException>(() => temp.GroupByAsync("time", "season", [1, 2], DatasetReduction.Mean));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => temp.PolyFitAsync("time", 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => temp.QuantileAsync("time", 1.5));
        await Assert.ThrowsAsync<ArgumentException>(() => temp.QuantilesAsync("time", []));
        await Assert.ThrowsAsync<ZarrSelectionException>(() => temp.QuantilesAsync("depth", [0.5]));
    }
}
