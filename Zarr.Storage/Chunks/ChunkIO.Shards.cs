using Zarr.Storage.Buffers;
using Zarr.Storage.Codecs;
using Zarr.Storage.Internal;

namespace Zarr.Storage.Chunks;

/// <summary>The read steps of a sharded array's chunks (shards) that go by inner chunk: one at a time into a sink, or the one a region lies in.</summary>
internal sealed partial class ChunkIO
{
    /// <summary>
    /// True when a read of the (full-shaped) chunk at <paramref name="coordinates"/> that needs <paramref name="region"/>
    /// of it (null: all of it) goes one inner chunk at a time (<see cref="TryDecodeInnerChunksAsync"/>): the chain is the
    /// sharding codec alone (any inner chain, nested sharding included) and the region touches more than one inner chunk
    /// (one inside a single inner chunk has its own compact decode).
    /// </summary>
    public bool DecodesInnerChunks(ReadOnlySpan<long> coordinates, ChunkRegion? region) =>
        _sharding is not null && Grid.IsFullShape(coordinates) && (region is not { } part || _sharding.InnerChunksTouched(part, Spec) > 1);

    /// <summary>
    /// Fetch and decode of a shard one inner chunk at a time (<see cref="DecodesInnerChunks"/> only): the whole shard, or
    /// with <paramref name="region"/> only the inner chunks it touches (ranged reads; the shard whole when it touches
    /// every one); each decoded inner chunk, or the fill value for one not stored, goes to <paramref name="sink"/> while in
    /// cache. False, touching nothing, when the shard was never written. The codecs use at most
    /// <paramref name="codecParallelism"/> threads (0: their choice).
    /// </summary>
    /// <exception cref="ZarrCodecException">The shard is corrupt; the exception names the array, the chunk key and the codec.</exception>
    /// <exception cref="ZarrStoreException">The store failed; the exception names the array, the chunk key and the store.</exception>
    public async ValueTask<bool> TryDecodeInnerChunksAsync<TSink>(long[] coordinates, ChunkRegion? region, TSink sink, int codecParallelism, CancellationToken cancellationToken)
        where TSink : IInnerChunkSink
    {
        var sharding = _sharding ?? throw new InvalidOperationException("the array's chain has no inner chunks");
        var key = KeyOf(coordinates);
        if (region is not { } part)
        {
            using var encoded = await FetchAsync(coordinates, cancellationToken).ConfigureAwait(false);
            if (encoded is null)
            {
                return false;
            }

            try
            {
                sharding.DecodeInnerChunks(encoded.Span, SpecWith(codecParallelism), sink);
                return true;
            }
            catch (ZarrCodecException e)
            {
                throw e.WithChunk(_path, key);
            }
        }

        try
        {
            return await sharding.TryDecodeInnerChunksAsync(_store, _indexCache, key, part, SpecWith(codecParallelism), sink, cancellationToken).ConfigureAwait(false);
        }
        catch (ZarrCodecException e)
        {
            throw e.WithChunk(_path, key);
        }
        catch (Exception e) when (StoreFailures.IsUntyped(e))
        {
            throw StoreFailure(key, "read", e);
        }
    }

    /// <summary>
    /// True when a read of <paramref name="region"/> of the (whole-shaped) chunk at <paramref name="coordinates"/> lies in
    /// one inner chunk of a shard: that inner chunk's box in the chunk, for <see cref="TryDecodeInnerIntoAsync"/>.
    /// </summary>
    public bool TryGetInnerChunk(ReadOnlySpan<long> coordinates, ChunkRegion region, out int[] start, out int[] shape)
    {
        start = shape = [];
        return _snapshot.PartialDecoder is { } partial && Grid.IsFullShape(coordinates) && partial.TryGetInnerChunk(region, Spec, out start, out shape);
    }

    /// <summary>
    /// Fetch and decode of the one inner chunk <paramref name="region"/> lies in (<see cref="TryGetInnerChunk"/>) straight
    /// into <paramref name="inner"/> (its decoded size, C order): one conditional ranged read when the shard's index is
    /// cached. False, touching nothing, when the shard was never written.
    /// </summary>
    /// <exception cref="ZarrCodecException">The shard is corrupt; the exception names the array, the chunk key and the codec.</exception>
    /// <exception cref="ZarrStoreException">The store failed; the exception names the array, the chunk key and the store.</exception>
    public async ValueTask<bool> TryDecodeInnerIntoAsync(long[] coordinates, ChunkRegion region, Memory<byte> inner, int codecParallelism, CancellationToken cancellationToken)
    {
        var partial = _snapshot.PartialDecoder ?? throw new InvalidOperationException("the array's chain has no inner chunks");
        var key = KeyOf(coordinates);
        try
        {
            return await partial.TryDecodeInnerIntoAsync(_store, _indexCache, key, region, inner, SpecWith(codecParallelism), cancellationToken).ConfigureAwait(false);
        }
        catch (ZarrCodecException e)
        {
            throw e.WithChunk(_path, key);
        }
        catch (Exception e) when (StoreFailures.IsUntyped(e))
        {
            throw StoreFailure(key, "read", e);
        }
    }

    /// <summary>The decoded shard indexes this array keeps (on a store with versioned reads, for a sharded array), or null.</summary>
    internal ShardIndexCache? IndexCache => _indexCache;

    /// <summary>True when the chain can decode part of a chunk (sharding alone), so a read of a part should ask for a region.</summary>
    public bool DecodesPartially => _snapshot.PartialDecoder is not null;
}
