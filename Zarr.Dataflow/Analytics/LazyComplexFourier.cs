using System.Numerics;
using Zarr.Storage;

namespace Zarr.Dataflow;

/// <summary>
/// Discrete Fourier transforms of complex128 input along one axis, as numpy's <c>fft.fft</c>, <c>fft.ifft</c> and
/// <c>fft.irfft</c> (see <see cref="LazyArrayFourier"/> for real input and for the memory a chunk in flight holds).
/// </summary>
public static class LazyComplexFourier
{
    extension(LazyArray<Complex> array)
    {
        /// <summary>The discrete Fourier transform of complex input along <paramref name="axis"/>: numpy's <c>fft.fft(z, n, axis, norm)</c>.</summary>
        /// <param name="axis">The axis transformed (negative counts from the end; the last by default).</param>
        /// <param name="length">The transform's length: the axis is cropped or zero-padded to it (numpy's <c>n</c>); the axis's length when null.</param>
        /// <param name="normalization">The scaling (numpy's <c>norm</c>).</param>
        /// <exception cref="ArgumentOutOfRangeException">The axis is out of range, or the length is below 1.</exception>
        public LazyArray<Complex> Fft(int axis = -1, int? length = null, FftNormalization normalization = FftNormalization.Backward) =>
            LazyArrayFourier.Transform(array, axis, length, false, false, normalization);

        /// <summary>The inverse discrete Fourier transform of complex input along <paramref name="axis"/>: numpy's <c>fft.ifft(z, n, axis, norm)</c>.</summary>
        /// <param name="axis">The axis transformed (negative counts from the end; the last by default).</param>
        /// <param name="length">The transform's length: the axis is cropped or zero-padded to it (numpy's <c>n</c>); the axis's length when null.</param>
        /// <param name="normalization">The scaling (numpy's <c>norm</c>: "backward" divides the inverse by n).</param>
        /// <exception cref="ArgumentOutOfRangeException">The axis is out of range, or the length is below 1.</exception>
        public LazyArray<Complex> Ifft(int axis = -1, int? length = null, FftNormalization normalization = FftNormalization.Backward) =>
            LazyArrayFourier.Transform(array, axis, length, false, true, normalization);

        /// <summary>
        /// The inverse of <see cref="LazyArrayFourier"/>'s <c>Rfft</c> along <paramref name="axis"/>: numpy's <c>fft.irfft(z, n, axis, norm)</c>, a real
        /// array with n steps along the axis whose one-sided transform is the input's first n / 2 + 1 terms (zero-padded
        /// when fewer; the imaginary parts of the zero-frequency term and of an even n's Nyquist term ignored, as numpy's).
        /// </summary>
        /// <param name="axis">The axis transformed (negative counts from the end; the last by default).</param>
        /// <param name="length">The output's length along the axis (numpy's <c>n</c>); 2 (m − 1) for an axis of m when null.</param>
        /// <param name="normalization">The scaling (numpy's <c>norm</c>: "backward" divides the inverse by n).</param>
        /// <exception cref="ArgumentOutOfRangeException">The axis is out of range, or the length is below 1 (as for an axis of 1 without a length).</exception>
        public LazyArray<double> Irfft(int axis = -1, int? length = null, FftNormalization normalization = FftNormalization.Backward)
        {
            ArgumentNullException.ThrowIfNull(array);
            var a = AlongAxis.Axis(axis, array.Rank);
            var n = length ?? checked(2 * ((int)array.Node.Shape[a] - 1));
            ArgumentOutOfRangeException.ThrowIfLessThan(n, 1, nameof(length));
            return new LazyArray<double>(AlongAxisNode<Complex, double>.Create(array.Node, a, new InverseRealFftKernel(n, normalization)));
        }
    }

    internal static LazyArray<Complex> Widened(LazyArray<Complex64> array)
    {
        ArgumentNullException.ThrowIfNull(array);
        return array.Cast<Complex>();
    }
}

/// <summary>
/// Discrete Fourier transforms of complex64 input along one axis, widened to complex128 as numpy computes them
/// (see <see cref="LazyArrayFourier"/> for the memory a chunk in flight holds).
/// </summary>
public static class LazyComplex64Fourier
{
    extension(LazyArray<Complex64> array)
    {
        /// <summary>The discrete Fourier transform of complex64 input along <paramref name="axis"/>, computed in complex128: numpy's <c>fft.fft(z, n, axis, norm)</c>.</summary>
        /// <param name="axis">The axis transformed (negative counts from the end; the last by default).</param>
        /// <param name="length">The transform's length (numpy's <c>n</c>); the axis's length when null.</param>
        /// <param name="normalization">The scaling (numpy's <c>norm</c>).</param>
        /// <exception cref="ArgumentOutOfRangeException">The axis is out of range, or the length is below 1.</exception>
        public LazyArray<Complex> Fft(int axis = -1, int? length = null, FftNormalization normalization = FftNormalization.Backward) =>
            LazyComplexFourier.Widened(array).Fft(axis, length, normalization);

        /// <summary>The inverse discrete Fourier transform of complex64 input along <paramref name="axis"/>, computed in complex128: numpy's <c>fft.ifft(z, n, axis, norm)</c>.</summary>
        /// <param name="axis">The axis transformed (negative counts from the end; the last by default).</param>
        /// <param name="length">The transform's length (numpy's <c>n</c>); the axis's length when null.</param>
        /// <param name="normalization">The scaling (numpy's <c>norm</c>).</param>
        /// <exception cref="ArgumentOutOfRangeException">The axis is out of range, or the length is below 1.</exception>
        public LazyArray<Complex> Ifft(int axis = -1, int? length = null, FftNormalization normalization = FftNormalization.Backward) =>
            LazyComplexFourier.Widened(array).Ifft(axis, length, normalization);

        /// <summary>The inverse of a one-sided transform of complex64 input along <paramref name="axis"/>, computed in float64: numpy's <c>fft.irfft(z, n, axis, norm)</c>.</summary>
        /// <param name="axis">The axis transformed (negative counts from the end; the last by default).</param>
        /// <param name="length">The output's length along the axis (numpy's <c>n</c>); 2 (m − 1) for an axis of m when null.</param>
        /// <param name="normalization">The scaling (numpy's <c>norm</c>).</param>
        /// <exception cref="ArgumentOutOfRangeException">The axis is out of range, or the length is below 1.</exception>
        public LazyArray<double> Irfft(int axis = -1, int? length = null, FftNormalization normalization = FftNormalization.Backward) =>
            LazyComplexFourier.Widened(array).Irfft(axis, length, normalization);
    }
}
