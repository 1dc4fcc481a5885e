using Zarr.Storage;

namespace Zarr.Dataflow.Distributed;

/// <summary>A task of a cluster job failed on its worker, or a task or receipt could not be read; the message names what.</summary>
public class ZarrClusterException : ZarrException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed, and where.</param>
    public ZarrClusterException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    /// <param name="message">What failed, and where.</param>
    /// <param name="innerException">The cause.</param>
    public ZarrClusterException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The transport could not deliver a task or its receipt (a worker died, a message was rejected or timed out). The
/// task may or may not have run; tasks are idempotent, so the scheduler runs it again elsewhere within its time budget.
/// A transport (<see cref="ITaskWorkers"/>) throws this for every failure that is not the task's own.
/// </summary>
public sealed class WorkerLostException : ZarrClusterException
{
    /// <summary>Creates the exception with its cause.</summary>
    /// <param name="message">What was lost, and where.</param>
    /// <param name="innerException">The transport's exception.</param>
    public WorkerLostException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
