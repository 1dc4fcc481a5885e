using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace Zarr.Storage.S3;

public sealed partial class S3Store
{
    // How this server wants the ETag in If-Match. RFC 9110 (and AWS S3) take the quoted entity-tag, as GET returns it;
    // Ceph RGW (16, and later as of 2026) compares the header with its unquoted ETag, so the quoted form always fails there
    // with 412 and the unquoted one works. Neither form is accepted by both in every version, so the store learns it: it
    // sends the quoted (standard) form until a 412 comes for a version that HEAD shows is still the current one, which
    // only a server comparing unquoted answers; from then on it sends the unquoted form. A quoted If-Match that succeeds
    // settles the standard form for good.
    private const int IfMatchUnknown = 0;
    private const int IfMatchQuoted = 1;
    private const int IfMatchUnquoted = 2;
    private int _ifMatchForm;

    /// <inheritdoc />
    /// <exception cref="ZarrStoreException">The store was declared without conditional writes, or the request failed.</exception>
    public async ValueTask<VersionedValue> GetVersionedAsync(string key, CancellationToken cancellationToken = default)
    {
        StoreKey.Validate(key);
        ThrowIfNotConditional(key);
        cancellationToken.ThrowIfCancellationRequested();
        var request = new GetObjectRequest { BucketName = Bucket, Key = _root + key };
        var (value, etag) = await GetObjectAsync(key, request, cancellationToken).ConfigureAwait(false);
        if (value is null)
        {
            return new VersionedValue(null, StoreVersion.Absent);
        }

        if (string.IsNullOrEmpty(etag))
        {
            value.Dispose();
            throw new ZarrStoreException(key, $"{Url}: GET returned no ETag: the server cannot do conditional writes (S3StoreOptions.ConditionalWrites = false)");
        }

        return new VersionedValue(value, StoreVersion.Of(etag));
    }

    /// <inheritdoc />
    /// <remarks>
    /// <para>PUT with <c>If-None-Match: *</c> (absent) or <c>If-Match</c>; S3's 412 (precondition failed) and 409 (a
    /// conditional request in flight on the same key) mean another writer won: false. Single PUT, up to 5 GiB.</para>
    /// <para>Each conditional PUT carries a fresh write id (metadata <c>x-amz-meta-zarr-write</c>). When the answer is not
    /// a plain success (a lost race, or a 5xx after the SDK's retries, which RGW answers to conditional PUTs racing on one
    /// object), one HEAD tells whether this very write is the current value: then it counts as written (an SDK retry of
    /// a PUT that had landed sees 412, and must not make the caller apply its change twice); otherwise nothing of it is
    /// there and the answer is false.</para>
    /// </remarks>
    /// <exception cref="ZarrStoreException">The store was declared without conditional writes, is read-only, or the request failed.</exception>
    public async ValueTask<bool> TrySetAsync(string key, ReadOnlyMemory<byte> value, StoreVersion expected, CancellationToken cancellationToken = default)
    {
        StoreKey.Validate(key);
        ThrowIfReadOnly(key);
        ThrowIfNotConditional(key);
        cancellationToken.ThrowIfCancellationRequested();
        var form = Volatile.Read(ref _ifMatchForm);
        var tag = expected.Tag;
        var ifMatch = tag is null ? null : form == IfMatchUnquoted ? Unquote(tag) : tag;
        var writeId = Guid.NewGuid().ToString("N");
        var outcome = await TryPutAsync(key, value, ifMatch, writeId, cancellationToken).ConfigureAwait(false);
        if (outcome is PutOutcome.Written)
        {
            if (tag is not null && form == IfMatchUnknown && Unquote(tag) != tag)
            {
                Interlocked.CompareExchange(ref _ifMatchForm, IfMatchQuoted, IfMatchUnknown);
            }

            return true;
        }

        var head = await HeadAsync(key, cancellationToken).ConfigureAwait(false);
        if (head is not null && head.Metadata[WriteIdHeader] == writeId)
        {
            return true;
        }

        if (outcome is PutOutcome.PreconditionFailed && tag is not null && form == IfMatchUnknown && Unquote(tag) != tag
            && head is not null && head.ETag == tag)
        {
            // The version asked for is the current one, yet the quoted form failed: this server compares unquoted.
            Interlocked.CompareExchange(ref _ifMatchForm, IfMatchUnquoted, IfMatchUnknown);
            return await TrySetAsync(key, value, expected, cancellationToken).ConfigureAwait(false);
        }

        return false;
    }

    /// <inheritdoc />
    /// <remarks>DELETE with <c>If-Match</c>; only where <see cref="S3StoreOptions.ConditionalDeletes"/> says the server honours it.</remarks>
    /// <exception cref="InvalidOperationException"><see cref="CanDeleteConditionally"/> is false.</exception>
    public async ValueTask<bool> TryDeleteAsync(string key, StoreVersion expected, CancellationToken cancellationToken = default)
    {
        StoreKey.Validate(key);
        ThrowIfReadOnly(key);
        if (!CanDeleteConditionally)
        {
            throw new InvalidOperationException($"{Url}: conditional deletes are off (S3StoreOptions.ConditionalDeletes); CanDeleteConditionally is false");
        }

        if (expected.IsAbsent)
        {
            return !await ExistsAsync(key, cancellationToken).ConfigureAwait(false);
        }

        var tag = Volatile.Read(ref _ifMatchForm) == IfMatchUnquoted ? Unquote(expected.Tag!) : expected.Tag!;
        var request = new DeleteObjectRequest { BucketName = Bucket, Key = _root + key, IfMatch = tag };
        try
        {
            await SendAsync(key, "DELETE (conditional)", ct => _client.DeleteObjectAsync(request, ct), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ZarrStoreException e) when (IsLostRace(e.InnerException))
        {
            return false;
        }
    }

    private const string WriteIdHeader = "x-amz-meta-zarr-write";

    private enum PutOutcome
    {
        Written,
        PreconditionFailed,
        Conflict,
        ServerError,
    }

    private async ValueTask<PutOutcome> TryPutAsync(string key, ReadOnlyMemory<byte> value, string? ifMatch, string writeId, CancellationToken cancellationToken)
    {
        using var body = ValueStream(value);
        var request = new PutObjectRequest { BucketName = Bucket, Key = _root + key, InputStream = body, AutoCloseStream = false };
        request.Metadata.Add(WriteIdHeader, writeId);
        if (ifMatch is null)
        {
            request.IfNoneMatch = "*";
        }
        else
        {
            request.IfMatch = ifMatch;
        }

        try
        {
            await SendAsync(key, "PUT (conditional)", ct => _client.PutObjectAsync(request, ct), cancellationToken).ConfigureAwait(false);
            return PutOutcome.Written;
        }
        catch (ZarrStoreException e) when (IsLostRace(e.InnerException))
        {
            return e.InnerException is AmazonS3Exception { StatusCode: HttpStatusCode.PreconditionFailed }
                ? PutOutcome.PreconditionFailed
                : PutOutcome.Conflict;
        }
        catch (ZarrStoreException e) when (e.InnerException is AmazonS3Exception { StatusCode: >= HttpStatusCode.InternalServerError })
        {
            // Ceph RGW answers 500 to conditional PUTs racing on one object (seen with 8 writers): the HEAD decides.
            return PutOutcome.ServerError;
        }
    }

    /// <summary>412 (the version is not the one expected), 409 ConditionalRequestConflict (another conditional write on the
    /// key in flight), or 404 for If-Match on a key deleted meanwhile: another writer won.</summary>
    private static bool IsLostRace(Exception? e) => e is AmazonS3Exception s3 && (s3.StatusCode is HttpStatusCode.PreconditionFailed
        || s3.StatusCode is HttpStatusCode.Conflict && s3.ErrorCode == "ConditionalRequestConflict"
        || s3.StatusCode is HttpStatusCode.NotFound && s3.ErrorCode == "NoSuchKey");

    private static string Unquote(string tag) => tag.Length >= 2 && tag[0] == '"' && tag[^1] == '"' ? tag[1..^1] : tag;

    private void ThrowIfNotConditional(string key)
    {
        if (!SupportsConditionalWrites)
        {
            throw new ZarrStoreException(key, $"{Url}: this server was declared without conditional writes (S3StoreOptions.ConditionalWrites = false), so a read-modify-write of a value cannot be made safe against other writers: write whole chunks, or use a server with If-Match");
        }
    }
}
