using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Zarr.Storage.Internal;

namespace Zarr.Storage.Codecs;

/// <summary>One filter specialised to its two element types: a flat run of decoded elements to as many encoded ones and back.</summary>
internal abstract class FilterKernel
{
    /// <summary>Encodes every element; the spans hold the same number of elements of the two types.</summary>
    public abstract void Encode(ReadOnlySpan<byte> decoded, Span<byte> encoded);

    /// <summary>The inverse of <see cref="Encode"/> (lossy filters restore the type, not the lost precision).</summary>
    public abstract void Decode(ReadOnlySpan<byte> encoded, Span<byte> decoded);
}

/// <summary>Makes a kernel for a pair of element types, so that the JIT specialises the loop to them.</summary>
internal interface IKernelFactory
{
    /// <summary>The kernel from <typeparamref name="TDecoded"/> to <typeparamref name="TEncoded"/>.</summary>
    FilterKernel Create<TDecoded, TEncoded>()
        where TDecoded : unmanaged, INumber<TDecoded>
        where TEncoded : unmanaged, INumber<TEncoded>;
}

/// <summary>The shared machinery of the numcodecs filters: type dispatch, numpy's casts, the checks every filter makes.</summary>
internal static class FilterKernels
{
    /// <summary>The kernel for a pair of real numeric types (integers and floats; not bool or complex).</summary>
    /// <exception cref="ArgumentException">A type is not a real number type.</exception>
    public static FilterKernel Create<TFactory>(ZarrDataType decoded, ZarrDataType encoded, TFactory factory)
        where TFactory : IKernelFactory => decoded.Accept(new DecodedType<TFactory>(encoded, factory));

    /// <summary>True for the types the filters work on: integers and floats.</summary>
    public static bool IsRealNumber(ZarrDataType type) => type.NumpyKind is 'i' or 'u' or 'f';

    /// <summary>Checks a filter's buffers against the chunk it is told about, before any element is touched.</summary>
    public static void CheckLengths(IV2Filter filter, in ChunkSpec decodedSpec, int decodedLength, int encodedLength)
    {
        if (decodedSpec.DataType != filter.DecodedType.DataType)
        {
            throw new ZarrCodecException(filter.Name, $"the filter decodes to {filter.DecodedType} ({filter.DecodedType.DataType}); the chunk is of {decodedSpec.DataType}");
        }

        var count = decodedSpec.ElementCount;
        var expectedDecoded = count * filter.DecodedType.DataType.ItemSize;
        var expectedEncoded = count * filter.EncodedType.DataType.ItemSize;
        if (decodedLength != expectedDecoded || encodedLength != expectedEncoded)
        {
            throw new ZarrCodecException(filter.Name, string.Create(CultureInfo.InvariantCulture,
                $"the buffers are {decodedLength} bytes ({filter.DecodedType}) and {encodedLength} bytes ({filter.EncodedType}); {count} elements need {expectedDecoded} and {expectedEncoded}"));
        }
    }

    /// <summary>The spec of a filter's output: the same shape, the encoded type, and the fill value run through the filter.</summary>
    public static ChunkSpec EncodedSpec(IV2Filter filter, FilterKernel kernel, in ChunkSpec decoded)
    {
        if (decoded.DataType != filter.DecodedType.DataType)
        {
            throw new ZarrCodecException(filter.Name, $"the filter decodes to {filter.DecodedType} ({filter.DecodedType.DataType}); the array before it is of {decoded.DataType}");
        }

        var fill = new byte[filter.EncodedType.DataType.ItemSize];
        if (decoded.FillValue is { Length: > 0 } value && value.Length == decoded.DataType.ItemSize)
        {
            kernel.Encode(value.AsSpan(), fill);
        }

        return decoded with { DataType = filter.EncodedType.DataType, FillValue = ImmutableArrays.Own(fill) };
    }

    private static ArgumentException NotReal(ZarrDataType dataType, string parameter) => new($"{dataType} is not a real numeric type", parameter);

    /// <summary>Chooses the decoded element type, then the encoded one (<see cref="EncodedType{TDecoded, TFactory}"/>).</summary>
    private sealed class DecodedType<TFactory>(ZarrDataType encoded, TFactory factory) : ZarrDataTypeVisitor<FilterKernel>
        where TFactory : IKernelFactory
    {
        public override FilterKernel VisitNumber<TDecoded>() => encoded.Accept(new EncodedType<TDecoded, TFactory>(factory));

        protected override FilterKernel VisitDefault(ZarrDataType dataType) =>
            throw NotReal(dataType, "decoded");
    }

    private sealed class EncodedType<TDecoded, TFactory>(TFactory factory) : ZarrDataTypeVisitor<FilterKernel>
        where TDecoded : unmanaged, INumber<TDecoded>
        where TFactory : IKernelFactory
    {
        public override FilterKernel VisitNumber<TEncoded>() => factory.Create<TDecoded, TEncoded>();

        protected override FilterKernel VisitDefault(ZarrDataType dataType) =>
            throw NotReal(dataType, "encoded");
    }
}

/// <summary>numpy's <c>astype</c> between real numeric types, element by element, as numpy 1.x does it on x86-64.</summary>
internal static class NumpyCast
{
    private const double TwoTo63 = 9223372036854775808.0;
    private const double TwoTo31 = 2147483648.0;

    /// <summary>True when <typeparamref name="T"/> is a floating-point type (the JIT folds this to a constant).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsFloat<T>() => typeof(T) == typeof(double) || typeof(T) == typeof(float) || typeof(T) == typeof(Half);

    /// <summary>
    /// Integer to integer wraps (two's complement truncation); to a float rounds to nearest even; float to float rounds;
    /// float to integer truncates toward zero, and out of range or NaN gives what numpy's C cast gives on x86-64
    /// (the CPU's "integer indefinite" value, then truncated to the target's width).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TTo Convert<TFrom, TTo>(TFrom value)
        where TFrom : INumber<TFrom>
        where TTo : INumber<TTo>
    {
        if (typeof(TFrom) == typeof(TTo))
        {
            return Unsafe.As<TFrom, TTo>(ref value);
        }

        return IsFloat<TFrom>() && !IsFloat<TTo>()
            ? FromDouble<TTo>(double.CreateTruncating(value))
            : TTo.CreateTruncating(value);
    }

    /// <summary>A float to an integer type as numpy's cast loops do on x86-64 (see <see cref="Convert{TFrom, TTo}"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TTo FromDouble<TTo>(double value)
        where TTo : INumber<TTo>
    {
        if (typeof(TTo) == typeof(long))
        {
            return TTo.CreateTruncating(Truncate64(value));
        }

        if (typeof(TTo) == typeof(uint))
        {
            // numpy's vectorised loop (which casts all but a short tail of any chunk; its scalar tail differs for
            // out-of-range values, so numpy is not consistent with itself there).
            var u = value >= TwoTo31
                ? (uint)Truncate32(value - TwoTo31) ^ 0x8000_0000U
                : (uint)Truncate32(value);
            return TTo.CreateTruncating(u);
        }

        if (typeof(TTo) == typeof(ulong))
        {
            var u = value >= TwoTo63
                ? (ulong)Truncate64(value - TwoTo63) ^ 0x8000_0000_0000_0000UL
                : (ulong)Truncate64(value);
            return TTo.CreateTruncating(u);
        }

        return TTo.CreateTruncating(Truncate32(value));
    }

    // cvttsd2si: truncation toward zero, and 0x80000000 (0x8000000000000000) for NaN and anything out of range.
    private static int Truncate32(double value) => value > -2147483649.0 && value < 2147483648.0 ? (int)value : int.MinValue;

    private static long Truncate64(double value) => value >= -TwoTo63 && value < TwoTo63 ? (long)value : long.MinValue;
}

/// <summary>Typed views of the byte buffers the pipeline passes (little-endian elements, as in memory).</summary>
internal static class Elements
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ReadOnlySpan<T> Of<T>(ReadOnlySpan<byte> bytes)
        where T : unmanaged => MemoryMarshal.Cast<byte, T>(bytes);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Span<T> Of<T>(Span<byte> bytes)
        where T : unmanaged => MemoryMarshal.Cast<byte, T>(bytes);
}
