using System.Globalization;
using Zarr.Storage;

namespace Zarr.Dataflow.Orleans;

/// <summary>
/// Where a cluster's membership is: <c>local</c> (an in-process silo, nothing else needed) or
/// <c>redis://HOST:PORT[/CLUSTER]</c> (Orleans membership in Redis; the cluster id defaults to <c>zarr</c>).
/// </summary>
public sealed class ClusterAddress
{
    private ClusterAddress(string? redis, string clusterId)
    {
        Redis = redis;
        ClusterId = clusterId;
    }

    /// <summary>The embedded cluster: an in-process silo.</summary>
    public static ClusterAddress Local { get; } = new(null, "zarr");

    /// <summary>Whether this is the embedded cluster.</summary>
    public bool IsLocal => Redis is null;

    /// <summary>The Redis endpoint as <c>HOST:PORT</c>, or null for the embedded cluster.</summary>
    public string? Redis { get; }

    /// <summary>The Orleans cluster id (workers and clients of one cluster share it).</summary>
    public string ClusterId { get; }

    /// <summary>Parses <c>local</c> or <c>redis://HOST:PORT[/CLUSTER]</c>.</summary>
    /// <param name="text">The address.</param>
    /// <returns>The address.</returns>
    /// <exception cref="ZarrException">The text is neither.</exception>
    public static ClusterAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Equals("local", StringComparison.OrdinalIgnoreCase))
        {
            return Local;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || !url.Scheme.Equals("redis", StringComparison.OrdinalIgnoreCase) || url.Port <= 0 || url.Host.Length == 0)
        {
            throw new ZarrException($"'{text}' is not a cluster: use local or redis://HOST:PORT");
        }

        var cluster = url.AbsolutePath.Trim('/');
        return new ClusterAddress(string.Create(CultureInfo.InvariantCulture, $"{url.Host}:{url.Port}"), cluster.Length == 0 ? "zarr" : cluster);
    }

    /// <inheritdoc />
    public override string ToString() => IsLocal ? "local" : ClusterId == "zarr" ? $"redis://{Redis}" : $"redis://{Redis}/{ClusterId}";
}
