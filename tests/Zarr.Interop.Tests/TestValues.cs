using System.Numerics;
using Zarr.Storage;

namespace Zarr.Interop.Tests;

/// <summary>Deterministic element values of every type: the extremes and, for floats, NaN, ±Inf, -0.0 and subnormals first.</summary>
public static class TestValues
{
    /// <summary>A float NaN with the sign bit set and a payload (not the canonical NaN): the readers must keep it a NaN.</summary>
    public static readonly float OddNaN32 = BitConverter.Int32BitsToSingle(unchecked((int)0xFFC00123));

    public static readonly double OddNaN64 = BitConverter.Int64BitsToDouble(unchecked((long)0xFFF8000000000abcUL));

    public static readonly Half OddNaN16 = BitConverter.UInt16BitsToHalf(0xFE01);

    /// <summary>The canonical NaN (the bytes the library stores for the fill value "NaN").</summary>
    public static readonly float CanonicalNaN32 = BitConverter.Int32BitsToSingle(0x7FC00000);

    public static readonly double CanonicalNaN64 = BitConverter.Int64BitsToDouble(0x7FF8000000000000);

    public static DataTypeKind KindOf<T>() => typeof(T) switch
    {
        var t when t == typeof(bool) => DataTypeKind.Bool,
        var t when t == typeof(sbyte) => DataTypeKind.Int8,
        var t when t == typeof(short) => DataTypeKind.Int16,
        var t when t == typeof(int) => DataTypeKind.Int32,
        var t when t == typeof(long) => DataTypeKind.Int64,
        var t when t == typeof(byte) => DataTypeKind.UInt8,
        var t when t == typeof(ushort) => DataTypeKind.UInt16,
        var t when t == typeof(uint) => DataTypeKind.UInt32,
        var t when t == typeof(ulong) => DataTypeKind.UInt64,
        var t when t == typeof(Half) => DataTypeKind.Float16,
        var t when t == typeof(float) => DataTypeKind.Float32,
        var t when t == typeof(double) => DataTypeKind.Float64,
        var t when t == typeof(Complex64) => DataTypeKind.Complex64,
        var t when t == typeof(Complex) => DataTypeKind.Complex128,
        _ => throw new ArgumentException($"{typeof(T).Name} is not an element type"),
    };

    /// <summary><paramref name="count"/> values of <typeparamref name="T"/>, the same for the same seed.</summary>
    public static T[] Generate<T>(long count, int seed)
    {
        var rng = new Random(seed);
        var n = checked((int)count);
        object result = typeof(T) switch
        {
            var t when t == typeof(bool) => Make(n, _ => rng.Next(3) != 0),
            var t when t == typeof(sbyte) => Make(n, i => Pick(i, [sbyte.MinValue, sbyte.MaxValue, (sbyte)-1, (sbyte)0], () => (sbyte)rng.Next(sbyte.MinValue, sbyte.MaxValue + 1))),
            var t when t == typeof(short) => Make(n, i => Pick(i, [short.MinValue, short.MaxValue, (short)-1], () => (short)rng.Next(short.MinValue, short.MaxValue + 1))),
            var t when t == typeof(int) => Make(n, i => Pick(i, [int.MinValue, int.MaxValue, -1], () => rng.Next(int.MinValue, int.MaxValue))),
            var t when t == typeof(long) => Make(n, i => Pick(i, [long.MinValue, long.MaxValue, -1L, (1L << 53) + 1], rng.NextInt64)),
            var t when t == typeof(byte) => Make(n, i => Pick(i, [byte.MaxValue, (byte)0], () => (byte)rng.Next(256))),
            var t when t == typeof(ushort) => Make(n, i => Pick(i, [ushort.MaxValue, (ushort)0], () => (ushort)rng.Next(65536))),
            var t when t == typeof(uint) => Make(n, i => Pick(i, [uint.MaxValue, 0U, 1U << 31], () => (uint)rng.NextInt64(0, 1L << 32))),
            var t when t == typeof(ulong) => Make(n, i => Pick(i, [ulong.MaxValue, 0UL, 1UL << 63, (1UL << 53) + 1], () => (ulong)rng.NextInt64() * 2 + (ulong)rng.Next(2))),
            var t when t == typeof(Half) => Make(n, i => Pick(i, Halves, () => (Half)((rng.NextDouble() * 200) - 100))),
            var t when t == typeof(float) => Make(n, i => Pick(i, Singles, () => (float)((rng.NextDouble() * 2e6) - 1e6))),
            var t when t == typeof(double) => Make(n, i => Pick(i, Doubles, () => (rng.NextDouble() * 2e12) - 1e12)),
            var t when t == typeof(Complex64) => Make(n, i => new Complex64(
                Pick(i, Singles, () => (float)((rng.NextDouble() * 200) - 100)),
                Pick(i + 3, Singles, () => (float)((rng.NextDouble() * 200) - 100)))),
            var t when t == typeof(Complex) => Make(n, i => new Complex(
                Pick(i, Doubles, () => (rng.NextDouble() * 2e6) - 1e6),
                Pick(i + 5, Doubles, () => (rng.NextDouble() * 2e6) - 1e6))),
            _ => throw new ArgumentException($"{typeof(T).Name} is not an element type"),
        };
        return (T[])result;
    }

    private static readonly Half[] Halves =
    [
        Half.NaN, Half.PositiveInfinity, Half.NegativeInfinity, BitConverter.UInt16BitsToHalf(0x8000), Half.Epsilon, Half.MaxValue,
        Half.MinValue, OddNaN16, (Half)1.5,
    ];

    private static readonly float[] Singles =
    [
        float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0.0f, float.Epsilon, float.MaxValue, float.MinValue,
        OddNaN32, 1.5f, 1e-40f,
    ];

    private static readonly double[] Doubles =
    [
        double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, double.Epsilon, double.MaxValue, double.MinValue,
        OddNaN64, Math.PI, 1e-310,
    ];

    private static TValue Pick<TValue>(int i, TValue[] specials, Func<TValue> random) => i < specials.Length ? specials[i] : random();

    private static TValue[] Make<TValue>(int n, Func<int, TValue> value)
    {
        var a = new TValue[n];
        for (var i = 0; i < n; i++)
        {
            a[i] = value(i);
        }

        return a;
    }

    /// <summary>Sets every element of the chunk at <paramref name="coords"/> (clipped to the shape) to <paramref name="value"/>.</summary>
    public static void FillChunk<T>(T[] data, long[] shape, int[] chunks, long[] coords, T value)
    {
        foreach (var index in Region(shape, [.. coords.Select((c, d) => c * chunks[d])], [.. coords.Select((c, d) => Math.Min((c + 1) * chunks[d], shape[d]))]))
        {
            data[Flat(index, shape)] = value;
        }
    }

    public static long Flat(long[] index, long[] shape)
    {
        long offset = 0;
        for (var d = 0; d < shape.Length; d++)
        {
            offset = (offset * shape[d]) + index[d];
        }

        return offset;
    }

    /// <summary>Every index of the box [start, stop) in C order.</summary>
    public static IEnumerable<long[]> Region(long[] shape, long[] start, long[] stop)
    {
        var rank = shape.Length;
        for (var d = 0; d < rank; d++)
        {
            if (start[d] >= stop[d])
            {
                yield break;
            }
        }

        var index = (long[])start.Clone();
        while (true)
        {
            yield return (long[])index.Clone();
            var d = rank - 1;
            while (d >= 0 && ++index[d] == stop[d])
            {
                index[d] = start[d];
                d--;
            }

            if (d < 0)
            {
                yield break;
            }
        }
    }
}
