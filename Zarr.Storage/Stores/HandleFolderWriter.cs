using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Calls = Zarr.Storage.LinuxFolderCalls;

namespace Zarr.Storage;

/// <summary>
/// The Linux <see cref="FolderWriter"/>: the check that no folder on a path is a link and the write are one step. The
/// folder that holds a key is opened from the root's handle with <c>openat2(RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH)</c>
/// (the kernel refuses a link in any segment, and any way out of the root); missing folders are made with
/// <c>mkdirat</c> and opened with <c>O_NOFOLLOW</c>; the temporary file is created with <c>openat(O_CREAT | O_EXCL |
/// O_NOFOLLOW)</c> and renamed with <c>renameat</c>, both relative to that folder's handle; deletes are <c>unlinkat</c>
/// relative to it, and a prefix is deleted by walking folder handles, never paths. A folder swapped for a link at any
/// moment is then either refused or never looked at: whatever is written or deleted is in a folder reached from the
/// root without following a link.
/// </summary>
/// <remarks>Each write opens its folder with one call whatever its depth (the kernel walks the segments), so nothing
/// needs remembering between writes: the portable writer's cache of checked folders, which a swap could outlive, is
/// not needed here.</remarks>
internal sealed class HandleFolderWriter : FolderWriter
{
    private static readonly Lazy<bool> OpenAt2Works = new(ProbeOpenAt2);

    private readonly StoreLockFile _locks;

    public HandleFolderWriter(string root, bool fsync)
        : base(root, fsync)
    {
        _locks = new StoreLockFile(OpenFolderLockFile);
    }

    /// <summary>True on Linux (x64, Arm64) with <c>openat2</c> (kernel 5.6 and later, and not filtered out by a sandbox).</summary>
    public static bool IsSupported => Calls.IsSupported && OpenAt2Works.Value;

    /// <inheritdoc />
    public override async ValueTask WriteAsync(string key, string path, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        var (relative, name) = Split(key);
        for (var attempt = 1; ; attempt++)
        {
            using var folder = OpenFolder(key, relative, create: true, "write")!;
            var temporary = DirectoryStoreFiles.NewTemporaryName(name);
            var file = Calls.CreateFile(folder, temporary);
            if (file.IsInvalid)
            {
                var error = Calls.LastError("could not create a temporary file");
                file.Dispose();
                if (error.HResult == Calls.ENOENT && attempt < CreateAttempts)
                {
                    // The folder was removed (a concurrent DeletePrefixAsync) after it was opened: open or make it again.
                    continue;
                }

                throw Failure(key, "write", error);
            }

            try
            {
                using (file)
                {
                    for (var offset = 0; offset < value.Length; offset += WriteBlockSize)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        var block = value.Slice(offset, Math.Min(WriteBlockSize, value.Length - offset));
                        await RandomAccess.WriteAsync(file, block, offset, cancellationToken).ConfigureAwait(false);
                    }

                    if (Fsync)
                    {
                        RandomAccess.FlushToDisk(file);
                    }
                }

                cancellationToken.ThrowIfCancellationRequested();
                if (Calls.Rename(folder, temporary, name) != 0)
                {
                    throw Calls.LastError("could not rename the temporary file over it");
                }
            }
            catch (Exception e)
            {
                // Best effort: the write already failed with a better error than this one would be.
                _ = Calls.Unlink(folder, Encoding.UTF8.GetBytes(temporary), 0);
                if (e is IOException or UnauthorizedAccessException)
                {
                    throw Failure(key, "write", e);
                }

                throw;
            }

            if (Fsync && Calls.Flush(folder) != 0 && Marshal.GetLastPInvokeError() != Calls.EINVAL)
            {
                // EINVAL: the file system cannot flush folders; nothing more can be done.
                throw Failure(key, "flush the folder holding", Calls.LastError("could not flush the folder"));
            }

            return;
        }
    }

    /// <inheritdoc />
    /// <remarks>A byte of the lock file of the key's folder (<see cref="StoreLockFile"/>).</remarks>
    public override IDisposable? TryLock(string key, string path) => _locks.TryLock(key);

    /// <inheritdoc />
    public override IDisposable? KeepLocksOpen() => _locks.KeepOpen();

    /// <inheritdoc />
    protected override bool TrySweepStoreLock(string folder)
    {
        var key = KeyOf(folder, DirectoryStoreFiles.StoreLockName);
        using var handle = OpenFolder(key, folder, create: false, "sweep");
        return handle is not null && StoreLockFile.TrySweep(handle);
    }

    /// <summary>
    /// Opens the folder <paramref name="folder"/> and its lock file, making them when missing (the folder's handle is kept
    /// with the file, for the unlink when the last key of the folder is let go).
    /// </summary>
    private (SafeFileHandle Folder, SafeFileHandle File) OpenFolderLockFile(string key, string folder)
    {
        var handle = OpenFolder(key, folder, create: true, "lock")!;
        var file = Calls.OpenOrCreateFile(handle, DirectoryStoreFiles.StoreLockName);
        if (file.IsInvalid)
        {
            var error = Calls.LastError("could not open the folder's lock file");
            file.Dispose();
            handle.Dispose();
            throw Failure(key, "lock", error);
        }

        return (handle, file);
    }

    /// <inheritdoc />
    protected override bool TrySweepLock(string folder, string name)
    {
        var key = KeyOf(folder, name);
        using var held = TryLockFile(key, folder, name, create: false);
        return held is not null;
    }

    /// <inheritdoc />
    protected override bool DeleteTemporary(string folder, string name)
    {
        var key = KeyOf(folder, name);
        using var handle = OpenFolder(key, folder, create: false, "sweep");
        if (handle is null || Calls.Unlink(handle, Encoding.UTF8.GetBytes(name), 0) == 0)
        {
            return handle is not null;
        }

        return Marshal.GetLastPInvokeError() == Calls.ENOENT ? false : throw Failure(key, "sweep", Calls.LastError("could not delete a temporary file"));
    }

    /// <summary>
    /// Opens (making it when missing) the lock file <paramref name="lockName"/> in the folder <paramref name="relative"/>
    /// and takes its exclusive <c>flock</c> without waiting. Null when another holds it, when the file was unlinked by its
    /// last holder between our open and our lock (the caller tries again, on the file now at the name), or when the folder
    /// is missing and <paramref name="create"/> is false.
    /// </summary>
    private FolderWriterLock? TryLockFile(string key, string relative, string lockName, bool create)
    {
        for (var attempt = 1; ; attempt++)
        {
            var folder = OpenFolder(key, relative, create, "lock");
            if (folder is null)
            {
                return null;
            }

            var file = Calls.OpenOrCreateFile(folder, lockName);
            if (file.IsInvalid)
            {
                var error = Calls.LastError("could not open the lock file");
                file.Dispose();
                folder.Dispose();
                if (error.HResult == Calls.ENOENT && attempt < CreateAttempts)
                {
                    // The folder was removed (a concurrent DeletePrefixAsync) after it was opened: open or make it again.
                    continue;
                }

                throw Failure(key, "lock", error);
            }

            if (Calls.TryLockExclusive(file) != 0)
            {
                var error = Calls.LastError("could not lock the lock file");
                file.Dispose();
                folder.Dispose();
                return error.HResult == Calls.EWOULDBLOCK ? null : throw Failure(key, "lock", error);
            }

            if (Calls.LinkCount(file) == 0)
            {
                // Its holder unlinked it as it let go, after our open: this lock guards nothing.
                file.Dispose();
                folder.Dispose();
                return null;
            }

            return new FolderWriterLock(file, folder, lockName);
        }
    }

    /// <inheritdoc />
    public override void Delete(string key, string path)
    {
        var (relative, name) = Split(key);
        using var folder = OpenFolder(key, relative, create: false, "delete");
        if (folder is null || Calls.Unlink(folder, Encoding.UTF8.GetBytes(name), 0) == 0)
        {
            return;
        }

        // Missing, or a folder (which is not a value): there is no key to delete.
        var errno = Marshal.GetLastPInvokeError();
        if (errno is not (Calls.ENOENT or Calls.EISDIR or Calls.ENOTDIR))
        {
            throw Failure(key, "delete", Calls.LastError("could not delete the file"));
        }
    }

    /// <inheritdoc />
    public override void DeletePrefix(string prefix, string folder, CancellationToken cancellationToken)
    {
        var relative = prefix.Length == 0 ? string.Empty : prefix[..^1];
        using (var handle = OpenFolder(prefix, relative, create: false, "delete"))
        {
            if (handle is null)
            {
                return;
            }

            DeleteContents(handle, relative, prefix, cancellationToken);
        }

        if (relative.Length > 0)
        {
            // The prefix's folder goes too when it is left empty; whatever now has its name in its parent is only
            // removed if it is an empty folder.
            var (parentRelative, name) = Split(relative);
            using var parent = OpenFolder(prefix, parentRelative, create: false, "delete");
            if (parent is not null)
            {
                _ = Calls.Unlink(parent, Encoding.UTF8.GetBytes(name), Calls.AtRemoveDir);
            }
        }
    }

    /// <summary>Deletes what <paramref name="folder"/> holds, through handles: files and links are unlinked, folders
    /// (opened without following links) emptied and removed; temporary files of writes in progress are left alone.</summary>
    private static void DeleteContents(SafeFileHandle folder, string relative, string prefix, CancellationToken cancellationToken)
    {
        List<byte[]> names;
        try
        {
            names = Calls.ListNames(folder);
        }
        catch (IOException e)
        {
            throw Failure(relative.Length == 0 ? prefix : relative, "delete", e);
        }

        foreach (var name in names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var text = Encoding.UTF8.GetString(name);
            if (StoreKey.IsTemporaryName(text))
            {
                continue;
            }

            var childKey = KeyOf(relative, text);
            using (var child = Calls.OpenChildFolder(folder, name))
            {
                if (!child.IsInvalid)
                {
                    DeleteContents(child, childKey, prefix, cancellationToken);

                    // Not empty (a temporary file, or a value written meanwhile) or gone: it stays, or is gone already.
                    _ = Calls.Unlink(folder, name, Calls.AtRemoveDir);
                    continue;
                }
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno == Calls.ENOENT)
            {
                continue;
            }

            // A file, or a link (to a file or a folder: unlinking it removes only the link).
            if (errno is not (Calls.ENOTDIR or Calls.ELOOP)
                || (Calls.Unlink(folder, name, 0) != 0 && Marshal.GetLastPInvokeError() != Calls.ENOENT))
            {
                throw Failure(childKey, "delete", Calls.LastError("could not delete it"));
            }
        }
    }

    /// <summary>
    /// Opens the folder <paramref name="relative"/> ("" for the root) without following a link on the way: null when it
    /// (or the root) does not exist and <paramref name="create"/> is false; made, with the folders above it, when true.
    /// </summary>
    private SafeFileHandle? OpenFolder(string key, string relative, bool create, string action)
    {
        var root = Calls.OpenRoot(Root);
        if (root.IsInvalid)
        {
            var error = Calls.LastError("could not open the store's root folder");
            root.Dispose();
            if (error.HResult != Calls.ENOENT)
            {
                throw Failure(key, action, error);
            }

            if (!create)
            {
                return null;
            }

            // The root is created by the first write (it is the user's folder: links to it are followed).
            Directory.CreateDirectory(Root);
            root = Calls.OpenRoot(Root);
            if (root.IsInvalid)
            {
                throw Failure(key, action, Calls.LastError("could not open the store's root folder"));
            }
        }

        if (relative.Length == 0)
        {
            return root;
        }

        using (root)
        {
            for (var attempt = 1; ; attempt++)
            {
                var folder = Calls.OpenBeneath(root, relative);
                if (!folder.IsInvalid)
                {
                    CountFolderLookedAt();
                    return folder;
                }

                var error = Calls.LastError("could not open the folder");
                folder.Dispose();
                switch (error.HResult)
                {
                    case Calls.ELOOP or Calls.EXDEV:
                        throw LinkRefused(key, Path.Join(Root, relative));
                    case Calls.ENOENT or Calls.ENOTDIR when !create:
                        return null;
                    case Calls.ENOENT:
                        var made = MakeFolders(key, root, relative);
                        if (made is not null || attempt == CreateAttempts)
                        {
                            return made ?? throw Failure(key, action, error);
                        }

                        break;
                    default:
                        throw Failure(key, action, error);
                }
            }
        }
    }

    /// <summary>Makes the missing folders of <paramref name="relative"/> below the deepest one that exists, each opened
    /// without following links; null when one of them was removed meanwhile (the caller tries again).</summary>
    private SafeFileHandle? MakeFolders(string key, SafeFileHandle root, string relative)
    {
        var segments = relative.Split('/');
        var existing = segments.Length - 1;
        SafeFileHandle? current = null;
        for (; existing > 0 && current is null; existing--)
        {
            var candidate = Calls.OpenBeneath(root, string.Join('/', segments, 0, existing));
            if (!candidate.IsInvalid)
            {
                CountFolderLookedAt();
                current = candidate;
                break;
            }

            var errno = Marshal.GetLastPInvokeError();
            candidate.Dispose();
            if (errno is Calls.ELOOP or Calls.EXDEV)
            {
                throw LinkRefused(key, Path.Join(Root, string.Join('/', segments, 0, existing)));
            }

            if (errno != Calls.ENOENT)
            {
                throw Failure(key, "write", Calls.LastError("could not open the folder"));
            }
        }

        current ??= Calls.OpenChildFolder(root, "."u8);
        for (var i = existing; i < segments.Length; i++)
        {
            var name = Encoding.UTF8.GetBytes(segments[i]);
            if (Calls.MakeFolder(current, name) != 0 && Marshal.GetLastPInvokeError() != Calls.EEXIST)
            {
                var error = Calls.LastError("could not create a folder");
                current.Dispose();
                return error.HResult == Calls.ENOENT ? null : throw Failure(key, "write", error);
            }

            var child = Calls.OpenChildFolder(current, name);
            current.Dispose();
            if (child.IsInvalid)
            {
                var error = Calls.LastError("could not open a folder it made");
                child.Dispose();
                return error.HResult switch
                {
                    Calls.ELOOP => throw LinkRefused(key, Path.Join(Root, string.Join('/', segments, 0, i + 1))),
                    Calls.ENOENT => null,
                    _ => throw Failure(key, "write", error),
                };
            }

            CountFolderLookedAt();
            current = child;
        }

        return current;
    }

    /// <summary>The key of <paramref name="name"/> in the folder <paramref name="folder"/> ("" for the root): <see cref="Split"/> undone.</summary>
    private static string KeyOf(string folder, string name) => folder.Length == 0 ? name : folder + "/" + name;

    /// <summary>A key or folder path split at its last '/': ("a/b", "c") for "a/b/c", ("", "c") for "c".</summary>
    private static (string Folder, string Name) Split(string key)
    {
        var slash = key.LastIndexOf('/');
        return slash < 0 ? (string.Empty, key) : (key[..slash], key[(slash + 1)..]);
    }

    private static bool ProbeOpenAt2()
    {
        if (!Calls.IsSupported)
        {
            return false;
        }

        try
        {
            using var root = Calls.OpenRoot("/");
            using var self = Calls.OpenBeneath(root, ".");
            return !self.IsInvalid;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }
}
