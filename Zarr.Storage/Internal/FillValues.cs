using System.Numerics;
using System.Runtime.InteropServices;
using Zarr.Storage.DataTypes;

namespace Zarr.Storage.Internal;

/// <summary>Fill-value helpers on raw element bytes.</summary>
internal static class FillValues
{
    /// <summary>True when every element of <paramref name="chunk"/> has exactly the bytes of <paramref name="fill"/> (vectorised).</summary>
    public static bool IsAllFill(ReadOnlySpan<byte> chunk, ReadOnlySpan<byte> fill)
    {
        switch (fill.Length)
        {
            case 1:
                return chunk.IndexOfAnyExcept(fill[0]) < 0;
            case 2:
                return MemoryMarshal.Cast<byte, ushort>(chunk).IndexOfAnyExcept(MemoryMarshal.Read<ushort>(fill)) < 0;
            case 4:
                return MemoryMarshal.Cast<byte, uint>(chunk).IndexOfAnyExcept(MemoryMarshal.Read<uint>(fill)) < 0;
            case 8:
                return MemoryMarshal.Cast<byte, ulong>(chunk).IndexOfAnyExcept(MemoryMarshal.Read<ulong>(fill)) < 0;
            default:
                for (var i = 0; i + fill.Length <= chunk.Length; i += fill.Length)
                {
                    if (!chunk.Slice(i, fill.Length).SequenceEqual(fill))
                    {
                        return false;
                    }
                }

                return true;
        }
    }
}

/// <summary>Element values every type has.</summary>
internal static class ElementValues
{
    /// <summary>The value one of <typeparamref name="T"/>.</summary>
    public static T One<T>() where T : unmanaged
    {
        object one = typeof(T) switch
        {
            var t when t == typeof(bool) => true,
            var t when t == typeof(sbyte) => (sbyte)1,
            var t when t == typeof(short) => (short)1,
            var t when t == typeof(int) => 1,
            var t when t == typeof(long) => 1L,
            var t when t == typeof(byte) => (byte)1,
            var t when t == typeof(ushort) => (ushort)1,
            var t when t == typeof(uint) => 1U,
            var t when t == typeof(ulong) => 1UL,
            var t when t == typeof(Half) => (Half)1,
            var t when t == typeof(float) => 1F,
            var t when t == typeof(double) => 1D,
            var t when t == typeof(Complex64) => new Complex64(1, 0),
            var t when t == typeof(Complex) => Complex.One,
            _ => throw new ZarrException($"{typeof(T).Name} is not a Zarr data type"),
        };
        return (T)one;
    }
}
