using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using Zarr.Dataflow.Blocks;
using Zarr.Storage;

namespace Zarr.Dataflow.Distributed;

/// <summary>
/// Jobs run as idempotent tasks on workers (<see cref="ITaskWorkers"/>: this process, or a cluster), reading and writing
/// through a store every worker opens by the same URL. Each job is planned once into stages of tasks; each task owns
/// a set of output chunks (or one partial of a reduction); results are bit-identical to the local engine's.
/// </summary>
public static class ClusterJobs
{
    /// <summary>
    /// The statistics of an array over some axes, as <see cref="LazyArrayReductions"/>' <c>StatisticsAsync(axes, 0, skipNaN)</c>
    /// gives them, bit for bit: each task reduces one whole subtree of a result block's combine tree (a power of the
    /// fan-in of consecutive chunks), and the partials combine here in the levels above, the same fixed tree.
    /// </summary>
    /// <typeparam name="T">The element type (the array's).</typeparam>
    /// <param name="workers">Where the tasks run.</param>
    /// <param name="storeUrl">The store's URL (or absolute path), as every worker can open it.</param>
    /// <param name="arrayPath">The array's path in the store.</param>
    /// <param name="axes">The axes to reduce; null for every axis.</param>
    /// <param name="skipNaN">Whether NaNs are left out (numpy's nan* functions).</param>
    /// <param name="options">Retries, task size, fan-in and progress; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the job on every worker.</param>
    /// <exception cref="ZarrPipelineException">A task failed for good, or was lost for longer than the retry budget; names the stage and chunk.</exception>
    /// <exception cref="ZarrClusterException">A task would not fit a worker's memory budget (before anything runs).</exception>
    /// <exception cref="ZarrTypeMismatchException">The array's element type is not <typeparamref name="T"/>.</exception>
    public static async Task<ArrayStatistics<T>> StatisticsAsync<T>(ITaskWorkers workers, string storeUrl, string arrayPath, int[]? axes, bool skipNaN, ClusterJobOptions? options = null, CancellationToken cancellationToken = default)
        where T : unmanaged, INumber<T>
    {
        ArgumentNullException.ThrowIfNull(workers);
        ArgumentException.ThrowIfNullOrEmpty(storeUrl);
        ArgumentNullException.ThrowIfNull(arrayPath);
        options ??= new ClusterJobOptions();
        using var activity = ClusterTelemetry.Source.StartActivity("zarr.job");
        activity?.SetTag("zarr.job", JobKinds.Statistics);
        var opened = await StoreUrl.OpenAsync(storeUrl, new StoreUrlOptions { Mode = AccessMode.Read }, cancellationToken).ConfigureAwait(false);
        await using var openedScope = opened.ConfigureAwait(false);
        var array = await ZarrArray.OpenAsync<T>(opened.Store, arrayPath, AccessMode.Read, cancellationToken).ConfigureAwait(false);
        var lazy = Lazy.From(array);
        var node = lazy.Node;
        if (node.Grid.ChunkCount == 0)
        {
            // Nothing to read: no task to send; the engine gives the empty cells' results.
            return await lazy.StatisticsAsync(axes, 0, skipNaN, null, cancellationToken).ConfigureAwait(false);
        }

        var plan = new AxisPlan(node.Shape, node.Chunks, axes);
        var template = new ClusterTask { Job = JobKinds.Statistics, Stage = ReduceStage, Index = 0, SourceUrl = storeUrl, SourcePath = arrayPath, Axes = axes, SkipNaN = skipNaN, Chunks = [] };
        var cells = await ReduceAsync(workers, node, plan, new StatisticsKernel<T>(skipNaN), template, 64, StatisticsPartials.Deserialize<T>, options, cancellationToken).ConfigureAwait(false);
        return ArrayStatistics<T>.FromCells(cells, (long[])plan.Kept.Clone(), 0, skipNaN);
    }

    /// <summary>
    /// numpy's <c>histogram(x, bins=edges)</c> over some axes, as <see cref="LazyArrayReductions"/>' <c>Histogram(edges, axes)</c>
    /// counts it: one histogram per cell of the kept axes. Each task counts one whole subtree of a result block's
    /// combine tree and the partials combine here in the levels above, the same fixed tree as the local engine's.
    /// </summary>
    /// <typeparam name="T">The element type (the array's).</typeparam>
    /// <param name="workers">Where the tasks run.</param>
    /// <param name="storeUrl">The store's URL (or absolute path), as every worker can open it.</param>
    /// <param name="arrayPath">The array's path in the store.</param>
    /// <param name="edges">The bins' edges, increasing: bins [e₀, e₁), …, [eₙ₋₁, eₙ]; values outside them and NaN are not counted.</param>
    /// <param name="axes">The axes to reduce; null for every axis.</param>
    /// <param name="options">Retries, task size, fan-in and progress; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the job on every worker.</param>
    /// <returns>The counts in C order over the kept axes' shape plus a last axis of bins (every axis reduced: one histogram, [bins]).</returns>
    /// <exception cref="ArgumentException">Fewer than two edges, or edges not increasing.</exception>
    /// <exception cref="ZarrPipelineException">A task failed for good, or was lost for longer than the retry budget; names the stage and chunk.</exception>
    /// <exception cref="ZarrClusterException">A task would not fit a worker's memory budget (before anything runs).</exception>
    /// <exception cref="ZarrTypeMismatchException">The array's element type is not <typeparamref name="T"/>.</exception>
    public static async Task<long[]> HistogramAsync<T>(ITaskWorkers workers, string storeUrl, string arrayPath, double[] edges, int[]? axes, ClusterJobOptions? options = null, CancellationToken cancellationToken = default)
        where T : unmanaged, INumber<T>
    {
        ArgumentNullException.ThrowIfNull(workers);
        ArgumentException.ThrowIfNullOrEmpty(storeUrl);
        ArgumentNullException.ThrowIfNull(arrayPath);
        ArgumentNullException.ThrowIfNull(edges);
        options ??= new ClusterJobOptions();
        using var activity = ClusterTelemetry.Source.StartActivity("zarr.job");
        activity?.SetTag("zarr.job", JobKinds.Histogram);
        var opened = await StoreUrl.OpenAsync(storeUrl, new StoreUrlOptions { Mode = AccessMode.Read }, cancellationToken).ConfigureAwait(false);
        await using var openedScope = opened.ConfigureAwait(false);
        var array = await ZarrArray.OpenAsync<T>(opened.Store, arrayPath, AccessMode.Read, cancellationToken).ConfigureAwait(false);
        var lazy = Lazy.From(array);

        // The local reduction checks the edges and axes, and gives the empty array's counts without any task.
        var local = lazy.Histogram(edges, axes);
        var node = lazy.Node;
        if (node.Grid.ChunkCount == 0)
        {
            return await local.ToArrayAsync(null, cancellationToken).ConfigureAwait(false);
        }

        var plan = new AxisPlan(node.Shape, node.Chunks, axes);
        var bins = edges.Length - 1;
        var template = new ClusterTask { Job = JobKinds.Histogram, Stage = ReduceStage, Index = 0, SourceUrl = storeUrl, SourcePath = arrayPath, Axes = axes, Edges = edges, Chunks = [] };
        return await ReduceAsync(workers, node, plan, new HistogramKernel<T>((double[])edges.Clone()), template, 8L * bins, (bytes, cells) => HistogramPartials.Deserialize(bytes, cells, bins), options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A reduction as tasks: each task reduces one whole subtree of a result block's combine tree (a power of the fan-in
    /// of consecutive chunks) on a worker; the partials combine here in the levels above, the local engine's fixed tree,
    /// and each finished block is scattered into the result (the kept axes in C order, <c>kernel.Extra</c> values a cell).
    /// </summary>
    private static async Task<TOut[]> ReduceAsync<T, TPartial, TOut>(
        ITaskWorkers workers,
        LazyNode<T> node,
        AxisPlan plan,
        ReductionKernel<T, TPartial, TOut> kernel,
        ClusterTask template,
        long partialBytesPerCell,
        Func<byte[], int, TPartial> deserialize,
        ClusterJobOptions options,
        CancellationToken cancellationToken)
        where T : unmanaged
        where TOut : unmanaged
    {
        var grid = node.Grid;
        var fanIn = options.FanIn;
        long subtree = 1;
        while (subtree * fanIn <= options.ChunksPerTask)
        {
            subtree *= fanIn;
        }

        var chunkBytes = grid.ChunkShape.Aggregate(1L, (a, b) => a * b) * Unsafe.SizeOf<T>();
        var tasks = new List<ClusterTask>();
        var current = new List<long[]>();
        long first = 0;
        foreach (var request in plan.Requests(grid))
        {
            var position = plan.PositionInKey(request.Coordinates, grid);
            if (position % subtree == 0 && current.Count > 0)
            {
                tasks.Add(ReduceTask(current, first));
                current = [];
            }

            if (current.Count == 0)
            {
                first = position;
            }

            current.Add(request.CoordinatesArray);
        }

        tasks.Add(ReduceTask(current, first));
        var progress = new JobProgress(grid.ChunkCount, options.Progress);
        var scheduler = await StageScheduler.CreateAsync(workers, options, progress, cancellationToken).ConfigureAwait(false);
        scheduler.CheckBudget(tasks);

        var extra = kernel.Extra;
        var chunksPerKey = plan.ChunksPerKey(grid);
        var partialsPerKey = (chunksPerKey + subtree - 1) / subtree;
        var kept = plan.Kept;
        var keptExtra = extra > 1 || kernel.Binned ? [.. kept, extra] : kept;
        var result = new TOut[checked((int)(kept.Aggregate(1L, (a, b) => a * b) * extra))];
        var blocks = new Dictionary<long, (OrderedTreeCombiner<TPartial> Combiner, long Count)>();
        await scheduler.RunAsync(ReduceStage, tasks, (task, receipt) =>
        {
            var region = ChunkRegion.OfChunk(grid, task.Chunks[0]);
            var partial = deserialize(receipt.Partial ?? throw new ZarrClusterException($"{task.Describe()}: the receipt has no partial"), plan.CellsOf(region));
            var key = plan.KeyOf(task.Chunks[0], grid);
            lock (blocks)
            {
                if (!blocks.TryGetValue(key, out var block))
                {
                    block = (new OrderedTreeCombiner<TPartial>(kernel.Combine, fanIn, partialsPerKey), 0);
                }

                block.Combiner.Add(task.FirstPosition / subtree, partial);
                block.Count++;
                blocks[key] = block;
                if (block.Count < partialsPerKey)
                {
                    return;
                }

                blocks.Remove(key);
                var (start, shape) = plan.KeptBox(region);
                var values = new TOut[shape.Aggregate(1, (a, b) => a * b) * extra];
                kernel.Finish(block.Combiner.Finish(), values);
                if (keptExtra.Length > kept.Length)
                {
                    start = [.. start, 0];
                    shape = [.. shape, extra];
                }

                Boxes.Scatter<TOut>(values, shape, result, keptExtra, start);
            }
        }, cancellationToken).ConfigureAwait(false);
        progress.Finish();
        return result;

        ClusterTask ReduceTask(List<long[]> chunks, long firstPosition)
        {
            var region = ChunkRegion.OfChunk(grid, chunks[0]);
            // The chunks in the task's pipeline (decoded, and fetched beside them), and the partials of its combine tree.
            var partialBytes = plan.CellsOf(region) * partialBytesPerCell * (2 + (long)Math.Ceiling(Math.Log(Math.Max(2, chunks.Count), fanIn)));
            return template with
            {
                Index = tasks.Count,
                Chunks = [.. chunks],
                FirstPosition = firstPosition,
                FanIn = fanIn,
                ProjectedBytes = (3L * ClusterTaskRunner.TaskParallelism * chunkBytes) + partialBytes,
            };
        }
    }

    /// <summary>
    /// Copies an array into an existing array of the same shape and element type (any chunks, codecs, format): each task
    /// owns a run of the target's chunks and writes them whole through the engine's store path, as a local
    /// <see cref="LazyArray{T}.StoreAsync(ZarrArray{T}, PipelineOptions?, CancellationToken)"/> writes them.
    /// </summary>
    /// <param name="workers">Where the tasks run.</param>
    /// <param name="sourceUrl">The source store's URL (or absolute path).</param>
    /// <param name="sourcePath">The source array's path in it.</param>
    /// <param name="targetUrl">The target store's URL (or absolute path), writable by every worker.</param>
    /// <param name="targetPath">The target array's path in it.</param>
    /// <param name="options">Retries, task size and progress; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the job on every worker.</param>
    /// <returns>What the tasks did.</returns>
    /// <exception cref="ZarrPipelineException">A task failed for good, or was lost for longer than the retry budget; names the stage and chunk.</exception>
    /// <exception cref="ZarrClusterException">The arrays differ in shape or type, or a task would not fit a worker's memory budget.</exception>
    public static async Task<ClusterJobReport> CopyAsync(ITaskWorkers workers, string sourceUrl, string sourcePath, string targetUrl, string targetPath, ClusterJobOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workers);
        ArgumentException.ThrowIfNullOrEmpty(sourceUrl);
        ArgumentNullException.ThrowIfNull(sourcePath);
        ArgumentException.ThrowIfNullOrEmpty(targetUrl);
        ArgumentNullException.ThrowIfNull(targetPath);
        options ??= new ClusterJobOptions();
        using var activity = ClusterTelemetry.Source.StartActivity("zarr.job");
        activity?.SetTag("zarr.job", JobKinds.Copy);
        var sourceStore = await StoreUrl.OpenAsync(sourceUrl, new StoreUrlOptions { Mode = AccessMode.Read }, cancellationToken).ConfigureAwait(false);
        await using var sourceScope = sourceStore.ConfigureAwait(false);
        var targetStore = await StoreUrl.OpenAsync(targetUrl, new StoreUrlOptions { Mode = AccessMode.Read }, cancellationToken).ConfigureAwait(false);
        await using var targetScope = targetStore.ConfigureAwait(false);
        var source = await ZarrArray.OpenAsync(sourceStore.Store, sourcePath, AccessMode.Read, cancellationToken).ConfigureAwait(false);
        var target = await ZarrArray.OpenAsync(targetStore.Store, targetPath, AccessMode.Read, cancellationToken).ConfigureAwait(false);
        if (!source.Shape.SequenceEqual(target.Shape) || source.DataType != target.DataType)
        {
            throw new ZarrClusterException($"cannot copy {sourcePath} ({string.Join(", ", source.Shape)}; {source.DataType}) into {targetPath} ({string.Join(", ", target.Shape)}; {target.DataType}): shapes and types must match");
        }

        var grid = target.Grid;
        var itemSize = source.DataType.ItemSize;
        var targetChunkBytes = grid.ChunkShape.Aggregate(1L, (a, b) => a * b) * itemSize;

        // A target chunk read from a source on another grid decodes every source chunk it touches.
        var sameGrid = source.Grid.ChunkShape.SequenceEqual(grid.ChunkShape);
        var touched = sameGrid ? 1L : grid.ChunkShape.Select((c, d) => Math.Min(source.Grid.GridShape[d], ((c + source.Chunks[d] - 1) / source.Chunks[d]) + 1)).Aggregate(1L, (a, b) => a * b);
        var sourceChunkBytes = source.Chunks.Aggregate(1L, (a, b) => a * b) * itemSize;
        var projected = ClusterTaskRunner.TaskParallelism * ((3 * targetChunkBytes) + (sameGrid ? 0 : touched * sourceChunkBytes));
        var tasks = new List<ClusterTask>();
        foreach (var run in ChunkBlocks.Requests(grid).Select(r => r.CoordinatesArray).Chunk(options.ChunksPerTask))
        {
            tasks.Add(new ClusterTask
            {
                Job = JobKinds.Copy,
                Stage = CopyStage,
                Index = tasks.Count,
                SourceUrl = sourceUrl,
                SourcePath = sourcePath,
                TargetUrl = targetUrl,
                TargetPath = targetPath,
                Chunks = run,
                ProjectedBytes = projected,
            });
        }

        var progress = new JobProgress(grid.ChunkCount, options.Progress);
        var scheduler = await StageScheduler.CreateAsync(workers, options, progress, cancellationToken).ConfigureAwait(false);
        scheduler.CheckBudget(tasks);
        await scheduler.RunAsync(CopyStage, tasks, static (_, _) => { }, cancellationToken).ConfigureAwait(false);
        progress.Finish();
        return new ClusterJobReport(tasks.Count, progress.Chunks, progress.BytesRead, progress.BytesWritten, scheduler.Retries, progress.Elapsed, scheduler.Backups, scheduler.BackupWins);
    }

    /// <summary>The stage name of a copy's tasks (named in failures).</summary>
    public const string CopyStage = "Copy";

    /// <summary>The stage name of a reduction's partial tasks (named in failures).</summary>
    public const string ReduceStage = "Reduce";
}

/// <summary>What a cluster job's tasks did.</summary>
/// <param name="Tasks">The tasks the job was planned into.</param>
/// <param name="Chunks">The chunks the tasks processed.</param>
/// <param name="BytesRead">Bytes the tasks read from stores (a chunk read by several tasks counts each time).</param>
/// <param name="BytesWritten">Bytes the tasks wrote.</param>
/// <param name="Retries">Tasks sent again after a lost worker or a task error.</param>
/// <param name="Elapsed">The job's wall-clock time.</param>
/// <param name="Backups">Backup copies of straggling tasks sent to another worker.</param>
/// <param name="BackupWins">Backup copies whose receipt came before the straggler's.</param>
public sealed record ClusterJobReport(int Tasks, long Chunks, long BytesRead, long BytesWritten, long Retries, TimeSpan Elapsed, long Backups, long BackupWins);
