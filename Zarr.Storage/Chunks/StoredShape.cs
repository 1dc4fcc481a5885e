using Zarr.Storage.Internal;

namespace Zarr.Storage.Chunks;

/// <summary>
/// The array's metadata as stored now, which another process may have changed (resized) since this handle read it: what
/// a chunk write on a store that locks keys across processes (a directory store) reads under the chunk's lock, before its
/// write (to write by the shape that holds then) and after it (to trim what a resize running meanwhile would have
/// trimmed). Where the store has stamps (<see cref="IKeyLockingStore.TryGetStamp"/>: a directory store on Linux), an
/// unchanged document costs one <c>statx</c>: the document is read only when its stamp differs from the one taken before
/// the last read, or when that stamp is still fresh. Otherwise the document is read each time and compared, byte for
/// byte, with the last one read; it is parsed only when it differs.
/// </summary>
/// <remarks>A fresh stamp is not trusted (<see cref="FileStamp"/> says why).</remarks>
internal sealed class StoredShape
{
    private readonly IStore _store;
    private readonly string _path;
    private readonly string _key;
    private readonly ArrayMetadata _snapshot;
    private readonly IKeyLockingStore? _stamps;
    private Seen? _seen;

    /// <param name="store">The array's store.</param>
    /// <param name="path">The array's path.</param>
    /// <param name="snapshot">The metadata the handle works by.</param>
    public StoredShape(IStore store, string path, ArrayMetadata snapshot)
    {
        _store = store;
        _path = path;
        _snapshot = snapshot;
        _key = NodePaths.Key(path, snapshot.Format == ZarrFormat.V3 ? MetadataSerializer.ZarrJson : MetadataSerializer.ZArray);
        _stamps = StoreCapabilities.KeyLocking(store);
    }

    /// <summary>How many times the document was read (not only stamped), for tests.</summary>
    internal long DocumentReads => Interlocked.Read(ref _documentReads);

    private long _documentReads;

    /// <summary>
    /// The stored metadata when its shape differs from the snapshot's; null when it is the same (or the document is gone:
    /// then nothing is known to have changed, and the write goes by the snapshot).
    /// </summary>
    /// <exception cref="ZarrException">The array was replaced by one of another data type or chunk shape.</exception>
    public ValueTask<ArrayMetadata?> ReadChangedAsync(CancellationToken cancellationToken)
    {
        FileStamp? stamp = null;
        if (_stamps is not null && _stamps.TryGetStamp(_key, out var now))
        {
            if (Volatile.Read(ref _seen) is { Settled: true } seen && seen.Stamp == now)
            {
                return ValueTask.FromResult(seen.Changed);
            }

            stamp = now;
        }

        return ReadDocumentAsync(stamp, cancellationToken);
    }

    /// <summary>Reads the document, and parses it when it differs from the last one read; <paramref name="stamp"/> was taken just before.</summary>
    private async ValueTask<ArrayMetadata?> ReadDocumentAsync(FileStamp? stamp, CancellationToken cancellationToken)
    {
        var takenAt = DateTime.UtcNow;
        Interlocked.Increment(ref _documentReads);
        using var document = await _store.GetAsync(_key, null, cancellationToken).ConfigureAwait(false);
        if (document is null)
        {
            return null;
        }

        var seen = Volatile.Read(ref _seen);
        if (seen is not null && document.Span.SequenceEqual(seen.Document))
        {
            if (seen.Stamp != stamp || !seen.Settled)
            {
                seen = seen with { Stamp = stamp, Settled = IsSettled(stamp, takenAt) };
                Volatile.Write(ref _seen, seen);
            }
        }
        else
        {
            var metadata = _snapshot.Format == ZarrFormat.V3
                ? MetadataSerializer.ParseArrayV3(document.Span, _key)
                : MetadataSerializer.ParseArrayV2(document.Span, default, _key);
            if (metadata.DataType != AsStored(_snapshot) || !metadata.ChunkShape.AsSpan().SequenceEqual(_snapshot.ChunkShape.AsSpan()))
            {
                throw new ZarrException($"array '/{_path}' was replaced by another process (now {metadata.DataType} in chunks of ({string.Join(", ", metadata.ChunkShape)})) while this handle wrote to it; open it again");
            }

            seen = new Seen(document.Span.ToArray(), metadata.Shape.AsSpan().SequenceEqual(_snapshot.Shape.AsSpan()) ? null : metadata, stamp, IsSettled(stamp, takenAt));
            Volatile.Write(ref _seen, seen);
        }

        return seen.Changed;
    }

    /// <summary>True when the times of <paramref name="stamp"/> lie <see cref="FileStamp.SettledAfter"/> or more before <paramref name="takenAt"/>.</summary>
    private static bool IsSettled(FileStamp? stamp, DateTime takenAt) => stamp is { } s && s.IsSettledAt(takenAt);

    /// <summary>
    /// The data type <paramref name="metadata"/> reads back as from its own document: a structured type written to v2
    /// comes back with each field's byte order stated (the handle that created it keeps them in the bytes codec), so
    /// the stored document of the same array is compared with this, not with the type in memory.
    /// </summary>
    internal static ZarrDataType AsStored(ArrayMetadata metadata)
    {
        if (metadata.Format == ZarrFormat.V3 || metadata.DataType.Kind != DataTypeKind.Structured)
        {
            return metadata.DataType;
        }

        return MetadataSerializer.ParseArrayV2(MetadataSerializer.ToV2Json(metadata).ZArray, default, MetadataSerializer.ZArray).DataType;
    }

    /// <summary>A document read, the metadata it holds when its shape is not the snapshot's, and the stamp taken before
    /// the read (trusted next time only when <paramref name="Settled"/>).</summary>
    private sealed record Seen(byte[] Document, ArrayMetadata? Changed, FileStamp? Stamp, bool Settled);
}
