using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Zarr.Storage;

namespace Zarr.Interop.Tests;

/// <summary>
/// xarray (Debian's python3-xarray over zarr-python 2.13) on both sides: a dataset xarray writes survives the real
/// <c>zarr copy</c> (v2 to v2, plain, rechunked, recompressed) identical, and a v2 group written here opens in xarray as
/// the dataset meant. The crux is v2's <c>"fill_value": null</c>, which xarray writes for its CF-encoded times: a copy
/// that made it 0 gave xarray a missing-value marker, and the first day (0 days since) opened as NaT.
/// </summary>
public sealed class XarrayTests
{
    private const string Install = "apt-get install -y python3-xarray python3-zarr";

    private static readonly Lazy<string?> XarrayProblem = new(FindXarrayProblem);

    private static string Script => Path.Combine(AppContext.BaseDirectory, "Python", "xarray_dataset.py");

    /// <summary>Fails the calling test, naming the Debian packages to install, when /usr/bin/python3 cannot import xarray and zarr.</summary>
    private static void RequireXarray()
    {
        if (XarrayProblem.Value is { } problem)
        {
            throw new InvalidOperationException($"{problem}. The xarray tests need Debian's xarray and zarr-python 2: {Install}");
        }
    }

    private static string? FindXarrayProblem()
    {
        if (!File.Exists(InteropEnvironment.PythonPath))
        {
            return $"{InteropEnvironment.PythonPath} is missing";
        }

        var probe = InteropEnvironment.Run(InteropEnvironment.PythonPath, ["-c", "import xarray, zarr, numpy, pandas"], null, TimeSpan.FromMinutes(1));
        // The last line of the traceback says which module is missing.
        return probe.ExitCode == 0 ? null : $"{InteropEnvironment.PythonPath} cannot import xarray, zarr, numpy and pandas ({probe.StdErr.Trim().Split('\n')[^1]})";
    }

    private static InteropEnvironment.ProcessResult Python(params string[] arguments) =>
        InteropEnvironment.Run(InteropEnvironment.PythonPath, [Script, .. arguments], null, TimeSpan.FromMinutes(2));

    /// <summary>Runs the zarr command built beside the tests (zarr.dll, through the dotnet host running them).</summary>
    private static InteropEnvironment.ProcessResult Zarr(params string[] arguments)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "zarr.dll");
        Assert.True(File.Exists(cli), $"{cli} is missing: the project references Zarr.Cli, whose build puts it there");
        return InteropEnvironment.Run(DotnetHost(), [cli, .. arguments], null, TimeSpan.FromMinutes(2));
    }

    /// <summary>The dotnet host: the one the SDK names, else the one beside the runtime running the tests.</summary>
    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } named && File.Exists(named))
        {
            return named;
        }

        // The runtime lives in <root>/shared/Microsoft.NETCore.App/<version>/; the host is <root>/dotnet.
        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var host = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        Assert.True(File.Exists(host), $"no dotnet host at {host} (set DOTNET_HOST_PATH)");
        return host;
    }

    private static JsonNode ZArray(string array) => JsonNode.Parse(File.ReadAllText(Path.Combine(array, ".zarray")))!;

    [Fact]
    public void A_dataset_written_by_xarray_is_identical_after_zarr_copy_plain_rechunked_and_recompressed()
    {
        RequireXarray();
        using var tmp = new TempFolder("xarray-copy");
        var src = Path.Combine(tmp.Path, "src.zarr");
        var written = Python("write", src);
        Assert.True(written.ExitCode == 0, written.Describe("xarray_dataset.py write"));

        // What makes this test: xarray wrote no fill value for the times and the flags.
        var fills = JsonNode.Parse(written.StdOut)!["fill_values"]!;
        Assert.Null(fills["time"]);
        Assert.Null(fills["is_wet"]);

        var copies = new (string Name, string[] Options)[]
        {
            ("plain.zarr", []),
            ("rechunked.zarr", ["--chunks", "7"]),
            ("recompressed.zarr", ["--codec", "zstd:3"]),
        };
        foreach (var (name, options) in copies)
        {
            var copy = Zarr(["copy", src, Path.Combine(tmp.Path, name), "--format", "2", .. options]);
            Assert.True(copy.ExitCode == 0, copy.Describe($"zarr copy {name}"));
        }

        // The options did what they say, so that xarray's verdict covers a rechunked and a recompressed copy.
        Assert.Equal("[7]", ZArray(Path.Combine(tmp.Path, "rechunked.zarr", "time"))["chunks"]!.ToJsonString());
        Assert.Equal("zstd", (string)ZArray(Path.Combine(tmp.Path, "recompressed.zarr", "temperature"))["compressor"]!["id"]!);

        var compared = Python(["compare", src, .. copies.Select(c => Path.Combine(tmp.Path, c.Name))]);
        var lines = compared.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(
            compared.ExitCode == 0 && lines.Length == copies.Length && lines.All(l => l.StartsWith("OK ", StringComparison.Ordinal)),
            compared.Describe("xarray_dataset.py compare"));
    }

    [Fact]
    public async Task A_v2_dataset_we_write_opens_in_xarray_with_its_times_and_missing_values()
    {
        RequireXarray();
        using var tmp = new TempFolder("xarray-ours");
        const int Days = 20;
        var store = new DirectoryStore(Path.Combine(tmp.Path, "dataset.zarr"));
        var root = await ZarrGroup.CreateAsync(store, "", ZarrFormat.V2, new JsonObject { ["title"] = "written by Zarr.Dataflow" });

        // xarray's conventions: dimensions in _ARRAY_DIMENSIONS, a CF time coordinate (int64 days since the first) with
        // no fill value, so that day 0 is a day and not a missing value.
        var time = await root.CreateArrayAsync<long>("time", [Days], new ArrayOptions
        {
            Chunks = [6],
            FillValueIsNull = true,
            Attributes = new JsonObject
            {
                ["_ARRAY_DIMENSIONS"] = new JsonArray("time"),
                ["units"] = "days since 2020-01-01",
                ["calendar"] = "proleptic_gregorian",
                ["standard_name"] = "time",
            },
        });
        await time.WriteAsync([Slice.All], Enumerable.Range(0, Days).Select(d => (long)d).ToArray());

        // Floats with NaN as the fill value (xarray's _FillValue): a NaN written, and the last chunk never written.
        var temperature = await root.CreateArrayAsync<double>("temperature", [Days], new ArrayOptions
        {
            Chunks = [6],
            FillValue = "NaN",
            Attributes = new JsonObject { ["_ARRAY_DIMENSIONS"] = new JsonArray("time"), ["units"] = "degC" },
        });
        var values = Enumerable.Range(0, Days).Select(d => d >= 18 ? double.NaN : d == 4 ? double.NaN : (d * 0.75) - 3).ToArray();
        await temperature.WriteAsync([Slice.Range(0, 18)], values.AsMemory(0, 18));

        // Flags with no fill value: a false (0) fill value would make xarray mask every false day.
        var isWet = await root.CreateArrayAsync<bool>("is_wet", [Days], new ArrayOptions
        {
            Chunks = [6],
            FillValueIsNull = true,
            Attributes = new JsonObject { ["_ARRAY_DIMENSIONS"] = new JsonArray("time") },
        });
        var wet = Enumerable.Range(0, Days).Select(d => d % 4 == 1).ToArray();
        await isWet.WriteAsync([Slice.All], wet);
        await root.ConsolidateMetadataAsync();

        var expected = new JsonObject
        {
            ["n"] = Days,
            ["title"] = "written by Zarr.Dataflow",
            ["temperature"] = new JsonArray([.. values.Select(v => double.IsNaN(v) ? null : (JsonNode)v)]),
            ["is_wet"] = new JsonArray([.. wet.Select(w => (JsonNode)w)]),
        };
        await File.WriteAllTextAsync(Path.Combine(tmp.Path, "expected.json"), expected.ToJsonString());

        var run = Python("check-ours", tmp.Path);
        Assert.True(run.ExitCode == 0 && run.StdOut.Trim() == "OK", run.Describe("xarray_dataset.py check-ours"));
    }
}
