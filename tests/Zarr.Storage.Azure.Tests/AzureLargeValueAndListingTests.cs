namespace Zarr.Storage.Azure.Tests;

/// <summary>Staged-block uploads of large values, and listings and prefix deletes past Azure's 5,000-blob page.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureLargeValueAndListingTests(AzuriteFixture azurite) : AzureTestBase(azurite)
{
    [Fact]
    public async Task A_40_MiB_value_is_uploaded_in_4_MiB_staged_blocks_and_read_back_exactly()
    {
        var counter = new RequestCounter();
        var options = Azurite.Options(counter);
        options.SingleUploadThreshold = 8 << 20;
        options.BlockSize = 4 << 20;
        options.UploadParallelism = 4;
        using var store = new AzureBlobStore(NewContainer(), "big", options);
        await store.CreateContainerIfNotExistsAsync();
        var value = Bytes(40 << 20, 40);

        counter.Reset();
        await store.SetAsync("shard", value);
        var puts = counter.Requests.Where(r => r.Method == "PUT").ToList();
        Assert.Equal(10, puts.Count(r => r.PathAndQuery.Contains("comp=block&", StringComparison.Ordinal) || r.PathAndQuery.EndsWith("comp=block", StringComparison.Ordinal)));
        Assert.Single(puts, r => r.PathAndQuery.Contains("comp=blocklist", StringComparison.Ordinal));
        Assert.Equal(11, puts.Count);

        Assert.Equal(40L << 20, await store.GetSizeAsync("shard"));
        Assert.Equal(value, await ReadAsync(store, "shard"));
        // Across a block boundary, and the end.
        Assert.Equal(value.AsSpan((4 << 20) - 100, 200).ToArray(), await ReadAsync(store, "shard", ByteRange.Slice((4 << 20) - 100, 200)));
        Assert.Equal(value.AsSpan((40 << 20) - 1028).ToArray(), await ReadAsync(store, "shard", ByteRange.Suffix(1028)));

        // A small value is one Put Blob.
        counter.Reset();
        await store.SetAsync("small", Bytes(1000));
        Assert.Single(counter.Requests);
    }

    [Fact]
    public async Task Listing_and_deleting_a_prefix_page_after_page()
    {
        // Pages of 100 (Azure's maxresults): 301 blobs take four pages, as 15,001 would take four of Azure's 5,000.
        const int count = 301;
        var counter = new RequestCounter();
        using var store = NewStore("root", counter, listPageSize: 100);
        await store.SetAsync("keep/x", Bytes(3));
        await store.SetAsync("manyx", Bytes(4)); // a sibling whose name starts like the folder: not listed with it
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 64 },
            async (i, ct) => await store.SetAsync($"many/{i:D5}", new byte[i % 3], ct));

        counter.Reset();
        var entries = await ToListAsync(store.ListPrefixAsync("many/"));
        Assert.Equal(count, entries.Count);
        Assert.Equal(Enumerable.Range(0, count).Select(i => new StoreEntry($"many/{i:D5}", i % 3)), entries.OrderBy(e => e.Key, StringComparer.Ordinal));
        Assert.Equal(4, counter.Requests.Count(r => r.PathAndQuery.Contains("comp=list", StringComparison.Ordinal)));

        var children = await ToListAsync(store.ListDirectoryAsync("many/"));
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"{i:D5}"), children.Order(StringComparer.Ordinal));
        Assert.Equal(new[] { "keep", "many", "manyx" }, (await ToListAsync(store.ListDirectoryAsync(""))).Order(StringComparer.Ordinal));

        await store.DeletePrefixAsync("many/");
        Assert.Empty(await ToListAsync(store.ListPrefixAsync("many/")));
        Assert.Equal(new[] { new StoreEntry("keep/x", 3), new StoreEntry("manyx", 4) }, (await ToListAsync(store.ListPrefixAsync(""))).OrderBy(e => e.Key, StringComparer.Ordinal));
    }
}
