using Zarr.Storage.Buffers;
using Zarr.Storage.Chunks;

namespace Zarr.Storage.Tests.Reliability;

/// <summary>
/// A directory store as another process holds it: the same folder, its lock files (the system's locks, which two opens in
/// one process contend for as two processes do), but a location of its own, so this process's in-memory chunk locks
/// and metadata publications do not reach it. <see cref="AfterRead"/> runs between a read of a key and its return (a
/// read-modify-write's read), to put another writer's step there.
/// </summary>
internal sealed class OtherProcessDirectory(string folder) : IStore, IKeyLockingStore
{
    private readonly DirectoryStore _inner = new(folder);

    public Func<string, Task>? AfterRead { get; set; }

    public bool IsReadOnly => false;

    public StoreLocation Location => StoreLocation.OfObject(this);

    public async ValueTask<PooledBuffer?> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        var value = await _inner.GetAsync(key, range, cancellationToken);
        if (AfterRead is { } hook)
        {
            await hook(key);
        }

        return value;
    }

    public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => _inner.ExistsAsync(key, cancellationToken);

    public ValueTask<long?> GetSizeAsync(string key, CancellationToken cancellationToken = default) => _inner.GetSizeAsync(key, cancellationToken);

    public ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) => _inner.SetAsync(key, value, cancellationToken);

    public ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default) => _inner.DeleteAsync(key, cancellationToken);

    public ValueTask DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default) => _inner.DeletePrefixAsync(prefix, cancellationToken);

    public IAsyncEnumerable<StoreEntry> ListPrefixAsync(string prefix, CancellationToken cancellationToken = default) => _inner.ListPrefixAsync(prefix, cancellationToken);

    public IAsyncEnumerable<string> ListDirectoryAsync(string prefix, CancellationToken cancellationToken = default) => _inner.ListDirectoryAsync(prefix, cancellationToken);

    public ValueTask<IDisposable> LockKeyAsync(string key, CancellationToken cancellationToken) => ((IKeyLockingStore)_inner).LockKeyAsync(key, cancellationToken);

    public bool TryGetStamp(string key, out FileStamp stamp) => ((IKeyLockingStore)_inner).TryGetStamp(key, out stamp);

    public IDisposable? KeepLocksOpen() => ((IKeyLockingStore)_inner).KeepLocksOpen();
}
