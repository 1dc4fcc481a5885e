namespace Zarr.Storage.Codecs;

/// <summary>
/// What receives a chunk's decoded bytes a window at a time, in order (see <see cref="ISlicedDecodingCodec"/>).
/// </summary>
internal interface IDecodedSliceSink
{
    /// <summary>Takes the decoded bytes at <paramref name="offset"/> of the decoded data; they are valid only during the call.</summary>
    void Accept(ReadOnlySpan<byte> slice, long offset);
}

/// <summary>
/// A bytes→bytes codec that can decode into a small window, handing each filled window to a sink before it decodes
/// the next: a reader that scatters a chunk's bytes into a larger destination then copies out of cache, and the chunk
/// never exists whole. The chunk read step uses it when the chain is <c>bytes</c> in native order followed by exactly
/// this codec (<see cref="Chunks.ChunkIO.DecodesSliced"/>).
/// </summary>
internal interface ISlicedDecodingCodec : IBytesToBytesCodec
{
    /// <summary>Whether this instance can decode in slices now (zstd: only over the native library); false: decode whole.</summary>
    bool CanDecodeSliced { get; }

    /// <summary>
    /// Decodes <paramref name="encoded"/>, which must decode to exactly <paramref name="expectedLength"/> bytes, through
    /// <paramref name="window"/>: the sink gets consecutive slices from offset 0, each but the last exactly the window's
    /// length (so a window of whole elements keeps every slice on element boundaries). Data whose framing declares
    /// another length is refused before the sink gets anything; data found corrupt while decoding throws after the
    /// sink got the slices before it.
    /// </summary>
    /// <exception cref="ZarrCodecException">The data is corrupt, truncated, or does not decode to <paramref name="expectedLength"/> bytes.</exception>
    void DecodeSliced<TSink>(ReadOnlySpan<byte> encoded, int expectedLength, Span<byte> window, ref TSink sink)
        where TSink : IDecodedSliceSink, allows ref struct;
}
