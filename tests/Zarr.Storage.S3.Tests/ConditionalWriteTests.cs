using System.Buffers.Binary;

namespace Zarr.Storage.S3.Tests;

/// <summary>The compare-and-swap contract of <see cref="IConditionalStore"/> on RGW: what keeps partial chunk writes safe across machines.</summary>
[Collection(RgwCollection.Name)]
public sealed class ConditionalWriteTests(RgwFixture rgw)
{
    [Fact]
    public async Task CreateOnly_Twice_TheSecondLoses_AndKeepsTheFirstValue()
    {
        using var store = await rgw.NewStoreAsync(GetType());

        Assert.True(await store.TrySetAsync("c/0", new byte[] { 1 }, StoreVersion.Absent));
        Assert.False(await store.TrySetAsync("c/0", new byte[] { 2 }, StoreVersion.Absent));

        using var read = await store.GetVersionedAsync("c/0");
        Assert.Equal(new byte[] { 1 }, read.Value!.Span.ToArray());
        Assert.False(read.Version.IsAbsent);
    }

    [Fact]
    public async Task MissingKey_ReadsAsAbsent()
    {
        using var store = await rgw.NewStoreAsync(GetType());

        using var read = await store.GetVersionedAsync("nothing/here");

        Assert.Null(read.Value);
        Assert.True(read.Version.IsAbsent);
    }

    [Fact]
    public async Task StaleVersion_Loses_TheCurrentOneWins()
    {
        using var store = await rgw.NewStoreAsync(GetType());
        await store.SetAsync("k", new byte[] { 1 });
        var first = (await store.GetVersionedAsync("k")).Version;
        await store.SetAsync("k", new byte[] { 2 });
        using var current = await store.GetVersionedAsync("k");

        Assert.False(await store.TrySetAsync("k", new byte[] { 3 }, first));
        Assert.Equal(new byte[] { 2 }, (await store.GetAsync("k"))!.Span.ToArray());

        Assert.True(await store.TrySetAsync("k", new byte[] { 4 }, current.Version));
        Assert.Equal(new byte[] { 4 }, (await store.GetAsync("k"))!.Span.ToArray());
        // The version written over is stale now too.
        Assert.False(await store.TrySetAsync("k", new byte[] { 5 }, current.Version));
    }

    [Fact]
    public async Task AnExpectedVersion_OnAMissingKey_Loses()
    {
        using var store = await rgw.NewStoreAsync(GetType());
        await store.SetAsync("k", new byte[] { 1 });
        var version = (await store.GetVersionedAsync("k")).Version;
        await store.DeleteAsync("k");

        Assert.False(await store.TrySetAsync("k", new byte[] { 2 }, version));
        Assert.False(await store.ExistsAsync("k"));
    }

    [Fact]
    public async Task ConcurrentIncrements_FromSeparateStoreObjects_LoseNothing()
    {
        const int writers = 8;
        const int increments = 25;
        var bucket = await rgw.BucketFor(GetType());
        var prefix = "counter-" + Guid.NewGuid().ToString("N");
        var conflicts = 0;

        await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
        {
            // Each writer its own store object and client: only the server's ETag check stands between them.
            using var store = new S3Store(bucket, prefix, rgw.Options());
            for (var i = 0; i < increments; i++)
            {
                while (true)
                {
                    using var read = await store.GetVersionedAsync("counter");
                    var value = read.Value is null ? 0 : BinaryPrimitives.ReadInt32LittleEndian(read.Value.Span);
                    var next = new byte[4];
                    BinaryPrimitives.WriteInt32LittleEndian(next, value + 1);
                    if (await store.TrySetAsync("counter", next, read.Version))
                    {
                        break;
                    }

                    Interlocked.Increment(ref conflicts);
                }
            }
        })));

        using var check = new S3Store(bucket, prefix, rgw.Options());
        using var final = await check.GetAsync("counter");
        Assert.Equal(writers * increments, BinaryPrimitives.ReadInt32LittleEndian(final!.Span));
        Assert.True(conflicts > 0, "the writers never raced: the test proved nothing");
    }

    [Fact]
    public async Task ConditionalDeletes_AreOffByDefault()
    {
        using var store = await rgw.NewStoreAsync(GetType());

        Assert.False(store.CanDeleteConditionally);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await store.TryDeleteAsync("k", StoreVersion.Of("\"x\"")));
    }

    [Fact]
    public async Task Rgw_IgnoresIfMatchOnDelete_WhichIsWhyConditionalDeletesAreOff()
    {
        // Measured, not assumed: if a later RGW honours If-Match on DELETE, this fails and the default can be revisited.
        using var store = await rgw.NewStoreAsync(GetType(), o => o.ConditionalDeletes = true);
        await store.SetAsync("k", new byte[] { 1 });
        var stale = (await store.GetVersionedAsync("k")).Version;
        await store.SetAsync("k", new byte[] { 2 });

        var deleted = await store.TryDeleteAsync("k", stale);

        Assert.True(deleted && !await store.ExistsAsync("k"), "RGW honoured If-Match on DELETE");
    }

    [Fact]
    public async Task AServerDeclaredWithoutConditionalWrites_RefusesCompareAndSwap_ButWritesWholeValues()
    {
        using var store = await rgw.NewStoreAsync(GetType(), o => o.ConditionalWrites = false);
        await store.SetAsync("c/0", new byte[] { 1, 2 });

        Assert.False(store.SupportsConditionalWrites);
        Assert.False(store.CanDeleteConditionally);
        var get = await Assert.ThrowsAsync<ZarrStoreException>(async () => await store.GetVersionedAsync("c/0"));
        var set = await Assert.ThrowsAsync<ZarrStoreException>(async () => await store.TrySetAsync("c/0", new byte[] { 3 }, StoreVersion.Absent));
        foreach (var e in new[] { get, set })
        {
            Assert.Equal("c/0", e.Key);
            Assert.Contains("ConditionalWrites = false", e.Message, StringComparison.Ordinal);
            Assert.Contains(store.Url, e.Message, StringComparison.Ordinal);
        }

        Assert.Equal(new byte[] { 1, 2 }, (await store.GetAsync("c/0"))!.Span.ToArray());
    }

    [Fact]
    public async Task ReadOnlyStore_RefusesConditionalWrites()
    {
        using var writer = await rgw.NewStoreAsync(GetType());
        using var reader = new S3Store(writer.Bucket, writer.Prefix, rgw.Options(o => o.ReadOnly = true));

        var e = await Assert.ThrowsAsync<ZarrStoreException>(async () => await reader.TrySetAsync("k", new byte[] { 1 }, StoreVersion.Absent));

        Assert.Contains("store is read-only", e.Message, StringComparison.Ordinal);
        Assert.False(await writer.ExistsAsync("k"));
    }
}
