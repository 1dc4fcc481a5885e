using System.Numerics;
using Zarr.Storage;

namespace Zarr.Dataflow.Tests.Analytics;

/// <summary>Fourier transforms along each axis (numpy's fft.fft and fft.rfft) against numpy, over several chunk grids.</summary>
public sealed class FftTests
{
    // Axis lengths 6 and 4 are even, 5 and 7 odd (Bluestein in MathNet, radix-2 for 4).
    private static readonly long[] Shape = [6, 5, 4, 7];

    public static TheoryData<int[]> ChunkGrids => new([4, 2, 3, 7], [6, 5, 4, 7], [1, 3, 2, 3]);

    private static readonly PipelineOptions[] Options = [PipelineOptions.Uniform(1, 1), PipelineOptions.Uniform(4, 2)];

    private static double[] Input() => [.. NumpyPeer.Data(6 * 5 * 4 * 7, 41, 0).Select(v => (double)(float)v)];

    private static async Task<LazyArray<float>> StoredAsync(double[] data, int[] chunks) =>
        Lazy.From(await Support.ArrayAsync(new MemoryStore(), "x", Shape, chunks, data.Select(v => (float)v).ToArray()));

    private static void AssertComplex(double[] real, double[] imaginary, Complex[] actual, string what)
    {
        NumpyPeer.AssertClose(real, actual.Select(c => c.Real).ToArray(), what + " (real part)", 1e-9);
        NumpyPeer.AssertClose(imaginary, actual.Select(c => c.Imaginary).ToArray(), what + " (imaginary part)", 1e-9);
    }

    [Theory]
    [MemberData(nameof(ChunkGrids))]
    public async Task TransformsAlongEachAxisMatchNumpy(int[] chunks)
    {
        var data = Input();
        const string Snippet = """
            results = []
            for a in range(4):
                for r in (np.fft.fft(x, axis=a), np.fft.rfft(x, axis=a)):
                    results += [r.real, r.imag]
            """;
        var expected = await NumpyPeer.RunAsync(Snippet, new NumpyInput("x", data, Shape));
        var x = await StoredAsync(data, chunks);
        foreach (var options in Options)
        {
            for (var axis = 0; axis < 4; axis++)
            {
                var fft = x.Fft(axis);
                Assert.Equal(Shape, fft.Shape.ToArray());
                AssertComplex(expected[4 * axis], expected[(4 * axis) + 1], await fft.ToArrayAsync(options), $"fft along axis {axis}");

                var rfft = x.Rfft(axis - 4);
                var half = Shape.ToArray();
                half[axis] = (Shape[axis] / 2) + 1;
                Assert.Equal(half, rfft.Shape.ToArray());
                AssertComplex(expected[(4 * axis) + 2], expected[(4 * axis) + 3], await rfft.ToArrayAsync(options), $"rfft along axis {axis}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(ChunkGrids))]
    public async Task CroppedPaddedAndScaledTransformsMatchNumpy(int[] chunks)
    {
        var data = Input();
        const string Snippet = """
            results = []
            for r in (np.fft.fft(x, n=3, axis=0), np.fft.fft(x, n=9, axis=1, norm='ortho'), np.fft.rfft(x, n=11, axis=-1, norm='forward'),
                      np.fft.rfft(x, n=2, axis=2, norm='ortho'), np.fft.fft(x, n=1, axis=3)):
                results += [r.real, r.imag]
            """;
        var expected = await NumpyPeer.RunAsync(Snippet, new NumpyInput("x", data, Shape));
        var x = await StoredAsync(data, chunks);
        LazyArray<Complex>[] ours =
        [
            x.Fft(0, 3),
            x.Fft(1, 9, FftNormalization.Ortho),
            x.Rfft(-1, 11, FftNormalization.Forward),
            x.Rfft(2, 2, FftNormalization.Ortho),
            x.Fft(3, 1),
        ];
        string[] names = ["fft n=3 axis 0", "fft n=9 axis 1 ortho", "rfft n=11 axis -1 forward", "rfft n=2 axis 2 ortho", "fft n=1 axis 3"];
        foreach (var options in Options)
        {
            for (var i = 0; i < ours.Length; i++)
            {
                AssertComplex(expected[2 * i], expected[(2 * i) + 1], await ours[i].ToArrayAsync(options), names[i]);
            }
        }
    }

    [Fact]
    public async Task ANaNSpoilsOnlyItsOwnLaneAsInNumpy()
    {
        var data = Input();
        data[(((2 * 5) + 1) * 4 * 7) + (3 * 7) + 5] = double.NaN; // x[2, 1, 3, 5]
        var expected = await NumpyPeer.RunAsync("r = np.fft.fft(x, axis=0)\nresults = [np.isnan(r.real) | np.isnan(r.imag)]", new NumpyInput("x", data, Shape));
        var x = await StoredAsync(data, [4, 2, 3, 7]);
        var actual = (await x.Fft(0).ToArrayAsync()).Select(c => double.IsNaN(c.Real) || double.IsNaN(c.Imaginary) ? 1.0 : 0.0).ToArray();
        NumpyPeer.AssertClose(expected[0], actual, "lanes with a NaN after fft along axis 0");
        Assert.Equal(6, actual.Count(v => v == 1));
    }

    [Fact]
    public async Task ATransformStoresIntoAComplex128Array()
    {
        var data = Input();
        var expected = await NumpyPeer.RunAsync("r = np.fft.rfft(x, axis=0)\nresults = [r.real, r.imag]", new NumpyInput("x", data, Shape));
        var store = new MemoryStore();
        var x = Lazy.From(await Support.ArrayAsync(store, "x", Shape, [2, 5, 2, 7], data.Select(v => (float)v).ToArray()));
        var target = await ZarrArray.CreateAsync<Complex>(store, "spectrum", [4, 5, 4, 7], new ArrayOptions { Chunks = [4, 5, 2, 7] });
        Assert.Equal(ZarrDataType.Complex128, target.DataType);
        await x.Rfft(0).StoreAsync(target, PipelineOptions.Uniform(3, 2));
        AssertComplex(expected[0], expected[1], await Lazy.From(target).ToArrayAsync(), "rfft stored and read back");
    }

    [Fact]
    public void ArgumentsOutOfRangeAreRefused()
    {
        var x = Lazy.Generate<double>([6, 5], [2, 5], static (_, d) => d.Fill(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Fft(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Rfft(-3));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Fft(0, 0));
    }
}
