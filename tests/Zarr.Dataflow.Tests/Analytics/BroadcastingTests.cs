using Zarr.Storage;

namespace Zarr.Dataflow.Tests.Analytics;

/// <summary>Element-wise operations between arrays of different shapes, broadcast as numpy, and reductions used as arrays (<c>x - x.mean(axis)</c>).</summary>
public sealed class BroadcastingTests
{
    private static readonly long[] Shape = [5, 4, 3];

    /// <summary>Chunk grids of the (5, 4, 3) source: edge chunks on every axis, one chunk, chunks of one element on an axis.</summary>
    public static TheoryData<int[]> ChunkGrids => new([2, 3, 2], [5, 4, 3], [3, 1, 2]);

    /// <summary>Every subset of the three axes, as numpy's tuple of axes.</summary>
    private static IEnumerable<int[]> AxisSubsets() =>
        Enumerable.Range(0, 8).Select(mask => Enumerable.Range(0, 3).Where(a => (mask & (1 << a)) != 0).ToArray());

    [Theory]
    [MemberData(nameof(ChunkGrids))]
    public async Task AnomalyOverEveryAxisSubsetMatchesNumpy(int[] chunks)
    {
        var data = NumpyPeer.Data(60, 11, 0.1);
        var subsets = AxisSubsets().ToArray();
        var snippet = "results = [" + string.Join(", ", subsets.Select(s =>
            $"x - np.nanmean(x, axis={NumpyPeer.Tuple(s)}, keepdims=True), (x - np.nanmean(x, axis={NumpyPeer.Tuple(s)}, keepdims=True)) / np.nanstd(x, axis={NumpyPeer.Tuple(s)}, keepdims=True)")) + "]";
        var expected = await NumpyPeer.RunAsync(snippet, new NumpyInput("x", data, Shape));

        var store = new MemoryStore();
        var stored = await Support.ArrayAsync(store, "x", Shape, chunks, data.Select(v => (float)v).ToArray());
        var x = Lazy.From(stored);
        foreach (var options in Support.OptionCombinations())
        {
            for (var i = 0; i < subsets.Length; i++)
            {
                var axes = subsets[i];
                var anomaly = x.Cast<double>() - x.NanMean(axes).AsArray(keepDims: true);
                Assert.Equal(Shape, anomaly.Shape.ToArray());
                NumpyPeer.AssertClose(expected[2 * i], await anomaly.ToArrayAsync(options), $"x - nanmean(x, {NumpyPeer.Tuple(axes)})", 1e-5);

                var standardised = anomaly / x.NanStd(axes).AsArray(keepDims: true);
                NumpyPeer.AssertClose(expected[(2 * i) + 1], await standardised.ToArrayAsync(options), $"standardised over {NumpyPeer.Tuple(axes)}", 1e-5);
            }
        }
    }

    [Theory]
    [MemberData(nameof(ChunkGrids))]
    public async Task LeadingAxesReduceAndBroadcastWithoutKeepDims(int[] chunks)
    {
        var data = NumpyPeer.Data(60, 12, 0);
        var expected = await NumpyPeer.RunAsync(
            "results = [x - x.mean(axis=0), x - x.mean(axis=(0, 1)), x - x.mean(), x * x.std(axis=0), x / x.var(axis=(0, 1))]",
            new NumpyInput("x", data, Shape));
        var x = Lazy.From(await Support.ArrayAsync(new MemoryStore(), "x", Shape, chunks, data));
        foreach (var options in Support.OptionCombinations())
        {
            NumpyPeer.AssertClose(expected[0], await (x - x.Mean([0])).ToArrayAsync(options), "x - x.mean(0)");
            NumpyPeer.AssertClose(expected[1], await (x - x.Mean([0, 1])).ToArrayAsync(options), "x - x.mean((0, 1))");
            NumpyPeer.AssertClose(expected[2], await (x - x.Mean(null)).ToArrayAsync(options), "x - x.mean()");
            NumpyPeer.AssertClose(expected[3], await (x * x.Std([0])).ToArrayAsync(options), "x * x.std(0)");
            NumpyPeer.AssertClose(expected[4], await (x / x.Var([0, 1])).ToArrayAsync(options), "x / x.var((0, 1))");
        }
    }

    [Fact]
    public async Task ArraysOfDifferentShapesBroadcastBothWays()
    {
        var a = NumpyPeer.Data(15, 13, 0.1);
        var b = NumpyPeer.Data(4, 14, 0);
        var expected = await NumpyPeer.RunAsync("results = [a + b, b - a, a * b, np.broadcast_to(b, (3, 4, 1))]",
            new NumpyInput("a", a, [5, 1, 3]), new NumpyInput("b", b, [4, 1]));
        var store = new MemoryStore();
        var left = Lazy.From(await Support.ArrayAsync(store, "a", [5, 1, 3], [2, 1, 2], a));
        var right = Lazy.From(await Support.ArrayAsync(store, "b", [4, 1], [3, 1], b));
        foreach (var options in Support.OptionCombinations())
        {
            var sum = left + right;
            Assert.Equal([5L, 4, 3], sum.Shape.ToArray());
            Assert.Equal([2, 3, 2], sum.Chunks.ToArray());
            NumpyPeer.AssertClose(expected[0], await sum.ToArrayAsync(options), "a + b");
            NumpyPeer.AssertClose(expected[1], await (right - left).ToArrayAsync(options), "b - a");
            NumpyPeer.AssertClose(expected[2], await (left * right).ToArrayAsync(options), "a * b");
            NumpyPeer.AssertClose(expected[3], await right.BroadcastTo([3, 4, 1]).ToArrayAsync(options), "broadcast_to(b, (3, 4, 1))");
        }
    }

    [Fact]
    public async Task AnomalyStoresIntoItsOwnSourceAfterTheMeanIsComputed()
    {
        // x ← x − mean(x, 0): the mean is computed whole before the first chunk is overwritten.
        var data = NumpyPeer.Data(60, 15, 0);
        var expected = await NumpyPeer.RunAsync("results = [x - x.mean(axis=0)]", new NumpyInput("x", data, Shape));
        var stored = await Support.ArrayAsync(new MemoryStore(), "x", Shape, [2, 3, 2], data);
        var x = Lazy.From(stored);
        await (x - x.Mean([0])).StoreAsync(stored, Support.OptionCombinations().Last());
        NumpyPeer.AssertClose(expected[0], await Support.ReadAllAsync(stored), "x ← x - x.mean(0)");
    }

    [Fact]
    public void ShapesThatDoNotBroadcastAreRefusedNamingBoth()
    {
        var a = Lazy.Generate<double>([5, 4], [2, 2], static (_, d) => d.Fill(1));
        var b = Lazy.Generate<double>([3], [3], static (_, d) => d.Fill(1));
        var e = Assert.Throws<ArgumentException>(() => a + b);
        Assert.Contains("(5, 4) and (3)", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => b.BroadcastTo([3, 2]));
        Assert.Throws<InvalidOperationException>(() => a.Histogram([0, 1, 2], [0]).AsArray(keepDims: true));
    }
}
