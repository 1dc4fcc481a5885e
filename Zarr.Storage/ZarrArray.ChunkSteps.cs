using Zarr.Storage.Chunks;

namespace Zarr.Storage;

/// <summary>The steps of a chunk's life, as the public <see cref="ChunkStorage"/> facade.</summary>
public partial class ZarrArray
{
    private ChunkStorage? _chunkStorage;

    /// <summary>The steps of a chunk's storage life (fetch, decode, encode, store, delete, update), for chunk-by-chunk work.</summary>
    public ChunkStorage ChunkStorage => _chunkStorage ??= new ChunkStorage(this);

    /// <summary>The decoded size of one chunk in bytes.</summary>
    public int ChunkByteLength => ChunkIO.ByteLength;

    /// <summary>The chunk I/O of the current metadata snapshot.</summary>
    internal ChunkIO ChunkIO => _state.Current.ChunkIO;

    /// <summary>The store key of the chunk at <paramref name="coordinates"/>.</summary>
    public string GetChunkKey(ReadOnlySpan<long> coordinates) => ChunkIO.KeyOf(coordinates);
}
