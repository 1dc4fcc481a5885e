using Zarr.Storage;
using Zarr.Storage.Buffers;
using Zarr.Storage.Chunks;
using Zarr.Storage.Internal;

namespace Zarr.Dataflow.Blocks;

/// <summary>
/// The engine's side of each step of a chunk's life, as typed stages: the one place that turns a request into an
/// encoded chunk, an encoded chunk into a decoded one, and so on, over the array's <see cref="ChunkStorage"/>. The
/// blocks of <see cref="ChunkBlocks"/> and the planner's plans (their stages separate or fused) are both built from these.
/// </summary>
/// <remarks>
/// <para>
/// The pipeline owns the concurrency: a stage's workers (<see cref="StageOptions.MaxDegreeOfParallelism"/>) are the only
/// parallelism on its path, so the codecs decode and encode each chunk on the worker's thread
/// (<see cref="Steps"/>: <see cref="ChunkStorage.WithCodecParallelism"/>(1)), and threads and decoded buffers in flight
/// are what <see cref="PipelineOptions"/> promise. A sharded chunk's inner chunks are then spread over the stage's
/// workers by the chunks themselves, not by a nested parallel loop.
/// </para>
/// <para>
/// An <c>offset</c> maps the message's (work) chunk coordinates to the stored chunk they read: work chunk k is stored
/// chunk k + offset (a chunk-aligned view). Null means the same grid. A <c>run</c> (null for a user's own blocks)
/// receives the bytes read and written and the chunks done, and tracks the messages for disposal after a failure.
/// </para>
/// </remarks>
internal static class ChunkSteps
{
    /// <summary>The chunk steps as a stage runs them: the codecs on the calling worker's thread (see the remarks).</summary>
    public static ChunkStorage Steps(ZarrArray array) => array.ChunkStorage.WithCodecParallelism(1);

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
    public static Stage<ChunkRequest, EncodedChunk> Fetch(ZarrArray array, long[]? offset, StageOptions options, PipelineRun? run)
    {
        var steps = Steps(array);
        return new(
            "Fetch",
            options,
            false,
            async (request, ct) =>
            {
                var stored = Stored(request.CoordinatesArray, offset);
                var data = await steps.FetchAsync(stored, ct).ConfigureAwait(false);
                run?.AddRead(data?.Length ?? 0);
                return new EncodedChunk(request.CoordinatesArray, request.Region, steps.KeyOf(stored), data, run?.Tracker);
            },
            r => (r.CoordinatesArray, steps.KeyOf(Stored(r.CoordinatesArray, offset))));
    }

    /// <summary>Decode: the whole chunk, in a pooled buffer of the array's chunk size (the fill value for a missing chunk). CPU.</summary>
    public static Stage<EncodedChunk, DecodedChunk> Decode(ZarrArray array, long[]? offset, StageOptions options, PipelineRun? run)
    {
        var steps = Steps(array);
        return new(
            "Decode",
            options,
            true,
            (encoded, _) => ValueTask.FromResult(Decode(array, steps, encoded, offset, run?.Tracker)),
            e => (e.CoordinatesArray, e.Key));
    }

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
    public static Stage<DecodedChunk, EncodedChunk> Encode(ZarrArray array, StageOptions options, PipelineRun? run)
    {
        var steps = Steps(array);
        return new(
            "Encode",
            options,
            true,
            (chunk, _) => ValueTask.FromResult(Encode(array, steps, chunk, run?.Tracker)),
            c => (c.CoordinatesArray, steps.KeyOf(c.CoordinatesArray)));
    }

    /// <summary>
    /// Store: writes (or, when missing, deletes) the chunk through <see cref="ChunkStorage.StoreAsync"/> and
    /// <see cref="ChunkStorage.DeleteAsync"/>, which hold its write lock, so it serialises with partial writers of the
    /// same chunk. I/O.
    /// </summary>
    public static Sink<EncodedChunk> Store(ZarrArray array, StageOptions options, PipelineRun? run)
    {
        var steps = Steps(array);
        return new(
            "Store",
            options,
            false,
            async (chunk, ct) =>
            {
                // The facade takes the chunk's lock itself (locks are not reentrant: no lock is held here). The message
                // keeps owning its buffer, so the encoding that lends it to the store is not disposed.
                if (chunk.Data is { } data)
                {
                    await steps.StoreAsync(chunk.CoordinatesArray, ChunkEncoding.Of(data), ct).ConfigureAwait(false);
                }
                else
                {
                    await steps.DeleteAsync(chunk.CoordinatesArray, ct).ConfigureAwait(false);
                }

                run?.AddWritten(chunk.Data?.Length ?? 0);
                run?.ChunkDone();
            },
            c => (c.CoordinatesArray, c.Key));
    }

    /// <summary>The coordinates of a decoded chunk, for errors (it has no key of its own).</summary>
    public static (long[]? Coordinates, string? Key) DescribeDecoded(DecodedChunk chunk) => (chunk.CoordinatesArray, null);

    private static DecodedChunk Decode(ZarrArray array, ChunkStorage steps, EncodedChunk encoded, long[]? offset, ChunkTracker? tracker)
    {
        var buffer = PooledBuffer.RentDecoded(steps.ByteLength);
        try
        {
            if (encoded.Data is { } data)
            {
                steps.Decode(data.Span, Stored(encoded.CoordinatesArray, offset), buffer.Span);
            }
            else
            {
                steps.DecodeMissing(buffer.Span);
            }
        }
        catch
        {
            buffer.Dispose();
            throw;
        }

        return new DecodedChunk(encoded.CoordinatesArray, encoded.Region, ImmutableArrays.Shared(array.Grid.ChunkShape), array.DataType.ItemSize, buffer, tracker);
    }

    private static EncodedChunk Encode(ZarrArray array, ChunkStorage steps, DecodedChunk chunk, ChunkTracker? tracker)
    {
        if (chunk.Buffer.Length != steps.ByteLength)
        {
            throw new ZarrException($"a decoded chunk of {chunk.Buffer.Length} bytes cannot be encoded for array '/{array.Path}', whose chunks are {steps.ByteLength} bytes");
        }

        // The message owns the bytes from here (an all-fill chunk has none: the store step deletes it).
        // A chain that stores the decoded bytes as they are takes the chunk's buffer itself (no copy, no second buffer).
        var data = steps.EncodeTaking(chunk.Buffer, chunk.Coordinates, out var taken).Buffer;
        if (taken)
        {
            chunk.GiveAwayBuffer();
        }

        if (data is not null && data.Capacity > 2 * (long)data.Length + 4096)
        {
            // Codecs encode into a worst-case buffer; a well-compressed chunk would hold it while it waits to be
            // stored. Keep only what is used, so queued encoded chunks cost their encoded size.
            var compact = PooledBuffer.CopyOf(data.Span);
            data.Dispose();
            data = compact;
        }

        return new EncodedChunk(chunk.CoordinatesArray, chunk.Region, steps.KeyOf(chunk.Coordinates), data, tracker);
    }
}
