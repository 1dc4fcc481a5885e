using System.Numerics;
using System.Runtime.InteropServices;

namespace Zarr.Storage.Internal;

/// <summary>Fill-value helpers on raw element bytes.</summary>
internal static class FillValues
{
    /// <summary>
    /// True when every element of <paramref name="chunk"/> equals the fill value: the same bytes, or for a NaN fill of a
    /// float type any NaN (as numpy's <c>array_equal(..., equal_nan=True)</c>, which zarr-python uses).
    /// </summary>
    public static bool IsAllFill(ReadOnlySpan<byte> chunk, ReadOnlySpan<byte> fill, ZarrDataType dataType)
    {
        // bfloat16 shares float16's size, not its layout, and the small floats have one NaN each: compared byte for byte.
        if (dataType.Kind is DataTypeKind.Float16 or DataTypeKind.Float32 or DataTypeKind.Float64 && IsNaN(fill, dataType.ItemSize))
        {
            return AllNaN(chunk, dataType.ItemSize);
        }

        return IsAllSameBytes(chunk, fill);
    }

    private static bool IsNaN(ReadOnlySpan<byte> value, int size) => size switch
    {
        2 => Half.IsNaN(MemoryMarshal.Read<Half>(value)),
        4 => float.IsNaN(MemoryMarshal.Read<float>(value)),
        _ => double.IsNaN(MemoryMarshal.Read<double>(value)),
    };

    private static bool AllNaN(ReadOnlySpan<byte> chunk, int size)
    {
        // A NaN has every exponent bit set and a non-zero mantissa: |bits| > the bits of infinity.
        switch (size)
        {
            case 2:
                foreach (var bits in MemoryMarshal.Cast<byte, ushort>(chunk))
                {
                    if ((bits & 0x7FFF) <= 0x7C00)
                    {
                        return false;
                    }
                }

                return true;
            case 4:
                foreach (var bits in MemoryMarshal.Cast<byte, uint>(chunk))
                {
                    if ((bits & 0x7FFF_FFFF) <= 0x7F80_0000)
                    {
                        return false;
                    }
                }

                return true;
            default:
                foreach (var bits in MemoryMarshal.Cast<byte, ulong>(chunk))
                {
                    if ((bits & 0x7FFF_FFFF_FFFF_FFFF) <= 0x7FF0_0000_0000_0000)
                    {
                        return false;
                    }
                }

                return true;
        }
    }

    /// <summary>True when every element of <paramref name="chunk"/> has exactly the bytes of <paramref name="fill"/> (vectorised).</summary>
    public static bool IsAllSameBytes(ReadOnlySpan<byte> chunk, ReadOnlySpan<byte> fill)
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
