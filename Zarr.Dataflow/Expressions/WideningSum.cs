using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Zarr.Dataflow;

/// <summary>
/// Integer sums into 64-bit accumulators without a converted copy: 32-bit elements are widened in 256-bit registers
/// where those are accelerated (the common case, one pass); otherwise elements convert through the caller's scratch
/// with <see cref="TensorPrimitives"/> (two passes, both in L1, vectorised at whatever width the machine has).
/// Segments are at most a few thousand elements, so no 64-bit accumulator can overflow inside one call.
/// </summary>
internal static class WideningSum
{
    /// <summary>The sum of <paramref name="x"/> in 64 bits (wrapping, as numpy's int64 accumulation).</summary>
    public static long Sum<T>(ReadOnlySpan<T> x, Span<long> scratch) where T : unmanaged, INumber<T>
    {
        if (typeof(T) == typeof(int) && Vector256.IsHardwareAccelerated)
        {
            return SumInt32(MemoryMarshal.Cast<T, int>(x));
        }

        if (typeof(T) == typeof(uint) && Vector256.IsHardwareAccelerated)
        {
            return SumUInt32(MemoryMarshal.Cast<T, uint>(x));
        }

        var l = scratch[..x.Length];
        TensorPrimitives.ConvertTruncating<T, long>(x, l);
        return TensorPrimitives.Sum<long>(l);
    }

    /// <summary><c>accumulator[i] += x[i]</c> in 64 bits.</summary>
    public static void AddTo<T>(ReadOnlySpan<T> x, Span<long> accumulator, Span<long> scratch) where T : unmanaged, INumber<T>
    {
        if (typeof(T) == typeof(int) && Vector256.IsHardwareAccelerated)
        {
            AddInt32(MemoryMarshal.Cast<T, int>(x), accumulator);
            return;
        }

        var l = scratch[..x.Length];
        TensorPrimitives.ConvertTruncating<T, long>(x, l);
        TensorPrimitives.Add<long>(accumulator, l, accumulator);
    }

    private static long SumInt32(ReadOnlySpan<int> x)
    {
        var i = 0;
        long sum = 0;
        if (x.Length >= 16)
        {
            ref var start = ref MemoryMarshal.GetReference(x);
            var a0 = Vector256<long>.Zero;
            var a1 = Vector256<long>.Zero;
            var a2 = Vector256<long>.Zero;
            var a3 = Vector256<long>.Zero;
            for (; i <= x.Length - 16; i += 16)
            {
                var (l0, h0) = Vector256.Widen(Vector256.LoadUnsafe(ref start, (nuint)i));
                var (l1, h1) = Vector256.Widen(Vector256.LoadUnsafe(ref start, (nuint)(i + 8)));
                a0 += l0;
                a1 += h0;
                a2 += l1;
                a3 += h1;
            }

            sum = Vector256.Sum((a0 + a1) + (a2 + a3));
        }

        for (; i < x.Length; i++)
        {
            sum += x[i];
        }

        return sum;
    }

    private static long SumUInt32(ReadOnlySpan<uint> x)
    {
        var i = 0;
        ulong sum = 0;
        if (x.Length >= 8)
        {
            ref var start = ref MemoryMarshal.GetReference(x);
            var a0 = Vector256<ulong>.Zero;
            var a1 = Vector256<ulong>.Zero;
            for (; i <= x.Length - 8; i += 8)
            {
                var (l, h) = Vector256.Widen(Vector256.LoadUnsafe(ref start, (nuint)i));
                a0 += l;
                a1 += h;
            }

            sum = Vector256.Sum(a0 + a1);
        }

        for (; i < x.Length; i++)
        {
            sum += x[i];
        }

        return unchecked((long)sum);
    }

    private static void AddInt32(ReadOnlySpan<int> x, Span<long> accumulator)
    {
        accumulator = accumulator[..x.Length];
        var i = 0;
        if (x.Length >= 8)
        {
            ref var source = ref MemoryMarshal.GetReference(x);
            ref var target = ref MemoryMarshal.GetReference(accumulator);
            for (; i <= x.Length - 8; i += 8)
            {
                var (l, h) = Vector256.Widen(Vector256.LoadUnsafe(ref source, (nuint)i));
                (Vector256.LoadUnsafe(ref target, (nuint)i) + l).StoreUnsafe(ref target, (nuint)i);
                (Vector256.LoadUnsafe(ref target, (nuint)(i + 4)) + h).StoreUnsafe(ref target, (nuint)(i + 4));
            }
        }

        for (; i < x.Length; i++)
        {
            accumulator[i] += x[i];
        }
    }
}
