using System.Collections.Concurrent;
using System.IO.Enumeration;
using Microsoft.Win32.SafeHandles;

namespace Zarr.Storage;

/// <summary>
/// The portable <see cref="FolderWriter"/> (Windows, macOS, Linux on other architectures): each folder on a path is
/// checked not to be a link, then the file is written, renamed and deleted by path. A folder swapped for a link between
/// the check and the write is not caught; <see cref="HandleFolderWriter"/> closes that gap where it can.
/// </summary>
/// <remarks>
/// Only the folders below the deepest one already checked are looked at, top down, and each that is a real folder is
/// remembered (until <see cref="DeletePrefix"/>, or once many thousands are): writing below a folder checked before costs
/// a lookup, not a file system call per level. (Looking at every folder from the root made a write at depth d cost d
/// calls on paths of length d, and creating d nested groups, one write per level, cubic time.)
/// </remarks>
internal sealed class PathFolderWriter(string root, bool fsync) : FolderWriter(root, fsync)
{
    // On Windows, FileOptions.Asynchronous gives overlapped I/O, which the async calls below want.
    private const FileOptions WriteOptions = FileOptions.Asynchronous;

    // How many checked folders are remembered before the memory starts over.
    private const int CheckedFoldersLimit = 1 << 16;

    // Folders below the root found to be real folders (not links) by an earlier write or delete.
    private readonly ConcurrentDictionary<string, byte> _checkedFolders =
        new(OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);

    private int _checkedFolderCount;

    /// <inheritdoc />
    public override async ValueTask WriteAsync(string key, string path, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        EnsureNoLinkedFolder(key, path);
        var folder = Path.GetDirectoryName(path)!;
        var temporary = Path.Join(folder, DirectoryStoreFiles.NewTemporaryName(Path.GetFileName(path)));
        try
        {
            using (var handle = CreateTemporary(folder, temporary))
            {
                for (var offset = 0; offset < value.Length; offset += WriteBlockSize)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var block = value.Slice(offset, Math.Min(WriteBlockSize, value.Length - offset));
                    await RandomAccess.WriteAsync(handle, block, offset, cancellationToken).ConfigureAwait(false);
                }

                if (Fsync)
                {
                    RandomAccess.FlushToDisk(handle);
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e)
        {
            TryDeleteFile(temporary);
            if (e is IOException or UnauthorizedAccessException)
            {
                throw Failure(key, "write", e);
            }

            throw;
        }

        if (Fsync)
        {
            try
            {
                DirectorySync.Flush(folder);
            }
            catch (IOException e)
            {
                throw Failure(key, "flush the folder holding", e);
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>The lock is .NET's: <see cref="FileShare.None"/>, a sharing mode on Windows and an exclusive
    /// <c>flock</c> on Unix (unless DOTNET_SYSTEM_IO_DISABLEFILELOCKING turns that off). The lock file stays after use:
    /// without a way to tell an unlinked lock file from the one at the name, removing it could let two holders in.</remarks>
    public override IDisposable? TryLock(string key, string path)
    {
        EnsureNoLinkedFolder(key, path);
        var folder = Path.GetDirectoryName(path)!;
        var lockPath = Path.Join(folder, DirectoryStoreFiles.LockName(Path.GetFileName(path)));
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return new FolderWriterLock(File.OpenHandle(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None), null, null);
            }
            catch (IOException e) when (e is DirectoryNotFoundException or FileNotFoundException && attempt < CreateAttempts)
            {
                Directory.CreateDirectory(folder);
            }
            catch (IOException) when (File.Exists(lockPath))
            {
                // Another open holds it (a sharing violation).
                return null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw Failure(key, "lock", e);
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>Lock files stay here (see <see cref="TryLock"/>).</remarks>
    protected override bool TrySweepLock(string folder, string name) => false;

    /// <inheritdoc />
    protected override bool DeleteTemporary(string folder, string name)
    {
        var path = Path.Join(Root, folder, name);
        if (!File.Exists(path))
        {
            return false;
        }

        File.Delete(path);
        return true;
    }

    /// <inheritdoc />
    public override void Delete(string key, string path)
    {
        EnsureNoLinkedFolder(key, path);
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            // Its folder does not exist, so neither does the key.
        }
        catch (UnauthorizedAccessException) when (Directory.Exists(path))
        {
            // A folder is not a value: there is no key to delete.
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failure(key, "delete", e);
        }
    }

    /// <inheritdoc />
    public override void DeletePrefix(string prefix, string folder, CancellationToken cancellationToken)
    {
        EnsureNoLinkedFolder(prefix, folder + Path.DirectorySeparatorChar);
        if (!Directory.Exists(folder))
        {
            return;
        }

        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false };
        string current = prefix;
        try
        {
            var files = new FileSystemEnumerable<string>(folder, static (ref FileSystemEntry e) => e.ToFullPath(), options)
            {
                // Files and links (to files or folders: deleting a link deletes only the link), but not temporary files.
                ShouldIncludePredicate = static (ref FileSystemEntry e) => (!e.IsDirectory || IsLink(ref e)) && !StoreKey.IsTemporaryName(e.FileName),
                ShouldRecursePredicate = static (ref FileSystemEntry e) => !IsLink(ref e),
            };
            foreach (var file in files)
            {
                cancellationToken.ThrowIfCancellationRequested();
                current = file;
                File.Delete(file);
            }

            var folders = new FileSystemEnumerable<string>(folder, static (ref FileSystemEntry e) => e.ToFullPath(), options)
            {
                ShouldIncludePredicate = static (ref FileSystemEntry e) => e.IsDirectory && !IsLink(ref e),
                ShouldRecursePredicate = static (ref FileSystemEntry e) => !IsLink(ref e),
            }.ToList();

            // Deepest first, so that a folder is empty by the time it is removed.
            folders.Sort(static (a, b) => b.Length.CompareTo(a.Length));
            if (prefix.Length > 0)
            {
                folders.Add(folder);
            }

            foreach (var emptied in folders)
            {
                cancellationToken.ThrowIfCancellationRequested();
                TryDeleteEmptyFolder(emptied);
            }
        }
        catch (DirectoryNotFoundException)
        {
            // Removed by someone else meanwhile: nothing left to delete.
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failure(ToKey(current, prefix), "delete", e);
        }
        finally
        {
            // Folders were removed: one made again later is checked again.
            ForgetCheckedFolders();
        }
    }

    private static bool IsLink(ref FileSystemEntry entry) => (entry.Attributes & FileAttributes.ReparsePoint) != 0;

    /// <summary>Refuses a path that goes through a symbolic link (or junction) to a folder between the root and its last segment.</summary>
    private void EnsureNoLinkedFolder(string key, string path)
    {
        var separator = Path.DirectorySeparatorChar;
        var index = RootWithSeparator.Length;
        var checkedFolders = _checkedFolders.GetAlternateLookup<ReadOnlySpan<char>>();
        for (var end = path.LastIndexOf(separator); end >= RootWithSeparator.Length; end = path.LastIndexOf(separator, end - 1))
        {
            if (checkedFolders.ContainsKey(path.AsSpan(0, end)))
            {
                index = end + 1;
                break;
            }
        }

        while (true)
        {
            var next = path.IndexOf(separator, index);
            if (next < 0)
            {
                return;
            }

            var folder = path[..next];
            var info = new DirectoryInfo(folder);
            CountFolderLookedAt();
            if (!info.Exists)
            {
                // Nothing below a missing folder exists either; it will be created as a real folder.
                return;
            }

            if (info.LinkTarget is not null)
            {
                throw LinkRefused(key, folder);
            }

            Remember(folder);
            index = next + 1;
        }
    }

    private void Remember(string folder)
    {
        // ConcurrentDictionary.Count takes every lock: the adds are counted here instead (roughly, which is enough).
        if (_checkedFolders.TryAdd(folder, 0) && Interlocked.Increment(ref _checkedFolderCount) > CheckedFoldersLimit)
        {
            ForgetCheckedFolders();
        }
    }

    private void ForgetCheckedFolders()
    {
        _checkedFolders.Clear();
        Interlocked.Exchange(ref _checkedFolderCount, 0);
    }

    private static SafeFileHandle CreateTemporary(string folder, string temporary)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return File.OpenHandle(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, WriteOptions);
            }
            catch (IOException e) when (e is DirectoryNotFoundException or FileNotFoundException && attempt < CreateAttempts)
            {
                // The folder is missing (first write below it, or a concurrent DeletePrefixAsync removed it): create it.
                // .NET reports ENOENT as FileNotFoundException when another writer created the folder between the
                // failed open and its own check, so both mean "try again with the folder there".
                Directory.CreateDirectory(folder);
            }
        }
    }

    private static void TryDeleteFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the write already failed with a better error than this one.
        }
    }

    private static void TryDeleteEmptyFolder(string path)
    {
        try
        {
            Directory.Delete(path, recursive: false);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone.
        }
        catch (IOException)
        {
            // Not empty (a temporary file of a write in progress, or a new value): it stays.
        }
    }
}
