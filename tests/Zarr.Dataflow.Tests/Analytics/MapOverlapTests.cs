using Zarr.Storage;

namespace Zarr.Dataflow.Tests.Analytics;

/// <summary>Chunk functions with a halo of neighbouring cells (map-overlap), in every edge mode, against numpy's <c>pad</c>.</summary>
public sealed class MapOverlapTests
{
    private static readonly long[] Shape = [7, 6];

    public static TheoryData<int[]> ChunkGrids => new([3, 4], [7, 6], [2, 1]);

    private static readonly (EdgeMode Mode, string Numpy)[] Modes =
        [(EdgeMode.Constant, "constant', constant_values=-1.5"), (EdgeMode.Edge, "edge'"), (EdgeMode.Reflect, "reflect'"), (EdgeMode.Symmetric, "symmetric'"), (EdgeMode.Wrap, "wrap'")];

    /// <summary>The sum over a (2·dy + 1) × (2·dx + 1) window around each cell, computed from the padded block.</summary>
    private static OverlapFunction<double> BoxSum(int dy, int dx) => (block, blockShape, output, region) =>
    {
        var h = region.Shape[0];
        var w = region.Shape[1];
        var bw = blockShape[1];
        for (var i = 0; i < h; i++)
        {
            for (var j = 0; j < w; j++)
            {
                double sum = 0;
                for (var a = -dy; a <= dy; a++)
                {
                    for (var b = -dx; b <= dx; b++)
                    {
                        sum += block[((i + dy + a) * bw) + j + dx + b];
                    }
                }

                output[(i * w) + j] = sum;
            }
        }
    };

    [Theory]
    [MemberData(nameof(ChunkGrids))]
    public async Task StencilsMatchNumpyPadInEveryEdgeMode(int[] chunks)
    {
        var data = NumpyPeer.Data(42, 41, 0);
        var snippet = """
            def box(x, dy, dx, **pad):
                p = np.pad(x, ((dy, dy), (dx, dx)), **pad)
                return sum(p[dy + a: dy + a + x.shape[0], dx + b: dx + b + x.shape[1]] for a in range(-dy, dy + 1) for b in range(-dx, dx + 1))
            results = []
            """ + "\n" + string.Concat(Modes.Select(m => $"results += [box(x, 1, 1, mode='{m.Numpy}), box(x, 3, 0, mode='{m.Numpy}), box(x, 0, 6, mode='{m.Numpy})]\n"));
        var expected = await NumpyPeer.RunAsync(snippet, new NumpyInput("x", data, Shape));
        var x = Lazy.From(await Support.ArrayAsync(new MemoryStore(), "x", Shape, chunks, data));
        foreach (var options in new[] { PipelineOptions.Uniform(1, 1), PipelineOptions.Uniform(4, 2) })
        {
            for (var m = 0; m < Modes.Length; m++)
            {
                var mode = Modes[m].Mode;
                NumpyPeer.AssertClose(expected[3 * m], await x.MapOverlap([1, 1], BoxSum(1, 1), mode, -1.5).ToArrayAsync(options), $"3×3 sum, {mode}");
                NumpyPeer.AssertClose(expected[(3 * m) + 1], await x.MapOverlap([3, 0], BoxSum(3, 0), mode, -1.5).ToArrayAsync(options), $"7×1 sum, {mode}");
                NumpyPeer.AssertClose(expected[(3 * m) + 2], await x.MapOverlap([0, 6], BoxSum(0, 6), mode, -1.5).ToArrayAsync(options), $"1×13 sum (halo as long as the axis), {mode}");
            }
        }
    }

    [Fact]
    public void HalosLongerThanTheAxisAreRefused()
    {
        var x = Lazy.Generate<double>([4, 3], [2, 2], static (_, d) => d.Fill(1));
        Assert.Throws<ArgumentException>(() => x.MapOverlap([1], BoxSum(1, 0)));
        Assert.Throws<ArgumentException>(() => x.MapOverlap([5, 0], BoxSum(5, 0)));
        Assert.Throws<ArgumentException>(() => x.MapOverlap([-1, 0], BoxSum(0, 0)));
    }
}
