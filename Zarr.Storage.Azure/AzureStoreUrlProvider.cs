namespace Zarr.Storage.Azure;

/// <summary>
/// Opens <c>az://container/prefix</c> URLs for <see cref="StoreUrl"/>: register it once (<see cref="Register"/>), then
/// <c>StoreUrl.OpenAsync("az://container/data.zarr")</c> works as for a folder.
/// </summary>
/// <remarks>
/// The options are the <see cref="AzureBlobStoreOptions"/> in <see cref="StoreUrlOptions.ProviderOptions"/>["az"] when
/// given; otherwise the defaults (the account from <c>AZURE_STORAGE_CONNECTION_STRING</c>). A read-only
/// <see cref="StoreUrlOptions.Mode"/> opens the store read-only.
/// </remarks>
public sealed class AzureStoreUrlProvider : IStoreUrlProvider
{
    /// <summary>The URL scheme: <c>az</c>.</summary>
    public const string Scheme = "az";

    /// <summary>Registers the provider for <see cref="Scheme"/> with <see cref="StoreUrl"/>.</summary>
    public static void Register() => StoreUrl.Register(Scheme, new AzureStoreUrlProvider());

    /// <inheritdoc />
    public ValueTask<IStore> OpenAsync(Uri url, StoreUrlOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(options);
        cancellationToken.ThrowIfCancellationRequested();
        var settings = options.ProviderOptions.TryGetValue(Scheme, out var given) && given is AzureBlobStoreOptions azure ? azure.Clone() : new AzureBlobStoreOptions();
        if (options.Mode == AccessMode.Read)
        {
            settings.ReadOnly = true;
        }

        return ValueTask.FromResult<IStore>(AzureBlobStore.FromUrl(url.OriginalString, settings));
    }
}
