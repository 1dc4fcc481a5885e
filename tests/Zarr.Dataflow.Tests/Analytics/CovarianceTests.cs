using Zarr.Storage;

namespace Zarr.Dataflow.Tests.Analytics;

/// <summary>Covariance and correlation between two arrays along each axis, against xarray's <c>cov</c> and <c>corr</c>.</summary>
public sealed class CovarianceTests
{
    [Fact]
    public async Task CovarianceAndCorrelationMatchXarrayPairwise()
    {
        long[] shape = [6, 5, 4];
        var a = NumpyPeer.Data(120, 51, 0.1);
        var b = NumpyPeer.Data(120, 52, 0.1).Select((v, i) => double.IsNaN(v) || double.IsNaN(a[i]) ? v : v + (2 * a[i])).ToArray();
        const string Script = """
            import xarray as xr
            dims = ['t', 'y', 'x']
            xa, xb = xr.DataArray(a, dims=dims), xr.DataArray(b, dims=dims)
            results = [r for d in dims for r in (xr.cov(xa, xb, dim=d).values, xr.cov(xa, xb, dim=d, ddof=0).values, xr.corr(xa, xb, dim=d).values)]
            """;
        var expected = await NumpyPeer.RunAsync(Script, new NumpyInput("a", a, shape), new NumpyInput("b", b, shape));
        var store = new MemoryStore();
        var left = Lazy.From(await Support.ArrayAsync(store, "a", shape, [4, 2, 3], a));
        var right = Lazy.From(await Support.ArrayAsync(store, "b", shape, [6, 5, 1], b));
        foreach (var options in new[] { PipelineOptions.Uniform(1, 1), PipelineOptions.Uniform(4, 2) })
        {
            for (var axis = 0; axis < 3; axis++)
            {
                NumpyPeer.AssertClose(expected[3 * axis], await left.Covariance(right, axis).ToArrayAsync(options), $"cov along {axis}");
                NumpyPeer.AssertClose(expected[(3 * axis) + 1], await left.Covariance(right, axis, ddof: 0).ToArrayAsync(options), $"cov (ddof 0) along {axis}");
                NumpyPeer.AssertClose(expected[(3 * axis) + 2], await left.Correlation(right, axis).ToArrayAsync(options), $"corr along {axis}");
            }
        }

        Assert.Throws<ArgumentException>(() => left.Covariance(Lazy.Generate<double>([6, 5], [6, 5], static (_, d) => d.Fill(1)), 0));
    }
}
