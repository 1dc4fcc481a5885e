using Zarr.Storage;

namespace Zarr.Dataflow.Tests;

/// <summary>The one-pass <c>StatisticsAsync</c> against the single reductions, and exact unsigned sums over axes.</summary>
public sealed class StatisticsTests
{
    [Theory]
    [MemberData(nameof(Support.EachGrid), MemberType = typeof(Support))]
    public async Task StatisticsAgreeWithTheSingleReductions(int grid)
    {
        var (shape, chunks) = Support.Grid(grid);
        var size = shape.Aggregate(1L, (a, b) => a * b);
        var data = Support.RandomData<double>(size, 7);
        data[size / 2] = double.NaN;
        var x = Lazy.Generate<double>(shape, chunks, (region, d) => Fill(data, shape, region, d));
        foreach (var axes in new int[]?[] { null, [0], [shape.Length - 1] })
        {
            foreach (var options in Support.OptionCombinations())
            {
                var stats = await x.StatisticsAsync(axes, 1, options);
                var all = axes ?? [.. Enumerable.Range(0, shape.Length)];
                Assert.Equal(Flat(await x.SumAsync(all)), stats.Sum);
                AssertClose(Flat(await x.MeanAsync(all)), stats.Mean.ToArray());
                AssertClose(Flat(await x.VarAsync(all, 1)), stats.Variance.ToArray());
                AssertClose(Flat(await x.StdAsync(all, 1)), stats.StandardDeviation.ToArray());
                Assert.Equal(Flat(await x.MinAsync(all)), stats.Min);
                Assert.Equal(Flat(await x.MaxAsync(all)), stats.Max);
                var nonNaN = Flat(await x.CountNonNaNAsync(all));
                Assert.Equal(Flat(await x.CountAsync(all)), stats.Count);
                Assert.Equal(stats.Count.Zip(nonNaN, (n, k) => n - k), stats.NaNCount);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Support.EachGrid), MemberType = typeof(Support))]
    public async Task StatisticsSkippingNaNAgreeWithTheNanReductions(int grid)
    {
        var (shape, chunks) = Support.Grid(grid);
        var size = shape.Aggregate(1L, (a, b) => a * b);
        var data = Support.RandomData<double>(size, 11);
        for (var i = 0L; i < size; i += 5)
        {
            data[i] = double.NaN;
        }

        var x = Lazy.Generate<double>(shape, chunks, (region, d) => Fill(data, shape, region, d));
        foreach (var axes in new int[]?[] { null, [0], [shape.Length - 1] })
        {
            var stats = await x.StatisticsAsync(axes, 1, skipNaN: true);
            var all = axes ?? [.. Enumerable.Range(0, shape.Length)];
            Assert.True(stats.SkipNaN);
            AssertClose(Flat(await x.NanSumAsync(all)), stats.Sum.ToArray());
            AssertClose(Flat(await x.NanMeanAsync(all)), stats.Mean.ToArray());
            AssertClose(Flat(await x.NanVarAsync(all, 1)), stats.Variance.ToArray());
            AssertClose(Flat(await x.NanStdAsync(all, 1)), stats.StandardDeviation.ToArray());
            Assert.Equal(Flat(await x.NanMinAsync(all)), stats.Min);
            Assert.Equal(Flat(await x.NanMaxAsync(all)), stats.Max);
            var nonNaN = Flat(await x.CountNonNaNAsync(all));
            Assert.Equal(nonNaN, stats.Count);
            Assert.Equal(Flat(await x.CountAsync(all)).Zip(nonNaN, (n, k) => n - k), stats.NaNCount);
        }

        // Without NaN, skipping is the plain reduction, bit for bit.
        var cleanData = Support.RandomData<double>(size, 12);
        var clean = Lazy.Generate<double>(shape, chunks, (region, d) => Fill(cleanData, shape, region, d));
        var plain = await clean.StatisticsAsync([0]);
        var skipping = await clean.StatisticsAsync([0], 0, skipNaN: true);
        Assert.Equal(plain.Sum.ToArray(), skipping.Sum.ToArray());
        Assert.Equal(plain.Variance.ToArray(), skipping.Variance.ToArray());
        Assert.Equal(plain.Count.ToArray(), skipping.Count.ToArray());
    }

    [Fact]
    public async Task IntegerStatisticsSumExactlyIn64Bits()
    {
        var big = (long.MaxValue / 4) + 3;
        var x = Lazy.Generate<long>([4, 3], [3, 2], (region, d) => d.Fill(big));
        var stats = await x.StatisticsAsync([0]);
        Assert.Equal([4 * big, 4 * big, 4 * big], stats.SumInt64!);
        Assert.Null(stats.SumUInt64);
        Assert.Equal([0L, 0, 0], stats.NaNCount.ToArray());
        Assert.Equal([0.0, 0, 0], stats.Variance.ToArray());

        var u = Lazy.Generate<ulong>([4], [3], (region, d) => d.Fill((1UL << 62) + 1));
        var all = await u.StatisticsAsync();
        Assert.Equal([4UL], all.SumUInt64!); // 4 × (2^62 + 1) wraps modulo 2^64, as numpy
    }

    [Fact]
    public async Task UnsignedSumsOverAxesAreExactNear2To63()
    {
        // Two elements near 2^63 per cell: the sum is below 2^64 but far above 2^53, where double sums lose the low bits.
        const ulong a = (1UL << 63) - 7;
        const ulong b = (1UL << 62) + 13;
        var store = new MemoryStore();
        var array = await Support.ArrayAsync<ulong>(store, "u", [2, 3], [1, 2], [a, a, a, b, b + 1, b + 2]);
        var x = Lazy.From(array);
        ulong[] columns = [a + b, a + b + 1, a + b + 2];
        ulong[] rows = [unchecked(3 * a), (3 * b) + 3];
        Assert.Equal(columns, (await x.SumUInt64Async([0])).ToArray());
        Assert.Equal(rows, (await x.SumUInt64Async([1])).ToArray());
        Assert.Equal(columns, (await x.StatisticsAsync([0])).SumUInt64!);
        await Assert.ThrowsAsync<InvalidOperationException>(() => Lazy.From(array).Cast<long>().SumUInt64Async([0]));
    }

    private static T[] Flat<T>(System.Numerics.Tensors.Tensor<T> tensor) => tensor.ToArray();

    private static T[] Flat<T>(T scalar) => [scalar];

    private static long[] Flat(long scalar) => [scalar];

    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            if (double.IsNaN(expected[i]))
            {
                Assert.True(double.IsNaN(actual[i]));
                continue;
            }

            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-9 * Math.Max(1, Math.Abs(expected[i])), $"{expected[i]} vs {actual[i]}");
        }
    }

    private static void Fill(double[] data, long[] shape, Zarr.Dataflow.Blocks.ChunkRegion region, Span<double> destination)
    {
        var rank = shape.Length;
        var index = new long[rank];
        for (var k = 0; k < destination.Length; k++)
        {
            long rest = k, flat = 0;
            for (var d = rank - 1; d >= 0; d--)
            {
                index[d] = region.Start[d] + (rest % region.Shape[d]);
                rest /= region.Shape[d];
            }

            for (var d = 0; d < rank; d++)
            {
                flat = (flat * shape[d]) + index[d];
            }

            destination[k] = data[flat];
        }
    }
}
