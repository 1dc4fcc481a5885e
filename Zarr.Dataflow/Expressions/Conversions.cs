using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Zarr.Storage;
using Zarr.Storage.DataTypes;

namespace Zarr.Dataflow.Expressions;

/// <summary>
/// Element-type conversions between every pair of Zarr element types (numpy's <c>astype</c>), chosen once per pair
/// when the expression is built: the chunk loop is one <see cref="TensorPrimitives.ConvertTruncating{TFrom, TTo}(ReadOnlySpan{TFrom}, Span{TTo})"/>
/// call, or a loop the JIT specialises for the pair (no delegate per element). The cache is immutable once built.
/// </summary>
internal static class Conversions
{
    private const int Block = 4096;

    public static SpanConverter<TIn, TOut> Get<TIn, TOut>() where TIn : unmanaged where TOut : unmanaged => Cache<TIn, TOut>.Value;

    private static class Cache<TIn, TOut> where TIn : unmanaged where TOut : unmanaged
    {
        public static readonly SpanConverter<TIn, TOut> Value = Build<TIn, TOut>();
    }

    private static SpanConverter<TIn, TOut> Build<TIn, TOut>() where TIn : unmanaged where TOut : unmanaged
    {
        var from = Kind<TIn>();
        var to = Kind<TOut>();
        ByteConverter convert = from switch
        {
            DataTypeKind.Bool => To<byte>(to, fromBool: true),
            DataTypeKind.Int8 => To<sbyte>(to),
            DataTypeKind.Int16 => To<short>(to),
            DataTypeKind.Int32 => To<int>(to),
            DataTypeKind.Int64 => To<long>(to),
            DataTypeKind.UInt8 => To<byte>(to),
            DataTypeKind.UInt16 => To<ushort>(to),
            DataTypeKind.UInt32 => To<uint>(to),
            DataTypeKind.UInt64 => To<ulong>(to),
            DataTypeKind.Float16 => To<Half>(to),
            DataTypeKind.Float32 => To<float>(to),
            DataTypeKind.Float64 => To<double>(to),
            DataTypeKind.Complex128 => To<Complex>(to),
            DataTypeKind.Complex64 => FromComplex64(to),
            _ => throw Unsupported<TIn, TOut>(),
        };
        return (source, destination) => convert(MemoryMarshal.AsBytes(source), MemoryMarshal.AsBytes(destination));
    }

    private delegate void ByteConverter(ReadOnlySpan<byte> source, Span<byte> destination);

    private static DataTypeKind Kind<T>() where T : unmanaged
    {
        foreach (var type in ZarrDataType.All)
        {
            if (type.ClrType == typeof(T))
            {
                return type.Kind;
            }
        }

        throw new NotSupportedException($"{typeof(T).Name} is not a Zarr element type; casts convert between {string.Join(", ", ZarrDataType.All.Select(t => t.ClrType.Name))}");
    }

    private static NotSupportedException Unsupported<TIn, TOut>() => new($"no conversion from {typeof(TIn).Name} to {typeof(TOut).Name}");

    private static ByteConverter To<TIn>(DataTypeKind to, bool fromBool = false) where TIn : unmanaged, INumberBase<TIn> => to switch
    {
        DataTypeKind.Bool => fromBool ? Copy : (s, d) => NonZero(MemoryMarshal.Cast<byte, TIn>(s), MemoryMarshal.Cast<byte, bool>(d)),
        DataTypeKind.Int8 => Numbers<TIn, sbyte>,
        DataTypeKind.Int16 => Numbers<TIn, short>,
        DataTypeKind.Int32 => Numbers<TIn, int>,
        DataTypeKind.Int64 => Numbers<TIn, long>,
        DataTypeKind.UInt8 => Numbers<TIn, byte>,
        DataTypeKind.UInt16 => Numbers<TIn, ushort>,
        DataTypeKind.UInt32 => Numbers<TIn, uint>,
        DataTypeKind.UInt64 => Numbers<TIn, ulong>,
        DataTypeKind.Float16 => Numbers<TIn, Half>,
        DataTypeKind.Float32 => Numbers<TIn, float>,
        DataTypeKind.Float64 => Numbers<TIn, double>,
        DataTypeKind.Complex128 => Numbers<TIn, Complex>,
        DataTypeKind.Complex64 => (s, d) => ToComplex64(MemoryMarshal.Cast<byte, TIn>(s), MemoryMarshal.Cast<byte, Complex64>(d)),
        _ => throw new NotSupportedException($"no conversion from {typeof(TIn).Name} to {to}"),
    };

    private static ByteConverter FromComplex64(DataTypeKind to) => to switch
    {
        DataTypeKind.Complex64 => Copy,
        DataTypeKind.Bool => (s, d) => NonZero(MemoryMarshal.Cast<byte, Complex64>(s), MemoryMarshal.Cast<byte, bool>(d)),
        DataTypeKind.Complex128 => (s, d) => Widen(MemoryMarshal.Cast<byte, Complex64>(s), MemoryMarshal.Cast<byte, Complex>(d)),

        // To a real type: the real parts (every other float), converted from float.
        _ => RealParts(To<float>(to), ItemSize(to)),
    };

    private static int ItemSize(DataTypeKind kind) => ZarrDataType.All.First(t => t.Kind == kind).ItemSize;

    private static void Copy(ReadOnlySpan<byte> source, Span<byte> destination) => source.CopyTo(destination);

    private static void Numbers<TIn, TOut>(ReadOnlySpan<byte> source, Span<byte> destination)
        where TIn : unmanaged, INumberBase<TIn>
        where TOut : unmanaged, INumberBase<TOut> =>
        TensorPrimitives.ConvertTruncating<TIn, TOut>(MemoryMarshal.Cast<byte, TIn>(source), MemoryMarshal.Cast<byte, TOut>(destination));

    private static void NonZero<TIn>(ReadOnlySpan<TIn> source, Span<bool> destination) where TIn : unmanaged, INumberBase<TIn>
    {
        for (var i = 0; i < source.Length; i++)
        {
            destination[i] = !TIn.IsZero(source[i]);
        }
    }

    private static void NonZero(ReadOnlySpan<Complex64> source, Span<bool> destination)
    {
        for (var i = 0; i < source.Length; i++)
        {
            destination[i] = source[i].Real != 0 || source[i].Imaginary != 0;
        }
    }

    private static void Widen(ReadOnlySpan<Complex64> source, Span<Complex> destination)
    {
        for (var i = 0; i < source.Length; i++)
        {
            destination[i] = new Complex(source[i].Real, source[i].Imaginary);
        }
    }

    private static void ToComplex64<TIn>(ReadOnlySpan<TIn> source, Span<Complex64> destination) where TIn : unmanaged, INumberBase<TIn>
    {
        if (typeof(TIn) == typeof(Complex))
        {
            var complex = MemoryMarshal.Cast<TIn, Complex>(source);
            for (var i = 0; i < complex.Length; i++)
            {
                destination[i] = new Complex64((float)complex[i].Real, (float)complex[i].Imaginary);
            }

            return;
        }

        var block = ArrayPool<float>.Shared.Rent(Block);
        try
        {
            for (var offset = 0; offset < source.Length; offset += Block)
            {
                var n = Math.Min(Block, source.Length - offset);
                var real = block.AsSpan(0, n);
                TensorPrimitives.ConvertTruncating<TIn, float>(source.Slice(offset, n), real);
                for (var i = 0; i < n; i++)
                {
                    destination[offset + i] = new Complex64(real[i], 0);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(block);
        }
    }

    private static ByteConverter RealParts(ByteConverter fromFloat, int outSize) => (s, d) =>
    {
        var complex = MemoryMarshal.Cast<byte, float>(s);
        var count = complex.Length / 2;
        var block = ArrayPool<float>.Shared.Rent(Block);
        try
        {
            for (var offset = 0; offset < count; offset += Block)
            {
                var n = Math.Min(Block, count - offset);
                for (var i = 0; i < n; i++)
                {
                    block[i] = complex[2 * (offset + i)];
                }

                fromFloat(MemoryMarshal.AsBytes(block.AsSpan(0, n)), d.Slice(offset * outSize, n * outSize));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(block);
        }
    };
}
