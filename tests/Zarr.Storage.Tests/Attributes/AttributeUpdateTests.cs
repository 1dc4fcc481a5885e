using System.Reflection;
using System.Text.Json.Nodes;

namespace Zarr.Storage.Tests.Attributes;

/// <summary>
/// Issue 22, item 4: <c>z.Attributes["units"] = "K"</c> compiled and did nothing (the property returned a copy). The
/// attributes are now a read-only view, and <c>UpdateAttributesAsync</c> sets and removes some keys, as zarr-python's
/// <c>attrs.update</c> and <c>del attrs[key]</c>, in one read-modify-write under the node's lock.
/// </summary>
public sealed class AttributeUpdateTests
{
    [Fact]
    public void The_attributes_of_arrays_groups_and_metadata_cannot_be_changed_in_place()
    {
        foreach (var property in new[]
        {
            typeof(ZarrArray).GetProperty(nameof(ZarrArray.Attributes))!,
            typeof(ZarrGroup).GetProperty(nameof(ZarrGroup.Attributes))!,
            typeof(ArrayMetadata).GetProperty(nameof(ArrayMetadata.Attributes))!,
            typeof(GroupMetadata).GetProperty(nameof(GroupMetadata.Attributes))!,
        })
        {
            var type = property.PropertyType;
            Assert.Equal(typeof(AttributeDictionary), type);
            var indexer = type.GetProperties().Single(p => p.GetIndexParameters().Length > 0);
            Assert.Null(indexer.SetMethod);
            var mutators = type.GetMethods(BindingFlags.Public | BindingFlags.Instance).Where(m => m.Name is "Add" or "Remove" or "Clear" or "Insert" or "SetItem");
            Assert.Empty(mutators);
        }
    }

    [Fact]
    public async Task Values_handed_out_are_copies_that_change_nothing()
    {
        var array = await ZarrArray.CreateAsync<int>(new MemoryStore(), "a", [2], new ArrayOptions { Attributes = new JsonObject { ["list"] = new JsonArray(1, 2) } });
        ((JsonArray)array.Attributes["list"]!).Add(3);
        array.Attributes.ToJsonObject()["list"] = "changed";
        foreach (var (_, value) in array.Attributes)
        {
            ((JsonArray)value!).Clear();
        }

        Assert.Equal("""{"list":[1,2]}""", array.Attributes.ToJsonString());
        Assert.Throws<KeyNotFoundException>(() => array.Attributes["missing"]);
        Assert.False(array.Attributes.TryGetValue("missing", out _));
    }

    [Theory]
    [InlineData(ZarrFormat.V2)]
    [InlineData(ZarrFormat.V3)]
    public async Task Updating_an_array_sets_overwrites_and_removes_keys_and_keeps_the_rest(ZarrFormat format)
    {
        var store = new MemoryStore();
        var array = await ZarrArray.CreateAsync<int>(store, "a", [4], new ArrayOptions
        {
            Format = format,
            Attributes = new JsonObject { ["units"] = "m", ["scale"] = 2, ["history"] = "made", ["nested"] = new JsonObject { ["a"] = 1, ["b"] = 2 } },
        });

        await array.UpdateAttributesAsync(new JsonObject { ["units"] = "K", ["offset"] = 273.15, ["nested"] = new JsonObject { ["c"] = 3 } }, ["history"]);

        const string Expected = """{"units":"K","scale":2,"nested":{"c":3},"offset":273.15}""";
        AssertJson(Expected, array.Attributes);
        var reopened = await ZarrArray.OpenAsync(store, "a");
        AssertJson(Expected, reopened.Attributes);
        Assert.Equal([4L], reopened.Shape.ToArray());

        // Removing only, and setting a key then removing it in the same update (sets come first).
        await array.UpdateAttributesAsync(null, ["offset"]);
        await array.UpdateAttributesAsync(new JsonObject { ["tmp"] = 1 }, ["tmp", "scale"]);
        AssertJson("""{"units":"K","nested":{"c":3}}""", (await ZarrArray.OpenAsync(store, "a")).Attributes);
    }

    [Theory]
    [InlineData(ZarrFormat.V2)]
    [InlineData(ZarrFormat.V3)]
    public async Task Updating_a_group_sets_and_removes_keys_and_keeps_the_rest(ZarrFormat format)
    {
        var store = new MemoryStore();
        var group = await ZarrGroup.CreateAsync(store, "g", format, new JsonObject { ["title"] = "t", ["drop"] = true });
        await group.UpdateAttributesAsync(new JsonObject { ["institution"] = "here" }, ["drop"]);

        AssertJson("""{"title":"t","institution":"here"}""", group.Attributes);
        AssertJson("""{"title":"t","institution":"here"}""", (await ZarrGroup.OpenAsync(store, "g")).Attributes);
    }

    [Fact]
    public async Task Removing_a_key_that_is_not_there_names_it_and_writes_nothing()
    {
        var store = new MemoryStore();
        var array = await ZarrArray.CreateAsync<int>(store, "data/t2m", [4], new ArrayOptions { Attributes = new JsonObject { ["units"] = "K" } });
        var error = await Assert.ThrowsAsync<ZarrException>(() => array.UpdateAttributesAsync(new JsonObject { ["new"] = 1 }, ["unit"]));
        Assert.Contains("'/data/t2m'", error.Message, StringComparison.Ordinal);
        Assert.Contains("no attribute 'unit'", error.Message, StringComparison.Ordinal);
        Assert.Equal("""{"units":"K"}""", (await ZarrArray.OpenAsync(store, "data/t2m")).Attributes.ToJsonString());

        var group = await ZarrGroup.OpenAsync(store, "data", AccessMode.ReadWrite);
        var groupError = await Assert.ThrowsAsync<ZarrException>(() => group.UpdateAttributesAsync(null, ["title"]));
        Assert.Contains("group '/data' has no attribute 'title'", groupError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_only_handles_refuse_updates()
    {
        var store = new MemoryStore();
        await ZarrArray.CreateAsync<int>(store, "a", [4]);
        var array = await ZarrArray.OpenAsync(store, "a", AccessMode.Read);
        await Assert.ThrowsAsync<ZarrException>(() => array.UpdateAttributesAsync(new JsonObject { ["x"] = 1 }));
        var group = await ZarrGroup.OpenAsync(store, "", AccessMode.Read);
        await Assert.ThrowsAsync<ZarrException>(() => group.UpdateAttributesAsync(new JsonObject { ["x"] = 1 }));
    }

    [Theory]
    [InlineData(ZarrFormat.V2)]
    [InlineData(ZarrFormat.V3)]
    public async Task Concurrent_updates_through_many_handles_keep_every_key(ZarrFormat format)
    {
        const int Writers = 16;
        var store = new MemoryStore();
        await ZarrArray.CreateAsync<int>(store, "a", [4], new ArrayOptions { Format = format });
        await ZarrGroup.CreateAsync(store, "g", format);
        var arrays = await Task.WhenAll(Enumerable.Range(0, Writers).Select(_ => ZarrArray.OpenAsync(store, "a", AccessMode.ReadWrite)));
        var groups = await Task.WhenAll(Enumerable.Range(0, Writers).Select(_ => ZarrGroup.OpenAsync(store, "g", AccessMode.ReadWrite)));

        await Task.WhenAll(Enumerable.Range(0, Writers).SelectMany(i => new[]
        {
            Task.Run(() => arrays[i].UpdateAttributesAsync(new JsonObject { [$"k{i}"] = i })),
            Task.Run(() => groups[i].UpdateAttributesAsync(new JsonObject { [$"k{i}"] = i })),
        }));

        var array = await ZarrArray.OpenAsync(store, "a");
        var group = await ZarrGroup.OpenAsync(store, "g");
        Assert.Equal(Enumerable.Range(0, Writers).Select(i => $"k{i}").Order(StringComparer.Ordinal), array.Attributes.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Enumerable.Range(0, Writers).Select(i => $"k{i}").Order(StringComparer.Ordinal), group.Attributes.Keys.Order(StringComparer.Ordinal));
        Assert.All(arrays, handle => Assert.Equal(Writers, handle.Attributes.Count));
    }

    // Key order is the document's: v2 documents have sorted keys.
    private static void AssertJson(string expected, AttributeDictionary actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual.ToJsonObject()), $"{actual.ToJsonString()} is not {expected}");
}
