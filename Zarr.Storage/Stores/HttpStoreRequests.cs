using System.Net;
using System.Net.Http.Headers;
using Zarr.Storage.Buffers;

namespace Zarr.Storage;

/// <summary>
/// The requests of an <see cref="HttpStore"/>: each GET or HEAD is tried up to 1 + MaxRetries times, each attempt under its
/// own timeout, with exponential backoff and full jitter between attempts; each attempt holds one of the store's
/// concurrency slots only while it runs, so requests waiting out a backoff do not hold back the others. An attempt reads
/// the whole answer, so a connection dropped mid-body is retried like one dropped before the headers.
/// </summary>
/// <remarks>
/// The retry is this small loop rather than Polly or Microsoft.Extensions.Http.Resilience: the core package keeps to its
/// short list of dependencies (pinned by the package test), and a DelegatingHandler would not reach a caller's HttpClient.
/// </remarks>
internal sealed class HttpStoreRequests : IDisposable
{
    private const int UnknownLengthStart = 64 * 1024;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly HttpClient _client;
    private readonly HttpStoreOptions _options;
    private readonly string _root;
    private readonly string _query;
    private readonly AuthenticationHeaderValue? _userInfo;
    private readonly SemaphoreSlim _slots;
    private readonly int _attempts;

    public HttpStoreRequests(HttpClient client, HttpStoreOptions options)
    {
        var url = options.BaseUrl ?? throw new ArgumentException("HttpStoreOptions.BaseUrl is required", nameof(options));
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"HttpStoreOptions.BaseUrl must be an absolute http or https URL, not {SafeUrl.Of(url)}", nameof(options));
        }

        _client = client;
        _options = options;
        var path = url.GetLeftPart(UriPartial.Path);
        if (url.UserInfo.Length > 0)
        {
            path = path.Replace(url.UserInfo + "@", string.Empty, StringComparison.Ordinal);
            _userInfo = HttpHeaders.Basic(url.UserInfo);
        }

        _root = path.EndsWith('/') ? path : path + "/";
        _query = url.Query;
        BaseUrl = _root;
        _slots = new SemaphoreSlim(options.MaxConcurrency, options.MaxConcurrency);
        _attempts = options.MaxRetries + 1;
    }

    /// <summary>The root URL as shown in messages: no query, no user name or password, ending in '/'.</summary>
    public string BaseUrl { get; }

    /// <summary>GET of a key (or a part of it): null when missing.</summary>
    public ValueTask<PooledBuffer?> GetAsync(string key, ByteRange? range, CancellationToken cancellationToken) =>
        RunAsync(HttpMethod.Get, new Target(key, range), static (self, response, target, ct) => self.ReadValueAsync(response, target.Key, target.Range, ct), cancellationToken);

    /// <summary>HEAD of a key: its size, or null when missing.</summary>
    public ValueTask<long?> HeadAsync(string key, CancellationToken cancellationToken) =>
        RunAsync(HttpMethod.Head, new Target(key, null), static (self, response, target, _) => self.ReadSize(response, target.Key), cancellationToken);

    /// <summary>
    /// GET of a key (or a part of it; HEAD when <paramref name="head"/>: the key's existence and version only, an empty
    /// value) with the strong ETag it was sent with, or null for none (a weak or missing ETag); sent with <c>If-Match</c>
    /// when <paramref name="ifMatch"/> is set. A 412 answer (the value is another version now), a 404 and an answer that
    /// carries another ETag than <paramref name="ifMatch"/>, or none (a server that ignores <c>If-Match</c>), give no value.
    /// <c>Lasting</c> says whether the ETag can be kept as the value's version (<see cref="ETagSettledAfter"/>).
    /// </summary>
    public ValueTask<(PooledBuffer? Value, string? ETag, bool Lasting)> GetTaggedAsync(string key, ByteRange? range, bool head, string? ifMatch, CancellationToken cancellationToken) =>
        RunAsync(head ? HttpMethod.Head : HttpMethod.Get, new Target(key, range, ifMatch, head), static (self, response, target, ct) => self.ReadTaggedAsync(response, target, ct), cancellationToken);

    public void Dispose() => _slots.Dispose();

    private async ValueTask<T> RunAsync<T>(
        HttpMethod method,
        Target target,
        Func<HttpStoreRequests, HttpResponseMessage, Target, CancellationToken, ValueTask<T>> read,
        CancellationToken cancellationToken)
    {
        var key = target.Key;
        var attempt = new Attempt<T>(this, method, target, read);
        for (var number = 1; ; number++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.Timeout);
            Exception failure;
            try
            {
                return await SendOnceAsync(attempt, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw; // the caller's cancellation: never retried
            }
            catch (OperationCanceledException e) when (timeout.IsCancellationRequested)
            {
                failure = new TimeoutException($"no answer within {_options.Timeout.TotalSeconds:0.###} s", e);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TimeoutException or TransientStatusException)
            {
                failure = e;
            }

            if (number >= _attempts)
            {
                var what = failure is TransientStatusException status ? $"HTTP {(int)status.Status} ({status.Status})" : failure.Message;
                throw new ZarrStoreException(key, $"{method} {UrlOf(key)} failed after {_attempts} attempt(s): {what}", failure);
            }

            await Task.Delay(Backoff(number), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The wait before retry <paramref name="retry"/> (from 1): a random time up to RetryDelay × 2^(retry−1), at most 30 s
    /// ("full jitter", so that many clients failing together do not retry together), and at least a tenth of it.
    /// </summary>
    private TimeSpan Backoff(int retry) => Backoff(_options.RetryDelay, retry, Random.Shared.NextDouble());

    /// <summary>The wait before retry <paramref name="retry"/> for a <paramref name="draw"/> in [0, 1) (the jitter's random number).</summary>
    internal static TimeSpan Backoff(TimeSpan retryDelay, int retry, double draw)
    {
        var ceiling = Math.Min(retryDelay.TotalMilliseconds * Math.Pow(2, retry - 1), MaxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ceiling * (0.1 + (0.9 * draw)));
    }

    private async ValueTask<T> SendOnceAsync<T>(Attempt<T> attempt, CancellationToken attemptToken)
    {
        await _slots.WaitAsync(attemptToken).ConfigureAwait(false);
        try
        {
            using var request = new HttpRequestMessage(attempt.Method, _root + EscapeKey(attempt.Target.Key) + _query);
            request.Headers.Authorization = _userInfo;
            foreach (var (name, value) in _options.Headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            if (attempt.Target.IfMatch is { } expected)
            {
                request.Headers.TryAddWithoutValidation("If-Match", expected);
            }

            if (attempt.Target.Range is { } range)
            {
                request.Headers.Range = range.IsSuffix
                    ? new RangeHeaderValue(null, range.SuffixLength)
                    : new RangeHeaderValue(range.Offset, range.Length is { } length ? range.Offset + length - 1 : null);
            }

            HttpResponseMessage response;
            try
            {
                response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attemptToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (!attemptToken.IsCancellationRequested)
            {
                // The caller's HttpClient timed out (its Timeout, not our token): a transient failure like ours.
                throw new TimeoutException("the HttpClient's timeout elapsed", e);
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                if (status >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests)
                {
                    throw new TransientStatusException(response.StatusCode);
                }

                return await attempt.Read(this, response, attempt.Target, attemptToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    private async ValueTask<PooledBuffer?> ReadValueAsync(HttpResponseMessage response, string key, ByteRange? range, CancellationToken cancellationToken)
    {
        if (IsMissing(response, key, "GET"))
        {
            return null;
        }

        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            // The key exists but the range starts past its end: as every store, an empty part.
            return PooledBuffer.Rent(0);
        }

        var content = response.Content;
        if (response.StatusCode == HttpStatusCode.PartialContent && range is { } asked)
        {
            if (!asked.IsSuffix && content.Headers.ContentRange?.From is { } from && from != asked.Offset)
            {
                throw new ZarrStoreException(key, $"GET {UrlOf(key)}: asked for bytes from {asked.Offset}, the server sent bytes from {from}");
            }

            return await ReadBodyAsync(content, key, long.MaxValue, cancellationToken).ConfigureAwait(false);
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw Unexpected(response, key, "GET");
        }

        if (range is not { } part)
        {
            return await ReadBodyAsync(content, key, long.MaxValue, cancellationToken).ConfigureAwait(false);
        }

        // The server ignored the Range header and sent the whole value: slice it when it is small enough.
        var whole = await ReadBodyAsync(content, key, _options.MaxWholeValueBytes, cancellationToken).ConfigureAwait(false);
        var (start, count) = part.Resolve(whole.Length);
        Buffer.BlockCopy(whole.Array, (int)start, whole.Array, 0, (int)count);
        whole.SetLength((int)count);
        return whole;
    }

    /// <summary>
    /// How long before the answer a value's <c>Last-Modified</c> must lie for its strong ETag to be kept. Servers that derive
    /// the ETag from the modification time in whole seconds and the size (nginx, Apache's default) give one ETag to two
    /// values of the same size written within one second; once the time lies two seconds in the past, a later change
    /// carries a later second, so an ETag kept from then on changes with every change of the bytes.
    /// </summary>
    internal static readonly TimeSpan ETagSettledAfter = TimeSpan.FromSeconds(2);

    private async ValueTask<(PooledBuffer? Value, string? ETag, bool Lasting)> ReadTaggedAsync(HttpResponseMessage response, Target target, CancellationToken cancellationToken)
    {
        if (response.StatusCode == HttpStatusCode.PreconditionFailed && target.IfMatch is not null)
        {
            return (null, null, false);
        }

        var etag = response.Headers.ETag is { IsWeak: false } strong ? strong.Tag : null;
        if (target.IfMatch is not null && etag != target.IfMatch)
        {
            // The server ignored If-Match and sent another version, or sent no ETag to say which version it sent (a 206
            // must carry the ETag a 200 would): either way, not the version asked for.
            return (null, null, false);
        }

        var lasting = etag is not null && IsSettled(response);
        if (target.Head)
        {
            return await ReadSize(response, target.Key).ConfigureAwait(false) is null ? (null, null, false) : (PooledBuffer.Rent(0), etag, lasting);
        }

        return (await ReadValueAsync(response, target.Key, target.Range, cancellationToken).ConfigureAwait(false), etag, lasting);
    }

    /// <summary>
    /// True when the answer's <c>Last-Modified</c> lies <see cref="ETagSettledAfter"/> or more before its <c>Date</c> (the
    /// server's clock, so the two clocks' skew does not count; this machine's when the server sends no date), or when it
    /// sends no <c>Last-Modified</c> (its ETag is then not made of the time).
    /// </summary>
    internal static bool IsSettled(HttpResponseMessage response)
    {
        if (response.Content.Headers.LastModified is not { } modified)
        {
            return true;
        }

        var now = response.Headers.Date ?? DateTimeOffset.UtcNow;
        return now - modified >= ETagSettledAfter;
    }

    private ValueTask<long?> ReadSize(HttpResponseMessage response, string key)
    {
        if (IsMissing(response, key, "HEAD"))
        {
            return ValueTask.FromResult<long?>(null);
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw Unexpected(response, key, "HEAD");
        }

        return response.Content.Headers.ContentLength is { } length
            ? ValueTask.FromResult<long?>(length)
            : throw new ZarrStoreException(key, $"HEAD {UrlOf(key)}: the server did not say the value's size (no Content-Length)");
    }

    private bool IsMissing(HttpResponseMessage response, string key, string method) => response.StatusCode switch
    {
        HttpStatusCode.NotFound or HttpStatusCode.Gone => true,
        HttpStatusCode.Forbidden when _options.ForbiddenAsMissing => true,
        HttpStatusCode.Forbidden => throw new ZarrStoreException(
            key, $"{method} {UrlOf(key)}: access denied (HTTP 403; for a public bucket that answers 403 for missing keys, set HttpStoreOptions.ForbiddenAsMissing)"),
        HttpStatusCode.Unauthorized => throw new ZarrStoreException(key, $"{method} {UrlOf(key)}: not authorised (HTTP 401)"),
        _ => false,
    };

    private ZarrStoreException Unexpected(HttpResponseMessage response, string key, string method) =>
        new(key, $"{method} {UrlOf(key)}: unexpected HTTP {(int)response.StatusCode} ({response.ReasonPhrase})");

    /// <summary>Reads the whole body into a pooled buffer; over <paramref name="limit"/> bytes it throws (the no-range fallback's bound).</summary>
    private async ValueTask<PooledBuffer> ReadBodyAsync(HttpContent content, string key, long limit, CancellationToken cancellationToken)
    {
        var declared = content.Headers.ContentLength;
        if (declared > limit)
        {
            throw TooLarge(key, declared.Value);
        }

        if (declared > Array.MaxLength)
        {
            throw new ZarrStoreException(key, $"GET {UrlOf(key)}: the value is {declared} bytes, more than one buffer holds");
        }

        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = PooledBuffer.Rent(declared is { } n ? (int)n : UnknownLengthStart);
            try
            {
                if (declared is not null)
                {
                    // A body shorter than declared (a dropped connection) throws EndOfStreamException: retried.
                    await stream.ReadExactlyAsync(buffer.Memory, cancellationToken).ConfigureAwait(false);
                    return buffer;
                }

                var filled = 0;
                while (true)
                {
                    if (filled == buffer.Length)
                    {
                        if (filled >= limit || filled >= Array.MaxLength)
                        {
                            throw TooLarge(key, filled);
                        }

                        var grown = PooledBuffer.Rent((int)Math.Min(Math.Min(2L * filled, Array.MaxLength), Math.Max(limit, filled + 1)));
                        buffer.Span.CopyTo(grown.Span);
                        buffer.Dispose();
                        buffer = grown;
                    }

                    var read = await stream.ReadAsync(buffer.Memory[filled..], cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        if (filled > limit)
                        {
                            throw TooLarge(key, filled);
                        }

                        buffer.SetLength(filled);
                        return buffer;
                    }

                    filled += read;
                }
            }
            catch
            {
                buffer.Dispose();
                throw;
            }
        }
    }

    private ZarrStoreException TooLarge(string key, long size) => new(
        key,
        $"GET {UrlOf(key)}: the server ignored the Range header and sent the whole value ({size} bytes or more), over "
        + $"HttpStoreOptions.MaxWholeValueBytes ({_options.MaxWholeValueBytes}); use a server that supports range requests or raise the limit");

    private string UrlOf(string key) => _root + EscapeKey(key);

    private static string EscapeKey(string key)
    {
        if (!key.AsSpan().ContainsAnyExcept(SafeUrl.Unreserved))
        {
            return key;
        }

        return string.Join('/', key.Split('/').Select(Uri.EscapeDataString));
    }

    /// <summary>What a request asks for: the key, the range (null: all of it), the ETag it must still have (null: any),
    /// and whether it is a HEAD (the value's size and version only).</summary>
    private readonly record struct Target(string Key, ByteRange? Range, string? IfMatch = null, bool Head = false);

    /// <summary>One request's arguments, passed to each attempt (no closure per request).</summary>
    private sealed class Attempt<T>(
        HttpStoreRequests owner,
        HttpMethod method,
        Target target,
        Func<HttpStoreRequests, HttpResponseMessage, Target, CancellationToken, ValueTask<T>> read)
    {
        public HttpMethod Method { get; } = method;

        public Target Target { get; } = target;

        public Func<HttpStoreRequests, HttpResponseMessage, Target, CancellationToken, ValueTask<T>> Read { get; } = read;

        public ValueTask<T> RunAsync(CancellationToken attemptToken) => owner.SendOnceAsync(this, attemptToken);
    }

    /// <summary>A 5xx, 408 or 429 answer: worth retrying.</summary>
    private sealed class TransientStatusException(HttpStatusCode status) : Exception($"HTTP {(int)status} ({status})")
    {
        public HttpStatusCode Status { get; } = status;
    }
}

/// <summary>URLs as messages show them: without user name, password, query string or fragment, which may hold secrets.</summary>
internal static class SafeUrl
{
    /// <summary>Characters a key segment keeps unescaped in a URL (RFC 3986 unreserved, and '/').</summary>
    public static readonly System.Buffers.SearchValues<char> Unreserved =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/");

    /// <summary>The URL's scheme, host, port and path only.</summary>
    public static string Of(Uri url)
    {
        if (!url.IsAbsoluteUri)
        {
            return Of(url.OriginalString);
        }

        var text = url.GetLeftPart(UriPartial.Path);
        return url.UserInfo.Length == 0 ? text : text.Replace(url.UserInfo + "@", string.Empty, StringComparison.Ordinal);
    }

    /// <summary>The text of a URL (or a path) without what follows '?' or '#' and without the user info before '@' in its authority.</summary>
    public static string Of(string url)
    {
        var end = url.IndexOfAny(['?', '#']);
        var text = end < 0 ? url : url[..end];
        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            return text;
        }

        var authorityStart = schemeEnd + 3;
        var slash = text.IndexOf('/', authorityStart);
        var authorityEnd = slash < 0 ? text.Length : slash;
        var at = text.LastIndexOf('@', authorityEnd - 1, authorityEnd - authorityStart);
        return at < 0 ? text : text[..authorityStart] + text[(at + 1)..];
    }
}
