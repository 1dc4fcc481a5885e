using System.Text.Json.Nodes;

namespace Zarr.Storage.Tests.Attributes;

/// <summary>
/// Issue 22, item 6: an array created inside a v2 group without a format was written as v3 (<c>zarr.json</c>), which
/// consolidation skipped and xarray never saw. New nodes take the format of the group above them unless told otherwise,
/// a group refuses a child of the other format (naming both paths and formats) before anything is written, and a group
/// creates arrays of any data type.
/// </summary>
public sealed class HierarchyFormatTests
{
    [Fact]
    public async Task An_array_or_group_created_below_a_v2_group_without_a_format_is_v2()
    {
        var store = new MemoryStore();
        await ZarrGroup.CreateAsync(store, "", ZarrFormat.V2);
        var array = await ZarrArray.CreateAsync<float>(store, "t2m", [4]);
        var nested = await ZarrArray.CreateAsync(store, "sub/deeper/x", ZarrDataType.Int16, [3]);
        var group = await ZarrGroup.CreateAsync(store, "other");
        var strings = await ZarrStringArray.CreateAsync(store, "names", [2]);

        Assert.Equal(ZarrFormat.V2, array.Format);
        Assert.Equal(ZarrFormat.V2, nested.Format);
        Assert.Equal(ZarrFormat.V2, group.Format);
        Assert.Equal(ZarrFormat.V2, strings.Array.Format);
        Assert.Equal(ZarrFormat.V2, (await ZarrGroup.OpenAsync(store, "sub/deeper")).Format);
        Assert.False(await store.ExistsAsync("t2m/zarr.json"));
        Assert.True(await store.ExistsAsync("t2m/.zarray"));

        // Without any group above, v3 as before.
        Assert.Equal(ZarrFormat.V3, (await ZarrArray.CreateAsync<float>(new MemoryStore(), "a/b", [4])).Format);
    }

    [Theory]
    [InlineData(ZarrFormat.V2, ZarrFormat.V3)]
    [InlineData(ZarrFormat.V3, ZarrFormat.V2)]
    public async Task A_group_refuses_a_child_of_the_other_format_naming_both_and_writes_nothing(ZarrFormat groupFormat, ZarrFormat other)
    {
        var store = new MemoryStore();
        var group = await ZarrGroup.CreateAsync(store, "data", groupFormat);
        await group.CreateArrayAsync<int>("kept", [2]);
        var before = await KeysAsync(store);

        var errors = new List<ZarrException>
        {
            await Assert.ThrowsAsync<ZarrException>(() => group.CreateArrayAsync<int>("new", [2], new ArrayOptions { Format = other })),
            await Assert.ThrowsAsync<ZarrException>(() => group.CreateArrayAsync("new", ZarrDataType.String, [2], new ArrayOptions { Format = other })),
            await Assert.ThrowsAsync<ZarrException>(() => group.CreateArrayAsync("kept", ZarrDataType.Float64, [2], new ArrayOptions { Format = other }, overwrite: true)),
        };

        foreach (var error in errors)
        {
            Assert.Contains($"zarr v{(int)other} array '/data/", error.Message, StringComparison.Ordinal);
            Assert.Contains($"zarr v{(int)groupFormat} group '/data'", error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(before, await KeysAsync(store));
        Assert.Equal(groupFormat, (await ZarrArray.OpenAsync(store, "data/kept")).Format);

        // The group's own format, given or not, is what its children get.
        Assert.Equal(groupFormat, (await group.CreateArrayAsync<int>("same", [2], new ArrayOptions { Format = groupFormat })).Format);
    }

    [Theory]
    [InlineData(ZarrFormat.V2)]
    [InlineData(ZarrFormat.V3)]
    public async Task A_group_creates_arrays_of_any_data_type_in_its_format(ZarrFormat format)
    {
        using var tmp = new TempDirectory();
        var store = new DirectoryStore(tmp.Path);
        var root = await ZarrGroup.CreateAsync(store, "", format);
        var seconds = ZarrDataType.DateTime64(TimeUnit.Second);
        var structured = ZarrDataType.Structured(new StructField("x", ZarrDataType.Int32), new StructField("y", ZarrDataType.Float64));
        var types = new[] { seconds, ZarrDataType.String, ZarrDataType.FixedUnicode(5), structured };

        for (var i = 0; i < types.Length; i++)
        {
            var array = await root.CreateArrayAsync($"a{i}", types[i], [4], new ArrayOptions { Chunks = [2] });
            Assert.Equal(format, array.Format);
            Assert.Equal(types[i], array.DataType);
        }

        var strings = new ZarrStringArray(await root.OpenArrayAsync("a1"));
        await strings.WriteAsync([Slice.All], new string?[] { "a", "bb", "ccc", "" });
        Assert.Equal(new string?[] { "a", "bb", "ccc", "" }, (await strings.ReadAsync([Slice.All])).Values);

                Assert.Equal("datetime64[s]", (await root.OpenArrayAsync("a0")).DataType.NumpyName);

        // Consolidation sees every one of them (it skips nodes of the other format).
        await root.ConsolidateMetadataAsync();
        var consolidated = await ZarrGroup.OpenAsync(store);
        Assert.True(consolidated.UsesConsolidatedMetadata);
        var members = new List<string>();
        await foreach (var member in consolidated.MembersAsync())
        {
            members.Add(member.Path);
        }

        Assert.Equal(["a0", "a1", "a2", "a3"], members);
    }

    private static async Task<List<string>> KeysAsync(IStore store)
    {
        var keys = new List<string>();
        await foreach (var entry in store.ListPrefixAsync(""))
        {
            keys.Add(entry.Key);
        }

        keys.Sort(StringComparer.Ordinal);
        return keys;
    }
}
