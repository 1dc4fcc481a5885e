using Zarr.Storage.Internal;

namespace Zarr.Storage.Chunks;

/// <summary>
/// The array's metadata as stored now, which another process may have changed (resized) since this handle read it: what
/// a chunk write on a store that locks keys across processes (a directory store) reads under the chunk's lock, before its
/// write (to write by the shape that holds then) and after it (to trim what a resize running meanwhile would have
/// trimmed). The document is read each time and compared, byte for byte, with the last one read; it is parsed only when
/// it differs, so an unchanged array costs one small read.
/// </summary>
internal sealed class StoredShape
{
    private readonly IStore _store;
    private readonly string _path;
    private readonly string _key;
    private readonly ArrayMetadata _snapshot;
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
    }

    /// <summary>
    /// The stored metadata when its shape differs from the snapshot's; null when it is the same (or the document is gone:
    /// then nothing is known to have changed, and the write goes by the snapshot).
    /// </summary>
    /// <exception cref="ZarrException">The array was replaced by one of another data type or chunk shape.</exception>
    public async ValueTask<ArrayMetadata?> ReadChangedAsync(CancellationToken cancellationToken)
    {
        using var document = await _store.GetAsync(_key, null, cancellationToken).ConfigureAwait(false);
        if (document is null)
        {
            return null;
        }

        var seen = Volatile.Read(ref _seen);
        if (seen is null || !document.Span.SequenceEqual(seen.Document))
        {
            var metadata = _snapshot.Format == ZarrFormat.V3
                ? MetadataSerializer.ParseArrayV3(document.Span, _key)
                : MetadataSerializer.ParseArrayV2(document.Span, default, _key);
            if (metadata.DataType != AsStored(_snapshot) || !metadata.ChunkShape.AsSpan().SequenceEqual(_snapshot.ChunkShape.AsSpan()))
            {
                throw new ZarrException($"array '/{_path}' was replaced by another process (now {metadata.DataType} in chunks of ({string.Join(", ", metadata.ChunkShape)})) while this handle wrote to it; open it again");
            }

            seen = new Seen(document.Span.ToArray(), metadata.Shape.AsSpan().SequenceEqual(_snapshot.Shape.AsSpan()) ? null : metadata);
            Volatile.Write(ref _seen, seen);
        }

        return seen.Changed;
    }

    /// <summary>A document read, and the metadata it holds when its shape is not the snapshot's.</summary>
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

    private sealed record Seen(byte[] Document, ArrayMetadata? Changed);
}
