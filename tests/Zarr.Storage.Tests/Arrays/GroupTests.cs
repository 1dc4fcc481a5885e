using System.Text.Json.Nodes;

namespace Zarr.Storage.Tests.Arrays;

public class GroupTests
{
    [Theory]
    [InlineData(ZarrFormat.V3)]
    [InlineData(ZarrFormat.V2)]
    public async Task Groups_hold_arrays_and_groups_and_walk_them(ZarrFormat format)
    {
        using var tmp = new TempDirectory();
        var store = new DirectoryStore(tmp.Path);
        var root = await ZarrGroup.CreateAsync(store, "", format, new JsonObject { ["title"] = "root" });
        var foo = await root.CreateGroupAsync("foo");
        var bar = await foo.CreateArrayAsync<int>("bar", [10, 10], new ArrayOptions { Chunks = [5, 5] });
        await bar[..].FillAsync(3);
        await root.CreateArrayAsync<float>("baz", [4]);
        await (await foo.CreateGroupAsync("deep")).CreateArrayAsync<byte>("leaf", [2]);

        Assert.Equal(format, bar.Format);
        var reopened = await ZarrGroup.OpenAsync(store);
        Assert.Equal("root", (string?)reopened.Attributes["title"]);
        var members = new List<NodeEntry>();
        await foreach (var m in reopened.MembersAsync())
        {
            members.Add(m);
        }

        Assert.Equal(new[] { ("baz", NodeKind.Array), ("foo", NodeKind.Group) }, members.Select(m => (m.Path, m.Kind)));

        var walked = new List<string>();
        await foreach (var m in reopened.WalkAsync())
        {
            walked.Add($"{m.Path}:{m.Kind}");
        }

        Assert.Equal(new[] { "baz:Array", "foo:Group", "foo/bar:Array", "foo/deep:Group", "foo/deep/leaf:Array" }, walked);
        var opened = await (await reopened.OpenGroupAsync("foo")).OpenArrayAsync<int>("bar");
        Assert.All(SelectionTests.ToArray(await opened[..]), v => Assert.Equal(3, v));

        await Assert.ThrowsAsync<ZarrNodeException>(() => reopened.OpenGroupAsync("baz"));
        await Assert.ThrowsAsync<ZarrNodeException>(() => reopened.OpenArrayAsync("foo"));
        await Assert.ThrowsAsync<ZarrNodeException>(() => root.CreateGroupAsync("foo"));
        var required = await root.RequireGroupAsync("foo");
        Assert.Equal("foo", required.Path);

        await foo.SetAttributesAsync(new JsonObject { ["n"] = 1 });
        Assert.Equal(1, (int?)(await ZarrGroup.OpenAsync(store, "foo")).Attributes["n"]);
    }

    [Fact]
    public async Task Read_only_groups_refuse_writes()
    {
        var store = new MemoryStore();
        await ZarrGroup.CreateAsync(store);
        var g = await ZarrGroup.OpenAsync(store, "", AccessMode.Read);
        await Assert.ThrowsAsync<ZarrException>(() => g.CreateGroupAsync("x"));
    }

    [Theory]
    [InlineData(ZarrFormat.V3)]
    [InlineData(ZarrFormat.V2)]
    public async Task Creating_a_nested_node_creates_its_missing_parent_groups(ZarrFormat format)
    {
        var store = new MemoryStore();
        await ZarrArray.CreateAsync<int>(store, "a/b/c", [4], new ArrayOptions { Format = format });
        var root = await ZarrGroup.OpenAsync(store);
        var walked = new List<string>();
        await foreach (var m in root.WalkAsync())
        {
            walked.Add($"{m.Path}:{m.Kind}:{m.Format}");
        }

        Assert.Equal(new[] { $"a:Group:{format}", $"a/b:Group:{format}", $"a/b/c:Array:{format}" }, walked);

        // An array cannot hold children.
        await Assert.ThrowsAsync<ZarrNodeException>(() => ZarrGroup.CreateAsync(store, "a/b/c/d"));
    }
}
