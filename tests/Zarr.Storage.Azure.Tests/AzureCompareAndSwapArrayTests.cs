using Zarr.Storage.Tests;
using Zarr.Storage.Tests.Stores;

namespace Zarr.Storage.Azure.Tests;

/// <summary>The conditional-write contract (shared with every conditional store) on Azurite, with a second store object as the other handle.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureConditionalStoreContractTests(AzuriteFixture azurite) : ConditionalStoreContractTests, IAsyncLifetime
{
    private readonly string _container = AzuriteFixture.NewContainerName("conditional");

    protected override IConditionalStore CreateStore() => new AzureBlobStore(_container, "", azurite.Options());

    protected override IConditionalStore OtherHandle(IConditionalStore store) => new AzureBlobStore(_container, "", azurite.Options());

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => azurite.DeleteContainerAsync(_container);
}

/// <summary>Partial writes from writers that share no lock (each its own store object with a location of its own, as
/// another process's store is): only Azure's ETag compare-and-swap keeps their updates.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureCompareAndSwapArrayTests(AzuriteFixture azurite) : AzureTestBase(azurite)
{
    [Fact]
    public async Task Eight_writers_with_their_own_stores_lose_no_partial_write_into_two_shared_chunks()
    {
        var container = NewContainer();
        using var creator = new AzureBlobStore(container, "cas", Azurite.Options());
        var (lost, handles) = await CompareAndSwapWriters.RunAsync(creator, () => new AzureBlobStore(container, "cas", Azurite.Options()));
        foreach (var handle in handles)
        {
            handle.Dispose();
        }

        Assert.Equal(0, lost);
        Assert.Equal(800, handles.Sum(h => h.Swaps - h.LostSwaps));
    }
}
