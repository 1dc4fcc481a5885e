using System.Collections.Concurrent;
using Azure;
using Azure.Core;
using Azure.Identity;
using Azure.Storage;
using Azure.Storage.Blobs;

namespace Zarr.Storage.Azure;

/// <summary>Builds the container client an <see cref="AzureBlobStore"/> talks through, and names the space its keys live in.</summary>
internal static class AzureAccount
{
    // One object per container URI (account endpoint and container, without any query): the space of a StoreLocation,
    // compared by reference, so every store on one container shares its chunk and metadata locks in this process.
    private static readonly ConcurrentDictionary<string, ContainerSpace> Spaces = new(StringComparer.Ordinal);

    /// <summary>The client for <paramref name="container"/> as <paramref name="options"/> say to reach it.</summary>
    /// <param name="container">The container's name.</param>
    /// <param name="options">Where the account is, and the client's settings.</param>
    /// <param name="url">The store's <c>az://</c> URL, for messages.</param>
    public static BlobContainerClient CreateContainerClient(string container, AzureBlobStoreOptions options, string url)
    {
        if (options.ContainerClient is { } given)
        {
            if (!string.Equals(given.Name, container, StringComparison.Ordinal))
            {
                throw new ArgumentException($"{url}: the container client given in the options is for container '{given.Name}'", nameof(options));
            }

            return given;
        }

        var clientOptions = CreateClientOptions(options);
        if (options.ServiceUri is { } serviceUri)
        {
            var service = !string.IsNullOrEmpty(serviceUri.Query) && options.Credential is null
                ? new BlobServiceClient(serviceUri, clientOptions) // the SAS in the query is the credential
                : new BlobServiceClient(serviceUri, options.Credential ?? new DefaultAzureCredential(), clientOptions);
            return service.GetBlobContainerClient(container);
        }

        var connectionString = options.ConnectionString ?? Environment.GetEnvironmentVariable(AzureBlobStoreOptions.ConnectionStringVariable);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new ZarrStoreException(null,
                $"{url}: no Azure account is configured: set AzureBlobStoreOptions.ConnectionString, ServiceUri or ContainerClient, " +
                $"or the environment variable {AzureBlobStoreOptions.ConnectionStringVariable}");
        }

        try
        {
            return new BlobServiceClient(connectionString, clientOptions).GetBlobContainerClient(container);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            // The SDK's message may quote the connection string, account key included: it is left out.
            throw new ZarrStoreException(null, $"{url}: the Azure connection string is not valid ({e.GetType().Name})");
        }
    }

    /// <summary>The location of the keys below <paramref name="prefix"/> in <paramref name="client"/>'s container.</summary>
    public static StoreLocation LocationOf(BlobContainerClient client, string prefix)
    {
        var uri = client.Uri;
        // Host names compare ignoring case; the path (account for Azurite, container) as it is. No query: a SAS is not a place.
        var name = $"{uri.Scheme}://{uri.Authority.ToLowerInvariant()}{uri.AbsolutePath.TrimEnd('/')}";
        var space = Spaces.GetOrAdd(name, static n => new ContainerSpace(n));
        return StoreLocation.OfObject(space).Below(prefix);
    }

    private static BlobClientOptions CreateClientOptions(AzureBlobStoreOptions options)
    {
        var clientOptions = new BlobClientOptions();
        // Retries are the SDK's own: exponential backoff with its jitter, on 408/429/500/502/503/504, timeouts and dropped connections.
        clientOptions.Retry.Mode = RetryMode.Exponential;
        clientOptions.Retry.MaxRetries = options.MaxRetries;
        clientOptions.Retry.Delay = options.RetryDelay;
        clientOptions.Retry.MaxDelay = options.MaxRetryDelay;
        clientOptions.Retry.NetworkTimeout = options.NetworkTimeout;
        options.ConfigureClient?.Invoke(clientOptions);
        return clientOptions;
    }

    /// <summary>The transfer settings of large uploads.</summary>
    public static StorageTransferOptions TransferOptionsOf(AzureBlobStoreOptions options) => new()
    {
        InitialTransferSize = options.SingleUploadThreshold,
        MaximumTransferSize = options.BlockSize,
        MaximumConcurrency = options.UploadParallelism,
    };

    /// <summary>True when a conditional request lost: another writer's version is there now (412 ConditionNotMet, or
    /// 409 BlobAlreadyExists for a create-only write).</summary>
    public static bool IsConflict(RequestFailedException e) =>
        e.Status == 412 || (e.Status == 409 && e.ErrorCode is "BlobAlreadyExists" or "ConditionNotMet");

    /// <summary>A container's space of keys, named by its URI.</summary>
    private sealed class ContainerSpace(string name)
    {
        public override string ToString() => name;
    }
}
