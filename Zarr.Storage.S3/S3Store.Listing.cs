using System.Runtime.CompilerServices;
using Amazon.S3.Model;

namespace Zarr.Storage.S3;

public sealed partial class S3Store
{
    /// <summary>S3's largest batch for DeleteObjects (and its page size for listings).</summary>
    private const int DeleteBatchSize = 1000;

    /// <inheritdoc />
    /// <remarks>ListObjectsV2, page after page (1,000 keys a page). Objects whose names are not valid keys (written by other tools) are skipped.</remarks>
    public IAsyncEnumerable<StoreEntry> ListPrefixAsync(string prefix, CancellationToken cancellationToken = default)
    {
        StoreKey.ValidatePrefix(prefix);
        return ListPrefixCoreAsync(prefix, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>ListObjectsV2 with the delimiter '/': the values and the common prefixes (sub-folders) of the folder, each name once.</remarks>
    public IAsyncEnumerable<string> ListDirectoryAsync(string prefix, CancellationToken cancellationToken = default)
    {
        StoreKey.ValidatePrefix(prefix);
        return ListDirectoryCoreAsync(prefix, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>Lists the keys and deletes them with DeleteObjects, 1,000 a request; any key the server did not delete is reported.</remarks>
    public async ValueTask DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default)
    {
        StoreKey.ValidatePrefix(prefix);
        ThrowIfReadOnly(prefix);
        cancellationToken.ThrowIfCancellationRequested();
        var batch = new List<KeyVersion>(DeleteBatchSize);
        await foreach (var page in ListPagesAsync(prefix, delimiter: null, cancellationToken).ConfigureAwait(false))
        {
            foreach (var item in page.S3Objects ?? [])
            {
                // Every object below the prefix goes, whether or not its name is a valid key.
                batch.Add(new KeyVersion { Key = item.Key });
                if (batch.Count == DeleteBatchSize)
                {
                    await DeleteBatchAsync(prefix, batch, cancellationToken).ConfigureAwait(false);
                    batch.Clear();
                }
            }
        }

        if (batch.Count > 0)
        {
            await DeleteBatchAsync(prefix, batch, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask DeleteBatchAsync(string prefix, List<KeyVersion> batch, CancellationToken cancellationToken)
    {
        var request = new DeleteObjectsRequest { BucketName = Bucket, Objects = [.. batch], Quiet = true };
        var response = await SendAsync(prefix, "DELETE (batch)", ct => _client.DeleteObjectsAsync(request, ct), cancellationToken)
            .ConfigureAwait(false);
        if (response.DeleteErrors is { Count: > 0 } errors)
        {
            var first = errors[0];
            var key = first.Key.StartsWith(_root, StringComparison.Ordinal) ? first.Key[_root.Length..] : first.Key;
            throw new ZarrStoreException(key, $"{Url}: DELETE failed for {errors.Count} of {batch.Count} keys below \"{prefix}\": {first.Code}: {first.Message}");
        }
    }

    private async IAsyncEnumerable<StoreEntry> ListPrefixCoreAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var page in ListPagesAsync(prefix, delimiter: null, cancellationToken).ConfigureAwait(false))
        {
            foreach (var item in page.S3Objects ?? [])
            {
                var key = item.Key[_root.Length..];
                if (StoreKey.IsValid(key))
                {
                    yield return new StoreEntry(key, item.Size ?? 0);
                }
            }
        }
    }

    private async IAsyncEnumerable<string> ListDirectoryCoreAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // "a" may be both a value and a folder ("a/b"): each name once.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var start = _root.Length + prefix.Length;
        await foreach (var page in ListPagesAsync(prefix, delimiter: "/", cancellationToken).ConfigureAwait(false))
        {
            foreach (var item in page.S3Objects ?? [])
            {
                var name = item.Key[start..];
                if (StoreKey.IsValid(prefix + name) && seen.Add(name))
                {
                    yield return name;
                }
            }

            foreach (var folder in page.CommonPrefixes ?? [])
            {
                var name = folder[start..].TrimEnd('/');
                if (StoreKey.IsValid(prefix + name) && seen.Add(name))
                {
                    yield return name;
                }
            }
        }
    }

    /// <summary>The pages of a ListObjectsV2 below the store's root + <paramref name="prefix"/>, following the continuation tokens.</summary>
    private async IAsyncEnumerable<ListObjectsV2Response> ListPagesAsync(
        string prefix, string? delimiter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? token = null;
        do
        {
            var request = new ListObjectsV2Request
            {
                BucketName = Bucket,
                Prefix = _root + prefix,
                Delimiter = delimiter,
                ContinuationToken = token,
            };
            var page = await SendAsync(prefix, "LIST", ct => _client.ListObjectsV2Async(request, ct), cancellationToken).ConfigureAwait(false);
            yield return page;
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
    }
}
