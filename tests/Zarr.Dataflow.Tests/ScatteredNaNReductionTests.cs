using Zarr.Dataflow.Tests.Analytics;
using Zarr.Storage;

namespace Zarr.Dataflow.Tests;

/// <summary>
/// Reductions skipping NaN with NaN scattered through every run: the filter they use (<see cref="NaNFilter"/>) against
/// a plain one at lengths around the SIMD width, and float32 reductions against numpy's nan-reductions, over the whole
/// array and along an axis.
/// </summary>
public sealed class ScatteredNaNReductionTests
{
    public static TheoryData<int> Lengths => [0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 100, 4096];

    [Theory]
    [MemberData(nameof(Lengths))]
    public void The_filter_keeps_every_number_in_order(int length)
    {
        foreach (var nanFraction in new[] { 0.0, 0.05, 0.5, 1.0 })
        {
            var data = NumpyPeer.Data(length, length + 5, nanFraction);
            if (length > 3)
            {
                data[1] = double.PositiveInfinity;
                data[2] = double.NegativeInfinity;
            }

            var expected = data.Where(v => !double.IsNaN(v)).ToArray();
            Assert.Equal(expected, Filtered(data));
            Assert.Equal(expected.Select(v => (float)v), Filtered(data.Select(v => (float)v).ToArray()));
            Assert.Equal(expected.Select(v => (Half)v), Filtered(data.Select(v => (Half)v).ToArray()));
        }

        Assert.Throws<ArgumentException>(() => NaNFilter.Numbers<double>(new double[length + 1], new double[length]));
    }

    private static T[] Filtered<T>(T[] data) where T : unmanaged, System.Numerics.INumber<T>
    {
        var destination = new T[data.Length];
        var count = NaNFilter.Numbers<T>(data, destination);
        return destination[..count];
    }

    [Theory]
    [InlineData(0.05, 30, 700)]
    [InlineData(0.05, 7, 128)]
    [InlineData(0.6, 30, 700)]
    public async Task Float32_nan_reductions_with_scattered_NaN_agree_with_numpy(double nanFraction, int chunk0, int chunk1)
    {
        long[] shape = [30, 700];
        var data = NumpyPeer.Data(shape[0] * shape[1], 21, nanFraction);
        var values = data.Select(v => (float)v).ToArray();
        var x = Lazy.From(await Support.ArrayAsync(new MemoryStore(), "a", shape, [chunk0, chunk1], values));
        var numpy = await NumpyPeer.RunAsync(
            "x = a.astype('<f4').astype('<f8')\n" +
            "results = [np.nansum(x), np.nanmean(x), np.nanvar(x), np.nanstd(x, ddof=1), np.nanmin(x), np.nanmax(x), np.sum(~np.isnan(x)), np.nanmean(x, axis=1), np.nanvar(x, axis=1)]",
            new NumpyInput("a", [.. values.Select(v => (double)v)], shape));
        foreach (var options in Support.OptionCombinations())
        {
            NumpyPeer.AssertClose(numpy[0], [await x.NanSumAsync(options)], "nansum");
            NumpyPeer.AssertClose(numpy[1], [await x.NanMeanAsync(options)], "nanmean");
            NumpyPeer.AssertClose(numpy[2], [await x.NanVarAsync(0, options)], "nanvar");
            NumpyPeer.AssertClose(numpy[3], [await x.NanStdAsync(1, options)], "nanstd ddof 1");
            NumpyPeer.AssertClose(numpy[4], [await x.NanMinAsync(options)], "nanmin");
            NumpyPeer.AssertClose(numpy[5], [await x.NanMaxAsync(options)], "nanmax");
            NumpyPeer.AssertClose(numpy[6], [await x.CountNonNaNAsync(options)], "count of numbers");
            NumpyPeer.AssertClose(numpy[7], (await x.NanMeanAsync([1], options)).ToArray(), "nanmean over axis 1");
            NumpyPeer.AssertClose(numpy[8], (await x.NanVarAsync([1], 0, options)).ToArray(), "nanvar over axis 1");
        }
    }
}
