using System.Numerics;
using Zarr.Storage;

namespace Zarr.Dataflow.Tests.Analytics;

/// <summary>Fourier transforms along each axis (numpy's fft.fft, ifft, rfft, irfft) of real and complex input against numpy, over several chunk grids.</summary>
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

    /// <summary>A complex input: the real input and a second draw as imaginary parts.</summary>
    private static Complex[] ComplexInput() => [.. Input().Zip(NumpyPeer.Data(6 * 5 * 4 * 7, 43, 0), (re, im) => new Complex(re, (float)im))];

    private const string ComplexSnippet = """
        z = zr + 1j * zi
        results = []
        for a in range(4):
            for r in (np.fft.fft(z, axis=a), np.fft.ifft(z, axis=a), np.fft.ifft(z, n=3, axis=a, norm='ortho'), np.fft.ifft(z, n=9, axis=a, norm='forward'),
                      np.fft.fft(z, n=8, axis=a, norm='forward')):
                results += [r.real, r.imag]
            for r in (np.fft.irfft(z, axis=a), np.fft.irfft(z, n=7, axis=a, norm='ortho'), np.fft.irfft(z, n=2, axis=a, norm='forward'), np.fft.irfft(z, n=12, axis=a)):
                results.append(r)
        """;

    /// <summary>Checks the complex transforms along every axis against <see cref="ComplexSnippet"/>'s results.</summary>
    private static async Task AssertComplexTransformsAsync(double[][] expected, Func<int, LazyArray<Complex>[]> transforms, Func<int, LazyArray<double>[]> inverses, string input, double tolerance)
    {
        foreach (var options in Options)
        {
            for (var axis = 0; axis < 4; axis++)
            {
                var at = 14 * axis;
                var complex = transforms(axis);
                string[] names = ["fft", "ifft", "ifft n=3 ortho", "ifft n=9 forward", "fft n=8 forward"];
                for (var i = 0; i < complex.Length; i++)
                {
                    var values = await complex[i].ToArrayAsync(options);
                    NumpyPeer.AssertClose(expected[at + (2 * i)], values.Select(c => c.Real).ToArray(), $"{names[i]} of {input} along axis {axis} (real part)", tolerance);
                    NumpyPeer.AssertClose(expected[at + (2 * i) + 1], values.Select(c => c.Imaginary).ToArray(), $"{names[i]} of {input} along axis {axis} (imaginary part)", tolerance);
                }

                var real = inverses(axis);
                string[] realNames = ["irfft", "irfft n=7 ortho", "irfft n=2 forward", "irfft n=12"];
                for (var i = 0; i < real.Length; i++)
                {
                    NumpyPeer.AssertClose(expected[at + 10 + i], await real[i].ToArrayAsync(options), $"{realNames[i]} of {input} along axis {axis}", tolerance);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(ChunkGrids))]
    public async Task ComplexTransformsAndInversesMatchNumpy(int[] chunks)
    {
        var data = ComplexInput();
        var expected = await NumpyPeer.RunAsync(
            ComplexSnippet,
            new NumpyInput("zr", [.. data.Select(c => c.Real)], Shape),
            new NumpyInput("zi", [.. data.Select(c => c.Imaginary)], Shape));
        var z = Lazy.From(await Support.ArrayAsync(new MemoryStore(), "z", Shape, chunks, data));
        await AssertComplexTransformsAsync(
            expected,
            a => [z.Fft(a), z.Ifft(a - 4), z.Ifft(a, 3, FftNormalization.Ortho), z.Ifft(a, 9, FftNormalization.Forward), z.Fft(a, 8, FftNormalization.Forward)],
            a => [z.Irfft(a), z.Irfft(a, 7, FftNormalization.Ortho), z.Irfft(a - 4, 2, FftNormalization.Forward), z.Irfft(a, 12)],
            "complex128",
            1e-9);
    }

    [Fact]
    public async Task Complex64TransformsAreComputedInComplex128AsNumpy()
    {
        // The values are float32 already, so numpy's complex128 transform of the complex64 input is the reference.
        var data = ComplexInput();
        var expected = await NumpyPeer.RunAsync(
            ComplexSnippet.Replace("z = zr + 1j * zi", "z = (zr + 1j * zi).astype(np.complex64)", StringComparison.Ordinal),
            new NumpyInput("zr", [.. data.Select(c => c.Real)], Shape),
            new NumpyInput("zi", [.. data.Select(c => c.Imaginary)], Shape));
        var single = data.Select(c => new Complex64((float)c.Real, (float)c.Imaginary)).ToArray();
        var z = Lazy.From(await Support.ArrayAsync(new MemoryStore(), "z", Shape, [4, 2, 3, 7], single));
        await AssertComplexTransformsAsync(
            expected,
            a => [z.Fft(a), z.Ifft(a), z.Ifft(a, 3, FftNormalization.Ortho), z.Ifft(a, 9, FftNormalization.Forward), z.Fft(a, 8, FftNormalization.Forward)],
            a => [z.Irfft(a), z.Irfft(a, 7, FftNormalization.Ortho), z.Irfft(a, 2, FftNormalization.Forward), z.Irfft(a, 12)],
            "complex64",
            1e-5);
    }

    [Fact]
    public async Task AnInverseOfARealTransformGivesTheInputBackAndRealInputHasAnIfft()
    {
        var data = Input();
        var expected = await NumpyPeer.RunAsync(
            "r = np.fft.ifft(x, axis=1, norm='ortho')\nresults = [r.real, r.imag, np.fft.irfft(np.fft.rfft(x, axis=3), n=7, axis=3)]",
            new NumpyInput("x", data, Shape));
        var x = await StoredAsync(data, [4, 2, 3, 7]);
        var inverse = await x.Ifft(1, normalization: FftNormalization.Ortho).ToArrayAsync(PipelineOptions.Uniform(4, 2));
        AssertComplex(expected[0], expected[1], inverse, "ifft of real input, ortho");
        var roundTrip = await x.Rfft(3).Irfft(3, 7).ToArrayAsync(PipelineOptions.Uniform(4, 2));
        NumpyPeer.AssertClose(expected[2], roundTrip, "irfft(rfft(x), n=7)");
        NumpyPeer.AssertClose(data, roundTrip, "irfft(rfft(x), n=7) against x itself", 1e-9);
    }

    [Fact]
    public async Task SampleFrequenciesMatchNumpy()
    {
        var expected = await NumpyPeer.RunAsync("results = [np.fft.fftfreq(n, d) for n in (1, 2, 7, 8) for d in (1.0, 0.25)] + [np.fft.rfftfreq(n, d) for n in (1, 2, 7, 8) for d in (1.0, 0.25)]");
        var i = 0;
        foreach (var frequencies in new Func<int, double, double[]>[] { LazyArrayFourier.FftFrequencies, LazyArrayFourier.RfftFrequencies })
        {
            foreach (var n in new[] { 1, 2, 7, 8 })
            {
                foreach (var d in new[] { 1.0, 0.25 })
                {
                    NumpyPeer.AssertClose(expected[i++], frequencies(n, d), $"frequencies of {n} at {d}", 1e-15);
                }
            }
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => LazyArrayFourier.FftFrequencies(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => LazyArrayFourier.RfftFrequencies(4, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => LazyArrayFourier.RfftFrequencies(4, double.NaN));
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
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Ifft(0, -1));
        var z = x.Cast<Complex>();
        Assert.Throws<ArgumentOutOfRangeException>(() => z.Irfft(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => z.Irfft(0, 0));
        var single = Lazy.Generate<double>([6, 1], [2, 1], static (_, d) => d.Fill(1)).Cast<Complex>();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => single.Irfft(1));
        Assert.Equal("length", e.ParamName);
    }
}
