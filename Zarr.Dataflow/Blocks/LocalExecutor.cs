
namespace Zarr.Dataflow.Blocks;

/// <summary>
/// Runs a plan. The seam between what a job is (a <see cref="ChunkPlan{TIn}"/> of typed stages, made by the planner)
/// and where it runs: in this process as dataflow blocks (<see cref="LocalExecutor"/>), or, later, as tasks on a
/// cluster's workers.
/// </summary>
internal interface IChunkPlanExecutor
{
    /// <summary>Runs <paramref name="inputs"/> through <paramref name="plan"/> within <paramref name="run"/> (see <see cref="PipelineRun.RunAsync"/>).</summary>
    Task<PipelineReport> RunAsync<TIn>(PipelineRun run, ChunkPlan<TIn> plan, IEnumerable<TIn> inputs)
        where TIn : class;
}

/// <summary>
/// The in-process executor: one dataflow block per stage, linked with completion propagation, fusing neighbouring
/// CPU stages when <see cref="PipelineOptions.FuseStages"/> asks for it.
/// </summary>
internal sealed class LocalExecutor : IChunkPlanExecutor
{
    public static LocalExecutor Instance { get; } = new();

    private LocalExecutor()
    {
    }

    /// <inheritdoc />
    public Task<PipelineReport> RunAsync<TIn>(PipelineRun run, ChunkPlan<TIn> plan, IEnumerable<TIn> inputs)
        where TIn : class
    {
        var completions = new List<Task>();
        var head = (run.Options.FuseStages ? plan.Fused() : plan).Wire(run, completions);
        return run.RunAsync(head, inputs, completions);
    }
}
