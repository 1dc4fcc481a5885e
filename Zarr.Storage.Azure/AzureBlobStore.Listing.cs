using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs.Models;

namespace Zarr.Storage.Azure;

public sealed partial class AzureBlobStore
{
    /// <inheritdoc />
    /// <remarks>A flat listing (List Blobs without a delimiter), page after page (Azure's pages hold up to 5,000 blobs),
    /// sizes from the listing (<see cref="AzureBlobStoreOptions.ListPageSize"/> blobs a page when set). Blobs whose names are not valid keys are skipped.</remarks>
    /// <exception cref="ZarrStoreException">The prefix is not valid, or Azure failed.</exception>
    public IAsyncEnumerable<StoreEntry> ListPrefixAsync(string prefix, CancellationToken cancellationToken = default)
    {
        StoreKey.ValidatePrefix(prefix);
        return ListEntriesAsync(prefix, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>A hierarchical listing (List Blobs with the delimiter '/'): blobs and virtual folders, each name once
    /// (a blob and a folder of the same name are one child).</remarks>
    /// <exception cref="ZarrStoreException">The prefix is not valid, or Azure failed.</exception>
    public IAsyncEnumerable<string> ListDirectoryAsync(string prefix, CancellationToken cancellationToken = default)
    {
        StoreKey.ValidatePrefix(prefix);
        return ListChildrenAsync(prefix, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>Lists the blobs below the prefix and deletes them, up to <see cref="MaxConcurrency"/> at a time,
    /// while the listing goes on. Every blob below the prefix goes, valid key or not.</remarks>
    /// <exception cref="ZarrStoreException">The prefix is not valid, the store is read-only, or Azure failed.</exception>
    public async ValueTask DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default)
    {
        StoreKey.ValidatePrefix(prefix);
        ThrowIfReadOnly(prefix);
        var blobs = ListBlobsAsync(prefix, cancellationToken);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrency, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(blobs, parallel, async (blob, ct) =>
        {
            var key = blob.Name[_prefix.Length..];
            await DeleteBlobAsync(key, blob.Name, null, ct).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    private async IAsyncEnumerable<StoreEntry> ListEntriesAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var blob in ListBlobsAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            var key = blob.Name[_prefix.Length..];
            if (StoreKey.IsValid(key))
            {
                yield return new StoreEntry(key, blob.Properties.ContentLength ?? 0);
            }
        }
    }

    private async IAsyncEnumerable<string> ListChildrenAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var folder = _prefix + prefix;
        var options = new GetBlobsByHierarchyOptions { Prefix = folder, Delimiter = "/" };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var page in PagesAsync(_container.GetBlobsByHierarchyAsync(options, cancellationToken), prefix, cancellationToken).ConfigureAwait(false))
        {
            foreach (var item in page.Values)
            {
                var full = item.IsPrefix ? item.Prefix : item.Blob.Name;
                var name = full[folder.Length..];
                if (item.IsPrefix)
                {
                    name = name[..^1];
                }

                if (StoreKey.IsValid(prefix + name) && seen.Add(name))
                {
                    yield return name;
                }
            }
        }
    }

    /// <summary>Every blob below the store's prefix + <paramref name="prefix"/>, page after page.</summary>
    private async IAsyncEnumerable<BlobItem> ListBlobsAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var options = new GetBlobsOptions { Prefix = _prefix + prefix };
        await foreach (var page in PagesAsync(_container.GetBlobsAsync(options, cancellationToken), prefix, cancellationToken).ConfigureAwait(false))
        {
            foreach (var blob in page.Values)
            {
                yield return blob;
            }
        }
    }

    /// <summary>The pages of a listing, each request a failure of the listing when it fails; a missing container lists as empty.</summary>
    private async IAsyncEnumerable<Page<T>> PagesAsync<T>(AsyncPageable<T> listing, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : notnull
    {
        var pages = listing.AsPages(pageSizeHint: _listPageSize).GetAsyncEnumerator(cancellationToken);
        await using (pages.ConfigureAwait(false))
        {
            while (true)
            {
                Page<T> page;
                try
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (!await pages.MoveNextAsync().ConfigureAwait(false))
                    {
                        yield break;
                    }

                    page = pages.Current;
                }
                catch (RequestFailedException e) when (e.Status == 404 && e.ErrorCode == BlobErrorCode.ContainerNotFound)
                {
                    yield break;
                }
                catch (Exception e) when (IsFailure(e, cancellationToken))
                {
                    throw Failure(prefix, "listing", e);
                }

                yield return page;
            }
        }
    }
}
