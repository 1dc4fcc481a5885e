using System.Globalization;
using Zarr.Storage;

namespace Zarr.Benchmarks;

/// <summary>
/// The seam through which the cluster benchmark's workers see a slow store: the URL scheme
/// <c>latency:///ABSOLUTE/FOLDER?ms=20</c>, registered in every process of the benchmark (the client and each worker it
/// starts), opens the folder as a <see cref="DirectoryStore"/> wrapped in a <see cref="FaultInjectingStore"/> that delays
/// every request by <c>ms</c> milliseconds. Workers open stores by URL, so a scheme is all they need: the library and
/// <c>zarr worker</c> stay unchanged, and the job's tasks name the slow store as they would name an object store.
/// </summary>
internal static class LatencyStoreUrl
{
    public const string Scheme = "latency";

    public static string For(string folder, TimeSpan delay) =>
        string.Create(CultureInfo.InvariantCulture, $"{Scheme}://{Path.GetFullPath(folder)}?ms={delay.TotalMilliseconds:0}");

    public static void Register() => StoreUrl.Register(Scheme, Open);

    private static IStore Open(Uri url, StoreUrlOptions options)
    {
        var query = url.Query.TrimStart('?');
        const string Prefix = "ms=";
        if (!query.StartsWith(Prefix, StringComparison.Ordinal) || !int.TryParse(query.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
        {
            throw new ZarrStoreException(null, $"{Scheme}://{url.AbsolutePath}: the URL needs the delay per request as ?ms=N");
        }

        var folder = new DirectoryStore(Uri.UnescapeDataString(url.AbsolutePath), new DirectoryStoreOptions { ReadOnly = options.Mode == AccessMode.Read });
        return FaultInjectingStore.Wrap(folder, new FaultInjectingStoreOptions { Delay = TimeSpan.FromMilliseconds(ms) });
    }
}
