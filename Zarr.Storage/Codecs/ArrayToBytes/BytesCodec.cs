using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Zarr.Storage.Buffers;

namespace Zarr.Storage.Codecs;

/// <summary>The v3 <c>bytes</c> codec: elements laid out in C order with a byte order (none for one-byte types).</summary>
public sealed class BytesCodec : IArrayToBytesCodec
{
    /// <summary>Creates the codec; <paramref name="endian"/> null is allowed only for one-byte types.</summary>
    public BytesCodec(Endian? endian = Codecs.Endian.Little) => Endian = endian;

    /// <summary>The byte order, or null (one-byte types).</summary>
    public Endian? Endian { get; }

    /// <inheritdoc />
    public string Name => "bytes";

    /// <summary>
    /// The codec zarr-python 3 writes for a new array of <paramref name="dataType"/>: no byte order for types without
    /// multi-byte components (one-byte types, fixed-length bytes), little-endian otherwise.
    /// </summary>
    public static BytesCodec For(ZarrDataType dataType)
    {
        ArgumentNullException.ThrowIfNull(dataType);
        return new BytesCodec(dataType.NeedsByteOrder ? Codecs.Endian.Little : null);
    }

    /// <inheritdoc />
    /// <remarks>Without a byte order the configuration is left out: <c>{"name": "bytes"}</c>, as zarr-python writes it.</remarks>
    public JsonObject ToV3Json() => CodecRegistry.Default.WriteV3(this);

    /// <inheritdoc />
    public PooledBuffer Encode(ReadOnlySpan<byte> chunk, in ChunkSpec spec)
    {
        var length = spec.ByteLength;
        if (chunk.Length != length)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"the chunk is {chunk.Length} bytes; a chunk of shape ({string.Join(", ", spec.Shape)}) and type {spec.DataType} is {length}"));
        }

        var buffer = PooledBuffer.Rent(length);
        try
        {
            CopyWithByteOrder(chunk, buffer.Span, spec.DataType);
            SubByteValues.Check(buffer.Span, spec.DataType, Name);
            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void Decode(ReadOnlySpan<byte> encoded, Span<byte> chunk, in ChunkSpec spec)
    {
        var length = spec.ByteLength;
        if (encoded.Length != length)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"the encoded chunk is {encoded.Length} bytes; a chunk of shape ({string.Join(", ", spec.Shape)}) and type {spec.DataType} is {length}"));
        }

        if (chunk.Length != length)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"the destination is {chunk.Length} bytes; the chunk is {length}"), nameof(chunk));
        }

        CopyWithByteOrder(encoded, chunk, spec.DataType);
        SubByteValues.Normalize(chunk, spec.DataType);
    }

    /// <summary>
    /// Copies elements, reversing the bytes of each scalar component when the stored order is big-endian: per component
    /// for plain types (a complex number's two parts, a unicode string's code units), per field for structured types
    /// (a field with its own byte order keeps it).
    /// </summary>
    private void CopyWithByteOrder(ReadOnlySpan<byte> source, Span<byte> destination, ZarrDataType dataType)
    {
        if (dataType.Kind == DataTypeKind.Structured)
        {
            CopyStructured(source, destination, dataType);
            return;
        }

        var componentSize = dataType.ComponentSize;
        if (componentSize == 1)
        {
            source.CopyTo(destination);
            return;
        }

        if (Endian is null)
        {
            throw new ZarrCodecException(Name, $"the 'endian' configuration is required for the multi-byte data type {dataType}");
        }

        // The decoded chunk is little-endian by contract, whatever the machine's order.
        if (Endian == Codecs.Endian.Little)
        {
            source.CopyTo(destination);
            return;
        }

        ReverseComponents(source, destination, componentSize);
    }

    /// <summary>
    /// True when this codec leaves a chunk of <paramref name="dataType"/> byte for byte as it is (little-endian, or no
    /// multi-byte component; for a structured type, no field that swaps), so a pipeline may skip it.
    /// </summary>
    internal bool IsIdentityFor(ZarrDataType dataType) =>
        dataType.Kind == DataTypeKind.Structured
            ? dataType.SwapSegments(Endian == Codecs.Endian.Big).Count == 0
            : dataType.ComponentSize <= 1 || Endian == Codecs.Endian.Little;

    private void CopyStructured(ReadOnlySpan<byte> source, Span<byte> destination, ZarrDataType dataType)
    {
        if (Endian is null && dataType.NeedsByteOrder)
        {
            throw new ZarrCodecException(Name, $"the 'endian' configuration is required for the structured data type {dataType}, which has multi-byte fields");
        }

        source.CopyTo(destination);
        var segments = dataType.SwapSegments(Endian == Codecs.Endian.Big);
        if (segments.Count == 0)
        {
            return;
        }

        var itemSize = dataType.ItemSize;
        for (var e = 0; e + itemSize <= destination.Length; e += itemSize)
        {
            var element = destination.Slice(e, itemSize);
            foreach (var (offset, size) in segments)
            {
                element.Slice(offset, size).Reverse();
            }
        }
    }

    /// <summary>Reverses the byte order of every <paramref name="componentSize"/>-byte component (2, 4 or 8), vectorized.</summary>
    internal static void ReverseComponents(ReadOnlySpan<byte> source, Span<byte> destination, int componentSize)
    {
        switch (componentSize)
        {
            case 2:
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, ushort>(source), MemoryMarshal.Cast<byte, ushort>(destination));
                break;
            case 4:
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, uint>(source), MemoryMarshal.Cast<byte, uint>(destination));
                break;
            case 8:
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, ulong>(source), MemoryMarshal.Cast<byte, ulong>(destination));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(componentSize), componentSize, "components are 2, 4 or 8 bytes");
        }
    }
}
