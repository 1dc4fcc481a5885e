using System.Net;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Zarr.Storage.Buffers;

namespace Zarr.Storage.S3;

/// <summary>
/// A store over a bucket of Amazon S3 or an S3-compatible server (Ceph RGW, MinIO), below an optional key prefix,
/// through the official AWSSDK.S3. Thread-safe; requests in flight are bounded by <see cref="S3StoreOptions.MaxConcurrency"/>.
/// </summary>
/// <remarks>
/// <para>Reads are ranged where asked (a suffix range for a shard's index is one request); large values are uploaded in
/// parallel parts; listings follow continuation tokens; retries with backoff and jitter are the SDK's, as configured by
/// the options. Every failure of the service or the network is a <see cref="ZarrStoreException"/> naming the key and
/// <c>s3://bucket/prefix</c> (never a credential); a cancelled token cancels the request in flight.</para>
/// <para>Conditional writes (<see cref="IConditionalStore"/>) are <c>If-Match</c>/<c>If-None-Match: *</c> on the object's
/// ETag: what keeps the read-modify-write of a chunk safe across processes and machines.</para>
/// </remarks>
public sealed partial class S3Store : IConditionalStore, IDisposable
{
    private readonly IAmazonS3 _client;
    private readonly bool _ownsClient;
    private readonly string _root;
    private readonly SemaphoreSlim _gate;
    private readonly long _multipartThreshold;
    private readonly long _partSize;
    private readonly bool _conditionalDeletes;

    /// <summary>A store over <paramref name="bucket"/>, below <paramref name="prefix"/>.</summary>
    /// <param name="bucket">The bucket's name.</param>
    /// <param name="prefix">The key prefix of the store's root ("" for the whole bucket; a trailing '/' is optional).</param>
    /// <param name="options">How to reach the bucket; null for the SDK's configuration alone.</param>
    /// <exception cref="ArgumentException">The bucket is empty or holds '/', or the prefix is not a valid key.</exception>
    public S3Store(string bucket, string prefix = "", S3StoreOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        ArgumentNullException.ThrowIfNull(prefix);
        if (bucket.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"the bucket name \"{bucket}\" holds a '/'", nameof(bucket));
        }

        var trimmed = prefix.TrimEnd('/');
        if (trimmed.Length > 0 && !StoreKey.IsValid(trimmed))
        {
            throw new ArgumentException($"the prefix \"{prefix}\" is not a valid key: {StoreKey.GetKeyError(trimmed)}", nameof(prefix));
        }

        options ??= new S3StoreOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConcurrency, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PartSize, MinimumPartSize, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MultipartThreshold, MinimumPartSize, nameof(options));

        Bucket = bucket;
        _root = trimmed.Length == 0 ? string.Empty : trimmed + "/";
        Url = $"s3://{bucket}/{_root}";
        IsReadOnly = options.ReadOnly;
        SupportsConditionalWrites = options.ConditionalWrites;
        _conditionalDeletes = options.ConditionalDeletes;
        _multipartThreshold = options.MultipartThreshold;
        _partSize = options.PartSize;
        _gate = new SemaphoreSlim(options.MaxConcurrency, options.MaxConcurrency);
        (_client, _ownsClient) = options.Client is { } given ? (given, false) : (CreateClient(options), true);
        Location = StoreLocation.OfNamedSpace($"s3://{EndpointName(_client)}/{bucket}").Below(_root);
    }

    /// <summary>The bucket's name.</summary>
    public string Bucket { get; }

    /// <summary>The key prefix of the store's root in the bucket: "" or ending in '/'.</summary>
    public string Prefix => _root;

    /// <summary>The store as a URL, <c>s3://bucket/prefix/</c>: how messages name it.</summary>
    public string Url { get; }

    /// <summary>
    /// True when the store does compare-and-swap writes (<see cref="S3StoreOptions.ConditionalWrites"/>); when false its
    /// <see cref="IConditionalStore"/> operations throw, so a partial chunk write fails clearly instead of losing updates.
    /// </summary>
    public bool SupportsConditionalWrites { get; }

    /// <inheritdoc />
    public bool IsReadOnly { get; }

    /// <inheritdoc />
    /// <remarks>The endpoint, the bucket and the prefix: stores on the same objects share one location.</remarks>
    public StoreLocation Location { get; }

    /// <inheritdoc />
    public bool CanDeleteConditionally => SupportsConditionalWrites && _conditionalDeletes;

    /// <summary>A store for the URL <c>s3://bucket/prefix</c>.</summary>
    /// <param name="url">The URL: scheme <c>s3</c>, the bucket as host, the prefix as path.</param>
    /// <param name="options">How to reach the bucket; null for the SDK's configuration alone.</param>
    /// <exception cref="ArgumentException">The URL is not an <c>s3://bucket[/prefix]</c> URL.</exception>
    public static S3Store FromUrl(string url, S3StoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        const string scheme = "s3://";
        if (!url.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) || url.Length == scheme.Length
            || url.Contains('?', StringComparison.Ordinal) || url.Contains('#', StringComparison.Ordinal))
        {
            throw new ArgumentException($"\"{url}\" is not an s3://bucket/prefix URL", nameof(url));
        }

        var rest = url[scheme.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? string.Empty : rest[(slash + 1)..];
        if (bucket.Length == 0 || bucket.Contains('@', StringComparison.Ordinal))
        {
            throw new ArgumentException($"\"{url}\" names no bucket (s3://bucket/prefix)", nameof(url));
        }

        return new S3Store(bucket, prefix, options);
    }

    /// <inheritdoc />
    public async ValueTask<PooledBuffer?> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        StoreKey.Validate(key);
        cancellationToken.ThrowIfCancellationRequested();
        if (range is { } r && (r.Length == 0 || r.SuffixLength == 0))
        {
            // HTTP cannot ask for zero bytes ("bytes=-0" is not a range): the answer is empty if the value exists.
            return await ExistsAsync(key, cancellationToken).ConfigureAwait(false) ? PooledBuffer.Rent(0) : null;
        }

        var request = new GetObjectRequest { BucketName = Bucket, Key = _root + key };
        if (range is { } asked)
        {
            request.ByteRange = new Amazon.S3.Model.ByteRange(RangeHeader(asked));
        }

        return (await GetObjectAsync(key, request, cancellationToken).ConfigureAwait(false)).Value;
    }

    /// <inheritdoc />
    public async ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) =>
        await GetSizeAsync(key, cancellationToken).ConfigureAwait(false) is not null;

    /// <inheritdoc />
    public async ValueTask<long?> GetSizeAsync(string key, CancellationToken cancellationToken = default) =>
        (await HeadAsync(key, cancellationToken).ConfigureAwait(false))?.ContentLength;

    /// <inheritdoc />
    /// <remarks>A value of <see cref="S3StoreOptions.MultipartThreshold"/> bytes or more is uploaded in parts, in parallel.</remarks>
    public async ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        StoreKey.Validate(key);
        ThrowIfReadOnly(key);
        cancellationToken.ThrowIfCancellationRequested();
        if (value.Length >= _multipartThreshold)
        {
            await UploadInPartsAsync(key, value, cancellationToken).ConfigureAwait(false);
            return;
        }

        using var body = ValueStream(value);
        var request = new PutObjectRequest { BucketName = Bucket, Key = _root + key, InputStream = body, AutoCloseStream = false };
        await SendAsync(key, "PUT", ct => _client.PutObjectAsync(request, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        StoreKey.Validate(key);
        ThrowIfReadOnly(key);
        cancellationToken.ThrowIfCancellationRequested();
        var request = new DeleteObjectRequest { BucketName = Bucket, Key = _root + key };
        await SendAsync(key, "DELETE", ct => _client.DeleteObjectAsync(request, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Disposes the client the store made (not one given in <see cref="S3StoreOptions.Client"/>).</summary>
    public void Dispose()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }

        _gate.Dispose();
    }

    /// <summary>The store's URL, <c>s3://bucket/prefix/</c>.</summary>
    public override string ToString() => Url;

    /// <summary>The whole value (or the range asked) with its ETag; (null, null) when the key is missing.</summary>
    private async ValueTask<(PooledBuffer? Value, string? ETag)> GetObjectAsync(string key, GetObjectRequest request, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var response = await _client.GetObjectAsync(request, cancellationToken).ConfigureAwait(false);
            var length = response.ContentLength;
            if (length > Array.MaxLength)
            {
                throw new ZarrStoreException(key, $"{Url}: the value is {length} bytes, more than one buffer holds");
            }

            var buffer = PooledBuffer.Rent((int)length);
            try
            {
                await response.ResponseStream.ReadExactlyAsync(buffer.Memory, cancellationToken).ConfigureAwait(false);
                return (buffer, response.ETag);
            }
            catch
            {
                buffer.Dispose();
                throw;
            }
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket")
        {
            return (null, null);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            // The value exists (else 404) and the range starts at or past its end: what a store returns is empty.
            return (PooledBuffer.Rent(0), null);
        }
        catch (Exception e) when (IsServiceFailure(e, cancellationToken))
        {
            throw Failure(key, "GET", e);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>HEAD of a key: its size and ETag, or null when it is missing.</summary>
    private async ValueTask<GetObjectMetadataResponse?> HeadAsync(string key, CancellationToken cancellationToken)
    {
        StoreKey.Validate(key);
        cancellationToken.ThrowIfCancellationRequested();
        var request = new GetObjectMetadataRequest { BucketName = Bucket, Key = _root + key };
        try
        {
            return await SendAsync(key, "HEAD", ct => _client.GetObjectMetadataAsync(request, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (ZarrStoreException e) when (e.InnerException is AmazonS3Exception { StatusCode: HttpStatusCode.NotFound } inner
                                          && inner.ErrorCode != "NoSuchBucket")
        {
            return null;
        }
    }

    /// <summary>Sends one request inside the concurrency bound, turning a service or network failure into a <see cref="ZarrStoreException"/>.</summary>
    private async Task<T> SendAsync<T>(string? key, string action, Func<CancellationToken, Task<T>> send, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await send(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsServiceFailure(e, cancellationToken))
        {
            throw Failure(key, action, e);
        }
        finally
        {
            _gate.Release();
        }
    }

    private void ThrowIfReadOnly(string key)
    {
        if (IsReadOnly)
        {
            throw new ZarrStoreException(key, "store is read-only");
        }
    }

    private static AmazonS3Client CreateClient(S3StoreOptions options)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            RetryMode = options.RetryMode,
            MaxErrorRetry = options.MaxErrorRetry,
            // The SDK's connection pool must not be narrower than the requests the store lets through.
            MaxConnectionsPerServer = options.MaxConcurrency,
        };
        if (options.ServiceUrl is { } url)
        {
            config.ServiceURL = url.ToString();
            if (options.Region is { } signing)
            {
                config.AuthenticationRegion = signing;
            }
        }
        else if (options.Region is { } region)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        if (options.ChecksumsOnlyWhenRequired)
        {
            config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
            config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED;
        }

        return options.Credentials is { } credentials ? new AmazonS3Client(credentials, config) : new AmazonS3Client(config);
    }

    /// <summary>The endpoint as scheme://host:port (never a user or password), or "aws" with the SDK's own endpoints (bucket names are global there).</summary>
    private static string EndpointName(IAmazonS3 client)
    {
        var serviceUrl = client.Config.ServiceURL;
        return serviceUrl is not null && Uri.TryCreate(serviceUrl, UriKind.Absolute, out var uri)
            ? uri.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped).ToLowerInvariant()
            : "aws";
    }

    private static string RangeHeader(ByteRange range) =>
        range.SuffixLength is { } suffix ? $"bytes=-{suffix}"
        : range.Length is { } length ? $"bytes={range.Offset}-{range.Offset + length - 1}"
        : $"bytes={range.Offset}-";

    /// <summary>A read-only stream over the value, without a copy where the memory is an array's.</summary>
    private static MemoryStream ValueStream(ReadOnlyMemory<byte> value) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(value, out var segment) && segment.Array is not null
            ? new MemoryStream(segment.Array, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(value.ToArray(), writable: false);
}
