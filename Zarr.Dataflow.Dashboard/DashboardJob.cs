using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Zarr.Dataflow.Dashboard;

/// <summary>Where a job shown on the dashboard is in its life.</summary>
public enum DashboardJobState
{
    /// <summary>Running.</summary>
    Running,

    /// <summary>Finished with its result.</summary>
    Succeeded,

    /// <summary>Finished with an error (see <see cref="DashboardJob.Error"/>).</summary>
    Failed,

    /// <summary>Cancelled before it finished.</summary>
    Cancelled,
}

/// <summary>The error a job failed with, as the dashboard shows it: the stage and chunk where the engine says, and the message.</summary>
/// <param name="Stage">The stage that failed, or null when the failure is not a stage's.</param>
/// <param name="Chunk">The chunk's grid coordinates (and store key, where known), or null.</param>
/// <param name="Message">What went wrong.</param>
public sealed record DashboardError(string? Stage, string? Chunk, string Message);

/// <summary>
/// One job as the dashboard sees it, fed by the engine: <see cref="Phase"/> gives a progress sink for each pipeline run
/// (or cluster job) of the job, which receives the engine's <see cref="PipelineProgress"/> and, through
/// <see cref="IPipelineObserver"/>, its per-stage <see cref="PipelineReport"/>s; <see cref="Observe"/> wraps a cluster's
/// workers to count their tasks. Nothing here measures anything itself: every number is one the engine reported.
/// Thread-safe.
/// </summary>
public sealed class DashboardJob
{
    private const int MaxSamples = 240;
    private static readonly TimeSpan SampleSpacing = TimeSpan.FromMilliseconds(250);

    private readonly Lock _gate = new();
    private readonly Action? _cancel;
    private readonly Action _changed;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly List<PhaseRow> _phases = [];
    private readonly List<(double Seconds, double InMBps, double OutMBps)> _samples = [];
    private readonly Dictionary<string, WorkerRow> _workers = new(StringComparer.Ordinal);
    private (double Seconds, long Read, long Written) _lastSample;
    private DashboardJobState _state = DashboardJobState.Running;
    private DashboardError? _error;
    private DateTimeOffset? _finished;
    private int _chunksInFlight;
    private long _pooledBytes;
    private readonly ChangeSignal _changes = new();

    internal DashboardJob(string id, string name, Action? cancel, Action changed)
    {
        Id = id;
        Name = name;
        _cancel = cancel;
        _changed = changed;
        Created = DateTimeOffset.UtcNow;
    }

    /// <summary>The job's id (in the dashboard's URLs).</summary>
    public string Id { get; }

    /// <summary>What the job is, in a few words (<c>copy a.zarr → b.zarr</c>).</summary>
    public string Name { get; }

    /// <summary>When the job was added.</summary>
    public DateTimeOffset Created { get; }

    /// <summary>Whether the job can be cancelled from the page (it was added with a way to cancel it).</summary>
    public bool CanCancel => _cancel is not null;

    /// <summary>The job's state now.</summary>
    public DashboardJobState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>The error the job failed with, or null.</summary>
    public DashboardError? Error
    {
        get
        {
            lock (_gate)
            {
                return _error;
            }
        }
    }

    /// <summary>Increases with every change; the value a page saw last.</summary>
    public long Version => _changes.Version;

    /// <summary>
    /// The progress sink of one pipeline run (or cluster job) of this job, named <paramref name="name"/>: give it as
    /// <see cref="PipelineOptions.Progress"/> (it is an <see cref="IPipelineObserver"/>: the page's stage table is the
    /// engine's report) or as a cluster job's progress.
    /// </summary>
    /// <param name="name">The run's name on the page (<c>stats</c>, <c>copy</c>, an array's path).</param>
    /// <returns>The sink.</returns>
    public IPipelineObserver Phase(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        PhaseRow row;
        lock (_gate)
        {
            row = new PhaseRow(name);
            _phases.Add(row);
        }

        Changed();
        return new PhaseObserver(this, row);
    }

    /// <summary>
    /// Wraps a cluster's workers so that the page shows, one row per worker (the cluster's name and the address the worker
    /// reports, e.g. <c>redis://10.0.0.1:6379: 10.0.0.5:11111@1</c>), the tasks
    /// it answered, the tasks sent again (retries) and the sends lost with it; pass the result to the cluster job instead.
    /// </summary>
    /// <param name="workers">The workers the job runs on.</param>
    /// <param name="workerName">The cluster's name in the rows (its address, or e.g. "local (this process)"); the row of
    /// the in-process worker (<see cref="Distributed.LocalWorkers"/>, whose id is <c>local</c>) is named by it alone.</param>
    /// <returns>The same workers, observed.</returns>
    public Distributed.ITaskWorkers Observe(Distributed.ITaskWorkers workers, string workerName)
    {
        ArgumentNullException.ThrowIfNull(workers);
        ArgumentNullException.ThrowIfNull(workerName);
        return new ObservedWorkers(workers, this, workerName);
    }

    /// <summary>Asks the job to stop (through the cancel action it was added with); false when it cannot be cancelled or has ended.</summary>
    public bool Cancel()
    {
        if (_cancel is null || State != DashboardJobState.Running)
        {
            return false;
        }

        _cancel();
        return true;
    }

    /// <summary>Marks the job succeeded.</summary>
    public void Succeed() => Finish(DashboardJobState.Succeeded, null);

    /// <summary>Marks the job cancelled.</summary>
    public void Cancelled() => Finish(DashboardJobState.Cancelled, null);

    /// <summary>Marks the job failed with <paramref name="error"/>: the page names the stage and chunk when the error (or one inside it) is a <see cref="ZarrPipelineException"/>.</summary>
    /// <param name="error">The failure.</param>
    public void Fail(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        Finish(DashboardJobState.Failed, Describe(error));
    }

    /// <summary>Marks the job as <paramref name="outcome"/> ended it: succeeded, cancelled (an <see cref="OperationCanceledException"/>) or failed.</summary>
    /// <param name="outcome">The job's task, completed.</param>
    public void Finish(Task outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (outcome.IsCompletedSuccessfully)
        {
            Succeed();
        }
        else if (outcome.IsCanceled || outcome.Exception?.InnerException is OperationCanceledException)
        {
            Cancelled();
        }
        else if (outcome.Exception is { } ex)
        {
            Fail(ex.InnerExceptions.Count == 1 ? ex.InnerException! : ex);
        }
    }

    /// <summary>Completes when <see cref="Version"/> passes <paramref name="seen"/> (at once if it has).</summary>
    internal Task WaitForChangeAsync(long seen, CancellationToken cancellationToken) =>
        _changes.WaitForChangeAsync(seen, cancellationToken);

    /// <summary>The job as the page and its event stream show it.</summary>
    public JsonObject ToJson()
    {
        lock (_gate)
        {
            long done = 0, total = 0, read = 0, written = 0;
            var phases = new JsonArray();
            var stages = new JsonArray();
            StageReport? bottleneck = null;
            foreach (var phase in _phases)
            {
                done += phase.Progress.ChunksDone;
                total += phase.Progress.ChunksTotal;
                read += phase.Progress.BytesRead;
                written += phase.Progress.BytesWritten;
                phases.Add(new JsonObject
                {
                    ["name"] = phase.Name,
                    ["chunks_done"] = phase.Progress.ChunksDone,
                    ["chunks_total"] = phase.Progress.ChunksTotal,
                    ["fraction"] = Math.Round(PhaseFraction(phase), 4),
                    ["final"] = phase.Report?.IsFinal ?? false,
                });
                foreach (var s in phase.Report?.Stages ?? [])
                {
                    stages.Add(new JsonObject
                    {
                        ["phase"] = phase.Name,
                        ["name"] = s.Name,
                        ["parallelism"] = s.MaxDegreeOfParallelism,
                        ["items"] = s.Items,
                        ["total"] = phase.Progress.ChunksTotal,
                        ["busy_s"] = Seconds(s.BusyTime),
                        ["wait_in_s"] = Seconds(s.WaitingForInput),
                        ["wait_out_s"] = Seconds(s.WaitingForOutput),
                        ["utilization"] = Math.Round(s.Utilization, 4),
                    });
                }

                if (phase.Report?.Bottleneck is { } b && (bottleneck is null || b.Utilization > bottleneck.Utilization))
                {
                    bottleneck = b;
                }
            }

            var fraction = _state == DashboardJobState.Succeeded ? 1 : total == 0 ? 0 : (double)done / total;
            return new JsonObject
            {
                ["id"] = Id,
                ["name"] = Name,
                ["state"] = StateName(_state),
                ["seq"] = _changes.Version,
                ["created"] = Created,
                ["finished"] = _finished,
                ["elapsed_s"] = Seconds(Stopwatch.GetElapsedTime(_started)),
                ["can_cancel"] = _cancel is not null && _state == DashboardJobState.Running,
                ["fraction"] = Math.Round(fraction, 4),
                ["chunks_done"] = done,
                ["chunks_total"] = total,
                ["bytes_read"] = read,
                ["bytes_written"] = written,
                ["chunks_in_flight"] = _chunksInFlight,
                ["pooled_bytes"] = _pooledBytes,
                ["phases"] = phases,
                ["stages"] = stages,
                ["bottleneck"] = bottleneck?.Name,
                ["throughput"] = new JsonArray([.. _samples.Select(s => (JsonNode)new JsonArray(s.Seconds, s.InMBps, s.OutMBps))]),
                ["workers"] = new JsonArray([.. _workers.OrderBy(w => w.Key, StringComparer.Ordinal).Select(w => (JsonNode)new JsonObject
                {
                    ["name"] = w.Key,
                    ["tasks_done"] = w.Value.Done,
                    ["in_flight"] = w.Value.InFlight,
                    ["retries"] = w.Value.Retries,
                    ["lost"] = w.Value.Lost,
                })]),
                ["error"] = _error is null ? null : new JsonObject { ["stage"] = _error.Stage, ["chunk"] = _error.Chunk, ["message"] = _error.Message },
            };
        }
    }

    internal static string StateName(DashboardJobState state) => state.ToString().ToLowerInvariant();

    private static double Seconds(TimeSpan t) => Math.Round(t.TotalSeconds, 3);

    private static double PhaseFraction(PhaseRow phase) =>
        phase.Report is { IsFinal: true, Succeeded: true } ? 1 : phase.Progress.ChunksTotal == 0 ? 0 : phase.Progress.Fraction;

    private static DashboardError Describe(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is ZarrPipelineException p)
            {
                var chunk = p.Coordinates is null ? null : "(" + string.Join(", ", p.Coordinates.Select(c => c.ToString(CultureInfo.InvariantCulture))) + ")" + (p.ChunkKey is null ? "" : $" key '{p.ChunkKey}'");
                return new DashboardError(p.Stage, chunk ?? (p.ChunkKey is null ? null : $"key '{p.ChunkKey}'"), p.Message);
            }
        }

        return new DashboardError(null, null, error.Message);
    }

    private void Finish(DashboardJobState state, DashboardError? error)
    {
        lock (_gate)
        {
            if (_state != DashboardJobState.Running)
            {
                return;
            }

            _state = state;
            _error = error;
            _finished = DateTimeOffset.UtcNow;
            _chunksInFlight = 0;
        }

        Changed();
    }

    private void OnProgress(PhaseRow phase, PipelineProgress progress)
    {
        lock (_gate)
        {
            phase.Progress = progress;
            Sample();
        }

        Changed();
    }

    private void OnStages(PhaseRow phase, PipelineReport report)
    {
        lock (_gate)
        {
            // A report so far that arrives after the final one (workers race) does not replace it.
            if (phase.Report is { IsFinal: true })
            {
                return;
            }

            phase.Report = report;
            if (report.IsFinal)
            {
                // A run that failed or was cancelled sends no last progress: its report has the final counts.
                phase.Progress = phase.Progress with { ChunksDone = report.Chunks, BytesRead = report.BytesRead, BytesWritten = report.BytesWritten, Elapsed = report.Elapsed };
                Sample();
            }

            _chunksInFlight = report.IsFinal ? 0 : report.ChunksInFlight;
            _pooledBytes = report.PooledBytes;
        }

        Changed();
    }

    /// <summary>A point of the throughput chart: MB/s in and out since the last point (at least <see cref="SampleSpacing"/> ago).</summary>
    private void Sample()
    {
        var now = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        long read = 0, written = 0;
        foreach (var p in _phases)
        {
            read += p.Progress.BytesRead;
            written += p.Progress.BytesWritten;
        }

        var dt = now - _lastSample.Seconds;
        if (dt < SampleSpacing.TotalSeconds)
        {
            return;
        }

        _samples.Add((Math.Round(now, 3), Math.Round((read - _lastSample.Read) / dt / 1e6, 3), Math.Round((written - _lastSample.Written) / dt / 1e6, 3)));
        if (_samples.Count > MaxSamples)
        {
            _samples.RemoveAt(0);
        }

        _lastSample = (now, read, written);
    }

    internal void AddWorker(string worker)
    {
        lock (_gate)
        {
            _workers.TryAdd(worker, new WorkerRow());
        }

        Changed();
    }

    internal void OnTask(string worker, Action<WorkerRow> update)
    {
        lock (_gate)
        {
            update(_workers[worker]);
        }

        Changed();
    }

    private void Changed()
    {
        _changes.Signal();
        _changed();
    }

    private sealed class PhaseRow(string name)
    {
        public string Name { get; } = name;

        public PipelineProgress Progress { get; set; }

        public PipelineReport? Report { get; set; }
    }

    internal sealed class WorkerRow
    {
        public long Done { get; set; }

        public long InFlight { get; set; }

        public long Retries { get; set; }

        public long Lost { get; set; }
    }

    private sealed class PhaseObserver(DashboardJob job, PhaseRow row) : IPipelineObserver
    {
        public void Report(PipelineProgress value) => job.OnProgress(row, value);

        public void ReportStages(PipelineReport report) => job.OnStages(row, report);
    }
}
