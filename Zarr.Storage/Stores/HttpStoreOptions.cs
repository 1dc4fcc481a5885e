namespace Zarr.Storage;

/// <summary>
/// Options for an <see cref="HttpStore"/>. They are copied when the store is built; changing them later has no effect on it.
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>Option</term><description>Default</description></listheader>
/// <item><term><see cref="BaseUrl"/></term><description>none: required</description></item>
/// <item><term><see cref="MaxConcurrency"/></term><description>64 requests in flight per store</description></item>
/// <item><term><see cref="Timeout"/></term><description>30 seconds per attempt</description></item>
/// <item><term><see cref="MaxRetries"/></term><description>4</description></item>
/// <item><term><see cref="RetryDelay"/></term><description>200 ms, doubled each retry, with jitter</description></item>
/// <item><term><see cref="ForbiddenAsMissing"/></term><description>false</description></item>
/// <item><term><see cref="MaxWholeValueBytes"/></term><description>64 MiB</description></item>
/// <item><term><see cref="Headers"/></term><description>none</description></item>
/// </list>
/// </remarks>
public sealed class HttpStoreOptions
{
    /// <summary>The default of <see cref="MaxConcurrency"/>: enough that a 20 ms round trip does not bound throughput.</summary>
    public const int DefaultMaxConcurrency = 64;

    private int _maxConcurrency = DefaultMaxConcurrency;
    private TimeSpan _timeout = TimeSpan.FromSeconds(30);
    private int _maxRetries = 4;
    private TimeSpan _retryDelay = TimeSpan.FromMilliseconds(200);
    private long _maxWholeValueBytes = 64L << 20;

    /// <summary>
    /// The URL of the store's root (<c>http</c> or <c>https</c>), such as <c>https://example.org/data/x.zarr</c>: the key
    /// <c>k</c> is read from <c>BaseUrl/k</c>. A query string (a signed URL's token) is sent with every request; it and any
    /// user name and password in the URL never appear in a message.
    /// </summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>How many requests the store keeps in flight at once; more wait. Default <see cref="DefaultMaxConcurrency"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxConcurrency
    {
        get => _maxConcurrency;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxConcurrency = value;
        }
    }

    /// <summary>How long one attempt of a request (sending it and reading the whole answer) may take before it counts as a
    /// transient failure and is retried. Default 30 seconds.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan Timeout
    {
        get => _timeout;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _timeout = value;
        }
    }

    /// <summary>How many times a request is retried after a transient failure (a 5xx, 408 or 429 answer, a timeout, a dropped
    /// connection) before the store gives up with a <see cref="ZarrStoreException"/>. 0 disables retries. Default 4.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int MaxRetries
    {
        get => _maxRetries;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _maxRetries = value;
        }
    }

    /// <summary>The wait before the first retry; each later one waits about twice as long, with random jitter so that many
    /// clients do not retry in step. Default 200 ms.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan RetryDelay
    {
        get => _retryDelay;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            _retryDelay = value;
        }
    }

    /// <summary>
    /// When true, a 403 Forbidden answer means the key is missing, as a 404 does. Public S3 and GCS buckets that forbid
    /// listing answer 403 for a key that does not exist, so set this for them. Default false: a 403 is an access error,
    /// thrown as a <see cref="ZarrStoreException"/>, so that a wrong token never reads as an array of fill values.
    /// </summary>
    public bool ForbiddenAsMissing { get; set; }

    /// <summary>
    /// The largest whole value the store downloads when a server ignores a range request (answers 200 with the whole value
    /// instead of 206 with the part): up to this size the store slices the part out of the whole value; over it, it throws a
    /// <see cref="ZarrStoreException"/> naming the URL rather than download a huge value for a small part. 0 always throws.
    /// Default 64 MiB.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public long MaxWholeValueBytes
    {
        get => _maxWholeValueBytes;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _maxWholeValueBytes = value;
        }
    }

    /// <summary>Headers sent with every request, such as <c>Authorization: Bearer …</c>. Their values never appear in a message.</summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    internal HttpStoreOptions Clone()
    {
        var clone = new HttpStoreOptions
        {
            BaseUrl = BaseUrl,
            MaxConcurrency = MaxConcurrency,
            Timeout = Timeout,
            MaxRetries = MaxRetries,
            RetryDelay = RetryDelay,
            ForbiddenAsMissing = ForbiddenAsMissing,
            MaxWholeValueBytes = MaxWholeValueBytes,
        };
        foreach (var (name, value) in Headers)
        {
            clone.Headers[name] = value;
        }

        return clone;
    }
}
