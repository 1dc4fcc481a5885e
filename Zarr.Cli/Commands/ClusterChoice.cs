using System.CommandLine;
using Zarr.Dataflow.Orleans;
using Zarr.Storage;

namespace Zarr.Cli.Commands;

/// <summary>The <c>--cluster</c> option of the verbs that run a job (CLI.md, "Running on a cluster"), and what it needs.</summary>
internal static class ClusterChoice
{
    /// <summary>A new <c>--cluster</c> option.</summary>
    public static Option<string> CreateOption(string description) => new("--cluster") { Description = description };

    /// <summary>The cluster the option names; null when it was not given (the job runs in this process, as without a cluster).</summary>
    /// <exception cref="UsageException">The text is neither <c>local</c> nor <c>redis://HOST:PORT</c>.</exception>
    public static ClusterAddress? Parse(string? text)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            return ClusterAddress.Parse(text);
        }
        catch (ZarrException ex)
        {
            throw new UsageException($"--cluster: {ex.Message}", ex);
        }
    }

    /// <summary>Connects to the cluster; a cluster that cannot be reached or has no worker is a failure naming it.</summary>
    public static async Task<ZarrClusterConnection> ConnectAsync(ClusterAddress address, CancellationToken cancellationToken)
    {
        try
        {
            return await ZarrCluster.ConnectAsync(address, null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new CliException($"cluster {address}: {ex.Message}", ex);
        }
    }

    /// <summary>What a worker opens for PATH: the URL as given, or the path made absolute (workers do not share our current folder).</summary>
    public static string UrlOf(string path) => path.Contains("://", StringComparison.Ordinal) ? path : Path.GetFullPath(path);
}
