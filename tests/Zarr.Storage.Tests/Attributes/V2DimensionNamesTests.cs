using System.Text;
using System.Text.Json.Nodes;

namespace Zarr.Storage.Tests.Attributes;

/// <summary>
/// Issue 22, item 7: xarray keeps a v2 array's dimension names in the attribute <c>_ARRAY_DIMENSIONS</c>.
/// <c>DimensionNames</c> was null for such arrays, and creating a v2 array with names failed ("a v3 feature"). Now the
/// names are read from the attribute and written into it.
/// </summary>
public sealed class V2DimensionNamesTests
{
    [Fact]
    public async Task A_v2_array_created_with_names_stores_them_as_ARRAY_DIMENSIONS_and_reads_them_back()
    {
        var store = new MemoryStore();
        var array = await ZarrArray.CreateAsync<float>(store, "t2m", [3, 4], new ArrayOptions
        {
            Format = ZarrFormat.V2,
            DimensionNames = ["lat", "lon"],
            Attributes = new JsonObject { ["units"] = "K" },
        });

        Assert.Equal(["lat", "lon"], array.DimensionNames!);
        var zattrs = JsonNode.Parse(Encoding.UTF8.GetString((await store.GetAsync("t2m/.zattrs"))!.Span))!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"_ARRAY_DIMENSIONS": ["lat", "lon"], "units": "K"}"""), zattrs));
        Assert.False(JsonNode.Parse(Encoding.UTF8.GetString((await store.GetAsync("t2m/.zarray"))!.Span))!.AsObject().ContainsKey("dimension_names"));

        var reopened = await ZarrArray.OpenAsync(store, "t2m");
        Assert.Equal(["lat", "lon"], reopened.DimensionNames!);
        Assert.Equal("""["lat","lon"]""", reopened.Attributes["_ARRAY_DIMENSIONS"]!.ToJsonString());
    }

    [Fact]
    public async Task The_attribute_as_xarray_writes_it_gives_the_names_and_an_unusable_one_gives_none()
    {
        var store = new MemoryStore();
        await ZarrArray.CreateAsync<int>(store, "a", [2, 3], new ArrayOptions { Format = ZarrFormat.V2, Attributes = new JsonObject { ["_ARRAY_DIMENSIONS"] = new JsonArray("y", "x") } });
        await ZarrArray.CreateAsync<int>(store, "short", [2, 3], new ArrayOptions { Format = ZarrFormat.V2, Attributes = new JsonObject { ["_ARRAY_DIMENSIONS"] = new JsonArray("y") } });
        await ZarrArray.CreateAsync<int>(store, "numbers", [2], new ArrayOptions { Format = ZarrFormat.V2, Attributes = new JsonObject { ["_ARRAY_DIMENSIONS"] = new JsonArray(1) } });

        Assert.Equal(["y", "x"], (await ZarrArray.OpenAsync(store, "a")).DimensionNames!);
        var shortNames = await ZarrArray.OpenAsync(store, "short");
        Assert.Null(shortNames.DimensionNames);
        Assert.Equal("""["y"]""", shortNames.Attributes["_ARRAY_DIMENSIONS"]!.ToJsonString()); // kept as it was
        Assert.Null((await ZarrArray.OpenAsync(store, "numbers")).DimensionNames);
    }

    [Fact]
    public async Task Names_that_v2_cannot_hold_or_that_contradict_the_attribute_are_refused()
    {
        var store = new MemoryStore();
        var unnamed = await Assert.ThrowsAsync<ZarrException>(() => ZarrArray.CreateAsync<int>(store, "a", [2, 3], new ArrayOptions { Format = ZarrFormat.V2, DimensionNames = ["y", null] }));
        Assert.Contains("dimension 1 has no name", unnamed.Message, StringComparison.Ordinal);
        Assert.Contains("_ARRAY_DIMENSIONS", unnamed.Message, StringComparison.Ordinal);

        var contradiction = await Assert.ThrowsAsync<ZarrException>(() => ZarrArray.CreateAsync<int>(store, "a", [2], new ArrayOptions
        {
            Format = ZarrFormat.V2,
            DimensionNames = ["x"],
            Attributes = new JsonObject { ["_ARRAY_DIMENSIONS"] = new JsonArray("time") },
        }));
        Assert.Contains("disagree", contradiction.Message, StringComparison.Ordinal);
        Assert.False(await store.ExistsAsync("a/.zarray"));
    }

    [Fact]
    public async Task Attribute_changes_keep_set_or_remove_the_names()
    {
        var store = new MemoryStore();
        var array = await ZarrArray.CreateAsync<int>(store, "a", [2, 3], new ArrayOptions { Format = ZarrFormat.V2, DimensionNames = ["y", "x"] });

        // Replacing the attributes keeps the names, as v3 keeps dimension_names.
        await array.SetAttributesAsync(new JsonObject { ["units"] = "m" });
        var reopened = await ZarrArray.OpenAsync(store, "a");
        Assert.Equal(["y", "x"], reopened.DimensionNames!);
        Assert.Equal("m", (string?)reopened.Attributes["units"]);

        // Setting the attribute sets them; a value that is not one name per dimension is refused and nothing is written.
        await array.UpdateAttributesAsync(new JsonObject { ["_ARRAY_DIMENSIONS"] = new JsonArray("lat", "lon") });
        Assert.Equal(["lat", "lon"], array.DimensionNames!);
        Assert.Equal(["lat", "lon"], (await ZarrArray.OpenAsync(store, "a")).DimensionNames!);
        var error = await Assert.ThrowsAsync<ZarrException>(() => array.UpdateAttributesAsync(new JsonObject { ["_ARRAY_DIMENSIONS"] = new JsonArray("only") }));
        Assert.Contains("'/a'", error.Message, StringComparison.Ordinal);
        Assert.Contains("a list of 2 strings", error.Message, StringComparison.Ordinal);
        Assert.Equal(["lat", "lon"], (await ZarrArray.OpenAsync(store, "a")).DimensionNames!);

        // Removing it removes them.
        await array.UpdateAttributesAsync(null, ["_ARRAY_DIMENSIONS"]);
        Assert.Null(array.DimensionNames);
        Assert.Null((await ZarrArray.OpenAsync(store, "a")).DimensionNames);
    }

    [Fact]
    public async Task Metadata_copied_from_a_v3_array_with_names_makes_a_v2_array_with_the_attribute()
    {
        var store = new MemoryStore();
        var v3 = await ZarrArray.CreateAsync<int>(store, "v3", [2, 3], new ArrayOptions { DimensionNames = ["y", "x"] });
        var v2 = await ZarrArray.CreateAsync<int>(new MemoryStore(), "v2", [2, 3], new ArrayOptions { Format = ZarrFormat.V2 });
        var metadata = v2.Metadata with { DimensionNames = v3.DimensionNames };

        var target = new MemoryStore();
        var copy = await ZarrArray.CreateFromMetadataAsync(target, "c", metadata);
        Assert.Equal(["y", "x"], copy.DimensionNames!);
        Assert.Equal("""["y","x"]""", copy.Attributes["_ARRAY_DIMENSIONS"]!.ToJsonString());
        Assert.Equal(["y", "x"], (await ZarrArray.OpenAsync(target, "c")).DimensionNames!);
    }
}
