using System.Numerics;
using System.Numerics.Tensors;
using Zarr.Storage;

namespace Zarr.Dataflow.Tests;

public sealed class ReductionTests
{
    /// <summary>Two-pass double reference over the cells of the kept axes.</summary>
    private sealed record Reference(double[] Sum, double[] Mean, double[] Var, double[] Min, double[] Max, long[] Count, long[] Kept);

    private static Reference Compute(double[] data, long[] shape, int[]? axes, bool skipNaN, int ddof = 0)
    {
        var rank = shape.Length;
        var reduced = new bool[rank];
        foreach (var a in axes ?? Enumerable.Range(0, rank).ToArray())
        {
            reduced[a] = true;
        }

        var kept = shape.Where((_, d) => !reduced[d]).ToArray();
        var cells = (int)Math.Max(1, kept.Aggregate(1L, (a, b) => a * b));
        var groups = Enumerable.Range(0, cells).Select(_ => new List<double>()).ToArray();
        for (long i = 0; i < data.Length; i++)
        {
            long rest = i, cell = 0, mult = 1;
            for (var d = rank - 1; d >= 0; d--)
            {
                var idx = rest % shape[d];
                rest /= shape[d];
                if (!reduced[d])
                {
                    cell += idx * mult;
                    mult *= shape[d];
                }
            }

            if (!(skipNaN && double.IsNaN(data[i])))
            {
                groups[cell].Add(data[i]);
            }
        }

        double[] sum = new double[cells], mean = new double[cells], var = new double[cells], min = new double[cells], max = new double[cells];
        var count = new long[cells];
        for (var c = 0; c < cells; c++)
        {
            var g = groups[c];
            count[c] = g.Count;
            sum[c] = g.Sum();
            // Shifted by the first value, so the reference mean itself is accurate on ill-conditioned data.
            var shift = g.Count == 0 ? 0 : g[0];
            mean[c] = g.Count == 0 ? double.NaN : shift + (g.Sum(v => v - shift) / g.Count);
            var m = mean[c];
            var m2 = g.Sum(v => (v - m) * (v - m));
            var.SetValue(g.Count - ddof <= 0 ? double.NaN : m2 / (g.Count - ddof), c);
            min[c] = g.Count == 0 ? double.NaN : g.Any(double.IsNaN) ? double.NaN : g.Min();
            max[c] = g.Count == 0 ? double.NaN : g.Any(double.IsNaN) ? double.NaN : g.Max();
        }

        return new Reference(sum, mean, var, min, max, count, kept);
    }

    private static void Close(double expected, double actual, double relative = 1e-12)
    {
        if (double.IsNaN(expected))
        {
            Assert.True(double.IsNaN(actual), $"expected NaN, got {actual}");
            return;
        }

        Assert.True(Math.Abs(expected - actual) <= (relative * Math.Max(1, Math.Abs(expected))), $"expected {expected:R}, got {actual:R}");
    }

    private static void Close(double[] expected, Tensor<double> actual, long[] kept)
    {
        Assert.Equal(kept.Length == 0 ? [1] : kept.Select(k => (nint)k).ToArray(), actual.Lengths.ToArray());
        var values = actual.ToArray();
        for (var i = 0; i < expected.Length; i++)
        {
            Close(expected[i], values[i]);
        }
    }

    private static IEnumerable<int[]> AxisSubsets(int rank)
    {
        for (var mask = 1; mask < 1 << rank; mask++)
        {
            yield return Enumerable.Range(0, rank).Where(d => (mask & (1 << d)) != 0).ToArray();
        }
    }

    private static readonly (long[] Shape, int[] Chunks)[] ReductionGrids = [([5, 6, 7], [2, 4, 3]), ([5, 6, 7], [5, 6, 7]), ([4, 9], [1, 4]), ([13], [5])];

    public static TheoryData<int> EachReductionGrid => [.. Enumerable.Range(0, ReductionGrids.Length)];

    public static TheoryData<string, int> IntegerTypesAndGrids
    {
        get
        {
            var data = new TheoryData<string, int>();
            foreach (var type in new[] { "int", "short", "byte", "ulong", "long" })
            {
                for (var g = 0; g < ReductionGrids.Length; g++)
                {
                    data.Add(type, g);
                }
            }

            return data;
        }
    }

    private static async Task CheckAllAsync<T>(bool withNaN, int grid) where T : unmanaged, INumber<T>
    {
        var store = new MemoryStore();
        var n = grid;
        var (shape, chunks) = ReductionGrids[grid];
        var size = shape.Aggregate(1L, (a, b) => a * b);
        var data = Support.RandomData<T>(size, ++n);
        if (withNaN)
        {
            for (var i = 0; i < data.Length; i += 5)
            {
                data[i] = T.CreateTruncating(double.NaN);
            }
        }

        var doubles = data.Select(double.CreateTruncating).ToArray();
        var x = Lazy.From(await Support.ArrayAsync(store, $"a{n}", shape, chunks, data));
        foreach (var options in Support.OptionCombinations())
        {
            // All axes.
            var all = Compute(doubles, shape, null, false);
            var nan = Compute(doubles, shape, null, true);
            Close(all.Sum[0], await x.SumAsync(options));
            Close(all.Mean[0], await x.MeanAsync(options));
            Close(all.Var[0], await x.VarAsync(0, options));
            Close(Compute(doubles, shape, null, false, 1).Var[0], await x.VarAsync(1, options));
            Close(Math.Sqrt(all.Var[0]), await x.StdAsync(0, options));
            Close(all.Min[0], double.CreateTruncating(await x.MinAsync(options)));
            Close(all.Max[0], double.CreateTruncating(await x.MaxAsync(options)));
            Close(nan.Sum[0], await x.NanSumAsync(options));
            Close(nan.Mean[0], await x.NanMeanAsync(options));
            Close(nan.Var[0], await x.NanVarAsync(0, options));
            Close(Math.Sqrt(nan.Var[0]), await x.NanStdAsync(0, options));
            Close(nan.Min[0], double.CreateTruncating(await x.NanMinAsync(options)));
            Close(nan.Max[0], double.CreateTruncating(await x.NanMaxAsync(options)));
            Assert.Equal(nan.Count[0], await x.CountNonNaNAsync(options));
            Assert.Equal(size, await x.CountAsync());

            foreach (var axes in AxisSubsets(shape.Length))
            {
                var r = Compute(doubles, shape, axes, false);
                var rn = Compute(doubles, shape, axes, true);
                Close(r.Sum, await x.SumAsync(axes, options), r.Kept);
                Close(r.Mean, await x.MeanAsync(axes, options), r.Kept);
                Close(r.Var, await x.VarAsync(axes, 0, options), r.Kept);
                Close(r.Var.Select(Math.Sqrt).ToArray(), await x.StdAsync(axes, 0, options), r.Kept);
                Close(r.Min, AsDoubles(await x.MinAsync(axes, options)), r.Kept);
                Close(r.Max, AsDoubles(await x.MaxAsync(axes, options)), r.Kept);
                Close(rn.Sum, await x.NanSumAsync(axes, options), r.Kept);
                Close(rn.Mean, await x.NanMeanAsync(axes, options), r.Kept);
                Close(rn.Var, await x.NanVarAsync(axes, 0, options), r.Kept);
                Close(rn.Var.Select(Math.Sqrt).ToArray(), await x.NanStdAsync(axes, 0, options), r.Kept);
                Close(rn.Min, AsDoubles(await x.NanMinAsync(axes, options)), r.Kept);
                Close(rn.Max, AsDoubles(await x.NanMaxAsync(axes, options)), r.Kept);
                Assert.Equal(rn.Count, (await x.CountNonNaNAsync(axes, options)).ToArray());
                Assert.Equal(r.Count.Select(c => withNaN ? (long)(size / Math.Max(1, r.Kept.Aggregate(1L, (a, b) => a * b))) : c), (await x.CountAsync(axes)).ToArray());
            }
        }
    }

    private static Tensor<double> AsDoubles<T>(Tensor<T> t) where T : unmanaged, INumber<T> =>
        Tensor.Create(t.ToArray().Select(double.CreateTruncating).ToArray(), t.Lengths);

    [Theory]
    [MemberData(nameof(EachReductionGrid))]
    public Task Float_reductions_over_every_axis_subset(int grid) => CheckAllAsync<float>(false, grid);

    [Theory]
    [MemberData(nameof(EachReductionGrid))]
    public Task Double_reductions_with_NaN_over_every_axis_subset(int grid) => CheckAllAsync<double>(true, grid);

    [Theory]
    [MemberData(nameof(EachReductionGrid))]
    public Task Float_reductions_with_NaN(int grid) => CheckAllAsync<float>(true, grid);

    [Theory]
    [MemberData(nameof(IntegerTypesAndGrids))]
    public Task Integer_reductions_over_every_axis_subset(string type, int grid) => type switch
    {
        "int" => CheckAllAsync<int>(false, grid),
        "short" => CheckAllAsync<short>(false, grid),
        "byte" => CheckAllAsync<byte>(false, grid),
        "ulong" => CheckAllAsync<ulong>(false, grid),
        "long" => CheckAllAsync<long>(false, grid),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    [Fact]
    public async Task Integer_sums_are_64_bit_and_wrap_as_numpy()
    {
        var big = Lazy.Generate<long>([10], [3], (_, d) => d.Fill(long.MaxValue / 4));
        Assert.Equal(unchecked((long.MaxValue / 4) * 10), await big.SumInt64Async());
        var ints = Lazy.Generate<int>([1000, 1000], [300, 300], (_, d) => d.Fill(int.MaxValue));
        Assert.Equal((long)int.MaxValue * 1_000_000, await ints.SumInt64Async());
        Assert.Equal(Enumerable.Repeat((long)int.MaxValue * 1000, 1000), (await ints.SumInt64Async([0])).ToArray());
        var bytes = Lazy.Generate<byte>([100000], [777], (_, d) => d.Fill(255));
        Assert.Equal(25_500_000UL, await bytes.SumUInt64Async());
        var huge = Lazy.Generate<ulong>([4], [1], (_, d) => d.Fill(ulong.MaxValue / 2));
        Assert.Equal(unchecked((ulong.MaxValue / 2) * 4), await huge.SumUInt64Async());
        await Assert.ThrowsAsync<InvalidOperationException>(() => bytes.SumInt64Async());
        await Assert.ThrowsAsync<InvalidOperationException>(() => Lazy.Generate<float>([3], [1], (_, _) => { }).SumInt64Async());
    }

    [Fact]
    public async Task Integer_means_are_sums_over_counts_exact_and_never_wrap()
    {
        // arange over a 2-D grid: every column mean and the whole mean are exact in double, whatever the chunk order
        // (a running-mean update gave 33550336.000000004 for 8192² at times).
        const int n = 512;
        var arange = Lazy.Generate<int>([n, n], [64, 96], (region, d) =>
        {
            var (r0, c0, rows, cols) = (region.Start[0], region.Start[1], region.Shape[0], region.Shape[1]);
            for (var r = 0; r < rows; r++)
            {
                for (var c = 0; c < cols; c++)
                {
                    d[(r * cols) + c] = (int)(((r0 + r) * n) + c0 + c);
                }
            }
        });
        foreach (var options in Support.OptionCombinations())
        {
            var columns = (await arange.MeanAsync([0], options)).ToArray();
            Assert.Equal(Enumerable.Range(0, n).Select(j => ((n - 1) * (double)n / 2) + j), columns);
            var rows = (await arange.MeanAsync([1], options)).ToArray();
            Assert.Equal(Enumerable.Range(0, n).Select(i => ((double)i * n) + ((n - 1) / 2.0)), rows);
            Assert.Equal(((double)n * n - 1) / 2, await arange.MeanAsync(options));
        }

        // The sum of a mean is in double across chunks: int64 values whose int64 sum wraps still average right,
        // and so do int32 and uint32 extremes over every axis subset.
        var longs = Lazy.Generate<long>([16, 3], [5, 2], (_, d) => d.Fill(long.MaxValue / 2));
        Assert.Equal((double)(long.MaxValue / 2), await longs.MeanAsync());
        Assert.Equal(Enumerable.Repeat((double)(long.MaxValue / 2), 3), (await longs.MeanAsync([0])).ToArray());
        var ints = Lazy.Generate<int>([7, 300, 5], [3, 128, 2], (_, d) => d.Fill(int.MinValue));
        var uints = Lazy.Generate<uint>([7, 300, 5], [3, 128, 2], (_, d) => d.Fill(uint.MaxValue));
        foreach (var axes in new[] { [0], [1], [2], [0, 1], [0, 2], [1, 2], new[] { 0, 1, 2 } })
        {
            Assert.All((await ints.MeanAsync(axes)).ToArray(), m => Assert.Equal(int.MinValue, m));
            Assert.All((await uints.MeanAsync(axes)).ToArray(), m => Assert.Equal(uint.MaxValue, m));
            Assert.All((await uints.NanMeanAsync(axes)).ToArray(), m => Assert.Equal(uint.MaxValue, m));
        }
    }

    [Fact]
    public async Task Floating_point_reductions_give_the_same_bits_whatever_the_parallelism_and_scheduling()
    {
        // Values over many magnitudes, so that any change in the order of additions changes the last bits.
        var random = new Random(11);
        var data = Enumerable.Range(0, 300 * 70).Select(_ => Math.Pow(10, random.Next(-8, 9)) * (random.NextDouble() - 0.5)).ToArray();
        var x = Lazy.Generate<double>([300, 70], [7, 9], (region, d) =>
        {
            for (var r = 0; r < region.Shape[0]; r++)
            {
                data.AsSpan((int)(((region.Start[0] + r) * 70) + region.Start[1]), region.Shape[1]).CopyTo(d.Slice(r * region.Shape[1], region.Shape[1]));
            }
        });
        var one = PipelineOptions.Uniform(1, 1);
        var sum = await x.SumAsync(one);
        var columns = (await x.MeanAsync([0], one)).ToArray();
        var rows = (await x.VarAsync([1], 1, one)).ToArray();
        var statistics = await x.StatisticsAsync([0], 0, one);
        var separate = PipelineOptions.Uniform(3, 2);
        separate.FuseStages = false;
        for (var repeat = 0; repeat < 4; repeat++)
        {
            foreach (var options in new[] { new PipelineOptions(), PipelineOptions.Uniform(4, 1), PipelineOptions.Uniform(2, 16), separate })
            {
                Assert.Equal(BitConverter.DoubleToInt64Bits(sum), BitConverter.DoubleToInt64Bits(await x.SumAsync(options)));
                Assert.Equal(columns, (await x.MeanAsync([0], options)).ToArray());
                Assert.Equal(rows, (await x.VarAsync([1], 1, options)).ToArray());
                Assert.Equal(statistics.Sum.ToArray(), (await x.StatisticsAsync([0], 0, options)).Sum.ToArray());
            }
        }
    }

    [Fact]
    public void The_ordered_tree_combines_by_position_whatever_the_arrival_order()
    {
        foreach (var (count, fanIn) in new[] { (1L, 2), (10L, 3), (64L, 8), (65L, 8), (7L, 2) })
        {
            for (var seed = 0; seed < 5; seed++)
            {
                var combiner = new Zarr.Dataflow.Blocks.OrderedTreeCombiner<string>((a, b) => $"({a} {b})", fanIn, count);
                var order = Enumerable.Range(0, (int)count).ToArray();
                new Random(seed).Shuffle(order);
                Assert.Throws<InvalidOperationException>(() => combiner.Finish().Length);
                Parallel.ForEach(order, p => combiner.Add(p, p.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                var result = combiner.Finish();
                Assert.Equal(Tree(0, count, fanIn), result);
            }
        }

        var c = new Zarr.Dataflow.Blocks.OrderedTreeCombiner<int>((a, b) => a + b, 2, 4);
        c.Add(1, 1);
        Assert.Throws<InvalidOperationException>(() => c.Add(1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => c.Add(4, 1));

        // The reference: levels of groups of fanIn, left to right.
        static string Tree(long start, long count, int fanIn)
        {
            var level = Enumerable.Range((int)start, (int)count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
            while (level.Count > 1)
            {
                level = [.. level.Chunk(fanIn).Select(g => g.Skip(1).Aggregate(g[0], (a, b) => $"({a} {b})"))];
            }

            return level[0];
        }
    }

    [Fact]
    public async Task Complex_variances_are_the_mean_squared_distance_from_the_mean_as_numpy()
    {
        // numpy: np.var([1+1j, 3+3j]) == 2.0, np.std(...) == sqrt(2), real.
        var pair = Lazy.From(await Support.ArrayAsync(new MemoryStore(), "pair", [2], [1], new[] { new Complex(1, 1), new Complex(3, 3) }));
        Assert.Equal(2.0, await pair.VarAsync());
        Assert.Equal(Math.Sqrt(2), await pair.StdAsync());
        Assert.Equal(4.0, await pair.VarAsync(ddof: 1));
        Assert.True(double.IsNaN(await pair.VarAsync(ddof: 2)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => pair.VarAsync(ddof: -1));

        long[] shape = [6, 5, 7];
        var random = new Random(3);
        var data = Enumerable.Range(0, 6 * 5 * 7).Select(_ => new Complex((random.NextDouble() * 100) - 50, (random.NextDouble() * 10) + 1000)).ToArray();
        var store = new MemoryStore();
        var x = Lazy.From(await Support.ArrayAsync(store, "c", shape, [4, 2, 3], data));
        var x64 = Lazy.From(await Support.ArrayAsync(store, "c64", shape, [3, 5, 2], data.Select(c => new Zarr.Storage.Complex64((float)c.Real, (float)c.Imaginary)).ToArray()));
        foreach (var axes in AxisSubsets(3))
        {
            var reduced = shape.Select((_, d) => axes.Contains(d)).ToArray();
            var cells = new Dictionary<long, List<Complex>>();
            for (var i = 0; i < data.Length; i++)
            {
                long cell = 0;
                var rest = (long)i;
                var index = new long[3];
                for (var d = 2; d >= 0; d--)
                {
                    index[d] = rest % shape[d];
                    rest /= shape[d];
                }

                for (var d = 0; d < 3; d++)
                {
                    cell = reduced[d] ? cell : (cell * shape[d]) + index[d];
                }

                (cells.TryGetValue(cell, out var list) ? list : cells[cell] = []).Add(data[i]);
            }

            var expected = cells.OrderBy(kv => kv.Key).Select(kv =>
            {
                var mean = kv.Value.Aggregate(Complex.Zero, (a, b) => a + b) / kv.Value.Count;
                return kv.Value.Sum(v => Math.Pow((v - mean).Magnitude, 2)) / (kv.Value.Count - 1);
            }).ToArray();
            foreach (var options in Support.OptionCombinations())
            {
                var variances = await x.Var(axes, 1).ToArrayAsync(options);
                var deviations = await x.Std(axes, 1).ToArrayAsync(options);
                Assert.Equal(expected.Length, variances.Length);
                for (var c = 0; c < expected.Length; c++)
                {
                    Close(expected[c], variances[c]);
                    Close(Math.Sqrt(expected[c]), deviations[c]);
                }
            }

            var single = await x64.Var(axes, 1).ToArrayAsync();
            Assert.All(expected.Zip(single), p => Assert.Equal(p.First, p.Second, p.First * 1e-5));
        }
    }

    [Fact]
    public async Task Complex_minima_and_maxima_order_by_real_then_imaginary_part_as_numpy()
    {
        // np.min([1+5j, 1+2j, 0+9j, 3-1j]) == 9j, np.max(...) == 3-1j; along axis 0 of [[1+5j, 2], [1+2j, 2-1j]]:
        // min [1+2j, 2-1j], max [1+5j, 2+0j]; a NaN part propagates.
        var store = new MemoryStore();
        var flat = Lazy.From(await Support.ArrayAsync(store, "flat", [4], [3], new[] { new Complex(1, 5), new Complex(1, 2), new Complex(0, 9), new Complex(3, -1) }));
        var square = Lazy.From(await Support.ArrayAsync(store, "square", [2, 2], [1, 1], new[] { new Complex(1, 5), new Complex(2, 0), new Complex(1, 2), new Complex(2, -1) }));
        foreach (var options in Support.OptionCombinations())
        {
            Assert.Equal(new Complex(0, 9), await flat.MinAsync(options));
            Assert.Equal(new Complex(3, -1), await flat.MaxAsync(options));
            Assert.Equal([new Complex(1, 2), new Complex(2, -1)], await square.Min([0]).ToArrayAsync(options));
            Assert.Equal([new Complex(1, 5), new Complex(2, 0)], await square.Max([0]).ToArrayAsync(options));
            Assert.Equal([new Complex(2, 0), new Complex(2, -1)], await square.Max([1]).ToArrayAsync(options));
        }

        var single = Lazy.From(await Support.ArrayAsync(store, "single", [3], [2], new[] { new Zarr.Storage.Complex64(1, 5), new Zarr.Storage.Complex64(1, 2), new Zarr.Storage.Complex64(3, -1) }));
        Assert.Equal(new Complex(1, 2), await single.MinAsync());
        Assert.Equal(new Complex(3, -1), await single.MaxAsync());

        var withNaN = Lazy.From(await Support.ArrayAsync(store, "nan", [3], [1], new[] { new Complex(1, 1), new Complex(double.NaN, 0), new Complex(-5, 0) }));
        Assert.True(double.IsNaN((await withNaN.MinAsync()).Real));
        Assert.True(double.IsNaN((await withNaN.MaxAsync()).Real));
        var empty = Lazy.Generate<Complex>([0, 3], [1, 1], (_, _) => { });
        await Assert.ThrowsAsync<InvalidOperationException>(() => empty.MinAsync());
    }

    [Fact]
    public async Task Moments_agree_with_two_pass_double_on_ill_conditioned_data()
    {
        // Mean 1e6, spread 1e-3: naive sum-of-squares loses every digit here.
        var shape = new long[] { 1000, 997 };
        RegionGenerator<double> gen = (region, d) =>
        {
            for (var k = 0; k < d.Length; k++)
            {
                var i = ((region.Start[0] + (k / region.Shape[1])) * 997) + region.Start[1] + (k % region.Shape[1]);
                d[k] = 1e6 + (((i * 7919) % 1000) * 1e-6);
            }
        };
        var x = Lazy.Generate([.. shape], [128, 100], gen);
        var data = await x.ToArrayAsync();
        var mean = data[0] + data.Average(v => v - data[0]);
        var var = data.Sum(v => (v - mean) * (v - mean)) / data.Length;
        Close(mean, await x.MeanAsync(), 1e-15);
        Close(var, await x.VarAsync(), 1e-9);
        var r = Compute(data, shape, [0], false);
        Close(r.Var, await x.VarAsync([0]), r.Kept);
        var f = Lazy.Generate<float>([1000, 1000], [300, 256], (region, d) =>
        {
            for (var k = 0; k < d.Length; k++)
            {
                d[k] = 10000f + ((k % 13) * 0.25f);
            }
        });
        var fd = (await f.ToArrayAsync()).Select(v => (double)v).ToArray();
        var fm = fd[0] + fd.Average(v => v - fd[0]);
        Close(fm, await f.MeanAsync(), 1e-14);
        Close(fd.Sum(v => (v - fm) * (v - fm)) / fd.Length, await f.VarAsync(), 1e-10);
        Close(fd.Sum(), await f.SumAsync(), 1e-15);
    }

    [Fact]
    public async Task ArgMin_and_ArgMax_give_the_first_flat_index_as_numpy()
    {
        var store = new MemoryStore();
        var data = Support.RandomData<double>(9 * 11, 4);
        data[57] = -1000;
        data[80] = -1000;
        data[12] = 1000;
        data[90] = 1000;
        var x = Lazy.From(await Support.ArrayAsync(store, "x", [9, 11], [4, 3], data));
        foreach (var options in Support.OptionCombinations())
        {
            Assert.Equal(57, await x.ArgMinAsync(options));
            Assert.Equal(12, await x.ArgMaxAsync(options));
        }

        data[70] = double.NaN;
        data[33] = double.NaN;
        var y = Lazy.From(await Support.ArrayAsync(store, "y", [9, 11], [2, 5], data));
        Assert.Equal(33, await y.ArgMinAsync());
        Assert.Equal(33, await y.ArgMaxAsync());
        var ints = Lazy.Generate<int>([50], [7], (region, d) =>
        {
            for (var k = 0; k < d.Length; k++)
            {
                d[k] = (int)((region.Start[0] + k) % 10);
            }
        });
        Assert.Equal(0, await ints.ArgMinAsync());
        Assert.Equal(9, await ints.ArgMaxAsync());
        await Assert.ThrowsAsync<InvalidOperationException>(() => Lazy.Generate<int>([0], [1], (_, _) => { }).ArgMinAsync());
    }

    [Fact]
    public async Task Histogram_matches_numpy_semantics()
    {
        var data = Support.RandomData<float>(40 * 30, 8);
        data[3] = float.NaN;
        data[4] = 50;  // exactly the last edge: counted in the last bin
        data[5] = -50; // exactly the first edge
        data[6] = 60;  // outside
        var store = new MemoryStore();
        var x = Lazy.From(await Support.ArrayAsync(store, "x", [40, 30], [7, 8], data));
        double[][] edgeSets = [[-50, -25, 0, 25, 50], [-50, -49.5, -10, 0.01, 3, 50], [0, 1]];
        foreach (var edges in edgeSets)
        {
            var expected = new long[edges.Length - 1];
            foreach (var v in data)
            {
                if (float.IsNaN(v) || v < edges[0] || v > edges[^1])
                {
                    continue;
                }

                var bin = v == edges[^1] ? edges.Length - 2 : Array.FindLastIndex(edges, e => e <= v);
                expected[bin]++;
            }

            Assert.Equal(expected, await x.HistogramAsync(edges, PipelineOptions.Uniform(2, 3)));
        }

        await Assert.ThrowsAsync<ArgumentException>(() => x.HistogramAsync([1, 1]));
        await Assert.ThrowsAsync<ArgumentException>(() => x.HistogramAsync([1]));
    }

    [Fact]
    public async Task Reductions_of_a_rechunked_or_computed_expression_and_argument_checks()
    {
        var store = new MemoryStore();
        var data = Support.RandomData<double>(12 * 10, 12);
        var x = Lazy.From(await Support.ArrayAsync(store, "x", [12, 10], [5, 5], data));
        Close(data.Sum() * 2, await (x * 2).Rechunk([3, 7]).SumAsync());
        Close(data.Select(v => v - 1).Average(), await (x - 1).MeanAsync());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => x.SumAsync([2]));
        await Assert.ThrowsAsync<ArgumentException>(() => x.SumAsync([0, -2]));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => x.VarAsync(-1));
        Close(data.Sum(), (await x.SumAsync([-1, 0])).ToArray()[0]);
        var empty = Lazy.Generate<double>([0, 4], [2, 2], (_, _) => { });
        Assert.Equal(0, await empty.SumAsync());
        Assert.True(double.IsNaN(await empty.MeanAsync()));
        await Assert.ThrowsAsync<InvalidOperationException>(() => empty.MaxAsync());
        var allNaN = Lazy.Generate<double>([3, 4], [2, 2], (_, d) => d.Fill(double.NaN));
        Assert.True(double.IsNaN(await allNaN.NanMinAsync()));
        Assert.True(double.IsNaN(await allNaN.NanMeanAsync()));
        Assert.Equal(0, await allNaN.NanSumAsync());
    }

    [Fact]
    public async Task Many_jobs_run_at_once_each_with_its_own_parallelism()
    {
        var jobs = Enumerable.Range(1, 6).Select(k =>
        {
            var x = Lazy.Generate<double>([300, 200], [37, 41], (_, d) => d.Fill(k));
            return x.SumAsync(PipelineOptions.Uniform(k, k));
        }).ToArray();
        var sums = await Task.WhenAll(jobs);
        Assert.Equal(Enumerable.Range(1, 6).Select(k => k * 60000.0), sums);
    }
}
