using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Zarr.Dataflow.Blocks;
using Zarr.Storage;
using Zarr.Storage.Buffers;

namespace Zarr.Dataflow;

/// <summary>
/// Computes, for every lane along one axis (the values of one cell of the other axes, in axis order), an output lane
/// from the whole input lane: a quantile, a fit, groups, a cumulative or rolling result. The output has the axis
/// replaced by the kernel's output length, or dropped. A chunk of the output reads its region with the axis whole (the
/// input "rechunked so the axis is whole"), so a chunk in flight holds the axis length times the chunk's other
/// lengths, in float64, besides the output chunk.
/// </summary>
internal sealed class AlongAxisNode<T, TOut> : LazyNode<TOut> where T : unmanaged, INumberBase<T> where TOut : unmanaged
{
    private readonly LazyNode<T> _operand;
    private readonly LazyNode<T>? _other;
    private readonly int _axis;
    private readonly bool _keepAxis;
    private readonly LaneKernel<TOut> _kernel;

    private AlongAxisNode(LazyNode<T> operand, LazyNode<T>? other, int axis, bool keepAxis, LaneKernel<TOut> kernel, long[] shape, int[] chunks)
        : base(shape, chunks)
    {
        _operand = operand;
        _other = other;
        _axis = axis;
        _keepAxis = keepAxis;
        _kernel = kernel;
    }

    public override ZarrArray<TOut>? Primary => null;

    public override int StoredBytesPerElement => 0;

    /// <summary>The node over <paramref name="operand"/>'s lanes along <paramref name="axis"/> (already normalised), paired with <paramref name="other"/>'s (of the same shape) when given.</summary>
    /// <exception cref="ArgumentException">An output chunk would exceed 2 GiB.</exception>
    public static AlongAxisNode<T, TOut> Create(LazyNode<T> operand, int axis, LaneKernel<TOut> kernel, LazyNode<T>? other = null)
    {
        var keep = kernel.OutputLength >= 0;
        long[] shape = keep ? [.. operand.Shape] : [.. operand.Shape.Where((_, d) => d != axis)];
        int[] chunks = keep ? [.. operand.Chunks] : [.. operand.Chunks.Where((_, d) => d != axis)];
        if (keep)
        {
            shape[axis] = kernel.OutputLength;
            chunks[axis] = Math.Max(1, kernel.OutputLength);
        }

        LazyArray<TOut>.ValidateChunks(shape, chunks);
        return new AlongAxisNode<T, TOut>(operand, other, axis, keep, kernel, shape, chunks);
    }

    public override void CollectDeferred(List<IDeferredInput> into)
    {
        _operand.CollectDeferred(into);
        _other?.CollectDeferred(into);
    }

    public override LazyNode<TOut> Bind(DeferredValues values) => new AlongAxisNode<T, TOut>(_operand.Bind(values), _other?.Bind(values), _axis, _keepAxis, _kernel, Shape, Chunks);

    public override async ValueTask EvaluateAsync(ChunkRegion region, Memory<byte> destination, bool primaryLoaded, CancellationToken cancellationToken)
    {
        if (region.ElementCount == 0)
        {
            return;
        }

        var n = checked((int)_operand.Shape[_axis]);
        var rank = _operand.Shape.Length;
        var start = new long[rank];
        var shape = new int[rank];
        for (int d = 0, o = 0; d < rank; d++)
        {
            if (d == _axis)
            {
                start[d] = 0;
                shape[d] = n;
                o += _keepAxis ? 1 : 0;
                continue;
            }

            start[d] = region.Start[o];
            shape[d] = region.Shape[o];
            o++;
        }

        var input = new ChunkRegion(start, shape);
        var bytes = checked((int)input.ElementCount * Unsafe.SizeOf<T>());
        using var buffer = PooledBuffer.RentDecoded(Math.Max(1, bytes));
        await _operand.EvaluateAsync(input, buffer.Memory[..bytes], false, cancellationToken).ConfigureAwait(false);
        using var second = _other is null ? null : PooledBuffer.RentDecoded(Math.Max(1, bytes));
        if (_other is not null)
        {
            await _other.EvaluateAsync(input, second!.Memory[..bytes], false, cancellationToken).ConfigureAwait(false);
        }

        if (_kernel is ComplexLaneKernel<TOut> complex)
        {
            ComplexLanes(complex, MemoryMarshal.Cast<byte, T>(buffer.Span[..bytes]), shape, MemoryMarshal.Cast<byte, TOut>(destination.Span)[..(int)region.ElementCount]);
            return;
        }

        if (_kernel is IRowKernel<TOut> { TakesRows: true } rows && _other is null)
        {
            Rows(rows, MemoryMarshal.Cast<byte, T>(buffer.Span[..bytes]), shape, MemoryMarshal.Cast<byte, TOut>(destination.Span)[..(int)region.ElementCount]);
            return;
        }

        Lanes(
            MemoryMarshal.Cast<byte, T>(buffer.Span[..bytes]),
            second is null ? default : MemoryMarshal.Cast<byte, T>(second.Span[..bytes]),
            shape,
            MemoryMarshal.Cast<byte, TOut>(destination.Span)[..(int)region.ElementCount]);
    }

    /// <summary>The element counts of the box before the axis (blocks) and after it (a row, contiguous in C order).</summary>
    private (long Outer, int Inner) AroundAxis(int[] shape)
    {
        long outer = 1;
        for (var d = 0; d < _axis; d++)
        {
            outer *= shape[d];
        }

        var inner = 1;
        for (var d = _axis + 1; d < shape.Length; d++)
        {
            inner *= shape[d];
        }

        return (outer, inner);
    }

    /// <summary>
    /// Runs a row kernel over the dense input box: for each block of the axes before the axis, the rows of the axes after
    /// it (contiguous in C order) in axis order, converted to float64 a row at a time. Reading rows instead of gathering
    /// lanes keeps to memory order, and the kernel's arithmetic runs across the row in SIMD.
    /// </summary>
    private void Rows(IRowKernel<TOut> kernel, ReadOnlySpan<T> input, int[] shape, Span<TOut> output)
    {
        var n = shape[_axis];
        var m = _keepAxis ? _kernel.OutputLength : 1;
        var (outer, inner) = AroundAxis(shape);

        var row = ArrayPool<double>.Shared.Rent(Math.Max(1, inner));
        var state = ArrayPool<double>.Shared.Rent(Math.Max(1, kernel.StateLength(inner)));
        try
        {
            var rowSpan = row.AsSpan(0, inner);
            var stateSpan = state.AsSpan(0, kernel.StateLength(inner));
            for (long o = 0; o < outer; o++)
            {
                stateSpan.Clear();
                var block = input.Slice((int)(o * n * inner), n * inner);
                for (var k = 0; k < n; k++)
                {
                    TensorPrimitives.ConvertTruncating(block.Slice(k * inner, inner), rowSpan);
                    kernel.AddRow(k, rowSpan, stateSpan);
                }

                kernel.Finish(stateSpan, inner, output.Slice((int)(o * m * inner), m * inner));
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(row);
            ArrayPool<double>.Shared.Return(state);
        }
    }

    /// <summary>Runs a complex kernel over every lane of the dense input box, each lane converted to complex128 (a real value gets a zero imaginary part).</summary>
    private void ComplexLanes(ComplexLaneKernel<TOut> kernel, ReadOnlySpan<T> input, int[] shape, Span<TOut> output)
    {
        var n = shape[_axis];
        var m = kernel.OutputLength;
        var (outer, inner) = AroundAxis(shape);
        var lane = ArrayPool<Complex>.Shared.Rent(Math.Max(1, n));
        var result = ArrayPool<TOut>.Shared.Rent(Math.Max(1, m));
        try
        {
            for (long o = 0; o < outer; o++)
            {
                var inBase = o * n * inner;
                var outBase = o * m * inner;
                for (var i = 0; i < inner; i++)
                {
                    for (var k = 0; k < n; k++)
                    {
                        lane[k] = Complex.CreateTruncating(input[(int)(inBase + ((long)k * inner) + i)]);
                    }

                    kernel.Apply(lane.AsSpan(0, n), result.AsSpan(0, m));
                    for (var j = 0; j < m; j++)
                    {
                        output[(int)(outBase + ((long)j * inner) + i)] = result[j];
                    }
                }
            }
        }
        finally
        {
            ArrayPool<Complex>.Shared.Return(lane);
            ArrayPool<TOut>.Shared.Return(result);
        }
    }

    /// <summary>Runs the kernel over every lane of the dense input box (paired with the other operand's lane when there is one), writing the dense output box.</summary>
    private void Lanes(ReadOnlySpan<T> input, ReadOnlySpan<T> paired, int[] shape, Span<TOut> output)
    {
        var n = shape[_axis];
        var m = _keepAxis ? _kernel.OutputLength : 1;
        var (outer, inner) = AroundAxis(shape);

        var lane = ArrayPool<double>.Shared.Rent(Math.Max(1, n));
        var pairLane = ArrayPool<double>.Shared.Rent(paired.IsEmpty ? 1 : Math.Max(1, n));
        var result = ArrayPool<TOut>.Shared.Rent(Math.Max(1, m));
        var scratch = ArrayPool<double>.Shared.Rent(Math.Max(1, _kernel.ScratchLength(n)));
        try
        {
            for (long o = 0; o < outer; o++)
            {
                var inBase = o * n * inner;
                var outBase = o * m * inner;
                for (var i = 0; i < inner; i++)
                {
                    for (var k = 0; k < n; k++)
                    {
                        lane[k] = double.CreateTruncating(input[(int)(inBase + ((long)k * inner) + i)]);
                    }

                    if (paired.IsEmpty)
                    {
                        _kernel.Apply(lane.AsSpan(0, n), result.AsSpan(0, m), scratch);
                    }
                    else
                    {
                        for (var k = 0; k < n; k++)
                        {
                            pairLane[k] = double.CreateTruncating(paired[(int)(inBase + ((long)k * inner) + i)]);
                        }

                        _kernel.Apply(lane.AsSpan(0, n), pairLane.AsSpan(0, n), result.AsSpan(0, m), scratch);
                    }
                    for (var j = 0; j < m; j++)
                    {
                        output[(int)(outBase + ((long)j * inner) + i)] = result[j];
                    }
                }
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(lane);
            ArrayPool<double>.Shared.Return(pairLane);
            ArrayPool<TOut>.Shared.Return(result);
            ArrayPool<double>.Shared.Return(scratch);
        }
    }
}

/// <summary>Normalises axes for the along-axis operations.</summary>
internal static class AlongAxis
{
    /// <summary>Normalises a numpy axis (negative counts from the end).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range.</exception>
    public static int Axis(int axis, int rank)
    {
        var a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank)
        {
            throw new ArgumentOutOfRangeException(nameof(axis), axis, $"axis {axis} is out of range for an array of {rank} dimensions");
        }

        return a;
    }
}

/// <summary>What an <see cref="AlongAxisNode{T, TOut}"/> computes per lane; stateless, so one instance serves every thread.</summary>
/// <typeparam name="TOut">The output's element type.</typeparam>
internal abstract class LaneKernel<TOut> where TOut : unmanaged
{
    /// <summary>The output lane's length, or −1 for one value per lane with the axis dropped.</summary>
    public abstract int OutputLength { get; }

    /// <summary>The scratch (in doubles) <c>Apply</c> needs for an input lane of <paramref name="n"/>.</summary>
    public virtual int ScratchLength(int n) => n;

    /// <summary>Computes <paramref name="output"/> from <paramref name="lane"/> (float64, NaN for missing values).</summary>
    public abstract void Apply(ReadOnlySpan<double> lane, Span<TOut> output, Span<double> scratch);

    /// <summary>Computes <paramref name="output"/> from two paired lanes (kernels of two arrays; others take one).</summary>
    public virtual void Apply(ReadOnlySpan<double> lane, ReadOnlySpan<double> paired, Span<TOut> output, Span<double> scratch) =>
        throw new InvalidOperationException($"{GetType().Name} takes one array");
}

/// <summary>A kernel of complex lanes (Fourier transforms): <see cref="AlongAxisNode{T, TOut}"/> hands it each lane as complex128, whatever the input's type.</summary>
/// <typeparam name="TOut">The output's element type.</typeparam>
internal abstract class ComplexLaneKernel<TOut> : LaneKernel<TOut> where TOut : unmanaged
{
    public override int ScratchLength(int n) => 1;

    /// <summary>Computes <paramref name="output"/> from <paramref name="lane"/>.</summary>
    public abstract void Apply(ReadOnlySpan<Complex> lane, Span<TOut> output);

    public sealed override void Apply(ReadOnlySpan<double> lane, Span<TOut> output, Span<double> scratch) =>
        throw new InvalidOperationException($"{GetType().Name} takes complex lanes");
}

/// <summary>
/// A kernel that can also take a box's lanes all at once, a row of the axes after the axis at a time in axis order
/// (<see cref="AlongAxisNode{T, TOut}"/> prefers it: rows are contiguous, lanes are strided), accumulating into a state
/// of its own layout; the results must be those of the lane path up to summation order.
/// </summary>
/// <typeparam name="TOut">The output's element type.</typeparam>
internal interface IRowKernel<TOut> where TOut : unmanaged
{
    /// <summary>Whether this kernel's computation has a row path (otherwise the node gathers lanes).</summary>
    bool TakesRows { get; }

    /// <summary>The state's length, in doubles, for rows of <paramref name="inner"/> values (cleared before each block).</summary>
    int StateLength(int inner);

    /// <summary>Adds row <paramref name="k"/> along the axis.</summary>
    void AddRow(int k, ReadOnlySpan<double> row, Span<double> state);

    /// <summary>Writes the block's output, (output length × <paramref name="inner"/>) in C order.</summary>
    void Finish(ReadOnlySpan<double> state, int inner, Span<TOut> output);
}

/// <summary>A kernel with float64 output: quantiles, fits, groups, cumulative and rolling results.</summary>
internal abstract class LaneKernel : LaneKernel<double>;
