using System.Text.Json.Nodes;
using Zarr.Storage.Datasets;
using Zarr.Storage.Tests.Indexing;

namespace Zarr.Storage.Tests.Datasets;

/// <summary>
/// Selection by label (<c>Sel</c>: one label, an inclusive range, the nearest within a tolerance) and by index
/// (<c>ISel</c>) on a dataset variable: views that read only the chunks they cover.
/// </summary>
public sealed class DatasetSelectionTests
{
    private const int Days = 24, Lats = 6, Lons = 8;
    private static readonly DateTime Start = new(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly double[] Latitudes = [75, 45, 15, -15, -45, -75];

    // temp[t, y, x] = 100 t + 10 y + x, chunked (6, 2, 4): a 4 × 3 × 2 grid of chunks.
    private static async Task<(ZarrDataset Dataset, CountingStore Store)> DatasetAsync()
    {
        var store = new CountingStore();
        var temp = new double[Days * Lats * Lons];
        for (var t = 0; t < Days; t++)
        {
            for (var y = 0; y < Lats; y++)
            {
                for (var x = 0; x < Lons; x++)
                {
                    temp[(((t * Lats) + y) * Lons) + x] = (100 * t) + (10 * y) + x;
                }
            }
        }

        var contents = new DatasetContents()
            .AddCoordinate("time", [.. Enumerable.Range(0, Days).Select(d => Start.AddDays(d))])
            .AddCoordinate("lat", Latitudes)
            .AddCoordinate("lon", [.. Enumerable.Range(0, Lons).Select(i => i * 45.0)])
            .AddVariable("temp", ["time", "lat", "lon"], temp, new JsonObject { ["units"] = "K" });
        var options = new DatasetWriteOptions { Chunks = new Dictionary<string, int> { ["time"] = 6, ["lat"] = 2, ["lon"] = 4 } };
        await ZarrDataset.CreateAsync(store, "", contents, options);
        return (await ZarrDataset.OpenAsync(store), store);
    }

    [Fact]
    public async Task A_range_of_labels_is_inclusive_and_reads_only_the_chunks_it_covers()
    {
        var (dataset, store) = await DatasetAsync();
        var temp = dataset["temp"];

        store.Reset();
        // Jan 3 to Jan 8 (indices 2..7: time chunks 0 and 1), lat 45 down to -15 (1..3: lat chunks 0 and 1), every lon.
        var view = temp.Sel("time", Start.AddDays(2), Start.AddDays(7)).Sel("lat", 45, -15);
        Assert.Equal(["time", "lat", "lon"], view.Dimensions.ToArray());
        Assert.Equal([6L, 3, 8], view.Shape.ToArray());
        Assert.Empty(store.Reads);

        var values = await view.ReadDoublesAsync();
        Assert.Equal(100 * 2 + 10 * 1 + 0, values[0]);
        Assert.Equal(100 * 7 + 10 * 3 + 7, values[^1]);
        string[] expected = [.. from t in new[] { 0, 1 } from y in new[] { 0, 1 } from x in new[] { 0, 1 } select $"temp/{t}.{y}.{x}"];
        Assert.Equal(expected.Order(), store.Reads.Order());

        // The view's coordinates are selected with it.
        var coordinates = view.Coordinates;
        Assert.Equal(["time", "lat", "lon"], coordinates.Select(c => c.Name));
        Assert.Equal(new[] { 45.0, 15, -15 }, await coordinates[1].ReadDoublesAsync());
        Assert.Equal(Start.AddDays(7), (await coordinates[0].ReadTimesAsync())[^1]);
    }

    [Fact]
    public async Task One_label_or_index_drops_its_dimension_as_xarray_does()
    {
        var (dataset, store) = await DatasetAsync();
        var point = dataset["temp"].Sel("time", Start.AddDays(5)).Sel("lat", -45.0).ISel("lon", -1);
        Assert.Empty(point.Dimensions.ToArray());
        Assert.Equal(1, point.Size);

        store.Reset();
        Assert.Equal(new[] { 100.0 * 5 + 10 * 4 + 7 }, await point.ReadDoublesAsync());
        Assert.Equal(["temp/0.2.1"], store.Reads);

        var row = dataset["temp"].ISel("time", 3).ISel("lon", 2, 5);
        Assert.Equal(["lat", "lon"], row.Dimensions.ToArray());
        Assert.Equal([6L, 3], row.Shape.ToArray());
        Assert.Equal([.. row.Selection], [Slice.At(3), Slice.Range(0, 6), Slice.Range(2, 5)]);
    }

    [Fact]
    public async Task Nearest_takes_the_closest_label_within_the_tolerance()
    {
        var (dataset, _) = await DatasetAsync();
        var temp = dataset["temp"];
        Assert.Equal([Slice.At(2)], temp.SelNearest("lat", 10.0, tolerance: 6).Selection.Skip(1).Take(1));
        // Half way between two labels, the later one (pandas' choice on a tie).
        Assert.Equal(Slice.At(3), temp.SelNearest("lat", 0.0).Selection[1]);
        Assert.Equal(Slice.At(4), temp.SelNearest("time", Start.AddDays(4).AddHours(11), TimeSpan.FromHours(12)).Selection[0]);

        var far = Assert.Throws<ZarrSelectionException>(() => temp.SelNearest("lat", 30.5, tolerance: 10));
        Assert.Contains("'lat'", far.Message, StringComparison.Ordinal);
        Assert.Contains("nearest: 45", far.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Selections_that_cannot_be_made_say_which_dimension_and_label()
    {
        var (dataset, _) = await DatasetAsync();
        var temp = dataset["temp"];
        var missing = Assert.Throws<ZarrSelectionException>(() => temp.Sel("lat", 50.0));
        Assert.Contains("'lat' has no label 50", missing.Message, StringComparison.Ordinal);
        var wrongType = Assert.Throws<ZarrSelectionException>(() => temp.Sel("time", 3.0));
        Assert.Contains("times", wrongType.Message, StringComparison.Ordinal);
        var noDimension = Assert.Throws<ZarrSelectionException>(() => temp.Sel("depth", 3.0));
        Assert.Contains("no dimension 'depth'", noDimension.Message, StringComparison.Ordinal);
        Assert.Throws<ZarrSelectionException>(() => temp.ISel("lat", 6));
        // A dimension selected by one label is gone.
        Assert.Throws<ZarrSelectionException>(() => temp.Sel("lat", 45.0).Sel("lat", 45.0));
        // A range in the wrong order for a decreasing coordinate is empty, as in xarray.
        Assert.Equal(0, temp.Sel("lat", -15, 45).Shape[1]);
    }
}
