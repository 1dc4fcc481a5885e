using System.Diagnostics;
using System.Globalization;
using Zarr.Dataflow;
using Zarr.Dataflow.Distributed;
using Zarr.Dataflow.Orleans;
using Zarr.Storage;

namespace Zarr.Benchmarks;

/// <summary>
/// Issue 14's figures: a statistics job whose tasks are bound by store latency (every request to the store waits 20 ms,
/// <see cref="LatencyStoreUrl"/>) run by the local executor (<see cref="LocalWorkers"/>: the same tasks in this process)
/// and on clusters of 1, 2 and 4 worker processes (Orleans silos with Redis membership, started by
/// scripts/services/redis.sh), each worker with <see cref="SlotsPerWorker"/> slots. The three clusters are up together
/// (each under its own cluster id) and every repetition runs the four configurations in turn, so that the machine's
/// drift falls on all of them alike; figures are medians. Each cluster result is checked bit for bit against the local
/// one. Markdown on stdout, progress on stderr.
/// <para>Per-task overhead of the cluster path: (cluster with 1 worker − local) × slots / tasks, since each of the
/// slots runs tasks / slots tasks one after the other in both.</para>
/// </summary>
internal static class ClusterWorkloads
{
    private const int SlotsPerWorker = 2;
    private const int ChunkSide = 32; // float32: 4 KiB a chunk, so that the 20 ms per request, not the bytes, bounds a task
    private static TimeSpan Latency = TimeSpan.FromMilliseconds(20);
    private static readonly int[] WorkerCounts = [1, 2, 4];

    /// <summary>
    /// <c>cluster [--chunks N] [--ms 20]</c> measures (<c>--ms 0</c>: no latency, where the transport's share is largest); <c>cluster worker CLUSTER SLOTS</c> is one worker process (started by the
    /// former; it leaves when its standard input closes).
    /// </summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, int reps)
    {
        LatencyStoreUrl.Register();
        if (args.Count == 3 && args[0] == "worker")
        {
            return await WorkerAsync(args[1], int.Parse(args[2], CultureInfo.InvariantCulture));
        }

        var chunks = 2048;
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--chunks")
            {
                chunks = int.Parse(args[++i], CultureInfo.InvariantCulture);
            }
            else if (args[i] == "--ms")
            {
                Latency = TimeSpan.FromMilliseconds(int.Parse(args[++i], CultureInfo.InvariantCulture));
            }
        }

        return await MeasureAsync(chunks, reps);
    }

    private static async Task<int> WorkerAsync(string cluster, int slots)
    {
        using var stop = new CancellationTokenSource();
        // The parent closes our standard input to stop us (or dies, which closes it too): leave the cluster then.
        _ = Task.Run(() =>
        {
            Console.In.ReadToEnd();
            stop.Cancel();
        });
        await ZarrWorkerHost.RunAsync(ClusterAddress.Parse(cluster), new ZarrWorkerOptions { Slots = slots }, () => Console.Out.WriteLine("joined"), cancellationToken: stop.Token);
        return 0;
    }

    private static async Task<int> MeasureAsync(int chunks, int reps)
    {
        var folder = Path.Combine(Workloads.Root, "cluster-" + Guid.NewGuid().ToString("N")[..8]);
        var gridRows = 1;
        while (gridRows * gridRows * 2 < chunks)
        {
            gridRows *= 2;
        }

        var gridCols = chunks / gridRows;
        long[] shape = [gridRows * ChunkSide, gridCols * ChunkSide];
        var store = new DirectoryStore(folder);
        var created = await ZarrArray.CreateAsync<float>(store, "a", shape, new ArrayOptions { Chunks = [ChunkSide, ChunkSide], Compressors = [] });
        var values = new float[shape[0] * shape[1]];
        var random = new Random(14);
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)random.NextDouble();
        }

        await created.WriteAsync([Slice.All], values);
        var url = LatencyStoreUrl.For(folder, Latency);
        var options = new ClusterJobOptions();
        Console.Error.WriteLine($"cluster: {chunks} chunks of {ChunkSide}x{ChunkSide} float32 at {url}; {SlotsPerWorker} slots a worker; reps={reps}; load {LoadAverage()}");

        var redisState = Path.Combine(folder, "redis-state");
        var redis = (await RedisAsync("start", redisState)).Trim();
        var workers = new List<Process>();
        var connections = new Dictionary<int, ZarrClusterConnection>();
        try
        {
            foreach (var n in WorkerCounts)
            {
                var cluster = $"{redis}/bench{n}";
                for (var i = 0; i < n; i++)
                {
                    workers.Add(await StartWorkerAsync(cluster));
                }

                var connection = await ZarrCluster.ConnectAsync(ClusterAddress.Parse(cluster));
                connections[n] = connection;
                var reported = await connection.Workers.GetWorkersAsync(CancellationToken.None);
                if (reported.Count != n || reported.Sum(w => w.Slots) != n * SlotsPerWorker)
                {
                    throw new InvalidOperationException($"the cluster of {n} workers reports {reported.Count} workers and {reported.Sum(w => w.Slots)} slots, not {n * SlotsPerWorker}");
                }

                Console.Error.WriteLine($"cluster: {n} worker(s) joined {cluster}");
            }

            var configurations = new List<(string Name, ITaskWorkers Workers)> { ("local executor (LocalWorkers)", new LocalWorkers(SlotsPerWorker)) };
            configurations.AddRange(WorkerCounts.Select(n => ($"cluster, {n} worker process{(n == 1 ? "" : "es")}", connections[n].Workers)));
            var reference = await ClusterJobs.StatisticsAsync<float>(configurations[0].Workers, url, "a", null, false, options);
            foreach (var (name, w) in configurations.Skip(1))
            {
                // Warm-up (JIT, grain activation paths, connections) and the check that the cluster's bits are the local ones.
                var result = await ClusterJobs.StatisticsAsync<float>(w, url, "a", null, false, options);
                if (!result.Sum.SequenceEqual(reference.Sum) || !result.M2.SequenceEqual(reference.M2) || !result.Count.SequenceEqual(reference.Count) || !result.Min.SequenceEqual(reference.Min) || !result.Max.SequenceEqual(reference.Max))
                {
                    throw new InvalidOperationException($"{name}: the statistics differ from the local executor's");
                }
            }

            var tasks = 0;
            // Where a task's time goes: its round trip at the client, and that less the worker's own time (the transport's).
            var roundTrips = configurations.Select(_ => new List<double>()).ToList();
            var transports = configurations.Select(_ => new List<double>()).ToList();
            List<double>? roundTrip = null, transport = null;
            using var listener = new System.Diagnostics.Metrics.MeterListener();
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == ClusterTelemetry.Name && instrument.Name is "zarr.cluster.task_duration" or "zarr.cluster.transport_duration")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
            {
                var into = instrument.Name == "zarr.cluster.task_duration" ? roundTrip : transport;
                if (into is not null)
                {
                    lock (into)
                    {
                        into.Add(value * 1000);
                    }
                }
            });
            listener.Start();
            var seconds = configurations.Select(_ => new List<double>()).ToList();
            var busy = configurations.Select(_ => new List<double>()).ToList();
            var loads = new List<string>();
            for (var r = 0; r < reps; r++)
            {
                loads.Add(LoadAverage());
                for (var c = 0; c < configurations.Count; c++)
                {
                    var (cpuBefore, totalBefore) = Machine.CpuTimes();
                    (roundTrip, transport) = (roundTrips[c], transports[c]);
                    var clock = Stopwatch.StartNew();
                    var (report, result) = await RunOnceAsync(configurations[c].Workers, url, options);
                    clock.Stop();
                    (roundTrip, transport) = (null, null);
                    var (cpuAfter, totalAfter) = Machine.CpuTimes();
                    if (!result.Sum.SequenceEqual(reference.Sum))
                    {
                        throw new InvalidOperationException($"{configurations[c].Name}: the sums differ from the local executor's");
                    }

                    tasks = report;
                    seconds[c].Add(clock.Elapsed.TotalSeconds);
                    busy[c].Add((cpuAfter - cpuBefore) / Math.Max(1e-9, totalAfter - totalBefore));
                    Console.Error.WriteLine($"cluster: rep {r + 1} {configurations[c].Name}: {clock.Elapsed.TotalSeconds:0.000} s, machine busy {busy[c][^1]:P0}");
                }
            }

            loads.Add(LoadAverage());
            Print(chunks, tasks, configurations.Select(c => c.Name).ToList(), seconds, busy, loads, reps);
            Console.WriteLine();
            Console.WriteLine("Per task (medians over every task of every timed repetition): the round trip at the client, and that less the time the worker spent on the task (the transport and the scheduling around it).");
            Console.WriteLine();
            Console.WriteLine("| configuration | round trip, ms | transport, ms |");
            Console.WriteLine("|---|---:|---:|");
            for (var c = 0; c < configurations.Count; c++)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {configurations[c].Name} | {Median(roundTrips[c]):0.00} | {Median(transports[c]):0.00} |"));
            }

            return 0;
        }
        finally
        {
            foreach (var connection in connections.Values)
            {
                await connection.DisposeAsync();
            }

            foreach (var worker in workers)
            {
                worker.StandardInput.Close();
            }

            foreach (var worker in workers)
            {
                if (!worker.WaitForExit(TimeSpan.FromSeconds(40)))
                {
                    worker.Kill();
                }

                worker.Dispose();
            }

            await RedisAsync("stop", redisState);
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>One statistics job over the whole array; returns the tasks it was planned into, counted from the options.</summary>
    private static async Task<(int Tasks, ArrayStatistics<float> Result)> RunOnceAsync(ITaskWorkers workers, string url, ClusterJobOptions options)
    {
        var tasks = 0;
        var counting = new TaskCounter(workers, () => Interlocked.Increment(ref tasks));
        var result = await ClusterJobs.StatisticsAsync<float>(counting, url, "a", null, false, options);
        return (tasks, result);
    }

    private static void Print(int chunks, int tasks, List<string> names, List<List<double>> seconds, List<List<double>> busy, List<string> loads, int reps)
    {
        var medians = seconds.Select(Median).ToList();
        var oneWorker = chunks / medians[1];
        Console.WriteLine($"Statistics over all axes of a {chunks}-chunk float32 array (chunks {ChunkSide}x{ChunkSide}, uncompressed), every store request delayed {Latency.TotalMilliseconds:0} ms; {tasks} tasks of {chunks / Math.Max(1, tasks)} chunks; {SlotsPerWorker} slots a worker; medians of {reps} repetitions, the configurations in turn in each; .NET {Environment.Version}, {Environment.ProcessorCount} CPUs; load average (1, 5, 15 min) at each repetition's start and at the end: {string.Join("; ", loads)}.");
        Console.WriteLine();
        Console.WriteLine("| configuration | time, s (median; all) | chunks/s | vs 1 worker (target ≥ 0.8 × N) | machine busy |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        for (var c = 0; c < names.Count; c++)
        {
            var throughput = chunks / medians[c];
            var scaling = c == 0 ? "" : $"{throughput / oneWorker:0.00}× (N = {WorkerCounts[c - 1]}: {throughput / oneWorker / WorkerCounts[c - 1]:0.00} × N)";
            Console.WriteLine($"| {names[c]} | {medians[c]:0.000} ({string.Join(", ", seconds[c].Select(s => s.ToString("0.000", CultureInfo.InvariantCulture)))}) | {throughput:0} | {scaling} | {Median(busy[c]):P0} |");
        }

        var overhead = (medians[1] - medians[0]) * SlotsPerWorker / tasks;
        // The same from each repetition's pair (run back to back, so sharing most of the machine's drift).
        var paired = seconds[1].Zip(seconds[0], (cluster, local) => (cluster - local) * SlotsPerWorker / tasks * 1000).ToList();
        Console.WriteLine();
        Console.WriteLine($"Per-task overhead of the cluster path with 1 worker over the local executor: ({medians[1]:0.000} − {medians[0]:0.000}) s × {SlotsPerWorker} slots / {tasks} tasks = {overhead * 1000:0.00} ms per task (target ≤ 2 ms); from each repetition's pair: median {Median(paired):0.00} ms ({string.Join(", ", paired.Select(p => p.ToString("0.00", CultureInfo.InvariantCulture)))}).");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static async Task<Process> StartWorkerAsync(string cluster)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ClusterWorkloads).Assembly.Location);
        }

        foreach (var a in new[] { "cluster", "worker", cluster, SlotsPerWorker.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(a);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("a worker did not start");
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2));
        if (line != "joined")
        {
            throw new InvalidOperationException($"a worker for {cluster} did not join: {line ?? "(it ended)"}");
        }

        return process;
    }

    private static async Task<string> RedisAsync(string verb, string state)
    {
        string? script = null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null && script is null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "scripts", "services", "redis.sh");
            script = File.Exists(candidate) ? candidate : null;
        }

        var info = new ProcessStartInfo("bash", [script ?? throw new InvalidOperationException("scripts/services/redis.sh not found above " + AppContext.BaseDirectory), verb])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["REDIS_STATE_DIR"] = state;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"redis.sh {verb}: {await stderr}");
        }

        return await stdout;
    }

    /// <summary>Passes tasks on to the workers, counting them (the job's plan is not public).</summary>
    private sealed class TaskCounter(ITaskWorkers inner, Action sent) : ITaskWorkers
    {
        public Task<IReadOnlyList<TaskWorker>> GetWorkersAsync(CancellationToken cancellationToken) => inner.GetWorkersAsync(cancellationToken);

        public Task<byte[]> RunAsync(TaskWorker worker, byte[] task, CancellationToken cancellationToken)
        {
            sent();
            return inner.RunAsync(worker, task, cancellationToken);
        }
    }
}
