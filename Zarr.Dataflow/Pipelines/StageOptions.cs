namespace Zarr.Dataflow;

/// <summary>
/// How one stage of a chunk pipeline runs, modelled on <see cref="System.Threading.Tasks.Dataflow.ExecutionDataflowBlockOptions"/>.
/// A pipeline clones its options when it is built, so changing an instance afterwards affects only pipelines built later.
/// </summary>
/// <remarks>
/// Defaults:
/// <list type="table">
/// <listheader><term>Option</term><description>Default</description></listheader>
/// <item><term><see cref="MaxDegreeOfParallelism"/></term><description><see cref="Environment.ProcessorCount"/> (codec and compute stages); 2 × that for I/O stages (<see cref="ForIO"/>).</description></item>
/// <item><term><see cref="BoundedCapacity"/></term><description>2 × <see cref="MaxDegreeOfParallelism"/> chunks, queued and in work together (the hand-off to the next stage holds one more): always finite unless set to <see cref="Unbounded"/> explicitly.</description></item>
/// <item><term><see cref="EnsureOrdered"/></term><description>false: messages carry their chunk coordinates, so order costs waiting for nothing.</description></item>
/// <item><term><see cref="CancellationToken"/></term><description><see cref="CancellationToken.None"/>.</description></item>
/// </list>
/// </remarks>
public sealed class StageOptions
{
    /// <summary>The value that lifts the bound on <see cref="BoundedCapacity"/> (memory then grows with the backlog).</summary>
    public const int Unbounded = -1;

    private int _maxDegreeOfParallelism;
    private int _boundedCapacity; // 0: twice the parallelism
    private bool _parallelismSet;

    /// <summary>Options for a codec or compute stage: parallelism is the processor count.</summary>
    public StageOptions() => _maxDegreeOfParallelism = Environment.ProcessorCount;

    private StageOptions(StageOptions other)
    {
        _maxDegreeOfParallelism = other._maxDegreeOfParallelism;
        _boundedCapacity = other._boundedCapacity;
        _parallelismSet = other._parallelismSet;
        EnsureOrdered = other.EnsureOrdered;
        CancellationToken = other.CancellationToken;
    }

    /// <summary>Options for an I/O stage (fetch, store): parallelism is twice the processor count, since such workers mostly wait.</summary>
    public static StageOptions ForIO() => new() { _maxDegreeOfParallelism = 2 * Environment.ProcessorCount };

    /// <summary>How many chunks the stage works on at once. Higher overlaps more I/O but holds more chunks in memory.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxDegreeOfParallelism
    {
        get => _maxDegreeOfParallelism;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxDegreeOfParallelism = value;
            _parallelismSet = true;
        }
    }

    /// <summary>
    /// How many chunks the stage holds at once, waiting in its input queue and in its workers' hands together (as
    /// <see cref="System.Threading.Tasks.Dataflow.DataflowBlockOptions.BoundedCapacity"/> counts for an action block).
    /// Reads as 2 × <see cref="MaxDegreeOfParallelism"/> until set.
    /// </summary>
    /// <remarks>
    /// The stage's hand-off to the next stage holds one more chunk, whatever this is: a worker whose result the next
    /// stage has not taken waits holding it, and that chunk still counts here. So a stage holds at most this many
    /// chunks plus one, and a pipeline the sum over its stages; a second queue of this size on the output would
    /// double the memory and buy nothing, since the next stage's own input queue already absorbs bursts. A value
    /// below <see cref="MaxDegreeOfParallelism"/> leaves workers idle; <see cref="Unbounded"/> lifts the bound on both.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is neither positive nor <see cref="Unbounded"/>.</exception>
    public int BoundedCapacity
    {
        get => _boundedCapacity == 0 ? 2 * _maxDegreeOfParallelism : _boundedCapacity;
        set
        {
            if (value < 1 && value != Unbounded)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "a bounded capacity must be positive or StageOptions.Unbounded");
            }

            _boundedCapacity = value;
        }
    }

    /// <summary>Whether the stage hands chunks on in the order it received them; that costs waiting behind slow chunks.</summary>
    public bool EnsureOrdered { get; set; }

    /// <summary>Cancels the stage (and, in a pipeline, the whole pipeline).</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>A copy, taken when a block or pipeline is built.</summary>
    public StageOptions Clone() => new(this);

    /// <summary>True when <see cref="BoundedCapacity"/> was never set (it follows the parallelism, and a memory budget may lower it).</summary>
    internal bool CapacityIsDefault => _boundedCapacity == 0;

    /// <summary>
    /// Lowers a default capacity to at most <paramref name="capacity"/> chunks (never below 1), and a default
    /// parallelism with it: a worker without a place in the stage would only wait. Values a caller set are kept.
    /// </summary>
    internal void LowerDefaultsTo(int capacity)
    {
        if (!CapacityIsDefault)
        {
            return;
        }

        // A parallelism the caller chose keeps its workers busy: the capacity stays at least that.
        capacity = Math.Max(_parallelismSet ? _maxDegreeOfParallelism : 1, capacity);
        if (capacity >= BoundedCapacity)
        {
            return;
        }

        _boundedCapacity = capacity;
        if (!_parallelismSet)
        {
            _maxDegreeOfParallelism = Math.Min(_maxDegreeOfParallelism, capacity);
        }
    }
}
