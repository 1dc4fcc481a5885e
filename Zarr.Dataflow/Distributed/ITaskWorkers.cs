namespace Zarr.Dataflow.Distributed;

/// <summary>
/// Where a cluster job's tasks run: this process (<see cref="LocalWorkers"/>) or a cluster's workers (the Orleans
/// executor in Zarr.Dataflow.Orleans). A task travels as a small description (bytes, made and read by the engine) and
/// comes back as a small receipt; chunk bytes go only through the shared store. Each worker says how many tasks it runs
/// at once and how much memory one task may use there; the scheduler keeps to both.
/// </summary>
public interface ITaskWorkers
{
    /// <summary>The workers now, each with its slots and memory budget (as the workers report them).</summary>
    /// <param name="cancellationToken">Cancels the question.</param>
    /// <returns>The live workers; empty when there is none.</returns>
    Task<IReadOnlyList<TaskWorker>> GetWorkersAsync(CancellationToken cancellationToken);

    /// <summary>Runs one task on <paramref name="worker"/> and returns its receipt (both as the engine serialized them).</summary>
    /// <param name="worker">The worker, one of <see cref="GetWorkersAsync"/>'s; a worker gone since may be replaced by another.</param>
    /// <param name="task">The task's description.</param>
    /// <param name="cancellationToken">Cancels the task, on the worker too.</param>
    /// <exception cref="WorkerLostException">The task or its receipt was lost on the way (the scheduler retries it).</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    Task<byte[]> RunAsync(TaskWorker worker, byte[] task, CancellationToken cancellationToken);
}

/// <summary>A worker as it reports itself: how many tasks it runs at once, and the memory one of its tasks may use.</summary>
/// <param name="Id">The worker's identity (a silo's address, or <c>local</c>).</param>
/// <param name="Slots">Tasks it runs at once (at least 1).</param>
/// <param name="TaskMemoryBudget">Bytes one task may use there: a task projected to need more is not sent to it.</param>
public sealed record TaskWorker(string Id, int Slots, long TaskMemoryBudget);
