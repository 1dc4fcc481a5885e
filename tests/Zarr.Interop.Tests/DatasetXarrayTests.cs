using System.Globalization;
using System.Text.Json.Nodes;
using Zarr.Storage;
using Zarr.Storage.Datasets;

namespace Zarr.Interop.Tests;

/// <summary>
/// <see cref="ZarrDataset"/> against Debian's xarray 2023.01 (Python/dataset_interop.py): a dataset xarray writes
/// (several variables and chunkings, datetime and float coordinates, int16 packed with scale, offset and _FillValue,
/// NaNs, bool, string and number attributes) opens here with the dimensions, coordinates, decoded values, decoded
/// types and attributes xarray shows; the same dataset written here opens in xarray identical
/// (<c>xr.testing.assert_identical</c>) to xarray's own, with the same encoding; and an append along time gives what
/// xarray's <c>append_dim</c> gives.
/// </summary>
public sealed class DatasetXarrayTests
{
    private const int T = 10, Y = 4, X = 5;

    private static string Script => Path.Combine(AppContext.BaseDirectory, "Python", "dataset_interop.py");

    private static readonly Lazy<string?> XarrayProblem = new(() =>
    {
        if (!File.Exists(InteropEnvironment.PythonPath))
        {
            return $"{InteropEnvironment.PythonPath} is missing";
        }

        var probe = InteropEnvironment.Run(InteropEnvironment.PythonPath, ["-c", "import xarray, zarr, numpy, pandas"], null, TimeSpan.FromMinutes(1));
        return probe.ExitCode == 0 ? null : $"{InteropEnvironment.PythonPath} cannot import xarray, zarr, numpy and pandas ({probe.StdErr.Trim().Split('\n')[^1]})";
    });

    /// <summary>Runs dataset_interop.py; fails the test, naming the Debian packages, when xarray is not there.</summary>
    private static InteropEnvironment.ProcessResult Python(params string[] arguments)
    {
        if (XarrayProblem.Value is { } problem)
        {
            throw new InvalidOperationException($"{problem}. The dataset tests need Debian's xarray and zarr-python 2: apt-get install -y python3-xarray python3-zarr");
        }

        return InteropEnvironment.Run(InteropEnvironment.PythonPath, [Script, .. arguments], null, TimeSpan.FromMinutes(2));
    }

    [Fact]
    public async Task A_dataset_written_by_xarray_opens_with_its_dimensions_coordinates_decoded_values_and_attributes()
    {
        using var tmp = new TempFolder("dataset-read");
        var src = Path.Combine(tmp.Path, "xarray.zarr");
        var written = Python("write", src);
        Assert.True(written.ExitCode == 0, written.Describe("dataset_interop.py write"));

        var dataset = await ZarrDataset.OpenAsync(new DirectoryStore(src));
        Assert.True(dataset.Group.UsesConsolidatedMetadata);
        await AssertSameAsXarrayAsync(JsonNode.Parse(written.StdOut)!, dataset);
    }

    [Fact]
    public async Task A_dataset_written_here_opens_in_xarray_identical_to_the_one_xarray_writes()
    {
        using var tmp = new TempFolder("dataset-write");
        var ours = Path.Combine(tmp.Path, "ours.zarr");
        var dataset = await ZarrDataset.CreateAsync(new DirectoryStore(ours), "", Contents(0, T), Options);
        Assert.Equal(T, dataset.DimensionLength("time"));

        var checkedByXarray = Python("check-ours", ours);
        Assert.True(checkedByXarray.ExitCode == 0 && checkedByXarray.StdOut.Trim() == "OK", checkedByXarray.Describe("dataset_interop.py check-ours"));
    }

    [Fact]
    public async Task Appending_along_time_gives_what_xarrays_append_dim_gives()
    {
        using var tmp = new TempFolder("dataset-append");
        var ours = Path.Combine(tmp.Path, "ours.zarr");
        var first = await ZarrDataset.CreateAsync(new DirectoryStore(ours), "", Contents(0, 6), Options);
        Assert.Equal(6, first.DimensionLength("time"));
        var appended = await first.AppendAsync("time", Contents(6, T));
        Assert.Equal(T, appended.DimensionLength("time"));

        var checkedByXarray = Python("check-ours", ours, "append");
        Assert.True(checkedByXarray.ExitCode == 0 && checkedByXarray.StdOut.Trim() == "OK", checkedByXarray.Describe("dataset_interop.py check-ours append"));

        // And xarray's own append reads here as xarray reads it.
        var theirs = Path.Combine(tmp.Path, "theirs.zarr");
        var written = Python("append", theirs);
        Assert.True(written.ExitCode == 0, written.Describe("dataset_interop.py append"));
        await AssertSameAsXarrayAsync(JsonNode.Parse(written.StdOut)!, await ZarrDataset.OpenAsync(new DirectoryStore(theirs)));
    }

    private static DatasetWriteOptions Options => new()
    {
        Chunks = new Dictionary<string, int> { ["time"] = 4, ["lat"] = 2, ["lon"] = 5 },
    };

    /// <summary>dataset_interop.py's dataset() for times <paramref name="from"/> to <paramref name="to"/>, from the same formulas.</summary>
    private static DatasetContents Contents(int from, int to)
    {
        var n = to - from;
        var temp = new float[n * Y * X];
        var precip = new double[n * Y * X];
        for (var i = 0; i < temp.Length; i++)
        {
            var k = (from * Y * X) + i;
            temp[i] = (float)((k * 0.25) - 10.0);
            precip[i] = (k * 0.1) + 5.0;
        }

        static int At(int t, int y, int x) => (((t * Y) + y) * X) + x;
        foreach (var (t, y, x) in new[] { (1, 2, 3), (7, 0, 0) })
        {
            if (t >= from && t < to)
            {
                temp[At(t - from, y, x)] = float.NaN;
            }
        }

        if (2 >= from && 2 < to)
        {
            precip[At(2 - from, 1, 1)] = double.NaN;
        }

        var contents = new DatasetContents()
            .AddCoordinate("time", [.. Enumerable.Range(from, n).Select(d => new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddDays(d))], new JsonObject { ["standard_name"] = "time" })
            .AddCoordinate("lat", new[] { 60.0, 45.0, 30.0, 15.0 }, new JsonObject { ["units"] = "degrees_north" })
            .AddCoordinate("lon", new[] { 0.0, 2.5, 5.0, 7.5, 10.0 }, new JsonObject { ["units"] = "degrees_east" })
            .AddVariable("temp", ["time", "lat", "lon"], temp, new JsonObject { ["units"] = "degC", ["long_name"] = "air temperature" })
            .AddVariable("precip", ["time", "lat", "lon"], precip, new JsonObject { ["units"] = "mm", ["long_name"] = "précipitation" },
                new CfEncoding { StorageType = ZarrDataType.Int16, ScaleFactor = 0.1, AddOffset = 5.0, FillValue = -9999 })
            .AddVariable("is_wet", ["time"], [.. Enumerable.Range(from, n).Select(d => d % 3 == 0)], new JsonObject { ["long_name"] = "rain that day" })
            .AddVariable("station", ["lat", "lon"], Enumerable.Range(0, Y * X).Select(i => i * 7).ToArray(), new JsonObject { ["long_name"] = "station number" });
        contents.Attributes["title"] = "written by xarray";
        contents.Attributes["institution"] = "Zürich";
        contents.Attributes["version"] = 3;
        contents.Attributes["scale"] = 0.5;
        return contents;
    }

    /// <summary>Compares a dataset opened here with dataset_interop.py's description of what xarray decodes.</summary>
    private static async Task AssertSameAsXarrayAsync(JsonNode xarray, ZarrDataset dataset)
    {
        var dims = xarray["dims"]!.AsObject();
        Assert.Equal(dims.Select(d => (d.Key, d.Value!.GetValue<long>())).OrderBy(d => d.Key), dataset.Dimensions.Select(d => (d.Key, d.Value)).OrderBy(d => d.Key));
        Assert.Equal(xarray["coords"]!.AsArray().Select(n => n!.GetValue<string>()), dataset.Coordinates.Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.Equal(xarray["data_vars"]!.AsArray().Select(n => n!.GetValue<string>()), dataset.DataVariables.Select(c => c.Name).Order(StringComparer.Ordinal));
        AssertSameAttributes(xarray["attrs"]!.AsObject(), dataset.Attributes, "dataset");

        foreach (var (name, node) in xarray["variables"]!.AsObject())
        {
            var expected = node!.AsObject();
            var variable = dataset[name];
            Assert.Equal(expected["dims"]!.AsArray().Select(n => n!.GetValue<string>()), variable.Dimensions);
            AssertSameAttributes(expected["attrs"]!.AsObject(), variable.Attributes, name);
            var values = expected["values"]!.AsArray();
            switch (expected["kind"]!.GetValue<string>())
            {
                case "time":
                    Assert.Equal(DatasetValueKind.Time, variable.Kind);
                    Assert.Equal(expected["encoding"]!["units"]!.GetValue<string>(), variable.Encoding.TimeUnits!.ToString());
                    Assert.Equal(expected["encoding"]!["calendar"]!.GetValue<string>(), variable.Encoding.Calendar);
                    var times = await variable.ReadTimesAsync();
                    Assert.Equal(values.Select(v => v?.GetValue<string>()), times.Select(t => t?.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)));
                    break;
                case "bool":
                    Assert.Equal(DatasetValueKind.Bool, variable.Kind);
                    Assert.Equal(values.Select(v => v!.GetValue<bool>()), await variable.ReadBoolsAsync());
                    break;
                default:
                    Assert.Equal(DatasetValueKind.Number, variable.Kind);
                    Assert.Equal(expected["dtype"]!.GetValue<string>(), variable.DecodedType.NumpyName);
                    var decoded = await variable.ReadDoublesAsync();
                    Assert.Equal(values.Select(v => v is null ? double.NaN : v.GetValue<double>()), decoded);
                    var encoding = expected["encoding"]!.AsObject();
                    Assert.Equal(encoding["scale_factor"]?.GetValue<double>(), variable.Encoding.ScaleFactor);
                    Assert.Equal(encoding["add_offset"]?.GetValue<double>(), variable.Encoding.AddOffset);
                    if (encoding.ContainsKey("_FillValue"))
                    {
                        Assert.Equal(encoding["_FillValue"]?.GetValue<double>() ?? double.NaN, variable.Encoding.FillValue);
                    }

                    break;
            }
        }
    }

    private static void AssertSameAttributes(JsonObject expected, AttributeDictionary actual, string what)
    {
        Assert.True(expected.Count == actual.Count, $"{what}: xarray shows attributes {expected.ToJsonString()}, here {actual.ToJsonString()}");
        foreach (var (key, value) in expected)
        {
            Assert.True(actual.TryGetValue(key, out var ours) && JsonNode.DeepEquals(value, ours), $"{what}: attribute '{key}' is {value?.ToJsonString()} in xarray, {ours?.ToJsonString() ?? "missing"} here");
        }
    }
}
