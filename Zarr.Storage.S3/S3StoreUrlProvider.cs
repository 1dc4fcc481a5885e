namespace Zarr.Storage.S3;

/// <summary>
/// Opens <c>s3://bucket/prefix</c> URLs for <see cref="StoreUrl"/>: register it once
/// (<see cref="Register"/>), then <c>StoreUrl.OpenAsync("s3://bucket/data.zarr")</c> works as for a folder.
/// </summary>
/// <remarks>
/// The options are the <see cref="S3StoreOptions"/> in <see cref="StoreUrlOptions.ProviderOptions"/>["s3"] when given;
/// otherwise the SDK's own configuration, except that an endpoint set by <c>AWS_ENDPOINT_URL_S3</c> or
/// <c>AWS_ENDPOINT_URL</c> is taken as a self-hosted S3-compatible server (path-style addressing, as Ceph RGW and MinIO
/// need; region from <c>AWS_REGION</c>, else us-east-1). A read-only <see cref="StoreUrlOptions.Mode"/> opens the store
/// read-only.
/// </remarks>
public sealed class S3StoreUrlProvider : IStoreUrlProvider
{
    /// <summary>The URL scheme: <c>s3</c>.</summary>
    public const string Scheme = "s3";

    /// <summary>Registers the provider for <see cref="Scheme"/> with <see cref="StoreUrl"/>.</summary>
    public static void Register() => StoreUrl.Register(Scheme, new S3StoreUrlProvider());

    /// <inheritdoc />
    public ValueTask<IStore> OpenAsync(Uri url, StoreUrlOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(options);
        cancellationToken.ThrowIfCancellationRequested();
        var settings = options.ProviderOptions.TryGetValue(Scheme, out var given) && given is S3StoreOptions s3 ? s3 : FromEnvironment();
        if (options.Mode == AccessMode.Read && !settings.ReadOnly)
        {
            settings = settings.Clone();
            settings.ReadOnly = true;
        }

        try
        {
            return ValueTask.FromResult<IStore>(S3Store.FromUrl(url.OriginalString, settings));
        }
        catch (Amazon.Runtime.AmazonClientException e)
        {
            // The SDK refuses to build a client without a region or endpoint: a setup error of the user's, said plainly.
            throw new ZarrStoreException(null, $"{url.Scheme}://{url.Host}{url.AbsolutePath}: the S3 client cannot be set up: {e.Message} (set AWS_REGION, or AWS_ENDPOINT_URL for a self-hosted server)", e);
        }
    }

    private static S3StoreOptions FromEnvironment()
    {
        var endpoint = Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_S3") ?? Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL");
        if (string.IsNullOrEmpty(endpoint))
        {
            return new S3StoreOptions();
        }

        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var serviceUrl))
        {
            throw new ZarrStoreException(null, "AWS_ENDPOINT_URL is not an absolute URL (as http://127.0.0.1:7480)");
        }

        var region = Environment.GetEnvironmentVariable("AWS_REGION") ?? Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION") ?? "us-east-1";
        return S3StoreOptions.ForServer(serviceUrl, credentials: null, region);
    }
}
