using System.Threading.Tasks.Dataflow;

namespace Zarr.Dataflow.Blocks;

/// <summary>
/// A job as the planner lays it out: a chain of typed stages from the first message (<typeparamref name="TIn"/>, a
/// chunk request) to a sink. It says what each step of a chunk's life is, not where it runs: an executor
/// (<see cref="IChunkPlanExecutor"/>) decides that; the local one wires it into dataflow blocks.
/// </summary>
/// <typeparam name="TIn">The message the plan's first stage takes.</typeparam>
internal abstract class ChunkPlan<TIn>
    where TIn : class
{
    private protected static readonly DataflowLinkOptions Propagate = new() { PropagateCompletion = true };

    private protected ChunkPlan()
    {
    }

    /// <summary>The stages' names, first to last.</summary>
    public abstract IEnumerable<string> StageNames { get; }

    /// <summary>
    /// The plan with each run of neighbouring CPU stages fused into one stage ("Decode+Compute+Reduce"): the chunk is
    /// still in the core's cache for the next step, nothing is handed between threads, and only as many chunks are
    /// decoded at once as that stage has workers. I/O stages, and a sink that hands its input on, keep their own.
    /// </summary>
    public abstract ChunkPlan<TIn> Fused();

    /// <summary>Wires the plan as dataflow blocks (one per stage, linked with completion propagation) and returns the head.</summary>
    /// <param name="run">The run the stages belong to (their metrics, cancellation and failure).</param>
    /// <param name="completions">Receives each stage's completion, first to last.</param>
    public abstract ITargetBlock<TIn> Wire(PipelineRun run, List<Task> completions);

    /// <summary><paramref name="stage"/> followed by this plan, fused with this plan's first stage when both only compute and <paramref name="fuse"/>.</summary>
    internal abstract ChunkPlan<TPrevious> After<TPrevious>(Stage<TPrevious, TIn> stage, bool fuse)
        where TPrevious : class;
}

/// <summary>Starts plans: <c>ChunkPlan.Start(fetch).Then(decode).Then(compute).End(store)</c>.</summary>
internal static class ChunkPlan
{
    public static PlanBuilder<TIn, TOut> Start<TIn, TOut>(Stage<TIn, TOut> first)
        where TIn : class
        where TOut : class =>
        new(rest => rest.After(first, fuse: false));
}

/// <summary>A plan being built front to back: the stages so far, from <typeparamref name="TIn"/> to <typeparamref name="TOut"/>.</summary>
internal sealed class PlanBuilder<TIn, TOut>
    where TIn : class
    where TOut : class
{
    private readonly Func<ChunkPlan<TOut>, ChunkPlan<TIn>> _prepend;

    internal PlanBuilder(Func<ChunkPlan<TOut>, ChunkPlan<TIn>> prepend) => _prepend = prepend;

    /// <summary>The stages so far, then <paramref name="stage"/>.</summary>
    public PlanBuilder<TIn, TNext> Then<TNext>(Stage<TOut, TNext> stage)
        where TNext : class =>
        new(rest => _prepend(rest.After(stage, fuse: false)));

    /// <summary>The whole plan: the stages so far, then <paramref name="sink"/>.</summary>
    public ChunkPlan<TIn> End(Sink<TOut> sink) => _prepend(new SinkPlan<TOut>(sink));
}

/// <summary>A stage and the rest of the plan after it.</summary>
internal sealed class StagePlan<TIn, TOut>(Stage<TIn, TOut> stage, ChunkPlan<TOut> rest) : ChunkPlan<TIn>
    where TIn : class
    where TOut : class
{
    public override IEnumerable<string> StageNames => rest.StageNames.Prepend(stage.Name);

    public override ChunkPlan<TIn> Fused() => rest.Fused().After(stage, fuse: true);

    public override ITargetBlock<TIn> Wire(PipelineRun run, List<Task> completions)
    {
        // This stage's context first, so the report lists the stages in order.
        var block = StageBlock.Create(run.Stage(stage.Name, stage.Options), stage);
        completions.Add(block.Completion);
        block.LinkTo(rest.Wire(run, completions), Propagate);
        return block;
    }

    internal override ChunkPlan<TPrevious> After<TPrevious>(Stage<TPrevious, TIn> previous, bool fuse) =>
        fuse && previous.Cpu && stage.Cpu
            ? new StagePlan<TPrevious, TOut>(previous.Then(stage), rest)
            : new StagePlan<TPrevious, TIn>(previous, this);
}

/// <summary>The last stage of a plan.</summary>
internal sealed class SinkPlan<TIn>(Sink<TIn> sink) : ChunkPlan<TIn>
    where TIn : class
{
    public override IEnumerable<string> StageNames => [sink.Name];

    public override ChunkPlan<TIn> Fused() => this;

    public override ITargetBlock<TIn> Wire(PipelineRun run, List<Task> completions)
    {
        var block = StageBlock.CreateTarget(run.Stage(sink.Name, sink.Options), sink);
        completions.Add(block.Completion);
        return block;
    }

    internal override ChunkPlan<TPrevious> After<TPrevious>(Stage<TPrevious, TIn> previous, bool fuse) =>
        fuse && previous.Cpu && sink.Cpu && sink.DisposesInput
            ? new SinkPlan<TPrevious>(previous.Then(sink))
            : new StagePlan<TPrevious, TIn>(previous, this);
}
