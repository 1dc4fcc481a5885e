using Zarr.Tests.Shared;

namespace Zarr.Storage.Azure.Tests;

/// <summary>Issue 18: versioned ranged reads on Azurite (the blob's ETag, <c>If-Match</c> on the next ranged GET), and the
/// sharded array's index cache over them, with a second store object writing as another machine would.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureVersionedReadTests(AzuriteFixture azurite) : AzureTestBase(azurite)
{
    [Fact]
    public async Task Ranges_are_read_with_their_ETag_and_again_only_while_the_blob_has_it()
    {
        using var store = NewStore("p");
        using var other = new AzureBlobStore(store.Container, "p", Azurite.Options());
        await VersionedReadChecks.ContractAsync(store, other);
    }

    [Fact]
    public async Task A_shard_rewritten_by_another_machine_is_read_through_its_new_index()
    {
        using var store = NewStore("p");
        using var other = new AzureBlobStore(store.Container, "p", Azurite.Options());
        await VersionedReadChecks.ShardedArrayAsync(store, other);
    }
}
