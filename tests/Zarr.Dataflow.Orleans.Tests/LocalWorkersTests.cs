using System.Diagnostics;
using Zarr.Dataflow.Distributed;
using Zarr.Storage;

namespace Zarr.Dataflow.Orleans.Tests;

/// <summary>The cluster path's planning, tasks and scheduling with the workers in this process: results equal the local engine's, bit for bit.</summary>
public sealed class LocalWorkersTests
{
    public static TheoryData<int[]?, bool, int, int> StatisticsCases() => new()
    {
        // axes, skipNaN, fan-in, chunks per task: subtrees of one chunk, of a whole level, and a tree deeper than a task.
        { null, true, 8, 8 },
        { null, false, 2, 4 },
        { [0], true, 3, 1 },
        { [1], true, 2, 2 },
        { [0, 1], false, 8, 64 },
    };

    [Theory]
    [MemberData(nameof(StatisticsCases))]
    public async Task Statistics_are_the_local_engines_bit_for_bit(int[]? axes, bool skipNaN, int fanIn, int chunksPerTask)
    {
        using var folder = new TempFolder();
        var array = await ClusterData.CreateAsync(folder.Path, "a", [100, 90], [10, 9], seed: 1);
        var expected = await Lazy.From(array).StatisticsAsync(axes, 0, skipNaN, new PipelineOptions { FanIn = fanIn });
        var options = new ClusterJobOptions { FanIn = fanIn, ChunksPerTask = chunksPerTask };
        var actual = await ClusterJobs.StatisticsAsync<double>(new LocalWorkers(slots: 3), folder.Path, "a", axes, skipNaN, options);
        ClusterData.AssertSameBits(expected, actual);
    }

    public static TheoryData<int[]?, int, int> HistogramCases() => new()
    {
        // axes, fan-in, chunks per task.
        { null, 8, 8 },
        { null, 2, 4 },
        { [0], 3, 1 },
        { [1], 2, 2 },
    };

    [Theory]
    [MemberData(nameof(HistogramCases))]
    public async Task Histograms_are_the_local_engines(int[]? axes, int fanIn, int chunksPerTask)
    {
        using var folder = new TempFolder();
        var array = await ClusterData.CreateAsync(folder.Path, "a", [100, 90], [10, 9], seed: 6);
        // Uneven edges, values outside them on both sides, NaNs in the data: every path of the binning.
        double[] edges = [-250, -100, 0, 1, 50, 300, 650];
        var lazy = Lazy.From(array);
        var expected = axes is null
            ? await lazy.HistogramAsync(edges, new PipelineOptions { FanIn = fanIn })
            : (await lazy.HistogramAsync(edges, axes, new PipelineOptions { FanIn = fanIn })).ToArray();
        var options = new ClusterJobOptions { FanIn = fanIn, ChunksPerTask = chunksPerTask };

        var actual = await ClusterJobs.HistogramAsync<double>(new LocalWorkers(slots: 3), folder.Path, "a", edges, axes, options);

        Assert.Equal(expected, actual);
        Assert.True(actual.Sum() > 0);
        Assert.True(actual.Sum() < 100 * 90, "values outside the edges and NaNs are not counted");
    }

    [Fact]
    public async Task A_histogram_with_bad_edges_fails_before_any_task()
    {
        using var folder = new TempFolder();
        await ClusterData.CreateAsync(folder.Path, "a", [20, 20], [10, 10], seed: 7);
        var counting = new CountingWorkers(new LocalWorkers(slots: 1));

        await Assert.ThrowsAsync<ArgumentException>(() => ClusterJobs.HistogramAsync<double>(counting, folder.Path, "a", [1.0], null));
        await Assert.ThrowsAsync<ArgumentException>(() => ClusterJobs.HistogramAsync<double>(counting, folder.Path, "a", [3.0, 1.0], null));

        Assert.Equal(0, counting.Sent(_ => true));
    }

    [Fact]
    public async Task A_rechunking_recompressing_copy_writes_the_local_engines_bytes()
    {
        using var folder = new TempFolder();
        var source = await ClusterData.CreateAsync(folder.Path, "src", [100, 90], [10, 9], seed: 2);
        var store = new DirectoryStore(folder.Path);
        var options = new ArrayOptions { Chunks = [25, 30], Compressors = [new Zarr.Storage.Codecs.ZstdCodec()] };
        var local = await ZarrArray.CreateAsync<double>(store, "local/a", [100, 90], options);
        await ZarrArray.CreateAsync<double>(store, "cluster/a", [100, 90], options);
        await Lazy.From(source).StoreAsync(local);

        var report = await ClusterJobs.CopyAsync(new LocalWorkers(slots: 2), folder.Path, "src", folder.Path, "cluster/a", new ClusterJobOptions { ChunksPerTask = 3 });

        Assert.Equal(12, report.Chunks);
        Assert.Equal(4, report.Tasks);
        ClusterData.AssertSameFiles(Path.Combine(folder.Path, "local"), Path.Combine(folder.Path, "cluster"));
    }

    [Fact]
    public async Task A_task_that_keeps_failing_fails_the_job_naming_stage_and_chunk()
    {
        using var folder = new TempFolder();
        await ClusterData.CreateAsync(folder.Path, "a", [40, 40], [10, 10], seed: 3);
        File.WriteAllBytes(Path.Combine(folder.Path, "a", "c", "2", "1"), [1, 2, 3, 4, 5]);

        var counting = new CountingWorkers(new LocalWorkers(slots: 2));
        var failure = await Assert.ThrowsAsync<ZarrPipelineException>(() =>
            ClusterJobs.StatisticsAsync<double>(counting, folder.Path, "a", null, true, new ClusterJobOptions { ChunksPerTask = 1, MaxAttempts = 2 }));

        Assert.Equal(ClusterJobs.ReduceStage, failure.Stage);
        Assert.Equal([2L, 1L], failure.Coordinates);
        Assert.Contains("tried 2 times", failure.Message, StringComparison.Ordinal);
        Assert.True(counting.Sent(task => task.Contains("[2,1]", StringComparison.Ordinal)) == 2);
    }

    [Fact]
    public async Task A_task_over_the_memory_budget_is_refused_before_anything_runs()
    {
        using var folder = new TempFolder();
        await ClusterData.CreateAsync(folder.Path, "a", [40, 40], [20, 20], seed: 4);
        var counting = new CountingWorkers(new LocalWorkers(slots: 1, taskMemoryBudget: 4096));

        var refusal = await Assert.ThrowsAsync<ZarrClusterException>(() =>
            ClusterJobs.StatisticsAsync<double>(counting, folder.Path, "a", null, true));

        Assert.Contains("a budget of 4096 bytes", refusal.Message, StringComparison.Ordinal);
        Assert.Equal(0, counting.Sent(_ => true));
    }

    [Fact]
    public async Task Lost_tasks_are_sent_again_within_the_time_budget()
    {
        using var folder = new TempFolder();
        var array = await ClusterData.CreateAsync(folder.Path, "a", [60, 60], [10, 10], seed: 5);
        var expected = await Lazy.From(array).StatisticsAsync(null, 0, true);
        var flaky = new FlakyWorkers(new LocalWorkers(slots: 2), loseEvery: 3);

        var actual = await ClusterJobs.StatisticsAsync<double>(flaky, folder.Path, "a", null, true, new ClusterJobOptions { ChunksPerTask = 1 });

        ClusterData.AssertSameBits(expected, actual);
        Assert.True(flaky.Lost > 0);
    }

    [Fact]
    public async Task Each_worker_runs_at_most_its_reported_slots_and_only_tasks_that_fit_its_budget()
    {
        using var folder = new TempFolder();
        var array = await ClusterData.CreateAsync(folder.Path, "a", [60, 60], [6, 6], seed: 8);
        var expected = await Lazy.From(array).StatisticsAsync(null, 0, true);
        var workers = new ShapedWorkers(
            new ShapedWorker("one-slot", 1, 64L << 20, TimeSpan.FromMilliseconds(20)),
            new ShapedWorker("three-slots", 3, 64L << 20, TimeSpan.FromMilliseconds(20)),
            new ShapedWorker("too-small", 4, 1024, TimeSpan.Zero));

        var actual = await ClusterJobs.StatisticsAsync<double>(workers, folder.Path, "a", null, true, new ClusterJobOptions { ChunksPerTask = 1, BackupFactor = 0 });

        ClusterData.AssertSameBits(expected, actual);
        var (oneSlot, threeSlots, tooSmall) = (workers.Of("one-slot"), workers.Of("three-slots"), workers.Of("too-small"));
        Assert.Equal(1, oneSlot.MostInFlight);
        Assert.InRange(threeSlots.MostInFlight, 2, 3);
        Assert.Equal(0, tooSmall.Sent);
        Assert.Equal(100, oneSlot.Sent + threeSlots.Sent);
        Assert.True(threeSlots.Sent > oneSlot.Sent, $"the worker with three slots ran {threeSlots.Sent} tasks, the one with one {oneSlot.Sent}");
    }

    [Fact]
    public async Task A_task_that_fits_no_workers_budget_is_refused_before_anything_runs()
    {
        using var folder = new TempFolder();
        await ClusterData.CreateAsync(folder.Path, "a", [40, 40], [20, 20], seed: 9);
        var workers = new ShapedWorkers(new ShapedWorker("small", 2, 2048, TimeSpan.Zero), new ShapedWorker("smaller", 2, 1024, TimeSpan.Zero));

        var refusal = await Assert.ThrowsAsync<ZarrClusterException>(() =>
            ClusterJobs.CopyAsync(workers, folder.Path, "a", folder.Path, "a"));

        Assert.Contains("more than any worker's budget", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("a budget of 2048 bytes", refusal.Message, StringComparison.Ordinal);
        Assert.Equal(0, workers.Of("small").Sent + workers.Of("smaller").Sent);
    }

    [Fact]
    public async Task A_slow_workers_tasks_get_backup_copies_elsewhere_and_the_result_is_unchanged()
    {
        using var folder = new TempFolder();
        var source = await ClusterData.CreateAsync(folder.Path, "src", [60, 60], [10, 10], seed: 10);
        var store = new DirectoryStore(folder.Path);
        var options = new ArrayOptions { Chunks = [10, 12], Compressors = [new Zarr.Storage.Codecs.ZstdCodec()] };
        var local = await ZarrArray.CreateAsync<double>(store, "local/a", [60, 60], options);
        await ZarrArray.CreateAsync<double>(store, "cluster/a", [60, 60], options);
        await Lazy.From(source).StoreAsync(local);

        // The slow worker takes 5 s a task, the fast one a few ms: every task the slow one starts is a straggler.
        var workers = new ShapedWorkers(
            new ShapedWorker("slow", 2, 64L << 20, TimeSpan.FromSeconds(5)),
            new ShapedWorker("fast", 2, 64L << 20, TimeSpan.Zero));
        var report = await ClusterJobs.CopyAsync(workers, folder.Path, "src", folder.Path, "cluster/a", new ClusterJobOptions { ChunksPerTask = 1 });

        Assert.Equal(30, report.Chunks);
        Assert.True(workers.Of("slow").Sent > 0, "the slow worker got no task");
        Assert.True(report.Backups > 0 && report.BackupWins > 0, $"{report.Backups} backups, {report.BackupWins} won");
        Assert.Equal(0, workers.Of("slow").InFlight);
        Assert.True(workers.Of("slow").Cancelled > 0, "the straggling copies were not cancelled");
        ClusterData.AssertSameFiles(Path.Combine(folder.Path, "local"), Path.Combine(folder.Path, "cluster"));
    }

    [Fact]
    public async Task Each_tasks_round_trip_and_the_transports_share_of_it_are_measured()
    {
        using var folder = new TempFolder();
        await ClusterData.CreateAsync(folder.Path, "a", [30, 30], [10, 10], seed: 13);
        var roundTrips = new List<double>();
        var transports = new List<double>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ClusterTelemetry.Name)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
        {
            var into = instrument.Name switch
            {
                "zarr.cluster.task_duration" => roundTrips,
                "zarr.cluster.transport_duration" => transports,
                _ => null,
            };
            if (into is not null)
            {
                lock (into)
                {
                    into.Add(value);
                }
            }
        });
        listener.Start();

        // A worker that waits 30 ms before it starts each task: the transport's share, not the worker's time.
        var workers = new ShapedWorkers(new ShapedWorker("late", 1, 64L << 20, TimeSpan.FromMilliseconds(30)));
        await ClusterJobs.StatisticsAsync<double>(workers, folder.Path, "a", null, true, new ClusterJobOptions { ChunksPerTask = 1, BackupFactor = 0 });

        // Other tests may run jobs meanwhile: at least this job's 9 tasks were measured, each round trip over its share.
        Assert.True(roundTrips.Count >= 9 && transports.Count >= 9, $"{roundTrips.Count} round trips, {transports.Count} transport shares");
        Assert.All(transports, t => Assert.True(t >= 0));
        Assert.True(transports.Count(t => t >= 0.029) >= 9, "the 30 ms before each task counts as the transport's");
    }

    /// <summary>One worker of <see cref="ShapedWorkers"/>: its reported slots and budget, how long it waits before a task, and what it saw.</summary>
    private sealed class ShapedWorker(string id, int slots, long budget, TimeSpan delay)
    {
        private int _inFlight;
        private int _most;
        private int _sent;
        private int _cancelled;

        public TaskWorker Report { get; } = new(id, slots, budget);

        public int MostInFlight => Volatile.Read(ref _most);

        public int InFlight => Volatile.Read(ref _inFlight);

        public int Sent => Volatile.Read(ref _sent);

        public int Cancelled => Volatile.Read(ref _cancelled);

        public async Task<byte[]> RunAsync(byte[] task, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _sent);
            var now = Interlocked.Increment(ref _inFlight);
            int most;
            while (now > (most = Volatile.Read(ref _most)) && Interlocked.CompareExchange(ref _most, now, most) != most)
            {
            }

            try
            {
                // Task.Delay may end a little early by the stopwatch (its timer ticks in whole milliseconds): wait out the rest.
                var waited = Stopwatch.StartNew();
                await Task.Delay(delay, cancellationToken);
                while (waited.Elapsed < delay)
                {
                    await Task.Delay(1, cancellationToken);
                }

                return await ClusterTaskRunner.RunAsync(task, budget, null, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref _cancelled);
                throw;
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }
    }

    /// <summary>Several workers in this process, each with its own slots, budget and pace; counts what each ran.</summary>
    private sealed class ShapedWorkers(params ShapedWorker[] workers) : ITaskWorkers
    {
        public ShapedWorker Of(string id) => workers.Single(w => w.Report.Id == id);

        public Task<IReadOnlyList<TaskWorker>> GetWorkersAsync(CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<TaskWorker>>([.. workers.Select(w => w.Report)]);

        public Task<byte[]> RunAsync(TaskWorker worker, byte[] task, CancellationToken cancellationToken) => Of(worker.Id).RunAsync(task, cancellationToken);
    }

    /// <summary>Counts the tasks sent (by their JSON text).</summary>
    private sealed class CountingWorkers(ITaskWorkers inner) : ITaskWorkers
    {
        private readonly List<string> _sent = [];

        public Task<IReadOnlyList<TaskWorker>> GetWorkersAsync(CancellationToken cancellationToken) => inner.GetWorkersAsync(cancellationToken);

        public int Sent(Func<string, bool> which)
        {
            lock (_sent)
            {
                return _sent.Count(which);
            }
        }

        public Task<byte[]> RunAsync(TaskWorker worker, byte[] task, CancellationToken cancellationToken)
        {
            lock (_sent)
            {
                _sent.Add(System.Text.Encoding.UTF8.GetString(task));
            }

            return inner.RunAsync(worker, task, cancellationToken);
        }
    }

    /// <summary>A transport that loses every n-th receipt after the task ran (the worst case for idempotency).</summary>
    private sealed class FlakyWorkers(ITaskWorkers inner, int loseEvery) : ITaskWorkers
    {
        private int _calls;
        private int _lost;

        public int Lost => _lost;

        public Task<IReadOnlyList<TaskWorker>> GetWorkersAsync(CancellationToken cancellationToken) => inner.GetWorkersAsync(cancellationToken);

        public async Task<byte[]> RunAsync(TaskWorker worker, byte[] task, CancellationToken cancellationToken)
        {
            var receipt = await inner.RunAsync(worker, task, cancellationToken);
            if (Interlocked.Increment(ref _calls) % loseEvery == 0)
            {
                Interlocked.Increment(ref _lost);
                throw new WorkerLostException("the receipt was lost (test transport)", null);
            }

            return receipt;
        }
    }
}
