using System.Numerics;
using System.Numerics.Tensors;

namespace Zarr.Dataflow;

/// <summary>
/// Element-wise arithmetic, comparisons, math functions and mask logic on lazy arrays. Each is one
/// <see cref="TensorPrimitives"/> call per chunk (SIMD) or a loop the JIT specialises for the element type: no
/// delegate call per element. Arithmetic needs <see cref="INumberBase{TSelf}"/> (every integer and float type and
/// <see cref="Complex"/>); comparisons and <c>Abs</c> need <see cref="INumber{TSelf}"/>.
/// </summary>
public static class LazyArrayArithmetic
{
    extension<T>(LazyArray<T> array) where T : unmanaged, INumberBase<T>
    {
        /// <summary>x + <paramref name="value"/> (SIMD).</summary>
        public LazyArray<T> Add(T value) => Checked(array).MapSpan(x => TensorPrimitives.Add<T>(x, value, x));

        /// <summary>x − <paramref name="value"/> (SIMD).</summary>
        public LazyArray<T> Subtract(T value) => Checked(array).MapSpan(x => TensorPrimitives.Subtract<T>(x, value, x));

        /// <summary>x × <paramref name="value"/> (SIMD).</summary>
        public LazyArray<T> Multiply(T value) => Checked(array).MapSpan(x => TensorPrimitives.Multiply<T>(x, value, x));

        /// <summary>x ÷ <paramref name="value"/> (SIMD; integer division truncates toward zero, unlike numpy's floor division <c>//</c>).</summary>
        public LazyArray<T> Divide(T value) => Checked(array).MapSpan(x => TensorPrimitives.Divide<T>(x, value, x));

        /// <summary>−x (SIMD).</summary>
        public LazyArray<T> Negate() => Checked(array).MapSpan(x => TensorPrimitives.Negate<T>(x, x));

        /// <summary>Element-wise sum, broadcasting as numpy; the right operand's matching region is read whatever its chunk grid.</summary>
        /// <exception cref="ArgumentException">The shapes do not broadcast together.</exception>
        public static LazyArray<T> operator +(LazyArray<T> left, LazyArray<T> right) => Checked(left).Binary(right, static (x, y) => TensorPrimitives.Add(x, y, x));

        /// <summary>Element-wise difference, broadcasting as numpy; the right operand's matching region is read whatever its chunk grid.</summary>
        /// <exception cref="ArgumentException">The shapes do not broadcast together.</exception>
        public static LazyArray<T> operator -(LazyArray<T> left, LazyArray<T> right) => Checked(left).Binary(right, static (x, y) => TensorPrimitives.Subtract(x, y, x));

        /// <summary>Element-wise product, broadcasting as numpy; the right operand's matching region is read whatever its chunk grid.</summary>
        /// <exception cref="ArgumentException">The shapes do not broadcast together.</exception>
        public static LazyArray<T> operator *(LazyArray<T> left, LazyArray<T> right) => Checked(left).Binary(right, static (x, y) => TensorPrimitives.Multiply(x, y, x));

        /// <summary>Element-wise quotient, broadcasting as numpy; the right operand's matching region is read whatever its chunk grid.</summary>
        /// <exception cref="ArgumentException">The shapes do not broadcast together.</exception>
        public static LazyArray<T> operator /(LazyArray<T> left, LazyArray<T> right) => Checked(left).Binary(right, static (x, y) => TensorPrimitives.Divide(x, y, x));

        /// <summary>Adds a scalar.</summary>
        public static LazyArray<T> operator +(LazyArray<T> left, T right) => Checked(left).Add(right);

        /// <summary>Subtracts a scalar.</summary>
        public static LazyArray<T> operator -(LazyArray<T> left, T right) => Checked(left).Subtract(right);

        /// <summary>Multiplies by a scalar.</summary>
        public static LazyArray<T> operator *(LazyArray<T> left, T right) => Checked(left).Multiply(right);

        /// <summary>Divides by a scalar.</summary>
        public static LazyArray<T> operator /(LazyArray<T> left, T right) => Checked(left).Divide(right);

        /// <summary>A scalar plus each element.</summary>
        public static LazyArray<T> operator +(T left, LazyArray<T> right) => Checked(right).Add(left);

        /// <summary>A scalar minus each element.</summary>
        public static LazyArray<T> operator -(T left, LazyArray<T> right) => Checked(right).MapSpan(x => TensorPrimitives.Subtract<T>(left, x, x));

        /// <summary>A scalar times each element.</summary>
        public static LazyArray<T> operator *(T left, LazyArray<T> right) => Checked(right).Multiply(left);

        /// <summary>A scalar divided by each element.</summary>
        public static LazyArray<T> operator /(T left, LazyArray<T> right) => Checked(right).MapSpan(x => TensorPrimitives.Divide<T>(left, x, x));

        /// <summary>Negation.</summary>
        public static LazyArray<T> operator -(LazyArray<T> operand) => Checked(operand).Negate();

        /// <summary>x + a reduction of float64 results (a mean, a variance), broadcast as numpy (see <see cref="LazyReduction{TOut}.AsArray"/>); the result is float64, as numpy's type promotion. The reduction is computed first, whole.</summary>
        /// <exception cref="ArgumentException">The shapes do not broadcast together.</exception>
        public static LazyArray<double> operator +(LazyArray<T> left, LazyReduction<double> right) => Promoted(left) + Checked(right).AsArray();

        /// <summary>x − a reduction of float64 results: <c>x - x.Mean([0])</c> is numpy's <c>x - x.mean(axis=0)</c>, one lazy expression; the mean is computed first, then the difference streams.</summary>
        /// <exception cref="ArgumentException">The shapes do not broadcast together.</exception>
        public static LazyArray<double> operator -(LazyArray<T> left, LazyReduction<double> right) => Promoted(left) - Checked(right).AsArray();

        /// <summary>x × a reduction of float64 results, broadcast as numpy; float64.</summary>
        /// <exception cref="ArgumentException">The shapes do not broadcast together.</exception>
        public static LazyArray<double> operator *(LazyArray<T> left, LazyReduction<double> right) => Promoted(left) * Checked(right).AsArray();

        /// <summary>x ÷ a reduction of float64 results, broadcast as numpy: <c>(x - x.Mean([0])) / x.Std([0])</c> standardises along axis 0; float64.</summary>
        /// <exception cref="ArgumentException">The shapes do not broadcast together.</exception>
        public static LazyArray<double> operator /(LazyArray<T> left, LazyReduction<double> right) => Promoted(left) / Checked(right).AsArray();

        /// <summary>A mask of the elements that are NaN (false everywhere for integers).</summary>
        public LazyArray<bool> IsNaN() => Checked(array).MapTo<IsNaNOp<T>, bool>(default);
    }

    extension<T>(LazyArray<T> array) where T : unmanaged, INumber<T>
    {
        /// <summary>|x| (SIMD).</summary>
        public LazyArray<T> Abs() => Checked(array).MapSpan(x => TensorPrimitives.Abs<T>(x, x));

        /// <summary>A mask of x &gt; <paramref name="value"/> (false for NaN, as numpy).</summary>
        public LazyArray<bool> GreaterThan(T value) => Checked(array).MapTo<CompareOp<T>, bool>(new(value, Comparison.Greater));

        /// <summary>A mask of x ≥ <paramref name="value"/> (false for NaN).</summary>
        public LazyArray<bool> GreaterThanOrEqual(T value) => Checked(array).MapTo<CompareOp<T>, bool>(new(value, Comparison.GreaterOrEqual));

        /// <summary>A mask of x &lt; <paramref name="value"/> (false for NaN).</summary>
        public LazyArray<bool> LessThan(T value) => Checked(array).MapTo<CompareOp<T>, bool>(new(value, Comparison.Less));

        /// <summary>A mask of x ≤ <paramref name="value"/> (false for NaN).</summary>
        public LazyArray<bool> LessThanOrEqual(T value) => Checked(array).MapTo<CompareOp<T>, bool>(new(value, Comparison.LessOrEqual));

        /// <summary>A mask of x = <paramref name="value"/> (false for NaN).</summary>
        public LazyArray<bool> EqualTo(T value) => Checked(array).MapTo<CompareOp<T>, bool>(new(value, Comparison.Equal));

        /// <summary>A mask of x ≠ <paramref name="value"/> (true for NaN, as numpy).</summary>
        public LazyArray<bool> NotEqualTo(T value) => Checked(array).MapTo<CompareOp<T>, bool>(new(value, Comparison.NotEqual));

        /// <summary>Clips every element into [<paramref name="min"/>, <paramref name="max"/>] (SIMD; NaN stays NaN, as numpy's <c>clip</c>).</summary>
        public LazyArray<T> Clip(T min, T max) => Checked(array).MapSpan(x =>
        {
            TensorPrimitives.Max<T>(x, min, x);
            TensorPrimitives.Min<T>(x, max, x);
        });
    }

    extension<T>(LazyArray<T> array) where T : unmanaged, INumber<T>, IRootFunctions<T>
    {
        /// <summary>√x (SIMD).</summary>
        public LazyArray<T> Sqrt() => Checked(array).MapSpan(x => TensorPrimitives.Sqrt<T>(x, x));
    }

    extension<T>(LazyArray<T> array) where T : unmanaged, INumber<T>, IExponentialFunctions<T>
    {
        /// <summary>eˣ (SIMD).</summary>
        public LazyArray<T> Exp() => Checked(array).MapSpan(x => TensorPrimitives.Exp<T>(x, x));
    }

    extension<T>(LazyArray<T> array) where T : unmanaged, INumber<T>, ILogarithmicFunctions<T>
    {
        /// <summary>ln x (SIMD).</summary>
        public LazyArray<T> Log() => Checked(array).MapSpan(x => TensorPrimitives.Log<T>(x, x));
    }

    extension(LazyArray<bool> mask)
    {
        /// <summary>Element-wise and of two masks (the right mask's region is read whatever its chunk grid).</summary>
        /// <exception cref="ArgumentException">The shapes differ.</exception>
        public static LazyArray<bool> operator &(LazyArray<bool> left, LazyArray<bool> right) =>
            Checked(left).Binary(right, static (x, y) => TensorPrimitives.BitwiseAnd(AsBytes(x), AsBytes(y), AsBytes(x)));

        /// <summary>Element-wise or of two masks.</summary>
        /// <exception cref="ArgumentException">The shapes differ.</exception>
        public static LazyArray<bool> operator |(LazyArray<bool> left, LazyArray<bool> right) =>
            Checked(left).Binary(right, static (x, y) => TensorPrimitives.BitwiseOr(AsBytes(x), AsBytes(y), AsBytes(x)));

        /// <summary>Element-wise exclusive or of two masks.</summary>
        /// <exception cref="ArgumentException">The shapes differ.</exception>
        public static LazyArray<bool> operator ^(LazyArray<bool> left, LazyArray<bool> right) =>
            Checked(left).Binary(right, static (x, y) => TensorPrimitives.Xor(AsBytes(x), AsBytes(y), AsBytes(x)));

        /// <summary>Element-wise not of a mask.</summary>
        public static LazyArray<bool> operator !(LazyArray<bool> operand) =>
            Checked(operand).MapSpan(static x => TensorPrimitives.Xor(AsBytes(x), (byte)1, AsBytes(x)));

        /// <summary>The number of true elements (numpy's <c>count_nonzero</c>).</summary>
        public async Task<long> CountTrueAsync(Zarr.Dataflow.PipelineOptions? options = null, CancellationToken cancellationToken = default)
        {
            // One SIMD pass per chunk over the bytes (0 or 1): their sum is the count.
            var reduction = Reductions.Create(Checked(mask), (int[]?)null, new CountTrueKernel());
            return (await reduction.ToArrayAsync(options, cancellationToken).ConfigureAwait(false))[0];
        }
    }

    private static LazyArray<double> Promoted<TX>(LazyArray<TX> array) where TX : unmanaged => Checked(array).Cast<double>();

    private static LazyReduction<TX> Checked<TX>(LazyReduction<TX> reduction) where TX : unmanaged
    {
        ArgumentNullException.ThrowIfNull(reduction);
        return reduction;
    }

    internal static LazyArray<TX> Checked<TX>(LazyArray<TX> array) where TX : unmanaged
    {
        ArgumentNullException.ThrowIfNull(array);
        return array;
    }

    private static Span<byte> AsBytes(Span<bool> values) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(values);

    private static ReadOnlySpan<byte> AsBytes(ReadOnlySpan<bool> values) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(values);
}
