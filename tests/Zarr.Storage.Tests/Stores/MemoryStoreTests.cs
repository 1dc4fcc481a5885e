
namespace Zarr.Storage.Tests.Stores;

public sealed class MemoryStoreTests : StoreContractTests
{
    protected override IStore CreateStore() => new MemoryStore();

    protected override IStore CreateReadOnlyStore(IReadOnlyDictionary<string, byte[]> content) =>
        new MemoryStore(content, readOnly: true);

    [Fact]
    public void ToString_IsTheTypeName() => Assert.Equal("MemoryStore", new MemoryStore().ToString());

    [Fact]
    public async Task ContentConstructor_CopiesTheValues()
    {
        var value = Bytes(8);
        var store = new MemoryStore(new Dictionary<string, byte[]> { ["a/b"] = value });
        value[0] ^= 0xFF;

        Assert.False(store.IsReadOnly);
        Assert.Equal(1, store.Count);
        Assert.Equal(Bytes(8), await ReadAsync(store, "a/b"));
    }

    [Fact]
    public void ContentConstructor_RefusesInvalidKeys()
    {
        var e = Assert.Throws<ZarrStoreException>(() => new MemoryStore(new Dictionary<string, byte[]> { ["../x"] = [1] }));
        Assert.Equal("../x", e.Key);
    }

    [Fact]
    public async Task KeyAndFolderOfTheSameName_MayCoexist()
    {
        // Unlike a file system, memory can hold both "a" and "a/b"; listings treat "a" as one child either way.
        await Store.SetAsync("a", Bytes(1));
        await Store.SetAsync("a/b", Bytes(2));

        Assert.Equal(new[] { "a" }, await ListDirectoryAsync(Store, ""));
        Assert.Equal(new[] { new StoreEntry("a/b", 2) }, await ListPrefixAsync(Store, "a/"));
    }
}
