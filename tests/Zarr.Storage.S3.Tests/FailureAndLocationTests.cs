using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;

namespace Zarr.Storage.S3.Tests;

/// <summary>Failures a user can cause name the key and the store's URL and never a secret; URLs and locations.</summary>
[Collection(RgwCollection.Name)]
public sealed class FailureAndLocationTests(RgwFixture rgw)
{
    [Fact]
    public async Task AWrongSecret_FailsEveryOperation_NamingKeyAndUrl_NeverTheSecret()
    {
        const string secret = "not-the-secret-9f8e7d6c5b4a";
        var bucket = await rgw.BucketFor(GetType());
        using var store = new S3Store(bucket, "p", rgw.Options(o => (o.Credentials, o.MaxErrorRetry) = (new BasicAWSCredentials(rgw.AccessKey, secret), 0)));

        var failures = new List<ZarrStoreException>
        {
            await Assert.ThrowsAsync<ZarrStoreException>(async () => await store.GetAsync("c/0")),
            await Assert.ThrowsAsync<ZarrStoreException>(async () => await store.SetAsync("c/0", new byte[] { 1 })),
            await Assert.ThrowsAsync<ZarrStoreException>(async () => await store.TrySetAsync("c/0", new byte[] { 1 }, StoreVersion.Absent)),
            await Assert.ThrowsAsync<ZarrStoreException>(async () => await store.GetSizeAsync("c/0")),
            await Assert.ThrowsAsync<ZarrStoreException>(async () =>
            {
                await foreach (var _ in store.ListPrefixAsync("c/"))
                {
                }
            }),
        };

        foreach (var e in failures)
        {
            Assert.Contains($"s3://{bucket}/p/", e.Message, StringComparison.Ordinal);
            Assert.StartsWith("c/", e.Key, StringComparison.Ordinal);
            for (Exception? inner = e; inner is not null; inner = inner.InnerException)
            {
                Assert.DoesNotContain(secret, inner.Message, StringComparison.Ordinal);
                Assert.DoesNotContain(secret, inner.ToString(), StringComparison.Ordinal);
            }
        }

        Assert.Contains("403", failures[0].Message, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, store.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, store.Location.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingBucket_IsAnError_NotAMissingKey()
    {
        using var store = new S3Store("no-such-bucket-" + Guid.NewGuid().ToString("N")[..12], "", rgw.Options());

        var e = await Assert.ThrowsAsync<ZarrStoreException>(async () => await store.GetAsync("zarr.json"));

        Assert.Equal("zarr.json", e.Key);
        Assert.Contains("NoSuchBucket", e.Message, StringComparison.Ordinal);
        Assert.Contains(store.Url, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AServerThatIsNotThere_IsAStoreFailure_AfterTheRetries()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var store = new S3Store("b", "", S3StoreOptions.ForServer(new Uri($"http://127.0.0.1:{port}"), new BasicAWSCredentials("a", "b")));

        var e = await Assert.ThrowsAsync<ZarrStoreException>(async () => await store.GetAsync("k"));

        Assert.Equal("k", e.Key);
        Assert.Contains("s3://b/", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancellingAReadInFlight_Cancels()
    {
        using var store = await rgw.NewStoreAsync(GetType());
        await store.SetAsync("big", new byte[32 << 20]);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(5));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            for (var i = 0; i < 100; i++)
            {
                using var _ = await store.GetAsync("big", null, cancel.Token);
            }
        });
    }

    [Theory]
    [InlineData("s3://bucket", "bucket", "")]
    [InlineData("s3://bucket/", "bucket", "")]
    [InlineData("s3://bucket/a/b.zarr", "bucket", "a/b.zarr/")]
    [InlineData("S3://bucket/a/b.zarr/", "bucket", "a/b.zarr/")]
    public void FromUrl_TakesTheBucketAndThePrefix(string url, string bucket, string prefix)
    {
        using var store = S3Store.FromUrl(url, rgw.Options());

        Assert.Equal(bucket, store.Bucket);
        Assert.Equal(prefix, store.Prefix);
        Assert.Equal($"s3://{bucket}/{prefix}", store.ToString());
    }

    [Theory]
    [InlineData("s3://")]
    [InlineData("s3:///prefix")]
    [InlineData("https://bucket/prefix")]
    [InlineData("s3://user:pw@bucket/prefix")]
    [InlineData("s3://bucket/a//b")]
    [InlineData("s3://bucket/../b")]
    [InlineData("s3://bucket/a?x=1")]
    public void FromUrl_RefusesWhatIsNotAnS3Url(string url)
    {
        var e = Assert.Throws<ArgumentException>(() => S3Store.FromUrl(url, rgw.Options()));
        Assert.DoesNotContain("pw", e.Message.Replace(url, "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Locations_AreEqualForTheSameEndpointBucketAndPrefix_Only()
    {
        using var a = new S3Store("bucket", "data/x", rgw.Options());
        using var b = S3Store.FromUrl("s3://bucket/data/x/", rgw.Options());
        using var root = new S3Store("bucket", "", rgw.Options());
        using var otherPrefix = new S3Store("bucket", "data/y", rgw.Options());
        using var otherBucket = new S3Store("bucket2", "data/x", rgw.Options());
        using var otherEndpoint = new S3Store("bucket", "data/x", rgw.Options(o => o.ServiceUrl = new Uri("http://127.0.0.2:9")));

        Assert.Equal(a.Location, b.Location);
        Assert.Equal(a.Location.GetHashCode(), b.Location.GetHashCode());
        Assert.Equal(a.Location, root.Location.Below("data/x"));
        Assert.NotEqual(a.Location, otherPrefix.Location);
        Assert.NotEqual(a.Location, otherBucket.Location);
        Assert.NotEqual(a.Location, otherEndpoint.Location);
        Assert.NotEqual(a.Location, new MemoryStore().Location);
    }
}
