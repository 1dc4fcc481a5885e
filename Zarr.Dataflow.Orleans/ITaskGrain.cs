namespace Zarr.Dataflow.Orleans;

/// <summary>
/// A worker's task runner as a grain, one task at a time per activation: a client places new activations on the worker
/// its scheduler chose (a placement hint) and reuses idle ones there; a task lost with its silo is sent again under
/// another key. Carries only the task's description and its receipt (bytes the engine made), never chunk bytes.
/// </summary>
public interface ITaskGrain : IGrainWithGuidKey
{
    /// <summary>Runs one task with the local engine on this silo, within the silo's slots and memory budget.</summary>
    /// <param name="task">The task's description.</param>
    /// <param name="cancellationToken">Cancels the task (Orleans forwards the cancellation to the silo).</param>
    /// <returns>The receipt.</returns>
    Task<byte[]> RunAsync(byte[] task, CancellationToken cancellationToken);
}
