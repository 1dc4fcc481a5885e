namespace Zarr.Storage.Codecs;

/// <summary>
/// One array's decoded shard indexes, each kept under the store version of the shard it was read from, so a later read
/// of inner chunks is one ranged read conditional on that version (<see cref="IVersionedReadStore"/>) instead of two.
/// A stale index is never used: a read on a version the shard no longer has returns nothing and the entry is dropped.
/// Only indexes read at a lasting version (<see cref="VersionedValue.IsLasting"/>) are kept: a directory store's stamp of
/// a file written in the last 100 ms may come back on another file with another index (an inode reused within one tick of
/// the file times' clock), so such an index serves only the read that read it. Bounded by bytes, least recently used
/// first out. Thread-safe.
/// </summary>
internal sealed class ShardIndexCache
{
    /// <summary>The default bound: 8 MiB holds the indexes of 8,192 shards of 64 inner chunks.</summary>
    public const long DefaultMaxBytes = 8L * 1024 * 1024;

    // What an entry costs beside its index bytes and its key's characters: the node, the entry, the tag, the map slot.
    private const int EntryOverhead = 160;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, LinkedListNode<CachedShardIndex>> _byKey = new(StringComparer.Ordinal);
    private readonly LinkedList<CachedShardIndex> _recency = new();
    private long _bytes;
    private long _hits;
    private long _misses;

    /// <param name="store">The store the shards are read from, with the versioned reads the cache relies on.</param>
    /// <param name="maxBytes">The most bytes the entries may take; an index larger than this is not kept.</param>
    public ShardIndexCache(IVersionedReadStore store, long maxBytes = DefaultMaxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        Store = store;
        MaxBytes = maxBytes;
    }

    /// <summary>The store's versioned reads.</summary>
    public IVersionedReadStore Store { get; }

    /// <summary>The bound on the entries' bytes.</summary>
    public long MaxBytes { get; }

    /// <summary>The bytes the entries take now.</summary>
    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    /// <summary>How many shards' indexes are kept.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _byKey.Count;
            }
        }
    }

    /// <summary>How many lookups found an index.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>How many lookups found none (each is followed by a read of the index).</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>The index kept for <paramref name="key"/> when it has <paramref name="entriesLength"/> bytes (the layout's), marked as just used.</summary>
    public bool TryGet(string key, int entriesLength, out CachedShardIndex index)
    {
        lock (_gate)
        {
            if (_byKey.TryGetValue(key, out var node) && node.Value.Entries.Length == entriesLength)
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
                index = node.Value;
                _hits++;
                return true;
            }

            _misses++;
        }

        index = null!;
        return false;
    }

    /// <summary>
    /// The decoded index <paramref name="entries"/> of version <paramref name="version"/> of the shard, as one to read
    /// by; a copy is kept only when the version is <paramref name="lasting"/> (and the index fits the bound).
    /// </summary>
    public CachedShardIndex Add(string key, StoreVersion version, bool lasting, ReadOnlySpan<byte> entries)
    {
        var index = new CachedShardIndex(key, version, entries.ToArray());
        var cost = Cost(index);
        if (!lasting || cost > MaxBytes)
        {
            return index;
        }

        lock (_gate)
        {
            if (_byKey.Remove(key, out var old))
            {
                _recency.Remove(old);
                _bytes -= Cost(old.Value);
            }

            _byKey[key] = _recency.AddFirst(index);
            _bytes += cost;
            while (_bytes > MaxBytes && _recency.Last is { } last)
            {
                _recency.RemoveLast();
                _byKey.Remove(last.Value.Key);
                _bytes -= Cost(last.Value);
            }
        }

        return index;
    }

    /// <summary>Drops the index of <paramref name="key"/> if it is still the one of <paramref name="version"/> (the shard changed).</summary>
    public void Remove(string key, StoreVersion version)
    {
        lock (_gate)
        {
            if (_byKey.TryGetValue(key, out var node) && node.Value.Version == version)
            {
                _byKey.Remove(key);
                _recency.Remove(node);
                _bytes -= Cost(node.Value);
            }
        }
    }

    private static long Cost(CachedShardIndex index) =>
        index.Entries.Length + (2L * index.Key.Length) + (2L * (index.Version.Tag?.Length ?? 0)) + EntryOverhead;
}

/// <summary>A shard's decoded index and the store version of the shard it was read from.</summary>
internal sealed class CachedShardIndex(string key, StoreVersion version, byte[] entries)
{
    /// <summary>The shard's key.</summary>
    public string Key { get; } = key;

    /// <summary>The shard's version.</summary>
    public StoreVersion Version { get; } = version;

    /// <summary>The decoded entries (16 bytes per inner chunk). Never changed once kept.</summary>
    public byte[] Entries { get; } = entries;
}
