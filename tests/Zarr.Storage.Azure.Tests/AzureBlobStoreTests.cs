using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Azure.Storage.Sas;

namespace Zarr.Storage.Azure.Tests;

/// <summary>What the contract does not say: request counts of ranged and suffix reads, the bound on requests in flight,
/// cancellation mid-request, failures naming the key and URL without secrets, URLs and locations.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureBlobStoreTests(AzuriteFixture azurite) : AzureTestBase(azurite)
{
    [Fact]
    public async Task A_ranged_read_is_one_ranged_GET_and_a_suffix_learns_the_size_first()
    {
        var counter = new RequestCounter();
        using var store = NewStore("r", counter);
        var value = Bytes(10_000);
        await store.SetAsync("k", value);

        counter.Reset();
        Assert.Equal(value.AsSpan(100, 50).ToArray(), await ReadAsync(store, "k", ByteRange.Slice(100, 50)));
        Assert.Equal(("GET", "bytes=100-149"), (counter.Requests.Single().Method, counter.Requests.Single().Range));

        counter.Reset();
        Assert.Equal(value.AsSpan(9_000).ToArray(), await ReadAsync(store, "k", ByteRange.From(9_000)));
        Assert.Equal(("GET", "bytes=9000-"), (counter.Requests.Single().Method, counter.Requests.Single().Range));

        counter.Reset();
        Assert.Equal(value.AsSpan(10_000 - 1028).ToArray(), await ReadAsync(store, "k", ByteRange.Suffix(1028)));
        Assert.Equal(new[] { ("HEAD", (string?)null), ("GET", "bytes=8972-9999") }, counter.Requests.Select(r => (r.Method, r.Range)));

        counter.Reset();
        Assert.Equal(value, await ReadAsync(store, "k"));
        Assert.Equal(("GET", (string?)null), (counter.Requests.Single().Method, counter.Requests.Single().Range));
    }

    [Fact]
    public async Task Requests_in_flight_are_bounded_by_MaxConcurrency()
    {
        var gauge = new InFlightGauge(TimeSpan.FromMilliseconds(40));
        var options = Azurite.Options();
        options.ConfigureClient = o => o.AddPolicy(gauge, HttpPipelinePosition.PerRetry);
        options.MaxConcurrency = 3;
        using var store = new AzureBlobStore(NewContainer(), "", options);
        await store.SetAsync("k", Bytes(10));

        await Task.WhenAll(Enumerable.Range(0, 24).Select(_ => store.GetSizeAsync("k").AsTask()));
        Assert.Equal(3, gauge.MostAtOnce);
    }

    [Fact]
    public async Task Cancellation_is_honoured_mid_request()
    {
        var options = Azurite.Options();
        options.ConfigureClient = o => o.AddPolicy(new InFlightGauge(TimeSpan.FromSeconds(30)), HttpPipelinePosition.PerRetry);
        using var store = new AzureBlobStore(NewContainer(), "", options);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.GetAsync("k", null, cts.Token));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"cancellation took {watch.Elapsed}");
    }

    [Fact]
    public async Task A_wrong_account_key_fails_naming_key_and_url_but_never_the_key()
    {
        var secret = Convert.ToBase64String(Bytes(64, 99));
        var endpoint = Azurite.Service.Uri.ToString().TrimEnd('/');
        var options = Azurite.Options();
        options.ConnectionString = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={secret};BlobEndpoint={endpoint};";
        using var store = new AzureBlobStore(NewContainer(), "deep/prefix", options);

        foreach (var action in new Func<Task>[]
        {
            async () => await store.GetAsync("c/0"),
            async () => await store.GetAsync("c/0", ByteRange.Suffix(4)),
            async () => await store.SetAsync("c/0", Bytes(4)),
            async () => await ToListAsync(store.ListPrefixAsync("")),
        })
        {
            var e = await Assert.ThrowsAsync<ZarrStoreException>(action);
            Assert.Contains($"az://{store.Container}/deep/prefix", e.Message, StringComparison.Ordinal);
            Assert.Contains("403", e.Message, StringComparison.Ordinal);
            AssertNoSecret(e, secret);
        }
    }

    [Fact]
    public async Task A_read_only_SAS_fails_writes_without_showing_the_signature()
    {
        var container = NewContainer();
        using (var writer = new AzureBlobStore(container, "", Azurite.Options()))
        {
            await writer.SetAsync("k", Bytes(5));
        }

        var sasUri = Azurite.Service.GetBlobContainerClient(container)
            .GenerateSasUri(BlobContainerSasPermissions.Read | BlobContainerSasPermissions.List, DateTimeOffset.UtcNow.AddHours(1));
        var signature = System.Web.HttpUtility.ParseQueryString(sasUri.Query)["sig"]!;
        var options = Azurite.Options();
        options.ContainerClient = new BlobContainerClient(sasUri, new BlobClientOptions { Retry = { MaxRetries = 0 } });
        using var store = new AzureBlobStore(container, "", options);

        Assert.Equal(Bytes(5), await ReadAsync(store, "k"));
        var e = await Assert.ThrowsAsync<ZarrStoreException>(async () => await store.SetAsync("k", Bytes(6)));
        Assert.Equal("k", e.Key);
        Assert.Contains("403", e.Message, StringComparison.Ordinal);
        AssertNoSecret(e, signature);
        Assert.DoesNotContain(signature, store.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("sig=", store.Location.ToString(), StringComparison.Ordinal);
        Assert.Equal(Bytes(5), await ReadAsync(store, "k"));
    }

    [Fact]
    public async Task An_unreachable_account_fails_after_the_retries_naming_the_key()
    {
        var options = Azurite.Options();
        options.ConnectionString = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" +
            Convert.ToBase64String(Bytes(64, 5)) + ";BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;";
        using var store = new AzureBlobStore("nowhere", "p", options);
        var e = await Assert.ThrowsAsync<ZarrStoreException>(async () => await store.GetAsync("zarr.json"));
        Assert.Equal("zarr.json", e.Key);
        Assert.Contains("az://nowhere/p", e.Message, StringComparison.Ordinal);
        Assert.NotNull(e.InnerException);
    }

    [Fact]
    public void Without_an_account_the_store_says_how_to_give_one()
    {
        var saved = Environment.GetEnvironmentVariable(AzureBlobStoreOptions.ConnectionStringVariable);
        Environment.SetEnvironmentVariable(AzureBlobStoreOptions.ConnectionStringVariable, null);
        try
        {
            var e = Assert.Throws<ZarrStoreException>(() => AzureBlobStore.FromUrl("az://data/x"));
            Assert.Contains("az://data/x", e.Message, StringComparison.Ordinal);
            Assert.Contains(AzureBlobStoreOptions.ConnectionStringVariable, e.Message, StringComparison.Ordinal);

            var secret = "AccountKey=" + Convert.ToBase64String(Bytes(64, 3));
            var bad = Assert.Throws<ZarrStoreException>(() => new AzureBlobStore("data", "", new AzureBlobStoreOptions { ConnectionString = "nonsense;" + secret }));
            Assert.DoesNotContain(secret, bad.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(AzureBlobStoreOptions.ConnectionStringVariable, saved);
        }
    }

    [Fact]
    public void Urls_name_a_container_and_a_prefix_and_locations_compare_by_them()
    {
        var options = Azurite.Options();
        using var a = AzureBlobStore.FromUrl("az://data/climate/t2m.zarr", options);
        using var b = new AzureBlobStore("data", "climate/t2m.zarr/", options);
        using var other = AzureBlobStore.FromUrl("az://data/climate", options);
        using var root = AzureBlobStore.FromUrl("az://data", options);

        Assert.Equal(("data", "climate/t2m.zarr/", "az://data/climate/t2m.zarr"), (a.Container, a.Prefix, a.Url));
        Assert.Equal(("data", "", "az://data"), (root.Container, root.Prefix, root.Url));
        Assert.Equal(a.Location, b.Location);
        Assert.Equal(a.Location.GetHashCode(), b.Location.GetHashCode());
        Assert.NotEqual(a.Location, other.Location);
        Assert.Equal(a.Location, other.Location.Below("t2m.zarr"));
        Assert.Equal(a.Location, root.Location.Below("climate/t2m.zarr"));
        Assert.NotEqual(a.Location, new AzureBlobStore("data2", "climate/t2m.zarr", options).Location);
        Assert.Equal("AzureBlobStore(az://data/climate/t2m.zarr)", a.ToString());

        Assert.Throws<ArgumentException>(() => AzureBlobStore.FromUrl("s3://data/x", options));
        Assert.Throws<ArgumentException>(() => AzureBlobStore.FromUrl("az://", options));
        Assert.Throws<ArgumentException>(() => AzureBlobStore.FromUrl("az://Data/x", options));
        var sas = Assert.Throws<ArgumentException>(() => AzureBlobStore.FromUrl("az://data/x?sig=SECRET", options));
        Assert.DoesNotContain("SECRET", sas.Message, StringComparison.Ordinal);
        Assert.Throws<ZarrStoreException>(() => AzureBlobStore.FromUrl("az://data/../x", options));
    }

    private static void AssertNoSecret(Exception e, string secret)
    {
        Assert.DoesNotContain(secret, e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Uri.EscapeDataString(secret), e.ToString(), StringComparison.Ordinal);
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            Assert.DoesNotContain(secret, inner.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>Holds each request for a while, counting how many are held at once.</summary>
    private sealed class InFlightGauge(TimeSpan hold) : HttpPipelinePolicy
    {
        private int _now;
        private int _most;

        public int MostAtOnce => Volatile.Read(ref _most);

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            var now = Interlocked.Increment(ref _now);
            for (var most = _most; now > most; most = _most)
            {
                Interlocked.CompareExchange(ref _most, now, most);
            }

            try
            {
                await Task.Delay(hold, message.CancellationToken);
                await ProcessNextAsync(message, pipeline);
            }
            finally
            {
                Interlocked.Decrement(ref _now);
            }
        }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            throw new NotSupportedException("async only");
    }
}
