using System.Diagnostics;
using System.Text.Json;

namespace Zarr.ClimateAnalytics.Tests;

/// <summary>
/// samples/ClimateAnalytics as a user runs it: a cube written by xarray's <c>to_zarr</c> (Debian's
/// <c>/usr/bin/python3</c>), the built sample in a process of its own, and its output opened by xarray and compared with
/// <c>groupby("time.month").mean()</c>, numpy's <c>polyfit</c> and <c>nanpercentile</c> computed from the same input in
/// float64. Tolerances: the float64 results within 1e-9 (they differ from numpy's only in summation order), the float32
/// anomaly within 1e-5 (about one float32 step at these magnitudes: both sides round the same float64 difference),
/// NaN at exactly the same places (an always-missing cell, and cells with fewer than two points have no slope).
/// </summary>
public sealed class ClimateSampleTests : IDisposable
{
    private const string Python = "/usr/bin/python3";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "zarr-climate-" + Guid.NewGuid().ToString("N"));

    public ClimateSampleTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    // 400 steps of 3 days (every month, several years), chunks that leave edge chunks on every axis.
    [InlineData(400, "3D", 64, 5, 7)]
    // 5 monthly steps in one chunk along time: only January to May exist, so the climatology has 5 months, as xarray's.
    [InlineData(5, "MS", 5, 13, 18)]
    public async Task OutputAgreesWithXarrayAndNumpy(int steps, string frequency, int chunkTime, int chunkLat, int chunkLon)
    {
        var input = Path.Combine(_root, "in.zarr");
        var output = Path.Combine(_root, "out.zarr");
        await RunAsync(Python, [Script("make_climate.py"), input, steps.ToString(), frequency, chunkTime.ToString(), chunkLat.ToString(), chunkLon.ToString()]);

        var (exit, stdout, stderr) = await RunSampleAsync(input, output);
        Assert.True(exit == 0, $"the sample failed ({exit}): {stderr}");
        foreach (var pass in new[] { "climatology", "trend", "p90", "anomaly" })
        {
            Assert.Contains($"{pass}", stderr);   // each pass draws its progress bar on stderr
        }

        Assert.Contains("(v2, consolidated)", stdout);
        Assert.True(File.Exists(Path.Combine(output, ".zmetadata")));

        var (_, json, _) = await RunAsync(Python, [Script("check_climate.py"), input, output]);
        using var check = JsonDocument.Parse(json);
        var result = check.RootElement;
        Assert.Equal(["anomaly", "climatology", "p90", "trend"], result.GetProperty("variables").EnumerateArray().Select(v => v.GetString()!).ToArray());
        Assert.Equal(["month", "lat", "lon"], Strings(result.GetProperty("dims").GetProperty("climatology")));
        Assert.Equal(["time", "lat", "lon"], Strings(result.GetProperty("dims").GetProperty("anomaly")));
        Assert.Equal(["lat", "lon"], Strings(result.GetProperty("dims").GetProperty("trend")));
        Assert.Equal(["lat", "lon"], Strings(result.GetProperty("dims").GetProperty("p90")));
        var dtypes = result.GetProperty("dtypes");
        Assert.Equal("float64", dtypes.GetProperty("climatology").GetString());
        Assert.Equal("float32", dtypes.GetProperty("anomaly").GetString());
        Assert.Equal("float64", dtypes.GetProperty("trend").GetString());
        Assert.Equal("float64", dtypes.GetProperty("p90").GetString());
        Assert.Equal(Ints(result.GetProperty("expected_month")), Ints(result.GetProperty("month")));
        Assert.Equal(Math.Min(steps, 12), result.GetProperty("month").GetArrayLength());
        Assert.True(result.GetProperty("coords_equal").GetBoolean(), "time, lat and lon are carried unchanged");

        AssertClose(result, "climatology", 1e-9);
        AssertClose(result, "anomaly", 1e-5);
        AssertClose(result, "trend", 1e-9 * Math.Max(1e-3, result.GetProperty("trend_scale").GetDouble()));
        AssertClose(result, "p90", 1e-9);
    }

    /// <summary>
    /// The tools of the several-GiB run (benchmarks/analytics/climate_big.sh), at a small size: the generator writes a
    /// cube xarray opens (CF time, a land mask, NaN), the sample runs on it, and the check (xarray + dask's groupby mean,
    /// numpy's polyfit and nanpercentile, block by block) passes; a tampered output makes the check fail.
    /// </summary>
    [Fact]
    public async Task TheLargeRunsGeneratorAndCheckAgreeWithTheSampleOnASmallCube()
    {
        var script = Path.Combine(RepositoryRoot(), "benchmarks", "analytics", "climate_big.py");
        var input = Path.Combine(_root, "in.zarr");
        var output = Path.Combine(_root, "out.zarr");
        await RunAsync(Python, [script, "make", input, "--steps", "400", "--lat", "12", "--lon", "20"]);
        var (exit, _, stderr) = await RunSampleAsync(input, output);
        Assert.True(exit == 0, $"the sample failed ({exit}): {stderr}");

        var (_, report, _) = await RunAsync(Python, [script, "check", input, output, "--rows", "7"]);
        Assert.Contains("check: OK", report);
        foreach (var name in new[] { "climatology", "trend", "trend_np_polyfit_sample", "p90", "anomaly" })
        {
            Assert.Contains($"{name}: largest relative difference", report);
        }

        // The check must see a wrong value: one p90 cell set to 1000.
        await RunAsync(Python, ["-c", $"import zarr; z = zarr.open(r'{output}/p90', mode='r+'); z[3, 4] = 1000.0"]);
        var (failed, tampered, _) = await RunAsync(Python, [script, "check", input, output, "--rows", "7"], check: false);
        Assert.Equal(1, failed);
        Assert.Contains("check: FAILED", tampered);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Zarr.Dataflow.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Zarr.Dataflow.sln above {AppContext.BaseDirectory}");
    }

    [Fact]
    public async Task AnInputWithoutTempIsRefusedNamingWhatItHas()
    {
        var input = Path.Combine(_root, "in.zarr");
        await RunAsync(Python, [Script("make_climate.py"), input, "3", "MS", "3", "13", "18"]);
        var renamed = Path.Combine(_root, "renamed.zarr");
        await RunAsync(Python, ["-c", $"import xarray as xr; xr.open_zarr(r'{input}').rename(temp='t2m').to_zarr(r'{renamed}', consolidated=True)"]);

        var (exit, _, stderr) = await RunSampleAsync(renamed, Path.Combine(_root, "out.zarr"));
        Assert.Equal(1, exit);
        Assert.Contains("no variable 'temp'", stderr);
        Assert.Contains("t2m", stderr);
        Assert.False(Directory.Exists(Path.Combine(_root, "out.zarr")), "nothing is written for an input the sample refuses");
    }

    private static void AssertClose(JsonElement result, string name, double tolerance)
    {
        var diff = result.GetProperty(name);
        Assert.True(diff.GetProperty("shape").GetBoolean(), $"{name}: the shape differs from the reference's");
        Assert.True(diff.GetProperty("same_nan").GetBoolean(), $"{name}: NaN where the reference has a value, or the reverse");
        var max = diff.GetProperty("max").GetDouble();
        Assert.True(max <= tolerance, $"{name}: differs from the reference by up to {max:E3} (tolerance {tolerance:E1})");
    }

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    private static int[] Ints(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetInt32())];

    private static string Script(string name) => Path.Combine(AppContext.BaseDirectory, "python", name);

    private static Task<(int Exit, string Stdout, string Stderr)> RunSampleAsync(string input, string output) =>
        RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "ClimateAnalytics.dll"), input, output], check: false);

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string program, string[] arguments, bool check = true)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (check && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await stderr}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
