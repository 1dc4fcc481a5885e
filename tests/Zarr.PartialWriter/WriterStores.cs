using Amazon.Runtime;
using Zarr.Storage;
using Zarr.Storage.Azure;
using Zarr.Storage.S3;

/// <summary>
/// The store a writer process opens: <c>s3://bucket/prefix</c> (endpoint and keys from AWS_ENDPOINT_URL,
/// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION), <c>az://container/prefix</c> (AZURE_STORAGE_CONNECTION_STRING)
/// or a folder path (a directory store).
/// </summary>
internal static class WriterStores
{
    public static IStore Open(string store)
    {
        if (store.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
        {
            var endpoint = Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL");
            var options = endpoint is null ? null : S3StoreOptions.ForServer(
                new Uri(endpoint),
                new BasicAWSCredentials(Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID"), Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY")),
                Environment.GetEnvironmentVariable("AWS_REGION") ?? "us-east-1");
            return S3Store.FromUrl(store, options);
        }

        if (store.StartsWith("az://", StringComparison.OrdinalIgnoreCase))
        {
            return AzureBlobStore.FromUrl(store);
        }

        return new DirectoryStore(store);
    }
}
