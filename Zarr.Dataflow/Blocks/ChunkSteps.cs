using Zarr.Dataflow.Pipelines;
using Zarr.Storage;
using Zarr.Storage.Buffers;

namespace Zarr.Dataflow.Blocks;

/// <summary>
/// The engine's side of each step of a chunk's life, as messages: the one place that turns a request into an encoded
/// chunk, an encoded chunk into a decoded one, and so on, over the <see cref="ZarrArray"/> chunk steps. The blocks of
/// <see cref="ChunkBlocks"/> and the pipelines' stages (separate or fused) all run these.
/// </summary>
/// <remarks>
/// An <c>offset</c> maps the message's (work) chunk coordinates to the stored chunk they read: work chunk k is stored
/// chunk k + offset (a chunk-aligned view). Null means the same grid.
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

    /// <summary>Fetch: the encoded bytes of the request's chunk (null data: the chunk is missing).</summary>
    public static async ValueTask<EncodedChunk> FetchAsync(ZarrArray array, ChunkRequest request, long[]? offset, PipelineRun? run, ChunkTracker? tracker, CancellationToken cancellationToken)
    {
        var stored = Stored(request.CoordinatesArray, offset);
        var data = await array.FetchChunkAsync(stored, cancellationToken).ConfigureAwait(false);
        run?.AddRead(data?.Length ?? 0);
        return new EncodedChunk(request.CoordinatesArray, request.Region, array.GetChunkKey(stored), data, tracker);
    }

    /// <summary>Decode: the whole chunk, in a pooled buffer of the array's chunk size (the fill value for a missing chunk).</summary>
    public static DecodedChunk Decode(ZarrArray array, EncodedChunk encoded, long[]? offset, ChunkTracker? tracker)
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

    /// <summary>Encode: a whole decoded chunk for <paramref name="array"/>; all fill value gives a missing chunk.</summary>
    public static EncodedChunk Encode(ZarrArray array, DecodedChunk chunk, ChunkTracker? tracker)
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

    /// <summary>Store: writes (or, when missing, deletes) the chunk under its write lock, so it serialises with partial writers of the same chunk.</summary>
    public static async ValueTask StoreAsync(ZarrArray array, EncodedChunk chunk, PipelineRun? run, CancellationToken cancellationToken)
    {
        using (await array.AcquireChunkLockAsync(chunk.CoordinatesArray, cancellationToken).ConfigureAwait(false))
        {
            await array.StoreChunkAsync(chunk.CoordinatesArray, chunk.Data?.Memory, cancellationToken).ConfigureAwait(false);
        }

        run?.AddWritten(chunk.Data?.Length ?? 0);
        run?.ChunkDone();
    }
}
