using System.Net;
using System.Net.Http.Headers;
using Zarr.Storage.Buffers;

namespace Zarr.Storage;

/// <summary>
/// A read-only store over plain HTTP(S), for arrays and groups published on a web server or a public bucket: the key
/// <c>k</c> is the URL <c>BaseUrl/k</c>. Values are read with GET (ranges with the <c>Range</c> header, suffix ranges as
/// <c>bytes=-N</c>), sizes with HEAD. Thread-safe; at most <see cref="HttpStoreOptions.MaxConcurrency"/> requests in flight.
/// </summary>
/// <remarks>
/// <para><b>Missing keys.</b> 404 and 410 mean the key has no value (null, the fill value for a chunk). 403 means the same
/// only when <see cref="HttpStoreOptions.ForbiddenAsMissing"/> is set (public S3 and GCS buckets answer 403 for a missing
/// key); otherwise it is an access error. Every other status that is not a success throws a
/// <see cref="ZarrStoreException"/> naming the key and the URL.</para>
/// <para><b>Retries.</b> A 5xx, 408 or 429 answer, a timeout (<see cref="HttpStoreOptions.Timeout"/> per attempt) and a
/// dropped connection are retried up to <see cref="HttpStoreOptions.MaxRetries"/> times with exponential backoff and full
/// jitter; after the last, the store throws a <see cref="ZarrStoreException"/> with the last failure
/// inside. The caller's cancellation is never retried: it ends the request at once.</para>
/// <para><b>Servers that ignore ranges.</b> A server that answers a range request with the whole value (200 instead of 206)
/// is handled by slicing the part out of it when the whole value is at most <see cref="HttpStoreOptions.MaxWholeValueBytes"/>;
/// a larger one throws a <see cref="ZarrStoreException"/> naming the URL instead of downloading it.</para>
/// <para><b>Listing.</b> Plain HTTP cannot list, so <see cref="ListPrefixAsync"/> and <see cref="ListDirectoryAsync"/> throw
/// <see cref="NotSupportedException"/>. Groups are opened through their consolidated metadata
/// (<see cref="ZarrGroup.OpenAsync(IStore, string, AccessMode, CancellationToken)"/> in mode <c>r</c> reads it), which
/// answers the listing of their children; arrays and chunks are read by their known keys.</para>
/// <para><b>Versioned reads.</b> A ranged GET's strong <c>ETag</c> is the version of the value it read, and a read on that
/// version is a GET with <c>If-Match</c> (412 Precondition Failed: the value changed), so a sharded array keeps each
/// shard's index (<see cref="IVersionedReadStore"/>) and never reads inner chunks through an index of another version.
/// An answer with a weak ETag or none gives a version that is not lasting and checks nothing: a read on it is a plain
/// GET, as a store without versioned reads makes, and nothing is kept. Servers such as nginx derive a strong ETag from the
/// modification time in whole seconds and the size, so two values of one size written within a second share it: a
/// version is kept only once the answer's <c>Last-Modified</c> lies two seconds before its <c>Date</c>, after which any
/// change carries a later second. (A server whose strong ETags do not change with the bytes even then breaks HTTP's rule,
/// and this store's reads.)</para>
/// <para><b>Secrets.</b> Messages and <see cref="ToString"/> name the URL without its query string and user name and password;
/// headers (<see cref="HttpStoreOptions.Headers"/>, a bearer token) never appear in a message.</para>
/// </remarks>
public sealed class HttpStore : IStore, IVersionedReadStore, IDisposable
{
    // The version of a value sent without a strong ETag: not one (a strong ETag is a quoted string), so it never equals one.
    private const string NoETag = "(no strong ETag)";

    private readonly HttpClient _client;
    private readonly bool _ownsClient;
    private readonly HttpStoreRequests _requests;

    /// <summary>Creates a store that sends its requests through an <see cref="HttpClient"/> of its own (disposed with the store).</summary>
    /// <param name="options">The base URL and the other options; copied.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">The base URL is missing, not absolute, or not <c>http</c> or <c>https</c>.</exception>
    public HttpStore(HttpStoreOptions options)
        : this(CreateClient(options), options, ownsClient: true)
    {
    }

    /// <summary>Creates a store that sends its requests through the caller's <paramref name="httpClient"/> (not disposed with the store).</summary>
    /// <param name="httpClient">The client. Its own <see cref="HttpClient.Timeout"/> still applies; a timeout it raises is retried as any other.</param>
    /// <param name="options">The base URL and the other options; copied.</param>
    /// <exception cref="ArgumentNullException"><paramref name="httpClient"/> or <paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">The base URL is missing, not absolute, or not <c>http</c> or <c>https</c>.</exception>
    public HttpStore(HttpClient httpClient, HttpStoreOptions options)
        : this(httpClient ?? throw new ArgumentNullException(nameof(httpClient)), options, ownsClient: false)
    {
    }

    private HttpStore(HttpClient client, HttpStoreOptions options, bool ownsClient)
    {
        _client = client;
        _ownsClient = ownsClient;
        _requests = new HttpStoreRequests(client, options.Clone());
        BaseUrl = _requests.BaseUrl;
    }

    /// <summary>The URL of the store's root as it is shown: without query string, user name or password, ending in '/'.</summary>
    public string BaseUrl { get; }

    /// <inheritdoc />
    /// <remarks>Always true: plain HTTP is read here, never written.</remarks>
    public bool IsReadOnly => true;

    /// <inheritdoc />
    /// <exception cref="ZarrStoreException">The key is not valid, or the server failed (after retries), refused access, or
    /// ignored the range on a value over <see cref="HttpStoreOptions.MaxWholeValueBytes"/>.</exception>
    public ValueTask<PooledBuffer?> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        StoreKey.Validate(key);
        if (range is { } r && IsEmpty(r))
        {
            // HTTP cannot ask for zero bytes ("bytes=-0" is not satisfiable): only whether the key exists matters.
            return EmptyIfExistsAsync(key, cancellationToken);
        }

        return _requests.GetAsync(key, range, cancellationToken);
    }

    /// <inheritdoc />
    /// <exception cref="ZarrStoreException">The key is not valid, or the server failed (after retries) or refused access.</exception>
    public async ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) =>
        await GetSizeAsync(key, cancellationToken).ConfigureAwait(false) is not null;

    /// <inheritdoc />
    /// <exception cref="ZarrStoreException">The key is not valid, or the server failed (after retries) or refused access.</exception>
    public ValueTask<long?> GetSizeAsync(string key, CancellationToken cancellationToken = default)
    {
        StoreKey.Validate(key);
        return _requests.HeadAsync(key, cancellationToken);
    }

    /// <inheritdoc />
    /// <exception cref="ZarrStoreException">Always: the store is read-only.</exception>
    public ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) => throw ReadOnly(key);

    /// <inheritdoc />
    /// <exception cref="ZarrStoreException">Always: the store is read-only.</exception>
    public ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default) => throw ReadOnly(key);

    /// <inheritdoc />
    /// <exception cref="ZarrStoreException">Always: the store is read-only.</exception>
    public ValueTask DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default) => throw ReadOnly(prefix);

    /// <inheritdoc />
    /// <exception cref="NotSupportedException">Always: plain HTTP cannot list keys.</exception>
    public IAsyncEnumerable<StoreEntry> ListPrefixAsync(string prefix, CancellationToken cancellationToken = default) =>
        throw CannotList(prefix);

    /// <inheritdoc />
    /// <exception cref="NotSupportedException">Always: plain HTTP cannot list keys; a group's children are listed from its
    /// consolidated metadata instead.</exception>
    public IAsyncEnumerable<string> ListDirectoryAsync(string prefix, CancellationToken cancellationToken = default) =>
        throw CannotList(prefix);

    /// <inheritdoc />
    /// <remarks>Always true: whether a value has a version is told per answer (its strong ETag).</remarks>
    public bool CanReadVersioned => true;

    /// <inheritdoc />
    /// <remarks>The version is the strong ETag of the answer, lasting once the answer's <c>Last-Modified</c> lies two seconds
    /// before its <c>Date</c> (or when it has none); an answer without a strong ETag (a weak one or none) gives a version that
    /// is not lasting, on which <see cref="GetRangeIfVersionAsync"/> reads without a check.</remarks>
    /// <exception cref="ZarrStoreException">The key is not valid, or the server failed (after retries), refused access, or
    /// ignored the range on a value over <see cref="HttpStoreOptions.MaxWholeValueBytes"/>.</exception>
    public async ValueTask<VersionedValue> GetVersionedRangeAsync(string key, ByteRange range, CancellationToken cancellationToken = default)
    {
        StoreKey.Validate(key);
        var (value, etag, lasting) = await _requests.GetTaggedAsync(key, Header(range), IsEmpty(range), null, cancellationToken).ConfigureAwait(false);
        return value is null
            ? new VersionedValue(null, StoreVersion.Absent)
            : new VersionedValue(value, StoreVersion.Of(etag ?? NoETag), isLasting: lasting);
    }

    /// <inheritdoc />
    /// <remarks>A GET with <c>If-Match</c>; null on 412, on 404, and on an answer with another ETag or none (a server that
    /// ignores <c>If-Match</c>, or does not say which version it sent). On a version without an ETag, a plain GET, null only when the answer now has a strong ETag.</remarks>
    /// <exception cref="ZarrStoreException">The key is not valid, or the server failed (after retries), refused access, or
    /// ignored the range on a value over <see cref="HttpStoreOptions.MaxWholeValueBytes"/>.</exception>
    public async ValueTask<PooledBuffer?> GetRangeIfVersionAsync(string key, ByteRange range, StoreVersion expected, CancellationToken cancellationToken = default)
    {
        StoreKey.Validate(key);
        if (expected.IsAbsent)
        {
            return null;
        }

        var tagged = expected.Tag != NoETag;
        var (value, etag, _) = await _requests.GetTaggedAsync(key, Header(range), IsEmpty(range), tagged ? expected.Tag : null, cancellationToken).ConfigureAwait(false);
        if (!tagged && etag is not null)
        {
            value?.Dispose(); // the value has a version now, so it is not the one read without
            return null;
        }

        return value;
    }

    /// <summary>Returns "HttpStore(" + the base URL without secrets + ")".</summary>
    public override string ToString() => $"HttpStore({BaseUrl})";

    /// <summary>Disposes the <see cref="HttpClient"/> the store made (not a caller's).</summary>
    public void Dispose()
    {
        _requests.Dispose();
        if (_ownsClient)
        {
            _client.Dispose();
        }
    }

    private static HttpClient CreateClient(HttpStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var handler = new SocketsHttpHandler
        {
            // Ranges name bytes of the stored value: never let the transport decompress it.
            AutomaticDecompression = DecompressionMethods.None,
            MaxConnectionsPerServer = options.MaxConcurrency,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };

        // Each attempt has its own timeout (HttpStoreOptions.Timeout), applied by the retry loop.
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    // The Range header to send: none for the whole value (a server that ignores ranges sends it unbounded, as to
    // GetAsync) and none for an empty range (asked with HEAD).
    private static ByteRange? Header(ByteRange range) => range == ByteRange.From(0) || IsEmpty(range) ? null : range;

    private static bool IsEmpty(ByteRange range) => range.IsSuffix ? range.SuffixLength == 0 : range.Length == 0;

    private async ValueTask<PooledBuffer?> EmptyIfExistsAsync(string key, CancellationToken cancellationToken) =>
        await _requests.HeadAsync(key, cancellationToken).ConfigureAwait(false) is null ? null : PooledBuffer.Rent(0);

    private NotSupportedException CannotList(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return new NotSupportedException(
            $"{BaseUrl}: an HTTP store cannot list keys (plain HTTP has no listing; prefix '{prefix}'). Open groups through "
            + "their consolidated metadata (ZarrGroup.OpenAsync in mode r, or ConsolidatedMetadata.TryOpenAsync); a group without "
            + "it must be consolidated where it is written (zarr-python's zarr.consolidate_metadata, or "
            + "ZarrGroup.ConsolidateMetadataAsync). Read arrays by their paths, or copy the data to a store that lists.");
    }

    private ZarrStoreException ReadOnly(string key) => new(key, $"store is read-only (an HTTP store at {BaseUrl})");
}

/// <summary>Header helpers shared by the store's requests.</summary>
internal static class HttpHeaders
{
    /// <summary>A Basic authorization header for the user name and password of a URL (<c>https://user:pass@host/</c>).</summary>
    public static AuthenticationHeaderValue Basic(string userInfo) =>
        new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Uri.UnescapeDataString(userInfo))));
}
