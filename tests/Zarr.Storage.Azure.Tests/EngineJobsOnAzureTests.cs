using Zarr.Storage.Tests;

namespace Zarr.Storage.Azure.Tests;

/// <summary>Engine jobs (<c>zarr stats</c>, <c>zarr copy</c> with a rechunk) with az:// arrays as source and target, equal to the local runs.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class EngineJobsOnAzureTests(AzuriteFixture azurite) : AzureTestBase(azurite), IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("zarr-az-engine-").FullName;

    void IDisposable.Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task Stats_and_rechunking_copies_on_azure_equal_the_local_runs()
    {
        // The CLI reads the account from the environment, as a user's shell gives it (docs/cli.md).
        Environment.SetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING", Azurite.ConnectionString);

        var problems = await ObjectStoreEngineJobs.RunAsync(_scratch, $"az://{NewContainer()}/engine");

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
