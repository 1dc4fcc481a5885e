using System.IO.Enumeration;
using System.Runtime.CompilerServices;
using Microsoft.Win32.SafeHandles;
using Zarr.Storage.Buffers;
using Zarr.Storage.Chunks;
using Zarr.Storage.Internal;

namespace Zarr.Storage;

/// <summary>
/// A store kept in a folder on disk: the key <c>a/b/c</c> is the file <c>a/b/c</c> below <see cref="Root"/>.
/// Thread-safe; the same layout zarr-python's <c>LocalStore</c>/<c>DirectoryStore</c> reads and writes.
/// </summary>
/// <remarks>
/// <para>Writes are atomic: the value is written to a temporary file in the same folder (named
/// <c>.{name}.{16 hex digits}.tmp</c>, which is never a valid key and never listed) and then renamed over the target,
/// so a reader sees the old value or the new one, never a mix. If a write fails or is cancelled, the temporary file is
/// deleted and the old value stays as it was. With <see cref="DirectoryStoreOptions.Fsync"/> the data and the rename
/// are flushed to the disk.</para>
/// <para>Nothing outside the root is touched: every key is checked by <see cref="StoreKey"/>, its full path must lie
/// inside the root, and writes and deletes refuse to go through a symbolic link to a folder below the root. Reads follow
/// such links (as zarr-python does); listings do not descend into them. On Linux (x64 and Arm64, kernel 5.6 and later)
/// the check and the write or delete are one step: the folder holding a key is opened from the root's handle with
/// <c>openat2</c>, which refuses a link in any segment, and the temporary file, the rename and deletes are made relative
/// to that handle, so even a folder swapped for a link by someone else at any moment cannot send a write or a delete
/// outside the root. Elsewhere each folder is checked before the write (and remembered, so a write costs a few file
/// system calls at any depth), and a folder swapped for a link between the check and the write is not caught.</para>
/// <para>The root folder is created by the first write, not by the constructor; a missing root reads as an empty store.</para>
/// <para>Across processes: a partial write of a chunk (a read-modify-write) holds the chunk's lock, a lock the system
/// releases when its holder dies, so writers in other processes never lose an update and a killed writer never blocks
/// anyone. On Linux the lock is one byte (a hash of the key's last segment) of one lock file in the key's folder,
/// <c>.locks.fffffffe00000000.tmp</c>, locked with an open-file-description lock (<c>F_OFD_SETLK</c>; a plain
/// <c>fcntl</c>/<c>lockf</c> lock of the same byte by another program conflicts with it): file and byte depend on where
/// the key's file is, not on the store's root, so processes exclude each other whether their stores are opened at the
/// same folder or at different folders of the same data. Elsewhere it is a lock file beside the key, opened without
/// sharing. The array layer holds it for a whole chunk's write too (a rename is atomic by
/// itself, but one landing between another process's read and write back of the chunk would be lost to it), and checks
/// the array's stored shape under it (by the metadata file's inode, size and times, re-reading the document when they
/// changed), so a resize in another process is never undone by a writer holding the old shape. A killed writer's
/// temporary file is swept by the next writer (<see cref="DirectoryStoreOptions.SweepTemporaryFiles"/>), and so is the
/// folder's lock file while no process holds a key of the folder; the names of these files are in the reserved temporary form above,
/// so no listing shows them.</para>
/// </remarks>
public sealed partial class DirectoryStore : IStore, IKeyLockingStore, IVersionedReadStore
{
    // The wait between two tries of a held lock file: a random delay under a ceiling that doubles up to this.
    private const int LockWaitCeilingMilliseconds = 16;

    // On Unix, RandomAccess runs a file's async I/O on the thread pool whatever the options; on Windows,
    // FileOptions.Asynchronous gives overlapped I/O, which is what the async calls below want.
    private const FileOptions ReadOptions = FileOptions.Asynchronous;
    private const FileShare ReadShare = FileShare.ReadWrite | FileShare.Delete;

    private static readonly StringComparison PathComparison =
        OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    private readonly DirectoryStoreOptions _options;
    private readonly string _rootWithSeparator;
    private readonly FolderWriter _writer;
    private StoreLocation? _location;
    private Task? _sweep;

    /// <summary>Opens (without creating) the folder <paramref name="root"/> as a store.</summary>
    /// <param name="root">The folder; relative paths are resolved against the current directory now.</param>
    /// <param name="options">The options, copied; null for the defaults.</param>
    /// <exception cref="ArgumentException"><paramref name="root"/> is null, empty or not a valid path.</exception>
    public DirectoryStore(string root, DirectoryStoreOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        _options = options?.Clone() ?? new DirectoryStoreOptions();
        Root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        _rootWithSeparator = Path.EndsInDirectorySeparator(Root) ? Root : Root + Path.DirectorySeparatorChar;
        _writer = FolderWriter.Create(Root, _options.Fsync);
    }

    /// <summary>The full path of the store's folder.</summary>
    public string Root { get; }

    /// <inheritdoc />
    public bool IsReadOnly => _options.ReadOnly;

    /// <inheritdoc />
    /// <remarks>The folder's full path with symbolic links resolved (as far as it exists when first asked), so every
    /// DirectoryStore on the folder, by any path, shares its chunk and metadata locks, and so does one on a parent folder
    /// for the keys below it. These in-process locks come first; a read-modify-write then also holds the key's lock file,
    /// which orders it with other processes (see the class remarks).</remarks>
    public StoreLocation Location => _location ??= StoreLocation.OfFolder(Root);

    /// <summary>True when writes are flushed to the disk (<see cref="DirectoryStoreOptions.Fsync"/>).</summary>
    public bool Fsync => _options.Fsync;

    /// <inheritdoc />
    /// <exception cref="ZarrStoreException">The key is not valid, or the file could not be read.</exception>
    public async ValueTask<PooledBuffer?> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        var path = GetPath(key);
        cancellationToken.ThrowIfCancellationRequested();
        using var handle = OpenForRead(key, path);
        if (handle is null)
        {
            return null;
        }

        return await ReadAsync(handle, key, range, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>On Linux (x64 and Arm64); elsewhere .NET gives no <c>fstat</c> of an open handle.</remarks>
    public bool CanReadVersioned => LinuxFolderCalls.IsSupported;

    /// <inheritdoc />
    /// <remarks>The version is the file's device, inode, size and change and modification times to the nanosecond, from
    /// <c>fstat</c> of the handle the bytes are read from: a value replaced by a rename is another inode, one changed in
    /// place has other times (same-second changes included). It is lasting only once both times lie 100 ms or more
    /// before the read: a younger file's inode and stamp may be given to a file written just after it is freed.</remarks>
    public async ValueTask<VersionedValue> GetVersionedRangeAsync(string key, ByteRange range, CancellationToken cancellationToken = default)
    {
        var path = GetPath(key);
        cancellationToken.ThrowIfCancellationRequested();
        using var handle = OpenForRead(key, path);
        if (handle is null)
        {
            return new VersionedValue(null, StoreVersion.Absent);
        }

        var takenAt = Clock.GetUtcNow();
        var stamp = StampOf(handle, key);
        var value = await ReadAsync(handle, key, range, cancellationToken).ConfigureAwait(false);
        return new VersionedValue(value, StoreVersion.Of(stamp.ToTag()), stamp.IsSettledAt(takenAt));
    }

    /// <summary>The clock a stamp's age is judged by (<see cref="FileStamp.IsSettledAt"/>); tests set one they move.</summary>
    internal TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <inheritdoc />
    /// <remarks>Open, <c>fstat</c>, compare, read: the bytes come from the handle whose stamp was compared.</remarks>
    public async ValueTask<PooledBuffer?> GetRangeIfVersionAsync(string key, ByteRange range, StoreVersion expected, CancellationToken cancellationToken = default)
    {
        var path = GetPath(key);
        cancellationToken.ThrowIfCancellationRequested();
        using var handle = OpenForRead(key, path);
        if (handle is null || expected.IsAbsent || StampOf(handle, key).ToTag() != expected.Tag)
        {
            return null;
        }

        return await ReadAsync(handle, key, range, cancellationToken).ConfigureAwait(false);
    }

    private static FileStamp StampOf(SafeFileHandle handle, string key)
    {
        if (!LinuxFolderCalls.IsSupported)
        {
            throw new ZarrStoreException(key, "versioned reads need fstat of an open file, which this platform's directory store does not have (CanReadVersioned is false)");
        }

        if (!LinuxFolderCalls.TryGetStamp(handle, out var stamp))
        {
            throw Failure(key, "read", new IOException($"fstat failed (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()})"));
        }

        return stamp;
    }

    // The range of the open file (all of it for null), clamped to its length.
    private static async ValueTask<PooledBuffer> ReadAsync(SafeFileHandle handle, string key, ByteRange? range, CancellationToken cancellationToken)
    {
        PooledBuffer? buffer = null;
        try
        {
            var length = RandomAccess.GetLength(handle);
            var (start, count) = range is { } r ? r.Resolve(length) : (0, length);
            if (count > Array.MaxLength)
            {
                throw new ZarrStoreException(key, $"{count} bytes are too many to read into one buffer (at most {Array.MaxLength})");
            }

            buffer = PooledBuffer.Rent((int)count);
            var read = 0;
            while (read < count)
            {
                var n = await RandomAccess.ReadAsync(handle, buffer.Memory[read..], start + read, cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            buffer.SetLength(read);
            return buffer;
        }
        catch (Exception e)
        {
            buffer?.Dispose();
            if (e is IOException or UnauthorizedAccessException)
            {
                throw Failure(key, "read", e);
            }

            throw;
        }
    }

    /// <inheritdoc />
    /// <exception cref="ZarrStoreException">The key is not valid.</exception>
    public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = GetPath(key);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(File.Exists(path));
    }

    /// <inheritdoc />
    /// <exception cref="ZarrStoreException">The key is not valid.</exception>
    public ValueTask<long?> GetSizeAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = GetPath(key);
        cancellationToken.ThrowIfCancellationRequested();
        var info = new FileInfo(path);
        return ValueTask.FromResult(info.Exists ? info.Length : (long?)null);
    }

    /// <inheritdoc />
    /// <exception cref="ZarrStoreException">The key is not valid, the store is read-only, or the file could not be written
    /// (the message names the key; the inner exception is the system's). The old value, if any, is then unchanged.</exception>
    /// <exception cref="OperationCanceledException">The write was cancelled before the rename; the old value is unchanged.</exception>
    public ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        var path = GetPath(key);
        ThrowIfReadOnly(key);
        cancellationToken.ThrowIfCancellationRequested();
        return IsSwept ? _writer.WriteAsync(key, path, value, cancellationToken) : SweptThenAsync(key, path, value, cancellationToken);

        async ValueTask SweptThenAsync(string key, string path, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
        {
            await SweepOnceAsync(cancellationToken).ConfigureAwait(false);
            await _writer.WriteAsync(key, path, value, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    /// <exception cref="ZarrStoreException">The key is not valid, the store is read-only, or the file could not be deleted.</exception>
    public ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = GetPath(key);
        ThrowIfReadOnly(key);
        cancellationToken.ThrowIfCancellationRequested();
        if (!IsSwept)
        {
            return SweptThenAsync(key, path, cancellationToken);
        }

        _writer.Delete(key, path);
        return ValueTask.CompletedTask;

        async ValueTask SweptThenAsync(string key, string path, CancellationToken cancellationToken)
        {
            await SweepOnceAsync(cancellationToken).ConfigureAwait(false);
            _writer.Delete(key, path);
        }
    }

    /// <inheritdoc />
    /// <remarks>Deletes the files below the prefix's folder, then every folder that is left empty (the prefix's folder
    /// included, the root excepted). Temporary files of writes in progress are left alone.</remarks>
    /// <exception cref="ZarrStoreException">The prefix is not valid, the store is read-only, or a file could not be deleted.</exception>
    public ValueTask DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var folder = GetFolder(prefix);
        ThrowIfReadOnly(prefix);
        cancellationToken.ThrowIfCancellationRequested();
        _writer.DeletePrefix(prefix, folder, cancellationToken);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    /// <remarks>Sizes come from the folder walk. Temporary files, names that are not valid key segments, and the
    /// contents of linked folders are skipped.</remarks>
    /// <exception cref="ZarrStoreException">The prefix is not valid, or a folder could not be read.</exception>
    public IAsyncEnumerable<StoreEntry> ListPrefixAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var folder = GetFolder(prefix);
        var folderWithSeparator = folder + Path.DirectorySeparatorChar;
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false };
        return Enumerate(
            () => new FileSystemEnumerable<StoreEntry>(
                folder,
                (ref FileSystemEntry e) => new StoreEntry(MakeKey(prefix, folderWithSeparator, ref e), e.Length),
                options)
            {
                ShouldIncludePredicate = static (ref FileSystemEntry e) => !e.IsDirectory && StoreKey.IsValidSegment(e.FileName),
                ShouldRecursePredicate = static (ref FileSystemEntry e) => !IsLink(ref e) && StoreKey.IsValidSegment(e.FileName),
            },
            prefix,
            cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>Lists files, folders and links alike; temporary files and names that are not valid key segments are skipped.</remarks>
    /// <exception cref="ZarrStoreException">The prefix is not valid, or the folder could not be read.</exception>
    public IAsyncEnumerable<string> ListDirectoryAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var folder = GetFolder(prefix);
        var options = new EnumerationOptions { RecurseSubdirectories = false, AttributesToSkip = 0, IgnoreInaccessible = false };
        return Enumerate(
            () => new FileSystemEnumerable<string>(folder, static (ref FileSystemEntry e) => e.FileName.ToString(), options)
            {
                ShouldIncludePredicate = static (ref FileSystemEntry e) => StoreKey.IsValidSegment(e.FileName),
            },
            prefix,
            cancellationToken);
    }

    /// <summary>
    /// Deletes the temporary files that writers killed mid-write left below the root, and the lock files no one holds
    /// (on Linux; elsewhere lock files stay, empty and unlisted). A file whose writer (the process its name records) is
    /// still running is never touched, so this is safe beside live writers on this machine.
    /// </summary>
    /// <returns>How many files were deleted.</returns>
    /// <exception cref="ZarrStoreException">The store is read-only, a folder could not be read, or a file could not be deleted.</exception>
    public Task<int> SweepTemporaryFilesAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfReadOnly(string.Empty);
        return Task.Run(() => _writer.SweepTemporaryFiles(cancellationToken), cancellationToken);
    }

    /// <summary>True once the first write's sweep is done (or when there is none to do).</summary>
    private bool IsSwept => !_options.SweepTemporaryFiles || _sweep is { IsCompletedSuccessfully: true };

    /// <summary>The sweep of killed writers' temporary files, made once by the first write or delete (which waits for it).</summary>
    private Task SweepOnceAsync(CancellationToken cancellationToken)
    {
        var sweep = Volatile.Read(ref _sweep);
        if (sweep is null || sweep.IsFaulted || sweep.IsCanceled)
        {
            // A failed sweep is tried again by the next write, and fails it too: the folder cannot be read.
            var started = Task.Run(() => _writer.SweepTemporaryFiles(CancellationToken.None));
            sweep = Interlocked.CompareExchange(ref _sweep, started, sweep) == sweep ? started : _sweep!;
        }

        return sweep.WaitAsync(cancellationToken);
    }

    /// <summary>How many folders the link check has opened or looked at on disk so far: what a write's check costs, for tests.</summary>
    internal long FoldersLookedAt => _writer.FoldersLookedAt;

    /// <summary>Whether writes and deletes go through folder handles (Linux) rather than paths, for tests.</summary>
    internal bool WritesThroughHandles => _writer is HandleFolderWriter;

    /// <summary>Returns "DirectoryStore(" + the full path of the root + ")".</summary>
    public override string ToString() => $"DirectoryStore({Root})";

    /// <summary>Runs a folder walk (made lazily: building one opens the folder) as an async sequence, a missing folder as empty.</summary>
    private static async IAsyncEnumerable<T> Enumerate<T>(Func<IEnumerable<T>> source, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        IEnumerator<T>? enumerator = null;
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                T item;
                try
                {
                    enumerator ??= source().GetEnumerator();
                    if (!enumerator.MoveNext())
                    {
                        yield break;
                    }

                    item = enumerator.Current;
                }
                catch (DirectoryNotFoundException)
                {
                    // A missing folder lists as empty.
                    yield break;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw Failure(prefix, "list", e);
                }

                yield return item;
            }
        }
        finally
        {
            enumerator?.Dispose();
        }
    }

    private static string MakeKey(string prefix, string folderWithSeparator, ref FileSystemEntry entry)
    {
        var directory = entry.Directory;
        if (directory.Length < folderWithSeparator.Length)
        {
            return string.Concat(prefix, entry.FileName);
        }

        var relative = directory[folderWithSeparator.Length..];
        var key = string.Concat(prefix, relative, "/", entry.FileName);
        return Path.DirectorySeparatorChar == '/' ? key : key.Replace(Path.DirectorySeparatorChar, '/');
    }

    private static bool IsLink(ref FileSystemEntry entry) => (entry.Attributes & FileAttributes.ReparsePoint) != 0;

    /// <summary>The full path of <paramref name="key"/>, after checking the key and that the path lies inside the root.</summary>
    private string GetPath(string key)
    {
        StoreKey.Validate(key);
        var relative = Path.DirectorySeparatorChar == '/' ? key : key.Replace('/', Path.DirectorySeparatorChar);
        var path = Path.GetFullPath(_rootWithSeparator + relative);
        if (path.Length <= _rootWithSeparator.Length || !path.StartsWith(_rootWithSeparator, PathComparison))
        {
            throw new ZarrStoreException(key, $"resolves to {UserText.Quote(path)}, which is outside the store's root '{Root}'");
        }

        return path;
    }

    /// <summary>The full path of the folder a prefix names: the root for "".</summary>
    private string GetFolder(string prefix)
    {
        StoreKey.ValidatePrefix(prefix);
        return prefix.Length == 0 ? Root : GetPath(prefix[..^1]);
    }

    private static SafeFileHandle? OpenForRead(string key, string path)
    {
        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, ReadShare, ReadOptions);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        catch (UnauthorizedAccessException) when (Directory.Exists(path))
        {
            // A folder is not a value.
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failure(key, "open", e);
        }
    }

    private void ThrowIfReadOnly(string key)
    {
        if (_options.ReadOnly)
        {
            throw new ZarrStoreException(key, "store is read-only");
        }
    }

    private static ZarrStoreException Failure(string key, string action, Exception inner) =>
        new(key, $"could not {action}: {inner.Message}", inner);
}
