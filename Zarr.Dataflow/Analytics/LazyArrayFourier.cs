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
/// Discrete Fourier transforms along one axis of a lazy array, as numpy's <c>fft.fft</c> and <c>fft.rfft</c>, computed
/// with MathNet.Numerics. The result is complex128 (numpy's <c>complex128</c>) whatever the input's real type. A chunk of
/// the result reads its region with the axis whole (the input rechunked so the axis is whole), so a chunk in flight holds
/// the axis length times the chunk's other lengths in the input's type, plus its output chunk (the transform length, or
/// half of it plus one, times the same other lengths, 16 bytes each) and one transform buffer of 16 bytes per step of the
/// transform per worker. Choose the input's chunks on the other axes to bound that.
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
            Transform(array, axis, length, false, normalization);

        /// <summary>The one-sided discrete Fourier transform of real input along <paramref name="axis"/>: numpy's <c>fft.rfft(x, n, axis, norm)</c>, the first n / 2 + 1 terms of <see cref="Fft"/>.</summary>
        /// <param name="axis">The axis transformed (negative counts from the end; the last by default).</param>
        /// <param name="length">The transform's length: the axis is cropped or zero-padded to it (numpy's <c>n</c>); the axis's length when null.</param>
        /// <param name="normalization">The scaling (numpy's <c>norm</c>).</param>
        /// <returns>A complex array of the input's shape with the axis's length replaced by n / 2 + 1.</returns>
        /// <exception cref="ArgumentOutOfRangeException">The axis is out of range, or the length is below 1.</exception>
        public LazyArray<Complex> Rfft(int axis = -1, int? length = null, FftNormalization normalization = FftNormalization.Backward) =>
            Transform(array, axis, length, true, normalization);
    }

    private static LazyArray<Complex> Transform<T>(LazyArray<T> array, int axis, int? length, bool oneSided, FftNormalization normalization) where T : unmanaged, INumber<T>
    {
        ArgumentNullException.ThrowIfNull(array);
        var a = AlongAxis.Axis(axis, array.Rank);
        var n = length ?? checked((int)array.Node.Shape[a]);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1, nameof(length));
        return new LazyArray<Complex>(AlongAxisNode<T, Complex>.Create(array.Node, a, new FftKernel(n, oneSided, normalization)));
    }
}
