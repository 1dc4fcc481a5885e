using Zarr.Storage.Buffers;

namespace Zarr.Storage.Internal;

/// <summary>
/// The store steps of a node's metadata documents (zarr.json, .zarray, .zgroup, .zattrs): each the store's own call,
/// with a failure no layer below made typed (a raw <see cref="IOException"/>, a third-party store's exception) turned into
/// a <see cref="ZarrStoreException"/> that names the store, the document's key and the operation, the failure kept
/// inside. A <see cref="ZarrException"/> passes as it is, and a cancellation stays a cancellation.
/// </summary>
internal static class MetadataDocuments
{
    public static async ValueTask<PooledBuffer?> GetAsync(IStore store, string key, ByteRange? range, CancellationToken cancellationToken)
    {
        try
        {
            return await store.GetAsync(key, range, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (StoreFailures.IsUntyped(e))
        {
            throw Failure(store, key, "read", e);
        }
    }

    public static async ValueTask<bool> ExistsAsync(IStore store, string key, CancellationToken cancellationToken)
    {
        try
        {
            return await store.ExistsAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (StoreFailures.IsUntyped(e))
        {
            throw Failure(store, key, "look up", e);
        }
    }

    public static async ValueTask SetAsync(IStore store, string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        try
        {
            await store.SetAsync(key, value, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (StoreFailures.IsUntyped(e))
        {
            throw Failure(store, key, "write", e);
        }
    }

    public static async ValueTask DeleteAsync(IStore store, string key, CancellationToken cancellationToken)
    {
        try
        {
            await store.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (StoreFailures.IsUntyped(e))
        {
            throw Failure(store, key, "delete", e);
        }
    }

    /// <summary>Deletes what lies below a node's prefix (a node replaced by a new one).</summary>
    public static async ValueTask DeletePrefixAsync(IStore store, string prefix, CancellationToken cancellationToken)
    {
        try
        {
            await store.DeletePrefixAsync(prefix, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (StoreFailures.IsUntyped(e))
        {
            throw new ZarrStoreException(prefix, $"could not delete the node's contents in {store}: {e.GetType().Name}: {e.Message}", e);
        }
    }

    public static async ValueTask<VersionedValue> GetVersionedAsync(IConditionalStore store, string key, CancellationToken cancellationToken)
    {
        try
        {
            return await store.GetVersionedAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (StoreFailures.IsUntyped(e))
        {
            throw Failure(store, key, "read", e);
        }
    }

    public static async ValueTask<bool> TrySetAsync(IConditionalStore store, string key, ReadOnlyMemory<byte> value, StoreVersion expected, CancellationToken cancellationToken)
    {
        try
        {
            return await store.TrySetAsync(key, value, expected, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (StoreFailures.IsUntyped(e))
        {
            throw Failure(store, key, "write", e);
        }
    }

    public static async ValueTask<bool> TryDeleteAsync(IConditionalStore store, string key, StoreVersion expected, CancellationToken cancellationToken)
    {
        try
        {
            return await store.TryDeleteAsync(key, expected, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (StoreFailures.IsUntyped(e))
        {
            throw Failure(store, key, "delete", e);
        }
    }

    private static ZarrStoreException Failure(object store, string key, string operation, Exception inner) =>
        new(key, $"could not {operation} the metadata document in {store}: {inner.GetType().Name}: {inner.Message}", inner);
}
