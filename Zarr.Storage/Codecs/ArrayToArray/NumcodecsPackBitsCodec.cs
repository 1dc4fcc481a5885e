using System.Globalization;
using System.Text.Json.Nodes;
using Zarr.Storage.Internal;

namespace Zarr.Storage.Codecs;

/// <summary>
/// numcodecs' <c>packbits</c> filter (v2 <c>{"id": "packbits"}</c>; v3 <c>numcodecs.packbits</c>, as zarr-python 3
/// writes it): a bool chunk of n elements becomes 1 + ⌈n/8⌉ bytes, the first the count of padding bits in the last
/// byte, then the elements eight to a byte, the first in the most significant bit (numpy's <c>packbits</c> order, the
/// reverse of the zarr-extensions <see cref="PackBitsCodec"/>).
/// </summary>
public sealed class NumcodecsPackBitsCodec : IV2Filter
{
    /// <inheritdoc />
    public string Name => "numcodecs.packbits";

    /// <inheritdoc />
    public string V2Id => "packbits";

    /// <inheritdoc />
    public NumpyDType DecodedType => ZarrDataType.Bool;

    /// <inheritdoc />
    public NumpyDType EncodedType => ZarrDataType.UInt8;

    /// <summary>The encoded length of <paramref name="count"/> elements.</summary>
    public static long EncodedLength(long count) => 1 + ((count + 7) / 8);

    /// <inheritdoc />
    public JsonObject ToV2Json() => CodecRegistry.Default.WriteV2(this);

    /// <inheritdoc />
    public JsonObject ToV3Json() => CodecRegistry.Default.WriteV3(this);

    /// <inheritdoc />
    public ChunkSpec GetEncodedSpec(in ChunkSpec decoded)
    {
        CheckType(decoded.DataType);
        return decoded with { Shape = [checked((int)EncodedLength(decoded.ElementCount))], DataType = ZarrDataType.UInt8, FillValue = ImmutableArrays.Own(new byte[1]) };
    }

    /// <inheritdoc />
    public void Encode(ReadOnlySpan<byte> decoded, Span<byte> encoded, in ChunkSpec decodedSpec)
    {
        CheckType(decodedSpec.DataType);
        CheckLengths(decoded.Length, encoded.Length, decodedSpec.ElementCount);
        var count = decoded.Length;
        encoded.Clear();
        encoded[0] = (byte)((8 - (count % 8)) % 8);
        for (var i = 0; i < count; i++)
        {
            if (decoded[i] > 1)
            {
                throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"element {i} is {decoded[i]}, not a bool (0 or 1)"));
            }

            encoded[1 + (i >> 3)] |= (byte)(decoded[i] << (7 - (i & 7)));
        }
    }

    /// <inheritdoc />
    public void Decode(ReadOnlySpan<byte> encoded, Span<byte> decoded, in ChunkSpec decodedSpec)
    {
        CheckType(decodedSpec.DataType);
        CheckLengths(decoded.Length, encoded.Length, decodedSpec.ElementCount);
        var count = decoded.Length;
        var padding = (8 - (count % 8)) % 8;
        if (encoded[0] != padding)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"the first byte says {encoded[0]} padding bits; a chunk of {count} elements has {padding}"));
        }

        for (var i = 0; i < count; i++)
        {
            decoded[i] = (byte)((encoded[1 + (i >> 3)] >> (7 - (i & 7))) & 1);
        }
    }

    /// <inheritdoc />
    public override string ToString() => "PackBits()";

    private void CheckType(ZarrDataType dataType)
    {
        if (dataType != ZarrDataType.Bool)
        {
            throw new ZarrCodecException(Name, $"packbits packs bool elements; the chunk is of {dataType}");
        }
    }

    private void CheckLengths(int decodedLength, int encodedLength, long count)
    {
        if (decodedLength != count || encodedLength != EncodedLength(count))
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture,
                $"the buffers are {decodedLength} and {encodedLength} bytes; {count} bools need {count} and {EncodedLength(count)}"));
        }
    }
}
