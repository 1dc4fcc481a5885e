using System.Numerics;
using MathNet.Numerics.IntegralTransforms;

namespace Zarr.Dataflow;

/// <summary>
/// The discrete Fourier transform of each lane, forward or inverse, as numpy's <c>fft.fft</c>, <c>fft.ifft</c> and
/// <c>fft.rfft</c>: the lane cropped or zero-padded to <c>length</c>, transformed with MathNet (Bluestein for lengths
/// that are not powers of two) without scaling, then scaled as numpy's <c>norm</c> asks for the direction; a one-sided
/// transform keeps the first length / 2 + 1 terms. NaN propagates as numpy's does (it is not skipped).
/// </summary>
internal sealed class FftKernel : ComplexLaneKernel<Complex>
{
    private readonly int _length;
    private readonly bool _oneSided;
    private readonly bool _inverse;
    private readonly double _scale;

    public FftKernel(int length, bool oneSided, bool inverse, FftNormalization normalization)
    {
        _length = length;
        _oneSided = oneSided;
        _inverse = inverse;
        _scale = FourierScale.Of(length, inverse, normalization) * (inverse ? length : 1);
    }

    public override int OutputLength => _oneSided ? (_length / 2) + 1 : _length;

    public override void Apply(ReadOnlySpan<Complex> lane, Span<Complex> output)
    {
        var buffer = FourierScale.Buffer(_length);
        var kept = Math.Min(lane.Length, _length);
        lane[..kept].CopyTo(buffer);
        buffer.AsSpan(kept).Clear();

        // Matlab's convention is numpy's signs (e^-i forward, e^+i inverse) and backward scaling (1/n on the inverse,
        // which _scale undoes before applying the norm's).
        if (_inverse)
        {
            Fourier.Inverse(buffer, FourierOptions.Matlab);
        }
        else
        {
            Fourier.Forward(buffer, FourierOptions.Matlab);
        }

        var terms = buffer.AsSpan(0, output.Length);
        if (_scale == 1)
        {
            terms.CopyTo(output);
            return;
        }

        for (var i = 0; i < terms.Length; i++)
        {
            output[i] = terms[i] * _scale;
        }
    }
}

/// <summary>
/// The inverse of a one-sided transform, as numpy's <c>fft.irfft(a, n)</c>: the lane's first n / 2 + 1 terms (zero-padded
/// when shorter) are taken as the non-negative frequencies of a Hermitian spectrum of n terms, whose inverse transform is
/// real. As numpy's (pocketfft's c2r), the imaginary parts of the zero-frequency term and, for an even n, of the
/// Nyquist term are ignored.
/// </summary>
internal sealed class InverseRealFftKernel(int length, FftNormalization normalization) : ComplexLaneKernel<double>
{
    // Matlab's inverse already divides by n (see FftKernel).
    private readonly double _scale = FourierScale.Of(length, true, normalization) * length;

    public override int OutputLength => length;

    public override void Apply(ReadOnlySpan<Complex> lane, Span<double> output)
    {
        var buffer = FourierScale.Buffer(length);
        var half = length / 2;
        buffer[0] = lane[0].Real;
        for (var k = 1; k <= (length - 1) / 2; k++)
        {
            var term = k < lane.Length ? lane[k] : Complex.Zero;
            buffer[k] = term;
            buffer[length - k] = Complex.Conjugate(term);
        }

        if (length % 2 == 0 && half > 0)
        {
            buffer[half] = half < lane.Length ? lane[half].Real : 0;
        }

        Fourier.Inverse(buffer, FourierOptions.Matlab);
        for (var i = 0; i < length; i++)
        {
            output[i] = buffer[i].Real * _scale;
        }
    }
}

/// <summary>numpy's scaling of a transform per direction and <c>norm</c>, and the per-thread transform buffer.</summary>
internal static class FourierScale
{
    // One transform buffer per thread: kernels run synchronously, and MathNet transforms an array in place.
    [ThreadStatic]
    private static Complex[]? t_buffer;

    /// <summary>The factor numpy applies to a transform of <paramref name="length"/> in the given direction.</summary>
    public static double Of(int length, bool inverse, FftNormalization normalization) => normalization switch
    {
        FftNormalization.Backward => inverse ? 1.0 / length : 1,
        FftNormalization.Ortho => 1 / Math.Sqrt(length),
        FftNormalization.Forward => inverse ? 1 : 1.0 / length,
        _ => throw new ArgumentOutOfRangeException(nameof(normalization), normalization, "not an FftNormalization"),
    };

    /// <summary>This thread's buffer of exactly <paramref name="length"/> terms (MathNet transforms the whole array).</summary>
    public static Complex[] Buffer(int length)
    {
        var buffer = t_buffer;
        if (buffer is null || buffer.Length != length)
        {
            buffer = t_buffer = new Complex[length];
        }

        return buffer;
    }
}
