using System.Buffers;
using System.IO.Compression;
using Microsoft.Win32.SafeHandles;
using Zarr.Storage.Buffers;
using Zarr.Storage.Internal;

namespace Zarr.Storage;

// The writing session and its commit: the temporary file values are appended to, and the archive written from it and
// from the file the store started from, renamed over the target in one step.
public sealed partial class ZipStore
{
    /// <summary>
    /// Writes the archive: the entries of this session and those of the file it started from that are still wanted
    /// become the target file, in one rename, so the target is either as it was or the complete new archive. The store
    /// stays open, and reads and writes go on from the file just written (a later write needs a later commit). Call it
    /// when no other call on the store is running. A read-only store, or one with nothing to write, has nothing to commit.
    /// </summary>
    /// <param name="cancellationToken">Cancels the commit before the rename: the target is then unchanged and the
    /// session kept, so it can be committed again.</param>
    /// <returns>A task that completes once the archive is written and renamed over the target.</returns>
    /// <exception cref="ZarrStoreException">The archive could not be written; the target file is then unchanged, the
    /// session's writes are discarded, the temporary files removed and the store closed.</exception>
    /// <exception cref="OperationCanceledException">The commit was cancelled before the rename.</exception>
    /// <exception cref="ObjectDisposedException">The store was disposed.</exception>
    public async ValueTask CommitAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        if (IsReadOnly)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            if (!_changed)
            {
                return;
            }

            try
            {
                await WriteArchiveAsync(cancellationToken).ConfigureAwait(false);
                StartOver();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The handles were closed for the rename, or the new file cannot be read: the store cannot go on.
                Interlocked.Exchange(ref _disposed, 1);
                Close();
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The session's temporary file, created on first use (under the gate).</summary>
    private SafeFileHandle EnsureSession()
    {
        if (_session is not null)
        {
            return _session;
        }

        var (path, handle) = CreateTemporary();
        _sessionPath = path;
        _session = handle;
        _end = 0;
        return handle;
    }

    private (string Path, SafeFileHandle Handle) CreateTemporary()
    {
        var folder = System.IO.Path.GetDirectoryName(Path)!;
        var path = System.IO.Path.Join(folder, StoreKey.NewTemporaryName(System.IO.Path.GetFileName(Path)));
        try
        {
            return (path, File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.Asynchronous));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ZarrStoreException(null, $"could not create a temporary file beside the zip file '{Path}': {e.Message}", e);
        }
    }

    /// <summary>Writes the archive to a temporary file and renames it over the target (under the gate).</summary>
    private async ValueTask WriteArchiveAsync(CancellationToken cancellationToken)
    {
        string? compactPath = null;
        SafeFileHandle? compact = null;
        try
        {
            var session = EnsureSession();
            var live = _entries.Values.ToList();
            var kept = new List<(ZipEntry Entry, long Offset)>(live.Count + _unlisted.Count);
            SafeFileHandle output;
            long end;
            if (_dead > 0 || RandomAccess.GetLength(session) > _end)
            {
                // Overwrites, deletes or failed writes left dead space: copy what lives into a fresh file.
                (compactPath, compact) = CreateTemporary();
                output = compact;
                end = 0;
                foreach (var entry in live.Where(e => e.InSession).OrderBy(e => e.HeaderOffset))
                {
                    kept.Add((entry, end));
                    end = await CopyEntryAsync(session, entry, output, end, cancellationToken).ConfigureAwait(false);
                }
            }
            else
            {
                output = session;
                end = _end;
                kept.AddRange(live.Where(e => e.InSession).Select(e => (e, e.HeaderOffset)));
            }

            foreach (var entry in live.Where(e => !e.InSession).Concat(_unlisted).OrderBy(e => e.HeaderOffset))
            {
                kept.Add((entry, end));
                end = await CopyEntryAsync(_source!, entry, output, end, cancellationToken).ConfigureAwait(false);
            }

            kept.Sort(static (a, b) => a.Offset.CompareTo(b.Offset));
            using var directory = new MemoryStream();
            foreach (var (entry, offset) in kept)
            {
                ZipFormat.WriteCentralHeader(directory, entry, offset);
            }

            var directoryLength = directory.Length;
            ZipFormat.WriteEnd(directory, kept.Count, end, directoryLength);
            await RandomAccess.WriteAsync(output, directory.GetBuffer().AsMemory(0, (int)directory.Length), end, cancellationToken).ConfigureAwait(false);
            RandomAccess.SetLength(output, end + directory.Length);
            if (_options.Fsync)
            {
                RandomAccess.FlushToDisk(output);
            }

            // The last moment a cancellation leaves the session as it was.
            cancellationToken.ThrowIfCancellationRequested();

            // Close every handle on the old and new files before the rename (Windows needs it; it costs nothing elsewhere).
            _session!.Dispose();
            compact?.Dispose();
            _source?.Dispose();
            File.Move(compactPath ?? _sessionPath!, Path, overwrite: true);
            if (compactPath is not null)
            {
                compactPath = null;
            }
            else
            {
                _sessionPath = null;
            }

            if (_options.Fsync)
            {
                DirectorySync.Flush(System.IO.Path.GetDirectoryName(Path)!);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ZarrStoreException(null, $"could not write the zip file '{Path}' (it is unchanged): {e.Message}", e);
        }
        finally
        {
            compact?.Dispose();
            if (compactPath is not null)
            {
                TryDelete(compactPath);
            }
        }
    }

    /// <summary>Copies an entry (a fresh local header, then its data as it is) to <paramref name="output"/> at <paramref name="offset"/>; returns the new end.</summary>
    private async ValueTask<long> CopyEntryAsync(SafeFileHandle input, ZipEntry entry, SafeFileHandle output, long offset, CancellationToken cancellationToken)
    {
        var dataOffset = await GetDataOffsetAsync(input, entry, cancellationToken).ConfigureAwait(false);
        var header = ZipFormat.LocalHeader(ZipFormat.EncodeName(entry.Name), ZipFormat.NameFlags(entry.Name), entry.Method, entry.DosTime, entry.DosDate, entry.Crc, entry.CompressedSize, entry.Size);
        await RandomAccess.WriteAsync(output, header, offset, cancellationToken).ConfigureAwait(false);
        offset += header.Length;
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(CopyBlockSize, Math.Max(1, entry.CompressedSize)));
        try
        {
            for (long copied = 0; copied < entry.CompressedSize;)
            {
                var want = (int)Math.Min(buffer.Length, entry.CompressedSize - copied);
                var n = await RandomAccess.ReadAsync(input, buffer.AsMemory(0, want), dataOffset + copied, cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new ZarrStoreException(entry.Name, $"the zip file '{Path}' ends inside this entry's data: it is truncated");
                }

                await RandomAccess.WriteAsync(output, buffer.AsMemory(0, n), offset + copied, cancellationToken).ConfigureAwait(false);
                copied += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return offset + entry.CompressedSize;
    }

    /// <summary>After a commit (under the gate): the file just written becomes the one the store started from.</summary>
    private void StartOver()
    {
        if (_sessionPath is not null)
        {
            // A compacted copy was renamed over the target: the session file it came from is left over.
            TryDelete(_sessionPath);
            _sessionPath = null;
        }

        _session = null;
        _end = 0;
        _dead = 0;
        _changed = false;
        _entries.Clear();
        _unlisted.Clear();
        _source = OpenSource(mustExist: true);
        Index(_source!);
    }

    /// <summary>Closes every handle, removes the session's temporary file if it is still there, and releases the lock (under the gate).</summary>
    private void Close()
    {
        _session?.Dispose();
        _source?.Dispose();
        _session = null;
        _source = null;
        if (_sessionPath is not null)
        {
            TryDelete(_sessionPath);
            _sessionPath = null;
        }

        _lock?.Dispose();
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a stray temporary file is never a key and never read.
        }
    }
}
