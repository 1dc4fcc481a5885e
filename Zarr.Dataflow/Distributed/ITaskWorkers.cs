namespace Zarr.Dataflow.Distributed;

/// <summary>
/// Where a cluster job's tasks run: this process (<see cref="LocalWorkers"/>) or a cluster's workers (the Orleans
/// executor in Zarr.Dataflow.Orleans). A task travels as a small description (bytes, made and read by the engine) and
/// comes back as a small receipt; chunk bytes go only through the shared store.
/// </summary>
public interface ITaskWorkers
{
    /// <summary>How many tasks may be in flight at once across all workers (their slots).</summary>
    int Slots { get; }

    /// <summary>The memory one task may use on a worker, in bytes: a task projected to need more is refused before the job starts.</summary>
    long TaskMemoryBudget { get; }

    /// <summary>Runs one task on some worker and returns its receipt (both as the engine serialized them).</summary>
    /// <param name="task">The task's description.</param>
    /// <param name="cancellationToken">Cancels the task, on the worker too.</param>
    /// <exception cref="WorkerLostException">The task or its receipt was lost on the way (the scheduler retries it).</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    Task<byte[]> RunAsync(byte[] task, CancellationToken cancellationToken);
}
