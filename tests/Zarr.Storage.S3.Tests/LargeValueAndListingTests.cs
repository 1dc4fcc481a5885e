using Amazon.S3.Model;

namespace Zarr.Storage.S3.Tests;

/// <summary>What a Zarr store needs beyond the contract, at S3's scale: pages of 1,000 keys, multipart values, ranged reads.</summary>
[Collection(RgwCollection.Name)]
public sealed class LargeValueAndListingTests(RgwFixture rgw)
{
    [Fact]
    public async Task Listing_AndDeletePrefix_GoPastOnePageOf1000Keys()
    {
        const int count = 1234;
        using var store = await rgw.NewStoreAsync(GetType());
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 32 },
            async (i, ct) => await store.SetAsync($"c/{i}", new byte[i % 3], ct));
        await store.SetAsync("keep/me", new byte[] { 1 });

        var listed = new List<StoreEntry>();
        await foreach (var entry in store.ListPrefixAsync("c/"))
        {
            listed.Add(entry);
        }

        Assert.Equal(Enumerable.Range(0, count).Select(i => new StoreEntry($"c/{i}", i % 3)).OrderBy(e => e.Key, StringComparer.Ordinal),
            listed.OrderBy(e => e.Key, StringComparer.Ordinal));
        var names = new List<string>();
        await foreach (var name in store.ListDirectoryAsync("c/"))
        {
            names.Add(name);
        }

        Assert.Equal(count, names.Count);
        Assert.Equal(count, names.Distinct().Count());

        await store.DeletePrefixAsync("c/");

        await foreach (var left in store.ListPrefixAsync("c/"))
        {
            Assert.Fail($"{left.Key} survived DeletePrefix");
        }

        Assert.True(await store.ExistsAsync("keep/me"));
    }

    [Fact]
    public async Task A40MiBValue_IsUploadedIn8MiBParts_AndReadsBackExactly()
    {
        using var store = await rgw.NewStoreAsync(GetType(), o => (o.MultipartThreshold, o.PartSize) = (16L << 20, 8L << 20));
        var value = new byte[40 << 20];
        new Random(40).NextBytes(value);

        await store.SetAsync("shard/0", value);

        using (var read = await store.GetAsync("shard/0"))
        {
            Assert.True(read!.Span.SequenceEqual(value));
        }

        // S3 names a multipart object's ETag "md5-of-part-md5s"-N: five parts of 8 MiB.
        using var client = rgw.NewClient();
        var head = await client.GetObjectMetadataAsync(store.Bucket, store.Prefix + "shard/0");
        Assert.EndsWith("-5\"", head.ETag, StringComparison.Ordinal);
        Assert.Equal(40L << 20, await store.GetSizeAsync("shard/0"));

        using var suffix = await store.GetAsync("shard/0", ByteRange.Suffix(1000));
        Assert.True(suffix!.Span.SequenceEqual(value.AsSpan(value.Length - 1000)));
        // A range across the boundary of two parts.
        using var across = await store.GetAsync("shard/0", ByteRange.Slice((8 << 20) - 10, 20));
        Assert.True(across!.Span.SequenceEqual(value.AsSpan((8 << 20) - 10, 20)));

        // An upload cancelled once its parts are on their way leaves neither a changed value nor parts behind.
        using var cancel = new CancellationTokenSource();
        using var cancellingClient = rgw.NewClient();
        cancellingClient.BeforeRequestEvent += (_, e) =>
        {
            if (e is Amazon.Runtime.WebServiceRequestEventArgs { Request: UploadPartRequest })
            {
                cancel.Cancel();
            }
        };
        using var cancelling = new S3Store(store.Bucket, store.Prefix, rgw.Options(o => (o.Client, o.MultipartThreshold) = (cancellingClient, 16L << 20)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await cancelling.SetAsync("shard/0", new byte[40 << 20], cancel.Token));
        using (var again = await store.GetAsync("shard/0"))
        {
            Assert.True(again!.Span.SequenceEqual(value));
        }

        var uploads = await client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = store.Bucket, Prefix = store.Prefix });
        Assert.Empty(uploads.MultipartUploads ?? []);
    }

    [Fact]
    public async Task SuffixAndRangedReads_AreSingleRangedRequests()
    {
        using var client = rgw.NewClient();
        var ranges = new List<string?>();
        client.BeforeRequestEvent += (_, e) =>
        {
            if (e is Amazon.Runtime.WebServiceRequestEventArgs { Request: GetObjectRequest get })
            {
                lock (ranges)
                {
                    ranges.Add(get.ByteRange?.FormattedByteRange);
                }
            }
        };
        var bucket = await rgw.BucketFor(GetType());
        using var store = new S3Store(bucket, "ranges-" + Guid.NewGuid().ToString("N"), rgw.Options(o => o.Client = client));
        var value = Enumerable.Range(0, 5000).Select(i => (byte)(i * 7)).ToArray();
        await store.SetAsync("shard", value);

        using var index = await store.GetAsync("shard", ByteRange.Suffix(16 * 64 + 4));
        using var middle = await store.GetAsync("shard", ByteRange.Slice(1000, 300));
        using var tail = await store.GetAsync("shard", ByteRange.From(4990));

        Assert.True(index!.Span.SequenceEqual(value.AsSpan(5000 - 1028)));
        Assert.True(middle!.Span.SequenceEqual(value.AsSpan(1000, 300)));
        Assert.True(tail!.Span.SequenceEqual(value.AsSpan(4990)));
        Assert.Equal(new[] { "bytes=-1028", "bytes=1000-1299", "bytes=4990-" }, ranges);
    }
}
