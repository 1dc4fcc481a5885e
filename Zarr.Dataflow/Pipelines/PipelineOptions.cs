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

    /// <summary>
    /// The most bytes of chunks a run should hold at once, counted as decoded chunks of the run's work grid: stages whose
    /// <see cref="StageOptions.BoundedCapacity"/> was not set get smaller capacities (and I/O stages fewer workers) when
    /// their defaults would hold more. The codec and compute stages keep one chunk per worker whatever the budget, so
    /// that every core has work; the rest goes to fetch and store, at least one chunk each. Stages whose capacity a
    /// caller set are left as they are. Default <see cref="DefaultMaxBytesInFlight"/>; null lifts the budget
    /// (capacities then follow parallelism alone).
    /// </summary>
    /// <remarks>
    /// Without a budget, a run over 32 MiB chunks held about 26 of them (826 MiB) with the default stages; small chunks
    /// never reach the budget and run as before.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public long? MaxBytesInFlight
    {
        get;
        set
        {
            if (value is { } v)
            {
                ArgumentOutOfRangeException.ThrowIfLessThan(v, 1L);
            }

            field = value;
        }
    } = DefaultMaxBytesInFlight;

    /// <summary>The default of <see cref="MaxBytesInFlight"/>: 192 MiB.</summary>
    public const long DefaultMaxBytesInFlight = 192L * 1024 * 1024;

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
        MaxBytesInFlight = MaxBytesInFlight,
        FuseStages = FuseStages,
        Progress = Progress,
        ProgressInterval = ProgressInterval,
        Report = Report,
        Executor = Executor,
    };

    /// <summary>
    /// A copy whose default capacities fit <see cref="MaxBytesInFlight"/> for chunks of <paramref name="chunkBytes"/>
    /// decoded bytes (unchanged when they already fit, when there is no budget, or for an unknown size, 0).
    /// </summary>
    internal PipelineOptions FitTo(long chunkBytes)
    {
        var o = Clone();
        if (MaxBytesInFlight is not { } budget || chunkBytes <= 0)
        {
            return o;
        }

        var slots = (int)Math.Min(budget / chunkBytes, int.MaxValue);
        StageOptions[] cpu = FuseStages ? [o._decode] : [o._decode, o._compute, o._encode];
        StageOptions[] io = [o._fetch, o._store];
        if (ChunksHeld(cpu, io) <= slots)
        {
            return o;
        }

        foreach (var s in cpu)
        {
            s.LowerDefaultsTo(s.MaxDegreeOfParallelism);
        }

        var perStage = ((slots - Held(cpu)) / io.Length) - 1;
        foreach (var s in io)
        {
            s.LowerDefaultsTo(perStage);
        }

        // A reduce or stream stage of its own (not fused) gets what an I/O stage gets.
        o._reduce.LowerDefaultsTo(perStage);
        return o;
    }

    /// <summary>The most chunks the stages of a store run hold at once: each its capacity plus one in its hand-off.</summary>
    internal int ChunksHeld() => FuseStages
        ? ChunksHeld([_decode], [_fetch, _store])
        : ChunksHeld([_decode, _compute, _encode], [_fetch, _store]);

    private static int ChunksHeld(StageOptions[] cpu, StageOptions[] io) => Held(cpu) + Held(io);

    private static int Held(StageOptions[] stages)
    {
        long n = 0;
        foreach (var s in stages)
        {
            if (s.BoundedCapacity == StageOptions.Unbounded)
            {
                return int.MaxValue;
            }

            n += s.BoundedCapacity + 1;
        }

        return (int)Math.Min(n, int.MaxValue);
    }

    private StageOptions[] All() => [_fetch, _decode, _compute, _encode, _store, _reduce];
}
