namespace Zarr.Storage.Tests.Reliability;

/// <summary>
/// The temporary and lock files (the reserved form <c>.name.&lt;16 hex&gt;.tmp</c>) a directory store's writers left in
/// its folder, but for the store's own lock file at the root (<see cref="DirectoryStoreFiles.StoreLockName"/>, one per
/// store, which stays while the store is used and goes with the next sweep that finds no key locked).
/// </summary>
internal static class LeftoverFiles
{
    public static List<string> In(string folder) =>
        [.. Directory.EnumerateFiles(folder, ".*.tmp", SearchOption.AllDirectories)
            .Where(f => StoreKey.IsTemporaryName(Path.GetFileName(f)))
            .Where(f => Path.GetFullPath(f) != Path.Join(Path.GetFullPath(folder), DirectoryStoreFiles.StoreLockName))];
}
