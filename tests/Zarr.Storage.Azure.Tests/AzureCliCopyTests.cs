using Zarr.Storage.Tests;

namespace Zarr.Storage.Azure.Tests;

/// <summary><c>zarr copy</c> to and from az:// URLs: every fixture array local → Azurite → local reads back exactly.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureCliCopyTests(AzuriteFixture azurite) : AzureTestBase(azurite), IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("zarr-az-cli-").FullName;

    void IDisposable.Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task Every_fixture_array_copied_to_azure_and_back_reads_exactly()
    {
        // The CLI reads the account from the environment, as a user's shell gives it (docs/cli.md).
        Environment.SetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING", Azurite.ConnectionString);
        var container = NewContainer();

        var (problems, copied) = await ObjectStoreCopyRoundTrip.RunAsync(_scratch, name => $"az://{container}/cli/{name}");

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.True(copied > 50, $"only {copied} arrays were copied");
    }
}
