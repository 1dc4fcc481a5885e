using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Zarr.Storage.Internal;

namespace Zarr.Storage.Datasets;

/// <summary>
/// Numbers in and out of a stored element type, as doubles: what CF decoding works on. Elements are little-endian,
/// as every read and write of the library hands them over. An int64 beyond 2^53 loses its low digits as a double (as
/// numpy's float64 promotion does).
/// </summary>
internal static class ElementConversion
{
    /// <summary>True for the types CF decoding computes on: bool, integers and real floats.</summary>
    public static bool IsNumeric(ZarrDataType type) => type.Kind is >= DataTypeKind.Bool and <= DataTypeKind.Float64;

    /// <summary>True for integer (and bool) storage, which encoding rounds to.</summary>
    public static bool IsInteger(ZarrDataType type) => type.Kind is >= DataTypeKind.Bool and <= DataTypeKind.UInt64;

    /// <summary>The elements of <paramref name="raw"/>, of <paramref name="type"/>, as doubles.</summary>
    public static void ToDoubles(ReadOnlySpan<byte> raw, ZarrDataType type, Span<double> destination)
    {
        switch (type.Kind)
        {
            case DataTypeKind.Bool or DataTypeKind.UInt8: Widen(raw, destination); break;
            case DataTypeKind.Int8: Widen(MemoryMarshal.Cast<byte, sbyte>(raw), destination); break;
            case DataTypeKind.Int16: Widen(MemoryMarshal.Cast<byte, short>(raw), destination); break;
            case DataTypeKind.UInt16: Widen(MemoryMarshal.Cast<byte, ushort>(raw), destination); break;
            case DataTypeKind.Int32: Widen(MemoryMarshal.Cast<byte, int>(raw), destination); break;
            case DataTypeKind.UInt32: Widen(MemoryMarshal.Cast<byte, uint>(raw), destination); break;
            case DataTypeKind.Int64: Widen(MemoryMarshal.Cast<byte, long>(raw), destination); break;
            case DataTypeKind.UInt64: Widen(MemoryMarshal.Cast<byte, ulong>(raw), destination); break;
            case DataTypeKind.Float16: Widen(MemoryMarshal.Cast<byte, Half>(raw), destination); break;
            case DataTypeKind.Float32: Widen(MemoryMarshal.Cast<byte, float>(raw), destination); break;
            case DataTypeKind.Float64: MemoryMarshal.Cast<byte, double>(raw).CopyTo(destination); break;
            default: throw NotNumeric(type);
        }
    }

    /// <summary>One element of <paramref name="type"/> as a double.</summary>
    public static double ToDouble(ReadOnlySpan<byte> element, ZarrDataType type)
    {
        Span<double> one = stackalloc double[1];
        ToDoubles(element[..type.ItemSize], type, one);
        return one[0];
    }

    /// <summary>Writes <paramref name="values"/> as elements of <paramref name="type"/> (each already a value the type holds).</summary>
    /// <exception cref="ZarrException">A value is out of the type's range, or NaN for an integer type.</exception>
    public static void FromDoubles(ReadOnlySpan<double> values, ZarrDataType type, Span<byte> destination, string variable)
    {
        var size = type.ItemSize;
        for (var i = 0; i < values.Length; i++)
        {
            var v = values[i];
            var d = destination.Slice(i * size, size);
            if (IsInteger(type) && (double.IsNaN(v) || v != Math.Floor(v) || !InRange(v, type)))
            {
                throw new ZarrException($"variable {UserText.Quote(variable)}: {v} does not fit its stored type {type} (give a _FillValue for missing values, or another dtype)");
            }

            switch (type.Kind)
            {
                case DataTypeKind.Bool or DataTypeKind.UInt8: d[0] = (byte)v; break;
                case DataTypeKind.Int8: d[0] = (byte)(sbyte)v; break;
                case DataTypeKind.Int16: BinaryPrimitives.WriteInt16LittleEndian(d, (short)v); break;
                case DataTypeKind.UInt16: BinaryPrimitives.WriteUInt16LittleEndian(d, (ushort)v); break;
                case DataTypeKind.Int32: BinaryPrimitives.WriteInt32LittleEndian(d, (int)v); break;
                case DataTypeKind.UInt32: BinaryPrimitives.WriteUInt32LittleEndian(d, (uint)v); break;
                case DataTypeKind.Int64: BinaryPrimitives.WriteInt64LittleEndian(d, (long)v); break;
                case DataTypeKind.UInt64: BinaryPrimitives.WriteUInt64LittleEndian(d, (ulong)v); break;
                case DataTypeKind.Float16: BinaryPrimitives.WriteHalfLittleEndian(d, (Half)v); break;
                case DataTypeKind.Float32: BinaryPrimitives.WriteSingleLittleEndian(d, (float)v); break;
                case DataTypeKind.Float64: BinaryPrimitives.WriteDoubleLittleEndian(d, v); break;
                default: throw NotNumeric(type);
            }
        }
    }

    /// <summary>The exception for a type CF decoding does not compute on.</summary>
    public static ZarrException NotNumeric(ZarrDataType type) =>
        new($"{type} is not a number type: CF decoding computes on bool, integers and real floats");

    private static bool InRange(double v, ZarrDataType type) => type.Kind switch
    {
        DataTypeKind.Bool => v is 0 or 1,
        DataTypeKind.Int8 => v is >= sbyte.MinValue and <= sbyte.MaxValue,
        DataTypeKind.UInt8 => v is >= byte.MinValue and <= byte.MaxValue,
        DataTypeKind.Int16 => v is >= short.MinValue and <= short.MaxValue,
        DataTypeKind.UInt16 => v is >= ushort.MinValue and <= ushort.MaxValue,
        DataTypeKind.Int32 => v is >= int.MinValue and <= int.MaxValue,
        DataTypeKind.UInt32 => v is >= uint.MinValue and <= uint.MaxValue,
        DataTypeKind.Int64 => v >= long.MinValue && v < 9.2233720368547758E18,
        DataTypeKind.UInt64 => v >= 0 && v < 1.8446744073709552E19,
        _ => true,
    };

    private static void Widen<T>(ReadOnlySpan<T> source, Span<double> destination) where T : unmanaged, System.Numerics.INumberBase<T>
    {
        for (var i = 0; i < source.Length; i++)
        {
            destination[i] = double.CreateTruncating(source[i]);
        }
    }
}
