namespace Zarr.Storage.Codecs;

/// <summary>
/// Takes a shard's inner chunks one at a time as the sharding codec decodes them
/// (<see cref="ShardingCodec.DecodeInnerChunks{TSink}"/>), each while it is still in cache.
/// </summary>
internal interface IInnerChunkSink
{
    /// <summary>
    /// Takes one inner chunk. Called once for every inner chunk of the shard, possibly from several threads at once
    /// (for disjoint inner chunks) when the codec decodes them in parallel; <paramref name="decoded"/> is valid only
    /// during the call.
    /// </summary>
    /// <param name="start">The inner chunk's first element in the shard, per axis.</param>
    /// <param name="shape">The inner chunk's shape.</param>
    /// <param name="decoded">The inner chunk's decoded elements (C order over <paramref name="shape"/>), or one element, the fill value, when <paramref name="missing"/>.</param>
    /// <param name="missing">The inner chunk is not stored: every element of it is the fill value.</param>
    void Accept(ReadOnlySpan<int> start, ReadOnlySpan<int> shape, ReadOnlySpan<byte> decoded, bool missing);
}
