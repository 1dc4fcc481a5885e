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
