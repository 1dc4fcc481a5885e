using System.Net;
using System.Text.Json.Nodes;
using Zarr.Dataflow.Distributed;
using Zarr.Storage;

namespace Zarr.Dataflow.Dashboard.Tests;

/// <summary>
/// The dashboard end to end over HTTP on 127.0.0.1: its own Kestrel (as <c>zarr copy --dashboard</c> starts it), real
/// pipelines over real arrays in a temporary folder, and the event stream read as a browser reads it.
/// </summary>
public sealed class DashboardTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "zarr-dashboard-tests-" + Guid.NewGuid().ToString("N"));
    private readonly DashboardJobs _jobs = new();
    private DashboardServer? _server;
    private HttpClient? _http;

    private HttpClient Http => _http!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        _server = await DashboardServer.StartAsync(_jobs, 0);
        Assert.Equal("127.0.0.1", _server.Url.Host);
        _http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _server.Url, Timeout = TimeSpan.FromSeconds(60) };
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        Directory.Delete(_root, recursive: true);
    }

    /// <summary>An array of <paramref name="rows"/> × <paramref name="columns"/> doubles in chunks of 8 × 8, written whole.</summary>
    private async Task<ZarrArray<double>> WriteAsync(string name, long rows, long columns)
    {
        var array = await ZarrArray.CreateAsync<double>(new DirectoryStore(Path.Combine(_root, name)), "", [rows, columns], new ArrayOptions { Chunks = [8, 8] });
        var random = new Random(11);
        await array.WriteAsync([Slice.All, Slice.All], Enumerable.Range(0, (int)(rows * columns)).Select(_ => random.NextDouble()).ToArray());
        return array;
    }

    [Fact]
    public async Task The_event_stream_of_a_300_chunk_copy_is_in_order_and_its_last_event_is_the_pipelines_report()
    {
        var source = await WriteAsync("src.zarr", 120, 160);
        var target = await ZarrArray.CreateAsync<double>(new DirectoryStore(Path.Combine(_root, "dst.zarr")), "", [120, 160], new ArrayOptions { Chunks = [8, 8] });
        using var cts = new CancellationTokenSource();
        var job = _jobs.Add("copy src.zarr → dst.zarr", cts.Cancel);
        PipelineReport? report = null;
        // Fetch slowed to one worker, a few milliseconds a chunk: the run lasts long enough for several events.
        var options = PipelineOptions.Uniform(1, 2);
        options.ProgressInterval = TimeSpan.FromMilliseconds(20);
        options.Progress = job.Phase("copy");
        options.Report = r => report = r;
        var slow = FaultInjectingStore.Wrap(new DirectoryStore(Path.Combine(_root, "src.zarr"), new DirectoryStoreOptions { ReadOnly = true }), new FaultInjectingStoreOptions { Delay = TimeSpan.FromMilliseconds(3) });
        var slowSource = await ZarrArray.OpenAsync<double>(slow, "", AccessMode.Read);

        using var reading = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var events = EventStream.ReadAllAsync(Http, $"jobs/{job.Id}/events", reading.Token);
        var work = Lazy.From(slowSource).StoreAsync(target, options, cts.Token);
        try
        {
            await work;
        }
        finally
        {
            job.Finish(work);
        }

        var received = await events;
        Assert.True(received.Count >= 3, $"{received.Count} events");
        Assert.All(received.SkipLast(1), e => Assert.Equal("state", e.Event));
        Assert.Equal("end", received[^1].Event);
        for (var i = 1; i < received.Count; i++)
        {
            Assert.True(received[i].Id > received[i - 1].Id, $"event ids not increasing: {received[i - 1].Id} then {received[i].Id}");
            Assert.True((long)received[i].Data["chunks_done"]! >= (long)received[i - 1].Data["chunks_done"]!, "chunks done went back");
            Assert.Equal(received[i].Id, (long)received[i].Data["seq"]!);
        }

        Assert.Contains(received, e => (long)e.Data["chunks_done"]! is > 0 and < 300);
        var last = received[^1].Data;
        Assert.Equal("succeeded", (string)last["state"]!);
        Assert.Equal(300, (long)last["chunks_done"]!);
        Assert.Equal(300, (long)last["chunks_total"]!);
        Assert.Equal(1.0, (double)last["fraction"]!);
        Assert.Equal(0, (int)last["chunks_in_flight"]!);
        Assert.NotNull(report);
        Assert.Equal(report.BytesRead, (long)last["bytes_read"]!);
        Assert.Equal(report.BytesWritten, (long)last["bytes_written"]!);
        AssertStagesAre(report, (JsonArray)last["stages"]!, "copy");
        Assert.Equal(report.Bottleneck!.Name, (string)last["bottleneck"]!);
        Assert.True(((JsonArray)last["throughput"]!).Count > 0, "no throughput point");
        Assert.Contains(received.SkipLast(1), e => (int)e.Data["chunks_in_flight"]! > 0);

        // The copy is right, and the event stream of an ended job is its one last event.
        Assert.Equal(await source.ReadAsync([Slice.All, Slice.All]), await target.ReadAsync([Slice.All, Slice.All]));
        var again = await EventStream.ReadAllAsync(Http, $"jobs/{job.Id}/events", reading.Token);
        Assert.Equal("end", Assert.Single(again).Event);
    }

    /// <summary>The page's stage rows are the report's stages, in order, with the same numbers (seconds to the millisecond).</summary>
    internal static void AssertStagesAre(PipelineReport report, JsonArray stages, string phase)
    {
        Assert.Equal(report.Stages.Count, stages.Count);
        for (var i = 0; i < stages.Count; i++)
        {
            var (expected, actual) = (report.Stages[i], stages[i]!);
            Assert.Equal(phase, (string)actual["phase"]!);
            Assert.Equal(expected.Name, (string)actual["name"]!);
            Assert.Equal(expected.MaxDegreeOfParallelism, (int)actual["parallelism"]!);
            Assert.Equal(expected.Items, (long)actual["items"]!);
            Assert.Equal(Math.Round(expected.BusyTime.TotalSeconds, 3), (double)actual["busy_s"]!);
            Assert.Equal(Math.Round(expected.WaitingForInput.TotalSeconds, 3), (double)actual["wait_in_s"]!);
            Assert.Equal(Math.Round(expected.WaitingForOutput.TotalSeconds, 3), (double)actual["wait_out_s"]!);
        }
    }

    [Fact]
    public async Task A_failed_job_names_the_stage_and_the_chunk_on_its_page_and_in_its_last_event()
    {
        await WriteAsync("bad.zarr", 32, 32);
        // A chunk that is not what its codecs wrote: decoding it fails.
        await File.WriteAllBytesAsync(Path.Combine(_root, "bad.zarr", "c", "2", "1"), [1, 2, 3, 4, 5]);
        var array = await ZarrArray.OpenAsync<double>(new DirectoryStore(Path.Combine(_root, "bad.zarr")), "", AccessMode.Read);
        var job = _jobs.Add("stats bad.zarr");
        var work = Lazy.From(array).StatisticsAsync(null, 0, new PipelineOptions { Progress = job.Phase("stats") });
        await Assert.ThrowsAsync<ZarrPipelineException>(() => work);
        job.Finish(work);

        var last = Assert.Single(await EventStream.ReadAllAsync(Http, $"jobs/{job.Id}/events", CancellationToken.None));
        Assert.Equal("failed", (string)last.Data["state"]!);
        Assert.StartsWith("Decode", (string)last.Data["error"]!["stage"]!, StringComparison.Ordinal);
        Assert.StartsWith("(2, 1)", (string)last.Data["error"]!["chunk"]!, StringComparison.Ordinal);
        Assert.False((bool)last.Data["can_cancel"]!);

        var page = await Http.GetStringAsync($"jobs/{job.Id}");
        Assert.Contains("<strong id=\"state\" class=\"state failed\">failed</strong>", page, StringComparison.Ordinal);
        Assert.Matches("Stage Decode[^:]*, chunk \\(2, 1\\)", page);
    }

    [Fact]
    public async Task The_pages_are_complete_without_scripts_and_cancel_works_from_the_form_but_not_from_another_site()
    {
        var source = await WriteAsync("long.zarr", 64, 64);
        using var cts = new CancellationTokenSource();
        var job = _jobs.Add("stats long.zarr <script>", cts.Cancel);
        var phase = job.Phase("stats");
        phase.Report(new PipelineProgress(5, 64, 40_960, 0, TimeSpan.FromSeconds(1)));

        var list = await Http.GetStringAsync("");
        Assert.Contains($"<a href=\"/jobs/{job.Id}\">stats long.zarr &lt;script&gt;</a>", list, StringComparison.Ordinal);
        Assert.Contains("<td class=\"state running\">running</td>", list, StringComparison.Ordinal);
        var page = await Http.GetStringAsync($"jobs/{job.Id}");
        Assert.Contains("<label for=\"phase-0\">stats: 5 / 64 chunks</label>", page, StringComparison.Ordinal);
        Assert.Contains("<progress id=\"phase-0\" max=\"1\" value=\"0.0781\">", page, StringComparison.Ordinal);
        Assert.Contains("<form id=\"cancel\" method=\"post\" action=\"/jobs/" + job.Id + "/cancel\">", page, StringComparison.Ordinal);
        Assert.Contains("<noscript>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", page.Replace("<script src=", "", StringComparison.Ordinal), StringComparison.Ordinal);
        using (var script = await Http.GetAsync("dashboard.js"))
        {
            Assert.Equal(HttpStatusCode.OK, script.StatusCode);
            Assert.Contains("EventSource", await script.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Another site's page may not cancel a job on this machine.
        using (var forged = new HttpRequestMessage(HttpMethod.Post, $"jobs/{job.Id}/cancel"))
        {
            forged.Headers.Add("Origin", "http://evil.example");
            using var refused = await Http.SendAsync(forged);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        Assert.False(cts.IsCancellationRequested);
        using (var form = new HttpRequestMessage(HttpMethod.Post, $"jobs/{job.Id}/cancel"))
        {
            form.Headers.Add("Origin", _server!.Url.GetLeftPart(UriPartial.Authority));
            using var cancelled = await Http.SendAsync(form);
            Assert.Equal(HttpStatusCode.SeeOther, cancelled.StatusCode);
            Assert.Equal($"/jobs/{job.Id}", cancelled.Headers.Location!.OriginalString);
        }

        Assert.True(cts.IsCancellationRequested);
        var work = Lazy.From(source).SumAsync(new PipelineOptions { Progress = phase }, cts.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => work);
        job.Finish(work);
        Assert.Equal(DashboardJobState.Cancelled, job.State);
        using (var missing = await Http.GetAsync("jobs/nope"))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }
    }

    [Fact]
    public async Task A_cluster_job_shows_its_workers_tasks_retries_and_a_lost_send()
    {
        await WriteAsync("src.zarr", 64, 64);
        await ZarrArray.CreateAsync<double>(new DirectoryStore(Path.Combine(_root, "dst.zarr")), "", [64, 64], new ArrayOptions { Chunks = [16, 16] });
        var job = _jobs.Add("copy on a cluster");
        // The transport loses the first send of one task (as when its worker dies): the scheduler sends it again.
        var workers = job.Observe(new LosingFirstSend(new LocalWorkers(slots: 2)), "local");
        var report = await ClusterJobs.CopyAsync(workers, Path.Combine(_root, "src.zarr"), "", Path.Combine(_root, "dst.zarr"), "", new ClusterJobOptions { ChunksPerTask = 2, Progress = job.Phase("copy") });
        job.Succeed();

        var last = Assert.Single(await EventStream.ReadAllAsync(Http, $"jobs/{job.Id}/events", CancellationToken.None)).Data;
        var row = Assert.Single((JsonArray)last["workers"]!)!;
        Assert.Equal("local", (string)row["name"]!);
        Assert.Equal(report.Tasks, (long)row["tasks_done"]!);
        Assert.Equal(1, (long)row["lost"]!);
        Assert.Equal(report.Retries, (long)row["retries"]!);
        Assert.Equal(1, report.Retries);
        Assert.Equal(0, (long)row["in_flight"]!);
        Assert.Equal(16, (long)last["chunks_done"]!);
        var page = await Http.GetStringAsync($"jobs/{job.Id}");
        Assert.Contains($"<tr><th scope=\"row\">local</th><td>{report.Tasks}</td><td>0</td><td>1</td><td>1</td></tr>", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_workers_page_counts_its_tasks_chunks_and_bytes_from_the_cluster_meter_and_spans()
    {
        await WriteAsync("src.zarr", 64, 64);
        await ZarrArray.CreateAsync<double>(new DirectoryStore(Path.Combine(_root, "dst.zarr")), "", [64, 64], new ArrayOptions { Chunks = [16, 16] });
        var worker = _jobs.Add("worker");
        ClusterJobReport report;
        // The tasks run in this process, as on a worker: the feed sees them through the meter and the spans only.
        using (ClusterWorkerFeed.Start(worker, "this worker"))
        {
            report = await ClusterJobs.CopyAsync(new LocalWorkers(slots: 2), Path.Combine(_root, "src.zarr"), "", Path.Combine(_root, "dst.zarr"), "", new ClusterJobOptions { ChunksPerTask = 3 });
        }

        worker.Succeed();
        var last = Assert.Single(await EventStream.ReadAllAsync(Http, $"jobs/{worker.Id}/events", CancellationToken.None)).Data;
        Assert.Equal(report.Chunks, (long)last["chunks_done"]!);
        Assert.Equal(16, report.Chunks);
        Assert.Equal(report.BytesRead, (long)last["bytes_read"]!);
        Assert.Equal(report.BytesWritten, (long)last["bytes_written"]!);
        var row = Assert.Single((JsonArray)last["workers"]!)!;
        Assert.Equal("this worker", (string)row["name"]!);
        Assert.Equal(report.Tasks, (long)row["tasks_done"]!);
        Assert.Equal(6, report.Tasks);
        Assert.Equal(0, (long)row["in_flight"]!);
    }

    /// <summary>Real workers behind a transport that loses the first send of the first task it sees (before it runs).</summary>
    private sealed class LosingFirstSend(ITaskWorkers inner) : ITaskWorkers
    {
        private int _lost;

        public Task<IReadOnlyList<TaskWorker>> GetWorkersAsync(CancellationToken cancellationToken) => inner.GetWorkersAsync(cancellationToken);

        public Task<byte[]> RunAsync(TaskWorker worker, byte[] task, CancellationToken cancellationToken) =>
            Interlocked.Exchange(ref _lost, 1) == 0
                ? throw new WorkerLostException("the worker died (injected)", null)
                : inner.RunAsync(worker, task, cancellationToken);
    }
}
