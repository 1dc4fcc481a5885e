using Azure.Core;
using Azure.Storage.Blobs;

namespace Zarr.Storage.Azure;

/// <summary>
/// How an <see cref="AzureBlobStore"/> reaches its account and how hard it drives it. The account comes from, in this
/// order: <see cref="ContainerClient"/>, <see cref="ServiceUri"/> (with <see cref="Credential"/>, or the SDK's
/// <c>DefaultAzureCredential</c> chain when it is null), <see cref="ConnectionString"/>, and last the environment
/// variable <c>AZURE_STORAGE_CONNECTION_STRING</c>.
/// </summary>
public sealed class AzureBlobStoreOptions
{
    /// <summary>The environment variable read for the connection string when no other account is given.</summary>
    public const string ConnectionStringVariable = "AZURE_STORAGE_CONNECTION_STRING";

    /// <summary>An account's connection string (for Azurite, <c>UseDevelopmentStorage=true</c>); null to read
    /// <see cref="ConnectionStringVariable"/>. Never part of a message this library writes.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The account's blob endpoint (<c>https://ACCOUNT.blob.core.windows.net</c>), authenticated with
    /// <see cref="Credential"/>. A SAS in its query is used as the credential (and never shown in a message).</summary>
    public Uri? ServiceUri { get; set; }

    /// <summary>The credential for <see cref="ServiceUri"/>; null for the SDK's <c>DefaultAzureCredential</c> chain
    /// (environment, workload and managed identity, Azure CLI, ...), unless the URI carries a SAS.</summary>
    public TokenCredential? Credential { get; set; }

    /// <summary>An existing client for the container: used as it is (its own retry and transport settings; the
    /// options below that configure a client do not apply to it), and the store's container is its container.</summary>
    public BlobContainerClient? ContainerClient { get; set; }

    /// <summary>True to refuse every write and delete.</summary>
    public bool ReadOnly { get; set; }

    /// <summary>How many requests (reads, writes, deletes, size look-ups) one store object has in flight at once.
    /// 64 by default: at a 20 ms round trip that is 3,200 requests a second, more than one machine's network carries
    /// for chunks of a few hundred KiB and up.</summary>
    public int MaxConcurrency { get; set; } = 64;

    /// <summary>Values up to this size are uploaded in one request; larger ones in staged blocks of
    /// <see cref="BlockSize"/> committed at once (atomic either way). 8 MiB by default.</summary>
    public long SingleUploadThreshold { get; set; } = 8L << 20;

    /// <summary>The size of one staged block of a large upload. 4 MiB by default.</summary>
    public long BlockSize { get; set; } = 4L << 20;

    /// <summary>How many blocks of one large upload are staged at once. 8 by default.</summary>
    public int UploadParallelism { get; set; } = 8;

    /// <summary>How many times the SDK retries a request that failed with throttling (429, 503), another 5xx, a timeout
    /// or a dropped connection, with exponential backoff and the SDK's jitter. 5 by default.</summary>
    public int MaxRetries { get; set; } = 5;

    /// <summary>The first retry's delay; each later one doubles it (with jitter), up to <see cref="MaxRetryDelay"/>.
    /// 0.8 s by default (the SDK's).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(0.8);

    /// <summary>The longest delay between two tries. 60 s by default.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long one try of a request may wait for the network before it counts as timed out (and is retried).
    /// 100 s by default (the SDK's).</summary>
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>How many blobs one listing request asks for (Azure's <c>maxresults</c>): null for Azure's own page of up to
    /// 5,000. Smaller pages cost more requests but answer sooner.</summary>
    public int? ListPageSize { get; set; }

    /// <summary>Called with the client options after this class has set them, before the client is built: to add a
    /// pipeline policy (logging, request counting), a transport, or pin the service version. Not called for
    /// <see cref="ContainerClient"/>.</summary>
    public Action<BlobClientOptions>? ConfigureClient { get; set; }

    /// <summary>A copy of these options (the client, credential and callback are shared, not copied).</summary>
    public AzureBlobStoreOptions Clone() => (AzureBlobStoreOptions)MemberwiseClone();

    /// <summary>Throws when a number is out of range.</summary>
    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrency, 1, nameof(MaxConcurrency));
        ArgumentOutOfRangeException.ThrowIfLessThan(SingleUploadThreshold, 1, nameof(SingleUploadThreshold));
        ArgumentOutOfRangeException.ThrowIfLessThan(BlockSize, 1, nameof(BlockSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(UploadParallelism, 1, nameof(UploadParallelism));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxRetries, nameof(MaxRetries));
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryDelay, TimeSpan.Zero, nameof(RetryDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRetryDelay, RetryDelay, nameof(MaxRetryDelay));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(NetworkTimeout, TimeSpan.Zero, nameof(NetworkTimeout));
    }
}
