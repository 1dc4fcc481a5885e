using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Zarr.Dataflow.Dashboard;

/// <summary>
/// A dashboard on its own Kestrel server, for a process that is not a web app (<c>zarr copy|stats|worker --dashboard PORT</c>):
/// the pages at the root, bound to 127.0.0.1 unless told otherwise. Dispose it to stop it.
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DashboardServer(WebApplication app, DashboardJobs jobs, Uri url)
    {
        _app = app;
        Jobs = jobs;
        Url = url;
    }

    /// <summary>The jobs it shows.</summary>
    public DashboardJobs Jobs { get; }

    /// <summary>Where it listens (the job list's address).</summary>
    public Uri Url { get; }

    /// <summary>Starts a dashboard for <paramref name="jobs"/> on <paramref name="port"/>.</summary>
    /// <param name="jobs">The jobs to show.</param>
    /// <param name="port">The TCP port; 0 for a free one (see <see cref="Url"/>).</param>
    /// <param name="address">The address to bind; null for 127.0.0.1 (this machine only).</param>
    /// <param name="cancellationToken">Cancels starting.</param>
    /// <returns>The running server.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is not 0 to 65535.</exception>
    /// <exception cref="IOException">The port is taken (the message names it).</exception>
    public static async Task<DashboardServer> StartAsync(DashboardJobs jobs, int port, IPAddress? address = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        var bind = address ?? IPAddress.Loopback;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(bind, port));
        var app = builder.Build();
        app.MapZarrDashboard(jobs, "");
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new IOException($"the dashboard cannot listen on {bind}:{port}: {ex.Message}", ex);
        }

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new DashboardServer(app, jobs, new Uri(bound.TrimEnd('/') + "/"));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // An open event stream must not hold the process: it is cut after a grace period.
        using (var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await _app.StopAsync(grace.Token).ConfigureAwait(false);
        }

        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
