// ClimateAnalytics: what an analyst computes first over a (time, lat, lon) cube, as xarray + dask would, in bounded memory.
//
//   dotnet run -c Release --project samples/ClimateAnalytics -- IN OUT
//
// IN is a Zarr v2 dataset as xarray's to_zarr writes it, with a float32 variable temp(time, lat, lon), a CF time
// coordinate and lat/lon coordinates (NaN where there is no data). OUT is written as a v2 consolidated dataset with
//   climatology(month, lat, lon)  the mean per calendar month (xarray's temp.groupby("time.month").mean()), float64
//   anomaly(time, lat, lon)       temp minus its month's climatology, float32
//   trend(lat, lon)               the least-squares slope of temp per day (x = days since the first step), float64
//   p90(lat, lon)                 the 90th percentile over time (numpy's nanpercentile, linear), float64
// and the time, month, lat and lon coordinates. Each result is one lazy pass over IN; nothing loads the cube whole.
using System.Text.Json.Nodes;
using Zarr.Dataflow;
using Zarr.Dataflow.Datasets;
using Zarr.Storage;
using Zarr.Storage.Datasets;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: ClimateAnalytics IN OUT   (IN: a v2 dataset with temp(time, lat, lon); OUT: written, v2 consolidated)");
    return 2;
}

try
{
    await ClimateRun.RunAsync(args[0], args[1]);
    return 0;
}
catch (ZarrException e)
{
    Console.Error.WriteLine();
    Console.Error.WriteLine($"ClimateAnalytics: {e.Message}");
    return 1;
}

/// <summary>The sample's passes, from opening IN to consolidating OUT.</summary>
internal static class ClimateRun
{
    private const string Variable = "temp";

    public static async Task RunAsync(string input, string output)
    {
        var dataset = await ZarrDataset.OpenAsync(new DirectoryStore(input));
        var temp = dataset.TryGetVariable(Variable, out var found)
            ? found
            : throw new ZarrException($"{input}: the dataset has no variable '{Variable}' (it has {string.Join(", ", dataset.DataVariables.Select(v => v.Name))})");
        var cube = ClimateInput.Cube(input, temp);
        var dims = temp.Dimensions;
        var (time, lat, lon) = (dims[0], dims[1], dims[2]);
        var shape = temp.Shape;
        Console.WriteLine($"{input}: {Variable}({time}: {shape[0]}, {lat}: {shape[1]}, {lon}: {shape[2]}) float32, chunks ({string.Join(", ", temp.Array.Chunks)})");

        var timeCoordinate = temp.Coordinates.FirstOrDefault(c => c.Name == time)
            ?? throw new ZarrException($"{input}: '{Variable}' has no '{time}' coordinate, so its steps have no calendar months");
        var times = await ClimateInput.TimesAsync(input, timeCoordinate);
        int[] monthOfStep = [.. times.Select(t => t.Month)];
        double[] days = [.. times.Select(t => (t - times[0]).TotalDays)];

        // Three small results: each pass reads the cube once, its lanes along time whole (AlongAxis rechunks to that).
        var byMonth = cube.GroupBy(0, monthOfStep);
        var climatology = await Pass("climatology", o => byMonth.Mean().ToArrayAsync(o));
        // A cell with fewer than two non-NaN days has no trend: NaN, not lstsq's minimum-norm slope.
        var fit = await Pass("trend", o => cube.PolyFit(0, degree: 1, x: days, rankDeficientAsNaN: true).ToArrayAsync(o));
        var cells = checked((int)(shape[1] * shape[2]));
        var slope = fit.AsSpan(0, cells).ToArray();   // highest degree first: row 0 is the slope
        var p90 = await Pass("p90", o => cube.Percentile(90, 0).ToArrayAsync(o));

        int[] months = [.. byMonth.Groups];
        int[] groupOfStep = [.. monthOfStep.Select(m => Array.IndexOf(months, m))];
        var units = temp.Attributes.ToJsonObject()["units"]?.GetValue<string>();
        JsonObject Units(string? longName) => units is null
            ? new JsonObject { ["long_name"] = longName }
            : new JsonObject { ["long_name"] = longName, ["units"] = units };

        var contents = new DatasetContents();
        contents.AddCoordinate(time, times, timeCoordinate.Attributes.ToJsonObject());
        contents.AddCoordinate("month", months.Select(m => (long)m).ToArray(), new JsonObject { ["long_name"] = "calendar month" });
        foreach (var name in new[] { lat, lon })
        {
            var coordinate = temp.Coordinates.FirstOrDefault(c => c.Name == name);
            if (coordinate is null)
            {
                contents.AddDimension(name, temp.Shape[dims.IndexOf(name)]);
                continue;
            }

            contents.AddCoordinate(name, await coordinate.ReadDoublesAsync(), coordinate.Attributes.ToJsonObject());
        }

        contents.AddVariable("climatology", ["month", lat, lon], climatology, Units($"mean {Variable} per calendar month"));
        contents.AddVariable("trend", [lat, lon], slope, units is null
            ? new JsonObject { ["long_name"] = $"least-squares slope of {Variable} per day" }
            : new JsonObject { ["long_name"] = $"least-squares slope of {Variable} per day", ["units"] = $"{units} day-1" });
        contents.AddVariable("p90", [lat, lon], p90, Units($"90th percentile of {Variable} over {time}"));
        var store = new DirectoryStore(output);
        var written = await ZarrDataset.CreateAsync(store, "", contents, new DatasetWriteOptions { Format = ZarrFormat.V2, Overwrite = true });

        // The anomaly is as large as the cube: it streams, chunk by chunk, on the cube's own grid, each chunk minus the
        // climatology rows of its steps' months (a gather along time that plain broadcasting cannot express).
        var anomalyArray = await ZarrArray.CreateAsync<float>(store, "anomaly", [.. shape], new ArrayOptions
        {
            Format = ZarrFormat.V2,
            Chunks = temp.Array.Chunks,
            FillValue = JsonValue.Create("NaN"),
            DimensionNames = [time, lat, lon],
            Attributes = Units($"{Variable} minus its calendar month's climatology"),
        }, overwrite: true);
        var anomaly = cube.MapBlocks(new MonthlyAnomaly(climatology, groupOfStep, checked((int)shape[1]), checked((int)shape[2])).Apply);
        await Pass("anomaly", o => anomaly.StoreAsync(anomalyArray, o));

        // The anomaly was added after CreateAsync consolidated: refresh .zmetadata so xarray's open_zarr sees it.
        var group = await ZarrGroup.OpenAsync(store, "", AccessMode.ReadWrite);
        await group.ConsolidateMetadataAsync();
        Console.WriteLine($"{output}: {string.Join(", ", written.DataVariables.Select(v => v.Name).Append("anomaly"))} (v2, consolidated)");
    }

    private static async Task<T> Pass<T>(string name, Func<PipelineOptions, Task<T>> pass)
    {
        var bar = new ProgressBar(name);
        var result = await pass(new PipelineOptions { Progress = bar });
        bar.Finish();
        return result;
    }

    private static async Task Pass(string name, Func<PipelineOptions, Task> pass) =>
        await Pass(name, async o => { await pass(o); return true; });
}
