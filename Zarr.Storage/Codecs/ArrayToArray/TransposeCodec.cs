using System.Text.Json.Nodes;

namespace Zarr.Storage.Codecs.ArrayToArray;

/// <summary>The v3 <c>transpose</c> codec: permutes the chunk's dimensions (v2's order F is the reversed permutation).</summary>
public sealed class TransposeCodec : IArrayToArrayCodec
{
    /// <summary>Creates the codec for a permutation of 0..rank-1.</summary>
    public TransposeCodec(int[] order) => Order = order;

    /// <summary>The permutation: dimension i of the encoded array is dimension <c>Order[i]</c> of the decoded one.</summary>
    public int[] Order { get; }

    /// <inheritdoc />
    public string Name => "transpose";

    /// <inheritdoc />
    public JsonObject ToV3Json() => throw new NotImplementedException();

    /// <inheritdoc />
    public ChunkSpec GetEncodedSpec(in ChunkSpec decoded) => throw new NotImplementedException();

    /// <inheritdoc />
    public void Encode(ReadOnlySpan<byte> decoded, Span<byte> encoded, in ChunkSpec decodedSpec) => throw new NotImplementedException();

    /// <inheritdoc />
    public void Decode(ReadOnlySpan<byte> encoded, Span<byte> decoded, in ChunkSpec decodedSpec) => throw new NotImplementedException();
}
