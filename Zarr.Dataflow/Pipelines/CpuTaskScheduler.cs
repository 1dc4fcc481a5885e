using System.Collections.Concurrent;

namespace Zarr.Dataflow.Pipelines;

/// <summary>
/// Dedicated threads, one per core, for the CPU stages (decode, compute, encode, reduce), shared by every pipeline in
/// the process as the thread pool is. CPU workers on the thread pool take every one of its threads (it keeps about one
/// per core until it decides to grow), and then the I/O completions, the dataflow hand-offs and the stages downstream
/// wait for a worker to finish: the next stage does not dispose its chunks, the pool hands out fresh ones, and two
/// workers run barely faster than one. On threads of their own, CPU work and everything else share the cores through
/// the operating system's scheduler instead. Each stage keeps its own degree of parallelism.
/// </summary>
internal sealed class CpuTaskScheduler : TaskScheduler
{
    [ThreadStatic]
    private static bool _onWorker;

    private readonly BlockingCollection<Task> _queue = [];
    private readonly int _threads;

    private CpuTaskScheduler(int threads)
    {
        _threads = threads;
        for (var i = 0; i < threads; i++)
        {
            new Thread(Work) { IsBackground = true, Name = $"Zarr.Dataflow CPU {i}" }.Start();
        }
    }

    /// <summary>The process's scheduler: one thread per core.</summary>
    public static CpuTaskScheduler Shared { get; } = new(Environment.ProcessorCount);

    /// <inheritdoc />
    public override int MaximumConcurrencyLevel => _threads;

    /// <inheritdoc />
    protected override void QueueTask(Task task) => _queue.Add(task);

    /// <inheritdoc />
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => _onWorker && TryExecuteTask(task);

    /// <inheritdoc />
    protected override IEnumerable<Task> GetScheduledTasks() => _queue.ToArray();

    private void Work()
    {
        _onWorker = true;
        foreach (var task in _queue.GetConsumingEnumerable())
        {
            TryExecuteTask(task);
        }
    }
}
