using Zarr.Storage.Tests.Stores;

namespace Zarr.Storage.S3.Tests;

/// <summary>The store contract suite every store passes, on Ceph RGW: each test on a fresh prefix of the class's bucket.</summary>
[Collection(RgwCollection.Name)]
public sealed class S3StoreContractTests(RgwFixture rgw) : StoreContractTests
{
    private readonly List<S3Store> _stores = [];

    protected override IStore CreateStore() => Track(rgw.NewStoreAsync(GetType()).GetAwaiter().GetResult());

    protected override IStore CreateReadOnlyStore(IReadOnlyDictionary<string, byte[]> content)
    {
        var writer = Track(rgw.NewStoreAsync(GetType()).GetAwaiter().GetResult());
        foreach (var (key, value) in content)
        {
            writer.SetAsync(key, value).AsTask().GetAwaiter().GetResult();
        }

        return Track(new S3Store(writer.Bucket, writer.Prefix, rgw.Options(o => o.ReadOnly = true)));
    }

    public override void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        base.Dispose();
    }

    private S3Store Track(S3Store store)
    {
        lock (_stores)
        {
            _stores.Add(store);
        }

        return store;
    }
}
