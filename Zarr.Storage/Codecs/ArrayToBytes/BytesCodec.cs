using System.Text.Json.Nodes;
using Zarr.Storage.Buffers;

namespace Zarr.Storage.Codecs.ArrayToBytes;

/// <summary>The v3 <c>bytes</c> codec: elements laid out in C order with a byte order (none for one-byte types).</summary>
public sealed class BytesCodec : IArrayToBytesCodec
{
    /// <summary>Creates the codec; <paramref name="endian"/> null is allowed only for one-byte types.</summary>
    public BytesCodec(Endian? endian = Codecs.Endian.Little) => Endian = endian;

    /// <summary>The byte order, or null (one-byte types).</summary>
    public Endian? Endian { get; }

    /// <inheritdoc />
    public string Name => "bytes";

    /// <inheritdoc />
    public JsonObject ToV3Json() => throw new NotImplementedException();

    /// <inheritdoc />
    public PooledBuffer Encode(ReadOnlySpan<byte> chunk, in ChunkSpec spec) => throw new NotImplementedException();

    /// <inheritdoc />
    public void Decode(ReadOnlySpan<byte> encoded, Span<byte> chunk, in ChunkSpec spec) => throw new NotImplementedException();
}
