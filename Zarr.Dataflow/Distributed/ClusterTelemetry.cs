using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Zarr.Dataflow.Distributed;

/// <summary>
/// The cluster path's metrics and spans, under the names an OpenTelemetry collector subscribes to
/// (<see cref="Name"/> for both the meter and the activity source); no exporter is needed in the library.
/// </summary>
public static class ClusterTelemetry
{
    /// <summary>The meter's and the activity source's name.</summary>
    public const string Name = "Zarr.Dataflow.Cluster";

    internal static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    internal static readonly Counter<long> ChunksProcessed = Meter.CreateCounter<long>("zarr.cluster.chunks", "{chunk}", "Chunks processed by tasks on this worker.");

    internal static readonly Counter<long> BytesRead = Meter.CreateCounter<long>("zarr.cluster.bytes_read", "By", "Bytes read from stores by tasks on this worker.");

    internal static readonly Counter<long> BytesWritten = Meter.CreateCounter<long>("zarr.cluster.bytes_written", "By", "Bytes written to stores by tasks on this worker.");

    internal static readonly Counter<long> Retries = Meter.CreateCounter<long>("zarr.cluster.retries", "{task}", "Tasks run again after a lost worker or a task error.");

    internal static readonly Counter<long> Backups = Meter.CreateCounter<long>("zarr.cluster.backups", "{task}", "Backup copies of straggling tasks sent to another worker.");

    internal static readonly UpDownCounter<long> TasksInFlight = Meter.CreateUpDownCounter<long>("zarr.cluster.tasks_in_flight", "{task}", "Tasks sent and not yet answered.");

    internal static readonly Histogram<double> TransportSeconds = Meter.CreateHistogram<double>("zarr.cluster.transport_duration", "s", "A task's round trip less the time its worker spent on it: the transport's and the scheduling's share.");

    internal static readonly Histogram<double> TaskSeconds = Meter.CreateHistogram<double>("zarr.cluster.task_duration", "s", "Time from sending a task to its receipt.");
}
