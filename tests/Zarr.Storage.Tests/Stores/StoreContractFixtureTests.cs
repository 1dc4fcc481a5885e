
namespace Zarr.Storage.Tests.Stores;

/// <summary>The contract suite's own fixture: the store under test is one store, however many threads ask for it first.</summary>
public sealed class StoreContractFixtureTests
{
    [Fact]
    public async Task The_store_is_built_once_when_many_threads_touch_it_first()
    {
        using var contract = new SlowlyBuiltStoreContract();
        using var start = new Barrier(16);
        var seen = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait();
            return contract.TheStore;
        })));

        Assert.Equal(1, contract.Built);
        Assert.All(seen, s => Assert.Same(seen[0], s));
    }

    // Not public, so xunit does not run the whole contract on it a second time.
    private sealed class SlowlyBuiltStoreContract : StoreContractTests
    {
        private int _built;

        public int Built => _built;

        public IStore TheStore => Store;

        protected override IStore CreateStore()
        {
            Interlocked.Increment(ref _built);
            Thread.Sleep(50); // a store that takes a moment to build (a folder, a zip file) widens the race
            return new MemoryStore();
        }

        protected override IStore CreateReadOnlyStore(IReadOnlyDictionary<string, byte[]> content) => throw new NotSupportedException();
    }
}
