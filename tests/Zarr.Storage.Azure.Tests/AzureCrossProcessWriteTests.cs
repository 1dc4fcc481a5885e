using Zarr.Storage.Tests;

namespace Zarr.Storage.Azure.Tests;

/// <summary>
/// Issue 12's proof on Azurite: 4 writer processes × 2 threads, each making partial writes of disjoint elements into the
/// 4 shared chunks of one array (and into the 4 inner chunks of one shard), lose no update: only the ETag
/// compare-and-swap orders them. 400 writes each by default; ZARR_CROSS_PROCESS_WRITES=500 runs the 4,000.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureCrossProcessWriteTests(AzuriteFixture azurite) : AzureTestBase(azurite)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Four_writer_processes_lose_no_partial_write(bool sharded)
    {
        var container = NewContainer();
        using var store = new AzureBlobStore(container, "cas", Azurite.Options());
        var environment = new Dictionary<string, string> { ["AZURE_STORAGE_CONNECTION_STRING"] = Azurite.ConnectionString };

        var lost = await PartialWriterProcesses.LostUpdatesAsync(store, $"az://{container}/cas", "a", processes: 4, threads: 2,
            writes: PartialWriterProcesses.WritesPerThread, chunks: 4, sharded, environment);

        Assert.Equal(0, lost);
    }
}
