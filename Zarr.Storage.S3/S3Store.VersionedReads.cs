using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Zarr.Storage.Buffers;

namespace Zarr.Storage.S3;

public sealed partial class S3Store : IVersionedReadStore
{
    /// <inheritdoc />
    /// <remarks>Where the server does conditional requests (<see cref="S3StoreOptions.ConditionalWrites"/>): the version is
    /// the ETag of the ranged GET, and a read on it is a ranged GET with <c>If-Match</c>.</remarks>
    public bool CanReadVersioned => SupportsConditionalWrites;

    /// <inheritdoc />
    /// <exception cref="ZarrStoreException">The store was declared without conditional requests, the server sent no ETag,
    /// or the request failed.</exception>
    public async ValueTask<VersionedValue> GetVersionedRangeAsync(string key, ByteRange range, CancellationToken cancellationToken = default)
    {
        StoreKey.Validate(key);
        ThrowIfNotConditional(key);
        cancellationToken.ThrowIfCancellationRequested();
        var (value, etag) = await GetObjectAsync(key, RangedGet(key, range, null), cancellationToken).ConfigureAwait(false);
        if (value is null)
        {
            return new VersionedValue(null, StoreVersion.Absent);
        }

        if (string.IsNullOrEmpty(etag))
        {
            value.Dispose();
            throw new ZarrStoreException(key, $"{Url}: a ranged GET returned no ETag (a range outside the value, or a server without ETags: S3StoreOptions.ConditionalWrites = false)");
        }

        return new VersionedValue(value, StoreVersion.Of(etag));
    }

    /// <inheritdoc />
    /// <remarks>A ranged GET with <c>If-Match</c> (in the form this server compares: see <see cref="TrySetAsync"/>); 412 or
    /// 404 read as "another version now".</remarks>
    /// <exception cref="ZarrStoreException">The store was declared without conditional requests, or the request failed.</exception>
    public async ValueTask<PooledBuffer?> GetRangeIfVersionAsync(string key, ByteRange range, StoreVersion expected, CancellationToken cancellationToken = default)
    {
        StoreKey.Validate(key);
        ThrowIfNotConditional(key);
        cancellationToken.ThrowIfCancellationRequested();
        if (expected.IsAbsent)
        {
            return null;
        }

        var tag = expected.Tag!;
        var form = Volatile.Read(ref _ifMatchForm);
        try
        {
            var (value, _) = await GetObjectAsync(key, RangedGet(key, range, form == IfMatchUnquoted ? Unquote(tag) : tag), cancellationToken).ConfigureAwait(false);
            if (value is not null && form == IfMatchUnknown && Unquote(tag) != tag)
            {
                Interlocked.CompareExchange(ref _ifMatchForm, IfMatchQuoted, IfMatchUnknown);
            }

            return value;
        }
        catch (ZarrStoreException e) when (e.InnerException is AmazonS3Exception { StatusCode: HttpStatusCode.PreconditionFailed })
        {
            if (form == IfMatchUnknown && Unquote(tag) != tag && (await HeadAsync(key, cancellationToken).ConfigureAwait(false))?.ETag == tag)
            {
                // The version asked for is the current one, yet the quoted form failed: this server compares unquoted.
                Interlocked.CompareExchange(ref _ifMatchForm, IfMatchUnquoted, IfMatchUnknown);
                return await GetRangeIfVersionAsync(key, range, expected, cancellationToken).ConfigureAwait(false);
            }

            return null;
        }
    }

    private GetObjectRequest RangedGet(string key, ByteRange range, string? ifMatch)
    {
        if (range.Length == 0 || range.SuffixLength == 0)
        {
            throw new ZarrStoreException(key, $"{Url}: HTTP cannot ask for an empty range");
        }

        var request = new GetObjectRequest { BucketName = Bucket, Key = _root + key, ByteRange = new Amazon.S3.Model.ByteRange(RangeHeader(range)) };
        if (ifMatch is not null)
        {
            request.EtagToMatch = ifMatch;
        }

        return request;
    }
}
