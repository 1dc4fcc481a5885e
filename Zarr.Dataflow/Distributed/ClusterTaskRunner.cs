using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;
using Zarr.Dataflow.Blocks;
using Zarr.Storage;

namespace Zarr.Dataflow.Distributed;

/// <summary>
/// What a worker does with a task: opens the stores by URL, runs the task's chunks through the local engine (the same
/// stages and steps a local run uses for them) and returns a receipt. A task that fails comes back as a receipt naming
/// the failure and the chunk, not as an exception, so that only transport failures travel as exceptions.
/// </summary>
public static class ClusterTaskRunner
{
    /// <summary>Runs one task (as <see cref="ITaskWorkers.RunAsync"/> received it) and returns its receipt.</summary>
    /// <param name="task">The task's description.</param>
    /// <param name="memoryBudget">The memory this worker allows one task, in bytes: a task projected to need more is refused without reading anything.</param>
    /// <param name="storeWrapper">Wraps each store the task opens (metering, a cache, a test's injected latency); null: the stores as opened.</param>
    /// <param name="cancellationToken">Cancels the task.</param>
    /// <returns>The receipt, serialized.</returns>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public static async Task<byte[]> RunAsync(byte[] task, long memoryBudget, Func<IStore, IStore>? storeWrapper = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        ClusterTask? description = null;
        using var activity = ClusterTelemetry.Source.StartActivity("zarr.task", ActivityKind.Consumer);
        try
        {
            description = ClusterTask.FromJson(task);
            activity?.SetTag("zarr.stage", description.Stage);
            activity?.SetTag("zarr.task", description.Index);
            if (description.ProjectedBytes > memoryBudget)
            {
                return new TaskReceipt
                {
                    Index = description.Index,
                    Error = $"{description.Describe()} needs {description.ProjectedBytes} bytes, more than this worker's budget of {memoryBudget} bytes per task",
                    ErrorChunk = description.Chunks.FirstOrDefault(),
                    Refused = true,
                }.ToJson();
            }

            var started = Stopwatch.GetTimestamp();
            var receipt = await RunAsync(description, storeWrapper ?? (static store => store), cancellationToken).ConfigureAwait(false);
            receipt = receipt with { WorkerSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds };
            ClusterTelemetry.ChunksProcessed.Add(receipt.Chunks);
            ClusterTelemetry.BytesRead.Add(receipt.BytesRead);
            ClusterTelemetry.BytesWritten.Add(receipt.BytesWritten);
            return receipt.ToJson();
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            var failure = ex as ZarrPipelineException;
            return new TaskReceipt
            {
                Index = description?.Index ?? -1,
                Error = ex is ZarrException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}",
                ErrorChunk = failure?.Coordinates?.ToArray() ?? description?.Chunks.FirstOrDefault(),
            }.ToJson();
        }
    }

    private static async Task<TaskReceipt> RunAsync(ClusterTask task, Func<IStore, IStore> wrap, CancellationToken cancellationToken)
    {
        var source = await StoreUrl.OpenAsync(task.SourceUrl, new StoreUrlOptions { Mode = AccessMode.Read }, cancellationToken).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            var array = await ZarrArray.OpenAsync(wrap(source.Store), task.SourcePath, AccessMode.Read, cancellationToken).ConfigureAwait(false);
            switch (task.Job)
            {
                case JobKinds.Copy:
                    var target = await StoreUrl.OpenAsync(task.TargetUrl ?? throw new ZarrClusterException($"{task.Describe()}: a copy task without a target"), new StoreUrlOptions { Mode = AccessMode.ReadWrite }, cancellationToken).ConfigureAwait(false);
                    await using (target.ConfigureAwait(false))
                    {
                        var output = await ZarrArray.OpenAsync(wrap(target.Store), task.TargetPath ?? "", AccessMode.ReadWrite, cancellationToken).ConfigureAwait(false);
                        return await array.DataType.Accept(new CopyWork(task, array, output, cancellationToken)).ConfigureAwait(false);
                    }

                case JobKinds.Statistics:
                case JobKinds.Histogram:
                    return await array.DataType.Accept(new ReduceWork(task, array, cancellationToken)).ConfigureAwait(false);
                default:
                    throw new ZarrClusterException($"{task.Describe()}: unknown job '{task.Job}'");
            }
        }
    }

    /// <summary>The options a task's own pipeline runs with: a few chunks at once (the worker's slots give the parallelism across tasks).</summary>
    internal static PipelineOptions TaskPipeline(IChunkPlanExecutor? executor = null)
    {
        var options = PipelineOptions.Uniform(TaskParallelism, TaskParallelism);
        if (executor is not null)
        {
            options.Executor = executor;
        }

        return options;
    }

    /// <summary>Chunks a task's pipeline holds per stage; the memory projection counts on it.</summary>
    internal const int TaskParallelism = 2;

    private sealed class CopyWork(ClusterTask task, ZarrArray source, ZarrArray target, CancellationToken cancellationToken) : ZarrDataTypeVisitor<Task<TaskReceipt>>
    {
        public override async Task<TaskReceipt> VisitNumber<T>()
        {
            var report = await Lazy.From(source.As<T>()).StoreAsync(target.As<T>(), TaskPipeline(new ChunkSubsetExecutor(task.Chunks)), cancellationToken).ConfigureAwait(false);
            return new TaskReceipt { Index = task.Index, Chunks = task.Chunks.Length, BytesRead = report.BytesRead, BytesWritten = report.BytesWritten };
        }

        protected override Task<TaskReceipt> VisitDefault(ZarrDataType dataType) =>
            throw new ZarrClusterException($"{task.Describe()}: a cluster copy needs a real number type; {task.SourcePath} is {dataType}");
    }

    /// <summary>One partial of a reduction: the task's chunks through the local engine's reduce step, serialized exactly.</summary>
    private sealed class ReduceWork(ClusterTask task, ZarrArray source, CancellationToken cancellationToken) : ZarrDataTypeVisitor<Task<TaskReceipt>>
    {
        public override async Task<TaskReceipt> VisitNumber<T>() => task.Job switch
        {
            JobKinds.Histogram => await RunAsync(new HistogramKernel<T>(task.Edges is { Length: >= 2 } edges ? edges : throw new ZarrClusterException($"{task.Describe()}: a histogram task without at least two bin edges")), HistogramPartials.Serialize).ConfigureAwait(false),
            _ => await RunAsync(new StatisticsKernel<T>(task.SkipNaN), StatisticsPartials.Serialize).ConfigureAwait(false),
        };

        protected override Task<TaskReceipt> VisitDefault(ZarrDataType dataType) =>
            throw new ZarrClusterException($"{task.Describe()}: a cluster {task.Job} needs a real number type; {task.SourcePath} is {dataType}");

        private async Task<TaskReceipt> RunAsync<T, TPartial, TOut>(ReductionKernel<T, TPartial, TOut> kernel, Func<TPartial, byte[]> serialize)
            where T : unmanaged, INumber<T>
            where TOut : unmanaged
        {
            var node = Lazy.From(source.As<T>()).Node;
            var plan = new AxisPlan(node.Shape, node.Chunks, task.Axes);
            var grid = node.Grid;
            TPartial? result = default;
            var produced = false;

            // The task's chunks are one subtree of its block's combine tree: combined here in that subtree's own tree
            // (positions relative to its first), so that the client's tree above gives the local run's bits.
            var report = await Planner.ReduceByKeyAsync(
                node,
                task.Chunks.Select(c => new ChunkRequest(c, ChunkRegion.OfChunk(grid, c))),
                c => (0, plan.PositionInKey(c, grid) - task.FirstPosition),
                task.Chunks.Length,
                chunk => kernel.Partial(MemoryMarshal.Cast<byte, T>(chunk.Buffer.Span)[..(int)chunk.Region.ElementCount], chunk.Region, plan),
                kernel.Combine,
                (partial, _, _) =>
                {
                    result = partial;
                    produced = true;
                    return ValueTask.FromResult(0L);
                },
                ReducePipeline(task.FanIn),
                cancellationToken).ConfigureAwait(false);
            return new TaskReceipt
            {
                Index = task.Index,
                Chunks = task.Chunks.Length,
                BytesRead = report.BytesRead,
                Partial = produced ? serialize(result!) : throw new ZarrClusterException($"{task.Describe()}: no partial was produced"),
            };
        }

        private static PipelineOptions ReducePipeline(int fanIn)
        {
            var options = TaskPipeline();
            options.FanIn = fanIn;
            return options;
        }
    }
}
