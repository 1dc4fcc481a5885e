using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Zarr.Dataflow.Distributed;

namespace Zarr.Dataflow.Dashboard;

/// <summary>
/// Feeds a dashboard job from what this process does as a cluster worker (<c>zarr worker --dashboard</c>): the chunks
/// and bytes of the tasks it ran, from the <see cref="ClusterTelemetry"/> meter's counters (the numbers an
/// OpenTelemetry collector gets from the same instruments), and its tasks done and in flight from the meter's
/// <c>zarr.task</c> spans, as one worker row. Dispose it to stop listening.
/// </summary>
public sealed class ClusterWorkerFeed : IDisposable
{
    private readonly MeterListener _meters = new();
    private readonly ActivityListener _spans;
    private readonly DashboardJob _job;
    private readonly IPipelineObserver _phase;
    private readonly string _worker;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentDictionary<Activity, byte> _running = new();
    private long _chunks;
    private long _read;
    private long _written;

    private ClusterWorkerFeed(DashboardJob job, string worker)
    {
        _job = job;
        _worker = worker;
        _phase = job.Phase("tasks");
        job.AddWorker(worker);
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == ClusterTelemetry.Name && instrument.Name is "zarr.cluster.chunks" or "zarr.cluster.bytes_read" or "zarr.cluster.bytes_written")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<long>((instrument, value, _, _) => Measured(instrument.Name, value));
        _meters.Start();
        _spans = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ClusterTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStarted = a => Task(a, started: true),
            ActivityStopped = a => Task(a, started: false),
        };
        ActivitySource.AddActivityListener(_spans);
    }

    /// <summary>Starts feeding <paramref name="job"/> with this process's work as the worker <paramref name="workerName"/>.</summary>
    /// <param name="job">The job that stands for the worker on the dashboard.</param>
    /// <param name="workerName">The worker's row name (its cluster and host, for instance).</param>
    /// <returns>The feed; dispose it to stop.</returns>
    public static ClusterWorkerFeed Start(DashboardJob job, string workerName)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(workerName);
        return new ClusterWorkerFeed(job, workerName);
    }

    private void Measured(string instrument, long value)
    {
        _ = instrument switch
        {
            "zarr.cluster.chunks" => Interlocked.Add(ref _chunks, value),
            "zarr.cluster.bytes_read" => Interlocked.Add(ref _read, value),
            _ => Interlocked.Add(ref _written, value),
        };
        var chunks = Interlocked.Read(ref _chunks);
        // A worker has no total: it has done all it was given so far.
        _phase.Report(new PipelineProgress(chunks, chunks, Interlocked.Read(ref _read), Interlocked.Read(ref _written), _clock.Elapsed));
    }

    private void Task(Activity activity, bool started)
    {
        if (activity.OperationName != "zarr.task")
        {
            return;
        }

        if (started)
        {
            _running[activity] = 0;
            _job.OnTask(_worker, w => w.InFlight++);
        }
        else if (_running.TryRemove(activity, out _))
        {
            _job.OnTask(_worker, w =>
            {
                w.InFlight--;
                w.Done++;
            });
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _meters.Dispose();
        _spans.Dispose();
    }
}
