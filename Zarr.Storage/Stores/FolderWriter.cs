namespace Zarr.Storage;

/// <summary>
/// How a <see cref="DirectoryStore"/> changes its folder: writes, deletes and deletes by prefix, each refusing to go
/// through a symbolic link to a folder below the root. Two ways, chosen when the store is built:
/// <see cref="HandleFolderWriter"/> on Linux, which checks and acts in one step through folder handles, so a folder
/// swapped for a link at any moment cannot send a write elsewhere; and <see cref="PathFolderWriter"/> everywhere else,
/// which checks each folder and then acts by path (a swap between the two is not caught).
/// </summary>
internal abstract class FolderWriter
{
    protected const int WriteBlockSize = 1 << 20;
    protected const int CreateAttempts = 4;

    private long _foldersLookedAt;

    protected FolderWriter(string root, bool fsync)
    {
        Root = root;
        RootWithSeparator = Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar;
        Fsync = fsync;
    }

    /// <summary>The store's root folder (a full path).</summary>
    protected string Root { get; }

    /// <summary>The root with a separator at its end.</summary>
    protected string RootWithSeparator { get; }

    /// <summary>Whether writes are flushed to the disk.</summary>
    protected bool Fsync { get; }

    /// <summary>How many folders have been opened or looked at on disk to check a path: what the checks cost, for tests.</summary>
    public long FoldersLookedAt => Interlocked.Read(ref _foldersLookedAt);

    /// <summary>The one for this system: handles where the system offers them, paths elsewhere.</summary>
    public static FolderWriter Create(string root, bool fsync) =>
        HandleFolderWriter.IsSupported ? new HandleFolderWriter(root, fsync) : new PathFolderWriter(root, fsync);

    /// <summary>Writes <paramref name="value"/> as the file <paramref name="path"/> (the key's full path), atomically.</summary>
    /// <exception cref="ZarrStoreException">A folder on the way is a link, or the file could not be written.</exception>
    public abstract ValueTask WriteAsync(string key, string path, ReadOnlyMemory<byte> value, CancellationToken cancellationToken);

    /// <summary>Deletes the file <paramref name="path"/>; a missing file, or a folder, is no error.</summary>
    /// <exception cref="ZarrStoreException">A folder on the way is a link, or the file could not be deleted.</exception>
    public abstract void Delete(string key, string path);

    /// <summary>Deletes everything below <paramref name="folder"/> (the prefix's folder) except temporary files, then the
    /// folders left empty, <paramref name="folder"/> included unless it is the root.</summary>
    /// <exception cref="ZarrStoreException">A folder on the way is a link, or something could not be deleted.</exception>
    public abstract void DeletePrefix(string prefix, string folder, CancellationToken cancellationToken);

    /// <summary>
    /// Takes the lock of <paramref name="key"/> if no one holds it, with a lock the system releases when the holder lets go
    /// or dies: on Linux a byte of the lock file of the key's folder (<see cref="StoreLockFile"/>), elsewhere the key's own lock file
    /// (<see cref="DirectoryStoreFiles.LockName"/>, in the key's folder, made with the folders above it when missing).
    /// Null when another holds it.
    /// </summary>
    /// <exception cref="ZarrStoreException">A folder on the way is a link, or the lock file could not be made or locked.</exception>
    public abstract IDisposable? TryLock(string key, string path);

    /// <summary>Keeps the lock files of this writer's locks open between them until the result is disposed; null when it keeps none.</summary>
    public virtual IDisposable? KeepLocksOpen() => null;

    /// <summary>
    /// Deletes the temporary files that writers which died left below the root (the process named in the file's name is
    /// not alive, see <see cref="DirectoryStoreFiles"/>), and the lock files no one holds; returns how many went (the
    /// store's own lock file, removed too when no key is held, is not counted). A live
    /// writer's temporary file and a held lock file are never touched; links to folders are not followed.
    /// </summary>
    /// <exception cref="ZarrStoreException">A folder could not be read, or a file could not be deleted.</exception>
    public int SweepTemporaryFiles(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(Root))
        {
            return 0;
        }

        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false };
        var files = new System.IO.Enumeration.FileSystemEnumerable<string>(Root, static (ref System.IO.Enumeration.FileSystemEntry e) => e.ToFullPath(), options)
        {
            ShouldIncludePredicate = static (ref System.IO.Enumeration.FileSystemEntry e) => !e.IsDirectory && StoreKey.IsTemporaryName(e.FileName),
            ShouldRecursePredicate = static (ref System.IO.Enumeration.FileSystemEntry e) => (e.Attributes & FileAttributes.ReparsePoint) == 0,
        };
        var alive = new Dictionary<int, bool>();
        var swept = 0;
        var current = Root;
        try
        {
            foreach (var file in files)
            {
                cancellationToken.ThrowIfCancellationRequested();
                current = file;
                var name = Path.GetFileName(file);
                var folder = ToKey(Path.GetDirectoryName(file)!, string.Empty);
                if (name == DirectoryStoreFiles.StoreLockName)
                {
                    // Removed when no key of its folder is held, but not counted: it is no killed writer's leftover.
                    _ = TrySweepStoreLock(folder);
                }
                else if (DirectoryStoreFiles.IsLockName(name))
                {
                    swept += TrySweepLock(folder, name) ? 1 : 0;
                }
                else if (DirectoryStoreFiles.WriterOf(name) is { } writer && !IsAlive(writer, alive))
                {
                    swept += DeleteTemporary(folder, name) ? 1 : 0;
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
            // The root or a folder went meanwhile (a concurrent delete): this sweep stops, the next one takes the rest.
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failure(ToKey(current, string.Empty), "sweep the temporary files of killed writers at", e);
        }

        return swept;
    }

    /// <summary>Deletes the lock file (<see cref="DirectoryStoreFiles.StoreLockName"/>) of the folder <paramref name="folder"/>
    /// (relative to the root) if no one holds any key of it; true when it went.</summary>
    protected virtual bool TrySweepStoreLock(string folder) => false;

    /// <summary>Deletes the lock file <paramref name="name"/> in the folder <paramref name="folder"/> (relative to the root)
    /// if no one holds it; true when it went.</summary>
    protected abstract bool TrySweepLock(string folder, string name);

    /// <summary>Deletes the temporary file <paramref name="name"/> in the folder <paramref name="folder"/> (relative to the
    /// root); true when it went (false when it was gone already).</summary>
    protected abstract bool DeleteTemporary(string folder, string name);

    // Whether a process with this id runs (on this host, in this pid namespace); asked once per id and sweep.
    private static bool IsAlive(int processId, Dictionary<int, bool> known)
    {
        if (processId == Environment.ProcessId)
        {
            return true;
        }

        if (!known.TryGetValue(processId, out var alive))
        {
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(processId);
                alive = !process.HasExited;
            }
            catch (ArgumentException)
            {
                alive = false;
            }
            catch (InvalidOperationException)
            {
                alive = false;
            }

            known[processId] = alive;
        }

        return alive;
    }

    /// <summary>The path relative to the root (with '/') of a full path below it; <paramref name="fallback"/> otherwise.</summary>
    protected string ToKey(string path, string fallback) =>
        path.StartsWith(RootWithSeparator, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal) && path.Length > RootWithSeparator.Length
            ? path[RootWithSeparator.Length..].Replace(Path.DirectorySeparatorChar, '/')
            : fallback;

    protected void CountFolderLookedAt() => Interlocked.Increment(ref _foldersLookedAt);

    protected static ZarrStoreException Failure(string key, string action, Exception inner) =>
        new(key, $"could not {action}: {inner.Message}", inner);

    protected static ZarrStoreException LinkRefused(string key, string folder) =>
        new(key, $"{Internal.UserText.Quote(folder)} is a symbolic link; this store does not write or delete through links");
}
