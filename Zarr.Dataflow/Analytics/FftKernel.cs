using System.Numerics;
using MathNet.Numerics.IntegralTransforms;

namespace Zarr.Dataflow;

/// <summary>
/// The discrete Fourier transform of each lane, as numpy's <c>fft.fft</c> and <c>fft.rfft</c>: the lane cropped or
/// zero-padded to <c>length</c>, transformed with MathNet (Bluestein for lengths that are not powers of two), no scaling
/// forward (numpy's "backward" norm) unless asked; a one-sided transform keeps the first length / 2 + 1 terms. NaN
/// propagates as numpy's does (it is not skipped).
/// </summary>
internal sealed class FftKernel : LaneKernel<Complex>
{
    // One transform buffer per thread: Apply is synchronous, and MathNet transforms an array in place.
    [ThreadStatic]
    private static Complex[]? t_buffer;

    private readonly int _length;
    private readonly bool _oneSided;
    private readonly double _scale;

    public FftKernel(int length, bool oneSided, FftNormalization normalization)
    {
        _length = length;
        _oneSided = oneSided;
        _scale = normalization switch
        {
            FftNormalization.Backward => 1,
            FftNormalization.Ortho => 1 / Math.Sqrt(length),
            FftNormalization.Forward => 1.0 / length,
            _ => throw new ArgumentOutOfRangeException(nameof(normalization), normalization, "not an FftNormalization"),
        };
    }

    public override int OutputLength => _oneSided ? (_length / 2) + 1 : _length;

    public override int ScratchLength(int n) => 1;

    public override void Apply(ReadOnlySpan<double> lane, Span<Complex> output, Span<double> scratch)
    {
        var buffer = t_buffer;
        if (buffer is null || buffer.Length != _length)
        {
            buffer = t_buffer = new Complex[_length];
        }

        var kept = Math.Min(lane.Length, _length);
        for (var i = 0; i < kept; i++)
        {
            buffer[i] = new Complex(lane[i], 0);
        }

        buffer.AsSpan(kept).Clear();
        Fourier.Forward(buffer, FourierOptions.Matlab);
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
