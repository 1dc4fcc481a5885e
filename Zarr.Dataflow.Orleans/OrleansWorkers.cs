using System.Collections.Concurrent;
using Orleans.Runtime;
using Orleans.Runtime.Placement;
using Zarr.Dataflow.Distributed;

namespace Zarr.Dataflow.Orleans;

/// <summary>
/// A cluster's silos as the workers of cluster jobs (<see cref="ClusterJobs"/>): each live silo reports its slots and
/// memory budget (<see cref="IWorkerGrain"/>); each task is sent to an idle <see cref="ITaskGrain"/> activation on the
/// silo the scheduler chose, or a new one placed there (a placement hint; a silo gone meanwhile: any live one). Reusing
/// activations spares each task an activation, its directory entry and its deactivation. Every transport failure (a dead
/// silo, a rejected or timed-out message) becomes a <see cref="WorkerLostException"/>, which the scheduler retries on
/// its time budget.
/// </summary>
public sealed class OrleansWorkers : ITaskWorkers
{
    /// <summary>How long a silo may take to report itself before it is left out (a silo dying, not yet declared dead).</summary>
    private static readonly TimeSpan ReportTimeout = TimeSpan.FromSeconds(5);

    private readonly IGrainFactory _grains;

    // Per worker, the keys of its task grain activations that are not running a task now.
    private readonly ConcurrentDictionary<string, ConcurrentBag<Guid>> _idle = new(StringComparer.Ordinal);

    /// <summary>Creates the workers over a cluster client (or a silo's grain factory).</summary>
    /// <param name="grains">The grain factory of a cluster client or silo.</param>
    public OrleansWorkers(IGrainFactory grains)
    {
        ArgumentNullException.ThrowIfNull(grains);
        _grains = grains;
    }

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
    /// <remarks>Silos that do not answer within a few seconds, or are not workers, are left out.</remarks>
    public async Task<IReadOnlyList<TaskWorker>> GetWorkersAsync(CancellationToken cancellationToken)
    {
        Dictionary<SiloAddress, SiloStatus> hosts;
        try
        {
            hosts = await _grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            throw new WorkerLostException($"the cluster's membership could not be read ({ex.GetType().Name}: {ex.Message})", ex);
        }

        var reports = await Task.WhenAll(hosts.Keys.Select(silo => ReportAsync(silo, cancellationToken))).ConfigureAwait(false);
        return [.. reports.OfType<TaskWorker>()];
    }

    /// <inheritdoc />
    public async Task<byte[]> RunAsync(TaskWorker worker, byte[] task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(worker);
        var idle = _idle.GetOrAdd(worker.Id, static _ => []);
        if (!idle.TryTake(out var key))
        {
            key = Guid.NewGuid();
        }

        try
        {
            // The hint places a new activation on the chosen silo (Orleans ignores it for a silo no longer live).
            RequestContext.Set(IPlacementDirector.PlacementHintKey, SiloAddress.FromParsableString(worker.Id));
            var call = _grains.GetGrain<ITaskGrain>(key).RunAsync(task, cancellationToken);
            RequestContext.Remove(IPlacementDirector.PlacementHintKey);
            var receipt = await call.ConfigureAwait(false);

            // Only an activation that answered goes back: one lost or cancelled may be gone, or still busy.
            idle.Add(key);
            return receipt;
        }
        catch (OrleansException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new WorkerLostException($"a task was lost on the way to or from silo {worker.Id} ({ex.GetType().Name}: {ex.Message})", ex);
        }
        catch (TimeoutException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new WorkerLostException($"a task's receipt did not arrive from silo {worker.Id} in time ({ex.Message})", ex);
        }
    }

    private async Task<TaskWorker?> ReportAsync(SiloAddress silo, CancellationToken cancellationToken)
    {
        var id = silo.ToParsableString();
        try
        {
            RequestContext.Set(IPlacementDirector.PlacementHintKey, silo);
            var call = _grains.GetGrain<IWorkerGrain>(id).GetCapacityAsync();
            RequestContext.Remove(IPlacementDirector.PlacementHintKey);
            var (where, slots, budget) = await call.WaitAsync(ReportTimeout, cancellationToken).ConfigureAwait(false);

            // An activation placed elsewhere (the silo was not live where it was placed) reports another silo: not this one.
            return where == id && slots > 0 ? new TaskWorker(id, slots, budget) : null;
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}
