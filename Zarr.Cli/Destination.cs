using Zarr.Storage;

namespace Zarr.Cli;

/// <summary>The checks every verb that creates (<c>import</c>, <c>create</c>, <c>copy</c>) makes on its destination.</summary>
internal static class Destination
{
    /// <summary>
    /// Refuses an existing destination unless <paramref name="overwrite"/>; even then, refuses a folder (or a path inside
    /// a zip file) that holds something but no Zarr node, so that <c>--overwrite</c> never deletes something that is not
    /// an array or group.
    /// </summary>
    public static async Task CheckAsync(OpenedNode node, string path, bool overwrite, CancellationToken cancellationToken)
    {
        var store = node.Store;
        if (node.Folder is { } folder)
        {
            if (File.Exists(folder))
            {
                throw new CliException($"{path} is a file; the destination must be a folder");
            }

            if (!Directory.Exists(folder) || !Directory.EnumerateFileSystemEntries(folder).Any())
            {
                return;
            }
        }
        else if (node.Zip is { } zip)
        {
            if (node.InnerPath.Length > 0 && await zip.ExistsAsync(node.InnerPath, cancellationToken).ConfigureAwait(false))
            {
                throw new CliException($"{path} is a file in {zip.Path}; the destination must be a folder");
            }

            if (!await HoldsAnythingAsync(store, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }
        else if (!await HoldsAnythingAsync(store, cancellationToken).ConfigureAwait(false))
        {
            return; // an object store's prefix (s3://, az://) with nothing below it
        }

        var (type, _) = await NodeLocation.ProbeAsync(store, cancellationToken).ConfigureAwait(false);
        if (type == NodeType.None)
        {
            throw new CliException($"{path} exists and is not a Zarr array or group; refusing to write into it");
        }

        if (!overwrite)
        {
            throw new CliException($"{path} already holds a Zarr {(type == NodeType.Array ? "array" : "group")} (use --overwrite to replace it)");
        }
    }

    /// <summary>True when the store holds at least one key.</summary>
    public static async Task<bool> HoldsAnythingAsync(IStore store, CancellationToken cancellationToken)
    {
        await foreach (var _ in store.ListPrefixAsync("", cancellationToken).ConfigureAwait(false))
        {
            return true;
        }

        return false;
    }
}
