using Zarr.Storage.Buffers;

namespace Zarr.Storage.Tests.FaultInjection;

/// <summary>
/// Passes every store call to <c>calls</c> and is nothing but an <see cref="IStore"/>: the directory store's locks of keys
/// (which <see cref="FaultInjectingStore.Wrap"/> passes on) hidden, the array layer writes through it as through any store
/// without them, the lock-free path a third-party store takes.
/// </summary>
internal sealed class PlainStoreView(IStore calls) : IStore
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
}
