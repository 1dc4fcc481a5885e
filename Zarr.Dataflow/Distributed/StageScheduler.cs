using System.Diagnostics;

namespace Zarr.Dataflow.Distributed;

/// <summary>
/// Runs one stage's tasks on the workers: at most <see cref="ITaskWorkers.Slots"/> in flight; a task lost in transport
/// is sent again (to whichever worker takes it) until <see cref="ClusterJobOptions.RetryBudget"/> has passed since its
/// first send; a task that fails on its worker is run again up to <see cref="ClusterJobOptions.MaxAttempts"/> times, then
/// the stage fails with one <see cref="ZarrPipelineException"/> naming the stage and the chunk. The first failure
/// cancels every task still in flight, on the workers too.
/// </summary>
internal sealed class StageScheduler(ITaskWorkers workers, ClusterJobOptions options, JobProgress progress)
{
    private long _retries;

    /// <summary>Tasks sent again so far (after a lost worker or a task error).</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Runs <paramref name="tasks"/>; <paramref name="completed"/> sees each receipt once (from several threads).</summary>
    public async Task RunAsync(string stage, IReadOnlyList<ClusterTask> tasks, Action<ClusterTask, TaskReceipt> completed, CancellationToken cancellationToken)
    {
        using var activity = ClusterTelemetry.Source.StartActivity("zarr.stage");
        activity?.SetTag("zarr.stage", stage);
        activity?.SetTag("zarr.tasks", tasks.Count);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, workers.Slots), CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(tasks, parallel, async (task, ct) =>
        {
            var receipt = await RunOneAsync(stage, task, ct).ConfigureAwait(false);
            completed(task, receipt);
            progress.Add(receipt);
        }).ConfigureAwait(false);
    }

    private async Task<TaskReceipt> RunOneAsync(string stage, ClusterTask task, CancellationToken cancellationToken)
    {
        var bytes = task.ToJson();
        var firstSent = Stopwatch.StartNew();
        var errors = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var sent = Stopwatch.GetTimestamp();
            ClusterTelemetry.TasksInFlight.Add(1);
            TaskReceipt receipt;
            try
            {
                receipt = TaskReceipt.FromJson(await workers.RunAsync(bytes, cancellationToken).ConfigureAwait(false));
            }
            catch (WorkerLostException ex) when (!cancellationToken.IsCancellationRequested)
            {
                if (firstSent.Elapsed >= options.RetryBudget)
                {
                    throw new ZarrPipelineException(stage, task.Chunks.FirstOrDefault(), null, new ZarrClusterException($"{task.Describe()} was lost in transport for {options.RetryBudget.TotalSeconds:0.#} s (the retry budget): {ex.Message}", ex));
                }

                Interlocked.Increment(ref _retries);
                ClusterTelemetry.Retries.Add(1);
                await Task.Delay(RetryPause, cancellationToken).ConfigureAwait(false);
                continue;
            }
            finally
            {
                ClusterTelemetry.TasksInFlight.Add(-1);
                ClusterTelemetry.TaskSeconds.Record(Stopwatch.GetElapsedTime(sent).TotalSeconds);
            }

            if (receipt.Error is null)
            {
                return receipt;
            }

            if (receipt.Refused || ++errors >= options.MaxAttempts)
            {
                var tries = receipt.Refused ? "" : $" (tried {errors} time{(errors == 1 ? "" : "s")})";
                throw new ZarrPipelineException(stage, receipt.ErrorChunk ?? task.Chunks.FirstOrDefault(), null, new ZarrClusterException(receipt.Error + tries));
            }

            Interlocked.Increment(ref _retries);
            ClusterTelemetry.Retries.Add(1);
        }
    }

    /// <summary>The pause before sending a lost task again: long enough not to spin while the cluster notices a death.</summary>
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(200);
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
