namespace Zarr.Storage.Azure.Tests;

/// <summary>The compare-and-swap contract on Azurite: ETags from reads, If-Match / If-None-Match:* writes, If-Match deletes.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureConditionalTests(AzuriteFixture azurite) : AzureTestBase(azurite)
{
    [Fact]
    public async Task Create_only_twice_the_second_loses_and_writes_nothing()
    {
        using var store = NewStore();
        Assert.True(await store.TrySetAsync("c/0", Bytes(10, 1), StoreVersion.Absent));
        Assert.False(await store.TrySetAsync("c/0", Bytes(10, 2), StoreVersion.Absent));
        Assert.Equal(Bytes(10, 1), await ReadAsync(store, "c/0"));
    }

    [Fact]
    public async Task A_stale_version_loses_and_the_current_one_wins()
    {
        using var store = NewStore("p");
        await store.SetAsync("k", Bytes(10, 1));
        using var first = await store.GetVersionedAsync("k");
        Assert.False(first.Version.IsAbsent);
        Assert.Equal(Bytes(10, 1), first.Value!.Span.ToArray());

        await store.SetAsync("k", Bytes(10, 2));
        Assert.False(await store.TrySetAsync("k", Bytes(10, 3), first.Version));
        Assert.Equal(Bytes(10, 2), await ReadAsync(store, "k"));

        using var second = await store.GetVersionedAsync("k");
        Assert.NotEqual(first.Version, second.Version);
        Assert.True(await store.TrySetAsync("k", Bytes(10, 4), second.Version));
        Assert.Equal(Bytes(10, 4), await ReadAsync(store, "k"));
        Assert.False(await store.TrySetAsync("k", Bytes(10, 5), second.Version));
    }

    [Fact]
    public async Task A_missing_key_reads_as_absent_and_a_version_of_it_loses()
    {
        using var store = NewStore();
        using var missing = await store.GetVersionedAsync("nothing/here");
        Assert.Null(missing.Value);
        Assert.True(missing.Version.IsAbsent);

        await store.SetAsync("k", Bytes(3));
        using var read = await store.GetVersionedAsync("k");
        await store.DeleteAsync("k");
        Assert.False(await store.TrySetAsync("k", Bytes(3, 2), read.Version));
        Assert.Null(await store.GetAsync("k"));
    }

    [Fact]
    public async Task Conditional_delete_is_honoured()
    {
        using var store = NewStore();
        Assert.True(store.CanDeleteConditionally);
        await store.SetAsync("k", Bytes(8, 1));
        using var old = await store.GetVersionedAsync("k");
        await store.SetAsync("k", Bytes(8, 2));

        Assert.False(await store.TryDeleteAsync("k", old.Version));
        Assert.Equal(Bytes(8, 2), await ReadAsync(store, "k"));
        Assert.False(await store.TryDeleteAsync("k", StoreVersion.Absent));

        using var current = await store.GetVersionedAsync("k");
        Assert.True(await store.TryDeleteAsync("k", current.Version));
        Assert.False(await store.ExistsAsync("k"));
        Assert.True(await store.TryDeleteAsync("k", StoreVersion.Absent));
        // Gone already: the version expected is not there, so the caller reads again.
        Assert.False(await store.TryDeleteAsync("k", current.Version));
    }

    [Fact]
    public async Task A_staged_upload_carries_its_condition_on_the_commit()
    {
        var container = NewContainer();
        var options = Azurite.Options();
        options.SingleUploadThreshold = 1 << 20;
        options.BlockSize = 1 << 20;
        using var store = new AzureBlobStore(container, "", options);
        var big = Bytes(3 << 20, 7);
        Assert.True(await store.TrySetAsync("big", big, StoreVersion.Absent));
        Assert.False(await store.TrySetAsync("big", Bytes(3 << 20, 8), StoreVersion.Absent));
        using var read = await store.GetVersionedAsync("big");
        await store.SetAsync("big", Bytes(10, 9));
        Assert.False(await store.TrySetAsync("big", Bytes(3 << 20, 10), read.Version));
        Assert.Equal(Bytes(10, 9), await ReadAsync(store, "big"));
    }

    /// <summary>8 writers, each with its own store object (no shared lock: only the ETag protects them), 25 increments each.</summary>
    [Fact]
    public async Task Concurrent_compare_and_swap_increments_lose_nothing()
    {
        const int writers = 8;
        const int increments = 25;
        var container = NewContainer();
        var conflicts = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, writers), new ParallelOptions { MaxDegreeOfParallelism = writers }, async (_, ct) =>
        {
            using var store = new AzureBlobStore(container, "counters", Azurite.Options());
            for (var i = 0; i < increments; i++)
            {
                while (true)
                {
                    using var current = await store.GetVersionedAsync("n", ct);
                    var value = current.Value is null ? 0 : BitConverter.ToInt32(current.Value.Span);
                    if (await store.TrySetAsync("n", BitConverter.GetBytes(value + 1), current.Version, ct))
                    {
                        break;
                    }

                    Interlocked.Increment(ref conflicts);
                }
            }
        });

        using var check = new AzureBlobStore(container, "counters", Azurite.Options());
        Assert.Equal(writers * increments, BitConverter.ToInt32(await ReadAsync(check, "n")));
        Assert.True(conflicts > 0, "the writers never raced: the test proved nothing");
    }
}
