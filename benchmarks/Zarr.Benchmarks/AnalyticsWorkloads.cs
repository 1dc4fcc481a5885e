using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Zarr.Dataflow;
using Zarr.Dataflow.Datasets;
using Zarr.Storage;
using Zarr.Storage.Datasets;

namespace Zarr.Benchmarks;

/// <summary>
/// Issue 16's proof, our side of benchmarks/analytics/compare.sh (the peer is benchmarks/analytics/peer_analytics.py,
/// which also writes the inputs, so both sides read the same stored bytes):
/// <list type="bullet">
/// <item><c>onepass</c>: nan-mean, nan-std, nan-min, nan-max and a 64-bin histogram of ROOT/onepass.zarr (float32
/// 8192², 1 % NaN) in one <see cref="ComputeSet{T}"/> pass, as the peer's <c>dask.compute</c> of the same five.</item>
/// <item><c>climatology</c>: the monthly mean of temp(time, lat, lon) in ROOT/climate.zarr, as samples/ClimateAnalytics
/// computes it (the dataset opened, the time coordinate decoded, <c>GroupBy(months).Mean()</c>), against xarray +
/// dask's <c>groupby("time.month").mean()</c>.</item>
/// <item><c>climatology-floor</c> (ours only): a nan-sum of the same cube, the cost of reading and decoding it once.</item>
/// </list>
/// Each: a warm-up run, then REPS timed runs after a collection; one JSON line per workload on stdout (median and the
/// walls, the median process CPU seconds of a run, peak RSS), progress on stderr. The results are checked against the peer's in the compare script.
/// </summary>
internal static class AnalyticsWorkloads
{
    /// <summary><c>analytics ROOT [onepass] [climatology]</c>.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, int reps)
    {
        if (args.Count < 1)
        {
            Console.Error.WriteLine("usage: Zarr.Benchmarks analytics ROOT [onepass] [climatology] [--reps N]");
            return 2;
        }

        var root = args[0];
        var names = args.Count > 1 ? args.Skip(1).ToArray() : ["onepass", "climatology"];
        foreach (var name in names)
        {
            Func<Task<double[]>> run = name switch
            {
                "onepass" => () => OnePassAsync(Path.Combine(root, "onepass.zarr")),
                "climatology" => () => ClimatologyAsync(Path.Combine(root, "climate.zarr")),
                "climatology-floor" => () => FloorAsync(Path.Combine(root, "climate.zarr")),
                _ => throw new ArgumentException($"unknown analytics workload '{name}' (onepass, climatology)"),
            };
            var check = await run();
            var walls = new List<double>();
            var cpus = new List<double>();
            for (var r = 0; r < reps; r++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                await run();
                walls.Add(clock.Elapsed.TotalSeconds);
                cpus.Add((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
                Console.Error.WriteLine($"{name}: rep {r} {walls[^1]:F3} s, CPU {cpus[^1]:F3} s");
            }

            var sorted = walls.Order().ToArray();
            var line = new Dictionary<string, object>
            {
                ["workload"] = name,
                ["median_s"] = sorted[sorted.Length / 2],
                ["min_s"] = sorted[0],
                ["walls"] = walls,
                ["cpu_median_s"] = cpus.Order().ElementAt(cpus.Count / 2),
                ["peak_rss_mib"] = Machine.StatusMiB("VmHWM"),
                ["check"] = check,
            };
            Console.WriteLine(JsonSerializer.Serialize(line));
        }

        return 0;
    }

    /// <summary>The five results of one pass; returns mean, std, min, max and the histogram's counts, for the check.</summary>
    private static async Task<double[]> OnePassAsync(string path)
    {
        var array = await ZarrArray.OpenAsync<float>(new DirectoryStore(path), "");
        var edges = Enumerable.Range(0, 65).Select(i => -10 + (i * 60.0 / 64)).ToArray();
        var set = new ComputeSet<float>(Lazy.From(array));
        var mean = set.Add(x => x.NanMean(null));
        var std = set.Add(x => x.NanStd(null));
        var min = set.Add(x => x.NanMin(null));
        var max = set.Add(x => x.NanMax(null));
        var histogram = set.Add(x => x.Histogram(edges, null));
        await set.ComputeAsync();
        return [mean.Values[0], std.Values[0], min.Values[0], max.Values[0], .. histogram.Values.ToArray().Select(c => (double)c)];
    }

    /// <summary>The floor under the climatology: one pass that reads, decodes and sums the same cube (nansum over every axis).</summary>
    private static async Task<double[]> FloorAsync(string path)
    {
        var dataset = await ZarrDataset.OpenAsync(new DirectoryStore(path));
        var cube = (LazyArray<float>)dataset["temp"].ToLazy();
        return [await cube.NanSumAsync()];
    }

    /// <summary>The monthly climatology, as the sample computes it; returns its sum over the non-NaN cells and their count, for the check.</summary>
    private static async Task<double[]> ClimatologyAsync(string path)
    {
        var dataset = await ZarrDataset.OpenAsync(new DirectoryStore(path));
        var temp = dataset["temp"];
        var times = await temp.Coordinates.Single(c => c.Name == "time").ReadTimesAsync();
        var cube = (LazyArray<float>)temp.ToLazy();
        var climatology = await cube.GroupBy(0, [.. times.Select(t => t!.Value.Month)]).Mean().ToArrayAsync();
        var valid = climatology.Where(v => !double.IsNaN(v)).ToArray();
        return [valid.Sum(), valid.Length];
    }
}
