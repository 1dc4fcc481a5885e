// The end-to-end harness: the workloads of ../shared/bench/peer_zarr.py (and benchmarks/peer_real.py) with this
// library, each in its own process, medians of at least --reps repetitions after a warm-up, on a quiet machine.
//
//   dotnet run -c Release --project benchmarks/Zarr.Benchmarks -- run W1-lz4 W2-lz4 ... [--reps 5] [--json]
//   dotnet run -c Release --project benchmarks/Zarr.Benchmarks -- all [--reps 5] [--json]
//   dotnet run -c Release --project benchmarks/Zarr.Benchmarks -- prepare      (build the source arrays)
//   dotnet run -c Release --project benchmarks/Zarr.Benchmarks -- blosc [--reps 11] [--json]   (managed vs native blosc)
//   dotnet run -c Release --project benchmarks/Zarr.Benchmarks -- bombs        (hostile values: refusal time and allocation)
//   dotnet run -c Release --project benchmarks/Zarr.Benchmarks -- objectstores [--reps 5]   (S3 on RGW: latency, throughput, requests)
//   dotnet run -c Release --project benchmarks/Zarr.Benchmarks -- cluster [--reps 5] [--chunks 2048]   (issue 14: 1, 2, 4 worker processes)
//   dotnet run -c Release --project benchmarks/Zarr.Benchmarks -- zarrs-suite [zs-...] [--reps 3] [--json]   (issue 18: zarrs' suite; zarrs-prepare writes its arrays)
//   dotnet run -c Release --project benchmarks/Zarr.Benchmarks -- analytics ROOT [onepass] [climatology] [--reps 5]   (issue 16, benchmarks/analytics/compare.sh)
//   dotnet run -c Release --project benchmarks/Zarr.Benchmarks -- list
//
// With --json, stdout carries only one JSON line per workload; everything else goes to stderr. BENCH_ROOT is where
// the arrays go (default /tmp/zarrbench/dotnet); nothing is deleted during a run: every write goes to a new directory.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Zarr.Benchmarks;

var positional = new List<string>();
var reps = 5;
var repsShort = 11;
var json = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--reps": reps = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--reps-short": repsShort = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--json": json = true; break;
        default: positional.Add(args[i]); break;
    }
}

if (positional.Count == 0)
{
    Console.Error.WriteLine("usage: Zarr.Benchmarks run NAME... | all | blosc | bombs | objectstores | list | prepare   [--reps N] [--reps-short N] [--json]");
    return 2;
}

var command = positional[0];
var names = positional.Skip(1).ToList();
Directory.CreateDirectory(Workloads.Root);
switch (command)
{
    case "list":
        Console.WriteLine(string.Join('\n', Workloads.All.Concat(BloscWorkloads.Names)));
        return 0;
    case "prepare":
        foreach (var v in new[] { "lz4", "c128", "zstd3", "raw", "real" })
        {
            await Workloads.EnsureSourceAsync(v);
        }

        return 0;
    case "zarrs-prepare":
        foreach (var layout in ZarrsSuite.Layouts)
        {
            await ZarrsSuite.EnsureAsync(layout);
        }

        return 0;
    case "child":
        return await Child.RunAsync(names[0], reps, repsShort);
    case "bombs":
        return await BombWorkloads.RunAsync();
    case "objectstores":
        return await ObjectStoreWorkloads.RunAsync(reps);
    case "cluster":
        return await ClusterWorkloads.RunAsync(names, reps);
    case "analytics":
        return await AnalyticsWorkloads.RunAsync(names, reps);
    case "run" or "all":
        break;
    case "blosc":
        names = [.. BloscWorkloads.Names];
        break;
    case "zarrs-suite":
        names = names.Count > 0 ? names : [.. ZarrsSuite.Names];
        break;
    default:
        Console.Error.WriteLine("unknown command " + command);
        return 2;
}

if (command == "all")
{
    names = [.. Workloads.All];
}

Console.Error.WriteLine($"Zarr.Benchmarks: .NET {Environment.Version}, {Environment.ProcessorCount} CPUs, root={Workloads.Root}, reps={reps}");
var failed = 0;
foreach (var name in names)
{
    // Each workload in its own process, so that its peak RSS is its own.
    var psi = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
    if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
    {
        psi.ArgumentList.Add(typeof(Workloads).Assembly.Location);
    }

    foreach (var a in new[] { "child", name, "--reps", reps.ToString(CultureInfo.InvariantCulture), "--reps-short", repsShort.ToString(CultureInfo.InvariantCulture) })
    {
        psi.ArgumentList.Add(a);
    }

    psi.Environment["DOTNET_GCRetainVM"] = "1";
    using var child = Process.Start(psi)!;
    string? line;
    while ((line = await child.StandardOutput.ReadLineAsync()) is not null)
    {
        if (json)
        {
            Console.WriteLine(line);
        }
        else
        {
            Console.WriteLine(Child.Format(JsonNode.Parse(line)!.AsObject()));
        }
    }

    await child.WaitForExitAsync();
    if (child.ExitCode != 0)
    {
        Console.Error.WriteLine($"{name}: the child process failed with exit code {child.ExitCode}");
        failed++;
    }
}

return failed == 0 ? 0 : 1;

/// <summary>One workload in this process: warm-up, repetitions, one JSON line on stdout.</summary>
internal static class Child
{
    public static async Task<int> RunAsync(string name, int reps, int repsShort)
    {
        var baseline = Machine.StatusMiB("VmRSS");
        Dictionary<string, object?> extra;
        List<double> walls;
        var cpus = new List<double>();
        var cpuSeconds = new List<double>();
        var faults = new List<double>();
        var foreign = new List<double>();
        var jitMs = new List<double>();
        var warmRunCount = 0;
        var noisy = 0;
        void Log(string s) => Console.Error.WriteLine($"{name}{s}");
        if (name.StartsWith("blosc-", StringComparison.Ordinal))
        {
            // Eight timed runs per repetition, each well under a second: the short runs' count.
            extra = await BloscWorkloads.RunAsync(name, Math.Max(reps, repsShort), Log);
            walls = (List<double>)extra["walls"]!;
            extra.Remove("walls");
        }
        else if (name.StartsWith("ceiling-", StringComparison.Ordinal) || name.StartsWith("stage-", StringComparison.Ordinal))
        {
            // Every repetition of these lasts at most about a quarter of a second: they get the short runs' count. A
            // stage's claim is a ratio of two medians on a shared machine, so it gets twice that.
            extra = name.StartsWith("ceiling-", StringComparison.Ordinal)
                ? await Workloads.CeilingAsync(name["ceiling-".Length..], Math.Max(reps, repsShort), Log)
                : await Workloads.StageScalingAsync(name["stage-".Length..], Math.Max(reps, 2 * repsShort - 1), Log);
            walls = (List<double>)extra["walls"]!;
            extra.Remove("walls");
        }
        else
        {
            var w = name.StartsWith("zs-", StringComparison.Ordinal) ? ZarrsSuite.Get(name) : Workloads.Get(name);
            await w.Setup();
            if (Environment.GetEnvironmentVariable("BENCH_DEBUG_MEMORY") == "1")
            {
                Log($"  before warm-up: heap={GC.GetTotalMemory(true) / 1048576.0:F0}MiB rss={Machine.StatusMiB("VmRSS"):F0}MiB");
            }
            // Warm-up: at least two runs and half a second, so that the hot methods reach their final JIT tier (the
            // peer's numpy is compiled ahead of time); the first run's time decides between --reps and --reps-short.
            // Then on to 64 runs and a quiet JIT, or 20 s (Machine.WarmMore): what runs once per run reaches its final tier too.
            var warm = new Rep();
            warm.Start();
            await w.Run();
            warm.Stop();
            var warmTotal = warm.Wall;
            var warmRuns = 1;
            for (var k = 1; Machine.WarmMore(k, warmTotal); k++, warmRuns++)
            {
                await w.Setup();
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var more = new Rep();
                more.Start();
                await w.Run();
                more.Stop();
                warmTotal += more.Wall;
            }

            warmRunCount = warmRuns;
            Log($" warm-up {warm.Wall:F4}s (then {warmTotal - warm.Wall:F4}s more, {warmRuns} runs in all)");
            if (warm.Wall < 0.25)
            {
                reps = Math.Max(reps, repsShort);
            }

            walls = [];
            for (var r = 0; r < reps; r++)
            {
                await w.Setup();

                // Python frees the previous result at once (refcount); here the collector does it, before the clock starts.
                GC.Collect();
                GC.WaitForPendingFinalizers();
                Machine.WaitQuiet();
                if (Environment.GetEnvironmentVariable("BENCH_DEBUG_MEMORY") == "1")
                {
                    Log($"  before rep {r}: heap={GC.GetTotalMemory(false) / 1048576.0:F0}MiB committed={GC.GetGCMemoryInfo().TotalCommittedBytes / 1048576.0:F0}MiB rss={Machine.StatusMiB("VmRSS"):F0}MiB");
                }

                var rep = new Rep();
                var allocatedBefore = GC.GetTotalAllocatedBytes(true);
                rep.Start();
                await w.Run();
                rep.Stop();
                var allocated = GC.GetTotalAllocatedBytes(true) - allocatedBefore;
                walls.Add(rep.Wall);
                cpus.Add(rep.OwnCpu / rep.Wall);
                cpuSeconds.Add(rep.OwnCpu);
                foreign.Add(Math.Round(rep.ForeignCpu, 4));
                noisy += rep.Noisy ? 1 : 0;
                faults.Add(rep.MinorFaults);
                jitMs.Add(rep.JitMs);
                Log($"  rep {r}: {rep.Wall:F4}s cpu={rep.OwnCpu / rep.Wall:F2} foreign={rep.ForeignCpu:F3}s minflt={rep.MinorFaults} alloc={allocated / 1048576.0:F1}MiB jit={rep.JitMs:F1}ms/{rep.JitMethods} methods");
            }

            extra = await w.Post();
        }

        var median = Stats.Median(walls);
        var result = new JsonObject
        {
            ["workload"] = name,
            ["median_s"] = median,
            ["min_s"] = walls.Min(),
            ["max_s"] = walls.Max(),
            ["GBps_median"] = (extra.Remove("nbytes", out var nbytes) ? (long)nbytes! : Workloads.NBytes) / median / 1e9,
            ["ratio"] = extra.Remove("ratio", out var ratio) ? JsonValue.Create((double?)ratio) : null,
            ["peak_rss_mib"] = Math.Round(Machine.StatusMiB("VmHWM"), 1),
            ["baseline_rss_mib"] = Math.Round(baseline, 1),
            ["reps"] = walls.Count,
            ["walls"] = new JsonArray([.. walls.Select(x => (JsonNode?)JsonValue.Create(x))]),
            ["noisy_reps"] = noisy,
            ["mode"] = "dotnet",
            // which blosc decoded and encoded (ZARR_BLOSC), so a native and a managed run cannot be mixed up
            ["blosc"] = Zarr.Storage.Codecs.BloscRuntime.Active.ToString().ToLowerInvariant(),
        };
        if (cpus.Count > 0)
        {
            result["cpu_util_median"] = Stats.Median(cpus);
            result["cpu_s_median"] = Stats.Median(cpuSeconds);
            result["minor_faults_median"] = Stats.Median(faults);
            result["foreign_cpu_s"] = new JsonArray([.. foreign.Select(x => (JsonNode?)JsonValue.Create(x))]);
            // JIT compile time inside the timed repetitions (process CPU the workload did not ask for) and the warm-up's length
            result["jit_ms_median"] = Stats.Median(jitMs);
            result["jit_ms_total"] = Math.Round(jitMs.Sum(), 1);
            result["warmup_runs"] = warmRunCount;
        }

        foreach (var (k, v) in extra)
        {
            result[k] = JsonSerializer.SerializeToNode(v);
        }

        Console.WriteLine(result.ToJsonString());
        return 0;
    }

    public static string Format(JsonObject r)
    {
        var median = (double)r["median_s"]!;
        var s = string.Create(CultureInfo.InvariantCulture, $"{(string)r["workload"]!,-16} median={median:F4}s min={(double)r["min_s"]!:F4}s max={(double)r["max_s"]!:F4}s -> {(double)r["GBps_median"]!,6:F3} GB/s");
        if (r["ratio"] is { } ratio)
        {
            s += string.Create(CultureInfo.InvariantCulture, $" ratio={(double)ratio:F1}");
        }

        s += string.Create(CultureInfo.InvariantCulture, $" peakRSS={(double)r["peak_rss_mib"]!:F0}MiB");
        if (r["compress_GBps_median"] is { } c)
        {
            s += string.Create(CultureInfo.InvariantCulture, $" compress={(double)c:F3} GB/s");
        }

        if (r["decode_managed_over_native_1w"] is { } d1)
        {
            s += string.Create(CultureInfo.InvariantCulture, $" managed/native: decode {(double)d1:F2}x 1w {(double)r["decode_managed_over_native_2w"]!:F2}x 2w (target 0.8), encode {(double)r["encode_managed_over_native_1w"]!:F2}x 1w {(double)r["encode_managed_over_native_2w"]!:F2}x 2w (target 0.6)");
        }

        if (r["scaling_2w_over_1w"] is { } sc)
        {
            s += string.Create(CultureInfo.InvariantCulture, $" 1w={(double)r["median_1w_s"]!:F4}s 2w={(double)r["median_2w_s"]!:F4}s scaling={(double)sc:F2}x");
        }

        return s;
    }
}
