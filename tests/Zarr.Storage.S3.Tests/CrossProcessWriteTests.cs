using Zarr.Storage.Tests;
using Zarr.Storage.Tests.Stores;

namespace Zarr.Storage.S3.Tests;

/// <summary>
/// Issue 12's proof on RGW: 4 writer processes × 2 threads, each making partial writes of disjoint elements into the
/// 4 shared chunks of one array (and into the 4 inner chunks of one shard), lose no update: only the ETag
/// compare-and-swap orders them. 400 writes each by default; ZARR_CROSS_PROCESS_WRITES=500 runs the 4,000.
/// </summary>
[Collection(RgwCollection.Name)]
public sealed class CrossProcessWriteTests(RgwFixture rgw)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Four_writer_processes_lose_no_partial_write(bool sharded)
    {
        using var store = await rgw.NewStoreAsync(GetType());
        var environment = new Dictionary<string, string>
        {
            ["AWS_ENDPOINT_URL"] = rgw.Endpoint.ToString(),
            ["AWS_ACCESS_KEY_ID"] = rgw.AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = rgw.SecretKey,
            ["AWS_REGION"] = rgw.Region,
        };

        var lost = await PartialWriterProcesses.LostUpdatesAsync(store, $"s3://{store.Bucket}/{store.Prefix}", "a", processes: 4, threads: 2,
            writes: PartialWriterProcesses.WritesPerThread, chunks: 4, sharded, environment);

        Assert.Equal(0, lost);
    }
}

/// <summary>The conditional-write contract (tests/Zarr.Storage.Tests) on RGW, each handle its own S3 client.</summary>
[Collection(RgwCollection.Name)]
public sealed class S3ConditionalStoreContractTests(RgwFixture rgw) : ConditionalStoreContractTests, IAsyncLifetime
{
    private readonly string _prefix = "p-" + Guid.NewGuid().ToString("N");
    private readonly List<S3Store> _stores = [];
    private string _bucket = "";

    public async Task InitializeAsync() => _bucket = await rgw.BucketFor(GetType());

    public Task DisposeAsync()
    {
        _stores.ForEach(s => s.Dispose());
        return Task.CompletedTask;
    }

    protected override IConditionalStore CreateStore() => NewHandle();

    protected override IConditionalStore OtherHandle(IConditionalStore store) => NewHandle();

    private S3Store NewHandle()
    {
        var store = new S3Store(_bucket, _prefix, rgw.Options());
        lock (_stores)
        {
            _stores.Add(store);
        }

        return store;
    }
}
