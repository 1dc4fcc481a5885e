using System.Text.Json.Nodes;
using Zarr.Storage;

namespace Zarr.Cli.Tests;

/// <summary>
/// Issue 22, items 6 and 7: <c>zarr create</c> and <c>zarr import</c> write the missing parent groups of the destination
/// (in its format), <c>--dimension-names</c> with <c>--format 2</c> writes xarray's <c>_ARRAY_DIMENSIONS</c> instead of
/// failing, and <c>zarr copy</c> maps dimension names both ways (v3 <c>dimension_names</c>, v2 <c>_ARRAY_DIMENSIONS</c>).
/// xarray (Debian's python3-xarray) reads the results.
/// </summary>
public sealed class DimensionNamesAndParentGroupTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Create_format_2_with_dimension_names_into_new_folders_is_a_dataset_xarray_opens()
    {
        await Cli.RunExpectingAsync(0, "create", _temp.Combine("new", "ds.zarr", "t2m"), "--shape", "3,4", "--dtype", "<f8", "--format", "2", "--dimension-names", "lat,lon", "--attr", "units=K");

        Assert.True(File.Exists(_temp.Combine("new", "ds.zarr", ".zgroup")));
        Assert.True(File.Exists(_temp.Combine("new", ".zgroup")));
        Assert.False(File.Exists(_temp.Combine(".zgroup")), "a folder that existed is not made a group");
        var zattrs = JsonNode.Parse(await File.ReadAllTextAsync(_temp.Combine("new", "ds.zarr", "t2m", ".zattrs")))!;
        Assert.Equal("""["lat","lon"]""", zattrs["_ARRAY_DIMENSIONS"]!.ToJsonString());

        var script = """
            import xarray as xr
            ds = xr.open_zarr('new/ds.zarr', consolidated=False)
            print(ds['t2m'].dims, ds['t2m'].shape, ds['t2m'].attrs['units'])
            """;
        Assert.Equal("('lat', 'lon') (3, 4) K", await Python.RunAsync(_temp.Path, script));
    }

    [Theory]
    [InlineData("2", ".zgroup")]
    [InlineData("3", "zarr.json")]
    public async Task Import_into_new_folders_writes_parent_groups_in_the_arrays_format(string format, string document)
    {
        await Python.RunAsync(_temp.Path, "np.save('in.npy', np.arange(6, dtype='<i4').reshape(2, 3))");
        await Cli.RunExpectingAsync(0, "import", _temp.Combine("in.npy"), _temp.Combine("out", "g.zarr", "sub", "a"), "--format", format, "--dimension-names", "y,x");

        foreach (var parent in new[] { _temp.Combine("out"), _temp.Combine("out", "g.zarr"), _temp.Combine("out", "g.zarr", "sub") })
        {
            Assert.True(File.Exists(Path.Combine(parent, document)), $"{parent} has no {document}");
        }

        var root = await ZarrGroup.OpenAsync(new DirectoryStore(_temp.Combine("out", "g.zarr")));
        Assert.Equal(format == "2" ? ZarrFormat.V2 : ZarrFormat.V3, root.Format);
        var array = await root.OpenArrayAsync<int>("sub/a");
        Assert.Equal(["y", "x"], array.DimensionNames!);
        var values = (await array.ReadAsync([Slice.All, Slice.All])).ToArray();
        Assert.Equal(new[] { 0, 1, 2, 3, 4, 5 }, values);
    }

    [Fact]
    public async Task Create_and_import_into_a_group_take_its_format_and_refuse_the_other()
    {
        await ZarrGroup.CreateAsync(new DirectoryStore(_temp.Combine("v2.zarr")), "", ZarrFormat.V2);
        await Python.RunAsync(_temp.Path, "np.save('in.npy', np.arange(4, dtype='<i4'))");

        await Cli.RunExpectingAsync(0, "create", _temp.Combine("v2.zarr", "made"), "--shape", "3", "--dtype", "<f8", "--dimension-names", "x");
        await Cli.RunExpectingAsync(0, "import", _temp.Combine("in.npy"), _temp.Combine("v2.zarr", "imported"));
        Assert.True(File.Exists(_temp.Combine("v2.zarr", "made", ".zarray")));
        Assert.True(File.Exists(_temp.Combine("v2.zarr", "imported", ".zarray")));
        Assert.Equal(["x"], (await ZarrArray.OpenAsync(new DirectoryStore(_temp.Combine("v2.zarr")), "made")).DimensionNames!);

        var refused = await Cli.RunExpectingAsync(1, "create", _temp.Combine("v2.zarr", "v3"), "--shape", "3", "--dtype", "<f8", "--format", "3");
        Assert.Contains("is a zarr v2 group, and a hierarchy holds one format", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("--format 2", refused.Stderr, StringComparison.Ordinal);
        await Cli.RunExpectingAsync(1, "import", _temp.Combine("in.npy"), _temp.Combine("v2.zarr", "v3"), "--format", "3");
        Assert.False(Directory.Exists(_temp.Combine("v2.zarr", "v3")));
    }

    [Fact]
    public async Task Create_below_an_array_is_refused_before_anything_is_written()
    {
        await Cli.RunExpectingAsync(0, "create", _temp.Combine("arr.zarr"), "--shape", "3", "--dtype", "<f8");
        var result = await Cli.RunExpectingAsync(1, "create", _temp.Combine("arr.zarr", "sub", "x"), "--shape", "3", "--dtype", "<f8");
        Assert.Contains("is a Zarr array, which cannot hold other nodes", result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_temp.Combine("arr.zarr", "sub")));
    }

    [Fact]
    public async Task Copy_v3_to_v2_writes_ARRAY_DIMENSIONS_and_v2_to_v3_writes_dimension_names()
    {
        var source = await ZarrArray.CreateAsync<double>(new DirectoryStore(_temp.Combine("v3.zarr")), "t2m", [2, 3], new ArrayOptions { DimensionNames = ["time", "x"], Attributes = new JsonObject { ["units"] = "K" } });
        await source.WriteAsync([Slice.All, Slice.All], new double[] { 1, 2, 3, 4, 5, 6 });

        await Cli.RunExpectingAsync(0, "copy", _temp.Combine("v3.zarr", "t2m"), _temp.Combine("v2.zarr", "t2m"), "--format", "2");
        var zattrs = JsonNode.Parse(await File.ReadAllTextAsync(_temp.Combine("v2.zarr", "t2m", ".zattrs")))!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"_ARRAY_DIMENSIONS": ["time", "x"], "units": "K"}"""), zattrs));
        var script = """
            import xarray as xr
            ds = xr.open_zarr('v2.zarr', consolidated=False)
            print(ds['t2m'].dims, float(ds['t2m'].sum()), sorted(ds['t2m'].attrs))
            """;
        Assert.Equal("('time', 'x') 21.0 ['units']", await Python.RunAsync(_temp.Path, script));

        // And back: dimension_names, and no attribute left over (the names are not an attribute in v3).
        await Cli.RunExpectingAsync(0, "copy", _temp.Combine("v2.zarr"), _temp.Combine("back.zarr"), "--format", "3");
        var document = JsonNode.Parse(await File.ReadAllTextAsync(_temp.Combine("back.zarr", "t2m", "zarr.json")))!;
        Assert.Equal("""["time","x"]""", document["dimension_names"]!.ToJsonString());
        Assert.Equal("""{"units":"K"}""", document["attributes"]!.ToJsonString());
        var back = await ZarrArray.OpenAsync<double>(new DirectoryStore(_temp.Combine("back.zarr")), "t2m");
        Assert.Equal(["time", "x"], back.DimensionNames!);
        var values = (await back.ReadAsync([Slice.All, Slice.All])).ToArray();
        Assert.Equal(new[] { 1.0, 2, 3, 4, 5, 6 }, values);
    }

    [Fact]
    public async Task An_xarray_dataset_copied_to_v3_and_back_keeps_its_dimensions()
    {
        var script = """
            import xarray as xr
            ds = xr.Dataset({'t2m': (('time', 'lat'), np.arange(6.0).reshape(2, 3))}, coords={'lat': [10.0, 20.0, 30.0]})
            ds.to_zarr('xr.zarr', mode='w', consolidated=False)
            print('ok')
            """;
        Assert.Equal("ok", await Python.RunAsync(_temp.Path, script));

        await Cli.RunExpectingAsync(0, "copy", _temp.Combine("xr.zarr"), _temp.Combine("v3.zarr"), "--format", "3");
        var v3 = await ZarrGroup.OpenAsync(new DirectoryStore(_temp.Combine("v3.zarr")));
        Assert.Equal(["time", "lat"], (await v3.OpenArrayAsync("t2m")).DimensionNames!);
        Assert.Equal(["lat"], (await v3.OpenArrayAsync("lat")).DimensionNames!);
        Assert.False((await v3.OpenArrayAsync("t2m")).Attributes.ContainsKey("_ARRAY_DIMENSIONS"));

        await Cli.RunExpectingAsync(0, "copy", _temp.Combine("v3.zarr"), _temp.Combine("again.zarr"), "--format", "2");
        var check = """
            import xarray as xr
            ds = xr.open_zarr('again.zarr', consolidated=False)
            print(ds['t2m'].dims, list(ds['lat'].values), float(ds['t2m'].sum()))
            """;
        Assert.Equal("('time', 'lat') [10.0, 20.0, 30.0] 15.0", await Python.RunAsync(_temp.Path, check));
    }
}
