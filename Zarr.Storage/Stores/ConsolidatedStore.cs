using System.Runtime.CompilerServices;
using Zarr.Storage.Buffers;

namespace Zarr.Storage;

/// <summary>
/// A read-only view of a store whose metadata documents below one group are answered from that group's consolidated
/// metadata (a v2 <c>.zmetadata</c>, or the v3 <c>consolidated_metadata</c> of its <c>zarr.json</c>), read once; chunks
/// and everything else are read from the store below. As zarr-python 2's <c>ConsolidatedMetadataStore</c>.
/// </summary>
/// <remarks>
/// <para>Below the group, a metadata document (<c>zarr.json</c>, <c>.zarray</c>, <c>.zgroup</c>, <c>.zattrs</c>,
/// <c>.zmetadata</c>) that the snapshot does not hold does not exist: asking for it costs no read. Listing the children of
/// a group in the snapshot costs no read either. Other listings go to the store below.</para>
/// <para>The snapshot is what was consolidated: documents changed, added or removed later are not seen until the metadata
/// is consolidated again (<see cref="ConsolidatedMetadata.WriteAsync"/>) and the view rebuilt. The view refuses writes, so
/// nothing written through it can disagree with its snapshot.</para>
/// <para>Build one with <see cref="ConsolidatedMetadata.TryOpenAsync"/>; <see cref="ZarrGroup.OpenAsync"/> in mode
/// <c>r</c> does it by itself.</para>
/// </remarks>
public sealed class ConsolidatedStore : IStore
{
    private static readonly string[] MetadataNames =
    [
        MetadataSerializer.ZarrJson, MetadataSerializer.ZArray, MetadataSerializer.ZGroup, MetadataSerializer.ZAttrs, ConsolidatedMetadata.ZMetadata,
    ];

    private readonly Dictionary<string, byte[]> _documents;
    private readonly HashSet<string> _groups;
    private readonly string _prefix;

    internal ConsolidatedStore(IStore inner, string path, ZarrFormat format, Dictionary<string, byte[]> documents, HashSet<string> groups)
    {
        Inner = inner;
        Path = path;
        Format = format;
        _documents = documents;
        _groups = groups;
        _prefix = path.Length == 0 ? "" : path + "/";
    }

    /// <summary>The store below, which holds the chunks.</summary>
    public IStore Inner { get; }

    /// <summary>The path of the group whose consolidated metadata this is ("" for the root).</summary>
    public string Path { get; }

    /// <summary>The format of the consolidated metadata: v2 <c>.zmetadata</c> or v3 inline <c>consolidated_metadata</c>.</summary>
    public ZarrFormat Format { get; }

    /// <summary>The keys of the metadata documents in the snapshot.</summary>
    public IReadOnlyCollection<string> DocumentKeys => _documents.Keys;

    /// <inheritdoc />
    /// <remarks>Always true: consolidated metadata is a read-only snapshot.</remarks>
    public bool IsReadOnly => true;

    /// <inheritdoc />
    /// <remarks>The view itself: its metadata is a snapshot no other store holds, and it writes nothing.</remarks>
    public StoreLocation Location => StoreLocation.OfObject(this);

    /// <inheritdoc />
    public ValueTask<PooledBuffer?> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        StoreKey.Validate(key);
        if (!IsMetadataKey(key))
        {
            return Inner.GetAsync(key, range, cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (!_documents.TryGetValue(key, out var value))
        {
            return ValueTask.FromResult<PooledBuffer?>(null);
        }

        var (start, count) = range is { } r ? r.Resolve(value.Length) : (0, value.Length);
        return ValueTask.FromResult<PooledBuffer?>(PooledBuffer.CopyOf(value.AsSpan((int)start, (int)count)));
    }

    /// <inheritdoc />
    public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
    {
        StoreKey.Validate(key);
        if (!IsMetadataKey(key))
        {
            return Inner.ExistsAsync(key, cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_documents.ContainsKey(key));
    }

    /// <inheritdoc />
    public ValueTask<long?> GetSizeAsync(string key, CancellationToken cancellationToken = default)
    {
        StoreKey.Validate(key);
        if (!IsMetadataKey(key))
        {
            return Inner.GetSizeAsync(key, cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_documents.TryGetValue(key, out var value) ? value.Length : (long?)null);
    }

    /// <inheritdoc />
    /// <exception cref="ZarrStoreException">Always: the view is read-only.</exception>
    public ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) => throw ReadOnly(key);

    /// <inheritdoc />
    /// <exception cref="ZarrStoreException">Always: the view is read-only.</exception>
    public ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default) => throw ReadOnly(key);

    /// <inheritdoc />
    /// <exception cref="ZarrStoreException">Always: the view is read-only.</exception>
    public ValueTask DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default) => throw ReadOnly(prefix);

    /// <inheritdoc />
    /// <remarks>Answered by the store below.</remarks>
    public IAsyncEnumerable<StoreEntry> ListPrefixAsync(string prefix, CancellationToken cancellationToken = default) =>
        Inner.ListPrefixAsync(prefix, cancellationToken);

    /// <inheritdoc />
    /// <remarks>For a group in the snapshot, its children and documents as the snapshot has them, with no read; otherwise
    /// answered by the store below.</remarks>
    public IAsyncEnumerable<string> ListDirectoryAsync(string prefix, CancellationToken cancellationToken = default)
    {
        StoreKey.ValidatePrefix(prefix);
        var node = prefix.Length == 0 ? "" : prefix[..^1];
        return prefix.StartsWith(_prefix, StringComparison.Ordinal) && _groups.Contains(node)
            ? KeyListing.ToAsync(KeyListing.ChildNames(_documents.Keys, prefix), cancellationToken)
            : Inner.ListDirectoryAsync(prefix, cancellationToken);
    }

    /// <summary>Returns "ConsolidatedStore(" + the store below + ")".</summary>
    public override string ToString() => $"ConsolidatedStore({Inner})";

    private bool IsMetadataKey(string key)
    {
        if (!key.StartsWith(_prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var slash = key.LastIndexOf(StoreKey.Separator);
        var name = slash < 0 ? key : key[(slash + 1)..];
        return Array.IndexOf(MetadataNames, name) >= 0;
    }

    private static ZarrStoreException ReadOnly(string key) =>
        new(key, "store is read-only (a consolidated metadata view; write through the store below and consolidate again)");
}
