using System.Text.Json.Nodes;
using Zarr.Storage;
using Zarr.Storage.Datasets;

namespace Zarr.Cli.Tests.Datasets;

/// <summary><c>zarr info</c> and <c>zarr tree</c> on a dataset: each array's dimension names, and info's dimensions and coordinates.</summary>
public sealed class DatasetInfoTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private async Task<string> DatasetAsync()
    {
        var path = _temp.Combine("ds.zarr");
        var start = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var contents = new DatasetContents()
            .AddCoordinate("time", [start, start.AddDays(1), start.AddDays(2)])
            .AddCoordinate("lat", new[] { 60.0, 45.5 }, new JsonObject { ["units"] = "degrees_north" })
            .AddVariable("temp", ["time", "lat"], new float[6], new JsonObject { ["units"] = "K" });
        await ZarrDataset.CreateAsync(new DirectoryStore(path), "", contents);
        return path;
    }

    [Fact]
    public async Task Info_shows_dimension_names_dimensions_and_coordinates()
    {
        var result = await Cli.RunExpectingAsync(0, "info", await DatasetAsync());
        var lines = result.Stdout.Split('\n').Select(l => l.TrimEnd()).ToArray();
        Assert.Contains(lines, l => l.StartsWith("    temp", StringComparison.Ordinal) && l.EndsWith("dims=(time, lat)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("    time", StringComparison.Ordinal) && l.EndsWith("dims=(time) coordinate", StringComparison.Ordinal));
        Assert.Contains("  dataset dimensions: lat: 2, time: 3", lines);
        Assert.Contains("    coordinate lat (lat) float64 60 .. 45.5", lines);
        Assert.Contains("    coordinate time (time) datetime64[ns] 2020-01-01T00:00:00 .. 2020-01-03T00:00:00", lines);
    }

    [Fact]
    public async Task Tree_shows_each_arrays_dimension_names()
    {
        var result = await Cli.RunExpectingAsync(0, "tree", await DatasetAsync());
        Assert.Contains("temp (3, 2) float32", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("dims=(time, lat)\n", result.Stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("dims=(lat) coordinate", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_group_that_is_not_a_dataset_shows_no_dataset_lines()
    {
        var path = _temp.Combine("plain.zarr");
        var group = await ZarrGroup.CreateAsync(new DirectoryStore(path), "", ZarrFormat.V3);
        await group.CreateArrayAsync<int>("values", [4]);
        var result = await Cli.RunExpectingAsync(0, "info", path);
        Assert.DoesNotContain("dataset", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("dims=", result.Stdout, StringComparison.Ordinal);
    }
}
