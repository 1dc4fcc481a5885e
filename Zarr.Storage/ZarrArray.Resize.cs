using Zarr.Storage.Chunks;
using Zarr.Storage.Internal;

namespace Zarr.Storage;

/// <summary>What changes an array's metadata (its shape; its attributes are in ZarrArray.Attributes.cs) and what reports on it.</summary>
public partial class ZarrArray
{
    /// <summary>
    /// Changes the shape. Growing writes only metadata. Shrinking deletes the chunks wholly outside the new shape and
    /// resets, in the chunks that straddle the new edge, the elements outside it to the fill value, so that growing
    /// again never brings back old data. Data inside the new shape is kept.
    /// </summary>
    /// <remarks>
    /// The metadata is changed as a read-modify-write of the stored document under the node's lock, which every handle in
    /// this process on the same array and <see cref="IStore.Location"/> shares: concurrent resizes and attribute changes
    /// never lose each other, and the stored attributes are kept. The handle's metadata is then what was written. On a
    /// directory store, writers in other processes holding the old shape follow the new one: each chunk write re-reads
    /// the stored shape under the chunk's lock file, and a shrink trims the chunks again once the new shape is stored.
    /// </remarks>
    /// <exception cref="ZarrException">The rank differs or a dimension is negative.</exception>
    /// <exception cref="ZarrNodeException">The array is no longer in the store.</exception>
    public async Task ResizeAsync(long[] shape, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(shape);
        EnsureWritable();
        shape = (long[])shape.Clone();
        CheckRank(shape, Rank);
        await ChangeMetadataAsync(
            async (stored, ct) =>
            {
                CheckRank(shape, stored.Rank);
                var newMetadata = stored.Resized([.. shape]);
                var newGrid = newMetadata.CreateGrid();
                var shrinks = false;
                for (var d = 0; d < shape.Length; d++)
                {
                    shrinks |= shape[d] < stored.Shape[d];
                }

                if (shrinks)
                {
                    await TrimChunksAsync(newGrid, [.. stored.Shape], ct).ConfigureAwait(false);
                }

                return newMetadata;
            },
            (stored, written, ct) => TrimAgainAsync(stored, written, ct),
            cancellationToken).ConfigureAwait(false);

        void CheckRank(long[] shape, int rank)
        {
            if (shape.Length != rank)
            {
                throw new ZarrException($"cannot resize array '/{Path}' of {rank} dimensions to ({string.Join(", ", shape)})");
            }
        }
    }

    /// <summary>
    /// A read-modify-write of the array's metadata: under the node's exclusive lock, the stored document is read again
    /// (and becomes this handle's metadata), <paramref name="change"/> makes the new metadata from it, which is written,
    /// published to the other handles in this process, and becomes this handle's.
    /// </summary>
    /// <remarks>
    /// Across processes: on a store that locks keys (a directory store) the whole change holds the lock of the metadata
    /// document's key, so changes made by other processes are serialised with it; on a store with conditional writes (an
    /// object store) the write is a compare-and-swap on the versions read, and a change that lost the race is made again
    /// from a fresh read (<see cref="ConflictBackoff"/>), so two processes changing different attributes both land.
    /// </remarks>
    private async Task ChangeMetadataAsync(Func<ArrayMetadata, CancellationToken, ValueTask<ArrayMetadata>> change, CancellationToken cancellationToken) =>
        await ChangeMetadataAsync(change, null, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// As <see cref="ChangeMetadataAsync(Func{ArrayMetadata, CancellationToken, ValueTask{ArrayMetadata}}, CancellationToken)"/>;
    /// on a store that locks keys, <paramref name="afterWrite"/> then runs with the stored and the written metadata, the
    /// metadata document's lock still held.
    /// </summary>
    private async Task ChangeMetadataAsync(Func<ArrayMetadata, CancellationToken, ValueTask<ArrayMetadata>> change, Func<ArrayMetadata, ArrayMetadata, CancellationToken, Task>? afterWrite, CancellationToken cancellationToken)
    {
        var node = _state.Node;
        using var exclusive = await node.Gate.EnterExclusiveAsync(cancellationToken).ConfigureAwait(false);
        var key = NodePaths.Key(Path, Format == ZarrFormat.V3 ? MetadataSerializer.ZarrJson : MetadataSerializer.ZArray);
        if (StoreCapabilities.Conditional(Store) is { } conditional)
        {
            var conflicts = new ConflictBackoff(Path, key);
            while (true)
            {
                var read = await NodeIO.ReadArrayMetadataVersionedAsync(conditional, Path, Format, cancellationToken).ConfigureAwait(false);
                var updated = await ChangeStoredAsync(read.Metadata, node, change, cancellationToken).ConfigureAwait(false);
                if (await NodeIO.TryWriteArrayMetadataAsync(conditional, Path, read, updated, cancellationToken).ConfigureAwait(false))
                {
                    _state.Update(updated, node.Publish(updated));
                    return;
                }

                await conflicts.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        using var acrossProcesses = StoreCapabilities.KeyLocking(Store) is { } locking ? await locking.LockKeyAsync(key, cancellationToken).ConfigureAwait(false) : null;
        var stored = await NodeIO.ReadArrayMetadataAsync(Store, Path, cancellationToken).ConfigureAwait(false);
        var written = await ChangeStoredAsync(stored, node, change, cancellationToken).ConfigureAwait(false);
        await NodeIO.WriteArrayMetadataAsync(Store, Path, written, cancellationToken).ConfigureAwait(false);
        _state.Update(written, node.Publish(written));
        if (acrossProcesses is not null && afterWrite is not null)
        {
            await afterWrite(stored!, written, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A shrink's second trim, on a store that locks keys across processes, once the new shape is stored: a writer in
    /// another process that read the old shape may have written a chunk after the first trim passed it (or before it
    /// existed); every chunk write re-reads the shape after writing and trims its own chunk, so a chunk written before the
    /// new shape was stored is listed here, and one written after trimmed by its writer.
    /// </summary>
    private async Task TrimAgainAsync(ArrayMetadata stored, ArrayMetadata written, CancellationToken cancellationToken)
    {
        var shrank = false;
        for (var d = 0; d < written.Rank; d++)
        {
            shrank |= written.Shape[d] < stored.Shape[d];
        }

        if (shrank)
        {
            await TrimChunksAsync(written.CreateGrid(), [.. stored.Shape], cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Checks the stored metadata, makes it this handle's, and makes the change from it.</summary>
    private async ValueTask<ArrayMetadata> ChangeStoredAsync(ArrayMetadata? stored, NodeState node, Func<ArrayMetadata, CancellationToken, ValueTask<ArrayMetadata>> change, CancellationToken cancellationToken)
    {
        if (stored is null)
        {
            throw new ZarrNodeException(Path, $"no array found in {Store}: it was deleted after this handle opened it");
        }

        if (stored.DataType != StoredShape.AsStored(Metadata))
        {
            throw new ZarrException($"array '/{Path}' was replaced by an array of {stored.DataType} after this handle opened it as {DataType}; open it again");
        }

        // The chunks are trimmed by the stored metadata, which may be newer than this handle's (another process's change).
        _state.Update(stored, node.Version);
        return await change(stored, cancellationToken).ConfigureAwait(false);
    }

    private async Task TrimChunksAsync(ChunkGrid newGrid, long[] oldShape, CancellationToken cancellationToken)
    {
        var rank = Rank;
        var straddling = new List<long[]>();
        var prefix = NodePaths.Prefix(Path);
        var coords = new long[rank];
        var toDelete = new List<string>();
        await foreach (var entry in Store.ListPrefixAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            if (!Metadata.ChunkKeyEncoding.TryDecode(entry.Key[prefix.Length..], rank, coords))
            {
                continue;
            }

            // Also a chunk left outside the old shape (by an older writer): nothing outside the shape may come back.
            if (!newGrid.Contains(coords))
            {
                toDelete.Add(entry.Key);
                continue;
            }

            for (var d = 0; d < rank; d++)
            {
                if (newGrid.ChunkStart(d, coords[d]) + newGrid.ChunkEdge(d, coords[d]) > newGrid.Shape[d] && newGrid.Shape[d] < oldShape[d])
                {
                    straddling.Add((long[])coords.Clone());
                    break;
                }
            }
        }

        // Each under the chunk's lock (taken by the chunk I/O), as every write of a chunk.
        var chunkIO = _state.Current.ChunkIO;
        foreach (var key in toDelete)
        {
            await chunkIO.DeleteKeyAsync(key, cancellationToken).ConfigureAwait(false);
        }

        foreach (var c in straddling)
        {
            if (DataType.IsFixedSize)
            {
                await chunkIO.UpdateAsync(
                    c,
                    UpdateStart.StoredOnly,
                    (Grid: newGrid, IO: chunkIO, Coordinates: c),
                    static (state, decoded) => ChunkEdges.FillOutside(decoded.Span, state.Coordinates, state.Grid, state.IO.ChunkStrides, state.IO.Metadata.FillValue.AsSpan()),
                    codecParallelism: 0,
                    cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await chunkIO.UpdateStringsAsync(
                    c,
                    UpdateStart.StoredOnly,
                    (Grid: newGrid, IO: chunkIO, Coordinates: c),
                    static (state, values) => ChunkEdges.FillOutside(values, state.Coordinates, state.Grid, state.IO.StringFill ?? string.Empty),
                    cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The summary of the array, with what is stored (this lists the array's keys in the store; on a store that cannot
    /// list, plain HTTP, what is stored is unknown: <see cref="ArrayInfo.IsStorageKnown"/> is false).
    /// </summary>
    public async Task<ArrayInfo> GetInfoAsync(CancellationToken cancellationToken = default)
    {
        var metadata = Metadata;
        var grid = Grid;
        var prefix = NodePaths.Prefix(Path);
        var coords = new long[metadata.Rank];
        long initialized = 0, stored = 0;
        try
        {
            await foreach (var entry in Store.ListPrefixAsync(prefix, cancellationToken).ConfigureAwait(false))
            {
                var relative = entry.Key[prefix.Length..];
                if (metadata.ChunkKeyEncoding.TryDecode(relative, metadata.Rank, coords) && grid.Contains(coords))
                {
                    initialized++;
                    stored += entry.Size;
                }
                else if (relative is MetadataSerializer.ZarrJson or MetadataSerializer.ZArray or MetadataSerializer.ZAttrs)
                {
                    stored += entry.Size;
                }
            }
        }
        catch (NotSupportedException)
        {
            // A store that cannot list (plain HTTP): what is stored is unknown, the rest of the summary is not.
            return new ArrayInfo(this, metadata, 0, 0, grid.ChunkCount, isStorageKnown: false);
        }

        return new ArrayInfo(this, metadata, stored, initialized, grid.ChunkCount);
    }
}
