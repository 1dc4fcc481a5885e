using System.Diagnostics;
using Zarr.Tests.Shared;

namespace Zarr.Storage.Tests.Stores;

/// <summary>The HTTP store against a real Kestrel server on loopback serving a folder (with switches for faults).</summary>
public sealed class HttpStoreTests : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly byte[] _value = Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)).ToArray();
    private HttpFolderServer _server = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_temp.Combine("data", "a b"));
        await File.WriteAllBytesAsync(_temp.Combine("data", "a b", "0.0"), _value);
        await File.WriteAllBytesAsync(_temp.Combine("data", "empty"), []);
        _server = await HttpFolderServer.StartAsync(_temp.Path);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _temp.Dispose();

    private HttpStore Open(Action<HttpStoreOptions>? configure = null, string path = "data")
    {
        var options = new HttpStoreOptions { BaseUrl = new Uri(_server.Url, path), RetryDelay = TimeSpan.FromMilliseconds(5) };
        configure?.Invoke(options);
        return new HttpStore(options);
    }

    private static async Task<byte[]?> ReadAsync(IStore store, string key, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        using var buffer = await store.GetAsync(key, range, cancellationToken);
        return buffer?.Span.ToArray();
    }

    [Fact]
    public async Task Reads_values_ranges_suffixes_and_sizes_and_missing_keys_read_as_null()
    {
        using var store = Open();
        Assert.Equal(_value, await ReadAsync(store, "a b/0.0"));
        Assert.Equal(_value[100..150], await ReadAsync(store, "a b/0.0", ByteRange.Slice(100, 50)));
        Assert.Equal(_value[^16..], await ReadAsync(store, "a b/0.0", ByteRange.Suffix(16)));
        Assert.Equal(_value[990..], await ReadAsync(store, "a b/0.0", ByteRange.From(990)));
        Assert.Equal(_value[995..], await ReadAsync(store, "a b/0.0", ByteRange.Slice(995, 100))); // clamped, as every store
        Assert.Equal(_value, await ReadAsync(store, "a b/0.0", ByteRange.Suffix(5000)));
        Assert.Empty((await ReadAsync(store, "a b/0.0", ByteRange.From(5000)))!);
        Assert.Empty((await ReadAsync(store, "a b/0.0", ByteRange.Suffix(0)))!);
        Assert.Empty((await ReadAsync(store, "empty"))!);
        Assert.Null(await ReadAsync(store, "missing"));
        Assert.Null(await ReadAsync(store, "missing", ByteRange.Suffix(0)));
        Assert.Equal(1000L, await store.GetSizeAsync("a b/0.0"));
        Assert.Null(await store.GetSizeAsync("missing"));
        Assert.True(await store.ExistsAsync("a b/0.0"));
        Assert.False(await store.ExistsAsync("a b/missing"));
        Assert.Contains(_server.Log, l => l == "GET /data/a%20b/0.0 bytes=-16");
        Assert.Contains(_server.Log, l => l == "GET /data/a%20b/0.0 bytes=100-149");
        Assert.Contains(_server.Log, l => l == "HEAD /data/a%20b/0.0");
    }

    [Fact]
    public async Task A_server_that_ignores_ranges_is_sliced_up_to_the_limit_and_refused_over_it_naming_the_url()
    {
        _server.SupportsRanges = false;
        using (var store = Open())
        {
            Assert.Equal(_value[100..150], await ReadAsync(store, "a b/0.0", ByteRange.Slice(100, 50)));
            Assert.Equal(_value[^16..], await ReadAsync(store, "a b/0.0", ByteRange.Suffix(16)));
        }

        using var strict = Open(o => o.MaxWholeValueBytes = 999, "data?token=SECRET");
        var e = await Assert.ThrowsAsync<ZarrStoreException>(() => ReadAsync(strict, "a b/0.0", ByteRange.Suffix(16)));
        Assert.Equal("a b/0.0", e.Key);
        Assert.Contains($"{_server.Url}data/a%20b/0.0", e.Message, StringComparison.Ordinal);
        Assert.Contains("ignored the Range header", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", e.Message, StringComparison.Ordinal);
        Assert.Equal(_value, await ReadAsync(strict, "a b/0.0")); // a whole read is no range request: no limit
    }

    [Fact]
    public async Task A_burst_of_503_is_retried_and_a_longer_one_fails_naming_the_key_the_url_and_the_status()
    {
        using var store = Open(o => o.MaxRetries = 3);
        _server.FailNext(3);
        Assert.Equal(_value, await ReadAsync(store, "a b/0.0"));
        Assert.Equal(4, _server.Requests);

        _server.ResetCounts();
        _server.FailNext(100);
        var e = await Assert.ThrowsAsync<ZarrStoreException>(() => ReadAsync(store, "a b/0.0"));
        Assert.Equal(4, _server.Requests);
        Assert.Equal("a b/0.0", e.Key);
        Assert.Contains($"GET {_server.Url}data/a%20b/0.0 failed after 4 attempt(s): HTTP 503", e.Message, StringComparison.Ordinal);
        _server.FailNext(0);
    }

    [Fact]
    public async Task The_retry_waits_grow_exponentially()
    {
        using var store = Open(o =>
        {
            o.MaxRetries = 3;
            o.RetryDelay = TimeSpan.FromMilliseconds(100);
        });
        _server.FailNext(3);
        var clock = Stopwatch.StartNew();
        Assert.Equal(_value, await ReadAsync(store, "a b/0.0"));

        // With full jitter the three waits are each a random 10-100% of 100, 200 and 400 ms: together at least 70 ms
        // (a lower bound above that fails when the draws are small), at most 700 plus the requests.
        Assert.InRange(clock.ElapsedMilliseconds, 70, 5000);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(0.999)]
    public void Each_retry_waits_within_a_ceiling_that_doubles_up_to_30_seconds(double draw)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        for (var retry = 1; retry <= 12; retry++)
        {
            var ceiling = Math.Min(100 * Math.Pow(2, retry - 1), 30_000);
            var wait = HttpStoreRequests.Backoff(delay, retry, draw).TotalMilliseconds;
            Assert.InRange(wait, (0.1 * ceiling) - 1e-9, ceiling + 1e-9);
            Assert.Equal(ceiling * (0.1 + (0.9 * draw)), wait, 6);
        }
    }

    [Fact]
    public async Task A_slow_server_times_out_per_attempt_and_fails_after_the_retries()
    {
        _server.Latency = TimeSpan.FromSeconds(3);
        using var store = Open(o =>
        {
            o.Timeout = TimeSpan.FromMilliseconds(200);
            o.MaxRetries = 1;
        });
        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<ZarrStoreException>(() => ReadAsync(store, "a b/0.0"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2.5), $"took {clock.Elapsed}");
        Assert.Contains("failed after 2 attempt(s): no answer within 0.2 s", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_ends_a_request_at_once_and_is_not_retried()
    {
        _server.Latency = TimeSpan.FromSeconds(5);
        using var store = Open();
        using var cancel = new CancellationTokenSource();
        var read = ReadAsync(store, "a b/0.0", null, cancel.Token);

        // Cancelled once the server holds the request (not after a fixed time: a loaded machine may not have sent it yet).
        var waited = Stopwatch.StartNew();
        while (_server.Requests == 0 && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(10);
        }

        Assert.Equal(1, _server.Requests);
        var clock = Stopwatch.StartNew();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
        await Task.Delay(300);
        Assert.Equal(1, _server.Requests);
    }

    [Fact]
    public async Task Headers_and_the_query_string_are_sent_and_never_shown()
    {
        _server.BearerToken = "TOPSECRET";
        using (var store = Open(o => o.Headers["Authorization"] = "Bearer TOPSECRET", "data?sig=QUERYSECRET"))
        {
            Assert.Equal(_value, await ReadAsync(store, "a b/0.0"));
            Assert.Contains("?sig=QUERYSECRET", _server.Queries);
            Assert.DoesNotContain("QUERYSECRET", store.ToString(), StringComparison.Ordinal);
        }

        var withUser = new UriBuilder(new Uri(_server.Url, "data?sig=QUERYSECRET")) { UserName = "user", Password = "PASSWORDSECRET" }.Uri;
        using var wrong = new HttpStore(new HttpStoreOptions { BaseUrl = withUser });
        var e = await Assert.ThrowsAsync<ZarrStoreException>(() => ReadAsync(wrong, "a b/0.0"));
        Assert.Contains("HTTP 401", e.Message, StringComparison.Ordinal);
        foreach (var text in new[] { e.Message, wrong.ToString(), wrong.BaseUrl })
        {
            Assert.DoesNotContain("SECRET", text, StringComparison.Ordinal);
            Assert.DoesNotContain("user", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_403_is_an_access_error_unless_forbidden_means_missing()
    {
        _server.ForbiddenForMissing = true;
        using var strict = Open();
        var e = await Assert.ThrowsAsync<ZarrStoreException>(() => ReadAsync(strict, "missing"));
        Assert.Contains("access denied (HTTP 403", e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ZarrStoreException>(async () => await strict.ExistsAsync("missing"));

        using var lenient = Open(o => o.ForbiddenAsMissing = true);
        Assert.Null(await ReadAsync(lenient, "missing"));
        Assert.False(await lenient.ExistsAsync("missing"));
        Assert.Equal(_value, await ReadAsync(lenient, "a b/0.0"));
    }

    [Fact]
    public async Task Listing_is_not_supported_and_writes_are_refused_naming_the_url()
    {
        using var store = Open();
        Assert.True(store.IsReadOnly);
        var list = Assert.Throws<NotSupportedException>(() => store.ListPrefixAsync(""));
        Assert.Contains($"{_server.Url}data/: an HTTP store cannot list keys", list.Message, StringComparison.Ordinal);
        Assert.Contains("consolidated metadata", list.Message, StringComparison.Ordinal);
        Assert.Contains("must be consolidated where it is written (zarr-python's zarr.consolidate_metadata", list.Message, StringComparison.Ordinal);
        Assert.Throws<NotSupportedException>(() => store.ListDirectoryAsync(""));
        var write = await Assert.ThrowsAsync<ZarrStoreException>(async () => await store.SetAsync("x", new byte[] { 1 }));
        Assert.Contains("read-only", write.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ZarrStoreException>(async () => await store.DeleteAsync("a b/0.0"));
        await Assert.ThrowsAsync<ZarrStoreException>(async () => await store.DeletePrefixAsync(""));
        Assert.Equal(_value, await ReadAsync(store, "a b/0.0"));
    }

    [Fact]
    public async Task At_most_max_concurrency_requests_are_in_flight()
    {
        _server.Latency = TimeSpan.FromMilliseconds(100);
        using var store = Open(o => o.MaxConcurrency = 3);
        await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => ReadAsync(store, "a b/0.0")));
        Assert.Equal(12, _server.Requests);
        Assert.InRange(_server.MaxInFlight, 2, 3);
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Throws<ArgumentException>(() => new HttpStore(new HttpStoreOptions()));
        Assert.Throws<ArgumentException>(() => new HttpStore(new HttpStoreOptions { BaseUrl = new Uri("ftp://example.org/x") }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HttpStoreOptions { MaxConcurrency = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new HttpStoreOptions { Timeout = TimeSpan.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => new HttpStoreOptions { MaxRetries = -1 });
        Assert.Equal(64, new HttpStoreOptions().MaxConcurrency);
    }

    [Fact]
    public async Task A_callers_http_client_is_used_and_not_disposed()
    {
        using var client = new HttpClient();
        using (var store = new HttpStore(client, new HttpStoreOptions { BaseUrl = new Uri(_server.Url, "data/") }))
        {
            Assert.Equal(_value, await ReadAsync(store, "a b/0.0"));
        }

        Assert.Equal(_value, await client.GetByteArrayAsync(new Uri(_server.Url, "data/a%20b/0.0")));
    }
}
