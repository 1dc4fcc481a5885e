using Zarr.Storage.Buffers;

namespace Zarr.Storage;

/// <summary>One stored value's key and size in bytes, as listed.</summary>
/// <param name="Key">The key, relative to the store's root, '/'-separated.</param>
/// <param name="Size">The value's size in bytes.</param>
public readonly record struct StoreEntry(string Key, long Size);

/// <summary>
/// A store that can read values. Keys are '/'-separated paths relative to the store's root, without a leading
/// slash. A missing key is not an error: it reads as null (for a chunk: the fill value).
/// </summary>
public interface IReadableStore
{
    /// <summary>
    /// Reads the value of <paramref name="key"/>, or the part of it that <paramref name="range"/> names;
    /// null when the key does not exist. The caller owns and disposes the buffer.
    /// </summary>
    ValueTask<PooledBuffer?> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default);

    /// <summary>True when <paramref name="key"/> has a value.</summary>
    ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>The size in bytes of the value of <paramref name="key"/>, or null when it does not exist.</summary>
    ValueTask<long?> GetSizeAsync(string key, CancellationToken cancellationToken = default);
}

/// <summary>A store that can write and delete values. A write is atomic: a reader sees the old value or the new one, never a mix.</summary>
public interface IWritableStore
{
    /// <summary>Writes (creates or replaces) the value of <paramref name="key"/>.</summary>
    ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default);

    /// <summary>Deletes <paramref name="key"/>; deleting a key that does not exist does nothing.</summary>
    ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Deletes every key that starts with <paramref name="prefix"/> (a folder: end it with '/'; "" deletes everything).</summary>
    ValueTask DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default);
}

/// <summary>A store that can list its keys.</summary>
public interface IListableStore
{
    /// <summary>Every key (with its size) that starts with <paramref name="prefix"/>, at any depth, in no particular order.</summary>
    IAsyncEnumerable<StoreEntry> ListPrefixAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>
    /// The names of the immediate children of the folder <paramref name="prefix"/> ("" for the root, else ending in '/'):
    /// values and sub-folders alike, each name once, without the prefix and without a trailing '/'.
    /// </summary>
    IAsyncEnumerable<string> ListDirectoryAsync(string prefix, CancellationToken cancellationToken = default);
}

/// <summary>A store that reads, writes, deletes and lists: what arrays and groups are kept in.</summary>
public interface IStore : IReadableStore, IWritableStore, IListableStore
{
    /// <summary>True when writes are refused.</summary>
    bool IsReadOnly { get; }

    /// <summary>
    /// Where the store keeps its values: store objects with equal locations read and write the same values, and this
    /// library serialises chunk read-modify-writes and metadata changes per location (within this process), not per
    /// store object. By default the store object itself (<see cref="StoreLocation.OfObject"/>), which is right for a
    /// store whose values no other object holds; a store over a folder or a file says which
    /// (<see cref="StoreLocation.OfFolder"/>), and a view over another store says where in it
    /// (<see cref="StoreLocation.Below"/> of the inner store's location).
    /// </summary>
    StoreLocation Location => StoreLocation.OfObject(this);
}
