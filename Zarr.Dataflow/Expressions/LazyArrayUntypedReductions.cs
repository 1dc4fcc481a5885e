using System.Numerics;
using Zarr.Storage;

namespace Zarr.Dataflow;

/// <summary>
/// Reductions of a <see cref="LazyArray"/> whose element type is known only at run time (<see cref="Lazy.From(Zarr.Storage.ZarrArray)"/>),
/// over every element, with numpy's result types: a sum is int64 for signed integers and bool, uint64 for unsigned
/// integers, float64 for floats and complex128 for complex numbers; a mean is float64 (complex128 for complex); the
/// minimum and maximum are the element's value, exact, in the widest type of its kind. The element type is chosen once
/// by the data type's visitor and the typed reduction of <see cref="LazyArrayReductions"/> runs.
/// A typed <see cref="LazyArray{T}"/> keeps its typed overloads; these are for the untyped handle.
/// </summary>
public static class LazyArrayUntypedReductions
{
    /// <summary>The sum of all elements, in numpy's type for the element type (see <see cref="LazyArrayUntypedReductions"/>).</summary>
    /// <exception cref="NotSupportedException">The elements are dates.</exception>
    public static Task<NumericScalar> SumAsync(this LazyArray array, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        Of(array).SumAsync(options, cancellationToken);

    /// <summary>The mean of all elements: float64, or complex128 for complex elements (NaN for an empty array).</summary>
    /// <exception cref="NotSupportedException">The elements are dates.</exception>
    public static Task<NumericScalar> MeanAsync(this LazyArray array, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        Of(array).MeanAsync(options, cancellationToken);

    /// <summary>The variance of all elements, M2 / (n − <paramref name="ddof"/>), in double.</summary>
    /// <exception cref="NotSupportedException">The elements are dates.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ddof"/> is negative.</exception>
    public static Task<double> VarAsync(this LazyArray array, int ddof = 0, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        Of(array).VarAsync(ddof, false, options, cancellationToken);

    /// <summary>The standard deviation of all elements (√ of the variance), in double.</summary>
    /// <exception cref="NotSupportedException">The elements are dates.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ddof"/> is negative.</exception>
    public static Task<double> StdAsync(this LazyArray array, int ddof = 0, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        Of(array).VarAsync(ddof, true, options, cancellationToken);

    /// <summary>The smallest element (NaN if any is NaN; complex in numpy's order).</summary>
    /// <exception cref="NotSupportedException">The elements are dates.</exception>
    /// <exception cref="InvalidOperationException">The array is empty (numpy raises too).</exception>
    public static Task<NumericScalar> MinAsync(this LazyArray array, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        Of(array).ExtremumAsync(true, options, cancellationToken);

    /// <summary>The largest element (NaN if any is NaN; complex in numpy's order).</summary>
    /// <exception cref="NotSupportedException">The elements are dates.</exception>
    /// <exception cref="InvalidOperationException">The array is empty (numpy raises too).</exception>
    public static Task<NumericScalar> MaxAsync(this LazyArray array, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        Of(array).ExtremumAsync(false, options, cancellationToken);

    private static UntypedReducer Of(LazyArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        return array.DataType.Accept(new ReducerOf(array));
    }

    /// <summary>The typed reductions of one element type, behind one untyped surface.</summary>
    private abstract class UntypedReducer
    {
        public abstract Task<NumericScalar> SumAsync(PipelineOptions? options, CancellationToken cancellationToken);

        public abstract Task<NumericScalar> MeanAsync(PipelineOptions? options, CancellationToken cancellationToken);

        public abstract Task<double> VarAsync(int ddof, bool sqrt, PipelineOptions? options, CancellationToken cancellationToken);

        public abstract Task<NumericScalar> ExtremumAsync(bool min, PipelineOptions? options, CancellationToken cancellationToken);
    }

    private sealed class ReducerOf(LazyArray array) : ZarrDataTypeVisitor<UntypedReducer>
    {
        public override UntypedReducer VisitNumber<T>() => new Numbers<T>((LazyArray<T>)array);

        public override UntypedReducer VisitBool() => new Booleans((LazyArray<bool>)array);

        public override UntypedReducer VisitComplex128() => new ComplexNumbers((LazyArray<Complex>)array);

        public override UntypedReducer VisitComplex64() => new ComplexNumbers(((LazyArray<Complex64>)array).Cast<Complex>());

        protected override UntypedReducer VisitDefault(ZarrDataType dataType) =>
            throw new NotSupportedException($"reductions need numbers, booleans or complex numbers; the elements are {dataType}");
    }

    private sealed class Numbers<T>(LazyArray<T> array) : UntypedReducer where T : unmanaged, INumber<T>
    {
        public override async Task<NumericScalar> SumAsync(PipelineOptions? options, CancellationToken cancellationToken) =>
            NumericTraits<T>.IsFloat ? NumericScalar.FromDouble(await array.SumAsync(options, cancellationToken).ConfigureAwait(false))
            : NumericTraits<T>.IsSigned ? NumericScalar.FromInt64(await array.SumInt64Async(options, cancellationToken).ConfigureAwait(false))
            : NumericScalar.FromUInt64(await array.SumUInt64Async(options, cancellationToken).ConfigureAwait(false));

        public override async Task<NumericScalar> MeanAsync(PipelineOptions? options, CancellationToken cancellationToken) =>
            NumericScalar.FromDouble(await array.MeanAsync(options, cancellationToken).ConfigureAwait(false));

        public override Task<double> VarAsync(int ddof, bool sqrt, PipelineOptions? options, CancellationToken cancellationToken) =>
            sqrt ? array.StdAsync(ddof, options, cancellationToken) : array.VarAsync(ddof, options, cancellationToken);

        public override async Task<NumericScalar> ExtremumAsync(bool min, PipelineOptions? options, CancellationToken cancellationToken)
        {
            var value = await (min ? array.MinAsync(options, cancellationToken) : array.MaxAsync(options, cancellationToken)).ConfigureAwait(false);
            return NumericTraits<T>.IsFloat ? NumericScalar.FromDouble(double.CreateTruncating(value))
                : NumericTraits<T>.IsSigned ? NumericScalar.FromInt64(long.CreateTruncating(value))
                : NumericScalar.FromUInt64(ulong.CreateTruncating(value));
        }
    }

    // A bool is one byte, 0 or 1: its statistics are those of the bytes (numpy's mean of a mask is the fraction true).
    private sealed class Booleans(LazyArray<bool> array) : UntypedReducer
    {
        private readonly Numbers<byte> _bytes = new(array.Cast<byte>());

        public override async Task<NumericScalar> SumAsync(PipelineOptions? options, CancellationToken cancellationToken) =>
            NumericScalar.FromInt64(await array.SumAsync(options, cancellationToken).ConfigureAwait(false));

        public override Task<NumericScalar> MeanAsync(PipelineOptions? options, CancellationToken cancellationToken) => _bytes.MeanAsync(options, cancellationToken);

        public override Task<double> VarAsync(int ddof, bool sqrt, PipelineOptions? options, CancellationToken cancellationToken) =>
            _bytes.VarAsync(ddof, sqrt, options, cancellationToken);

        public override async Task<NumericScalar> ExtremumAsync(bool min, PipelineOptions? options, CancellationToken cancellationToken) =>
            NumericScalar.FromBoolean((await _bytes.ExtremumAsync(min, options, cancellationToken).ConfigureAwait(false)).ToUInt64() != 0);
    }

    private sealed class ComplexNumbers(LazyArray<Complex> array) : UntypedReducer
    {
        public override async Task<NumericScalar> SumAsync(PipelineOptions? options, CancellationToken cancellationToken) =>
            NumericScalar.FromComplex(await array.SumAsync(options, cancellationToken).ConfigureAwait(false));

        public override async Task<NumericScalar> MeanAsync(PipelineOptions? options, CancellationToken cancellationToken) =>
            NumericScalar.FromComplex(await array.MeanAsync(options, cancellationToken).ConfigureAwait(false));

        public override Task<double> VarAsync(int ddof, bool sqrt, PipelineOptions? options, CancellationToken cancellationToken) =>
            sqrt ? array.StdAsync(ddof, options, cancellationToken) : array.VarAsync(ddof, options, cancellationToken);

        public override async Task<NumericScalar> ExtremumAsync(bool min, PipelineOptions? options, CancellationToken cancellationToken) =>
            NumericScalar.FromComplex(await (min ? array.MinAsync(options, cancellationToken) : array.MaxAsync(options, cancellationToken)).ConfigureAwait(false));
    }
}
