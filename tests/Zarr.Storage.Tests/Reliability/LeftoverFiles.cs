namespace Zarr.Storage.Tests.Reliability;

/// <summary>
/// The temporary and lock files (the reserved form <c>.name.&lt;16 hex&gt;.tmp</c>) a directory store's writers left in
/// its folders, but for the folders' own lock files (<see cref="DirectoryStoreFiles.StoreLockName"/>, one per folder whose
/// keys were locked, which stays while the store is used and goes with the next sweep that finds no key of it locked).
/// </summary>
internal static class LeftoverFiles
{
    public static List<string> In(string folder) =>
        [.. Directory.EnumerateFiles(folder, ".*.tmp", SearchOption.AllDirectories)
            .Where(f => StoreKey.IsTemporaryName(Path.GetFileName(f)))
            .Where(f => Path.GetFileName(f) != DirectoryStoreFiles.StoreLockName)];
}
