using System.Numerics;

namespace Zarr.Storage.Codecs;

/// <summary>
/// numcodecs' <c>astype</c> filter (<c>{"id": "astype", "encode_dtype": "&lt;f4", "decode_dtype": "&lt;f8"}</c>; in v3
/// <c>numcodecs.astype</c>): every element cast to another type, as numpy's <c>astype</c> casts.
/// </summary>
/// <remarks>
/// Integers wrap, floats round to nearest even, floats become integers by truncation toward zero (out of range and NaN
/// as numpy gives on x86-64). Lossy when the encoded type is narrower, which numcodecs leaves to the user.
/// </remarks>
public sealed class AsTypeCodec : NumcodecsFilterCodec
{
    /// <summary>Creates the filter.</summary>
    /// <param name="encodeDType">The stored type (numcodecs' <c>encode_dtype</c>).</param>
    /// <param name="decodeDType">The array's type (numcodecs' <c>decode_dtype</c>).</param>
    /// <exception cref="ArgumentException">A type is not an integer or float type.</exception>
    public AsTypeCodec(NumpyDType encodeDType, NumpyDType decodeDType)
        : base("astype", decodeDType, encodeDType, CreateKernel(encodeDType, decodeDType))
    {
    }

    /// <inheritdoc />
    public override string ToString() => $"AsType(encode_dtype='{EncodedType}', decode_dtype='{DecodedType}')";

    private static FilterKernel CreateKernel(NumpyDType encodeDType, NumpyDType decodeDType)
    {
        ArgumentNullException.ThrowIfNull(encodeDType.DataType, nameof(encodeDType));
        ArgumentNullException.ThrowIfNull(decodeDType.DataType, nameof(decodeDType));
        if (!FilterKernels.IsRealNumber(encodeDType.DataType) || !FilterKernels.IsRealNumber(decodeDType.DataType))
        {
            throw new ArgumentException($"astype works on integer and float types, not {decodeDType} → {encodeDType}");
        }

        return FilterKernels.Create(decodeDType.DataType, encodeDType.DataType, default(Factory));
    }

    private readonly struct Factory : IKernelFactory
    {
        public FilterKernel Create<TDecoded, TEncoded>()
            where TDecoded : unmanaged, INumber<TDecoded>
            where TEncoded : unmanaged, INumber<TEncoded> => new Kernel<TDecoded, TEncoded>();
    }

    private sealed class Kernel<TDecoded, TEncoded> : FilterKernel
        where TDecoded : unmanaged, INumber<TDecoded>
        where TEncoded : unmanaged, INumber<TEncoded>
    {
        public override void Encode(ReadOnlySpan<byte> decoded, Span<byte> encoded) =>
            Cast<TDecoded, TEncoded>(Elements.Of<TDecoded>(decoded), Elements.Of<TEncoded>(encoded));

        public override void Decode(ReadOnlySpan<byte> encoded, Span<byte> decoded) =>
            Cast<TEncoded, TDecoded>(Elements.Of<TEncoded>(encoded), Elements.Of<TDecoded>(decoded));

        private static void Cast<TFrom, TTo>(ReadOnlySpan<TFrom> source, Span<TTo> target)
            where TFrom : unmanaged, INumber<TFrom>
            where TTo : unmanaged, INumber<TTo>
        {
            target = target[..source.Length];
            for (var i = 0; i < source.Length; i++)
            {
                target[i] = NumpyCast.Convert<TFrom, TTo>(source[i]);
            }
        }
    }
}
