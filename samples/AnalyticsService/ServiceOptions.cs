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

    /// <summary>
    /// Where jobs run: null (the default) in this process's engine; <c>local</c> as tasks on an embedded cluster silo in
    /// this process; <c>redis://HOST:PORT</c> as tasks on the workers of that cluster (<c>zarr worker --cluster ...</c>),
    /// which must reach the data folder by the same path. Set in configuration as <c>Zarr:Cluster</c> (appsettings.json,
    /// the environment variable <c>Zarr__Cluster</c>, or <c>--Zarr:Cluster</c>). On a cluster a statistics job covers the
    /// whole array (a region is refused).
    /// </summary>
    public string? Cluster { get; init; }

    /// <summary>Wraps every store a job opens (tests slow their reads down with it); null for none.</summary>
    internal Func<Zarr.Storage.IStore, Zarr.Storage.IStore>? StoreWrapper { get; init; }

    internal int EffectiveParallelism => PerJobParallelism ?? Math.Max(1, Environment.ProcessorCount / MaxConcurrentJobs);
}
