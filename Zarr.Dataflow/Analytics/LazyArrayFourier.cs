using System.Numerics;

namespace Zarr.Dataflow;

/// <summary>How a Fourier transform is scaled, as numpy's <c>norm</c> argument.</summary>
public enum FftNormalization
{
    /// <summary>No scaling of the forward transform (numpy's default, <c>"backward"</c>).</summary>
    Backward,

    /// <summary>Scaled by 1/√n (<c>"ortho"</c>).</summary>
    Ortho,

    /// <summary>Scaled by 1/n (<c>"forward"</c>).</summary>
    Forward,
}

/// <summary>
/// Discrete Fourier transforms along one axis of a lazy array, as numpy's <c>fft.fft</c>, <c>fft.ifft</c>,
/// <c>fft.rfft</c> and <c>fft.irfft</c>, computed with MathNet.Numerics, of real or complex (complex64, complex128)
/// input. A complex result is complex128 (numpy's <c>complex128</c>) whatever the input's type; <c>Irfft</c>'s is float64.
/// A chunk of the result reads its region with the axis whole (the input rechunked so the axis is whole), so a chunk in
/// flight holds the axis length times the chunk's other lengths in the input's type, plus its output chunk (the output
/// length along the axis times the same other lengths, 16 bytes each, 8 for <c>Irfft</c>), one lane of 16 bytes per
/// step of the axis and one transform buffer of 16 bytes per step of the transform per worker. Choose the input's
/// chunks on the other axes to bound that.
/// </summary>
public static class LazyArrayFourier
{
    extension<T>(LazyArray<T> array) where T : unmanaged, INumber<T>
    {
        /// <summary>The discrete Fourier transform along <paramref name="axis"/>: numpy's <c>fft.fft(x, n, axis, norm)</c>.</summary>
        /// <param name="axis">The axis transformed (negative counts from the end; the last by default).</param>
        /// <param name="length">The transform's length: the axis is cropped or zero-padded to it (numpy's <c>n</c>); the axis's length when null.</param>
        /// <param name="normalization">The scaling (numpy's <c>norm</c>).</param>
        /// <returns>A complex array of the input's shape with the axis's length replaced by the transform's.</returns>
        /// <exception cref="ArgumentOutOfRangeException">The axis is out of range, or the length is below 1.</exception>
        public LazyArray<Complex> Fft(int axis = -1, int? length = null, FftNormalization normalization = FftNormalization.Backward) =>
            Transform(array, axis, length, false, false, normalization);

        /// <summary>The inverse discrete Fourier transform along <paramref name="axis"/>: numpy's <c>fft.ifft(x, n, axis, norm)</c>.</summary>
        /// <param name="axis">The axis transformed (negative counts from the end; the last by default).</param>
        /// <param name="length">The transform's length: the axis is cropped or zero-padded to it (numpy's <c>n</c>); the axis's length when null.</param>
        /// <param name="normalization">The scaling (numpy's <c>norm</c>: "backward" divides the inverse by n).</param>
        /// <returns>A complex array of the input's shape with the axis's length replaced by the transform's.</returns>
        /// <exception cref="ArgumentOutOfRangeException">The axis is out of range, or the length is below 1.</exception>
        public LazyArray<Complex> Ifft(int axis = -1, int? length = null, FftNormalization normalization = FftNormalization.Backward) =>
            Transform(array, axis, length, false, true, normalization);

        /// <summary>The one-sided discrete Fourier transform of real input along <paramref name="axis"/>: numpy's <c>fft.rfft(x, n, axis, norm)</c>, the first n / 2 + 1 terms of <see cref="Fft"/>.</summary>
        /// <param name="axis">The axis transformed (negative counts from the end; the last by default).</param>
        /// <param name="length">The transform's length: the axis is cropped or zero-padded to it (numpy's <c>n</c>); the axis's length when null.</param>
        /// <param name="normalization">The scaling (numpy's <c>norm</c>).</param>
        /// <returns>A complex array of the input's shape with the axis's length replaced by n / 2 + 1.</returns>
        /// <exception cref="ArgumentOutOfRangeException">The axis is out of range, or the length is below 1.</exception>
        public LazyArray<Complex> Rfft(int axis = -1, int? length = null, FftNormalization normalization = FftNormalization.Backward) =>
            Transform(array, axis, length, true, false, normalization);
    }

    /// <summary>The sample frequencies of a transform of <paramref name="length"/>, in cycles per unit of <paramref name="spacing"/>: numpy's <c>fft.fftfreq(n, d)</c> (0, 1, …, then the negative ones, over n·d).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The length is below 1, or the spacing is not a positive finite number.</exception>
    public static double[] FftFrequencies(int length, double spacing = 1)
    {
        CheckFrequencies(length, spacing);
        var frequencies = new double[length];
        var scale = 1 / (length * spacing);
        for (var i = 0; i < length; i++)
        {
            frequencies[i] = (i <= (length - 1) / 2 ? i : i - length) * scale;
        }

        return frequencies;
    }

    /// <summary>The sample frequencies of a one-sided transform of <paramref name="length"/>: numpy's <c>fft.rfftfreq(n, d)</c> (0, 1, …, n / 2, over n·d), a coordinate for <c>Rfft</c>'s axis.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The length is below 1, or the spacing is not a positive finite number.</exception>
    public static double[] RfftFrequencies(int length, double spacing = 1)
    {
        CheckFrequencies(length, spacing);
        var scale = 1 / (length * spacing);
        return [.. Enumerable.Range(0, (length / 2) + 1).Select(i => i * scale)];
    }

    private static void CheckFrequencies(int length, double spacing)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        if (!(spacing > 0 && double.IsFinite(spacing)))
        {
            throw new ArgumentOutOfRangeException(nameof(spacing), spacing, "the sample spacing is a positive finite number");
        }
    }

    internal static LazyArray<Complex> Transform<T>(LazyArray<T> array, int axis, int? length, bool oneSided, bool inverse, FftNormalization normalization) where T : unmanaged, INumberBase<T>
    {
        ArgumentNullException.ThrowIfNull(array);
        var a = AlongAxis.Axis(axis, array.Rank);
        var n = length ?? checked((int)array.Node.Shape[a]);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1, nameof(length));
        return new LazyArray<Complex>(AlongAxisNode<T, Complex>.Create(array.Node, a, new FftKernel(n, oneSided, inverse, normalization)));
    }
}
