using System.Numerics;
using Zarr.Storage;

namespace Zarr.Dataflow.Tests;

/// <summary>argmin/argmax along an axis, histograms over axis subsets, and reductions stored into arrays, against plain loops.</summary>
public sealed class AxisReductionTests
{
    /// <summary>The multi-index of flat index <paramref name="i"/>.</summary>
    private static long[] Unflatten(long i, long[] shape)
    {
        var index = new long[shape.Length];
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            index[d] = i % shape[d];
            i /= shape[d];
        }

        return index;
    }

    /// <summary>The cell (flat index over the kept axes) of flat index <paramref name="i"/>.</summary>
    private static long CellOf(long i, long[] shape, bool[] reduced)
    {
        var index = Unflatten(i, shape);
        long cell = 0;
        for (var d = 0; d < shape.Length; d++)
        {
            if (!reduced[d])
            {
                cell = (cell * shape[d]) + index[d];
            }
        }

        return cell;
    }

    /// <summary>numpy's argmin/argmax along <paramref name="axis"/> (or nanargmin/nanargmax), by a plain loop in flat order.</summary>
    private static long[] ReferenceArg(double[] data, long[] shape, int axis, bool min, bool skipNaN)
    {
        var reduced = shape.Select((_, d) => d == axis).ToArray();
        var cells = shape.Where((_, d) => d != axis).Aggregate(1L, (a, b) => a * b);
        var best = new double[cells];
        var index = Enumerable.Repeat(-1L, (int)cells).ToArray();
        for (long i = 0; i < data.Length; i++)
        {
            var c = CellOf(i, shape, reduced);
            var v = data[i];
            var along = Unflatten(i, shape)[axis];
            if (skipNaN && double.IsNaN(v))
            {
                continue;
            }

            var take = index[c] < 0
                || (!double.IsNaN(best[c]) && (double.IsNaN(v) || (min ? v < best[c] : v > best[c])));
            if (take)
            {
                best[c] = v;
                index[c] = along;
            }
        }

        return index;
    }

    private static IEnumerable<PipelineOptions> SomeOptions()
    {
        yield return PipelineOptions.Uniform(1, 1);
        yield return new PipelineOptions { FanIn = 2 };
    }

    private static async Task CheckArgAsync<T>(bool withNaN, int grid) where T : unmanaged, INumber<T>
    {
        var store = new MemoryStore();
        var (shape, chunks) = Support.Grid(grid);
        var i = grid + 1;
        var size = shape.Aggregate(1L, (a, b) => a * b);

        // Few distinct values, so ties are common and the first index must win.
        var data = Support.RandomData<T>(size, i).Select(v => T.CreateTruncating(double.Round(double.CreateTruncating(v) / 20))).ToArray();
        if (withNaN)
        {
            var nan = T.CreateTruncating(double.NaN);
            for (var k = 3; k < data.Length; k += 7)
            {
                data[k] = nan;
            }
        }

        var doubles = data.Select(double.CreateTruncating).ToArray();
        var x = Lazy.From(await Support.ArrayAsync(store, $"a{i}", shape, chunks, data));
        foreach (var options in SomeOptions())
        {
            for (var axis = 0; axis < shape.Length; axis++)
            {
                Assert.Equal(ReferenceArg(doubles, shape, axis, true, false), (await x.ArgMinAsync(axis, options)).ToArray());
                Assert.Equal(ReferenceArg(doubles, shape, axis, false, false), (await x.ArgMaxAsync(axis, options)).ToArray());

                // Negative axes count from the end, as numpy.
                Assert.Equal(ReferenceArg(doubles, shape, axis, true, false), await x.ArgMin([axis - shape.Length]).ToArrayAsync(options));
                var nanMin = ReferenceArg(doubles, shape, axis, true, true);
                if (nanMin.All(v => v >= 0))
                {
                    Assert.Equal(nanMin, (await x.NanArgMinAsync(axis, options)).ToArray());
                    Assert.Equal(ReferenceArg(doubles, shape, axis, false, true), (await x.NanArgMaxAsync(axis, options)).ToArray());
                }
            }

            // Over every axis: the flat index (the reference on the flattened array).
            long[] flat = [size];
            Assert.Equal(ReferenceArg(doubles, flat, 0, true, false)[0], await x.ArgMinAsync(options));
            Assert.Equal(ReferenceArg(doubles, flat, 0, false, false)[0], await x.ArgMaxAsync(options));
            Assert.Equal(ReferenceArg(doubles, flat, 0, true, true)[0], await x.NanArgMinAsync(options));
            Assert.Equal(ReferenceArg(doubles, flat, 0, false, true)[0], await x.NanArgMaxAsync(options));
        }
    }

    public static TheoryData<string, int> ArgTypesAndGrids => Support.TypesAndGrids("double with NaN", "float with NaN", "Half with NaN", "double", "int", "byte", "long");

    [Theory]
    [MemberData(nameof(ArgTypesAndGrids))]
    public Task ArgMin_and_ArgMax_along_each_axis_match_numpy(string type, int grid) => type switch
    {
        "double with NaN" => CheckArgAsync<double>(withNaN: true, grid),
        "float with NaN" => CheckArgAsync<float>(withNaN: true, grid),
        "Half with NaN" => CheckArgAsync<Half>(withNaN: true, grid),
        "double" => CheckArgAsync<double>(withNaN: false, grid),
        "int" => CheckArgAsync<int>(withNaN: false, grid),
        "byte" => CheckArgAsync<byte>(withNaN: false, grid),
        "long" => CheckArgAsync<long>(withNaN: false, grid),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    [Fact]
    public async Task Arg_reductions_check_their_axes_and_all_NaN_slices()
    {
        var x = Lazy.Generate<double>([4, 6], [3, 4], (r, d) => d.Fill(1));
        Assert.Throws<ArgumentException>(() => x.ArgMin([0, 1]));
        Assert.Throws<ArgumentException>(() => x.ArgMax([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.ArgMin([2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.NanArgMax([-3]));
        Assert.Throws<InvalidOperationException>(() => Lazy.Generate<double>([0, 3], [2, 2], (_, _) => { }).ArgMin([0]));

        // A column that is all NaN: nanargmin raises (numpy's "All-NaN slice encountered"); argmin gives its first NaN.
        var y = Lazy.Generate<double>([4, 6], [3, 4], (r, d) =>
        {
            for (var k = 0; k < d.Length; k++)
            {
                d[k] = r.Start[1] + (k % r.Shape[1]) == 2 ? double.NaN : k;
            }
        });
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => y.NanArgMinAsync(0));
        Assert.Contains("All-NaN", error.Message);
        Assert.Equal(0, (await y.ArgMinAsync(0))[2]);
        var stored = await Assert.ThrowsAsync<ZarrPipelineException>(() => y.NanArgMax([0]).StoreAsync(new MemoryStore(), "r"));
        Assert.IsType<InvalidOperationException>(stored.InnerException);
        var all = Lazy.Generate<float>([3, 3], [2, 2], (_, d) => d.Fill(float.NaN));
        await Assert.ThrowsAsync<InvalidOperationException>(() => all.NanArgMinAsync());
        Assert.Equal(0, await all.ArgMaxAsync());
    }

    private static long[] ReferenceHistogram(double[] data, long[] shape, int[] axes, double[] edges)
    {
        var reduced = shape.Select((_, d) => axes.Contains(d)).ToArray();
        var cells = shape.Where((_, d) => !reduced[d]).Aggregate(1L, (a, b) => a * b);
        var bins = edges.Length - 1;
        var counts = new long[cells * bins];
        for (long i = 0; i < data.Length; i++)
        {
            var v = data[i];
            if (double.IsNaN(v) || v < edges[0] || v > edges[^1])
            {
                continue;
            }

            var b = 0;
            while (b < bins - 1 && v >= edges[b + 1])
            {
                b++;
            }

            counts[(CellOf(i, shape, reduced) * bins) + b]++;
        }

        return counts;
    }

    private static IEnumerable<int[]> Subsets(int rank) =>
        Enumerable.Range(0, 1 << rank).Select(m => Enumerable.Range(0, rank).Where(d => (m & (1 << d)) != 0).ToArray());

    private static async Task CheckHistogramAsync<T>(int grid) where T : unmanaged, INumber<T>
    {
        var store = new MemoryStore();
        double[] edges = [-30, -10, 0, 0.5, 20, 49];
        var (shape, chunks) = Support.Grid(grid);
        var i = grid + 1;
        var data = Support.RandomData<T>(shape.Aggregate(1L, (a, b) => a * b), 100 + i);
        if (NumericTraits.IsFloat<T>())
        {
            data[0] = T.CreateTruncating(double.NaN);
        }

        var doubles = data.Select(double.CreateTruncating).ToArray();
        var x = Lazy.From(await Support.ArrayAsync(store, $"h{i}", shape, chunks, data));
        foreach (var options in SomeOptions())
        {
            foreach (var axes in Subsets(shape.Length))
            {
                var got = await x.HistogramAsync(edges, axes, options);
                long[] keptShape = [.. shape.Where((_, d) => !axes.Contains(d)), edges.Length - 1];
                Assert.Equal(keptShape.Select(k => (nint)k).ToArray(), got.Lengths.ToArray());
                Assert.Equal(ReferenceHistogram(doubles, shape, axes, edges), got.ToArray());
            }

            Assert.Equal(ReferenceHistogram(doubles, shape, [.. Enumerable.Range(0, shape.Length)], edges), await x.HistogramAsync(edges, options));
        }
    }

    public static TheoryData<string, int> HistogramTypesAndGrids => Support.TypesAndGrids("double", "float", "int", "byte");

    [Theory]
    [MemberData(nameof(HistogramTypesAndGrids))]
    public Task Histograms_over_every_axis_subset_match_a_loop(string type, int grid) => type switch
    {
        "double" => CheckHistogramAsync<double>(grid),
        "float" => CheckHistogramAsync<float>(grid),
        "int" => CheckHistogramAsync<int>(grid),
        "byte" => CheckHistogramAsync<byte>(grid),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    // Partials combine in whatever order workers finish, so two runs may differ in the last bits.
    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var k = 0; k < expected.Length; k++)
        {
            Assert.True(Math.Abs(expected[k] - actual[k]) <= 1e-12 * Math.Max(1, Math.Abs(expected[k])), $"at {k}: expected {expected[k]:R}, got {actual[k]:R}");
        }
    }

    [Fact]
    public async Task Reductions_store_into_arrays_block_by_block()
    {
        using var dir = new TempDir();
        var store = new DirectoryStore(dir.Path);
        long[] shape = [9, 10, 7];
        var data = Support.RandomData<double>(shape.Aggregate(1L, (a, b) => a * b), 7);
        var x = Lazy.From(await Support.ArrayAsync(store, "x", shape, [4, 3, 5], data));
        foreach (var options in Support.OptionCombinations())
        {
            foreach (var axes in Subsets(3).Where(a => a.Length is > 0 and < 3))
            {
                // Into a new array on the result's natural chunks (whole-chunk writes)...
                var mean = x.Mean(axes);
                var stored = await mean.StoreAsync(store, "mean", null, options, overwrite: true);
                Assert.Equal(mean.Shape.ToArray(), stored.Shape.ToArray());
                Assert.Equal(mean.Chunks.ToArray(), stored.Chunks.ToArray());
                var expected = (await x.MeanAsync(axes, options)).ToArray();
                AssertClose(expected, await Support.ReadAllAsync(stored));

                // ... and into an existing array with other chunks (partial writes under the chunk locks).
                var other = await ZarrArray.CreateAsync<double>(store, "other", mean.Shape.ToArray(), new ArrayOptions { Chunks = [.. mean.Shape.Select(_ => 2)] }, overwrite: true);
                var report = await x.Std(axes, 1).StoreAsync(other, options);
                Assert.True(report.Succeeded);
                Assert.True(report.BytesWritten > 0);
                AssertClose((await x.StdAsync(axes, 1, options)).ToArray(), await Support.ReadAllAsync(other));

                var histogram = await x.Histogram([-50, 0, 50], axes).StoreAsync(store, "hist", null, options, overwrite: true);
                Assert.Equal((await x.HistogramAsync([-50, 0, 50], axes, options)).ToArray(), await Support.ReadAllAsync(histogram));

                var min = await x.Min(axes).StoreAsync(store, "min", null, options, overwrite: true);
                Assert.Equal((await x.MinAsync(axes, options)).ToArray(), await Support.ReadAllAsync(min));
            }

            var arg = await x.ArgMax([1]).StoreAsync(store, "arg", null, options, overwrite: true);
            Assert.Equal((await x.ArgMaxAsync(1, options)).ToArray(), await Support.ReadAllAsync(arg));
        }

        var bad = await ZarrArray.CreateAsync<double>(store, "bad", [3, 3], overwrite: true);
        await Assert.ThrowsAsync<ArgumentException>(() => x.Sum([0]).StoreAsync(bad));
    }

    [Fact]
    public async Task A_reduction_result_larger_than_one_block_streams_out_as_its_blocks_complete()
    {
        // Row sums of a tall generated array: the result has 300 000 cells in 150 blocks; each block is written when its two chunks are in.
        const long Rows = 300_000;
        var x = Lazy.Generate<int>([Rows, 6], [2000, 4], static (r, d) =>
        {
            var k = 0;
            for (var i = 0; i < r.Shape[0]; i++)
            {
                for (var j = 0; j < r.Shape[1]; j++)
                {
                    d[k++] = (int)((r.Start[0] + i) % 11) + (int)(r.Start[1] + j);
                }
            }
        });
        var store = new MemoryStore();
        var progress = new List<PipelineProgress>();
        var options = new PipelineOptions { Progress = new SyncProgress<PipelineProgress>(p => { lock (progress) { progress.Add(p); } }) };
        var sums = await x.SumInt64([1]).StoreAsync(store, "sums", new ArrayOptions { Compressors = [] }, options);
        Assert.Equal([Rows], sums.Shape.ToArray());
        Assert.Equal([2000], sums.Chunks.ToArray());
        var values = await Support.ReadAllAsync(sums);
        for (var i = 0; i < Rows; i++)
        {
            Assert.Equal((6 * (i % 11)) + 15, values[i]);
        }

        Assert.Contains(progress, p => p.ChunksDone == p.ChunksTotal);
    }

    [Fact]
    public async Task Reductions_over_a_zero_length_axis_give_numpy_identities()
    {
        var x = Lazy.Generate<double>([3, 0], [2, 2], (_, _) => { });
        Assert.Equal(new double[] { 0, 0, 0 }, await x.Sum([1]).ToArrayAsync());
        Assert.All(await x.Mean([1]).ToArrayAsync(), v => Assert.True(double.IsNaN(v)));
        Assert.Equal(new long[] { 0, 0, 0 }, await x.CountNonNaN([1]).ToArrayAsync());
        Assert.Throws<InvalidOperationException>(() => x.Min([1]));
        Assert.Equal(0, await x.SumAsync());
    }
}

internal static class NumericTraits
{
    public static bool IsFloat<T>() => typeof(T) == typeof(float) || typeof(T) == typeof(double) || typeof(T) == typeof(Half);
}
