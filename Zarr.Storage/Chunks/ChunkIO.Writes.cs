using Zarr.Storage.Buffers;
using Zarr.Storage.Internal;

namespace Zarr.Storage.Chunks;

/// <summary>The write side of <see cref="ChunkIO"/>: store, delete and read-modify-write under the chunk's lock, and the locks.</summary>
internal sealed partial class ChunkIO
{
    /// <summary>
    /// Store: under the chunk's lock, writes the encoded bytes, or deletes the chunk when it is all fill value. On a store
    /// that locks keys across processes the lock is the key's lock file too: a rename that replaced the chunk whole while
    /// another process read, changed and wrote it back would be lost to that write, an outcome of neither serial order.
    /// </summary>
    public async ValueTask StoreAsync(long[] coordinates, ChunkEncoding encoded, CancellationToken cancellationToken)
    {
        EnsureWritable();
        var key = KeyOf(coordinates);
        using var held = await LockAsync(key, acrossProcesses: true, cancellationToken).ConfigureAwait(false);
        var grid = Grid;
        if (await ReadStoredGridAsync(cancellationToken).ConfigureAwait(false) is { } stored)
        {
            // Another process resized the array since this handle read its shape: the chunk is written as if it had
            // been written before the resize (and then trimmed by it).
            if (!stored.Contains(coordinates))
            {
                return;
            }

            if (!ChunkEdges.IsInterior(Grid, coordinates) || !ChunkEdges.IsInterior(stored, coordinates))
            {
                await StoreAcrossResizeAsync(key, coordinates, encoded, stored, cancellationToken).ConfigureAwait(false);
                return;
            }

            grid = stored;
        }

        await PutAsync(key, encoded.StoredBytes, cancellationToken).ConfigureAwait(false);
        await TrimIfShrunkAsync(key, coordinates, grid, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Delete: under the chunk's lock, removes the chunk (it reads as the fill value).</summary>
    public ValueTask DeleteAsync(long[] coordinates, CancellationToken cancellationToken) =>
        StoreAsync(coordinates, ChunkEncoding.AllFill, cancellationToken);

    /// <summary>Deletes a key of this array's chunks under its lock (a trim's chunk outside the grid, known only by its key).</summary>
    public async ValueTask DeleteKeyAsync(string key, CancellationToken cancellationToken)
    {
        EnsureWritable();
        using var held = await LockAsync(key, acrossProcesses: true, cancellationToken).ConfigureAwait(false);
        await PutAsync(key, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The read-modify-write of one chunk of bytes: under its lock, fetch and decode it (or start from the fill value, as
    /// <paramref name="start"/> says), let <paramref name="update"/> change it, then encode and store it (a chunk left
    /// all fill value is deleted). The codecs use at most <paramref name="codecParallelism"/> threads (0: their choice).
    /// </summary>
    public ValueTask UpdateAsync<TState>(long[] coordinates, UpdateStart start, TState state, ChunkUpdate<PooledBuffer, TState> update, int codecParallelism, CancellationToken cancellationToken) =>
        ReadModifyWriteAsync(coordinates, start, ByteChunkForm.Instance, state, update, codecParallelism, cancellationToken);

    /// <summary>The read-modify-write of one chunk of variable-length strings (as <see cref="UpdateAsync{TState}"/>, the codecs choosing their threads).</summary>
    public ValueTask UpdateStringsAsync<TState>(long[] coordinates, UpdateStart start, TState state, ChunkUpdate<string?[], TState> update, CancellationToken cancellationToken) =>
        ReadModifyWriteAsync(coordinates, start, StringChunkForm.Instance, state, update, 0, cancellationToken);

    /// <summary>
    /// The one read-modify-write, whatever form the decoded chunk takes. Under the chunk's lock (which orders the writers of
    /// this process, and on a store that locks keys, those of other processes); on a store with conditional writes the
    /// write back is also a compare-and-swap on the version read, repeated from a fresh read when a writer elsewhere
    /// (another process or machine) changed the chunk in between.
    /// </summary>
    private async ValueTask ReadModifyWriteAsync<TChunk, TState>(long[] coordinates, UpdateStart start, IChunkForm<TChunk> form, TState state, ChunkUpdate<TChunk, TState> update, int codecParallelism, CancellationToken cancellationToken)
    {
        EnsureWritable();
        var key = KeyOf(coordinates);

        // Even a write that replaces the chunk whole holds the lock across processes: see StoreAsync.
        using var held = await LockAsync(key, acrossProcesses: true, cancellationToken).ConfigureAwait(false);
        var grid = Grid;
        ChunkGrid? clip = null;
        if (await ReadStoredGridAsync(cancellationToken).ConfigureAwait(false) is { } stored)
        {
            // Another process resized the array since this handle read its shape: the update goes in as if made before
            // the resize, which then trimmed the chunk. A chunk now outside the shape is not written; one that hung over
            // the old edge keeps what others wrote beyond it since (so it is read, even when the update covers it); the
            // part beyond the new edge is the fill value.
            if (!stored.Contains(coordinates))
            {
                return;
            }

            if (start == UpdateStart.Overwrite && !ChunkEdges.IsInterior(Grid, coordinates))
            {
                start = UpdateStart.Stored;
            }

            clip = ChunkEdges.IsInterior(stored, coordinates) ? null : stored;
            grid = stored;
        }

        await ReadModifyWriteLockedAsync(key, coordinates, start, form, state, update, codecParallelism, clip, cancellationToken).ConfigureAwait(false);
        await TrimIfShrunkAsync(key, coordinates, grid, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The read-modify-write itself, the chunk's lock held: from the stored chunk (or the fill value) or from nothing, as
    /// <paramref name="start"/> says; then the update, then the reset beyond <paramref name="clip"/>'s edge when given.
    /// </summary>
    private async ValueTask ReadModifyWriteLockedAsync<TChunk, TState>(string key, long[] coordinates, UpdateStart start, IChunkForm<TChunk> form, TState state, ChunkUpdate<TChunk, TState> update, int codecParallelism, ChunkGrid? clip, CancellationToken cancellationToken)
    {
        if (start == UpdateStart.Overwrite)
        {
            // Nothing of the old chunk survives, so no version is needed: replacing it whole is a write that comes after
            // any other, and loses nothing a concurrent partial writer did (it reads the new value when its swap fails).
            // Only the part hanging over the array's edge needs the fill value.
            var fresh = form.Create(this, fill: !ChunkEdges.IsInterior(Grid, coordinates) || clip is not null);
            await ApplyAndPutAsync(key, coordinates, form, fresh, state, update, codecParallelism, clip, null, cancellationToken).ConfigureAwait(false);
            return;
        }

        var conflicts = new ConflictBackoff(_path, key);
        while (true)
        {
            // On a conditional store the value comes with its version (and the versioned value owns the buffer).
            var versioned = _conditional is not null ? await GetVersionedAsync(key, cancellationToken).ConfigureAwait(false) : null;
            var existing = versioned is null ? await FetchAsync(coordinates, cancellationToken).ConfigureAwait(false) : versioned.Value;
            TChunk chunk;
            using ((IDisposable?)versioned ?? existing)
            {
                if (existing is null && start == UpdateStart.StoredOnly)
                {
                    return;
                }

                chunk = existing is null ? form.Create(this, fill: true) : form.Decode(this, existing.Span, coordinates, codecParallelism);
            }

            if (await ApplyAndPutAsync(key, coordinates, form, chunk, state, update, codecParallelism, clip, versioned?.Version, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            await conflicts.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A whole chunk's store that met a resize by another process, for a chunk on the old edge or the new one: its
    /// elements inside the shape it was made for go over the stored chunk (what others wrote beyond that edge since the
    /// array grew stays), and those beyond the new edge are the fill value.
    /// </summary>
    private async ValueTask StoreAcrossResizeAsync(string key, long[] coordinates, ChunkEncoding encoded, ChunkGrid stored, CancellationToken cancellationToken)
    {
        if (!Metadata.DataType.IsFixedSize)
        {
            throw new ZarrException($"array '/{_path}' was resized by another process while chunk {UserText.Quote(key)} was stored whole; a chunk of strings is written with a selection (write it again)");
        }

        using var ours = PooledBuffer.RentDecoded(ByteLength);
        if (encoded.StoredBytes is { } bytes)
        {
            Decode(bytes.Span, coordinates, ours.Span);
        }
        else
        {
            DecodeMissing(ours.Span);
        }

        var clip = ChunkEdges.IsInterior(stored, coordinates) ? null : stored;
        await ReadModifyWriteLockedAsync(
            key,
            coordinates,
            ChunkEdges.IsInterior(Grid, coordinates) ? UpdateStart.Overwrite : UpdateStart.Stored,
            ByteChunkForm.Instance,
            (Ours: ours, IO: this, Coordinates: coordinates),
            static (state, chunk) => ChunkEdges.CopyInside(chunk.Span, state.Ours.Span, state.Coordinates, state.IO.Grid, state.IO.ChunkStrides, state.IO.Metadata.DataType.ItemSize),
            codecParallelism: 0,
            clip,
            cancellationToken).ConfigureAwait(false);
        await TrimIfShrunkAsync(key, coordinates, stored, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// On a store that locks keys across processes: the array's grid as stored now, when another process changed its
    /// shape since this handle read it (the handle then takes up the new metadata); null when it is unchanged.
    /// </summary>
    private async ValueTask<ChunkGrid?> ReadStoredGridAsync(CancellationToken cancellationToken)
    {
        if (_storedShape is null)
        {
            return null;
        }

        ArrayMetadata? changed;
        try
        {
            changed = await _storedShape.ReadChangedAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (StoreFailures.IsUntyped(e))
        {
            throw new ZarrStoreException(null, $"array '/{_path}': could not read its metadata in {_store} before writing a chunk: {e.GetType().Name}: {e.Message}", e);
        }

        if (changed is null)
        {
            return null;
        }

        _state?.AdoptStored(changed, Metadata);
        return changed.CreateGrid();
    }

    /// <summary>
    /// After a chunk was written by <paramref name="written"/>, its lock still held: when another process shrank the array
    /// meanwhile (its resize may have trimmed this chunk before the write, or listed the chunks before it existed), the
    /// chunk is trimmed here as the resize would have: deleted when outside the new shape, else reset beyond its edge.
    /// </summary>
    private async ValueTask TrimIfShrunkAsync(string key, long[] coordinates, ChunkGrid written, CancellationToken cancellationToken)
    {
        if (_storedShape is null || await ReadStoredGridAsync(cancellationToken).ConfigureAwait(false) is not { } now
            || now.Shape.AsSpan().SequenceEqual(written.Shape.AsSpan()) || ChunkEdges.IsInterior(now, coordinates))
        {
            return;
        }

        if (!now.Contains(coordinates))
        {
            await PutAsync(key, null, cancellationToken).ConfigureAwait(false);
        }
        else if (Metadata.DataType.IsFixedSize)
        {
            await ReadModifyWriteLockedAsync(key, coordinates, UpdateStart.StoredOnly, ByteChunkForm.Instance, 0, static (_, _) => { }, 0, now, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await ReadModifyWriteLockedAsync(key, coordinates, UpdateStart.StoredOnly, StringChunkForm.Instance, 0, static (_, _) => { }, 0, now, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Applies the update to <paramref name="chunk"/>, encodes it and writes it back (on <paramref name="version"/> when
    /// given); releases the chunk. False when the compare-and-swap lost to another writer (nothing was written).
    /// </summary>
    private async ValueTask<bool> ApplyAndPutAsync<TChunk, TState>(string key, long[] coordinates, IChunkForm<TChunk> form, TChunk chunk, TState state, ChunkUpdate<TChunk, TState> update, int codecParallelism, ChunkGrid? clip, StoreVersion? version, CancellationToken cancellationToken)
    {
        try
        {
            update(state, chunk);
            if (clip is not null)
            {
                form.FillOutside(this, chunk, coordinates, clip);
            }

            // A store that cannot delete on a version keeps an all-fill chunk as bytes: it reads the same, and a delete
            // that did not check the version could drop another writer's change.
            var keepAllFill = version is { IsAbsent: false } && !_conditional!.CanDeleteConditionally;
            using var encoded = form.Encode(this, chunk, coordinates, codecParallelism, keepAllFill);
            if (version is not { } expected)
            {
                await PutAsync(key, encoded.StoredBytes, cancellationToken).ConfigureAwait(false);
                return true;
            }

            return await TryPutAsync(key, encoded.StoredBytes, expected, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            form.Release(chunk);
        }
    }

    /// <summary>
    /// Keeps what the chunks' locks across processes need open until the result is disposed (a directory store's lock
    /// files), for a run of chunk writes: their locks seldom overlap, and each would otherwise open, make and remove the
    /// lock file of its folder. Null when the writes take no such locks.
    /// </summary>
    internal IDisposable? KeepLocksOpen() => _keyLocking is null || _readOnly ? null : _keyLocking.KeepLocksOpen();

    /// <summary>
    /// The lock step of a write that depends on nothing it read: the lock that serialises the writes of the chunk at
    /// <paramref name="key"/> in this process (every handle on the same <see cref="IStore.Location"/>).
    /// </summary>
    internal ValueTask<ChunkLock> LockAsync(string key, CancellationToken cancellationToken) =>
        LockAsync(key, acrossProcesses: false, cancellationToken);

    /// <summary>
    /// The one lock step: waits for the lock that serialises every write of the chunk at <paramref name="key"/> in this
    /// process, then, when <paramref name="acrossProcesses"/> and the store locks keys (<see cref="IKeyLockingStore"/>:
    /// a directory store), for the chunk's lock across processes, held until the result is disposed. In that order
    /// always, and one chunk at a time, so no two writers wait on each other crosswise.
    /// </summary>
    internal async ValueTask<ChunkLock> LockAsync(string key, bool acrossProcesses, CancellationToken cancellationToken)
    {
        var local = await _locks.AcquireAsync(key, cancellationToken).ConfigureAwait(false);
        if (!acrossProcesses || _keyLocking is null || _readOnly)
        {
            return new ChunkLock(local, null);
        }

        try
        {
            return new ChunkLock(local, await _keyLocking.LockKeyAsync(key, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e)
        {
            local.Dispose();
            if (StoreFailures.IsUntyped(e))
            {
                throw StoreFailure(key, "lock", e);
            }

            throw;
        }
    }

    /// <summary>
    /// The one store step, under the chunk's lock: sets the key to <paramref name="encoded"/>, or deletes it when that is
    /// null (an all-fill chunk). A conditional (compare-and-swap) write goes here.
    /// </summary>
    private async ValueTask PutAsync(string key, ReadOnlyMemory<byte>? encoded, CancellationToken cancellationToken)
    {
        try
        {
            if (encoded is { } bytes)
            {
                await _store.SetAsync(key, bytes, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await _store.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (StoreFailures.IsUntyped(e))
        {
            throw StoreFailure(key, encoded is null ? "delete" : "write", e);
        }
    }

    /// <summary>The read step of a compare-and-swap: the chunk's value and version.</summary>
    private async ValueTask<VersionedValue> GetVersionedAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return await _conditional!.GetVersionedAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (StoreFailures.IsUntyped(e))
        {
            throw StoreFailure(key, "read", e);
        }
    }

    /// <summary>
    /// The compare-and-swap store step: sets (or deletes, when <paramref name="encoded"/> is null) the key only if its
    /// value is still <paramref name="expected"/>. An all-fill chunk that was never stored needs no write at all.
    /// </summary>
    private async ValueTask<bool> TryPutAsync(string key, ReadOnlyMemory<byte>? encoded, StoreVersion expected, CancellationToken cancellationToken)
    {
        var conditional = _conditional!;
        try
        {
            if (encoded is { } bytes)
            {
                return await conditional.TrySetAsync(key, bytes, expected, cancellationToken).ConfigureAwait(false);
            }

            return expected.IsAbsent || await conditional.TryDeleteAsync(key, expected, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (StoreFailures.IsUntyped(e))
        {
            throw StoreFailure(key, encoded is null ? "delete" : "write", e);
        }
    }

    /// <summary>
    /// A store's own failure (a third-party store's <see cref="IOException"/>, say), as the one typed error every chunk
    /// operation throws: it names the array, the chunk's key, the operation and the store, and keeps the failure inside.
    /// </summary>
    private ZarrStoreException StoreFailure(string key, string operation, Exception inner) =>
        new(key, $"array '/{_path}': could not {operation} the chunk in {_store}: {inner.GetType().Name}: {inner.Message}", inner);

    private void EnsureWritable()
    {
        if (_readOnly)
        {
            throw new ZarrException($"array '/{_path}' was opened read-only (mode 'r'); open it with mode r+ or a to write");
        }
    }
}
