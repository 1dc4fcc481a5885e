using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Zarr.Dataflow.Distributed;

namespace Zarr.Dataflow.Orleans;

/// <summary>Connects to a cluster to run jobs on it (<see cref="ClusterJobs"/> with <see cref="ZarrClusterConnection.Workers"/>).</summary>
public static class ZarrCluster
{
    /// <summary>
    /// Connects to <paramref name="address"/>: the embedded cluster starts a silo in this process (the same grains and
    /// transport as a real cluster); a Redis cluster connects an Orleans client and counts the live workers.
    /// </summary>
    /// <param name="address">The cluster.</param>
    /// <param name="options">Slots, budgets and timeouts; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels connecting.</param>
    /// <returns>The connection; dispose it to leave the cluster.</returns>
    /// <exception cref="Zarr.Storage.ZarrException">The cluster has no live worker.</exception>
    public static async Task<ZarrClusterConnection> ConnectAsync(ClusterAddress address, ZarrClusterConnectOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        options ??= new ZarrClusterConnectOptions();
        var builder = new HostBuilder().ConfigureLogging(l => l.SetMinimumLevel(options.LogLevel));
        if (address.IsLocal)
        {
            var worker = options.LocalWorker ?? new ZarrWorkerOptions();
            builder.UseOrleans(silo => silo.UseZarrMembership(address).AddZarrWorker(worker));
            var host = builder.Build();
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
            var grains = host.Services.GetRequiredService<IGrainFactory>();
            return new ZarrClusterConnection(host, new OrleansWorkers(grains));
        }

        builder.UseOrleansClient(client => client.UseZarrMembership(address, options.ResponseTimeout));
        var clientHost = builder.Build();
        try
        {
            await clientHost.StartAsync(cancellationToken).ConfigureAwait(false);
            var grains = clientHost.Services.GetRequiredService<IClusterClient>();
            var silos = await OrleansWorkers.CountSilosAsync(grains).ConfigureAwait(false);
            if (silos == 0)
            {
                throw new ZarrClusterException($"the cluster {address} has no live worker");
            }

            return new ZarrClusterConnection(clientHost, new OrleansWorkers(grains));
        }
        catch
        {
            clientHost.Dispose();
            throw;
        }
    }
}

/// <summary>
/// How a client uses a cluster (the workers' slots and memory budgets are theirs: each reports its own). Defaults:
/// <see cref="ResponseTimeout"/> 60 s; <see cref="LogLevel"/> warnings.
/// </summary>
public sealed class ZarrClusterConnectOptions
{
    /// <summary>How long a task may run before its send counts as lost: longer than the longest task.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The embedded cluster's worker (slots and memory); null for the defaults.</summary>
    public ZarrWorkerOptions? LocalWorker { get; set; }

    /// <summary>The least level Orleans logs at.</summary>
    public LogLevel LogLevel { get; set; } = LogLevel.Warning;
}

/// <summary>A connection to a cluster: its workers, for <see cref="ClusterJobs"/>. Disposing it leaves the cluster (and stops the embedded silo).</summary>
public sealed class ZarrClusterConnection : IAsyncDisposable
{
    private readonly IHost _host;

    internal ZarrClusterConnection(IHost host, OrleansWorkers workers)
    {
        _host = host;
        Workers = workers;
    }

    /// <summary>The cluster's workers.</summary>
    public ITaskWorkers Workers { get; }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        finally
        {
            _host.Dispose();
        }
    }
}
