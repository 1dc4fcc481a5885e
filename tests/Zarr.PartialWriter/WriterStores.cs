using Zarr.Storage;
using Zarr.Storage.Azure;
using Zarr.Storage.S3;

namespace Zarr.PartialWriter;

/// <summary>
/// The store a writer process opens, as the zarr command opens a PATH (<see cref="StoreUrl"/>): <c>s3://bucket/prefix</c>
/// (endpoint and keys from AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION),
/// <c>az://container/prefix</c> (AZURE_STORAGE_CONNECTION_STRING) or a folder path.
/// </summary>
internal static class WriterStores
{
    public static ValueTask<OpenedStore> OpenAsync(string store)
    {
        S3StoreUrlProvider.Register();
        AzureStoreUrlProvider.Register();
        return StoreUrl.OpenAsync(store, new StoreUrlOptions { Mode = AccessMode.ReadWrite });
    }
}
