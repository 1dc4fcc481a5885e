using System.Numerics;
using System.Runtime.CompilerServices;

namespace Zarr.Storage.Codecs;

/// <summary>
/// numcodecs' <c>delta</c> filter (<c>{"id": "delta", "dtype": "&lt;i4", "astype": "&lt;i4"}</c>; in v3 <c>numcodecs.delta</c>):
/// the chunk, flattened in its memory order, becomes its first element followed by the differences of neighbours.
/// </summary>
/// <remarks>
/// As numpy computes it: the differences in <see cref="NumcodecsFilterCodec.DecodedType"/> (integers wrap around), then cast to
/// <see cref="NumcodecsFilterCodec.EncodedType"/>; decoding is the running sum, accumulated in the wider of the two types and cast to
/// <see cref="NumcodecsFilterCodec.DecodedType"/>. Both types are integers or both are floats.
/// </remarks>
public sealed class DeltaCodec : NumcodecsFilterCodec
{
    /// <summary>Creates the filter.</summary>
    /// <param name="dtype">The decoded type (numcodecs' <c>dtype</c>).</param>
    /// <param name="astype">The encoded type (numcodecs' <c>astype</c>); null for <paramref name="dtype"/>.</param>
    /// <exception cref="ArgumentException">A type is not an integer or float type, or one is an integer and the other a float.</exception>
    public DeltaCodec(NumpyDType dtype, NumpyDType? astype = null)
        : base("delta", dtype, astype ?? dtype, CreateKernel(dtype, astype ?? dtype))
    {
    }

    /// <inheritdoc />
    public override string ToString() => $"Delta(dtype='{DecodedType}', astype='{EncodedType}')";

    private static FilterKernel CreateKernel(NumpyDType dtype, NumpyDType astype)
    {
        var encoded = astype;
        ArgumentNullException.ThrowIfNull(dtype.DataType, nameof(dtype));
        ArgumentNullException.ThrowIfNull(encoded.DataType, nameof(astype));
        if (!FilterKernels.IsRealNumber(dtype.DataType) || !FilterKernels.IsRealNumber(encoded.DataType))
        {
            throw new ArgumentException($"delta works on integer and float types, not {dtype} → {encoded}");
        }

        if (dtype.DataType.IsFloatingPoint != encoded.DataType.IsFloatingPoint)
        {
            throw new ArgumentException($"delta from {dtype} to {encoded} mixes integer and float types, which is not supported");
        }

        return FilterKernels.Create(dtype.DataType, encoded.DataType, default(Factory));
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
        public override void Encode(ReadOnlySpan<byte> decoded, Span<byte> encoded)
        {
            var source = Elements.Of<TDecoded>(decoded);
            var target = Elements.Of<TEncoded>(encoded);
            if (source.IsEmpty)
            {
                return;
            }

            target = target[..source.Length];
            var previous = source[0];
            target[0] = NumpyCast.Convert<TDecoded, TEncoded>(previous);
            for (var i = 1; i < source.Length; i++)
            {
                var current = source[i];
                target[i] = NumpyCast.Convert<TDecoded, TEncoded>(current - previous);
                previous = current;
            }
        }

        public override void Decode(ReadOnlySpan<byte> encoded, Span<byte> decoded)
        {
            var source = Elements.Of<TEncoded>(encoded);
            var target = Elements.Of<TDecoded>(decoded);
            if (source.IsEmpty)
            {
                return;
            }

            // numpy's cumsum starts from the first element (so a -0.0 stays -0.0) and accumulates in the wider of the
            // two types, casting each partial sum to the output type.
            target = target[..source.Length];
            if (Unsafe.SizeOf<TEncoded>() > Unsafe.SizeOf<TDecoded>())
            {
                var wide = source[0];
                target[0] = NumpyCast.Convert<TEncoded, TDecoded>(wide);
                for (var i = 1; i < source.Length; i++)
                {
                    wide += source[i];
                    target[i] = NumpyCast.Convert<TEncoded, TDecoded>(wide);
                }

                return;
            }

            var sum = NumpyCast.Convert<TEncoded, TDecoded>(source[0]);
            target[0] = sum;
            for (var i = 1; i < source.Length; i++)
            {
                sum += NumpyCast.Convert<TEncoded, TDecoded>(source[i]);
                target[i] = sum;
            }
        }
    }
}
