using Zarr.Dataflow.Blocks;

namespace Zarr.Dataflow;

/// <summary>
/// The options of a whole pipeline: one <see cref="StageOptions"/> per stage, progress and the end-of-run report.
/// Cloned when a pipeline is built; one instance may serve many runs, each with its own parallelism.
/// </summary>
public sealed class PipelineOptions
{
    private StageOptions _fetch = StageOptions.ForIO();
    private StageOptions _decode = new();
    private StageOptions _compute = new();
    private StageOptions _encode = new();
    private StageOptions _store = StageOptions.ForIO();
    private StageOptions _reduce = new();
    private TimeSpan _progressInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>Creates options with every stage at its default (I/O stages 2 × cores, codec and compute stages the core count).</summary>
    public PipelineOptions()
    {
    }

    /// <summary>Options whose every stage has <paramref name="parallelism"/> workers and <paramref name="capacity"/> queued chunks.</summary>
    public static PipelineOptions Uniform(int parallelism, int capacity)
    {
        var o = new PipelineOptions();
        foreach (var s in o.All())
        {
            s.MaxDegreeOfParallelism = parallelism;
            s.BoundedCapacity = capacity;
        }

        return o;
    }

    /// <summary>The fetch stage (reads encoded chunks from the store). Default: <see cref="StageOptions.ForIO"/>.</summary>
    public StageOptions Fetch { get => _fetch; set => _fetch = value ?? throw new ArgumentNullException(nameof(value)); }

    /// <summary>The decode stage (the source's codec pipeline; for a source on another grid, the region read). Default: cores.</summary>
    public StageOptions Decode { get => _decode; set => _decode = value ?? throw new ArgumentNullException(nameof(value)); }

    /// <summary>The compute stage (the expression over a chunk). Default: cores.</summary>
    public StageOptions Compute { get => _compute; set => _compute = value ?? throw new ArgumentNullException(nameof(value)); }

    /// <summary>The encode stage (the target's codec pipeline). Default: cores.</summary>
    public StageOptions Encode { get => _encode; set => _encode = value ?? throw new ArgumentNullException(nameof(value)); }

    /// <summary>The store stage (writes encoded chunks). Default: <see cref="StageOptions.ForIO"/>.</summary>
    public StageOptions Store { get => _store; set => _store = value ?? throw new ArgumentNullException(nameof(value)); }

    /// <summary>The reduce stage (one partial per chunk). Default: cores.</summary>
    public StageOptions Reduce { get => _reduce; set => _reduce = value ?? throw new ArgumentNullException(nameof(value)); }

    /// <summary>
    /// Whether the CPU steps of a chunk (decode, compute, and encode or reduce) run one after another on one worker of
    /// one stage, with the first step's options (usually <see cref="Decode"/>): the chunk is still in cache for the next
    /// step, nothing is handed between threads, and only as many chunks are decoded at once as that stage has workers.
    /// The report names such a stage after its steps ("Decode+Compute+Reduce"); a failure still names the step.
    /// False gives every step its own stage and line in the report, to see which step bounds a pipeline.
    /// Default true. Fetch and store (I/O) always have their own stages.
    /// </summary>
    public bool FuseStages { get; set; } = true;

    /// <summary>How many partials are combined at once in a reduction's combine tree (dask's <c>split_every</c>). Default 8; at least 2.</summary>
    public int FanIn
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 2);
            field = value;
        }
    } = 8;

    /// <summary>Receives progress while a pipeline runs (at most once per <see cref="ProgressInterval"/>, and once at the end). Default: none.</summary>
    public IProgress<PipelineProgress>? Progress { get; set; }

    /// <summary>The least time between two progress reports. Default 200 ms.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan ProgressInterval
    {
        get => _progressInterval;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            _progressInterval = value;
        }
    }

    /// <summary>Called with the report of each run that finishes (successfully or not). Default: none.</summary>
    public Action<PipelineReport>? Report { get; set; }

    /// <summary>Where the plans run (the seam a cluster executor plugs into). Default: this process, as dataflow blocks.</summary>
    internal IChunkPlanExecutor Executor { get; set; } = LocalExecutor.Instance;

    /// <summary>A deep copy: every stage's options are cloned.</summary>
    public PipelineOptions Clone() => new()
    {
        _fetch = _fetch.Clone(),
        _decode = _decode.Clone(),
        _compute = _compute.Clone(),
        _encode = _encode.Clone(),
        _store = _store.Clone(),
        _reduce = _reduce.Clone(),
        FanIn = FanIn,
        FuseStages = FuseStages,
        Progress = Progress,
        ProgressInterval = ProgressInterval,
        Report = Report,
        Executor = Executor,
    };

    private StageOptions[] All() => [_fetch, _decode, _compute, _encode, _store, _reduce];
}
