using System.Text.Json.Nodes;

namespace Zarr.Storage.Tests.Arrays;

/// <summary>
/// Issue 23, item 8: concurrent changes of one node's metadata (resizes beside attribute changes, attribute changes beside
/// consolidation) must not lose each other: the final document holds what the last change of each kind set.
/// </summary>
public class MetadataRaceTests
{
    private const int Trials = 20;
    private const int Changes = 30;

    // The shape of the i-th resize: up and down, so that shrinks (and their trims) are among them.
    private static long ShapeOf(int i) => 10 + ((i * 7) % 31);

    /// <summary>
    /// One task resizes the array 30 times while another sets its attributes 30 times, through one handle, two handles on
    /// one store object, or two handles on two store objects over one folder. After both: the stored shape is the last
    /// resize's, the stored attributes the last set's, and both handles say so too.
    /// </summary>
    [Theory]
    [InlineData("memory", "one handle", "numbers", ZarrFormat.V3)]
    [InlineData("memory", "two handles", "numbers", ZarrFormat.V2)]
    [InlineData("memory", "two handles", "strings", ZarrFormat.V3)]
    [InlineData("directory", "one handle", "numbers", ZarrFormat.V3)]
    [InlineData("directory", "two stores", "numbers", ZarrFormat.V2)]
    [InlineData("directory", "two stores", "strings", ZarrFormat.V2)]
    public async Task Resizes_beside_attribute_changes_keep_the_last_of_each(string storeKind, string handles, string kind, ZarrFormat format)
    {
        using var tmp = new TempDirectory();
        int wrongShape = 0, wrongAttributes = 0, staleHandles = 0;
        for (var trial = 0; trial < Trials; trial++)
        {
            var folder = tmp.Combine($"t{trial}");
            var memory = new MemoryStore();
            IStore NewStore() => storeKind == "memory" ? memory : new DirectoryStore(folder);

            var options = new ArrayOptions { Chunks = [4], Format = format };
            var first = kind == "strings"
                ? (await ZarrStringArray.CreateAsync(NewStore(), "a", [10], options: options)).Array
                : await ZarrArray.CreateAsync<int>(NewStore(), "a", [10], options);
            var second = handles switch
            {
                "one handle" => first,
                "two handles" => await ZarrArray.OpenAsync(first.Store, "a", AccessMode.ReadWrite),
                _ => await ZarrArray.OpenAsync(NewStore(), "a", AccessMode.ReadWrite),
            };

            await Task.WhenAll(
                Task.Run(async () =>
                {
                    for (var i = 1; i <= Changes; i++)
                    {
                        await first.ResizeAsync([ShapeOf(i)]);
                    }
                }),
                Task.Run(async () =>
                {
                    for (var i = 1; i <= Changes; i++)
                    {
                        await second.SetAttributesAsync(new JsonObject { ["i"] = i });
                    }
                }));

            var stored = await ZarrArray.OpenAsync(storeKind == "memory" ? memory : new DirectoryStore(folder), "a");
            wrongShape += stored.Shape[0] == ShapeOf(Changes) ? 0 : 1;
            wrongAttributes += (int?)stored.Attributes["i"] == Changes ? 0 : 1;
            foreach (var handle in new[] { first, second })
            {
                staleHandles += handle.Shape[0] == ShapeOf(Changes) && (int?)handle.Attributes["i"] == Changes ? 0 : 1;
            }
        }

        Assert.True(
            wrongShape == 0 && wrongAttributes == 0 && staleHandles == 0,
            $"the stored shape was not the last resize's in {wrongShape} of {Trials} trials, the attributes not the last set's in {wrongAttributes}; {staleHandles} of {2 * Trials} handles did not say both");
    }

    /// <summary>
    /// One task sets a v3 group's attributes 30 times while another consolidates its metadata (which rewrites the group's
    /// zarr.json) 30 times: the stored attributes are the last set's.
    /// </summary>
    [Theory]
    [InlineData("memory")]
    [InlineData("directory")]
    public async Task Group_attribute_changes_beside_consolidation_keep_the_last(string storeKind)
    {
        using var tmp = new TempDirectory();
        var wrong = 0;
        for (var trial = 0; trial < Trials; trial++)
        {
            var folder = tmp.Combine($"t{trial}");
            var memory = new MemoryStore();
            IStore NewStore() => storeKind == "memory" ? memory : new DirectoryStore(folder);

            var group = await ZarrGroup.CreateAsync(NewStore(), "g");
            await group.CreateArrayAsync<int>("a", [10]);
            var other = await ZarrGroup.OpenAsync(NewStore(), "g", AccessMode.ReadWrite);
            await Task.WhenAll(
                Task.Run(async () =>
                {
                    for (var i = 1; i <= Changes; i++)
                    {
                        await group.SetAttributesAsync(new JsonObject { ["i"] = i });
                    }
                }),
                Task.Run(async () =>
                {
                    for (var i = 1; i <= Changes; i++)
                    {
                        await other.ConsolidateMetadataAsync();
                    }
                }));

            var stored = await ZarrGroup.OpenAsync(NewStore(), "g", AccessMode.ReadWrite);
            wrong += (int?)stored.Attributes["i"] == Changes && (int?)group.Attributes["i"] == Changes ? 0 : 1;
        }

        Assert.True(wrong == 0, $"the attributes were not the last set's in {wrong} of {Trials} trials");
    }
}
