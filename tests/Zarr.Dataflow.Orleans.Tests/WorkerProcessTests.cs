using System.Diagnostics;
using System.Text;
using Xunit.Abstractions;
using Zarr.Storage;

namespace Zarr.Dataflow.Orleans.Tests;

/// <summary>
/// The real thing on loopback: Redis (scripts/services/redis.sh), three <c>zarr worker</c> processes, and the
/// <c>zarr</c> client running a stats job and a rechunking copy with <c>--cluster</c>; one worker is killed with
/// SIGKILL in the middle of each job. The jobs complete and print exactly what the local runs print (the copy's
/// seconds aside), and the copy's files are the local copy's, byte for byte. The array is small by default; set
/// ZARR_CLUSTER_2GIB=1 for a 2 GiB one. The workers' store requests wait <see cref="StoreDelayMs"/> each (the worker's
/// ZARR_WORKER_STORE_DELAY_MS), so that a job outlasts the moment a worker is killed however fast the machine.
/// </summary>
public sealed class WorkerProcessTests(ITestOutputHelper output)
{
    private const int StoreDelayMs = 25;

    [Fact]
    public async Task Stats_and_a_rechunking_copy_survive_a_worker_killed_with_sigkill()
    {
        var clock = Stopwatch.StartNew();
        using var folder = new TempFolder();
        var big = Environment.GetEnvironmentVariable("ZARR_CLUSTER_2GIB") == "1";
        long[] shape = big ? [16384, 16384] : [480, 480];
        int[] chunks = big ? [512, 512] : [24, 24];
        var source = Path.Combine(folder.Path, "src.zarr");
        await WriteSourceAsync(source, shape, chunks);

        await using var redis = await RedisServer.StartAsync(folder.Path);
        var workers = new List<Worker>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                workers.Add(await Worker.StartAsync(redis.Url));
            }

            var local = await Zarr.RunAsync("stats", source, "--axis", "1", "--json");
            var cluster = await RunKillingAsync(workers[1], () => Zarr.StartAsync("stats", source, "--axis", "1", "--json", "--cluster", redis.Url));
            Assert.Equal(local, cluster);
            output.WriteLine($"stats with a worker killed: done at {clock.Elapsed.TotalSeconds:0.0} s");

            workers.Add(await Worker.StartAsync(redis.Url));
            // 320 target chunks (40 tasks): every worker gets some, so the victim is running one when it dies.
            string[] rechunk = big ? ["--chunks", "1024,2048", "--codec", "zstd:1"] : ["--chunks", "24,30", "--codec", "zstd:1"];
            var localCopy = await Zarr.RunAsync(["copy", source, Path.Combine(folder.Path, "local.zarr"), .. rechunk, "--json"]);
            var clusterCopy = await RunKillingAsync(workers[2], () => Zarr.StartAsync(["copy", source, Path.Combine(folder.Path, "cluster.zarr"), .. rechunk, "--json", "--cluster", redis.Url]));
            Assert.Equal(WithoutSeconds(localCopy), WithoutSeconds(clusterCopy));
            ClusterData.AssertSameFiles(Path.Combine(folder.Path, "local.zarr"), Path.Combine(folder.Path, "cluster.zarr"));

            output.WriteLine($"copy with a worker killed: done at {clock.Elapsed.TotalSeconds:0.0} s");
        }
        finally
        {
            foreach (var worker in workers)
            {
                worker.Stop();
            }
        }
    }

    /// <summary>Starts the client, kills <paramref name="victim"/> once it has started a task, and returns the client's stdout.</summary>
    private static async Task<string> RunKillingAsync(Worker victim, Func<Task<Zarr>> start)
    {
        var client = await start();
        await victim.WaitForStartedTasksAsync(1, client.Exited);
        Assert.False(client.Exited.IsCompleted, "the job ended before a worker could be killed in its middle");
        victim.Kill();
        return await client.OutputAsync();
    }

    private static string WithoutSeconds(string json) => System.Text.RegularExpressions.Regex.Replace(json, "\"seconds\":\\s*[0-9.eE+-]+", "\"seconds\":0");

    private static async Task WriteSourceAsync(string folder, long[] shape, int[] chunks)
    {
        var store = new DirectoryStore(folder);
        var array = await ZarrArray.CreateAsync<double>(store, "", shape, new ArrayOptions { Chunks = [.. chunks] });
        var rows = chunks[0];
        var random = new Random(21);
        var block = new double[rows * shape[1]];
        for (long row = 0; row < shape[0]; row += rows)
        {
            for (var i = 0; i < block.Length; i++)
            {
                block[i] = random.Next(100) == 0 ? double.NaN : random.NextDouble() * 10;
            }

            await array.WriteAsync([Slice.Range(row, row + rows), Slice.All], block);
        }
    }

    /// <summary>The zarr command as a process (the test's build of Zarr.Cli).</summary>
    private sealed class Zarr
    {
        private readonly Process _process;
        private readonly Task<string> _stdout;
        private readonly Task<string> _stderr;

        private Zarr(Process process)
        {
            _process = process;
            _stdout = process.StandardOutput.ReadToEndAsync();
            _stderr = process.StandardError.ReadToEndAsync();
            Exited = process.WaitForExitAsync();
        }

        public Task Exited { get; }

        public static Process Start(params string[] args) => Start(null, args);

        public static Process Start(IReadOnlyDictionary<string, string>? environment, params string[] args)
        {
            var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            {
                start.Environment[name] = value;
            }

            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "zarr.dll"));
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            return Process.Start(start) ?? throw new InvalidOperationException("zarr did not start");
        }

        public static Task<Zarr> StartAsync(params string[] args) => Task.FromResult(new Zarr(Start(args)));

        public static async Task<string> RunAsync(params string[] args) => await new Zarr(Start(args)).OutputAsync();

        public async Task<string> OutputAsync()
        {
            using (_process)
            {
                await Exited.WaitAsync(TimeSpan.FromMinutes(10));
                var stdout = await _stdout;
                var stderr = await _stderr;
                Assert.True(_process.ExitCode == 0, $"zarr exited {_process.ExitCode}: {stderr}");
                return stdout;
            }
        }
    }

    /// <summary>A <c>zarr worker --verbose</c> process: it says when it has joined and each task it starts and finishes.</summary>
    private sealed class Worker
    {
        private readonly Process _process;
        private readonly StringBuilder _log = new();
        private readonly TaskCompletionSource _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _started;

        private Worker(Process process)
        {
            _process = process;
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is null)
                {
                    _joined.TrySetException(new InvalidOperationException($"the worker ended: {Log}"));
                    return;
                }

                lock (_log)
                {
                    _log.AppendLine(e.Data);
                }

                if (e.Data.Contains("joined", StringComparison.Ordinal))
                {
                    _joined.TrySetResult();
                }

                if (e.Data.Contains("task started", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref _started);
                }
            };
            process.BeginErrorReadLine();
        }

        private string Log
        {
            get
            {
                lock (_log)
                {
                    return _log.ToString();
                }
            }
        }

        public static async Task<Worker> StartAsync(string cluster)
        {
            var slow = new Dictionary<string, string> { ["ZARR_WORKER_STORE_DELAY_MS"] = StoreDelayMs.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            var worker = new Worker(Zarr.Start(slow, "worker", "--cluster", cluster, "--slots", "2", "--verbose"));
            await worker._joined.Task.WaitAsync(TimeSpan.FromMinutes(2));
            Assert.Contains("store requests delayed", worker.Log, StringComparison.Ordinal);
            return worker;
        }

        /// <summary>Waits until the worker has started <paramref name="count"/> tasks (or the job has ended).</summary>
        public async Task WaitForStartedTasksAsync(int count, Task jobEnded)
        {
            while (Volatile.Read(ref _started) < count && !jobEnded.IsCompleted)
            {
                await Task.Delay(20);
            }
        }

        public void Kill()
        {
            // SIGKILL: no goodbye to the cluster; the others must notice.
            _process.Kill();
        }

        public void Stop()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }

            _process.WaitForExit();
            _process.Dispose();
        }
    }

    /// <summary>A Redis server from the repository's script, on a free loopback port, with its own state folder.</summary>
    private sealed class RedisServer : IAsyncDisposable
    {
        private readonly string _script;
        private readonly string _state;

        private RedisServer(string script, string state, string url)
        {
            _script = script;
            _state = state;
            Url = url;
        }

        public string Url { get; }

        public static async Task<RedisServer> StartAsync(string folder)
        {
            var script = Path.Combine(RepositoryRoot(), "scripts", "services", "redis.sh");
            var state = Path.Combine(folder, "redis-state");
            var url = (await RunScriptAsync(script, state, "start")).Trim();
            return new RedisServer(script, state, url);
        }

        public async ValueTask DisposeAsync() => await RunScriptAsync(_script, _state, "stop");

        private static async Task<string> RunScriptAsync(string script, string state, string verb)
        {
            var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(script);
            start.ArgumentList.Add(verb);
            start.Environment["REDIS_STATE_DIR"] = state;
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"redis.sh {verb}: {await stderr}");
            return await stdout;
        }

        private static string RepositoryRoot()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Zarr.Dataflow.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("the repository root (Zarr.Dataflow.sln) is not above the test's folder");
        }
    }
}
