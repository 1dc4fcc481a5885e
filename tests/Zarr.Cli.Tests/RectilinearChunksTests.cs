using System.Text.Json.Nodes;
using Zarr.Storage;

namespace Zarr.Cli.Tests;

/// <summary><c>--chunks</c> with explicit edges (a rectilinear grid) on create and copy, and how info and tree show it.</summary>
public sealed class RectilinearChunksTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Create_takes_edges_runs_and_the_extension_json_and_info_shows_them()
    {
        var path = _temp.Combine("months.zarr");
        await Cli.RunExpectingAsync(0, "create", path, "--shape", "90,10", "--dtype", "<f4", "--chunks", "31:28:31,4");
        var json = (await Cli.RunExpectingAsync(0, "info", path, "--json")).Json;
        Assert.Equal("[[31,28,31],4]", json["chunks"]!.ToJsonString());
        Assert.Null(json["shards"]);
        Assert.Equal(9L, (long)json["chunks_total"]!); // 3 months × 3 column chunks (4, 4, 2)
        var text = (await Cli.RunExpectingAsync(0, "info", path)).Stdout;
        Assert.Contains("chunks=(31:28:31, 4)", text);

        var array = await ZarrArray.OpenAsync(new DirectoryStore(path));
        Assert.Equal([31L, 28, 31], array.Grid.Edges[0].Expand(3));
        Assert.Equal(4, array.Grid.Edges[1].Repeating);

        // Runs: EDGExCOUNT, spelled as the extension's run-length pair.
        var hourly = _temp.Combine("hourly.zarr");
        await Cli.RunExpectingAsync(0, "create", hourly, "--shape", "8766,3", "--dtype", "<i2", "--chunks", "24x365:24x366,3");
        Assert.Equal("[[[24,365],[24,366]],3]", (await Cli.RunExpectingAsync(0, "info", hourly, "--json")).Json["chunks"]!.ToJsonString());

        // The extension's own JSON, written back as given.
        var exact = _temp.Combine("json.zarr");
        await Cli.RunExpectingAsync(0, "create", exact, "--shape", "6,6", "--dtype", "u1", "--chunks", "[[1, [2, 1], 3], 4]");
        Assert.Equal("[[1,[2,1],3],4]", (await Cli.RunExpectingAsync(0, "info", exact, "--json")).Json["chunks"]!.ToJsonString());

        // The plain forms are what they were.
        var plain = _temp.Combine("plain.zarr");
        await Cli.RunExpectingAsync(0, "create", plain, "--shape", "90,10", "--dtype", "<f4", "--chunks", "30,5");
        Assert.Equal("[30,5]", (await Cli.RunExpectingAsync(0, "info", plain, "--json")).Json["chunks"]!.ToJsonString());
    }

    [Theory]
    [InlineData("31:28:31,4", "--format", "2", "--format 3")]
    [InlineData("31:28,4", null, null, "add up to 59")]
    [InlineData("31:0:31,4", null, null, "'0' is not a positive integer")]
    [InlineData("31x:28,4", null, null, "'' is not a positive integer")]
    [InlineData("[[31, [28]], 4]", null, null, "chunk_shapes[0][1]")]
    [InlineData("[[31,28,31]]", null, null, "1 dimensions")]
    [InlineData("31:28:31,4", "--shards", "90,4", "--shards")]
    public async Task Wrong_edges_are_usage_errors_that_say_what_is_wrong(string chunks, string? option, string? value, string expected)
    {
        string[] args = ["create", _temp.Combine("bad.zarr"), "--shape", "90,10", "--dtype", "<f4", "--chunks", chunks, .. option is null ? Array.Empty<string>() : [option, value!]];
        var result = await Cli.RunAsync(args);
        Assert.True(result.ExitCode is 1 or 2, result.ToString());
        Assert.Contains(expected, result.Stderr);
        Assert.False(Directory.Exists(_temp.Combine("bad.zarr", "zarr.json")));
        Assert.False(File.Exists(_temp.Combine("bad.zarr", ".zarray")));
    }

    [Fact]
    public async Task Copy_keeps_a_rectilinear_grid_or_rechunks_to_edges_and_tree_shows_it()
    {
        var regular = _temp.Combine("regular.zarr");
        var data = Enumerable.Range(0, 90 * 4).Select(i => (float)i).ToArray();
        await ZarrArray.FromDataAsync<float>(new DirectoryStore(regular), "", data, [90, 4], new ArrayOptions { Chunks = [50, 4] });

        var monthly = _temp.Combine("monthly.zarr");
        await Cli.RunExpectingAsync(0, "copy", regular, monthly, "--chunks", "31:28:31,4");
        var copied = await ZarrArray.OpenAsync<float>(new DirectoryStore(monthly));
        Assert.Equal([31L, 28, 31], copied.Grid.Edges[0].Expand(3));
        Assert.Equal(data, (await copied[..]).ToArray());
        Assert.Equal(3, Directory.GetFiles(_temp.Combine("monthly.zarr", "c"), "*", SearchOption.AllDirectories).Length);

        // Copying it again keeps its grid; to v2 it cannot.
        var again = _temp.Combine("again.zarr");
        await Cli.RunExpectingAsync(0, "copy", monthly, again);
        Assert.True((await ZarrArray.OpenAsync<float>(new DirectoryStore(again))).Grid.SameChunks(copied.Grid));
        var v2 = await Cli.RunAsync("copy", monthly, _temp.Combine("v2.zarr"), "--format", "2");
        Assert.NotEqual(0, v2.ExitCode);
        Assert.Contains("rectilinear", v2.Stderr);

        var tree = (await Cli.RunExpectingAsync(0, "tree", monthly)).Stdout;
        Assert.Contains("chunks=(31:28:31, 4)", tree);
    }
}
