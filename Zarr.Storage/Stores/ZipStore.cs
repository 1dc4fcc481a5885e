using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using Microsoft.Win32.SafeHandles;
using Zarr.Storage.Buffers;
using Zarr.Storage.Internal;

namespace Zarr.Storage;

/// <summary>
/// A store kept in one zip file, laid out as zarr-python's <c>ZipStore</c> lays it out: one entry per key, named by the
/// key, stored uncompressed by default. Thread-safe. <b>A writable ZipStore writes its file only when committed</b>
/// (<see cref="CommitAsync"/>); disposing it, with <c>await using</c>, closes it and discards what was not committed.
/// </summary>
/// <remarks>
/// <para><b>Reading</b> (<see cref="ZipStoreMode.Read"/>): the central directory is read when the store is built; after that
/// any number of threads read at once. A ranged read of a stored entry reads only that range; a deflated entry is inflated
/// from its start up to the end of the range. Whole reads check the entry's CRC-32. Zip64 archives (more than 65,535
/// entries or more than 4 GiB) are read; encrypted entries and compression methods other than stored and deflate are
/// refused when read. When an archive holds the same name twice (zarr-python appends a duplicate when a key is
/// overwritten) the last one wins, as Python's zipfile reads it.</para>
/// <para><b>Writing</b> (<see cref="ZipStoreMode.Create"/> and <see cref="ZipStoreMode.Append"/>): a zip file is written
/// front to back, so the store keeps an index in memory and appends each value to a temporary file beside the target
/// (<c>.{name}.{16 hex digits}.tmp</c>), where it can be read back at once. Overwriting a key writes a new entry and
/// forgets the old one; deleting a key forgets it. When the store is committed, the entries of the file it started from
/// that are still wanted are copied over (as they are, without recompressing), the dead space left by overwrites and
/// deletes is compacted away, the central directory is written, and the temporary file is renamed over the target. So
/// the target is always either the old file or the complete new one: a crash or an exception at any point never leaves
/// it half written. The archive holds each key once.</para>
/// <para><b>Commit, then close</b>: as with zarr-python's <c>ZipStore</c>, whose file is complete only once it is
/// closed, other readers see the writes only once they reach the file, here with <see cref="CommitAsync"/> (which may be
/// called more than once; the store stays open). Closing (<see cref="DisposeAsync"/> or <see cref="AbortAsync"/>) writes
/// nothing and discards what was not committed, so that closing never fails: a write or a commit that failed inside an
/// <c>await using</c> block is the exception the caller sees, never one from closing the store, and the file stays as it
/// was last committed. Call <see cref="CommitAsync"/> as the last step of a block that succeeded.</para>
/// <para><b>One writer</b>: a writable store holds the lock file <c>.{name}.lock</c> beside the target from construction to
/// disposal; a second writable store on the same file, in this process or another, is refused with a
/// <see cref="ZarrStoreException"/>. Readers are never blocked: they see the file as it was when they opened it.</para>
/// </remarks>
public sealed partial class ZipStore : IStore, IAsyncDisposable
{
    private const int CopyBlockSize = 1 << 20;
    private const FileShare ReadShare = FileShare.Read | FileShare.Delete;

    private readonly ZipStoreOptions _options;
    private readonly ConcurrentDictionary<string, ZipEntry> _entries = new(StringComparer.Ordinal);
    private readonly List<ZipEntry> _unlisted = [];
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ZipWriterLock? _lock;
    private readonly ZipEntryReader _reader;
    private SafeFileHandle? _source;
    private long _sourceDataEnd;
    private SafeFileHandle? _session;
    private string? _sessionPath;
    private long _end;
    private long _dead;
    private bool _changed;
    private int _disposed;
    private StoreLocation? _location;

    /// <summary>Opens the zip file <paramref name="path"/> as a store, in the mode <paramref name="options"/> gives (read-only by default).</summary>
    /// <param name="path">The zip file; relative paths are resolved against the current directory now.</param>
    /// <param name="options">The options, copied; null for the defaults (read-only, stored entries).</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null, empty or not a valid path.</exception>
    /// <exception cref="ZarrStoreException">In read mode the file does not exist; the file is not a zip file or is damaged; or,
    /// in a writable mode, another writer holds the file.</exception>
    public ZipStore(string path, ZipStoreOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _options = options?.Clone() ?? new ZipStoreOptions();
        Path = System.IO.Path.GetFullPath(path);
        _reader = new ZipEntryReader(Path, _options.MaxInflatedEntrySize);
        if (_options.Mode == ZipStoreMode.Read)
        {
            _source = OpenSource(mustExist: true);
            Index(_source!);
            return;
        }

        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ZarrStoreException(null, $"could not create the folder of the zip file '{Path}': {e.Message}", e);
        }

        _lock = ZipWriterLock.Acquire(Path);
        try
        {
            if (_options.Mode == ZipStoreMode.Append)
            {
                _source = OpenSource(mustExist: false);
            }

            if (_source is null)
            {
                _changed = true;
            }
            else
            {
                Index(_source);
            }
        }
        catch
        {
            _source?.Dispose();
            _lock.Dispose();
            throw;
        }
    }

    /// <summary>The full path of the zip file.</summary>
    public string Path { get; }

    /// <summary>How the file was opened.</summary>
    public ZipStoreMode Mode => _options.Mode;

    /// <summary>How values are compressed when written.</summary>
    public ZipCompression Compression => _options.Compression;

    /// <inheritdoc />
    public bool IsReadOnly => _options.Mode == ZipStoreMode.Read;

    /// <inheritdoc />
    /// <remarks>A writable store: the zip file (its full path, symbolic links resolved), which has one writer at a time. A
    /// read-only store: the store object itself, since it reads the file as it was when opened, a snapshot no other store
    /// object shares (and it writes nothing).</remarks>
    public StoreLocation Location => _location ??= IsReadOnly ? StoreLocation.OfObject(this) : StoreLocation.OfZipFile(Path);

    /// <summary>How many keys the store holds.</summary>
    public int Count => _entries.Count;

    /// <inheritdoc />
    /// <exception cref="ZarrStoreException">The key is not valid, the entry is encrypted, compressed with a method other than
    /// stored or deflate, declares sizes the file or <see cref="ZipStoreOptions.MaxInflatedEntrySize"/> refuse, or is
    /// damaged (a wrong CRC-32, a truncated file).</exception>
    /// <exception cref="ObjectDisposedException">The store was disposed.</exception>
    public async ValueTask<PooledBuffer?> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        StoreKey.Validate(key);
        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        if (!_entries.TryGetValue(key, out var entry))
        {
            return null;
        }

        var file = FileOf(entry);
        var (start, count) = range is { } r ? r.Resolve(entry.Size) : (0, entry.Size);
        return await _reader.ReadAsync(file, entry.InSession ? long.MaxValue : _sourceDataEnd, entry, start, count, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <exception cref="ZarrStoreException">The key is not valid.</exception>
    /// <exception cref="ObjectDisposedException">The store was disposed.</exception>
    public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
    {
        StoreKey.Validate(key);
        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_entries.ContainsKey(key));
    }

    /// <inheritdoc />
    /// <exception cref="ZarrStoreException">The key is not valid.</exception>
    /// <exception cref="ObjectDisposedException">The store was disposed.</exception>
    public ValueTask<long?> GetSizeAsync(string key, CancellationToken cancellationToken = default)
    {
        StoreKey.Validate(key);
        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_entries.TryGetValue(key, out var entry) ? entry.Size : (long?)null);
    }

    /// <inheritdoc />
    /// <remarks>The value is compressed (when so configured) and checksummed before the store's lock is taken; appends
    /// are serialized. The new value is visible to this store's readers once the call completes; it reaches the target
    /// file when the store is committed.</remarks>
    /// <exception cref="ZarrStoreException">The key is not valid, the store is read-only, or the temporary file could not be written.</exception>
    /// <exception cref="ObjectDisposedException">The store was disposed.</exception>
    public async ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        StoreKey.Validate(key);
        ThrowIfReadOnly(key);
        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();

        var crc = Crc32.Compute(value.Span);
        PooledBuffer? deflated = null;
        try
        {
            var data = value;
            var method = ZipFormat.Stored;
            if (_options.Compression == ZipCompression.Deflate)
            {
                deflated = Deflate(value.Span, _options.CompressionLevel);
                data = deflated.Memory;
                method = ZipFormat.Deflate;
            }

            var (time, date) = ZipFormat.DosDateTime(DateTime.Now);
            var name = ZipFormat.EncodeName(key);
            if (name.Length > ushort.MaxValue)
            {
                throw new ZarrStoreException(key, $"the key is {name.Length} bytes long in UTF-8; a zip entry name holds at most {ushort.MaxValue}");
            }

            var flags = ZipFormat.NameFlags(key);
            var header = ZipFormat.LocalHeader(name, flags, method, time, date, crc, data.Length, value.Length);

            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                ThrowIfDisposed();
                var session = EnsureSession();
                var offset = _end;
                try
                {
                    await RandomAccess.WriteAsync(session, header, offset, cancellationToken).ConfigureAwait(false);
                    await RandomAccess.WriteAsync(session, data, offset + header.Length, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // _end did not move: the next write overwrites whatever part of this one was written.
                    throw new ZarrStoreException(key, $"could not write to the temporary file '{_sessionPath}' of '{Path}': {e.Message}", e);
                }

                _end = offset + header.Length + data.Length;
                var entry = new ZipEntry(key, flags, method, time, date, crc, data.Length, value.Length, offset, offset + header.Length, inSession: true);
                if (_entries.TryGetValue(key, out var old) && old.InSession)
                {
                    _dead += old.SessionLength;
                }

                _entries[key] = entry;
                _changed = true;
            }
            finally
            {
                _gate.Release();
            }
        }
        finally
        {
            deflated?.Dispose();
        }
    }

    /// <inheritdoc />
    /// <remarks>The key is forgotten at once; its bytes leave the file when the store is committed.</remarks>
    /// <exception cref="ZarrStoreException">The key is not valid, or the store is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The store was disposed.</exception>
    public async ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        StoreKey.Validate(key);
        ThrowIfReadOnly(key);
        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            Forget(key);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    /// <exception cref="ZarrStoreException">The prefix is not valid, or the store is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The store was disposed.</exception>
    public async ValueTask DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default)
    {
        StoreKey.ValidatePrefix(prefix);
        ThrowIfReadOnly(prefix);
        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            foreach (var key in _entries.Keys)
            {
                if (key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    Forget(key);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    /// <remarks>Sizes are the values' (uncompressed) sizes, from the index.</remarks>
    /// <exception cref="ZarrStoreException">The prefix is not valid.</exception>
    public IAsyncEnumerable<StoreEntry> ListPrefixAsync(string prefix, CancellationToken cancellationToken = default)
    {
        StoreKey.ValidatePrefix(prefix);
        ThrowIfDisposed();
        return KeyListing.ToAsync(KeyListing.WithPrefix(_entries, prefix, static e => e.Size), cancellationToken);
    }

    /// <inheritdoc />
    /// <exception cref="ZarrStoreException">The prefix is not valid.</exception>
    public IAsyncEnumerable<string> ListDirectoryAsync(string prefix, CancellationToken cancellationToken = default)
    {
        StoreKey.ValidatePrefix(prefix);
        ThrowIfDisposed();
        return KeyListing.ToAsync(KeyListing.ChildNames(_entries.Keys, prefix), cancellationToken);
    }

    /// <summary>
    /// Closes the store, as <see cref="AbortAsync"/> does: writes not committed with <see cref="CommitAsync"/> are
    /// discarded, and the target file stays as it was last committed (or opened). Nothing is written here, so nothing
    /// can fail here: an exception that ends an <c>await using</c> block is never replaced by one from closing it.
    /// </summary>
    /// <returns>A task that completes once the store is closed (after any operation in progress).</returns>
    public ValueTask DisposeAsync() => AbortAsync();

    /// <summary>
    /// Closes the store without writing anything: every write since the last <see cref="CommitAsync"/> is discarded, the
    /// target file stays as it was, the temporary file is removed and the lock released.
    /// </summary>
    /// <returns>A task that completes once the session is discarded (after any operation in progress).</returns>
    public async ValueTask AbortAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            Close();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Returns "ZipStore(" + the full path + ")".</summary>
    public override string ToString() => $"ZipStore({Path})";

    /// <summary>Opens the target for reading; null when it does not exist and need not.</summary>
    private SafeFileHandle? OpenSource(bool mustExist)
    {
        try
        {
            return File.OpenHandle(Path, FileMode.Open, FileAccess.Read, ReadShare, FileOptions.Asynchronous);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return mustExist ? throw new ZarrStoreException(null, $"the zip file '{Path}' does not exist", e) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ZarrStoreException(null, $"could not open the zip file '{Path}': {e.Message}", e);
        }
    }

    /// <summary>Indexes the entries of the file the store opened: valid keys become keys (the last of a repeated name wins); others are kept aside.</summary>
    private void Index(SafeFileHandle source)
    {
        List<ZipEntry> entries;
        try
        {
            entries = ZipFormat.ReadCentralDirectory(source, Path, out _sourceDataEnd);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            source.Dispose();
            throw new ZarrStoreException(null, $"could not read the zip file '{Path}': {e.Message}", e);
        }
        catch
        {
            source.Dispose();
            throw;
        }

        foreach (var entry in entries)
        {
            if (StoreKey.IsValid(entry.Name))
            {
                _entries[entry.Name] = entry;
            }
            else if (!entry.Name.EndsWith('/'))
            {
                // Not a key (an absolute path, '..', ...): never listed nor readable, but kept when the archive is rewritten.
                _unlisted.Add(entry);
            }
        }
    }

    private SafeFileHandle FileOf(ZipEntry entry) =>
        (entry.InSession ? _session : _source) ?? throw new ObjectDisposedException(nameof(ZipStore));

    private async ValueTask<long> GetDataOffsetAsync(SafeFileHandle file, ZipEntry entry, CancellationToken cancellationToken)
    {
        var offset = entry.DataOffset;
        if (offset < 0)
        {
            offset = await ZipFormat.ReadDataOffsetAsync(file, entry, Path, cancellationToken).ConfigureAwait(false);
            entry.DataOffset = offset;
        }

        return offset;
    }

    private static PooledBuffer Deflate(ReadOnlySpan<byte> value, CompressionLevel level)
    {
        using var output = new MemoryStream(Math.Max(64, value.Length / 2));
        using (var deflate = new DeflateStream(output, level, leaveOpen: true))
        {
            deflate.Write(value);
        }

        return PooledBuffer.CopyOf(output.GetBuffer().AsSpan(0, (int)output.Length));
    }

    /// <summary>Forgets a key (under the gate); its session bytes become dead space.</summary>
    private void Forget(string key)
    {
        if (_entries.TryRemove(key, out var old))
        {
            if (old.InSession)
            {
                _dead += old.SessionLength;
            }

            _changed = true;
        }
    }

    private void ThrowIfReadOnly(string key)
    {
        if (IsReadOnly)
        {
            throw new ZarrStoreException(key, "store is read-only");
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
