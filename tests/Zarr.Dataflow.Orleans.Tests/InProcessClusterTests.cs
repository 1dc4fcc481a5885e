using System.Diagnostics;
using Orleans.Configuration;
using Orleans.TestingHost;
using Xunit.Abstractions;
using Zarr.Dataflow.Distributed;
using Zarr.Storage;

namespace Zarr.Dataflow.Orleans.Tests;

/// <summary>
/// Three silos in this process (Orleans' InProcessTestCluster), the task grains on each; a silo killed in the middle of
/// a job: the job completes and its result is the local engine's, bit for bit.
/// </summary>
public sealed class InProcessClusterTests(ITestOutputHelper output)
{
    // The jobs read their source through this scheme: the folder, every request 10 ms late, so that a job outlasts the
    // moment its silo is killed however fast the machine (without it, a quiet machine ran the 48-task copy in 87 ms).
    // The silos run in this process, so registering it here is registering it on every worker.
    private const string SlowScheme = "slow-folder";

    static InProcessClusterTests() => StoreUrl.Register(SlowScheme, static (url, options) => FaultInjectingStore.Wrap(
        new DirectoryStore(Uri.UnescapeDataString(url.AbsolutePath), new DirectoryStoreOptions { ReadOnly = options.Mode == AccessMode.Read }),
        new FaultInjectingStoreOptions { Delay = TimeSpan.FromMilliseconds(10) }));

    private static string Slow(string folder) => $"{SlowScheme}://{Path.GetFullPath(folder)}";

    [Fact]
    public async Task Jobs_survive_a_silo_killed_mid_job_with_the_local_result_bit_for_bit()
    {
        var clock = Stopwatch.StartNew();
        using var folder = new TempFolder();
        var array = await ClusterData.CreateAsync(folder.Path, "a", [240, 240], [12, 12], seed: 11);
        var expectedStatistics = await Lazy.From(array).StatisticsAsync([1], 0, true);
        var store = new DirectoryStore(folder.Path);
        var copyOptions = new ArrayOptions { Chunks = [40, 30], Compressors = [new Zarr.Storage.Codecs.ZstdCodec()] };
        var local = await ZarrArray.CreateAsync<double>(store, "local/a", [240, 240], copyOptions);
        await ZarrArray.CreateAsync<double>(store, "cluster/a", [240, 240], copyOptions);
        await Lazy.From(array).StoreAsync(local);

        var builder = new InProcessTestClusterBuilder(3);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddZarrWorker(new ZarrWorkerOptions { Slots = 2 });
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
            });
        });
        builder.ConfigureClient(client => client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(3)));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        try
        {
            var workers = new OrleansWorkers(cluster.Client);

            // Statistics: one chunk per task, 400 tasks; the last silo dies once a tenth of the chunks are in.
            var statistics = await RunKillingAsync(cluster, cluster.Silos[^1], 40, progress =>
                ClusterJobs.StatisticsAsync<double>(workers, Slow(folder.Path), "a", [1], true, new ClusterJobOptions { ChunksPerTask = 1, Progress = progress }));
            ClusterData.AssertSameBits(expectedStatistics, statistics);
            output.WriteLine($"statistics with a silo killed: done at {clock.Elapsed.TotalSeconds:0.0} s");

            // A rechunking, recompressing copy: one target chunk per task; the next silo dies a tenth of the way in.
            var copy = await RunKillingAsync(cluster, cluster.Silos[^1], 4, progress =>
                ClusterJobs.CopyAsync(workers, Slow(folder.Path), "a", folder.Path, "cluster/a", new ClusterJobOptions { ChunksPerTask = 1, Progress = progress }));
            Assert.Equal(48, copy.Chunks);
            ClusterData.AssertSameFiles(Path.Combine(folder.Path, "local"), Path.Combine(folder.Path, "cluster"));

            output.WriteLine($"copy with a silo killed: done at {clock.Elapsed.TotalSeconds:0.0} s ({copy.Retries} tasks sent again)");
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task Silos_report_their_slots_and_a_slow_silos_tasks_get_backup_copies_on_the_other()
    {
        using var folder = new TempFolder();
        var array = await ClusterData.CreateAsync(folder.Path, "a", [120, 120], [12, 12], seed: 12);
        var store = new DirectoryStore(folder.Path);
        var copyOptions = new ArrayOptions { Chunks = [40, 30], Compressors = [new Zarr.Storage.Codecs.ZstdCodec()] };
        var local = await ZarrArray.CreateAsync<double>(store, "local/a", [120, 120], copyOptions);
        await ZarrArray.CreateAsync<double>(store, "cluster/a", [120, 120], copyOptions);
        await Lazy.From(array).StoreAsync(local);

        // The first silo: 2 slots, its stores as they are. The second: 3 slots, every store request 400 ms late.
        var configured = 0;
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) =>
        {
            var slow = Interlocked.Increment(ref configured) == 2;
            silo.AddZarrWorker(new ZarrWorkerOptions
            {
                Slots = slow ? 3 : 2,
                MemoryBudget = 256L << 20,
                StoreWrapper = slow ? inner => FaultInjectingStore.Wrap(inner, new FaultInjectingStoreOptions { Delay = TimeSpan.FromMilliseconds(400) }) : null,
            });
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        try
        {
            var workers = new OrleansWorkers(cluster.Client);
            var reported = await workers.GetWorkersAsync(CancellationToken.None);
            Assert.Equal([2, 3], reported.Select(w => w.Slots).Order());
            Assert.Equal(cluster.Silos.Select(s => s.SiloAddress.ToParsableString()).Order(), reported.Select(w => w.Id).Order());
            Assert.Equal([128L << 20, (256L << 20) / 3], reported.Select(w => w.TaskMemoryBudget).OrderDescending());

            var report = await ClusterJobs.CopyAsync(workers, folder.Path, "a", folder.Path, "cluster/a", new ClusterJobOptions { ChunksPerTask = 1 });

            output.WriteLine($"copy with a slow silo: {report.Tasks} tasks, {report.Backups} backups, {report.BackupWins} won, {report.Elapsed.TotalSeconds:0.0} s");
            Assert.True(report.Backups > 0 && report.BackupWins > 0, $"{report.Backups} backups, {report.BackupWins} won");
            ClusterData.AssertSameFiles(Path.Combine(folder.Path, "local"), Path.Combine(folder.Path, "cluster"));
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    /// <summary>Runs a job and kills <paramref name="victim"/> once <paramref name="chunksBeforeKill"/> chunks are done.</summary>
    private static async Task<T> RunKillingAsync<T>(InProcessTestCluster cluster, InProcessSiloHandle victim, long chunksBeforeKill, Func<IProgress<PipelineProgress>, Task<T>> job)
    {
        var halfway = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var progress = new CallbackProgress(p =>
        {
            if (p.ChunksDone >= chunksBeforeKill)
            {
                halfway.TrySetResult();
            }
        });
        var running = job(progress);
        var first = await Task.WhenAny(running, halfway.Task);
        if (first == running)
        {
            // A failed job shows its own exception; one that ended too soon is a test too small for this machine.
            var result = await running;
            Assert.Fail($"the job ended ({result}) before a silo could be killed in its middle");
        }

        await cluster.KillSiloAsync(victim);
        return await running;
    }

    /// <summary>Calls back on the reporting thread (Progress&lt;T&gt; would post to a synchronization context).</summary>
    private sealed class CallbackProgress(Action<PipelineProgress> callback) : IProgress<PipelineProgress>
    {
        public void Report(PipelineProgress value) => callback(value);
    }
}
