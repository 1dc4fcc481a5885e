using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json.Nodes;
using Zarr.Storage.Buffers;

namespace Zarr.Storage.Codecs;

/// <summary>How <see cref="PackBitsCodec"/> records the padding bits of its last byte (the extension's <c>padding_encoding</c>).</summary>
public enum PackBitsPadding
{
    /// <summary><c>none</c> (the default): not recorded.</summary>
    None,
    /// <summary><c>first_byte</c>: one byte before the packed bits holds the count.</summary>
    FirstByte,
    /// <summary><c>last_byte</c>: one byte after the packed bits holds the count.</summary>
    LastByte,
}

/// <summary>
/// The <c>packbits</c> array→bytes codec (zarr-extensions): each element's bits <see cref="FirstBit"/>..<see cref="LastBit"/>
/// (of each component: two for complex types) packed one after another, least significant bit first, the last byte
/// padded with zeros. bool takes 1 bit, int2/uint2 2, int4/uint4 4; the other integer and float types their width,
/// little-endian. Decoding shifts the bits back to <see cref="FirstBit"/> and sign-extends signed integers.
/// </summary>
public sealed class PackBitsCodec : IArrayToBytesCodec
{
    /// <summary>Creates the codec.</summary>
    /// <param name="padding">How the padding bit count is recorded.</param>
    /// <param name="firstBit">The first bit of a component stored (null: 0).</param>
    /// <param name="lastBit">The last bit of a component stored, inclusive (null: the component's last).</param>
    /// <exception cref="ArgumentOutOfRangeException">A bit index is negative, the last is below the first, or the padding is not a mode.</exception>
    public PackBitsCodec(PackBitsPadding padding = PackBitsPadding.None, int? firstBit = null, int? lastBit = null)
    {
        if (padding is < PackBitsPadding.None or > PackBitsPadding.LastByte)
        {
            throw new ArgumentOutOfRangeException(nameof(padding), padding, "not a padding encoding");
        }

        if (firstBit is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(firstBit), firstBit, "a bit index is at least 0");
        }

        if (lastBit is { } last && last < (firstBit ?? 0))
        {
            throw new ArgumentOutOfRangeException(nameof(lastBit), lastBit, "last_bit is below first_bit");
        }

        Padding = padding;
        FirstBit = firstBit;
        LastBit = lastBit;
    }

    /// <summary>How the padding bit count is recorded.</summary>
    public PackBitsPadding Padding { get; }

    /// <summary>The first bit of a component stored, or null for 0.</summary>
    public int? FirstBit { get; }

    /// <summary>The last bit of a component stored, or null for the component's last.</summary>
    public int? LastBit { get; }

    /// <inheritdoc />
    public string Name => "packbits";

    /// <inheritdoc />
    public JsonObject ToV3Json() => CodecRegistry.Default.WriteV3(this);

    /// <summary>The bits of one component of <paramref name="dataType"/> and the components per element, or null when the codec cannot pack it.</summary>
    public static (int Bits, int Components)? Layout(ZarrDataType dataType)
    {
        ArgumentNullException.ThrowIfNull(dataType);
        return dataType.Kind switch
        {
            DataTypeKind.Bool => (1, 1),
            DataTypeKind.Complex64 or DataTypeKind.Complex128 => (dataType.ItemSize * 4, 2),
            _ when dataType.NumpyKind is 'i' or 'u' or 'f' => (dataType.BitWidth, 1),
            _ => null,
        };
    }

    /// <summary>Checks that the codec can pack <paramref name="dataType"/> with its bit range.</summary>
    /// <exception cref="ZarrCodecException">It cannot.</exception>
    public void Validate(ZarrDataType dataType)
    {
        _ = Bits(dataType);
    }

    /// <inheritdoc />
    public PooledBuffer Encode(ReadOnlySpan<byte> chunk, in ChunkSpec spec)
    {
        var (n, components, first, kept) = Bits(spec.DataType);
        if (chunk.Length != spec.ByteLength)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"the chunk is {chunk.Length} bytes; {spec.ByteLength} were expected"));
        }

        SubByteValues.Check(chunk, spec.DataType, Name);
        var count = spec.ElementCount * components;
        var (packedBytes, paddingBits) = Packed(count, kept);
        var total = packedBytes + (Padding == PackBitsPadding.None ? 0 : 1);
        var buffer = PooledBuffer.Rent((int)total);
        var output = buffer.Span;
        output.Clear();
        var packed = Padding == PackBitsPadding.FirstByte ? output[1..] : output;
        if (Padding == PackBitsPadding.FirstByte)
        {
            output[0] = paddingBits;
        }
        else if (Padding == PackBitsPadding.LastByte)
        {
            output[(int)packedBytes] = paddingBits;
        }

        var size = spec.DataType.ItemSize / components;
        var mask = kept == 64 ? ulong.MaxValue : (1UL << kept) - 1;
        long bit = 0;
        for (long c = 0; c < count; c++)
        {
            var value = (Read(chunk.Slice((int)(c * size), size)) >> first) & mask;
            WriteBits(packed, bit, kept, value);
            bit += kept;
        }

        _ = n;
        return buffer;
    }

    /// <inheritdoc />
    public void Decode(ReadOnlySpan<byte> encoded, Span<byte> chunk, in ChunkSpec spec)
    {
        var (n, components, first, kept) = Bits(spec.DataType);
        var count = spec.ElementCount * components;
        var (packedBytes, paddingBits) = Packed(count, kept);
        var expected = packedBytes + (Padding == PackBitsPadding.None ? 0 : 1);
        if (encoded.Length != expected)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"the encoded chunk is {encoded.Length} bytes; {count} components of {kept} bits{(Padding == PackBitsPadding.None ? "" : " and the padding byte")} are {expected}"));
        }

        var recorded = Padding switch
        {
            PackBitsPadding.FirstByte => encoded[0],
            PackBitsPadding.LastByte => encoded[(int)packedBytes],
            _ => paddingBits,
        };
        if (recorded != paddingBits)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"the padding byte says {recorded} padding bits; {count} components of {kept} bits leave {paddingBits}"));
        }

        var packed = Padding == PackBitsPadding.FirstByte ? encoded[1..] : encoded;
        var size = spec.DataType.ItemSize / components;
        var signed = spec.DataType.NumpyKind == 'i';
        var top = first + kept; // bits above this are extensions
        long bit = 0;
        for (long c = 0; c < count; c++)
        {
            var value = ReadBits(packed, bit, kept) << first;
            bit += kept;
            if (signed && top < 64 && ((value >> (top - 1)) & 1) == 1)
            {
                value |= ulong.MaxValue << top;
            }

            Write(chunk.Slice((int)(c * size), size), value);
        }

        _ = n;
    }

    /// <inheritdoc />
    public override string ToString() => $"PackBits({Padding}, first_bit={FirstBit?.ToString(CultureInfo.InvariantCulture) ?? "null"}, last_bit={LastBit?.ToString(CultureInfo.InvariantCulture) ?? "null"})";

    private (int N, int Components, int First, int Kept) Bits(ZarrDataType dataType)
    {
        if (Layout(dataType) is not var (n, components))
        {
            throw new ZarrCodecException(Name, $"packbits packs bool, integers (int2 and int4 included), floats and complex numbers, not {dataType}");
        }

        var first = FirstBit ?? 0;
        var last = LastBit ?? n - 1;
        if (last >= n || first > last)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"bits {first}..{last} are not within the {n} bits of a {dataType} component"));
        }

        return (n, components, first, last - first + 1);
    }

    private static (long Bytes, byte PaddingBits) Packed(long components, int bits)
    {
        var total = components * bits;
        var bytes = (total + 7) / 8;
        if (bytes > Array.MaxLength - 1)
        {
            throw new ZarrCodecException("packbits", string.Create(CultureInfo.InvariantCulture, $"{components} components of {bits} bits do not fit one buffer"));
        }

        return (bytes, (byte)((bytes * 8) - total));
    }

    // A component's bits as an unsigned value (little-endian in memory; a sub-byte integer is its one byte).
    private static ulong Read(ReadOnlySpan<byte> component) => component.Length switch
    {
        1 => component[0],
        2 => BinaryPrimitives.ReadUInt16LittleEndian(component),
        4 => BinaryPrimitives.ReadUInt32LittleEndian(component),
        _ => BinaryPrimitives.ReadUInt64LittleEndian(component),
    };

    private static void Write(Span<byte> component, ulong value)
    {
        switch (component.Length)
        {
            case 1:
                component[0] = (byte)value;
                break;
            case 2:
                BinaryPrimitives.WriteUInt16LittleEndian(component, (ushort)value);
                break;
            case 4:
                BinaryPrimitives.WriteUInt32LittleEndian(component, (uint)value);
                break;
            default:
                BinaryPrimitives.WriteUInt64LittleEndian(component, value);
                break;
        }
    }

    private static void WriteBits(Span<byte> packed, long bit, int count, ulong value)
    {
        while (count > 0)
        {
            var index = (int)(bit >> 3);
            var offset = (int)(bit & 7);
            var take = Math.Min(8 - offset, count);
            packed[index] |= (byte)((value & ((1UL << take) - 1)) << offset);
            value >>= take;
            bit += take;
            count -= take;
        }
    }

    private static ulong ReadBits(ReadOnlySpan<byte> packed, long bit, int count)
    {
        ulong value = 0;
        var done = 0;
        while (done < count)
        {
            var index = (int)(bit >> 3);
            var offset = (int)(bit & 7);
            var take = Math.Min(8 - offset, count - done);
            value |= (ulong)((packed[index] >> offset) & ((1 << take) - 1)) << done;
            bit += take;
            done += take;
        }

        return value;
    }
}
