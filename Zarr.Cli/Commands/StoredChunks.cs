using Zarr.Storage;

namespace Zarr.Cli.Commands;

/// <summary>The chunks an array has in its store, found by listing it.</summary>
internal static class StoredChunks
{
    /// <summary>Every stored chunk of the array: its coordinates, key (relative to the store) and size.</summary>
    public static async IAsyncEnumerable<(long[] Coordinates, string Key, long Size)> ListAsync(ZarrArray array, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(array);
        var metadata = array.Metadata;
        var prefix = array.Path.Length == 0 ? "" : array.Path + "/";
        await foreach (var entry in array.Store.ListPrefixAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            var coordinates = new long[metadata.Rank];
            if (metadata.ChunkKeyEncoding.TryDecode(entry.Key[prefix.Length..], metadata.Rank, coordinates) && array.Grid.Contains(coordinates))
            {
                yield return (coordinates, entry.Key, entry.Size);
            }
        }
    }

    /// <summary>How many chunks the array has stored, and their bytes.</summary>
    public static async Task<(long Chunks, long Bytes)> MeasureAsync(ZarrArray array, CancellationToken cancellationToken)
    {
        long chunks = 0, bytes = 0;
        await foreach (var (_, _, size) in ListAsync(array, cancellationToken).ConfigureAwait(false))
        {
            chunks++;
            bytes += size;
        }

        return (chunks, bytes);
    }
}
