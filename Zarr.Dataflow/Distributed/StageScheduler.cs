using System.Diagnostics;

namespace Zarr.Dataflow.Distributed;

/// <summary>
/// Runs one stage's tasks on the workers: each task is leased a slot on a worker it fits (<see cref="WorkerPool"/>:
/// at most each worker's slots in flight there); a task lost in transport is sent again (preferably to another worker)
/// until <see cref="ClusterJobOptions.RetryBudget"/> has passed since its first send; a task that fails on its worker is
/// run again up to <see cref="ClusterJobOptions.MaxAttempts"/> times, then the stage fails with one
/// <see cref="ZarrPipelineException"/> naming the stage and the chunk. A straggler (running longer than
/// <see cref="ClusterJobOptions.BackupFactor"/> times the median of the stage's finished tasks, while a slot elsewhere
/// is idle) gets a backup copy on another worker: the first receipt wins, the other copy is cancelled (tasks are
/// idempotent, so whatever it wrote is the same bytes). The first failure cancels every task still in flight, on the
/// workers too; the stage returns only when no copy of any of its tasks is still running.
/// </summary>
internal sealed class StageScheduler
{
    private static readonly TimeSpan MonitorPeriod = TimeSpan.FromMilliseconds(50);

    private readonly ITaskWorkers _workers;
    private readonly ClusterJobOptions _options;
    private readonly JobProgress _progress;
    private readonly WorkerPool _pool;
    private readonly Lock _lock = new();
    private readonly HashSet<Running> _running = [];
    private readonly List<double> _finishedSeconds = [];
    private readonly List<Task> _losers = [];
    private long _retries;
    private long _backups;
    private long _backupWins;

    private StageScheduler(ITaskWorkers workers, ClusterJobOptions options, JobProgress progress, WorkerPool pool)
    {
        _workers = workers;
        _options = options;
        _progress = progress;
        _pool = pool;
    }

    /// <summary>Tasks sent again so far (after a lost worker or a task error).</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Backup copies of stragglers sent so far.</summary>
    public long Backups => Interlocked.Read(ref _backups);

    /// <summary>Backup copies whose receipt came first.</summary>
    public long BackupWins => Interlocked.Read(ref _backupWins);

    /// <summary>Learns the workers' slots and memory budgets.</summary>
    /// <exception cref="ZarrClusterException">There is no live worker.</exception>
    public static async Task<StageScheduler> CreateAsync(ITaskWorkers workers, ClusterJobOptions options, JobProgress progress, CancellationToken cancellationToken) =>
        new(workers, options, progress, await WorkerPool.CreateAsync(workers, cancellationToken).ConfigureAwait(false));

    /// <summary>Refuses a job with a task that fits no worker's memory budget, before anything runs.</summary>
    /// <exception cref="ZarrClusterException">The largest task is projected over every worker's budget.</exception>
    public void CheckBudget(IReadOnlyList<ClusterTask> tasks)
    {
        var largest = tasks.MaxBy(t => t.ProjectedBytes);
        var budget = _pool.LargestBudget;
        if (largest is not null && largest.ProjectedBytes > budget)
        {
            throw new ZarrClusterException($"{largest.Describe()} is projected to need {largest.ProjectedBytes} bytes, more than any worker's budget (the largest is a budget of {budget} bytes per task); use smaller chunks or give the workers more memory");
        }
    }

    /// <summary>Runs <paramref name="tasks"/>; <paramref name="completed"/> sees each receipt once (from several threads).</summary>
    public async Task RunAsync(string stage, IReadOnlyList<ClusterTask> tasks, Action<ClusterTask, TaskReceipt> completed, CancellationToken cancellationToken)
    {
        using var activity = ClusterTelemetry.Source.StartActivity("zarr.stage");
        activity?.SetTag("zarr.stage", stage);
        activity?.SetTag("zarr.tasks", tasks.Count);
        lock (_lock)
        {
            _finishedSeconds.Clear();
        }

        using var stageDone = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var monitor = _options.BackupFactor > 0 ? MonitorAsync(stageDone.Token) : Task.CompletedTask;
        try
        {
            // As many drivers as slots: each leases a slot per send, so a worker never holds more than its slots.
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _pool.TotalSlots), CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(tasks, parallel, async (task, ct) =>
            {
                var receipt = await RunOneAsync(stage, task, ct).ConfigureAwait(false);
                completed(task, receipt);
                _progress.Add(receipt);
            }).ConfigureAwait(false);
        }
        finally
        {
            await stageDone.CancelAsync().ConfigureAwait(false);
            await monitor.ConfigureAwait(false);
            Task[] losers;
            lock (_lock)
            {
                losers = [.. _losers];
                _losers.Clear();
            }

            // The cancelled copies: none may still be writing when the job returns.
            await Task.WhenAll(losers).ConfigureAwait(false);
        }
    }

    private async Task<TaskReceipt> RunOneAsync(string stage, ClusterTask task, CancellationToken cancellationToken)
    {
        var bytes = task.ToJson();
        var firstSent = Stopwatch.StartNew();
        var deadline = DateTime.UtcNow + _options.RetryBudget;
        var errors = 0;
        string? avoid = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            TaskWorker worker;
            try
            {
                worker = await _pool.AcquireAsync(task.ProjectedBytes, avoid, deadline, cancellationToken).ConfigureAwait(false);
            }
            catch (ZarrClusterException ex)
            {
                throw new ZarrPipelineException(stage, task.Chunks.FirstOrDefault(), null, new ZarrClusterException($"{task.Describe()}: {ex.Message}", ex));
            }

            var outcome = await RaceAsync(task, bytes, worker, cancellationToken).ConfigureAwait(false);
            if (outcome.Lost is { } lost)
            {
                if (firstSent.Elapsed >= _options.RetryBudget)
                {
                    throw new ZarrPipelineException(stage, task.Chunks.FirstOrDefault(), null, new ZarrClusterException($"{task.Describe()} was lost in transport for {_options.RetryBudget.TotalSeconds:0.#} s (the retry budget): {lost.Message}", lost));
                }

                Interlocked.Increment(ref _retries);
                ClusterTelemetry.Retries.Add(1);
                avoid = outcome.Worker.Id;
                await Task.Delay(RetryPause, cancellationToken).ConfigureAwait(false);
                await _pool.RefreshAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            var receipt = outcome.Receipt!;
            if (receipt.Error is null)
            {
                return receipt;
            }

            if (receipt.Refused || ++errors >= _options.MaxAttempts)
            {
                var tries = receipt.Refused ? "" : $" (tried {errors} time{(errors == 1 ? "" : "s")})";
                throw new ZarrPipelineException(stage, receipt.ErrorChunk ?? task.Chunks.FirstOrDefault(), null, new ZarrClusterException(receipt.Error + tries));
            }

            Interlocked.Increment(ref _retries);
            ClusterTelemetry.Retries.Add(1);
        }
    }

    /// <summary>
    /// Sends the task to <paramref name="worker"/> and, should it straggle, a backup copy to another (started by the
    /// monitor); returns the first receipt, or the loss when every copy was lost. The other copy is cancelled.
    /// </summary>
    private async Task<Outcome> RaceAsync(ClusterTask task, byte[] bytes, TaskWorker worker, CancellationToken cancellationToken)
    {
        var race = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = new Running(task, worker);
        var primary = SendAsync(worker, bytes, race.Token);
        lock (_lock)
        {
            _running.Add(running);
        }

        Outcome outcome;
        Task<Outcome>? backup = null;
        try
        {
            if (await Task.WhenAny(primary, running.Backup.Task).ConfigureAwait(false) == primary)
            {
                outcome = await primary.ConfigureAwait(false);
            }
            else
            {
                backup = SendAsync(await running.Backup.Task.ConfigureAwait(false), bytes, race.Token);
                var first = await Task.WhenAny(primary, backup).ConfigureAwait(false);
                outcome = await first.ConfigureAwait(false);
                if (outcome.Lost is not null)
                {
                    // That copy was lost: the other may still bring the receipt.
                    outcome = await (first == primary ? backup : primary).ConfigureAwait(false);
                }
                else if (first == backup)
                {
                    Interlocked.Increment(ref _backupWins);
                }
            }
        }
        finally
        {
            lock (_lock)
            {
                _running.Remove(running);
            }

            // A backup slot handed over after the primary's receipt was never used: give it back.
            if (running.Close() is { } unused && backup is null)
            {
                _pool.Release(unused);
            }
        }

        if (outcome.Receipt is { Error: null })
        {
            lock (_lock)
            {
                _finishedSeconds.Add(outcome.Seconds);
            }
        }

        // The losing copy, if any, is cancelled; the stage waits for it before it returns.
        var pending = new[] { primary, backup }.OfType<Task<Outcome>>().Where(t => !t.IsCompleted).ToArray();
        if (pending.Length > 0)
        {
            await race.CancelAsync().ConfigureAwait(false);
            var done = Task.WhenAll(pending).ContinueWith(_ => race.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            lock (_lock)
            {
                _losers.Add(done);
            }
        }
        else
        {
            race.Dispose();
        }

        return outcome;
    }

    /// <summary>One send to one worker, holding a slot there; never throws but for cancellation of the job.</summary>
    private async Task<Outcome> SendAsync(TaskWorker worker, byte[] bytes, CancellationToken cancellationToken)
    {
        var sent = Stopwatch.GetTimestamp();
        ClusterTelemetry.TasksInFlight.Add(1);
        try
        {
            var receipt = TaskReceipt.FromJson(await _workers.RunAsync(worker, bytes, cancellationToken).ConfigureAwait(false));
            var seconds = Stopwatch.GetElapsedTime(sent).TotalSeconds;
            ClusterTelemetry.TransportSeconds.Record(Math.Max(0, seconds - receipt.WorkerSeconds));
            return new Outcome(worker, receipt, null, seconds);
        }
        catch (WorkerLostException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return new Outcome(worker, null, ex, 0);
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            // A cancelled copy (the loser of a race, or the job's cancellation, which the driver sees itself).
            return new Outcome(worker, null, new WorkerLostException("the copy was cancelled", ex), 0);
        }
        finally
        {
            ClusterTelemetry.TasksInFlight.Add(-1);
            ClusterTelemetry.TaskSeconds.Record(Stopwatch.GetElapsedTime(sent).TotalSeconds);
            _pool.Release(worker);
        }
    }

    /// <summary>Every so often: stragglers get a backup copy on another worker while slots are idle.</summary>
    private async Task MonitorAsync(CancellationToken stageDone)
    {
        try
        {
            while (!stageDone.IsCancellationRequested)
            {
                await Task.Delay(MonitorPeriod, stageDone).ConfigureAwait(false);
                if (_pool.Waiting > 0)
                {
                    continue; // tasks not yet started come first
                }

                double threshold;
                Running[] candidates;
                lock (_lock)
                {
                    if (_finishedSeconds.Count < MinFinishedForMedian)
                    {
                        continue;
                    }

                    var sorted = _finishedSeconds.Order().ToArray();
                    threshold = _options.BackupFactor * sorted[sorted.Length / 2];
                    candidates = [.. _running.Where(r => !r.HasBackup && r.Elapsed.TotalSeconds > threshold).OrderByDescending(r => r.Elapsed)];
                }

                foreach (var straggler in candidates)
                {
                    if (_pool.TryAcquireElsewhere(straggler.Task.ProjectedBytes, straggler.Worker.Id) is not { } other)
                    {
                        break;
                    }

                    if (straggler.TryStartBackup(other))
                    {
                        Interlocked.Increment(ref _backups);
                        ClusterTelemetry.Backups.Add(1);
                    }
                    else
                    {
                        _pool.Release(other);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stageDone.IsCancellationRequested)
        {
            // The stage is over.
        }
    }

    /// <summary>The finished tasks a median needs before any task counts as a straggler.</summary>
    private const int MinFinishedForMedian = 3;

    /// <summary>The pause before sending a lost task again: long enough not to spin while the cluster notices a death.</summary>
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(200);

    /// <summary>What one send gave: a receipt, or the loss, from which worker.</summary>
    private sealed record Outcome(TaskWorker Worker, TaskReceipt? Receipt, WorkerLostException? Lost, double Seconds);

    /// <summary>A task in flight, as the monitor sees it; its backup copy's slot is handed over once.</summary>
    private sealed class Running(ClusterTask task, TaskWorker worker)
    {
        private readonly long _started = Stopwatch.GetTimestamp();
        private readonly Lock _lock = new();
        private bool _closed;

        public ClusterTask Task { get; } = task;

        public TaskWorker Worker { get; } = worker;

        public TaskCompletionSource<TaskWorker> Backup { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool HasBackup => Backup.Task.IsCompleted;

        public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_started);

        /// <summary>Hands the backup's slot over; false once the task has finished (the caller releases the slot).</summary>
        public bool TryStartBackup(TaskWorker other)
        {
            lock (_lock)
            {
                return !_closed && Backup.TrySetResult(other);
            }
        }

        /// <summary>No backup may start any more; returns the backup's worker if one was handed over.</summary>
        public TaskWorker? Close()
        {
            lock (_lock)
            {
                _closed = true;
                return Backup.Task.IsCompletedSuccessfully ? Backup.Task.Result : null;
            }
        }
    }
}

/// <summary>A job's progress, summed over the receipts of every stage, reported at most every 100 ms and once at the end.</summary>
internal sealed class JobProgress(long chunksTotal, IProgress<PipelineProgress>? sink)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _lock = new();
    private long _chunks;
    private long _read;
    private long _written;
    private TimeSpan? _lastReport;

    public long Chunks => _chunks;

    public long BytesRead => _read;

    public long BytesWritten => _written;

    public TimeSpan Elapsed => _clock.Elapsed;

    public void Add(TaskReceipt receipt)
    {
        PipelineProgress? report = null;
        lock (_lock)
        {
            _chunks += receipt.Chunks;
            _read += receipt.BytesRead;
            _written += receipt.BytesWritten;
            if (sink is not null && (_lastReport is not { } last || _clock.Elapsed - last >= TimeSpan.FromMilliseconds(100)))
            {
                _lastReport = _clock.Elapsed;
                report = Snapshot();
            }
        }

        if (report is { } r)
        {
            sink!.Report(r);
        }
    }

    public void Finish()
    {
        lock (_lock)
        {
            sink?.Report(Snapshot());
        }
    }

    private PipelineProgress Snapshot() => new(_chunks, chunksTotal, _read, _written, _clock.Elapsed);
}
