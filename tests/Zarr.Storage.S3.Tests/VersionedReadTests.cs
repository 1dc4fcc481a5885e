using Zarr.Tests.Shared;

namespace Zarr.Storage.S3.Tests;

/// <summary>Issue 18: versioned ranged reads on RGW (the ETag of a ranged GET, <c>If-Match</c> on the next), and the
/// sharded array's index cache over them, with a second store object writing as another machine would.</summary>
[Collection(RgwCollection.Name)]
public sealed class VersionedReadTests(RgwFixture rgw)
{
    [Fact]
    public async Task Ranges_are_read_with_their_ETag_and_again_only_while_the_object_has_it()
    {
        using var store = await rgw.NewStoreAsync(GetType());
        using var other = new S3Store(store.Bucket, store.Prefix, rgw.Options());
        Assert.True(store.CanReadVersioned);
        await VersionedReadChecks.ContractAsync(store, other);
    }

    [Fact]
    public async Task A_shard_rewritten_by_another_machine_is_read_through_its_new_index()
    {
        using var store = await rgw.NewStoreAsync(GetType());
        using var other = new S3Store(store.Bucket, store.Prefix, rgw.Options());
        await VersionedReadChecks.ShardedArrayAsync(store, other);
    }

    [Fact]
    public async Task A_store_declared_without_conditional_requests_has_no_versioned_reads()
    {
        using var store = await rgw.NewStoreAsync(GetType(), o => o.ConditionalWrites = false);
        Assert.False(store.CanReadVersioned);
        Assert.Null(StoreCapabilities.VersionedRead(store));
        await Assert.ThrowsAsync<ZarrStoreException>(async () => await store.GetVersionedRangeAsync("k", ByteRange.Slice(0, 1)));
    }
}
