using Amazon.Runtime;
using Amazon.S3;

namespace Zarr.Storage.S3;

/// <summary>
/// How an <see cref="S3Store"/> reaches its bucket. Everything left unset comes from the AWS SDK's own configuration:
/// credentials from its default chain (<c>AWS_ACCESS_KEY_ID</c>/<c>AWS_SECRET_ACCESS_KEY</c>, <c>AWS_PROFILE</c>, instance
/// roles...), the endpoint from <c>AWS_ENDPOINT_URL_S3</c>/<c>AWS_ENDPOINT_URL</c> and the region from <c>AWS_REGION</c>
/// or the profile.
/// </summary>
public sealed class S3StoreOptions
{
    /// <summary>The default of <see cref="MaxConcurrency"/>: with a 20 ms round trip, 64 requests in flight move 3,200 requests a second.</summary>
    public const int DefaultMaxConcurrency = 64;

    /// <summary>
    /// A client to use as it is (its endpoint, region, credentials and retry settings); the store does not dispose it.
    /// When set, <see cref="ServiceUrl"/>, <see cref="Region"/>, <see cref="ForcePathStyle"/>, <see cref="Credentials"/>,
    /// <see cref="RetryMode"/>, <see cref="MaxErrorRetry"/> and <see cref="ChecksumsOnlyWhenRequired"/> are not read.
    /// </summary>
    public IAmazonS3? Client { get; set; }

    /// <summary>The endpoint of an S3-compatible server (<c>http://127.0.0.1:7480</c>), or null for the SDK's (AWS, or <c>AWS_ENDPOINT_URL</c>).</summary>
    public Uri? ServiceUrl { get; set; }

    /// <summary>The region (<c>us-east-1</c>), or null for the SDK's; with <see cref="ServiceUrl"/> it is the region requests are signed for.</summary>
    public string? Region { get; set; }

    /// <summary>True to address buckets as <c>endpoint/bucket/key</c> rather than <c>bucket.endpoint/key</c>: what most self-hosted servers (RGW, MinIO) need.</summary>
    public bool ForcePathStyle { get; set; }

    /// <summary>Credentials, or null for the SDK's default chain. Never shown in a message or in <see cref="S3Store.ToString"/>.</summary>
    public AWSCredentials? Credentials { get; set; }

    /// <summary>How many requests one store keeps in flight at most (a multipart upload's parts count one each). Default 64.</summary>
    public int MaxConcurrency { get; set; } = DefaultMaxConcurrency;

    /// <summary>Values at least this long are uploaded in parts, in parallel (default 16 MiB; at least 5 MiB, S3's smallest part).</summary>
    public long MultipartThreshold { get; set; } = 16L << 20;

    /// <summary>The size of each part of a multipart upload but the last (default 8 MiB; at least 5 MiB).</summary>
    public long PartSize { get; set; } = 8L << 20;

    /// <summary>The SDK's retry policy: <see cref="RequestRetryMode.Standard"/> (exponential backoff with jitter; the default) or <see cref="RequestRetryMode.Adaptive"/> (also rate-limits the client after throttling).</summary>
    public RequestRetryMode RetryMode { get; set; } = RequestRetryMode.Standard;

    /// <summary>How many times the SDK retries a throttled, failed (5xx) or dropped request before the store reports it (default 4).</summary>
    public int MaxErrorRetry { get; set; } = 4;

    /// <summary>
    /// True (the default) to send and check request checksums only where an operation requires them. The SDK's default
    /// (aws-chunked bodies with trailing CRC checksums) is refused by servers that predate it: Ceph RGW 16 answers
    /// <c>400 XAmzContentSHA256Mismatch</c>. Set false to get the SDK's default on AWS.
    /// </summary>
    public bool ChecksumsOnlyWhenRequired { get; set; } = true;

    /// <summary>True when writes are refused.</summary>
    public bool ReadOnly { get; set; }

    /// <summary>
    /// True (the default) when the server honours <c>If-Match</c> and <c>If-None-Match: *</c> on PUT (AWS S3 since 2024,
    /// Ceph RGW, MinIO). Set false for a server that does not: the store then refuses its compare-and-swap operations
    /// (<see cref="IConditionalStore.TrySetAsync"/>, <see cref="IConditionalStore.GetVersionedAsync"/>) with a
    /// <see cref="ZarrStoreException"/> instead of claiming a safety it cannot give, so partial chunk writes fail clearly
    /// rather than lose updates; whole-chunk writes still work. <see cref="S3Store.SupportsConditionalWrites"/> tells.
    /// </summary>
    public bool ConditionalWrites { get; set; } = true;

    /// <summary>
    /// True when the server honours <c>If-Match</c> on DELETE (AWS S3 does; Ceph RGW 16 ignores it and deletes
    /// unconditionally, measured by this package's tests). Default false: the library then keeps an all-fill chunk it
    /// changed instead of deleting it, which reads the same and loses nothing.
    /// </summary>
    public bool ConditionalDeletes { get; set; }

    /// <summary>Options for a self-hosted S3-compatible server at <paramref name="serviceUrl"/>: path-style addressing, requests signed for us-east-1 unless <paramref name="region"/> says otherwise.</summary>
    /// <param name="serviceUrl">The server's endpoint, as <c>http://127.0.0.1:7480</c>.</param>
    /// <param name="credentials">Credentials, or null for the SDK's default chain.</param>
    /// <param name="region">The signing region.</param>
    public static S3StoreOptions ForServer(Uri serviceUrl, AWSCredentials? credentials = null, string region = "us-east-1")
    {
        ArgumentNullException.ThrowIfNull(serviceUrl);
        return new S3StoreOptions { ServiceUrl = serviceUrl, Region = region, ForcePathStyle = true, Credentials = credentials };
    }

    /// <summary>A copy of these options (the client and credentials are shared, not copied).</summary>
    public S3StoreOptions Clone() => (S3StoreOptions)MemberwiseClone();
}
