using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Zarr.Storage.Tests.Reliability;

/// <summary>
/// Issue 13: resizes and attribute changes made by two writers that share nothing in memory are serialised, so none is
/// lost: two processes on a directory store (the metadata document's lock file), and two "processes" on a memory store
/// (each its own store object and location, <see cref="OtherProcessHandle"/>: only the compare-and-swap of the
/// document orders them). One writer sets a0..a{n-1} and grows the array by one after each, the other sets b0..b{n-1}:
/// afterwards every attribute is there and the shape grew n times.
/// </summary>
public sealed class MetadataChangeTests(ITestOutputHelper output)
{
    private const int Changes = 40;
    private const long FirstLength = 10;

    [Theory]
    [InlineData(ZarrFormat.V3)]
    [InlineData(ZarrFormat.V2)]
    public async Task Two_processes_changing_metadata_lose_nothing_on_a_directory_store(ZarrFormat format)
    {
        using var folder = new TempDirectory();
        var store = new DirectoryStore(folder.Path);
        await ZarrArray.CreateAsync<int>(store, "a", [FirstLength], new ArrayOptions { Chunks = [4], Format = format });

        await PartialWriterProcesses.RunToEndAsync(
        [
            ["metadata", folder.Path, "a", "a", PartialWriterProcesses.Text(Changes), "1"],
            ["metadata", folder.Path, "a", "b", PartialWriterProcesses.Text(Changes), "0"],
        ]);

        var lost = await LostChangesAsync(store);
        ReliabilityFigures.Report(output, $"metadata-directory-{format}", ("processes", 2), ("changes", 3 * Changes), ("lost", lost));
        Assert.Equal(0, lost);
    }

    [Theory]
    [InlineData(ZarrFormat.V3)]
    [InlineData(ZarrFormat.V2)]
    public async Task Two_writers_on_a_conditional_store_lose_no_metadata_change(ZarrFormat format)
    {
        var memory = new MemoryStore();
        await ZarrArray.CreateAsync<int>(memory, "a", [FirstLength], new ArrayOptions { Chunks = [4], Format = format });
        var resizer = new OtherProcessHandle(memory);
        var other = new OtherProcessHandle(memory);
        Assert.NotEqual(resizer.Location, other.Location);

        await Task.WhenAll(
            Task.Run(async () =>
            {
                var array = await ZarrArray.OpenAsync<int>(resizer, "a", AccessMode.ReadWrite);
                for (var i = 0; i < Changes; i++)
                {
                    await array.UpdateAttributesAsync(new JsonObject { ["a" + i] = i });
                    await array.ResizeAsync([FirstLength + i + 1]);
                }
            }),
            Task.Run(async () =>
            {
                var array = await ZarrArray.OpenAsync<int>(other, "a", AccessMode.ReadWrite);
                for (var i = 0; i < Changes; i++)
                {
                    await array.UpdateAttributesAsync(new JsonObject { ["b" + i] = i });
                }
            }));

        var lost = await LostChangesAsync(memory);
        ReliabilityFigures.Report(output, $"metadata-memory-cas-{format}", ("writers", 2), ("changes", 3 * Changes), ("lost", lost), ("lost_swaps", resizer.LostSwaps + other.LostSwaps));
        Assert.Equal(0, lost);
    }

    [Fact]
    public async Task A_swap_lost_to_another_writer_is_made_again_from_a_fresh_read()
    {
        var memory = new MemoryStore();
        await ZarrArray.CreateAsync<int>(memory, "a", [FirstLength], new ArrayOptions { Chunks = [4] });
        var meddler = await ZarrArray.OpenAsync<int>(new OtherProcessHandle(memory), "a", AccessMode.ReadWrite);
        var handle = new OtherProcessHandle(memory);
        var meddled = false;
        handle.BeforeSwap = async () =>
        {
            if (!meddled)
            {
                meddled = true;
                await meddler.UpdateAttributesAsync(new JsonObject { ["other"] = 1 });
            }
        };

        var array = await ZarrArray.OpenAsync<int>(handle, "a", AccessMode.ReadWrite);
        await array.UpdateAttributesAsync(new JsonObject { ["mine"] = 2 });

        Assert.Equal(1, handle.LostSwaps);
        var stored = await ZarrArray.OpenAsync<int>(memory, "a");
        Assert.Equal(1, (int)stored.Attributes["other"]!);
        Assert.Equal(2, (int)stored.Attributes["mine"]!);
        Assert.Equal(2, (int)array.Attributes["mine"]!);
    }

    // Changes missing from what is stored: attributes of either writer, and growths of the shape.
    private static async Task<int> LostChangesAsync(IStore store)
    {
        var array = await ZarrArray.OpenAsync<int>(store, "a");
        var missing = Enumerable.Range(0, Changes).Count(i => !array.Attributes.ContainsKey("a" + i))
            + Enumerable.Range(0, Changes).Count(i => !array.Attributes.ContainsKey("b" + i));
        return missing + (int)(FirstLength + Changes - array.Shape[0]);
    }
}
