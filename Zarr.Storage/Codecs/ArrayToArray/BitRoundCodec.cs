using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using Zarr.Storage.Internal;

namespace Zarr.Storage.Codecs;

/// <summary>
/// The <c>bitround</c> codec (zarr-extensions; read also under its deprecated alias <c>numcodecs.bitround</c>):
/// keeps <see cref="KeepBits"/> bits of each float's mantissa, or of each integer counted from its most significant
/// set bit, rounding the rest half to even. Lossy; decoding returns the rounded values as they are.
/// </summary>
/// <remarks>
/// Works on each scalar's bit pattern as an unsigned integer, as numcodecs and zarrs do (a complex number part by part;
/// a signed integer as its two's complement pattern, so a negative one keeps its top bits); a rounding that would
/// carry past the largest pattern saturates, as zarrs does. Supported: integers, floats, complex, datetime64 and
/// timedelta64 (as int64).
/// </remarks>
public sealed class BitRoundCodec : IArrayToArrayCodec
{
    /// <summary>Creates the codec.</summary>
    /// <param name="keepBits">The bits to keep: of the mantissa for floats, from the most significant set bit for integers; at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="keepBits"/> is below 1.</exception>
    public BitRoundCodec(int keepBits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keepBits, 1);
        KeepBits = keepBits;
    }

    /// <summary>The bits kept.</summary>
    public int KeepBits { get; }

    /// <inheritdoc />
    public string Name => "bitround";

    /// <inheritdoc />
    public JsonObject ToV3Json() => CodecRegistry.Default.WriteV3(this);

    /// <summary>True when the codec can round elements of <paramref name="dataType"/>.</summary>
    public static bool Supports(ZarrDataType dataType)
    {
        ArgumentNullException.ThrowIfNull(dataType);
        return Layout(dataType) is not null;
    }

    /// <inheritdoc />
    public ChunkSpec GetEncodedSpec(in ChunkSpec decoded)
    {
        Check(decoded.DataType);
        if (decoded.FillValue.Length != decoded.DataType.ItemSize)
        {
            return decoded;
        }

        var fill = decoded.FillValue.ToArray();
        Round(fill, decoded.DataType);
        return decoded with { FillValue = ImmutableArrays.Own(fill) };
    }

    /// <inheritdoc />
    public void Encode(ReadOnlySpan<byte> decoded, Span<byte> encoded, in ChunkSpec decodedSpec)
    {
        CheckLengths(decoded.Length, encoded.Length, decodedSpec);
        decoded.CopyTo(encoded);
        Round(encoded[..decoded.Length], decodedSpec.DataType);
    }

    /// <inheritdoc />
    public void Decode(ReadOnlySpan<byte> encoded, Span<byte> decoded, in ChunkSpec decodedSpec)
    {
        CheckLengths(decoded.Length, encoded.Length, decodedSpec);
        encoded.CopyTo(decoded);
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"BitRound(keepbits={KeepBits})");

    private void CheckLengths(int decodedLength, int encodedLength, in ChunkSpec spec)
    {
        Check(spec.DataType);
        if (decodedLength != spec.ByteLength || encodedLength != spec.ByteLength)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"the buffers are {decodedLength} and {encodedLength} bytes; the chunk is {spec.ByteLength}"));
        }
    }

    private void Check(ZarrDataType dataType)
    {
        if (Layout(dataType) is null)
        {
            throw new ZarrCodecException(Name, $"bitround rounds integers, floats, complex numbers, datetime64 and timedelta64, not {dataType}");
        }
    }

    // The width of one scalar in bytes and its mantissa bits (null for integers, rounded from their top set bit).
    private static (int Width, int? Mantissa)? Layout(ZarrDataType dataType) => dataType.Kind switch
    {
        DataTypeKind.Int8 or DataTypeKind.UInt8 => (1, null),
        DataTypeKind.Int16 or DataTypeKind.UInt16 => (2, null),
        DataTypeKind.Int32 or DataTypeKind.UInt32 => (4, null),
        DataTypeKind.Int64 or DataTypeKind.UInt64 or DataTypeKind.DateTime64 or DataTypeKind.TimeDelta64 => (8, null),
        DataTypeKind.Float16 => (2, 10),
        DataTypeKind.Float32 or DataTypeKind.Complex64 => (4, 23),
        DataTypeKind.Float64 or DataTypeKind.Complex128 => (8, 52),
        _ => null,
    };

    private void Round(Span<byte> elements, ZarrDataType dataType)
    {
        var (width, mantissa) = Layout(dataType)!.Value;
        switch (width)
        {
            case 1:
                RoundAll(elements, KeepBits, mantissa);
                break;
            case 2:
                RoundAll(Elements.Of<ushort>(elements), KeepBits, mantissa);
                break;
            case 4:
                RoundAll(Elements.Of<uint>(elements), KeepBits, mantissa);
                break;
            default:
                RoundAll(Elements.Of<ulong>(elements), KeepBits, mantissa);
                break;
        }
    }

    private static void RoundAll<T>(Span<T> values, int keepBits, int? mantissa)
        where T : unmanaged, IBinaryInteger<T>, IUnsignedNumber<T>, IMinMaxValue<T>
    {
        var bits = T.AllBitsSet.GetByteCount() * 8;
        for (var i = 0; i < values.Length; i++)
        {
            var v = values[i];
            var significant = mantissa ?? (bits - int.CreateTruncating(T.LeadingZeroCount(v)));
            if (keepBits >= significant)
            {
                continue;
            }

            var dropped = significant - keepBits;
            var mask = (T.AllBitsSet >>> dropped) << dropped;
            var halfMinusOne = (T.One << (dropped - 1)) - T.One;
            var sum = v + ((v >>> dropped) & T.One) + halfMinusOne;
            values[i] = (sum < v ? T.MaxValue : sum) & mask;
        }
    }
}
