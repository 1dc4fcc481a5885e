using Zarr.Storage.Buffers;
using Zarr.Storage.Chunks;

namespace Zarr.Storage.Tests.FaultInjection;

/// <summary>
/// Passes every store call to <c>calls</c> (a <see cref="FaultInjectingStore"/>) and every key lock to the directory store
/// below it. The fault injector is an <see cref="IConditionalStore"/> only when its inner store is, and never a key-locking
/// store, so without this view the array layer would write a wrapped directory store without its lock files: the sweep
/// would then test a path no real directory store takes. Locks are not store calls, so they are neither counted nor failed.
/// </summary>
internal sealed class KeyLockingView(IStore calls, DirectoryStore locks) : IStore, IKeyLockingStore
{
    public bool IsReadOnly => calls.IsReadOnly;

    public StoreLocation Location => calls.Location;

    public ValueTask<PooledBuffer?> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default) =>
        calls.GetAsync(key, range, cancellationToken);

    public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => calls.ExistsAsync(key, cancellationToken);

    public ValueTask<long?> GetSizeAsync(string key, CancellationToken cancellationToken = default) => calls.GetSizeAsync(key, cancellationToken);

    public ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) =>
        calls.SetAsync(key, value, cancellationToken);

    public ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default) => calls.DeleteAsync(key, cancellationToken);

    public ValueTask DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default) => calls.DeletePrefixAsync(prefix, cancellationToken);

    public IAsyncEnumerable<StoreEntry> ListPrefixAsync(string prefix, CancellationToken cancellationToken = default) =>
        calls.ListPrefixAsync(prefix, cancellationToken);

    public IAsyncEnumerable<string> ListDirectoryAsync(string prefix, CancellationToken cancellationToken = default) =>
        calls.ListDirectoryAsync(prefix, cancellationToken);

    public ValueTask<IDisposable> LockKeyAsync(string key, CancellationToken cancellationToken) =>
        ((IKeyLockingStore)locks).LockKeyAsync(key, cancellationToken);
}
