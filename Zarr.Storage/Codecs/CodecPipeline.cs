using Zarr.Storage.Buffers;

namespace Zarr.Storage.Codecs;

/// <summary>
/// A validated v3 codec chain: array→array codecs, exactly one array→bytes codec, then bytes→bytes codecs.
/// Thread-safe; one pipeline serves every chunk of an array.
/// </summary>
public sealed class CodecPipeline
{
    private CodecPipeline(IReadOnlyList<ICodec> codecs) => Codecs = codecs;

    /// <summary>The codecs in encoding order.</summary>
    public IReadOnlyList<ICodec> Codecs { get; }

    /// <summary>Validates and builds a chain.</summary>
    /// <exception cref="ZarrException">The codecs are not in the order the specification requires.</exception>
    public static CodecPipeline Create(IEnumerable<ICodec> codecs) => throw new NotImplementedException();

    /// <summary>Encodes a decoded chunk (C order, little-endian, <c>spec.ByteLength</c> bytes) into a new buffer the caller owns.</summary>
    public PooledBuffer Encode(ReadOnlySpan<byte> chunk, in ChunkSpec spec) => throw new NotImplementedException();

    /// <summary>Decodes an encoded chunk into <paramref name="chunk"/> (exactly <c>spec.ByteLength</c> bytes).</summary>
    /// <exception cref="ZarrCodecException">A codec failed; the exception names it.</exception>
    public void Decode(ReadOnlySpan<byte> encoded, Span<byte> chunk, in ChunkSpec spec) => throw new NotImplementedException();
}
