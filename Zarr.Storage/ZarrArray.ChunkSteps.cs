using System.ComponentModel;
using Zarr.Storage.Buffers;
using Zarr.Storage.Chunks;

namespace Zarr.Storage;

/// <summary>The steps of a chunk's life, as the public <see cref="ChunkStorage"/> and the older flag-parameter methods.</summary>
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

    /// <summary>Fetch: the encoded bytes of a chunk, or null when it was never written. Use <see cref="ChunkStorage.FetchAsync"/>.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public ValueTask<PooledBuffer?> FetchChunkAsync(long[] coordinates, CancellationToken cancellationToken = default) =>
        ChunkStorage.FetchAsync(coordinates, cancellationToken);

    /// <summary>Decode, or the fill value when <paramref name="missing"/>. Use <see cref="ChunkStorage.Decode"/> and <see cref="ChunkStorage.DecodeMissing"/>.</summary>
    /// <exception cref="ZarrCodecException">The chunk is corrupt; the exception names the array, the chunk key and the codec.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void DecodeChunk(ReadOnlySpan<byte> encoded, bool missing, ReadOnlySpan<long> coordinates, Span<byte> chunk)
    {
        if (missing)
        {
            ChunkStorage.DecodeMissing(chunk);
            return;
        }

        ChunkStorage.Decode(encoded, coordinates, chunk);
    }

    /// <summary>Encode: the encoded bytes, or null when every element is the fill value. Use <see cref="ChunkStorage.Encode"/>.</summary>
    /// <remarks>For a NaN fill value every NaN is the fill value, whatever its payload (numpy's <c>equal_nan</c>, as zarr-python).</remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public PooledBuffer? EncodeChunk(ReadOnlySpan<byte> chunk, ReadOnlySpan<long> coordinates) =>
        ChunkStorage.Encode(chunk, coordinates).Buffer;

    /// <summary>
    /// Store of a chunk's encoded bytes, or delete when <paramref name="encoded"/> is null, by a caller that holds
    /// <see cref="AcquireChunkLockAsync"/> (this does not take the lock). Use <see cref="ChunkStorage.StoreAsync"/>, which does.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public ValueTask StoreChunkAsync(long[] coordinates, ReadOnlyMemory<byte>? encoded, CancellationToken cancellationToken = default) =>
        ChunkIO.StoreHeldAsync(coordinates, encoded, cancellationToken);

    /// <summary>Waits for the lock of one chunk (for <see cref="StoreChunkAsync"/>); dispose the result to release it. <see cref="ChunkStorage"/> takes it itself.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public async ValueTask<IDisposable> AcquireChunkLockAsync(long[] coordinates, CancellationToken cancellationToken = default) =>
        await ChunkIO.LockAsync(GetChunkKey(coordinates), cancellationToken).ConfigureAwait(false);
}
