namespace Zarr.Storage.Chunks;

/// <summary>
/// A store whose keys can be locked across processes: what makes a read-modify-write of a chunk (or of a metadata
/// document) safe on a store without conditional writes. The <see cref="DirectoryStore"/> is one (an OS lock on a lock
/// file per key); object stores are <see cref="IConditionalStore"/>s instead (a compare-and-swap on the version read).
/// </summary>
internal interface IKeyLockingStore
{
    /// <summary>
    /// Waits until no other process (and no other lock of this process) holds the lock of <paramref name="key"/>, then holds
    /// it until the result is disposed. A lock held by a process that died is free: the system releases it.
    /// </summary>
    /// <exception cref="ZarrStoreException">The lock file could not be made or locked (the message names the key).</exception>
    ValueTask<IDisposable> LockKeyAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Keeps what the locks of this store object need open between them until the result is disposed (the directory
    /// store on Linux: each folder's lock file), for a run of writes; null when the store keeps nothing. The locks are the
    /// same either way.
    /// </summary>
    IDisposable? KeepLocksOpen();

    /// <summary>
    /// A cheap identity of <paramref name="key"/>'s value now (a file's inode, size and times), which a replaced or
    /// changed value does not share with the old one as long as the old one's times lie in the past; false when the store
    /// has none for it (a missing key, or a system without it): then the value itself is to be read.
    /// </summary>
    bool TryGetStamp(string key, out FileStamp stamp);
}
