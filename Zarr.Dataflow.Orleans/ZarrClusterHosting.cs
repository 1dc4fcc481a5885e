using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Hosting;

namespace Zarr.Dataflow.Orleans;

/// <summary>Sets up silos and clients of a Zarr cluster: the task grain's services, and membership (local or Redis).</summary>
public static class ZarrClusterHosting
{
    /// <summary>The Orleans service id every Zarr cluster uses.</summary>
    public const string ServiceId = "zarr-dataflow";

    /// <summary>Makes the silo a worker: its slots and memory budget for the task grains it runs.</summary>
    /// <param name="silo">The silo.</param>
    /// <param name="options">The worker's capacity; null for the defaults.</param>
    /// <returns>The silo builder.</returns>
    public static ISiloBuilder AddZarrWorker(this ISiloBuilder silo, ZarrWorkerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(silo);
        var worker = options ?? new ZarrWorkerOptions();
        silo.Services.AddSingleton(new WorkerSlots(worker));
        return silo;
    }

    /// <summary>
    /// Joins the silo to <paramref name="address"/>'s membership, listening on loopback (local, or a Redis on loopback) or
    /// on this machine's address, on free ports; a dead silo is declared dead in about two seconds (probes every second,
    /// two missed, one vote), so that its tasks run again elsewhere soon.
    /// </summary>
    /// <param name="silo">The silo.</param>
    /// <param name="address">The cluster.</param>
    /// <returns>The silo builder.</returns>
    public static ISiloBuilder UseZarrMembership(this ISiloBuilder silo, ClusterAddress address)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsLocal)
        {
            silo.UseLocalhostClustering(FreePort(), FreePort(), null, ServiceId, address.ClusterId);
        }
        else
        {
            silo.UseRedisClustering(address.Redis!);
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = address.ClusterId;
                o.ServiceId = ServiceId;
            });
            silo.ConfigureEndpoints(AdvertisedAddress(address), FreePort(), FreePort(), listenOnAnyHostAddress: false);
        }

        silo.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = TimeSpan.FromSeconds(1);
            o.NumMissedProbesLimit = 2;
            o.NumVotesForDeathDeclaration = 1;
        });
        return silo;
    }

    /// <summary>Joins a client to <paramref name="address"/>'s membership (Redis only: the embedded cluster has no separate clients).</summary>
    /// <param name="client">The client.</param>
    /// <param name="address">The cluster.</param>
    /// <param name="responseTimeout">How long a task may take before its send counts as lost (longer than the longest task).</param>
    /// <returns>The client builder.</returns>
    /// <exception cref="ArgumentException">The address is the embedded cluster.</exception>
    public static IClientBuilder UseZarrMembership(this IClientBuilder client, ClusterAddress address, TimeSpan responseTimeout)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsLocal)
        {
            throw new ArgumentException("the embedded cluster has no separate clients: connect with ZarrCluster.ConnectAsync", nameof(address));
        }

        client.UseRedisClustering(address.Redis!);
        client.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = address.ClusterId;
            o.ServiceId = ServiceId;
        });
        client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = responseTimeout);
        return client;
    }

    private static IPAddress AdvertisedAddress(ClusterAddress address)
    {
        var host = address.Redis![..address.Redis!.LastIndexOf(':')];
        if (host is "localhost" || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip)))
        {
            return IPAddress.Loopback;
        }

        // A real cluster: the address other machines reach this one at.
        return Dns.GetHostAddresses(Dns.GetHostName()).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a)) ?? IPAddress.Loopback;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
