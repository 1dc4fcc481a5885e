using Zarr.Storage.Buffers;
using Zarr.Storage.Codecs;
using Zarr.Storage.Internal;

namespace Zarr.Storage.Chunks;

/// <summary>Changes a decoded chunk in place (the copy-in step of a write).</summary>
/// <typeparam name="TChunk">The decoded chunk's form: a <see cref="PooledBuffer"/> of bytes, or strings.</typeparam>
/// <typeparam name="TState">What the update needs, passed so the callback can be static.</typeparam>
internal delegate void ChunkUpdate<in TChunk, in TState>(TState state, TChunk chunk);

/// <summary>What a read-modify-write starts from.</summary>
internal enum UpdateStart
{
    /// <summary>The stored chunk, decoded, or the fill value when it is missing (a partial write).</summary>
    Stored,

    /// <summary>Nothing of the stored chunk: the update sets every element inside the array (a write that covers it).</summary>
    Overwrite,

    /// <summary>The stored chunk; a missing chunk is left alone (a trim).</summary>
    StoredOnly,
}

/// <summary>
/// Every step of a chunk's storage life, for one snapshot of one array's metadata (see <see cref="ArraySnapshot"/>):
/// fetch the encoded bytes (or learn the chunk is missing), decode (missing → fill value), encode (to bytes, or an
/// explicit "all fill value"), store or delete under the chunk's lock, and the read-modify-write of a partial update.
/// Every read, write, trim, copy and verify of a chunk goes through here.
/// </summary>
/// <remarks>
/// The steps that order concurrent writers are each one method: <see cref="LockAsync(string, bool, CancellationToken)"/>
/// (the in-process <see cref="ChunkLocks"/>, and for every write on a store that locks keys across processes,
/// <see cref="IKeyLockingStore"/>: the directory store, its lock file's OS lock, under which the stored shape is read
/// again, <see cref="StoredShape"/>), <see cref="PutAsync"/> (a plain set or
/// delete) and, on a store with conditional writes (<see cref="IConditionalStore"/>: the object stores), the
/// compare-and-swap of a partial update on the version it read (<see cref="TryPutAsync"/>), which
/// <see cref="ReadModifyWriteAsync{TChunk, TState}"/> repeats from a fresh read when it lost the race
/// (<see cref="ConflictBackoff"/>). No caller takes a chunk lock itself.
/// </remarks>
internal sealed class ChunkIO
{
    private readonly IStore _store;
    private readonly string _path;
    private readonly string _prefix;
    private readonly bool _readOnly;
    private readonly ArraySnapshot _snapshot;
    private readonly ChunkLocks _locks;
    private readonly IConditionalStore? _conditional;
    private readonly IKeyLockingStore? _keyLocking;
    private readonly ArrayState? _state;
    private readonly StoredShape? _storedShape;
    private readonly ShardIndexCache? _indexCache;

    /// <param name="store">The array's store.</param>
    /// <param name="path">The array's path.</param>
    /// <param name="readOnly">True when the handle may not write.</param>
    /// <param name="snapshot">The metadata snapshot this object serves (it keeps a reference, never changes it).</param>
    /// <param name="state">The array whose snapshot it is, which takes up a shape another process stored (found by a write).</param>
    public ChunkIO(IStore store, string path, bool readOnly, ArraySnapshot snapshot, ArrayState? state = null)
    {
        _store = store;
        _path = path;
        _prefix = NodePaths.Prefix(path);
        _readOnly = readOnly;
        _snapshot = snapshot;
        _locks = ChunkLocks.For(store);
        _conditional = StoreCapabilities.Conditional(store);
        _keyLocking = _conditional is null ? StoreCapabilities.KeyLocking(store) : null;
        _state = state;
        _storedShape = _keyLocking is not null && !readOnly ? new StoredShape(store, path, snapshot.Metadata) : null;
        _indexCache = snapshot.PartialDecoder is not null && StoreCapabilities.VersionedRead(store) is { } versioned ? new ShardIndexCache(versioned) : null;
        var metadata = snapshot.Metadata;
        if (!metadata.DataType.IsFixedSize)
        {
            StringFill = metadata.FillValueIsNull ? null : System.Text.Encoding.UTF8.GetString(metadata.FillValue.AsSpan());
            ElementStrides = new long[metadata.Rank];
            long stride = 1;
            for (var d = metadata.Rank - 1; d >= 0; d--)
            {
                ElementStrides[d] = stride;
                stride = checked(stride * metadata.ChunkShape[d]);
            }

            ElementCount = checked((int)stride);
        }
    }

    /// <summary>The metadata this object works by.</summary>
    public ArrayMetadata Metadata => _snapshot.Metadata;

    /// <summary>The chunk grid.</summary>
    public ChunkGrid Grid => _snapshot.Grid;

    /// <summary>The decoded chunk's spec.</summary>
    public ChunkSpec Spec => _snapshot.Spec;

    /// <summary>Byte strides of a decoded chunk (C order).</summary>
    public long[] ChunkStrides => _snapshot.ChunkStrides;

    /// <summary>The decoded size of one chunk in bytes.</summary>
    public int ByteLength => _snapshot.Spec.ByteLength;

    /// <summary>A variable-length string array's fill value (null: v2's null fill value, or not a string array).</summary>
    public string? StringFill { get; }

    /// <summary>Element strides of a chunk of strings (C order; empty for fixed-size types, see <see cref="ChunkStrides"/>).</summary>
    public long[] ElementStrides { get; } = [];

    /// <summary>The number of elements of a chunk of strings (0 for fixed-size types).</summary>
    public int ElementCount { get; }

    /// <summary>The store key of the chunk at <paramref name="coordinates"/>.</summary>
    public string KeyOf(ReadOnlySpan<long> coordinates) => _prefix + Metadata.ChunkKeyEncoding.Encode(coordinates);

    // ---------------------------------------------------------------- fetch and decode

    /// <summary>Fetch: the encoded bytes of a chunk, or null when it was never written. The caller owns the buffer.</summary>
    /// <exception cref="ZarrStoreException">The store failed; the exception names the array, the chunk key and the store.</exception>
    public async ValueTask<PooledBuffer?> FetchAsync(long[] coordinates, CancellationToken cancellationToken)
    {
        var key = KeyOf(coordinates);
        try
        {
            return await _store.GetAsync(key, null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (StoreFailures.IsUntyped(e))
        {
            throw StoreFailure(key, "read", e);
        }
    }

    /// <summary>
    /// The decoded chunk's spec with the codecs' own threads for one chunk bounded to <paramref name="codecParallelism"/>
    /// (<see cref="ChunkSpec.MaxDegreeOfParallelism"/>: 0 lets the codec choose, 1 keeps its work on the calling thread).
    /// </summary>
    private ChunkSpec SpecWith(int codecParallelism) =>
        codecParallelism == _snapshot.Spec.MaxDegreeOfParallelism ? _snapshot.Spec : _snapshot.Spec with { MaxDegreeOfParallelism = codecParallelism };

    /// <summary>Decode: fills <paramref name="chunk"/> (exactly <see cref="ByteLength"/>) from encoded bytes, the codecs using at most <paramref name="codecParallelism"/> threads (0: their choice).</summary>
    /// <exception cref="ZarrCodecException">The chunk is corrupt; the exception names the array, the chunk key and the codec.</exception>
    public void Decode(ReadOnlySpan<byte> encoded, ReadOnlySpan<long> coordinates, Span<byte> chunk, int codecParallelism = 0)
    {
        try
        {
            if (Grid.IsFullShape(coordinates))
            {
                _snapshot.Pipeline.Decode(encoded, chunk, SpecWith(codecParallelism));
                return;
            }

            // A rectilinear chunk smaller than the buffer: decoded in its own layout at the front, then spread out.
            var spec = SpecWith(codecParallelism) with { Shape = [.. Grid.ChunkShapeAt(coordinates)] };
            _snapshot.Pipeline.Decode(encoded, chunk[..spec.ByteLength], spec);
            ChunkPadding.Expand(chunk, spec.Shape.AsSpan(), Grid.ChunkShape.AsSpan(), Metadata.DataType.ItemSize);
        }
        catch (ZarrCodecException e)
        {
            throw e.WithChunk(_path, KeyOf(coordinates));
        }
    }

    /// <summary>Decode of a missing chunk: fills <paramref name="chunk"/> with the fill value.</summary>
    public void DecodeMissing(Span<byte> chunk) => StridedCopy.FillPattern(chunk, Metadata.FillValue.AsSpan());

    /// <summary>
    /// Fetch and decode for a read: the whole chunk, or, when <paramref name="region"/> is given and the chain can
    /// (sharding alone), only what the region needs, through ranged reads. Null when the chunk was never written. The
    /// caller owns the buffer: the whole decoded chunk's layout (<see cref="ChunkStrides"/>), or for a region the codec
    /// decodes compactly (inside one inner chunk of a shard) a smaller buffer with the strides returned beside it; outside
    /// a partial region, contents are undefined. The codecs use at most <paramref name="codecParallelism"/> threads for
    /// the chunk (0: their choice).
    /// </summary>
    public async ValueTask<(PooledBuffer? Decoded, long[] Strides)> FetchDecodedAsync(long[] coordinates, ChunkRegion? region, int codecParallelism, CancellationToken cancellationToken)
    {
        if (region is { } part && _snapshot.PartialDecoder is { } partial)
        {
            var key = KeyOf(coordinates);
            PooledBuffer? buffer = null;
            try
            {
                // A rectilinear chunk smaller than the buffer: decoded at its own shape at the front, then spread out.
                var spec = SpecWith(codecParallelism);
                var full = Grid.IsFullShape(coordinates);
                if (full && partial.TryGetCompactLayout(part, spec, out var strides, out var compactLength))
                {
                    buffer = PooledBuffer.RentDecoded(compactLength);
                    if (await partial.TryDecodeCompactAsync(_store, _indexCache, key, part, buffer.Memory, spec, cancellationToken).ConfigureAwait(false))
                    {
                        return (buffer, strides);
                    }
                }
                else
                {
                    buffer = PooledBuffer.RentDecoded(ByteLength);
                    if (!full)
                    {
                        spec = spec with { Shape = [.. Grid.ChunkShapeAt(coordinates)] };
                    }

                    if (await partial.TryDecodePartialAsync(_store, _indexCache, key, part, buffer.Memory[..spec.ByteLength], spec, cancellationToken).ConfigureAwait(false))
                    {
                        if (!full)
                        {
                            ChunkPadding.Expand(buffer.Span, spec.Shape.AsSpan(), Grid.ChunkShape.AsSpan(), Metadata.DataType.ItemSize);
                        }

                        return (buffer, ChunkStrides);
                    }
                }
            }
            catch (ZarrCodecException e)
            {
                buffer?.Dispose();
                throw e.WithChunk(_path, key);
            }
            catch (Exception e) when (StoreFailures.IsUntyped(e))
            {
                buffer?.Dispose();
                throw StoreFailure(key, "read", e);
            }
            catch
            {
                buffer?.Dispose();
                throw;
            }

            buffer.Dispose();
            return (null, ChunkStrides);
        }

        using var encoded = await FetchAsync(coordinates, cancellationToken).ConfigureAwait(false);
        if (encoded is null)
        {
            return (null, ChunkStrides);
        }

        var decoded = PooledBuffer.RentDecoded(ByteLength);
        try
        {
            Decode(encoded.Span, coordinates, decoded.Span, codecParallelism);
            return (decoded, ChunkStrides);
        }
        catch
        {
            decoded.Dispose();
            throw;
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

    /// <summary>Fetch and decode of a chunk of variable-length strings; null when it was never written.</summary>
    public async ValueTask<string[]?> FetchStringsAsync(long[] coordinates, CancellationToken cancellationToken)
    {
        using var encoded = await FetchAsync(coordinates, cancellationToken).ConfigureAwait(false);
        return encoded is null ? null : DecodeStrings(encoded.Span, coordinates);
    }

    /// <summary>Decode of a chunk of variable-length strings through the codec pipeline's object path (the codecs using at most <paramref name="codecParallelism"/> threads; 0: their choice).</summary>
    public string[] DecodeStrings(ReadOnlySpan<byte> encoded, ReadOnlySpan<long> coordinates, int codecParallelism = 0)
    {
        try
        {
            return _snapshot.Pipeline.DecodeStrings(encoded, SpecWith(codecParallelism));
        }
        catch (ZarrCodecException e)
        {
            throw e.WithChunk(_path, KeyOf(coordinates));
        }
    }

    // ---------------------------------------------------------------- encode

    /// <summary>
    /// Encode: the encoded bytes of a decoded chunk, or <see cref="ChunkEncoding.AllFill"/> when every element is the
    /// fill value by <paramref name="comparison"/>; the codecs use at most <paramref name="codecParallelism"/> threads (0: their choice).
    /// </summary>
    public ChunkEncoding Encode(ReadOnlySpan<byte> chunk, ReadOnlySpan<long> coordinates, FillComparison comparison = FillComparison.Value, int codecParallelism = 0)
    {
        if (!Grid.IsFullShape(coordinates))
        {
            // A rectilinear chunk smaller than the buffer: gathered into its own layout and encoded at its own shape.
            var spec = SpecWith(codecParallelism) with { Shape = [.. Grid.ChunkShapeAt(coordinates)] };
            using var tight = PooledBuffer.RentDecoded(spec.ByteLength);
            ChunkPadding.Compact(chunk, spec.Shape.AsSpan(), Grid.ChunkShape.AsSpan(), Metadata.DataType.ItemSize, tight.Span);
            return EncodeAt(tight.Span, coordinates, comparison, spec);
        }

        return EncodeAt(chunk, coordinates, comparison, SpecWith(codecParallelism));
    }

    /// <summary>
    /// Encode taking the decoded chunk: when the chain stores a whole chunk's bytes unchanged (only the <c>bytes</c> codec,
    /// little-endian or single-byte, no sub-byte type: <see cref="StoresDecodedAsIs"/>), the encoded chunk is
    /// <paramref name="chunk"/> itself, handed over with no copy (<paramref name="taken"/> true: the caller no longer owns
    /// it); otherwise as <see cref="Encode"/>, and the caller keeps <paramref name="chunk"/>.
    /// </summary>
    public ChunkEncoding EncodeTaking(PooledBuffer chunk, ReadOnlySpan<long> coordinates, out bool taken, FillComparison comparison = FillComparison.Value, int codecParallelism = 0)
    {
        taken = false;
        if (!StoresDecodedAsIs || chunk.Length != ByteLength || !Grid.IsFullShape(coordinates))
        {
            return Encode(chunk.Span, coordinates, comparison, codecParallelism);
        }

        if (IsAllFill(chunk.Span, comparison))
        {
            return ChunkEncoding.AllFill;
        }

        taken = true;
        return ChunkEncoding.Of(chunk);
    }

    /// <summary>True when a whole chunk's encoded bytes are its decoded bytes: the chain is the <c>bytes</c> codec alone, and
    /// it copies this data type unchanged (little-endian or single-byte components) and checks nothing (no sub-byte type).</summary>
    public bool StoresDecodedAsIs =>
        _snapshot.Pipeline.ArrayToArrayCodecs.Count == 0
        && _snapshot.Pipeline.BytesToBytesCodecs.Count == 0
        && CodecPipeline.IsIdentity(_snapshot.Pipeline.ArrayToBytesCodec, Spec)
        && !SubByteValues.IsSubByte(Metadata.DataType);

    // Encode of a chunk laid out at exactly spec's shape.
    private ChunkEncoding EncodeAt(ReadOnlySpan<byte> chunk, ReadOnlySpan<long> coordinates, FillComparison comparison, ChunkSpec spec)
    {
        var allFill = IsAllFill(chunk, comparison);
        if (allFill)
        {
            return ChunkEncoding.AllFill;
        }

        try
        {
            return ChunkEncoding.Of(_snapshot.Pipeline.Encode(chunk, spec));
        }
        catch (ZarrCodecException e)
        {
            throw e.WithChunk(_path, KeyOf(coordinates));
        }
    }

    // Whether the chunk counts as all fill value by the comparison (then it is not stored).
    private bool IsAllFill(ReadOnlySpan<byte> chunk, FillComparison comparison)
    {
        var fill = Metadata.FillValue;
        return comparison switch
        {
            FillComparison.Value => FillValues.IsAllFill(chunk, fill.AsSpan(), Metadata.DataType),
            FillComparison.Bits => FillValues.IsAllSameBytes(chunk, fill.AsSpan()),
            _ => false,
        };
    }

    /// <summary>
    /// Encode of a chunk of strings; all fill when every value is the fill value (never for v2's null fill, nor with
    /// <paramref name="keepAllFill"/>).
    /// </summary>
    public ChunkEncoding EncodeStrings(string?[] values, ReadOnlySpan<long> coordinates, int codecParallelism = 0, bool keepAllFill = false)
    {
        if (!keepAllFill && StringFill is { } fill && Array.TrueForAll(values, v => v == fill))
        {
            return ChunkEncoding.AllFill;
        }

        try
        {
            return ChunkEncoding.Of(_snapshot.Pipeline.EncodeStrings(values, SpecWith(codecParallelism)));
        }
        catch (ZarrCodecException e)
        {
            throw e.WithChunk(_path, KeyOf(coordinates));
        }
    }

    // ---------------------------------------------------------------- store, delete, read-modify-write

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

/// <summary>A chunk's lock held: in this process, and across processes when the write needed it. Dispose to release both.</summary>
internal readonly struct ChunkLock(ChunkLocks.Releaser local, IDisposable? acrossProcesses) : IDisposable
{
    /// <summary>Releases the lock across processes, then the one in this process.</summary>
    public void Dispose()
    {
        acrossProcesses?.Dispose();
        local.Dispose();
    }
}
