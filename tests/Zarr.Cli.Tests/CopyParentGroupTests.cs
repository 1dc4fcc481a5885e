using System.Text.Json.Nodes;
using Zarr.Storage;

namespace Zarr.Cli.Tests;

/// <summary><c>zarr copy</c> into new folders writes the parent groups (in the copy's format) that xarray needs to open the parent.</summary>
public sealed class CopyParentGroupTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private async Task<double[]> WriteSourceAsync()
    {
        var root = await ZarrGroup.CreateAsync(new DirectoryStore(_temp.Combine("a.zarr")), "", ZarrFormat.V2);
        var t2m = await root.CreateArrayAsync<double>("t2m", [6, 4], new ArrayOptions
        {
            Format = ZarrFormat.V2,
            Chunks = [3, 2],
            Attributes = new JsonObject { ["_ARRAY_DIMENSIONS"] = new JsonArray("y", "x"), ["units"] = "K" },
        });
        var values = Enumerable.Range(0, 24).Select(i => 270.0 + i).ToArray();
        await t2m.WriteAsync([Slice.All, Slice.All], values);
        return values;
    }

    [Fact]
    public async Task A_v2_copy_into_a_new_folder_gets_a_zgroup_that_xarray_opens()
    {
        await WriteSourceAsync();
        await Cli.RunExpectingAsync(0, "copy", _temp.Combine("a.zarr", "t2m"), _temp.Combine("b.zarr", "t2m"), "--format", "2");
        Assert.True(File.Exists(_temp.Combine("b.zarr", ".zgroup")));
        Assert.False(File.Exists(_temp.Combine(".zgroup")), "a folder that existed is not made a group");

        var script = """
            import xarray as xr, zarr
            g = zarr.open_group('b.zarr', mode='r')
            ds = xr.open_zarr('b.zarr', consolidated=False)
            print(list(g.array_keys()), ds['t2m'].dims, float(ds['t2m'].sum()), ds['t2m'].attrs['units'])
            """;
        Assert.Equal("['t2m'] ('y', 'x') 6756.0 K", await Python.RunAsync(_temp.Path, script));
    }

    [Fact]
    public async Task A_v3_copy_into_new_nested_folders_gets_a_v3_group_in_each()
    {
        var values = await WriteSourceAsync();
        await Cli.RunExpectingAsync(0, "copy", _temp.Combine("a.zarr", "t2m"), _temp.Combine("new", "c.zarr", "g", "t2m"));
        foreach (var parent in new[] { _temp.Combine("new"), _temp.Combine("new", "c.zarr"), _temp.Combine("new", "c.zarr", "g") })
        {
            var group = await ZarrGroup.OpenAsync(new DirectoryStore(parent));
            Assert.Equal(ZarrFormat.V3, group.Format);
            Assert.False(File.Exists(Path.Combine(parent, ".zgroup")));
        }

        var root = await ZarrGroup.OpenAsync(new DirectoryStore(_temp.Combine("new", "c.zarr")));
        var copy = await root.OpenArrayAsync<double>("g/t2m");
        Assert.Equal(values, (await copy.ReadAsync([Slice.All, Slice.All])).ToArray());
    }

    [Fact]
    public async Task A_copy_into_a_zip_gets_a_root_group()
    {
        await WriteSourceAsync();
        await Cli.RunExpectingAsync(0, "copy", _temp.Combine("a.zarr", "t2m"), _temp.Combine("out.zip", "t2m"), "--format", "2");
        var script = """
            import zarr
            g = zarr.open_group(zarr.ZipStore('out.zip', mode='r'), mode='r')
            print(list(g.array_keys()), g['t2m'].shape)
            """;
        Assert.Equal("['t2m'] (6, 4)", await Python.RunAsync(_temp.Path, script));
    }

    [Fact]
    public async Task A_parent_that_is_an_array_is_refused_before_anything_is_written()
    {
        await WriteSourceAsync();
        var result = await Cli.RunExpectingAsync(1, "copy", _temp.Combine("a.zarr", "t2m"), _temp.Combine("a.zarr", "t2m", "inner", "x"));
        Assert.Contains("is a Zarr array, which cannot hold other nodes", result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_temp.Combine("a.zarr", "t2m", "inner")));

        result = await Cli.RunExpectingAsync(1, "copy", _temp.Combine("a.zarr", "t2m"), _temp.Combine("a.zarr", "t2m", "x"));
        Assert.Contains("is a Zarr array", result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_temp.Combine("a.zarr", "t2m", "x")));
    }
}
