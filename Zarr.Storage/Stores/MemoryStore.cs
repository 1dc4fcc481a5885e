using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Zarr.Storage.Buffers;

namespace Zarr.Storage;

/// <summary>
/// A store that keeps its values in memory. Thread-safe: any number of readers and writers may use it at once,
/// and each write replaces a value whole, so a reader sees the old value or the new one.
/// </summary>
/// <remarks>Values are copied in on <see cref="SetAsync"/> and copied out on <see cref="GetAsync"/>, so neither
/// side can change what the other holds. Writes can be conditional (<see cref="IConditionalStore"/>): each value has a
/// version, a number no other value of this store had.</remarks>
public sealed class MemoryStore : IConditionalStore, IVersionedReadStore
{
    private static long s_lastVersion;
    private readonly ConcurrentDictionary<string, Entry> _values = new(StringComparer.Ordinal);
    private StoreLocation? _location;

    /// <summary>Creates an empty, writable store.</summary>
    public MemoryStore()
    {
    }

    /// <summary>Creates a store holding a copy of <paramref name="content"/>, read-only when <paramref name="readOnly"/> is true.</summary>
    /// <exception cref="ZarrStoreException">A key of <paramref name="content"/> is not valid.</exception>
    public MemoryStore(IEnumerable<KeyValuePair<string, byte[]>> content, bool readOnly = false)
    {
        ArgumentNullException.ThrowIfNull(content);
        foreach (var (key, value) in content)
        {
            StoreKey.Validate(key);
            ArgumentNullException.ThrowIfNull(value);
            _values[key] = new Entry((byte[])value.Clone());
        }

        IsReadOnly = readOnly;
    }

    /// <inheritdoc />
    public bool IsReadOnly { get; }

    /// <inheritdoc />
    /// <remarks>The store object itself: no other store holds its values.</remarks>
    public StoreLocation Location => _location ??= StoreLocation.OfObject(this);

    /// <summary>How many keys the store holds.</summary>
    public int Count => _values.Count;

    /// <inheritdoc />
    public ValueTask<PooledBuffer?> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        StoreKey.Validate(key);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_values.TryGetValue(key, out var entry))
        {
            return ValueTask.FromResult<PooledBuffer?>(null);
        }

        var value = entry.Value;
        var (start, count) = range is { } r ? r.Resolve(value.Length) : (0, value.Length);
        return ValueTask.FromResult<PooledBuffer?>(PooledBuffer.CopyOf(value.AsSpan((int)start, (int)count)));
    }

    /// <inheritdoc />
    public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
    {
        StoreKey.Validate(key);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_values.ContainsKey(key));
    }

    /// <inheritdoc />
    public ValueTask<long?> GetSizeAsync(string key, CancellationToken cancellationToken = default)
    {
        StoreKey.Validate(key);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_values.TryGetValue(key, out var entry) ? entry.Value.Length : (long?)null);
    }

    /// <inheritdoc />
    /// <exception cref="ZarrStoreException">The key is not valid, or the store is read-only.</exception>
    public ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        StoreKey.Validate(key);
        ThrowIfReadOnly(key);
        cancellationToken.ThrowIfCancellationRequested();
        _values[key] = new Entry(value.ToArray());
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    /// <exception cref="ZarrStoreException">The key is not valid, or the store is read-only.</exception>
    public ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        StoreKey.Validate(key);
        ThrowIfReadOnly(key);
        cancellationToken.ThrowIfCancellationRequested();
        _values.TryRemove(key, out _);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    /// <exception cref="ZarrStoreException">The prefix is not valid, or the store is read-only.</exception>
    public ValueTask DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default)
    {
        StoreKey.ValidatePrefix(prefix);
        ThrowIfReadOnly(prefix);
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var key in _values.Keys)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                _values.TryRemove(key, out _);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    /// <exception cref="ZarrStoreException">The prefix is not valid.</exception>
    public IAsyncEnumerable<StoreEntry> ListPrefixAsync(string prefix, CancellationToken cancellationToken = default)
    {
        StoreKey.ValidatePrefix(prefix);
        return KeyListing.ToAsync(KeyListing.WithPrefix(_values, prefix, static v => v.Value.Length), cancellationToken);
    }

    /// <inheritdoc />
    /// <exception cref="ZarrStoreException">The prefix is not valid.</exception>
    public IAsyncEnumerable<string> ListDirectoryAsync(string prefix, CancellationToken cancellationToken = default)
    {
        StoreKey.ValidatePrefix(prefix);
        return KeyListing.ToAsync(KeyListing.ChildNames(_values.Keys, prefix), cancellationToken);
    }

    /// <inheritdoc />
    public bool CanDeleteConditionally => true;

    /// <inheritdoc />
    public ValueTask<VersionedValue> GetVersionedAsync(string key, CancellationToken cancellationToken = default)
    {
        StoreKey.Validate(key);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_values.TryGetValue(key, out var entry)
            ? new VersionedValue(PooledBuffer.CopyOf(entry.Value), entry.Version)
            : new VersionedValue(null, StoreVersion.Absent));
    }

    /// <inheritdoc />
    /// <exception cref="ZarrStoreException">The key is not valid, or the store is read-only.</exception>
    public ValueTask<bool> TrySetAsync(string key, ReadOnlyMemory<byte> value, StoreVersion expected, CancellationToken cancellationToken = default)
    {
        StoreKey.Validate(key);
        ThrowIfReadOnly(key);
        cancellationToken.ThrowIfCancellationRequested();
        var replacement = new Entry(value.ToArray());
        if (expected.IsAbsent)
        {
            return ValueTask.FromResult(_values.TryAdd(key, replacement));
        }

        // Entries compare by reference: the swap happens only if the entry read is still the one stored.
        return ValueTask.FromResult(_values.TryGetValue(key, out var current) && current.Version == expected && _values.TryUpdate(key, replacement, current));
    }

    /// <inheritdoc />
    /// <exception cref="ZarrStoreException">The key is not valid, or the store is read-only.</exception>
    public ValueTask<bool> TryDeleteAsync(string key, StoreVersion expected, CancellationToken cancellationToken = default)
    {
        StoreKey.Validate(key);
        ThrowIfReadOnly(key);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_values.TryGetValue(key, out var current))
        {
            return ValueTask.FromResult(expected.IsAbsent);
        }

        return ValueTask.FromResult(current.Version == expected && _values.TryRemove(new KeyValuePair<string, Entry>(key, current)));
    }

    /// <inheritdoc />
    public bool CanReadVersioned => true;

    /// <inheritdoc />
    /// <remarks>The version is the value's generation (the one <see cref="GetVersionedAsync"/> gives).</remarks>
    public ValueTask<VersionedValue> GetVersionedRangeAsync(string key, ByteRange range, CancellationToken cancellationToken = default)
    {
        StoreKey.Validate(key);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_values.TryGetValue(key, out var entry)
            ? new VersionedValue(CopyOut(entry, range), entry.Version)
            : new VersionedValue(null, StoreVersion.Absent));
    }

    /// <inheritdoc />
    public ValueTask<PooledBuffer?> GetRangeIfVersionAsync(string key, ByteRange range, StoreVersion expected, CancellationToken cancellationToken = default)
    {
        StoreKey.Validate(key);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_values.TryGetValue(key, out var entry) && entry.Version == expected ? CopyOut(entry, range) : null);
    }

    private static PooledBuffer CopyOut(Entry entry, ByteRange range)
    {
        var (start, count) = range.Resolve(entry.Value.Length);
        return PooledBuffer.CopyOf(entry.Value.AsSpan((int)start, (int)count));
    }

    /// <summary>Returns "MemoryStore".</summary>
    public override string ToString() => "MemoryStore";

    private void ThrowIfReadOnly(string key)
    {
        if (IsReadOnly)
        {
            throw new ZarrStoreException(key, "store is read-only");
        }
    }

    /// <summary>A stored value and its version; compared by reference, so a swap succeeds only on the entry read.</summary>
    private sealed class Entry(byte[] value)
    {
        public byte[] Value { get; } = value;

        public StoreVersion Version { get; } = StoreVersion.Of(Interlocked.Increment(ref s_lastVersion).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
