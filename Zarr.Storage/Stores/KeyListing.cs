using System.Runtime.CompilerServices;

namespace Zarr.Storage;

/// <summary>Listing for stores whose keys are all in memory (memory, zip, consolidated snapshots): one piece of code for each rule.</summary>
internal static class KeyListing
{
    /// <summary>The entries whose key starts with <paramref name="prefix"/>.</summary>
    public static IEnumerable<StoreEntry> WithPrefix<TValue>(IEnumerable<KeyValuePair<string, TValue>> items, string prefix, Func<TValue, long> size)
    {
        foreach (var (key, value) in items)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                yield return new StoreEntry(key, size(value));
            }
        }
    }

    /// <summary>The names of the immediate children of the folder <paramref name="prefix"/>, each once.</summary>
    public static IEnumerable<string> ChildNames(IEnumerable<string> keys, string prefix)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var rest = key.AsSpan(prefix.Length);
            var slash = rest.IndexOf(StoreKey.Separator);
            var name = (slash < 0 ? rest : rest[..slash]).ToString();
            if (seen.Add(name))
            {
                yield return name;
            }
        }
    }

    /// <summary>An in-memory sequence as the stores' async listing, observing cancellation between items.</summary>
    public static async IAsyncEnumerable<T> ToAsync<T>(IEnumerable<T> items, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var item in items)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return item;
        }
    }
}
