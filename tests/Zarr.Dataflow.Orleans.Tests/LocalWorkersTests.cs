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
        var expected = ClusterData.Files(Path.Combine(folder.Path, "local"));
        var actual = ClusterData.Files(Path.Combine(folder.Path, "cluster"));
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (key, bytes) in expected)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(actual[key]), key);
        }
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

        Assert.Contains("budget of 4096 bytes", refusal.Message, StringComparison.Ordinal);
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

    /// <summary>Counts the tasks sent (by their JSON text).</summary>
    private sealed class CountingWorkers(ITaskWorkers inner) : ITaskWorkers
    {
        private readonly List<string> _sent = [];

        public int Slots => inner.Slots;

        public long TaskMemoryBudget => inner.TaskMemoryBudget;

        public int Sent(Func<string, bool> which)
        {
            lock (_sent)
            {
                return _sent.Count(which);
            }
        }

        public Task<byte[]> RunAsync(byte[] task, CancellationToken cancellationToken)
        {
            lock (_sent)
            {
                _sent.Add(System.Text.Encoding.UTF8.GetString(task));
            }

            return inner.RunAsync(task, cancellationToken);
        }
    }

    /// <summary>A transport that loses every n-th receipt after the task ran (the worst case for idempotency).</summary>
    private sealed class FlakyWorkers(ITaskWorkers inner, int loseEvery) : ITaskWorkers
    {
        private int _calls;
        private int _lost;

        public int Lost => _lost;

        public int Slots => inner.Slots;

        public long TaskMemoryBudget => inner.TaskMemoryBudget;

        public async Task<byte[]> RunAsync(byte[] task, CancellationToken cancellationToken)
        {
            var receipt = await inner.RunAsync(task, cancellationToken);
            if (Interlocked.Increment(ref _calls) % loseEvery == 0)
            {
                Interlocked.Increment(ref _lost);
                throw new WorkerLostException("the receipt was lost (test transport)", null);
            }

            return receipt;
        }
    }
}
