using Zarr.Dataflow.Blocks;

namespace Zarr.Dataflow.Distributed;

/// <summary>
/// Runs a job's plan, as the local executor does, over only the chunks one task owns: the requests the planner makes
/// for the whole grid are filtered to the task's chunks. So a task runs exactly the stages and steps the local run
/// runs for those chunks, and writes exactly the bytes it would.
/// </summary>
internal sealed class ChunkSubsetExecutor(IReadOnlyCollection<long[]> chunks) : IChunkPlanExecutor
{
    private readonly HashSet<string> _owned = [.. chunks.Select(Key)];

    /// <inheritdoc />
    public Task<PipelineReport> RunAsync<TIn>(PipelineRun run, ChunkPlan<TIn> plan, IEnumerable<TIn> inputs)
        where TIn : class =>
        LocalExecutor.Instance.RunAsync(run, plan, inputs.Where(input => input is not ChunkRequest request || _owned.Contains(Key(request.CoordinatesArray))));

    private static string Key(long[] coordinates) => string.Join(',', coordinates);
}
