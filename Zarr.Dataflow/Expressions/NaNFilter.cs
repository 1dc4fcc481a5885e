using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Zarr.Dataflow;

/// <summary>
/// Copies the numbers of a run (every value but NaN) to the front of another, in order, for the reductions that skip
/// NaN. Data with scattered gaps (5 % NaN on issue 16's climate cube) has a NaN in nearly every run, and an
/// element-by-element filter cost more than decoding the data: a branch mispredicted at every NaN, and even without
/// the branch a chain of dependent stores of about three cycles an element. With AVX-512, sixteen floats (eight
/// doubles) at a time are compressed in a register (<c>vcompressps</c>/<c>vcompresspd</c>) and stored whole. The run
/// that comes out is the same as the element-by-element filter's, so the sums over it are the same bits.
/// </summary>
internal static class NaNFilter
{
    /// <summary>
    /// Writes the values of <paramref name="source"/> that are not NaN to the front of <paramref name="destination"/>
    /// (which must hold at least <paramref name="source"/>'s length) and returns how many there are.
    /// </summary>
    public static int Numbers<T>(ReadOnlySpan<T> source, Span<T> destination) where T : unmanaged, INumber<T>
    {
        if (destination.Length < source.Length)
        {
            throw new ArgumentException($"the destination holds {destination.Length} values, the source {source.Length}", nameof(destination));
        }

        if (typeof(T) == typeof(float) && Avx512F.IsSupported)
        {
            return Floats(MemoryMarshal.Cast<T, float>(source), MemoryMarshal.Cast<T, float>(destination));
        }

        if (typeof(T) == typeof(double) && Avx512F.IsSupported)
        {
            return Doubles(MemoryMarshal.Cast<T, double>(source), MemoryMarshal.Cast<T, double>(destination));
        }

        return Scalar(source, destination, 0, 0);
    }

    private static int Floats(ReadOnlySpan<float> source, Span<float> destination)
    {
        ref var from = ref MemoryMarshal.GetReference(source);
        ref var to = ref MemoryMarshal.GetReference(destination);
        var i = 0;
        var m = 0;
        for (; i <= source.Length - Vector512<float>.Count; i += Vector512<float>.Count)
        {
            var v = Vector512.LoadUnsafe(ref from, (nuint)i);
            var numbers = Vector512.Equals(v, v); // false for NaN
            // m + 16 <= i + 16 <= source.Length <= destination.Length: the whole store stays inside.
            Avx512F.Compress(Vector512<float>.Zero, numbers, v).StoreUnsafe(ref to, (nuint)m);
            m += BitOperations.PopCount(numbers.ExtractMostSignificantBits());
        }

        return Scalar(source, destination, i, m);
    }

    private static int Doubles(ReadOnlySpan<double> source, Span<double> destination)
    {
        ref var from = ref MemoryMarshal.GetReference(source);
        ref var to = ref MemoryMarshal.GetReference(destination);
        var i = 0;
        var m = 0;
        for (; i <= source.Length - Vector512<double>.Count; i += Vector512<double>.Count)
        {
            var v = Vector512.LoadUnsafe(ref from, (nuint)i);
            var numbers = Vector512.Equals(v, v);
            Avx512F.Compress(Vector512<double>.Zero, numbers, v).StoreUnsafe(ref to, (nuint)m);
            m += BitOperations.PopCount(numbers.ExtractMostSignificantBits());
        }

        return Scalar(source, destination, i, m);
    }

    // From source[i] on, into destination[m] on: every value written, only the numbers advancing the end (no branch).
    private static int Scalar<T>(ReadOnlySpan<T> source, Span<T> destination, int i, int m) where T : unmanaged, INumber<T>
    {
        ref var to = ref MemoryMarshal.GetReference(destination);
        for (; i < source.Length; i++)
        {
            var v = source[i];
            Unsafe.Add(ref to, m) = v;
            m += T.IsNaN(v) ? 0 : 1;
        }

        return m;
    }
}
