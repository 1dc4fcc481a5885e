using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Zarr.Dataflow.Orleans;

/// <summary>A worker process's silo: joins a cluster, runs tasks until stopped, then leaves gracefully.</summary>
public static class ZarrWorkerHost
{
    /// <summary>
    /// Runs a worker silo in <paramref name="address"/>'s cluster until <paramref name="cancellationToken"/> is cancelled
    /// (SIGTERM or SIGINT in <c>zarr worker</c>); then the silo leaves gracefully: Orleans stops sending it tasks, the
    /// calls in progress end or fail, and the clients' schedulers send those tasks to other workers.
    /// </summary>
    /// <param name="address">The cluster (a Redis cluster for a separate worker process).</param>
    /// <param name="options">The worker's slots and memory.</param>
    /// <param name="started">Called once the silo is in the cluster; may be null.</param>
    /// <param name="logging">Sets up logging (an OpenTelemetry or console provider); may be null.</param>
    /// <param name="cancellationToken">Stops the worker.</param>
    /// <returns>A task that completes when the worker has left.</returns>
    public static async Task RunAsync(ClusterAddress address, ZarrWorkerOptions options, Action? started = null, Action<ILoggingBuilder>? logging = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(options);
        using var host = new HostBuilder()
            .ConfigureLogging(l => logging?.Invoke(l))
            .UseOrleans(silo => silo.UseZarrMembership(address).AddZarrWorker(options))
            .Build();
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        started?.Invoke();
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Asked to stop: leave the cluster below.
        }

        await host.StopAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
    }
}
