using Azure;
using Azure.Storage.Blobs.Models;
using Zarr.Storage.Buffers;

namespace Zarr.Storage.Azure;

public sealed partial class AzureBlobStore : IVersionedReadStore
{
    /// <inheritdoc />
    /// <remarks>Always: the version is the blob's ETag, and a read on it is a ranged GET with <c>If-Match</c>.</remarks>
    public bool CanReadVersioned => true;

    /// <inheritdoc />
    /// <remarks>A slice or an open range is one ranged GET, its ETag the version; a suffix learns the size and ETag first
    /// (Azure's Range header has no suffix form) and reads the last bytes with <c>If-Match</c> on it.</remarks>
    /// <exception cref="ZarrStoreException">The key is not valid, the range is empty or starts past the value's end, or Azure failed.</exception>
    public async ValueTask<VersionedValue> GetVersionedRangeAsync(string key, ByteRange range, CancellationToken cancellationToken = default)
    {
        StoreKey.Validate(key);
        if (range.Length == 0 || range.SuffixLength == 0)
        {
            throw new ZarrStoreException(key, $"{Url}: a versioned read of an empty range");
        }

        while (true)
        {
            HttpRange http;
            BlobRequestConditions? conditions = null;
            if (range.IsSuffix)
            {
                if (await GetPropertiesAsync(key, cancellationToken).ConfigureAwait(false) is not { } properties)
                {
                    return new VersionedValue(null, StoreVersion.Absent);
                }

                var count = Math.Min(range.SuffixLength!.Value, properties.ContentLength);
                http = new HttpRange(properties.ContentLength - count, count);
                conditions = new BlobRequestConditions { IfMatch = properties.ETag };
            }
            else
            {
                http = new HttpRange(range.Offset, range.Length);
            }

            var (value, version, changed) = await DownloadAsync(key, http, conditions, cancellationToken).ConfigureAwait(false);
            if (changed)
            {
                continue; // replaced since the size was learned
            }

            if (value is not null && version.IsAbsent)
            {
                value.Dispose();
                throw new ZarrStoreException(key, $"{Url}: the range {range} starts past the value's end, so it has no version to read it at");
            }

            return new VersionedValue(value, version);
        }
    }

    /// <inheritdoc />
    /// <remarks>A ranged GET with <c>If-Match</c>; 412 and 404 read as "another version now". A suffix costs a properties
    /// request first, which also tells a value of another version.</remarks>
    /// <exception cref="ZarrStoreException">The key is not valid, or Azure failed.</exception>
    public async ValueTask<PooledBuffer?> GetRangeIfVersionAsync(string key, ByteRange range, StoreVersion expected, CancellationToken cancellationToken = default)
    {
        StoreKey.Validate(key);
        if (expected.IsAbsent)
        {
            return null;
        }

        HttpRange http;
        if (range.IsSuffix)
        {
            if (await GetPropertiesAsync(key, cancellationToken).ConfigureAwait(false) is not { } properties || properties.ETag.ToString() != expected.Tag)
            {
                return null;
            }

            var count = Math.Min(range.SuffixLength!.Value, properties.ContentLength);
            http = new HttpRange(properties.ContentLength - count, count);
        }
        else
        {
            http = new HttpRange(range.Offset, range.Length);
        }

        var conditions = new BlobRequestConditions { IfMatch = new ETag(expected.Tag!) };
        var (value, _, _) = await DownloadAsync(key, http, conditions, cancellationToken).ConfigureAwait(false);
        return value;
    }
}
