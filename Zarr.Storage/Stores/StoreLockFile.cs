using System.Text;
using Microsoft.Win32.SafeHandles;
using Calls = Zarr.Storage.LinuxFolderCalls;

namespace Zarr.Storage;

/// <summary>
/// The locks of a <see cref="DirectoryStore"/>'s keys across processes on Linux: one lock file in each folder that holds
/// keys (<see cref="DirectoryStoreFiles.StoreLockName"/>), open in a store object while it holds a key of that folder, and
/// one byte of it per key (at <see cref="DirectoryStoreFiles.LockOffset"/> of the key's last segment), locked with an
/// open-file-description lock (<c>F_OFD_SETLK</c>). A lock costs an open of the file (none while another key of the
/// folder is held), a lock, a stat, and at the last release a lock of the whole file, an unlink and two closes;
/// the system still releases the locks of a process that dies, so a killed writer blocks no one. While the store object
/// is kept writing (<see cref="KeepOpen"/>) the file stays open between its locks, and the last release is an unlock.
/// </summary>
/// <remarks>
/// <para>The file and the byte depend on the key's folder and name only, never on the store's root, so two processes
/// whose stores are opened at different folders of the same data (one at <c>/data</c>, one at <c>/data/grp</c>) lock a
/// chunk with the same byte of the same file.</para>
/// <para>Two names of a folder whose bytes coincide (a 62-bit hash) share a lock: it serialises them, which is safe.
/// Within this store object they share the one open of the file, whose locks never conflict with each other, so the held
/// bytes are counted here and a byte is unlocked only when its last holder lets go.</para>
/// <para>A folder's lock file is removed by the last holder of its keys (when a run of writes kept it open, once the run
/// ends), by another store object's or process's last holder, or by the sweep
/// (<see cref="DirectoryStore.SweepTemporaryFilesAsync"/>) when a killed holder left it, each only while it holds a lock
/// of the whole file, i.e. while no process holds any key of the folder. A holder that opened
/// the file before the sweep removed it sees, once it has its byte, that the file has no name any more
/// (<see cref="Calls.LinkCount"/>) and starts again on the file now at the name.</para>
/// </remarks>
internal sealed class StoreLockFile(Func<string, string, (SafeFileHandle Folder, SafeFileHandle File)> open)
{
    private static readonly byte[] LockName = Encoding.UTF8.GetBytes(DirectoryStoreFiles.StoreLockName);

    private readonly Dictionary<string, Folder> _folders = [];
    private readonly Lock _gate = new();

    // How many times a lock of a key is tried on a freshly opened lock file that a sweep then removed.
    private const int MaxLockAttempts = 64;

    // How many folders with no key held are kept open while pinned (two descriptors each); past it the one idle longest goes.
    private const int MaxIdleFolders = 64;

    private int _pins;
    private long _idleSequence;

    /// <summary>
    /// Keeps each folder's lock file open after the last key of the folder is let go, until the result is disposed (then
    /// the files no one holds go as at a last release): a run of chunk writes, whose locks seldom overlap, opens, makes
    /// and removes the file once instead of at every write, which cost W4 of the benchmark 3 % of its CPU time. Up to
    /// <see cref="MaxIdleFolders"/> folders at a time, the latest used. Pins count: the files go when the last pin does.
    /// Nothing else changes: a file kept open holds no byte, so another
    /// store object or process may still lock its keys or sweep it, and a lock taken on it after a sweep finds it has no
    /// name and opens the new one.
    /// </summary>
    public IDisposable KeepOpen()
    {
        lock (_gate)
        {
            _pins++;
        }

        return new Pin(this);
    }

    /// <summary>
    /// Takes the lock of <paramref name="key"/> if no one holds it (another process, another store object, or another lock
    /// of this one); null when one does.
    /// </summary>
    /// <exception cref="ZarrStoreException">The lock file could not be made or locked.</exception>
    public IDisposable? TryLock(string key)
    {
        var slash = key.LastIndexOf('/');
        var folderKey = slash < 0 ? string.Empty : key[..slash];
        var name = slash < 0 ? key : key[(slash + 1)..];
        var offset = DirectoryStoreFiles.LockOffset(name);
        lock (_gate)
        {
            if (_folders.TryGetValue(folderKey, out var folder))
            {
                if (folder.Names.Contains(name))
                {
                    return null;
                }

                if (folder.Held.TryGetValue(offset, out var holders))
                {
                    // Another name of this store object holds the byte: the byte is this process's, so the key is too.
                    folder.Names.Add(name);
                    folder.Held[offset] = holders + 1;
                    return new Held(this, folderKey, name, offset);
                }
            }

            for (var attempt = 1; ; attempt++)
            {
                if (folder is null)
                {
                    var (handle, file) = open(key, folderKey);
                    folder = new Folder(handle, file);
                    _folders[folderKey] = folder;
                }

                if (Calls.TryLockRange(folder.File, offset, 1) != 0)
                {
                    var error = Calls.LastError("could not lock the folder's lock file");
                    if (folder.Held.Count == 0)
                    {
                        // Nothing held in the folder: no descriptor is kept while the caller waits (or gives up).
                        Close(folderKey, folder);
                    }

                    return error.HResult is Calls.EWOULDBLOCK or Calls.EACCES ? null : throw Failure(key, error);
                }

                if (Calls.LinkCount(folder.File) != 0)
                {
                    folder.Names.Add(name);
                    folder.Held[offset] = 1;
                    return new Held(this, folderKey, name, offset);
                }

                // The sweep removed the file after we opened it: this lock guards nothing; open the one now at the name.
                // No other byte is held on the old file: the sweep removes it only while no one holds any, and each byte
                // held here was taken while the file still had its name.
                // Each loss needs a sweep between our open and our lock: another store object or process releasing the
                // folder's last key, which busy writers do often, and a loaded machine can deschedule us in that window
                // several times in a row (4 attempts were lost so in CI). Once we hold a byte of the new file no sweep
                // can remove it, so a few more tries, yielding between them, settle it.
                Close(folderKey, folder);
                folder = null;
                if (attempt == MaxLockAttempts)
                {
                    throw Failure(key, new IOException($"the folder's lock file was removed again and again while being locked ({MaxLockAttempts} times)"));
                }

                Thread.Yield();
            }
        }
    }

    /// <summary>
    /// Removes a folder's lock file when no process holds a key of the folder (a lock of the whole file is granted); true
    /// when it went.
    /// </summary>
    /// <param name="folder">A handle of the folder.</param>
    public static bool TrySweep(SafeFileHandle folder)
    {
        using var file = Calls.OpenOrCreateFile(folder, DirectoryStoreFiles.StoreLockName);
        if (file.IsInvalid || Calls.TryLockRange(file, 0, 0) != 0)
        {
            return false;
        }

        return UnlinkLocked(folder, file);
    }

    // Removes the lock file whose whole range the caller holds, if it still has its name: then the name is this file's
    // (lock files are never renamed, and no one unlinks one without holding all of it), and whoever locks a byte of it
    // later sees it has no name. One that lost its name (another's last release or sweep removed it while we held
    // nothing) is left alone: the name may be a new file, whose bytes others may hold.
    private static bool UnlinkLocked(SafeFileHandle folder, SafeFileHandle file) =>
        Calls.LinkCount(file) > 0 && Calls.Unlink(folder, LockName, 0) == 0;

    private void Release(string folderKey, string name, long offset)
    {
        lock (_gate)
        {
            var folder = _folders[folderKey];
            folder.Names.Remove(name);
            var holders = folder.Held[offset];
            if (holders > 1)
            {
                folder.Held[offset] = holders - 1;
                return;
            }

            folder.Held.Remove(offset);
            if (folder.Held.Count > 0)
            {
                // (An unlock of a byte this open holds does not fail short of a closed handle.)
                _ = Calls.UnlockRange(folder.File, offset, 1);
                return;
            }

            if (_pins > 0)
            {
                // Kept writing: the file stays open, holding no byte, for the next lock of the folder; at the limit the
                // folder idle the longest goes (runs move from folder to folder: a v3 array's c/i/ rows).
                folder.IdleSince = ++_idleSequence;
                if (OldestIdle(out var idle) is { } oldest && idle > MaxIdleFolders)
                {
                    LetGo(oldest.Key, oldest.Value);
                }

                _ = Calls.UnlockRange(folder.File, offset, 1);
                return;
            }

            LetGo(folderKey, folder);
        }
    }

    private void Unpin()
    {
        lock (_gate)
        {
            if (--_pins > 0)
            {
                return;
            }

            foreach (var (folderKey, folder) in _folders.Where(f => f.Value.IsIdle).ToList())
            {
                LetGo(folderKey, folder);
            }
        }
    }

    // No byte held in the folder: the file is closed (which releases the last one), so a store object keeps no
    // descriptor (and no entry) between its writes; the next lock opens it again. When no other process holds a key of
    // the folder either (a lock of the whole file is granted), the file goes first, so the data's folders keep no lock
    // files between writes; one that opened it meanwhile finds it has no name and starts again.
    private void LetGo(string folderKey, Folder folder)
    {
        if (Calls.TryLockRange(folder.File, 0, 0) == 0)
        {
            _ = UnlinkLocked(folder.Handle, folder.File);
        }

        Close(folderKey, folder);
    }

    // The folder kept open the longest with no byte held, and how many are (the one being released among them, by its
    // held bytes: it went idle last, so it is chosen only when it is the only one).
    private KeyValuePair<string, Folder>? OldestIdle(out int count)
    {
        count = 0;
        KeyValuePair<string, Folder>? oldest = null;
        foreach (var entry in _folders)
        {
            if (entry.Value.IsIdle)
            {
                count++;
                if (oldest is not { } o || entry.Value.IdleSince < o.Value.IdleSince)
                {
                    oldest = entry;
                }
            }
        }

        return oldest;
    }

    private void Close(string folderKey, Folder folder)
    {
        _folders.Remove(folderKey);
        folder.File.Dispose();
        folder.Handle.Dispose();
    }

    private static ZarrStoreException Failure(string key, Exception inner) => new(key, $"could not lock: {inner.Message}", inner);

    /// <summary>A folder's open lock file, the names of the folder held through it and the holders of each byte.</summary>
    private sealed class Folder(SafeFileHandle handle, SafeFileHandle file)
    {
        public SafeFileHandle Handle { get; } = handle;

        public SafeFileHandle File { get; } = file;

        public HashSet<string> Names { get; } = [];

        public Dictionary<long, int> Held { get; } = [];

        /// <summary>Open with no byte held: kept for the next lock while the store object is pinned (an entry is removed
        /// as its last byte goes otherwise).</summary>
        public bool IsIdle => Held.Count == 0;

        /// <summary>When it went idle last, in the order folders go idle (the one idle the longest goes first).</summary>
        public long IdleSince { get; set; }
    }

    /// <summary>A pin of the open lock files; disposing it lets go once.</summary>
    private sealed class Pin(StoreLockFile owner) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Unpin();
            }
        }
    }

    /// <summary>A held key's byte; disposing it lets go once.</summary>
    private sealed class Held(StoreLockFile owner, string folderKey, string name, long offset) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Release(folderKey, name, offset);
            }
        }
    }
}
