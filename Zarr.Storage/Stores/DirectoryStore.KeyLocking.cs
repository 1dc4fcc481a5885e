using Zarr.Storage.Chunks;

namespace Zarr.Storage;

// The directory store's locks of keys across processes (IKeyLockingStore).
public sealed partial class DirectoryStore
{
    /// <inheritdoc />
    async ValueTask<IDisposable> IKeyLockingStore.LockKeyAsync(string key, CancellationToken cancellationToken)
    {
        var path = GetPath(key);
        ThrowIfReadOnly(key);
        var ceiling = 1;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_writer.TryLock(key, path) is { } held)
            {
                return held;
            }

            // Held by another process (or another lock of this one): wait a little, at random, so waiters spread out.
            await Task.Delay(Random.Shared.Next(1, ceiling + 1), cancellationToken).ConfigureAwait(false);
            ceiling = Math.Min(ceiling * 2, LockWaitCeilingMilliseconds);
        }
    }

    /// <inheritdoc />
    /// <remarks>On Linux: the file's device, inode, size and change and modification times (<c>statx</c>); elsewhere none.</remarks>
    bool IKeyLockingStore.TryGetStamp(string key, out FileStamp stamp)
    {
        if (LinuxFolderCalls.IsSupported)
        {
            return LinuxFolderCalls.TryGetStamp(GetPath(key), out stamp);
        }

        stamp = default;
        return false;
    }

    /// <inheritdoc />
    /// <remarks>On Linux each folder's lock file stays open between this store object's locks of its keys (at most 64 folders).</remarks>
    IDisposable? IKeyLockingStore.KeepLocksOpen() => _writer.KeepLocksOpen();
}
