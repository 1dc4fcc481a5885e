using Zarr.Dataflow.Distributed;
using Zarr.Dataflow.Orleans;
using Zarr.Storage;

namespace Zarr.AnalyticsService;

/// <summary>
/// The cluster the service sends its jobs to (<see cref="ServiceOptions.Cluster"/>), connected on the first job that
/// needs it and left when the app stops. Null <see cref="Address"/>: jobs run in this process's engine.
/// </summary>
internal sealed class ClusterAccess : IAsyncDisposable
{
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private ZarrClusterConnection? _connection;

    /// <exception cref="InvalidOperationException">The setting is neither <c>local</c> nor <c>redis://HOST:PORT</c>.</exception>
    public ClusterAccess(ServiceOptions options)
    {
        try
        {
            Address = options.Cluster is { } text ? ClusterAddress.Parse(text) : null;
        }
        catch (ZarrException ex)
        {
            throw new InvalidOperationException($"the setting Zarr:Cluster '{options.Cluster}' is not a cluster: {ex.Message}", ex);
        }
    }

    /// <summary>The cluster, or null for none.</summary>
    public ClusterAddress? Address { get; }

    /// <summary>The cluster's workers (connecting once); a cluster that cannot be reached fails the job that asked, naming it.</summary>
    public async Task<ITaskWorkers> WorkersAsync(CancellationToken cancellationToken)
    {
        var address = Address ?? throw new InvalidOperationException("no cluster is configured");
        await _connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connection is null)
            {
                try
                {
                    _connection = await ZarrCluster.ConnectAsync(address, null, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    throw new ZarrClusterException($"cluster {address}: {ex.Message}", ex);
                }
            }

            return _connection.Workers;
        }
        finally
        {
            _connecting.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }

        _connecting.Dispose();
    }
}
