namespace Zarr.Dataflow.Distributed;

/// <summary>
/// This process as the workers of a cluster job: the same tasks, descriptions and receipts as on a cluster, run here.
/// What <c>--cluster local</c> means, and the reference a cluster's result is compared with.
/// </summary>
public sealed class LocalWorkers : ITaskWorkers
{
    /// <summary>Creates the workers.</summary>
    /// <param name="slots">Tasks at once; null: the number of cores.</param>
    /// <param name="taskMemoryBudget">Bytes one task may use; null: a quarter of the memory available to this process.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is not positive.</exception>
    public LocalWorkers(int? slots = null, long? taskMemoryBudget = null)
    {
        Slots = slots ?? Environment.ProcessorCount;
        TaskMemoryBudget = taskMemoryBudget ?? (GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4);
        ArgumentOutOfRangeException.ThrowIfLessThan(Slots, 1, nameof(slots));
        ArgumentOutOfRangeException.ThrowIfLessThan(TaskMemoryBudget, 1, nameof(taskMemoryBudget));
    }

    /// <summary>Tasks at once.</summary>
    public int Slots { get; }

    /// <summary>Bytes one task may use.</summary>
    public long TaskMemoryBudget { get; }

    /// <inheritdoc />
    public Task<IReadOnlyList<TaskWorker>> GetWorkersAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<TaskWorker>>([new TaskWorker("local", Slots, TaskMemoryBudget)]);

    /// <inheritdoc />
    public Task<byte[]> RunAsync(TaskWorker worker, byte[] task, CancellationToken cancellationToken) => ClusterTaskRunner.RunAsync(task, TaskMemoryBudget, null, cancellationToken);
}
