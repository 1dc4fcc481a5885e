using System.Text.Json.Nodes;
using Zarr.Storage.Buffers;

namespace Zarr.Storage.Codecs.Registry;

/// <summary>
/// A codec this library does not know, declared <c>"must_understand": false</c> (v3.1 core spec, extension definition):
/// its presence may be ignored, so reading passes the data through it unchanged. Writing cannot: a reader that knows
/// the codec would undo an encoding that never happened, so encoding refuses, naming the codec and the array. Its
/// metadata is written back as it was read. Where it stands in the chain says what it is: before the array→bytes codec
/// an array→array codec, after it a bytes→bytes codec.
/// </summary>
internal abstract class IgnoredCodec : ICodec
{
    private readonly JsonObject _json;

    protected IgnoredCodec(JsonObject json, string name, string document)
    {
        _json = (JsonObject)json.DeepClone();
        Name = name;
        Document = document;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The metadata document the codec was read from, for the write error.</summary>
    public string Document { get; }

    /// <summary>The codec for <paramref name="json"/> at its place in the chain.</summary>
    public static IgnoredCodec Create(JsonObject json, string name, string document, bool afterArrayToBytes) =>
        afterArrayToBytes ? new BytesToBytes(json, name, document) : new ArrayToArray(json, name, document);

    /// <inheritdoc />
    public JsonObject ToV3Json() => (JsonObject)_json.DeepClone();

    protected ZarrCodecException CannotEncode() => new(Name,
        $"{Document} declares this codec \"must_understand\": false and this library does not know it: chunks are read as if it were absent, and cannot be written without it");

    private sealed class ArrayToArray(JsonObject json, string name, string document) : IgnoredCodec(json, name, document), IArrayToArrayCodec
    {
        public ChunkSpec GetEncodedSpec(in ChunkSpec decoded) => decoded;

        public void Encode(ReadOnlySpan<byte> decoded, Span<byte> encoded, in ChunkSpec decodedSpec) => throw CannotEncode();

        public void Decode(ReadOnlySpan<byte> encoded, Span<byte> decoded, in ChunkSpec decodedSpec) => encoded.CopyTo(decoded);
    }

    private sealed class BytesToBytes(JsonObject json, string name, string document) : IgnoredCodec(json, name, document), IBytesToBytesCodec
    {
        public PooledBuffer Encode(ReadOnlySpan<byte> decoded) => throw CannotEncode();

        public PooledBuffer Decode(ReadOnlySpan<byte> encoded, int expectedLength)
        {
            var buffer = PooledBuffer.Rent(encoded.Length);
            encoded.CopyTo(buffer.Span);
            return buffer;
        }
    }
}
