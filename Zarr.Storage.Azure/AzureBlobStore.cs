using Azure;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Zarr.Storage.Buffers;

namespace Zarr.Storage.Azure;

/// <summary>
/// A store kept in an Azure Blob Storage container: the key <c>a/b/c</c> is the blob <c>{prefix}a/b/c</c>. Thread-safe;
/// the layout zarr-python's fsspec/adlfs stores read and write.
/// </summary>
/// <remarks>
/// <para>Every write replaces a blob whole in one request, or for values above
/// <see cref="AzureBlobStoreOptions.SingleUploadThreshold"/> in staged blocks committed at once, so a reader sees the old
/// value or the new one, never a mix. The container is created by the first write when it is missing (as
/// <see cref="DirectoryStore"/> creates its folder); a missing container reads and lists as empty.</para>
/// <para>At most <see cref="AzureBlobStoreOptions.MaxConcurrency"/> requests of one store object are in flight at
/// once. Retries (throttling, 5xx, timeouts, dropped connections) are the SDK's, configured by the options. Every
/// failure is a <see cref="ZarrStoreException"/> naming the key and the store's <c>az://</c> URL; no account key, token
/// or SAS ever appears in a message.</para>
/// <para>Conditional writes (<see cref="IConditionalStore"/>) are Azure's ETag preconditions: <c>If-Match</c> to
/// replace or delete a version, <c>If-None-Match: *</c> to create; the library's chunk read-modify-writes are then
/// safe across processes and machines.</para>
/// </remarks>
public sealed partial class AzureBlobStore : IConditionalStore, IDisposable
{
    private const string UrlScheme = "az://";

    private readonly BlobContainerClient _container;
    private readonly string _prefix;
    private readonly SemaphoreSlim _slots;
    private readonly int? _listPageSize;
    private readonly StorageTransferOptions _transfer;
    private StoreLocation? _location;

    /// <summary>Opens the keys below <paramref name="prefix"/> in the container <paramref name="container"/>; nothing is
    /// sent until the first request.</summary>
    /// <param name="container">The container's name (3 to 63 lowercase letters, digits and single hyphens).</param>
    /// <param name="prefix">"" for the whole container, else a valid key (a trailing '/' is allowed) below which the store's keys lie.</param>
    /// <param name="options">The account and settings, copied; null for the defaults (the account from
    /// <c>AZURE_STORAGE_CONNECTION_STRING</c>).</param>
    /// <exception cref="ArgumentException">The container name is not valid, or a number in the options is out of range.</exception>
    /// <exception cref="ZarrStoreException">The prefix is not valid, or no account is configured.</exception>
    public AzureBlobStore(string container, string prefix = "", AzureBlobStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(prefix);
        var settings = options?.Clone() ?? new AzureBlobStoreOptions();
        settings.Validate();
        ValidateContainerName(container);
        _prefix = StoreKey.ToPrefix(prefix);
        Container = container;
        Url = UrlScheme + container + (_prefix.Length == 0 ? string.Empty : "/" + _prefix.TrimEnd('/'));
        _container = AzureAccount.CreateContainerClient(container, settings, Url);
        IsReadOnly = settings.ReadOnly;
        MaxConcurrency = settings.MaxConcurrency;
        _listPageSize = settings.ListPageSize;
        _slots = new SemaphoreSlim(settings.MaxConcurrency, settings.MaxConcurrency);
        _transfer = AzureAccount.TransferOptionsOf(settings);
    }

    /// <summary>Opens the store an <c>az://container/prefix</c> URL names, on the account the options give.</summary>
    /// <param name="url"><c>az://</c>, the container, and optionally '/' and a prefix (<c>az://data/climate/t2m.zarr</c>).</param>
    /// <param name="options">The account and settings; null for the defaults.</param>
    /// <exception cref="ArgumentException">The URL is not of that form.</exception>
    /// <exception cref="ZarrStoreException">The prefix is not valid, or no account is configured.</exception>
    public static AzureBlobStore FromUrl(string url, AzureBlobStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.StartsWith(UrlScheme, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"'{Clip(url)}' is not an az:// URL (az://container/prefix)", nameof(url));
        }

        if (url.Contains('?', StringComparison.Ordinal) || url.Contains('#', StringComparison.Ordinal))
        {
            // Not echoed: a query is where a SAS would be.
            throw new ArgumentException("an az:// URL takes no query or fragment: give a SAS through AzureBlobStoreOptions.ServiceUri", nameof(url));
        }

        var rest = url[UrlScheme.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var container = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? string.Empty : rest[(slash + 1)..];
        if (container.Length == 0)
        {
            throw new ArgumentException($"'{Clip(url)}' names no container (az://container/prefix)", nameof(url));
        }

        return new AzureBlobStore(container, prefix, options);
    }

    /// <summary>The container's name.</summary>
    public string Container { get; }

    /// <summary>The prefix of the store's keys in the container: "" or ending in '/'.</summary>
    public string Prefix => _prefix;

    /// <summary>The store's URL, <c>az://container/prefix</c> (no account, no secret): what messages name.</summary>
    public string Url { get; }

    /// <summary>How many requests this store object has in flight at most.</summary>
    public int MaxConcurrency { get; }

    /// <inheritdoc />
    public bool IsReadOnly { get; }

    /// <inheritdoc />
    /// <remarks>The account endpoint, the container and the prefix: every store on the same keys shares its chunk and
    /// metadata locks in this process. Other processes are kept from losing updates by the ETag compare-and-swap.</remarks>
    public StoreLocation Location => _location ??= AzureAccount.LocationOf(_container, _prefix);

    /// <inheritdoc />
    /// <remarks>True: Azure honours <c>If-Match</c> on a delete.</remarks>
    public bool CanDeleteConditionally => true;

    /// <summary>Creates the container when it does not exist yet.</summary>
    /// <exception cref="ZarrStoreException">The store is read-only, or Azure refused.</exception>
    public async Task CreateContainerIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfReadOnly(string.Empty);
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsFailure(e, cancellationToken))
        {
            throw Failure(null, "creating the container", e);
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <inheritdoc />
    /// <remarks>A whole value is one GET; a slice or an open range one ranged GET. A suffix costs a properties request
    /// first: Azure's Range header (the SDK's HttpRange) has no suffix form (<c>bytes=-N</c>), so the size is learned,
    /// and the GET of the last bytes is made conditional on the ETag seen, so a value replaced in between is read again
    /// rather than torn.</remarks>
    /// <exception cref="ZarrStoreException">The key is not valid, or Azure failed (after the SDK's retries).</exception>
    public async ValueTask<PooledBuffer?> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        StoreKey.Validate(key);
        if (range is not { } r)
        {
            return (await DownloadAsync(key, default, null, cancellationToken).ConfigureAwait(false)).Value;
        }

        if (r.IsSuffix)
        {
            return await GetSuffixAsync(key, r.SuffixLength!.Value, cancellationToken).ConfigureAwait(false);
        }

        if (r.Length == 0)
        {
            return await ExistsAsync(key, cancellationToken).ConfigureAwait(false) ? PooledBuffer.Rent(0) : null;
        }

        return (await DownloadAsync(key, new HttpRange(r.Offset, r.Length), null, cancellationToken).ConfigureAwait(false)).Value;
    }

    /// <inheritdoc />
    /// <exception cref="ZarrStoreException">The key is not valid, or Azure failed.</exception>
    public async ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) =>
        await GetPropertiesAsync(key, cancellationToken).ConfigureAwait(false) is not null;

    /// <inheritdoc />
    /// <exception cref="ZarrStoreException">The key is not valid, or Azure failed.</exception>
    public async ValueTask<long?> GetSizeAsync(string key, CancellationToken cancellationToken = default) =>
        (await GetPropertiesAsync(key, cancellationToken).ConfigureAwait(false))?.ContentLength;

    /// <inheritdoc />
    /// <exception cref="ZarrStoreException">The key is not valid, or Azure failed.</exception>
    public async ValueTask<VersionedValue> GetVersionedAsync(string key, CancellationToken cancellationToken = default)
    {
        StoreKey.Validate(key);
        var (value, version, _) = await DownloadAsync(key, default, null, cancellationToken).ConfigureAwait(false);
        return new VersionedValue(value, version);
    }

    /// <summary>Releases the request slots (the SDK's clients hold nothing to dispose).</summary>
    public void Dispose() => _slots.Dispose();

    /// <summary>Returns "AzureBlobStore(az://container/prefix)".</summary>
    public override string ToString() => $"AzureBlobStore({Url})";

    private async ValueTask<PooledBuffer?> GetSuffixAsync(string key, long suffixLength, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (await GetPropertiesAsync(key, cancellationToken).ConfigureAwait(false) is not { } properties)
            {
                return null;
            }

            var count = Math.Min(suffixLength, properties.ContentLength);
            if (count == 0)
            {
                return PooledBuffer.Rent(0);
            }

            var range = new HttpRange(properties.ContentLength - count, count);
            var unchanged = new BlobRequestConditions { IfMatch = properties.ETag };
            var (value, _, _) = await DownloadAsync(key, range, unchanged, cancellationToken).ConfigureAwait(false);
            if (value is not null)
            {
                return value;
            }

            // Replaced (412) or deleted (404) since the size was learned: learn the state now.
        }
    }

    /// <summary>One GET: the value (null when missing, or when <paramref name="conditions"/> failed: then Changed is true) and its version.</summary>
    private async ValueTask<(PooledBuffer? Value, StoreVersion Version, bool Changed)> DownloadAsync(
        string key, HttpRange range, BlobRequestConditions? conditions, CancellationToken cancellationToken)
    {
        var blob = _container.GetBlobClient(_prefix + key);
        var options = new BlobDownloadOptions { Range = range, Conditions = conditions };
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        PooledBuffer? buffer = null;
        try
        {
            using var result = (await blob.DownloadStreamingAsync(options, cancellationToken).ConfigureAwait(false)).Value;
            var length = result.Details.ContentLength;
            if (length > Array.MaxLength)
            {
                throw new ZarrStoreException(key, $"{length} bytes in {Url} are too many to read into one buffer (at most {Array.MaxLength})");
            }

            buffer = PooledBuffer.Rent((int)length);
            var read = 0;
            while (read < length)
            {
                var n = await result.Content.ReadAsync(buffer.Memory[read..], cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new ZarrStoreException(key, $"reading from {Url}: the response ended after {read} of {length} bytes");
                }

                read += n;
            }

            return (buffer, StoreVersion.Of(result.Details.ETag.ToString()), false);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return (null, StoreVersion.Absent, false);
        }
        catch (RequestFailedException e) when (e.Status == 412 && conditions is not null)
        {
            return (null, StoreVersion.Absent, true);
        }
        catch (RequestFailedException e) when (e.Status == 416 && range != default)
        {
            // The range starts at or past the end of the value (or the value is empty): nothing of it, but it exists.
            // (Only ranged reads get here, and they do not ask for the version.)
            return (PooledBuffer.Rent(0), StoreVersion.Absent, false);
        }
        catch (Exception e)
        {
            buffer?.Dispose();
            if (IsFailure(e, cancellationToken))
            {
                throw Failure(key, "reading", e);
            }

            throw;
        }
        finally
        {
            _slots.Release();
        }
    }

    private async ValueTask<BlobProperties?> GetPropertiesAsync(string key, CancellationToken cancellationToken)
    {
        StoreKey.Validate(key);
        var blob = _container.GetBlobClient(_prefix + key);
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return (await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (Exception e) when (IsFailure(e, cancellationToken))
        {
            throw Failure(key, "reading the properties", e);
        }
        finally
        {
            _slots.Release();
        }
    }

    private static void ValidateContainerName(string container)
    {
        var valid = container.Length is >= 3 and <= 63
            && char.IsAsciiLetterLower(container[0]) | char.IsAsciiDigit(container[0])
            && container[^1] != '-'
            && !container.Contains("--", StringComparison.Ordinal);
        foreach (var c in container)
        {
            valid &= char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-';
        }

        if (!valid)
        {
            throw new ArgumentException(
                $"'{Clip(container)}' is not a valid Azure container name (3 to 63 lowercase letters, digits and single hyphens, starting with a letter or digit)",
                nameof(container));
        }
    }

    private static string Clip(string text) => text.Length <= 200 ? text : text[..200] + "...";
}
