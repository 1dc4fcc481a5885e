using System.Text.Json.Nodes;
using Zarr.Storage.Tests;

namespace Zarr.Storage.Azure.Tests;

/// <summary>
/// Issue 13 on Azurite: two writers that share no lock (each its own store object with a location of its own, as another
/// process's is) change one array's metadata at once, one resizing and setting a0..a19, the other setting b0..b19: the
/// compare-and-swap of the metadata document on its ETag keeps every change.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureMetadataCompareAndSwapTests(AzuriteFixture azurite) : AzureTestBase(azurite)
{
    [Theory]
    [InlineData(ZarrFormat.V3)]
    [InlineData(ZarrFormat.V2)]
    public async Task Two_writers_lose_no_metadata_change(ZarrFormat format)
    {
        const int changes = 20;
        var container = NewContainer();
        using var creator = new AzureBlobStore(container, "m", Azurite.Options());
        await ZarrArray.CreateAsync<int>(creator, "a", [10], new ArrayOptions { Chunks = [4], Format = format });
        using var resizer = new OtherProcessHandle(new AzureBlobStore(container, "m", Azurite.Options()));
        using var other = new OtherProcessHandle(new AzureBlobStore(container, "m", Azurite.Options()));

        await Task.WhenAll(
            Task.Run(async () =>
            {
                var array = await ZarrArray.OpenAsync<int>(resizer, "a", AccessMode.ReadWrite);
                for (var i = 0; i < changes; i++)
                {
                    await array.UpdateAttributesAsync(new JsonObject { ["a" + i] = i });
                    await array.ResizeAsync([10 + i + 1]);
                }
            }),
            Task.Run(async () =>
            {
                var array = await ZarrArray.OpenAsync<int>(other, "a", AccessMode.ReadWrite);
                for (var i = 0; i < changes; i++)
                {
                    await array.UpdateAttributesAsync(new JsonObject { ["b" + i] = i });
                }
            }));

        var stored = await ZarrArray.OpenAsync<int>(creator, "a");
        Assert.Equal(10 + changes, stored.Shape[0]);
        Assert.All(Enumerable.Range(0, changes), i => Assert.True(stored.Attributes.ContainsKey("a" + i) && stored.Attributes.ContainsKey("b" + i), $"a{i} or b{i} was lost"));
    }
}
