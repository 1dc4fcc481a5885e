namespace Zarr.Dataflow.Distributed;

/// <summary>
/// How a job runs on a cluster (<see cref="ClusterJobs"/>). Defaults: <see cref="RetryBudget"/> 2 minutes,
/// <see cref="MaxAttempts"/> 3, <see cref="ChunksPerTask"/> 8, <see cref="FanIn"/> 8, <see cref="BackupFactor"/> 3, no progress.
/// </summary>
public sealed class ClusterJobOptions
{
    /// <summary>
    /// How long a task may keep being re-sent after transport failures (a dead worker's tasks run again elsewhere once
    /// the cluster notices the death, which takes a few seconds). A time budget rather than a count, because how many
    /// sends fail while membership settles depends on the failure detector, not on the task.
    /// </summary>
    public TimeSpan RetryBudget
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            field = value;
        }
    } = TimeSpan.FromMinutes(2);

    /// <summary>How many times a task that failed on its worker (not in transport) is run before the job fails. At least 1.</summary>
    public int MaxAttempts
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = 3;

    /// <summary>
    /// About how many chunks one task owns: more amortises the transport per task, fewer spreads the work finer and
    /// loses less to a dead worker. A reduction rounds it down to a power of <see cref="FanIn"/> (whole subtrees of the
    /// combine tree). At least 1.
    /// </summary>
    public int ChunksPerTask
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = 8;

    /// <summary>The reductions' fan-in: as <see cref="PipelineOptions.FanIn"/>, and the same value gives the same bits as a local run with it. At least 2.</summary>
    public int FanIn
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 2);
            field = value;
        }
    } = 8;

    /// <summary>
    /// Speculative backups: a task running longer than this many times the median of its stage's finished tasks (once
    /// three have finished), while a slot on another worker is idle, gets a copy there; the first receipt wins and the
    /// other copy is cancelled. Tasks are idempotent, so both write the same bytes. 0 turns backups off; else at least 1.
    /// </summary>
    public double BackupFactor
    {
        get;
        set
        {
            if (value != 0)
            {
                ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            }

            field = value;
        }
    } = 3;

    /// <summary>Receives progress as tasks complete (chunks done of the job's total, bytes read and written so far).</summary>
    public IProgress<PipelineProgress>? Progress { get; set; }
}
