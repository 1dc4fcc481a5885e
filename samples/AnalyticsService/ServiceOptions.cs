namespace Zarr.AnalyticsService;

/// <summary>How the service runs jobs. One instance per app (registered as a singleton), never static.</summary>
public sealed record ServiceOptions
{
    /// <summary>The folder every job path is relative to; a path that leaves it is refused.</summary>
    public required string DataRoot { get; init; }

    /// <summary>
    /// Jobs that run at once; the others wait in line (a <see cref="SemaphoreSlim"/>). Default: 2, or the core count
    /// when that is smaller.
    /// </summary>
    public int MaxConcurrentJobs { get; init; } = Math.Max(1, Math.Min(2, Environment.ProcessorCount));

    /// <summary>
    /// Workers per pipeline stage of one job. Default: the cores divided among the concurrent jobs, so that jobs running
    /// together share the machine fairly instead of each taking every core.
    /// </summary>
    public int? PerJobParallelism { get; init; }

    /// <summary>The least time between two progress updates of a job.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Finished jobs kept for their results; the oldest are forgotten beyond this.</summary>
    public int RetainedJobs { get; init; } = 1000;

    internal int EffectiveParallelism => PerJobParallelism ?? Math.Max(1, Environment.ProcessorCount / MaxConcurrentJobs);
}
