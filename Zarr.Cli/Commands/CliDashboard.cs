using System.CommandLine;
using System.Globalization;
using Zarr.Dataflow;
using Zarr.Dataflow.Dashboard;
using Zarr.Dataflow.Distributed;
using Zarr.Dataflow.Orleans;

namespace Zarr.Cli.Commands;

/// <summary>
/// <c>--dashboard PORT</c> of <c>copy</c>, <c>stats</c> and <c>worker</c>: a live web page of the job (or of the
/// worker's tasks) on http://127.0.0.1:PORT/ while the verb runs (Zarr.Dataflow.Dashboard), its address on stderr. The
/// page's cancel button cancels the job as Ctrl+C does. The page goes when the verb ends.
/// </summary>
internal sealed class CliDashboard(DashboardJob job)
{
    /// <summary>A new <c>--dashboard</c> option.</summary>
    public static Option<int?> CreateOption(string what) => new("--dashboard")
    {
        Description = $"Serve a live web page of the {what} on http://127.0.0.1:PORT/ while it runs (progress per stage, throughput, workers, cancel); 0 picks a free port. The address is printed on stderr.",
    };

    /// <summary>Runs <paramref name="work"/> with a dashboard on <paramref name="port"/>, or without one when it is null.</summary>
    /// <exception cref="UsageException">The port is not 0 to 65535.</exception>
    /// <exception cref="CliException">The port cannot be listened on.</exception>
    public static async Task RunAsync(CliConsole console, int? port, string name, Func<CliDashboard?, CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        if (port is not { } p)
        {
            await work(null, cancellationToken).ConfigureAwait(false);
            return;
        }

        var server = await StartAsync(console, p, cancellationToken).ConfigureAwait(false);
        await using (server.ConfigureAwait(false))
        {
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var job = server.Jobs.Add(name, cancel.Cancel);
            var run = work(new CliDashboard(job), cancel.Token);
            try
            {
                await run.ConfigureAwait(false);
            }
            finally
            {
                job.Finish(run);
            }
        }
    }

    /// <summary>Runs a worker with a dashboard of the tasks it runs (from the cluster meter and spans), or without one when <paramref name="port"/> is null.</summary>
    public static async Task RunWorkerAsync(CliConsole console, int? port, string name, Func<Task> work, CancellationToken cancellationToken)
    {
        if (port is not { } p)
        {
            await work().ConfigureAwait(false);
            return;
        }

        var server = await StartAsync(console, p, cancellationToken).ConfigureAwait(false);
        await using (server.ConfigureAwait(false))
        {
            var job = server.Jobs.Add(name);
            using var feed = ClusterWorkerFeed.Start(job, string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName} (pid {Environment.ProcessId})"));
            var run = work();
            try
            {
                await run.ConfigureAwait(false);
            }
            finally
            {
                job.Finish(run);
            }
        }
    }

    /// <summary>The progress factory of <see cref="CliProgress"/>, each run also shown on the page.</summary>
    public Func<string, IProgress<PipelineProgress>?> Tracked(Func<string, IProgress<PipelineProgress>?> progress) =>
        name => new Tee(progress(name), job.Phase(name));

    /// <summary>The cluster's workers, their tasks counted on the page.</summary>
    public ITaskWorkers Observed(ITaskWorkers workers, ClusterAddress cluster) => job.Observe(workers, cluster.IsLocal ? "local (this process)" : cluster.ToString());

    private static async Task<DashboardServer> StartAsync(CliConsole console, int port, CancellationToken cancellationToken)
    {
        if (port is < 0 or > 65535)
        {
            throw new UsageException($"--dashboard {port}: a TCP port is 0 to 65535");
        }

        DashboardServer server;
        try
        {
            server = await DashboardServer.StartAsync(new DashboardJobs(), port, null, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw new CliException($"--dashboard {port}: {ex.Message}", ex);
        }

        await console.Error.WriteLineAsync($"zarr: dashboard at {server.Url}").ConfigureAwait(false);
        return server;
    }

    /// <summary>The terminal's bar (when there is one) and the page.</summary>
    private sealed class Tee(IProgress<PipelineProgress>? terminal, IPipelineObserver page) : IPipelineObserver
    {
        public void Report(PipelineProgress value)
        {
            terminal?.Report(value);
            page.Report(value);
        }

        public void ReportStages(PipelineReport report) => page.ReportStages(report);
    }
}

/// <summary>The dashboard of a verb's run, or none: the same calls either way.</summary>
internal static class CliDashboardExtensions
{
    public static Func<string, IProgress<PipelineProgress>?> Track(this CliDashboard? dashboard, Func<string, IProgress<PipelineProgress>?> progress) =>
        dashboard is null ? progress : dashboard.Tracked(progress);

    public static ITaskWorkers Observe(this CliDashboard? dashboard, ITaskWorkers workers, ClusterAddress cluster) =>
        dashboard is null ? workers : dashboard.Observed(workers, cluster);
}
