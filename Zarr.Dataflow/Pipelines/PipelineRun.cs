using System.Diagnostics;
using System.Threading.Tasks.Dataflow;
using Zarr.Dataflow.Blocks;

namespace Zarr.Dataflow;

/// <summary>What one stage measures while it runs (ticks of <see cref="Stopwatch"/>).</summary>
internal sealed class StageMetrics(string name, int parallelism)
{
    private long _items;
    private long _busy;
    private long _waitOut;

    public string Name { get; } = name;

    public int Parallelism { get; } = parallelism;

    public void Record(long busyTicks, long waitOutTicks)
    {
        Interlocked.Add(ref _busy, busyTicks);
        Interlocked.Add(ref _waitOut, waitOutTicks);
        Interlocked.Increment(ref _items);
    }

    public StageReport ToReport(TimeSpan elapsed)
    {
        var busy = Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _busy));
        var waitOut = Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _waitOut));
        var idle = (elapsed * Parallelism) - busy - waitOut;
        return new StageReport(Name, Parallelism, Interlocked.Read(ref _items), busy, idle < TimeSpan.Zero ? TimeSpan.Zero : idle, waitOut);
    }
}

/// <summary>The stage a block belongs to: its name, options, metrics and (inside a pipeline) the run.</summary>
internal sealed class StageContext
{
    public StageContext(string name, StageOptions options, PipelineRun? run)
    {
        Name = name;
        Options = options.Clone();
        Run = run;
        Metrics = new StageMetrics(name, Options.MaxDegreeOfParallelism);
    }

    public string Name { get; }

    public StageOptions Options { get; }

    public PipelineRun? Run { get; }

    public StageMetrics Metrics { get; }

    public CancellationToken Token => Run?.Token ?? Options.CancellationToken;

    public ChunkTracker? Tracker => Run?.Tracker;

    /// <summary>Turns a failure into the exception the block faults with; inside a pipeline, the first one cancels the run.</summary>
    public Exception Fail(Exception error, long[]? coordinates, string? key)
    {
        if (error is OperationCanceledException && Token.IsCancellationRequested)
        {
            return error;
        }

        var wrapped = error as ZarrPipelineException ?? new ZarrPipelineException(Name, coordinates, key, error);
        Run?.ReportFailure(wrapped);
        return wrapped;
    }
}

/// <summary>
/// One run of a pipeline: a cancellation source linked to the caller's token and every stage's, the messages in
/// flight, the first failure, counters for progress, and the stages' metrics. Nothing here is static: each run is
/// independent of every other in the process.
/// </summary>
internal sealed class PipelineRun : IDisposable
{
    private readonly CancellationTokenSource _cts;
    private readonly CancellationToken _callerToken;
    private readonly List<StageMetrics> _stages = [];
    private readonly long _startTicks = Stopwatch.GetTimestamp();
    private readonly long _intervalTicks;
    private ZarrPipelineException? _failure;
    private long _chunksDone;
    private long _bytesRead;
    private long _bytesWritten;
    private long _lastProgress;

    /// <param name="options">The caller's options (copied).</param>
    /// <param name="totalChunks">The work chunks of the run.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <param name="chunkBytes">A work chunk's decoded bytes, which the options' memory budget divides (0: unknown, no fitting).</param>
    public PipelineRun(PipelineOptions options, long totalChunks, CancellationToken cancellationToken, long chunkBytes = 0)
    {
        Options = options.FitTo(chunkBytes);
        TotalChunks = totalChunks;
        _callerToken = cancellationToken;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(
        [
            cancellationToken, Options.Fetch.CancellationToken, Options.Decode.CancellationToken, Options.Compute.CancellationToken,
            Options.Encode.CancellationToken, Options.Store.CancellationToken, Options.Reduce.CancellationToken,
        ]);
        _intervalTicks = (long)(Options.ProgressInterval.TotalSeconds * Stopwatch.Frequency);
    }

    public PipelineOptions Options { get; }

    public long TotalChunks { get; }

    public CancellationToken Token => _cts.Token;

    public ChunkTracker Tracker { get; } = new();

    public ZarrPipelineException? Failure => Volatile.Read(ref _failure);

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_startTicks);

    public StageContext Stage(string name, StageOptions options)
    {
        var context = new StageContext(name, options, this);
        lock (_stages)
        {
            _stages.Add(context.Metrics);
        }

        return context;
    }

    public void ReportFailure(ZarrPipelineException error)
    {
        if (Interlocked.CompareExchange(ref _failure, error, null) is null)
        {
            try
            {
                _cts.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    public void Cancel()
    {
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void AddRead(long bytes) => Interlocked.Add(ref _bytesRead, bytes);

    public void AddWritten(long bytes) => Interlocked.Add(ref _bytesWritten, bytes);

    public void ChunkDone()
    {
        var done = Interlocked.Increment(ref _chunksDone);
        if (Options.Progress is null)
        {
            return;
        }

        var now = Stopwatch.GetTimestamp();
        var last = Interlocked.Read(ref _lastProgress);
        if (done == TotalChunks || (now - last >= _intervalTicks && Interlocked.CompareExchange(ref _lastProgress, now, last) == last))
        {
            Options.Progress.Report(Snapshot());
            if (Options.Progress is IPipelineObserver observer)
            {
                observer.ReportStages(BuildReport(false, isFinal: false));
            }
        }
    }

    public PipelineProgress Snapshot() => new(Interlocked.Read(ref _chunksDone), TotalChunks, Interlocked.Read(ref _bytesRead), Interlocked.Read(ref _bytesWritten), Elapsed);

    /// <summary>
    /// Feeds <paramref name="requests"/> into <paramref name="head"/>, completes it, waits for every block, and then
    /// either returns the report or throws the first failure (one <see cref="ZarrPipelineException"/>) or an
    /// <see cref="OperationCanceledException"/>. Messages stranded by a failure or cancellation are disposed.
    /// </summary>
    public async Task<PipelineReport> RunAsync<TRequest>(ITargetBlock<TRequest> head, IEnumerable<TRequest> requests, IEnumerable<Task> completions)
    {
        try
        {
            foreach (var request in requests)
            {
                if (!await head.SendAsync(request, Token).ConfigureAwait(false))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (Token.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            ReportFailure(new ZarrPipelineException("Source", null, null, e));
        }

        head.Complete();
        try
        {
            await Task.WhenAll(completions).ConfigureAwait(false);
        }
        catch (Exception) when (Failure is not null || Token.IsCancellationRequested)
        {
            // Reported below: the first failure, or the cancellation.
        }
        catch (Exception e)
        {
            ReportFailure(new ZarrPipelineException("Pipeline", null, null, e));
        }

        var failed = Failure is not null || Token.IsCancellationRequested;
        if (failed)
        {
            Tracker.DisposeAll();
        }

        var report = BuildReport(!failed);
        Options.Report?.Invoke(report);
        if (!failed)
        {
            Options.Progress?.Report(Snapshot());
        }

        (Options.Progress as IPipelineObserver)?.ReportStages(report);

        ThrowIfFailed();
        return report;
    }

    public void ThrowIfFailed()
    {
        if (Failure is { } failure)
        {
            throw failure;
        }

        if (Token.IsCancellationRequested)
        {
            _callerToken.ThrowIfCancellationRequested();
            throw new OperationCanceledException("a stage's cancellation token was cancelled", Token);
        }
    }

    public PipelineReport BuildReport(bool succeeded, bool isFinal = true)
    {
        var elapsed = Elapsed;
        List<StageReport> stages;
        lock (_stages)
        {
            stages = [.. _stages.Select(s => s.ToReport(elapsed))];
        }

        return new PipelineReport(stages, elapsed, Interlocked.Read(ref _chunksDone), Interlocked.Read(ref _bytesRead), Interlocked.Read(ref _bytesWritten), succeeded, isFinal, isFinal ? 0 : Tracker.Count, PooledBytes());
    }

    private static long PooledBytes() => Zarr.Storage.Buffers.ChunkBufferPool.Decoded.Retained + Zarr.Storage.Buffers.ChunkBufferPool.Shared.Retained;

    public void Dispose() => _cts.Dispose();
}
