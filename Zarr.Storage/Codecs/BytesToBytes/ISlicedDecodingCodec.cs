namespace Zarr.Storage.Codecs;

/// <summary>
/// What receives a chunk's decoded bytes a slice at a time, in order (see <see cref="ISlicedDecodingCodec"/>).
/// </summary>
internal interface IDecodedSliceSink
{
    /// <summary>Takes the decoded bytes at <paramref name="offset"/> of the decoded data; they are valid only during the call.</summary>
    void Accept(ReadOnlySpan<byte> slice, long offset);
}

/// <summary>
/// A bytes→bytes codec that can decode a chunk a slice at a time, handing each slice to a sink before it decodes the
/// next: a reader that scatters a chunk's bytes into a larger destination then copies out of cache, and the chunk
/// never exists whole. The chunk read step uses it when the chain is <c>bytes</c> in native order followed by exactly
/// this codec (<see cref="Chunks.ChunkIO.DecodesSliced"/>).
/// </summary>
internal interface ISlicedDecodingCodec : IBytesToBytesCodec
{
    /// <summary>Whether this instance can decode in slices now (zstd: only over the native library); false: decode whole.</summary>
    bool CanDecodeSliced { get; }

    /// <summary>
    /// Decodes <paramref name="encoded"/>, which must decode to exactly <paramref name="expectedLength"/> bytes, handing
    /// the decoded bytes to the sink in consecutive slices from offset 0, each a whole number of elements of
    /// <paramref name="elementSize"/> bytes (so every slice starts and ends on an element boundary) and of about
    /// <paramref name="window"/>'s length: the window itself when the codec decodes through it, else the codec's own
    /// buffer (zstd: the ring libzstd decodes blocks into), in which case the window only sets the slices' size. Data
    /// whose framing declares another length is refused before the sink gets anything; data found corrupt while
    /// decoding throws after the sink got the slices before it; the sink never gets bytes past the expected length.
    /// </summary>
    /// <param name="encoded">The encoded chunk.</param>
    /// <param name="expectedLength">Its decoded length, a multiple of <paramref name="elementSize"/>.</param>
    /// <param name="elementSize">The decoded elements' size in bytes.</param>
    /// <param name="window">A buffer of whole elements the codec may decode through.</param>
    /// <param name="sink">What takes the slices.</param>
    /// <exception cref="ZarrCodecException">The data is corrupt, truncated, or does not decode to <paramref name="expectedLength"/> bytes.</exception>
    void DecodeSliced<TSink>(ReadOnlySpan<byte> encoded, int expectedLength, int elementSize, Span<byte> window, ref TSink sink)
        where TSink : IDecodedSliceSink, allows ref struct;
}
