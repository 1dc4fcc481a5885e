namespace Zarr.Storage.Codecs;

/// <summary>
/// A bytes→bytes codec that can decode straight into a buffer the caller owns, so the chain skips one pooled buffer
/// and one copy of the chunk when nothing else stands between it and the decoded chunk (c-blosc writes into any
/// destination).
/// </summary>
internal interface IDecodesInto
{
    /// <summary>Decodes <paramref name="encoded"/> into exactly <paramref name="destination"/>.</summary>
    /// <exception cref="ZarrCodecException">The data is corrupt, truncated, or does not decode to exactly the destination's length.</exception>
    void DecodeInto(ReadOnlySpan<byte> encoded, Span<byte> destination);
}
