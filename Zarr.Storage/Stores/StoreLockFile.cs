using System.Text;
using Microsoft.Win32.SafeHandles;
using Calls = Zarr.Storage.LinuxFolderCalls;

namespace Zarr.Storage;

/// <summary>
/// The locks of a <see cref="DirectoryStore"/>'s keys across processes on Linux: one file at the root
/// (<see cref="DirectoryStoreFiles.StoreLockName"/>), open in a store object while it holds a key, and one byte of it per key (at
/// <see cref="DirectoryStoreFiles.LockOffset"/>), locked with an open-file-description lock (<c>F_OFD_SETLK</c>). A lock
/// costs an open of an existing file (none while another key is held), a lock, a stat and a close, where a lock file per
/// key cost a file create and an unlink besides; the system still releases the locks of a process that dies, so a
/// killed writer blocks no one.
/// </summary>
/// <remarks>
/// <para>Two keys whose bytes coincide (a 62-bit hash) share a lock: it serialises them, which is safe. Within this store
/// object they share the one open of the file, whose locks never conflict with each other, so the held bytes are counted
/// here and a byte is unlocked only when its last holder lets go.</para>
/// <para>The file is removed only by the sweep (<see cref="DirectoryStore.SweepTemporaryFilesAsync"/>), and only while
/// it holds a lock of the whole file, i.e. while no process holds any key. A holder that opened the file before the
/// sweep removed it sees, once it has its byte, that the file has no name any more (<see cref="Calls.LinkCount"/>) and
/// starts again on the file now at the name.</para>
/// </remarks>
internal sealed class StoreLockFile(Func<string, SafeFileHandle> open)
{
    private readonly HashSet<string> _keys = [];
    private readonly Dictionary<long, int> _held = [];
    private readonly Lock _gate = new();
    private SafeFileHandle? _file;

    /// <summary>
    /// Takes the lock of <paramref name="key"/> if no one holds it (another process, another store object, or another lock
    /// of this one); null when one does.
    /// </summary>
    /// <exception cref="ZarrStoreException">The lock file could not be made or locked.</exception>
    public IDisposable? TryLock(string key)
    {
        var offset = DirectoryStoreFiles.LockOffset(key);
        lock (_gate)
        {
            if (_keys.Contains(key))
            {
                return null;
            }

            if (_held.TryGetValue(offset, out var holders))
            {
                // Another key of this store object holds the byte: the byte is this process's, so the key is too.
                _keys.Add(key);
                _held[offset] = holders + 1;
                return new Held(this, key, offset);
            }

            for (var attempt = 1; ; attempt++)
            {
                var file = _file ??= open(key);
                if (Calls.TryLockRange(file, offset, 1) != 0)
                {
                    var error = Calls.LastError("could not lock the store's lock file");
                    if (_held.Count == 0)
                    {
                        // Nothing held: no descriptor is kept while the caller waits (or gives up).
                        _file = null;
                        file.Dispose();
                    }

                    return error.HResult is Calls.EWOULDBLOCK or Calls.EACCES ? null : throw Failure(key, error);
                }

                if (Calls.LinkCount(file) != 0)
                {
                    _keys.Add(key);
                    _held[offset] = 1;
                    return new Held(this, key, offset);
                }

                // The sweep removed the file after we opened it: this lock guards nothing; open the one now at the name.
                // No other byte is held on the old file: the sweep removes it only while no one holds any, and each byte
                // held here was taken while the file still had its name.
                _file = null;
                file.Dispose();
                if (attempt == 4)
                {
                    throw Failure(key, new IOException("the store's lock file was removed again and again while being locked"));
                }
            }
        }
    }

    /// <summary>
    /// Removes the store's lock file when no process holds a key (a lock of the whole file is granted); true when it went.
    /// </summary>
    /// <param name="root">A handle of the store's root folder.</param>
    public static bool TrySweep(SafeFileHandle root)
    {
        using var file = Calls.OpenOrCreateFile(root, DirectoryStoreFiles.StoreLockName);
        if (file.IsInvalid || Calls.TryLockRange(file, 0, 0) != 0)
        {
            return false;
        }

        // Unlinked while the whole file is locked: whoever locks a byte of this file later sees it has no name.
        return Calls.Unlink(root, Encoding.UTF8.GetBytes(DirectoryStoreFiles.StoreLockName), 0) == 0;
    }

    private void Release(string key, long offset)
    {
        lock (_gate)
        {
            _keys.Remove(key);
            var holders = _held[offset];
            if (holders > 1)
            {
                _held[offset] = holders - 1;
                return;
            }

            _held.Remove(offset);
            if (_held.Count > 0)
            {
                // (An unlock of a byte this open holds does not fail short of a closed handle.)
                _ = Calls.UnlockRange(_file!, offset, 1);
                return;
            }

            // No byte held: the file is closed (which releases the last one), so a store object keeps no descriptor
            // between its writes; the next lock opens it again.
            _file!.Dispose();
            _file = null;
        }
    }

    private static ZarrStoreException Failure(string key, Exception inner) => new(key, $"could not lock: {inner.Message}", inner);

    /// <summary>A held key's byte; disposing it lets go once.</summary>
    private sealed class Held(StoreLockFile owner, string key, long offset) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Release(key, offset);
            }
        }
    }
}
