namespace Zarr.Storage;

/// <summary>
/// What a job that writes an array or group into a folder may delete when it does not finish (cancelled or failed),
/// decided before it writes anything: the topmost folder it is about to create (the destination, or a parent of it
/// that did not exist either), or else the contents of a destination folder that was empty or whose node is being
/// overwritten. Never a folder that existed before, nor anything beside the destination. <c>zarr copy</c> and the
/// AnalyticsService's copy jobs clean up through it.
/// </summary>
public sealed class DestinationFolder
{
    private static readonly string[] NodeDocuments = ["zarr.json", ".zarray", ".zgroup"];

    private readonly string _folder;
    private readonly bool _keepFolder;

    private DestinationFolder(string folder, bool keepFolder)
    {
        _folder = folder;
        _keepFolder = keepFolder;
    }

    /// <summary>Looks at the destination folder <paramref name="folder"/> before anything is written to it.</summary>
    /// <param name="folder">The destination folder (it may not exist yet).</param>
    /// <param name="relative">How messages name it (a path relative to a data root, or as the user gave it).</param>
    /// <param name="overwrite">Whether a node already there is being overwritten.</param>
    /// <returns>What the job may delete; null when nothing would be its own (an array or group there that is not overwritten, which creating then refuses).</returns>
    /// <exception cref="InvalidOperationException">The destination is a file, or a folder that holds something other than a Zarr array or group.</exception>
    public static DestinationFolder? Claim(string folder, string relative, bool overwrite)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (File.Exists(folder))
        {
            throw new InvalidOperationException($"the destination {relative} is a file; it must be a folder");
        }

        if (!Directory.Exists(folder))
        {
            var top = folder;
            for (var parent = Path.GetDirectoryName(top); parent is not null && !Path.Exists(parent); parent = Path.GetDirectoryName(parent))
            {
                top = parent;
            }

            return new DestinationFolder(top, keepFolder: false);
        }

        if (!Directory.EnumerateFileSystemEntries(folder).Any())
        {
            return new DestinationFolder(folder, keepFolder: true);
        }

        if (!NodeDocuments.Any(name => File.Exists(Path.Combine(folder, name))))
        {
            throw new InvalidOperationException($"the destination {relative} exists and is not a Zarr array or group; refusing to write into it");
        }

        return overwrite ? new DestinationFolder(folder, keepFolder: true) : null;
    }

    /// <summary>Deletes what the job wrote (best effort: what cannot be deleted stays, and the job's own error is the one reported).</summary>
    public void Delete()
    {
        try
        {
            if (!_keepFolder)
            {
                Directory.Delete(_folder, recursive: true);
                return;
            }

            foreach (var entry in new DirectoryInfo(_folder).EnumerateFileSystemInfos())
            {
                if (entry is DirectoryInfo directory)
                {
                    directory.Delete(recursive: true);
                }
                else
                {
                    entry.Delete();
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
