using System.Numerics;
using System.Numerics.Tensors;

namespace Zarr.Dataflow;

/// <summary>
/// Integer sums as numpy computes them: exact in 64 bits, wrapping on overflow, <c>long</c> for signed integers and
/// bool (the count of true elements), <c>ulong</c> for unsigned integers. For an array whose element type is written
/// in the code, <c>SumAsync</c> picks these overloads over the generic double sum of <see cref="LazyArrayReductions"/>;
/// code generic over the element type calls <c>SumInt64Async</c> or <c>SumUInt64Async</c>.
/// </summary>
public static class LazyArrayIntegerSums
{
    extension<T>(LazyArray<T> array) where T : unmanaged, INumber<T>
    {
        /// <summary>The sum of a signed integer array in 64 bits (numpy's <c>sum</c> of int8..int64: wraps on overflow).</summary>
        /// <exception cref="InvalidOperationException">The element type is not a signed integer.</exception>
        public async Task<long> SumInt64Async(PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
            await LazyArrayReductions.ScalarAsync(array.IntegerSum(null, true), options, cancellationToken).ConfigureAwait(false);

        /// <summary>Signed integer sums over <paramref name="axes"/> in 64 bits.</summary>
        /// <exception cref="InvalidOperationException">The element type is not a signed integer.</exception>
        public Task<Tensor<long>> SumInt64Async(int[] axes, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
            array.IntegerSum(LazyArrayReductions.CheckAxes(axes), true).ToTensorAsync(options, cancellationToken);

        /// <summary>The sum of an unsigned integer array in 64 bits (numpy's <c>sum</c> of uint8..uint64: wraps on overflow).</summary>
        /// <exception cref="InvalidOperationException">The element type is not an unsigned integer.</exception>
        public async Task<ulong> SumUInt64Async(PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
            (ulong)await LazyArrayReductions.ScalarAsync(array.IntegerSum(null, false), options, cancellationToken).ConfigureAwait(false);

        /// <summary>Unsigned integer sums over <paramref name="axes"/> in 64 bits, exact (wrapping as numpy), where double sums lose digits above 2^53.</summary>
        /// <exception cref="InvalidOperationException">The element type is not an unsigned integer.</exception>
        public async Task<Tensor<ulong>> SumUInt64Async(int[] axes, PipelineOptions? options = null, CancellationToken cancellationToken = default)
        {
            var reduction = array.IntegerSum(LazyArrayReductions.CheckAxes(axes), false);
            var sums = await reduction.ToArrayAsync(options, cancellationToken).ConfigureAwait(false);
            var values = new ulong[sums.Length];
            for (var i = 0; i < sums.Length; i++)
            {
                values[i] = unchecked((ulong)sums[i]);
            }

            return Tensor.Create(values, LazyArray<ulong>.Lengths(reduction.Shape.AsSpan()));
        }

        /// <summary>Integer sums in 64 bits over <paramref name="axes"/> (null: every axis), lazily; unsigned sums are the same bits read as <see cref="ulong"/>.</summary>
        /// <exception cref="InvalidOperationException">The element type is not an integer.</exception>
        public LazyReduction<long> SumInt64(int[]? axes)
        {
            if (NumericTraits<T>.IsFloat)
            {
                throw new InvalidOperationException($"SumInt64 sums integers; the elements are {typeof(T).Name} (use Sum)");
            }

            return Reductions.Create(LazyArrayReductions.Checked(array), axes, new IntegerSumKernel<T>());
        }

        private LazyReduction<long> IntegerSum(int[]? axes, bool signed)
        {
            if (NumericTraits<T>.IsFloat || NumericTraits<T>.IsSigned != signed)
            {
                throw new InvalidOperationException($"{(signed ? "SumInt64Async" : "SumUInt64Async")} sums {(signed ? "signed" : "unsigned")} integers; the elements are {typeof(T).Name} (use {(NumericTraits<T>.IsFloat ? "SumAsync" : signed ? "SumUInt64Async" : "SumInt64Async")})");
            }

            return Reductions.Create(LazyArrayReductions.Checked(array), axes, new IntegerSumKernel<T>());
        }
    }

    /// <summary>The sum of an int8 array as numpy computes it: exact in 64 bits (long), wrapping on overflow.</summary>
    public static Task<long> SumAsync(this LazyArray<sbyte> array, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        array.SumInt64Async(options, cancellationToken);

    /// <summary>The sums of an int8 array over <paramref name="axes"/> in 64 bits (long), as numpy.</summary>
    public static Task<Tensor<long>> SumAsync(this LazyArray<sbyte> array, int[] axes, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        array.SumInt64Async(axes, options, cancellationToken);

    /// <summary>The sum of an int16 array as numpy computes it: exact in 64 bits (long), wrapping on overflow.</summary>
    public static Task<long> SumAsync(this LazyArray<short> array, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        array.SumInt64Async(options, cancellationToken);

    /// <summary>The sums of an int16 array over <paramref name="axes"/> in 64 bits (long), as numpy.</summary>
    public static Task<Tensor<long>> SumAsync(this LazyArray<short> array, int[] axes, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        array.SumInt64Async(axes, options, cancellationToken);

    /// <summary>The sum of an int32 array as numpy computes it: exact in 64 bits (long), wrapping on overflow.</summary>
    public static Task<long> SumAsync(this LazyArray<int> array, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        array.SumInt64Async(options, cancellationToken);

    /// <summary>The sums of an int32 array over <paramref name="axes"/> in 64 bits (long), as numpy.</summary>
    public static Task<Tensor<long>> SumAsync(this LazyArray<int> array, int[] axes, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        array.SumInt64Async(axes, options, cancellationToken);

    /// <summary>The sum of an int64 array as numpy computes it: exact in 64 bits (long), wrapping on overflow.</summary>
    public static Task<long> SumAsync(this LazyArray<long> array, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        array.SumInt64Async(options, cancellationToken);

    /// <summary>The sums of an int64 array over <paramref name="axes"/> in 64 bits (long), as numpy.</summary>
    public static Task<Tensor<long>> SumAsync(this LazyArray<long> array, int[] axes, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        array.SumInt64Async(axes, options, cancellationToken);

    /// <summary>The sum of an uint8 array as numpy computes it: exact in 64 bits (ulong), wrapping on overflow.</summary>
    public static Task<ulong> SumAsync(this LazyArray<byte> array, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        array.SumUInt64Async(options, cancellationToken);

    /// <summary>The sums of an uint8 array over <paramref name="axes"/> in 64 bits (ulong), as numpy.</summary>
    public static Task<Tensor<ulong>> SumAsync(this LazyArray<byte> array, int[] axes, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        array.SumUInt64Async(axes, options, cancellationToken);

    /// <summary>The sum of an uint16 array as numpy computes it: exact in 64 bits (ulong), wrapping on overflow.</summary>
    public static Task<ulong> SumAsync(this LazyArray<ushort> array, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        array.SumUInt64Async(options, cancellationToken);

    /// <summary>The sums of an uint16 array over <paramref name="axes"/> in 64 bits (ulong), as numpy.</summary>
    public static Task<Tensor<ulong>> SumAsync(this LazyArray<ushort> array, int[] axes, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        array.SumUInt64Async(axes, options, cancellationToken);

    /// <summary>The sum of an uint32 array as numpy computes it: exact in 64 bits (ulong), wrapping on overflow.</summary>
    public static Task<ulong> SumAsync(this LazyArray<uint> array, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        array.SumUInt64Async(options, cancellationToken);

    /// <summary>The sums of an uint32 array over <paramref name="axes"/> in 64 bits (ulong), as numpy.</summary>
    public static Task<Tensor<ulong>> SumAsync(this LazyArray<uint> array, int[] axes, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        array.SumUInt64Async(axes, options, cancellationToken);

    /// <summary>The sum of an uint64 array as numpy computes it: exact in 64 bits (ulong), wrapping on overflow.</summary>
    public static Task<ulong> SumAsync(this LazyArray<ulong> array, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        array.SumUInt64Async(options, cancellationToken);

    /// <summary>The sums of an uint64 array over <paramref name="axes"/> in 64 bits (ulong), as numpy.</summary>
    public static Task<Tensor<ulong>> SumAsync(this LazyArray<ulong> array, int[] axes, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        array.SumUInt64Async(axes, options, cancellationToken);

    /// <summary>The number of true elements, as numpy's sum of a bool array (int64).</summary>
    public static async Task<long> SumAsync(this LazyArray<bool> array, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        await LazyArrayReductions.ScalarAsync(TrueCounts(array, null), options, cancellationToken).ConfigureAwait(false);

    /// <summary>The numbers of true elements over <paramref name="axes"/> (int64), as numpy's sum of a bool array.</summary>
    public static Task<Tensor<long>> SumAsync(this LazyArray<bool> array, int[] axes, PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        TrueCounts(array, LazyArrayReductions.CheckAxes(axes)).ToTensorAsync(options, cancellationToken);

    // A bool is one byte, 0 or 1: the byte sum is the count of true elements.
    private static LazyReduction<long> TrueCounts(LazyArray<bool> array, int[]? axes)
    {
        ArgumentNullException.ThrowIfNull(array);
        return array.Cast<byte>().SumInt64(axes);
    }
}
