namespace Zarr.Storage;

/// <summary>
/// Opens plain paths for <see cref="StoreUrl"/>: a folder as a <see cref="DirectoryStore"/>, a path that runs through a
/// <c>.zip</c> file (<c>data.zip/group/array</c>) as a <see cref="ZipStore"/> viewed below the path inside it.
/// </summary>
internal static class StoreUrlPaths
{
    private const string ZipExtension = ".zip";

    /// <summary>The store of <paramref name="path"/> opened for <paramref name="mode"/> (see <see cref="StoreUrlOptions.Mode"/>).</summary>
    public static OpenedStore Open(string path, AccessMode mode)
    {
        var forCreate = mode is AccessMode.Append or AccessMode.Write or AccessMode.WriteNew;
        var (zipFile, inner) = Split(path, forCreate);
        if (zipFile is null)
        {
            var full = Path.GetFullPath(path);
            var directory = new DirectoryStore(path, new DirectoryStoreOptions { ReadOnly = mode == AccessMode.Read });
            return new OpenedStore(directory, full, full);
        }

        var zipMode = mode switch
        {
            AccessMode.Read => ZipStoreMode.Read,
            AccessMode.ReadWrite => ZipStoreMode.Append,
            _ => File.Exists(zipFile) ? ZipStoreMode.Append : ZipStoreMode.Create,
        };
        return new OpenedStore(new ZipStore(zipFile, new ZipStoreOptions { Mode = zipMode }), inner);
    }

    /// <summary>
    /// Splits <paramref name="path"/> into the zip file it runs through and the '/'-separated path inside it; the zip
    /// file is null when the path is a plain folder.
    /// </summary>
    /// <exception cref="ZarrStoreException">The path inside the zip file is not a valid key.</exception>
    private static (string? ZipFile, string Inner) Split(string path, bool forCreate)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full) ?? string.Empty;
        var components = full[root.Length..].Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar)
            .Where(c => c.Length > 0)
            .ToArray();
        var current = root;
        for (var i = 0; i < components.Length; i++)
        {
            current = Path.Combine(current, components[i]);
            if (!components[i].EndsWith(ZipExtension, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var isZip = forCreate ? !Directory.Exists(current) : File.Exists(current);
            if (!isZip)
            {
                continue;
            }

            var inner = string.Join(StoreKey.Separator, components[(i + 1)..]);
            if (inner.Length > 0 && StoreKey.GetKeyError(inner) is { } error)
            {
                throw new ZarrStoreException(null, $"{path}: '{inner}' is not a valid path inside the zip file {current}: {error}");
            }

            return (current, inner);
        }

        return (null, string.Empty);
    }
}
