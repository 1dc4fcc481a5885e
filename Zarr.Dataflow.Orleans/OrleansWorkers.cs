using Orleans.Runtime;
using Zarr.Dataflow.Distributed;

namespace Zarr.Dataflow.Orleans;

/// <summary>
/// A cluster's silos as the workers of cluster jobs (<see cref="ClusterJobs"/>): each task is sent to a fresh
/// <see cref="ITaskGrain"/> (placed on any live silo); every transport failure (a dead silo, a rejected or timed-out
/// message) becomes a <see cref="WorkerLostException"/>, which the scheduler retries on its time budget.
/// </summary>
public sealed class OrleansWorkers : ITaskWorkers
{
    private readonly IGrainFactory _grains;

    /// <summary>Creates the workers over a cluster client (or a silo's grain factory).</summary>
    /// <param name="grains">The grain factory of a cluster client or silo.</param>
    /// <param name="slots">Tasks in flight at once across the cluster: the workers' slots together.</param>
    /// <param name="taskMemoryBudget">The memory one task may use on a worker, in bytes.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is not positive.</exception>
    public OrleansWorkers(IGrainFactory grains, int slots, long taskMemoryBudget)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(taskMemoryBudget, 1);
        _grains = grains;
        Slots = slots;
        TaskMemoryBudget = taskMemoryBudget;
    }

    /// <inheritdoc />
    public int Slots { get; }

    /// <inheritdoc />
    public long TaskMemoryBudget { get; }

    /// <summary>The number of live silos in the cluster now.</summary>
    /// <param name="grains">The grain factory of a cluster client or silo.</param>
    /// <returns>The silos Orleans' membership lists as active.</returns>
    public static async Task<int> CountSilosAsync(IGrainFactory grains)
    {
        ArgumentNullException.ThrowIfNull(grains);
        var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).ConfigureAwait(false);
        return hosts.Count;
    }

    /// <inheritdoc />
    public async Task<byte[]> RunAsync(byte[] task, CancellationToken cancellationToken)
    {
        try
        {
            return await _grains.GetGrain<ITaskGrain>(Guid.NewGuid()).RunAsync(task, cancellationToken).ConfigureAwait(false);
        }
        catch (OrleansException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new WorkerLostException($"a task was lost on the way to or from a silo ({ex.GetType().Name}: {ex.Message})", ex);
        }
        catch (TimeoutException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new WorkerLostException($"a task's receipt did not arrive in time ({ex.Message})", ex);
        }
    }
}
