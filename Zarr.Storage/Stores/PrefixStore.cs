using System.Runtime.CompilerServices;
using Zarr.Storage.Buffers;

namespace Zarr.Storage;

/// <summary>
/// A view of another store below a key prefix, as zarr-python's store opened at a path: the key <c>k</c> of this store is
/// the key <c>prefix/k</c> of the inner one. Keys outside the prefix are never seen, listed, written or deleted through
/// the view. Thread-safe when the inner store is.
/// </summary>
/// <remarks>
/// <para>The prefix "" makes the view the inner store itself. Listings strip the prefix, so a node stored at
/// <c>prefix</c> in the inner store is at the root of the view. Ranged reads pass through unchanged, so a view over a
/// store that reads ranges cheaply reads them as cheaply.</para>
/// <para>The view owns nothing: disposing the inner store (a <see cref="ZipStore"/>, say) is the caller's business.</para>
/// <para>The view has the inner store's optional capabilities, its keys prefixed: its conditional writes
/// (<see cref="IConditionalStore"/>, an object store's compare-and-swap) and its locks of keys across processes (a
/// <see cref="DirectoryStore"/>'s lock files), so arrays written through the view are as safe against other writers
/// as through the inner store.</para>
/// </remarks>
public sealed class PrefixStore : IStore, IForwardingStore
{
    private readonly string _prefix;

    /// <summary>Creates a view of <paramref name="inner"/> below <paramref name="prefix"/>.</summary>
    /// <param name="inner">The store that holds the values.</param>
    /// <param name="prefix">"" for the whole store, else a valid key (a trailing '/' is allowed), such as <c>group/array</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="inner"/> or <paramref name="prefix"/> is null.</exception>
    /// <exception cref="ZarrStoreException"><paramref name="prefix"/> is not "" or a valid key.</exception>
    public PrefixStore(IStore inner, string prefix)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(prefix);
        Inner = inner;
        _prefix = StoreKey.ToPrefix(prefix);
        Prefix = _prefix.Length == 0 ? string.Empty : _prefix[..^1];
    }

    /// <summary>The store that holds the values.</summary>
    public IStore Inner { get; }

    /// <summary>The path of the view in the inner store, without a trailing '/': "" when the view is the whole store.</summary>
    public string Prefix { get; }

    /// <inheritdoc />
    public bool IsReadOnly => Inner.IsReadOnly;

    /// <inheritdoc />
    /// <remarks>The inner store's location below <see cref="Prefix"/>: writes through the view and through the inner store
    /// (at the prefix) share their locks.</remarks>
    public StoreLocation Location => Inner.Location.Below(Prefix);

    /// <inheritdoc />
    /// <exception cref="ZarrStoreException">The key is not valid.</exception>
    public ValueTask<PooledBuffer?> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default) =>
        Inner.GetAsync(ToInner(key), range, cancellationToken);

    /// <inheritdoc />
    /// <exception cref="ZarrStoreException">The key is not valid.</exception>
    public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) =>
        Inner.ExistsAsync(ToInner(key), cancellationToken);

    /// <inheritdoc />
    /// <exception cref="ZarrStoreException">The key is not valid.</exception>
    public ValueTask<long?> GetSizeAsync(string key, CancellationToken cancellationToken = default) =>
        Inner.GetSizeAsync(ToInner(key), cancellationToken);

    /// <inheritdoc />
    /// <exception cref="ZarrStoreException">The key is not valid, or the store is read-only.</exception>
    public ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        var inner = ToInner(key);
        ThrowIfReadOnly(key);
        return Inner.SetAsync(inner, value, cancellationToken);
    }

    /// <inheritdoc />
    /// <exception cref="ZarrStoreException">The key is not valid, or the store is read-only.</exception>
    public ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var inner = ToInner(key);
        ThrowIfReadOnly(key);
        return Inner.DeleteAsync(inner, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>"" deletes every key of the view, and nothing outside it.</remarks>
    /// <exception cref="ZarrStoreException">The prefix is not valid, or the store is read-only.</exception>
    public ValueTask DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var inner = ToInnerPrefix(prefix);
        ThrowIfReadOnly(prefix);
        return Inner.DeletePrefixAsync(inner, cancellationToken);
    }

    /// <inheritdoc />
    /// <exception cref="ZarrStoreException">The prefix is not valid.</exception>
    public IAsyncEnumerable<StoreEntry> ListPrefixAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var inner = ToInnerPrefix(prefix);
        return _prefix.Length == 0 ? Inner.ListPrefixAsync(inner, cancellationToken) : ListPrefixCore(inner, cancellationToken);
    }

    /// <inheritdoc />
    /// <exception cref="ZarrStoreException">The prefix is not valid.</exception>
    public IAsyncEnumerable<string> ListDirectoryAsync(string prefix, CancellationToken cancellationToken = default) =>
        Inner.ListDirectoryAsync(ToInnerPrefix(prefix), cancellationToken); // children's names are relative already

    /// <summary>The inner store's text, then '/' and the prefix (just the inner store's text when the prefix is "").</summary>
    public override string ToString() => Prefix.Length == 0 ? Inner.ToString() ?? string.Empty : $"{Inner}/{Prefix}";

    /// <inheritdoc />
    IConditionalStore? IForwardingStore.AsConditional() =>
        StoreCapabilities.Conditional(Inner) is { } conditional ? new ConditionalView(this, conditional) : null;

    /// <inheritdoc />
    Chunks.IKeyLockingStore? IForwardingStore.AsKeyLocking() =>
        StoreCapabilities.KeyLocking(Inner) is { } locking ? new KeyLockingView(this, locking) : null;

    /// <inheritdoc />
    IVersionedReadStore? IForwardingStore.AsVersionedRead() =>
        StoreCapabilities.VersionedRead(Inner) is { } versioned ? new VersionedReadView(this, versioned) : null;

    private async IAsyncEnumerable<StoreEntry> ListPrefixCore(string innerPrefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var entry in Inner.ListPrefixAsync(innerPrefix, cancellationToken).ConfigureAwait(false))
        {
            yield return entry with { Key = entry.Key[_prefix.Length..] };
        }
    }

    private string ToInner(string key)
    {
        StoreKey.Validate(key);
        return _prefix + key;
    }

    private string ToInnerPrefix(string prefix)
    {
        StoreKey.ValidatePrefix(prefix);
        return _prefix + prefix;
    }

    private void ThrowIfReadOnly(string key)
    {
        if (Inner.IsReadOnly)
        {
            throw new ZarrStoreException(key, "store is read-only");
        }
    }

    /// <summary>The view's locks of keys: the inner store's locks of the prefixed keys.</summary>
    private sealed class KeyLockingView(PrefixStore view, Chunks.IKeyLockingStore inner) : Chunks.IKeyLockingStore
    {
        public ValueTask<IDisposable> LockKeyAsync(string key, CancellationToken cancellationToken) =>
            inner.LockKeyAsync(view.ToInner(key), cancellationToken);

        public bool TryGetStamp(string key, out FileStamp stamp) => inner.TryGetStamp(view.ToInner(key), out stamp);

        public IDisposable? KeepLocksOpen() => inner.KeepLocksOpen();
    }

    /// <summary>The view's versioned reads: the inner store's of the prefixed keys.</summary>
    private sealed class VersionedReadView(PrefixStore view, IVersionedReadStore inner) : IVersionedReadStore
    {
        public bool CanReadVersioned => inner.CanReadVersioned;

        public ValueTask<VersionedValue> GetVersionedRangeAsync(string key, ByteRange range, CancellationToken cancellationToken = default) =>
            inner.GetVersionedRangeAsync(view.ToInner(key), range, cancellationToken);

        public ValueTask<PooledBuffer?> GetRangeIfVersionAsync(string key, ByteRange range, StoreVersion expected, CancellationToken cancellationToken = default) =>
            inner.GetRangeIfVersionAsync(view.ToInner(key), range, expected, cancellationToken);
    }

    /// <summary>The view with the inner store's conditional writes of the prefixed keys; every other call is the view's.</summary>
    private sealed class ConditionalView(PrefixStore view, IConditionalStore inner) : IConditionalStore
    {
        public bool CanDeleteConditionally => inner.CanDeleteConditionally;

        public bool IsReadOnly => view.IsReadOnly;

        public StoreLocation Location => view.Location;

        public ValueTask<VersionedValue> GetVersionedAsync(string key, CancellationToken cancellationToken = default) =>
            inner.GetVersionedAsync(view.ToInner(key), cancellationToken);

        public ValueTask<bool> TrySetAsync(string key, ReadOnlyMemory<byte> value, StoreVersion expected, CancellationToken cancellationToken = default)
        {
            var innerKey = view.ToInner(key);
            view.ThrowIfReadOnly(key);
            return inner.TrySetAsync(innerKey, value, expected, cancellationToken);
        }

        public ValueTask<bool> TryDeleteAsync(string key, StoreVersion expected, CancellationToken cancellationToken = default)
        {
            var innerKey = view.ToInner(key);
            view.ThrowIfReadOnly(key);
            return inner.TryDeleteAsync(innerKey, expected, cancellationToken);
        }

        public ValueTask<PooledBuffer?> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default) => view.GetAsync(key, range, cancellationToken);

        public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => view.ExistsAsync(key, cancellationToken);

        public ValueTask<long?> GetSizeAsync(string key, CancellationToken cancellationToken = default) => view.GetSizeAsync(key, cancellationToken);

        public ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) => view.SetAsync(key, value, cancellationToken);

        public ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default) => view.DeleteAsync(key, cancellationToken);

        public ValueTask DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default) => view.DeletePrefixAsync(prefix, cancellationToken);

        public IAsyncEnumerable<StoreEntry> ListPrefixAsync(string prefix, CancellationToken cancellationToken = default) => view.ListPrefixAsync(prefix, cancellationToken);

        public IAsyncEnumerable<string> ListDirectoryAsync(string prefix, CancellationToken cancellationToken = default) => view.ListDirectoryAsync(prefix, cancellationToken);

        public override string ToString() => view.ToString();
    }
}
