using Zarr.Storage.Buffers;

namespace Zarr.Storage.Chunks;

/// <summary>Changes a decoded chunk in place (C order, little-endian; <see cref="ChunkStorage.ByteLength"/> bytes).</summary>
/// <param name="chunk">The decoded chunk.</param>
public delegate void ChunkUpdater(Span<byte> chunk);

/// <summary>
/// The steps of a chunk's storage life, one explicit method each, for whoever works chunk by chunk (the compute
/// engine, copy and verify): fetch, decode (or fill a missing chunk), encode (to bytes or "all fill value"), store or
/// delete, and a read-modify-write. Every store, delete and update holds the chunk's lock, the same lock the array's
/// own writes take, so whole-chunk writes and concurrent partial writes never lose each other.
/// </summary>
/// <remarks>
/// Each call works by the array's current metadata. Variable-length strings have no byte form: use <see cref="ZarrStringArray"/>.
/// A caller that runs many chunks at once (a pipeline stage) owns the concurrency: it works through
/// <see cref="WithCodecParallelism"/>(1), so a codec that could split one chunk over threads (sharding) keeps to the
/// caller's thread and the caller's workers are all the parallelism there is.
/// </remarks>
public sealed class ChunkStorage
{
    private readonly ZarrArray _array;

    internal ChunkStorage(ZarrArray array, int codecParallelism = 0)
    {
        _array = array;
        CodecParallelism = codecParallelism;
    }

    /// <summary>
    /// The most threads the codecs may use to decode or encode one chunk (<see cref="Codecs.ChunkSpec.MaxDegreeOfParallelism"/>):
    /// 0, the array's own <see cref="ZarrArray.ChunkStorage"/>, lets them choose (<see cref="Codecs.CodecPipeline.GetRecommendedConcurrency"/>);
    /// 1 keeps each chunk's work on the calling thread.
    /// </summary>
    public int CodecParallelism { get; }

    /// <summary>
    /// The same steps with the codecs' threads for one chunk bounded to <paramref name="maxDegreeOfParallelism"/>
    /// (for <see cref="Decode"/>, <see cref="Encode"/> and <see cref="UpdateAsync"/>; 0 lets them choose, 1 keeps the work on the calling thread).
    /// </summary>
    /// <param name="maxDegreeOfParallelism">The most threads per chunk; 0 for the codecs' choice.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxDegreeOfParallelism"/> is negative.</exception>
    public ChunkStorage WithCodecParallelism(int maxDegreeOfParallelism)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxDegreeOfParallelism);
        return maxDegreeOfParallelism == CodecParallelism ? this : new ChunkStorage(_array, maxDegreeOfParallelism);
    }

    /// <summary>The decoded size of one chunk in bytes.</summary>
    public int ByteLength => IO.ByteLength;

    private ChunkIO IO => _array.ChunkIO;

    /// <summary>The store key of the chunk at <paramref name="coordinates"/>.</summary>
    /// <param name="coordinates">The chunk's grid coordinates.</param>
    public string KeyOf(ReadOnlySpan<long> coordinates) => IO.KeyOf(coordinates);

    /// <summary>Fetch: the encoded bytes of a chunk, or null when it was never written (it reads as the fill value). The caller owns the buffer.</summary>
    /// <param name="coordinates">The chunk's grid coordinates.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public ValueTask<PooledBuffer?> FetchAsync(long[] coordinates, CancellationToken cancellationToken = default) =>
        IO.FetchAsync(coordinates, cancellationToken);

    /// <summary>Decode: fills <paramref name="chunk"/> (exactly <see cref="ByteLength"/> bytes: C order, little-endian) from a stored chunk's bytes.</summary>
    /// <param name="encoded">The chunk's stored bytes.</param>
    /// <param name="coordinates">The chunk's grid coordinates (for the error message).</param>
    /// <param name="chunk">The decoded chunk.</param>
    /// <exception cref="ZarrCodecException">The chunk is corrupt; the exception names the array, the chunk key and the codec.</exception>
    public void Decode(ReadOnlySpan<byte> encoded, ReadOnlySpan<long> coordinates, Span<byte> chunk)
    {
        ZarrStringArray.ThrowIfVariableLength(_array);
        IO.Decode(encoded, coordinates, chunk, CodecParallelism);
    }

    /// <summary>Decode of a missing chunk: fills <paramref name="chunk"/> with the fill value.</summary>
    /// <param name="chunk">The decoded chunk.</param>
    public void DecodeMissing(Span<byte> chunk)
    {
        ZarrStringArray.ThrowIfVariableLength(_array);
        IO.DecodeMissing(chunk);
    }

    /// <summary>Encode: a decoded chunk's encoded bytes, or an all-fill result (<see cref="ChunkEncoding.IsAllFill"/>) when every element is the fill value by <paramref name="comparison"/>. The caller disposes the result.</summary>
    /// <param name="chunk">The decoded chunk.</param>
    /// <param name="coordinates">The chunk's grid coordinates (for the error message).</param>
    /// <param name="comparison">When a chunk counts as all fill value (by default as zarr-python: a NaN fill value matches every NaN).</param>
    public ChunkEncoding Encode(ReadOnlySpan<byte> chunk, ReadOnlySpan<long> coordinates, FillComparison comparison = FillComparison.Value)
    {
        ZarrStringArray.ThrowIfVariableLength(_array);
        return IO.Encode(chunk, coordinates, comparison, CodecParallelism);
    }

    /// <summary>
    /// Encode taking the decoded chunk's buffer: where the array stores a whole chunk's decoded bytes unchanged (the
    /// <c>bytes</c> codec alone, little-endian or single-byte), the result owns <paramref name="chunk"/> itself (no copy)
    /// and <paramref name="taken"/> is true; otherwise as <see cref="Encode"/> and the caller keeps the buffer.
    /// </summary>
    internal ChunkEncoding EncodeTaking(PooledBuffer chunk, ReadOnlySpan<long> coordinates, out bool taken, FillComparison comparison = FillComparison.Value)
    {
        ZarrStringArray.ThrowIfVariableLength(_array);
        return IO.EncodeTaking(chunk, coordinates, out taken, comparison, CodecParallelism);
    }

    /// <summary>Store: under the chunk's lock, writes the encoded chunk, or deletes its key when it is all fill value.</summary>
    /// <param name="coordinates">The chunk's grid coordinates.</param>
    /// <param name="encoded">The encoded chunk (still the caller's to dispose).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <exception cref="ZarrException">The array was opened read-only.</exception>
    public ValueTask StoreAsync(long[] coordinates, ChunkEncoding encoded, CancellationToken cancellationToken = default) =>
        IO.StoreAsync(coordinates, encoded, cancellationToken);

    /// <summary>Delete: under the chunk's lock, removes the chunk (it then reads as the fill value).</summary>
    /// <param name="coordinates">The chunk's grid coordinates.</param>
    /// <param name="cancellationToken">Cancels the delete.</param>
    /// <exception cref="ZarrException">The array was opened read-only.</exception>
    public ValueTask DeleteAsync(long[] coordinates, CancellationToken cancellationToken = default) =>
        IO.DeleteAsync(coordinates, cancellationToken);

    /// <summary>
    /// Read-modify-write: under the chunk's lock, fetches and decodes it (the fill value when missing), lets
    /// <paramref name="update"/> change it, then encodes and stores it (deletes it when left all fill value).
    /// </summary>
    /// <param name="coordinates">The chunk's grid coordinates.</param>
    /// <param name="update">Changes the decoded chunk in place.</param>
    /// <param name="cancellationToken">Cancels the update.</param>
    /// <exception cref="ZarrException">The array was opened read-only.</exception>
    public ValueTask UpdateAsync(long[] coordinates, ChunkUpdater update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        ZarrStringArray.ThrowIfVariableLength(_array);
        return IO.UpdateAsync(coordinates, UpdateStart.Stored, update, static (update, chunk) => update(chunk.Span), CodecParallelism, cancellationToken);
    }
}
