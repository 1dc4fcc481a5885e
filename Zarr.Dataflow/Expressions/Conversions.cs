using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Zarr.Storage;

namespace Zarr.Dataflow;

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
        var from = ZarrDataType.TryOf<TIn>() ?? throw NotElementType<TIn>();
        var to = ZarrDataType.TryOf<TOut>() ?? throw NotElementType<TOut>();
        var convert = from.Accept(new FromType(to));
        return (source, destination) => convert(MemoryMarshal.AsBytes(source), MemoryMarshal.AsBytes(destination));
    }

    private delegate void ByteConverter(ReadOnlySpan<byte> source, Span<byte> destination);

    private static NotSupportedException NotElementType<T>() =>
        new($"{typeof(T).Name} is not a Zarr element type; casts convert between {string.Join(", ", ZarrDataType.All.Select(t => t.ClrType.Name))}");

    private static NotSupportedException Unsupported(ZarrDataType from, ZarrDataType to) => new($"no conversion from {from} to {to}");

    /// <summary>Chooses the source element type; <see cref="ToType{TIn}"/> then chooses the destination's.</summary>
    private sealed class FromType(ZarrDataType to) : ZarrDataTypeVisitor<ByteConverter>
    {
        public override ByteConverter VisitBool() => to.Accept(new ToType<byte>(fromBool: true));

        public override ByteConverter VisitNumber<TIn>() => to.Accept(new ToType<TIn>(fromBool: false));

        public override ByteConverter VisitComplex128() => to.Accept(new ToType<Complex>(fromBool: false));

        public override ByteConverter VisitComplex64() => to.Kind switch
        {
            DataTypeKind.Complex64 => Copy,
            DataTypeKind.Bool => (s, d) => NonZero(MemoryMarshal.Cast<byte, Complex64>(s), MemoryMarshal.Cast<byte, bool>(d)),
            DataTypeKind.Complex128 => (s, d) => Widen(MemoryMarshal.Cast<byte, Complex64>(s), MemoryMarshal.Cast<byte, Complex>(d)),

            // To a real type: the real parts (every other float), converted from float.
            _ => RealParts(to.Accept(new ToType<float>(fromBool: false)), to.ItemSize),
        };

        protected override ByteConverter VisitDefault(ZarrDataType dataType) => throw Unsupported(dataType, to);
    }

    /// <summary>The converter from <typeparamref name="TIn"/> (bool travels as byte) to the type visited.</summary>
    private sealed class ToType<TIn>(bool fromBool) : ZarrDataTypeVisitor<ByteConverter> where TIn : unmanaged, INumberBase<TIn>
    {
        public override ByteConverter VisitBool() =>
            fromBool ? Copy : (s, d) => NonZero(MemoryMarshal.Cast<byte, TIn>(s), MemoryMarshal.Cast<byte, bool>(d));

        public override ByteConverter VisitNumber<TOut>() => Numbers<TIn, TOut>;

        public override ByteConverter VisitComplex128() => Numbers<TIn, Complex>;

        public override ByteConverter VisitComplex64() =>
            (s, d) => ToComplex64(MemoryMarshal.Cast<byte, TIn>(s), MemoryMarshal.Cast<byte, Complex64>(d));

        protected override ByteConverter VisitDefault(ZarrDataType dataType) => throw Unsupported(fromBool ? ZarrDataType.Bool : ZarrDataType.Of<TIn>(), dataType);
    }

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
