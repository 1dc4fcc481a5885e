using Zarr.Storage;
using Zarr.Storage.Buffers;

namespace Zarr.Dataflow.Blocks;

/// <summary>
/// The engine's side of each step of a chunk's life, as typed stages: the one place that turns a request into an
/// encoded chunk, an encoded chunk into a decoded one, and so on, over the <see cref="ZarrArray"/> chunk steps. The
/// blocks of <see cref="ChunkBlocks"/> and the planner's plans (their stages separate or fused) are both built from these.
/// </summary>
/// <remarks>
/// An <c>offset</c> maps the message's (work) chunk coordinates to the stored chunk they read: work chunk k is stored
/// chunk k + offset (a chunk-aligned view). Null means the same grid. A <c>run</c> (null for a user's own blocks)
/// receives the bytes read and written and the chunks done, and tracks the messages for disposal after a failure.
/// </remarks>
internal static class ChunkSteps
{
    /// <summary>The stored chunk a work chunk reads.</summary>
    public static long[] Stored(long[] coordinates, long[]? offset)
    {
        if (offset is null)
        {
            return coordinates;
        }

        var stored = new long[coordinates.Length];
        for (var d = 0; d < stored.Length; d++)
        {
            stored[d] = coordinates[d] + offset[d];
        }

        return stored;
    }

    /// <summary>Fetch: the encoded bytes of the request's chunk (null data: the chunk is missing). I/O.</summary>
    public static Stage<ChunkRequest, EncodedChunk> Fetch(ZarrArray array, long[]? offset, StageOptions options, PipelineRun? run) =>
        new(
            "Fetch",
            options,
            false,
            async (request, ct) =>
            {
                var stored = Stored(request.CoordinatesArray, offset);
                var data = await array.FetchChunkAsync(stored, ct).ConfigureAwait(false);
                run?.AddRead(data?.Length ?? 0);
                return new EncodedChunk(request.CoordinatesArray, request.Region, array.GetChunkKey(stored), data, run?.Tracker);
            },
            r => (r.CoordinatesArray, array.GetChunkKey(Stored(r.CoordinatesArray, offset))));

    /// <summary>Decode: the whole chunk, in a pooled buffer of the array's chunk size (the fill value for a missing chunk). CPU.</summary>
    public static Stage<EncodedChunk, DecodedChunk> Decode(ZarrArray array, long[]? offset, StageOptions options, PipelineRun? run) =>
        new(
            "Decode",
            options,
            true,
            (encoded, _) => ValueTask.FromResult(Decode(array, encoded, offset, run?.Tracker)),
            e => (e.CoordinatesArray, e.Key));

    /// <summary>Compute: <paramref name="compute"/> over each chunk in place; the same message goes on. CPU.</summary>
    public static Stage<DecodedChunk, DecodedChunk> Compute(Func<DecodedChunk, CancellationToken, ValueTask> compute, StageOptions options) =>
        new(
            "Compute",
            options,
            true,
            async (chunk, ct) =>
            {
                await compute(chunk, ct).ConfigureAwait(false);
                return chunk;
            },
            DescribeDecoded);

    /// <summary>Encode: a whole decoded chunk for <paramref name="array"/>; all fill value gives a missing chunk. CPU.</summary>
    public static Stage<DecodedChunk, EncodedChunk> Encode(ZarrArray array, StageOptions options, PipelineRun? run) =>
        new(
            "Encode",
            options,
            true,
            (chunk, _) => ValueTask.FromResult(Encode(array, chunk, run?.Tracker)),
            c => (c.CoordinatesArray, array.GetChunkKey(c.CoordinatesArray)));

    /// <summary>Store: writes (or, when missing, deletes) the chunk under its write lock, so it serialises with partial writers of the same chunk. I/O.</summary>
    public static Sink<EncodedChunk> Store(ZarrArray array, StageOptions options, PipelineRun? run) =>
        new(
            "Store",
            options,
            false,
            async (chunk, ct) =>
            {
                using (await array.AcquireChunkLockAsync(chunk.CoordinatesArray, ct).ConfigureAwait(false))
                {
                    await array.StoreChunkAsync(chunk.CoordinatesArray, chunk.Data?.Memory, ct).ConfigureAwait(false);
                }

                run?.AddWritten(chunk.Data?.Length ?? 0);
                run?.ChunkDone();
            },
            c => (c.CoordinatesArray, c.Key));

    /// <summary>The coordinates of a decoded chunk, for errors (it has no key of its own).</summary>
    public static (long[]? Coordinates, string? Key) DescribeDecoded(DecodedChunk chunk) => (chunk.CoordinatesArray, null);

    private static DecodedChunk Decode(ZarrArray array, EncodedChunk encoded, long[]? offset, ChunkTracker? tracker)
    {
        var buffer = PooledBuffer.RentDecoded(array.ChunkByteLength);
        try
        {
            array.DecodeChunk(encoded.Data is null ? default : encoded.Data.Span, encoded.IsMissing, Stored(encoded.CoordinatesArray, offset), buffer.Span);
        }
        catch
        {
            buffer.Dispose();
            throw;
        }

        return new DecodedChunk(encoded.CoordinatesArray, encoded.Region, array.Grid.ChunkShape, array.DataType.ItemSize, buffer, tracker);
    }

    private static EncodedChunk Encode(ZarrArray array, DecodedChunk chunk, ChunkTracker? tracker)
    {
        if (chunk.Buffer.Length != array.ChunkByteLength)
        {
            throw new ZarrException($"a decoded chunk of {chunk.Buffer.Length} bytes cannot be encoded for array '/{array.Path}', whose chunks are {array.ChunkByteLength} bytes");
        }

        var data = array.EncodeChunk(chunk.Buffer.Span, chunk.Coordinates);
        if (data is not null && data.Capacity > 2 * (long)data.Length + 4096)
        {
            // Codecs encode into a worst-case buffer; a well-compressed chunk would hold it while it waits to be
            // stored. Keep only what is used, so queued encoded chunks cost their encoded size.
            var compact = PooledBuffer.CopyOf(data.Span);
            data.Dispose();
            data = compact;
        }

        return new EncodedChunk(chunk.CoordinatesArray, chunk.Region, array.GetChunkKey(chunk.Coordinates), data, tracker);
    }
}
