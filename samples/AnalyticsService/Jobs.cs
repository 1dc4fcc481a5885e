using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Zarr.Dataflow;
using Zarr.Dataflow.Dashboard;
using Zarr.Dataflow.Distributed;

namespace Zarr.AnalyticsService;

/// <summary>What a client posts to <c>/jobs</c>.</summary>
public sealed record JobRequest
{
    /// <summary><c>stats</c> (statistics over a region of an array) or <c>copy</c> (copy/rechunk an array).</summary>
    public string? Kind { get; init; }

    /// <summary>stats: the array, relative to the data root.</summary>
    public string? Path { get; init; }

    /// <summary>stats: numpy slices per dimension, e.g. <c>0:100,::2</c> (ranges only); null for the whole array.</summary>
    public string? Region { get; init; }

    /// <summary>copy: the source array, relative to the data root.</summary>
    public string? Source { get; init; }

    /// <summary>copy: the new array, relative to the data root.</summary>
    public string? Destination { get; init; }

    /// <summary>copy: the new chunk shape (the inner chunks with <see cref="Shards"/>); null keeps the source's.</summary>
    public int[]? Chunks { get; init; }

    /// <summary>copy: the shard shape (v3), or null for none.</summary>
    public int[]? Shards { get; init; }

    /// <summary>copy: 2 or 3 (default 3).</summary>
    public int? Format { get; init; }

    /// <summary>
    /// copy: replace an array or group already at the destination (a folder holding anything else is refused either
    /// way). A copy that is cancelled or fails deletes what it wrote, and only that.
    /// </summary>
    public bool Overwrite { get; init; }
}

/// <summary>A job request that cannot run: <see cref="Field"/> names the wrong or missing field, the message says why.</summary>
public sealed class JobRequestException : ArgumentException
{
    /// <summary>Creates the exception for <paramref name="field"/> (as the JSON names it) with the message the client sees.</summary>
    public JobRequestException(string field, string message)
        : base(message)
    {
        Field = field;
    }

    /// <summary>The request field, as the JSON names it (<c>kind</c>, <c>path</c>, <c>region</c>, ...).</summary>
    public string Field { get; }
}

/// <summary>A job's life: queued (waiting for a slot), running, then succeeded, failed or cancelled.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<JobState>))]
public enum JobState
{
    /// <summary>Waiting for one of the service's job slots.</summary>
    Queued,

    /// <summary>Running.</summary>
    Running,

    /// <summary>Finished; the result is ready.</summary>
    Succeeded,

    /// <summary>Finished with an error.</summary>
    Failed,

    /// <summary>Cancelled before it finished.</summary>
    Cancelled,
}

/// <summary>One job: its request, its own cancellation and progress, and its result. Thread-safe.</summary>
public sealed class Job : IDisposable
{
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _cancellation = new();
    private JobState _state = JobState.Queued;
    private PipelineProgress _progress;
    private string _phase = "queued";
    private int _phaseIndex;
    private int _phaseCount = 1;
    private DateTimeOffset? _started;
    private DateTimeOffset? _finished;
    private JsonObject? _result;
    private string? _error;
    private readonly List<(string Phase, PipelineReport Report)> _reports = [];

    internal Job(string id, JobRequest request)
    {
        Id = id;
        Request = request;
        Created = DateTimeOffset.UtcNow;
    }

    /// <summary>The job's id.</summary>
    public string Id { get; }

    /// <summary>What was asked.</summary>
    public JobRequest Request { get; }

    /// <summary>When it was submitted.</summary>
    public DateTimeOffset Created { get; }

    /// <summary>The job's state now.</summary>
    public JobState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>Cancelled when the job is asked to stop.</summary>
    public CancellationToken Token => _cancellation.Token;

    internal Task? Completion { get; set; }

    /// <summary>The job on the service's dashboard, once it runs.</summary>
    internal DashboardJob? Dashboard { get; set; }

    /// <summary>The cluster's workers, counted on the job's dashboard page.</summary>
    internal ITaskWorkers Observe(ITaskWorkers workers, string name) => Dashboard?.Observe(workers, name) ?? workers;

    /// <summary>Asks the job to stop; true when it was still queued or running.</summary>
    public bool Cancel()
    {
        lock (_gate)
        {
            if (_state is not (JobState.Queued or JobState.Running))
            {
                return false;
            }
        }

        _cancellation.Cancel();
        return true;
    }

    /// <summary>A progress sink for one phase (a pipeline run) of <paramref name="count"/>: the job's progress, its final report, and its dashboard page.</summary>
    internal IPipelineObserver Phase(string name, int index, int count)
    {
        lock (_gate)
        {
            _phase = name;
            _phaseIndex = index;
            _phaseCount = count;
            _progress = default;
        }

        return new Sink(this, name, Dashboard?.Phase(name));
    }

    internal void Start()
    {
        lock (_gate)
        {
            _state = JobState.Running;
            _started = DateTimeOffset.UtcNow;
        }
    }

    internal void Finish(JobState state, JsonObject? result, string? error)
    {
        lock (_gate)
        {
            _state = state;
            _result = result;
            _error = error;
            _finished = DateTimeOffset.UtcNow;
            _phase = state.ToString().ToLowerInvariant();
        }
    }

    /// <summary>The result, once succeeded.</summary>
    public JsonObject? Result
    {
        get
        {
            lock (_gate)
            {
                return (JsonObject?)_result?.DeepClone();
            }
        }
    }

    /// <summary>The job as the API shows it.</summary>
    public JsonObject ToJson()
    {
        lock (_gate)
        {
            var phaseFraction = _progress.ChunksTotal == 0 ? 0 : _progress.Fraction;
            var fraction = _state == JobState.Succeeded ? 1 : (_phaseIndex + phaseFraction) / Math.Max(1, _phaseCount);
            return new JsonObject
            {
                ["id"] = Id,
                ["kind"] = Request.Kind,
                ["state"] = _state.ToString().ToLowerInvariant(),
                ["progress"] = new JsonObject
                {
                    ["fraction"] = Math.Round(fraction, 4),
                    ["phase"] = _phase,
                    ["chunks_done"] = _progress.ChunksDone,
                    ["chunks_total"] = _progress.ChunksTotal,
                    ["bytes_read"] = _progress.BytesRead,
                    ["bytes_written"] = _progress.BytesWritten,
                },
                ["created"] = Created,
                ["started"] = _started,
                ["finished"] = _finished,
                ["error"] = _error,
                ["result"] = _state == JobState.Succeeded ? $"/jobs/{Id}/result" : null,
                ["dashboard"] = Dashboard is null ? null : $"{DashboardEndpoints.DefaultPrefix}/jobs/{Id}",
                ["report"] = new JsonArray([.. _reports.Select(r => (JsonNode)new JsonObject
                {
                    ["phase"] = r.Phase,
                    ["succeeded"] = r.Report.Succeeded,
                    ["stages"] = new JsonArray([.. r.Report.Stages.Select(s => (JsonNode)new JsonObject
                    {
                        ["name"] = s.Name,
                        ["parallelism"] = s.MaxDegreeOfParallelism,
                        ["items"] = s.Items,
                        ["busy_s"] = Math.Round(s.BusyTime.TotalSeconds, 3),
                        ["wait_in_s"] = Math.Round(s.WaitingForInput.TotalSeconds, 3),
                        ["wait_out_s"] = Math.Round(s.WaitingForOutput.TotalSeconds, 3),
                    })]),
                })]),
            };
        }
    }

    /// <inheritdoc />
    public void Dispose() => _cancellation.Dispose();

    private sealed class Sink(Job job, string phase, IPipelineObserver? dashboard) : IPipelineObserver
    {
        public void Report(PipelineProgress value)
        {
            lock (job._gate)
            {
                job._progress = value;
            }

            dashboard?.Report(value);
        }

        public void ReportStages(PipelineReport report)
        {
            if (report.IsFinal)
            {
                lock (job._gate)
                {
                    job._reports.Add((phase, report));
                }
            }

            dashboard?.ReportStages(report);
        }
    }
}

/// <summary>
/// Runs jobs: each on its own task with its own cancellation and progress; at most
/// <see cref="ServiceOptions.MaxConcurrentJobs"/> at once (the rest wait for a slot), each pipeline capped at
/// <see cref="ServiceOptions.PerJobParallelism"/> workers per stage, so concurrent jobs share the cores.
/// </summary>
public sealed class JobManager : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Job> _jobs = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _finished = new();
    private readonly SemaphoreSlim _slots;
    private readonly ServiceOptions _options;
    private readonly JobRunner _runner;
    private readonly ClusterAccess _cluster;

    /// <summary>Creates the manager for one app.</summary>
    /// <exception cref="InvalidOperationException"><see cref="ServiceOptions.Cluster"/> is not a cluster's address.</exception>
    public JobManager(ServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _slots = new SemaphoreSlim(options.MaxConcurrentJobs, options.MaxConcurrentJobs);
        _cluster = new ClusterAccess(options);
        _runner = new JobRunner(options, _cluster);
        Dashboard = new DashboardJobs(options.RetainedJobs);
    }

    /// <summary>The jobs as the dashboard shows them (every job that started running).</summary>
    public DashboardJobs Dashboard { get; }

    /// <summary>Every job known, newest first.</summary>
    public IEnumerable<Job> Jobs => _jobs.Values.OrderByDescending(j => j.Created);

    /// <summary>The job with this id, or null.</summary>
    public Job? Find(string id) => _jobs.GetValueOrDefault(id);

    /// <summary>Checks the request and starts the job (it waits for a slot).</summary>
    /// <exception cref="JobRequestException">The request is invalid; the message says why, <see cref="JobRequestException.Field"/> where.</exception>
    public Job Submit(JobRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var work = _runner.Prepare(request);
        var job = new Job(Guid.NewGuid().ToString("N")[..12], request);
        _jobs[job.Id] = job;
        job.Completion = Task.Run(() => RunAsync(job, work));
        return job;
    }

    private async Task RunAsync(Job job, Func<Job, PipelineOptions, CancellationToken, Task<JsonObject>> work)
    {
        try
        {
            await _slots.WaitAsync(job.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Finished(job, JobState.Cancelled, null, "cancelled while queued");
            return;
        }

        try
        {
            job.Start();
            job.Dashboard = Dashboard.Add(Describe(job.Request), () => job.Cancel(), job.Id);
            var parallelism = _options.EffectiveParallelism;
            var pipeline = PipelineOptions.Uniform(parallelism, 2 * parallelism);
            pipeline.ProgressInterval = _options.ProgressInterval;
            var result = await work(job, pipeline, job.Token).ConfigureAwait(false);
            Finished(job, JobState.Succeeded, result, null);
        }
        catch (OperationCanceledException) when (job.Token.IsCancellationRequested)
        {
            Finished(job, JobState.Cancelled, null, "cancelled");
        }
#pragma warning disable CA1031 // a job's failure is its result, shown to the client; the service goes on
        catch (Exception ex)
#pragma warning restore CA1031
        {
            job.Dashboard?.Fail(ex);
            Finished(job, JobState.Failed, null, ex.Message);
        }
        finally
        {
            _slots.Release();
        }
    }

    private static string Describe(JobRequest request) => request.Kind == "stats"
        ? $"stats {request.Path}{(string.IsNullOrWhiteSpace(request.Region) ? "" : $" [{request.Region}]")}"
        : $"copy {request.Source} → {request.Destination}";

    private void Finished(Job job, JobState state, JsonObject? result, string? error)
    {
        job.Finish(state, result, error);
        if (state == JobState.Succeeded)
        {
            job.Dashboard?.Succeed();
        }
        else if (state == JobState.Cancelled)
        {
            job.Dashboard?.Cancelled();
        }

        _finished.Enqueue(job.Id);
        while (_finished.Count > _options.RetainedJobs && _finished.TryDequeue(out var old))
        {
            if (_jobs.TryRemove(old, out var forgotten))
            {
                forgotten.Dispose();
            }
        }
    }

    /// <summary>Cancels every job and waits for them to stop.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var job in _jobs.Values)
        {
            job.Cancel();
        }

        await Task.WhenAll(_jobs.Values.Select(j => j.Completion ?? Task.CompletedTask)).ConfigureAwait(false);
        foreach (var job in _jobs.Values)
        {
            job.Dispose();
        }

        _slots.Dispose();
        await _cluster.DisposeAsync().ConfigureAwait(false);
    }
}
