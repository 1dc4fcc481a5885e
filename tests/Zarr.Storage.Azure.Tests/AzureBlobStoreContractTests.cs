using Zarr.Storage.Tests.Stores;

namespace Zarr.Storage.Azure.Tests;

/// <summary>The store contract every store passes, on Azurite: each test on its own fresh container.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureBlobStoreContractTests(AzuriteFixture azurite) : StoreContractTests, IAsyncLifetime
{
    private readonly List<string> _containers = [];

    protected override IStore CreateStore() => new AzureBlobStore(NewContainer(), "", azurite.Options());

    protected override IStore CreateReadOnlyStore(IReadOnlyDictionary<string, byte[]> content)
    {
        var container = NewContainer();
        Task.Run(async () =>
        {
            using var writer = new AzureBlobStore(container, "", azurite.Options());
            foreach (var (key, value) in content)
            {
                await writer.SetAsync(key, value);
            }
        }).GetAwaiter().GetResult();
        return new AzureBlobStore(container, "", azurite.Options(readOnly: true));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var container in _containers)
        {
            await azurite.DeleteContainerAsync(container);
        }
    }

    private string NewContainer()
    {
        var name = AzuriteFixture.NewContainerName("contract");
        lock (_containers)
        {
            _containers.Add(name);
        }

        return name;
    }
}
