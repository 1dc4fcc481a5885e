namespace Zarr.Storage.Tests.Stores;

/// <summary>The conditional-write contract on <see cref="MemoryStore"/>.</summary>
public sealed class MemoryStoreConditionalTests : ConditionalStoreContractTests
{
    protected override IConditionalStore CreateStore() => new MemoryStore();

    [Fact]
    public async Task A_read_only_memory_store_refuses_conditional_writes()
    {
        var store = new MemoryStore([new KeyValuePair<string, byte[]>("k", [1])], readOnly: true);
        using var read = await store.GetVersionedAsync("k");
        await Assert.ThrowsAsync<ZarrStoreException>(async () => await store.TrySetAsync("k", new byte[] { 2 }, read.Version));
        await Assert.ThrowsAsync<ZarrStoreException>(async () => await store.TryDeleteAsync("k", read.Version));
    }
}
