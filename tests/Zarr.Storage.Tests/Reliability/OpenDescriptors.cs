namespace Zarr.Storage.Tests.Reliability;

/// <summary>What this process's open descriptors point at (<c>/proc/self/fd</c>): which files a store keeps open.</summary>
internal static class OpenDescriptors
{
    /// <summary>The targets of the open descriptors (those closed while being looked at are left out).</summary>
    public static List<string> Targets() =>
        [.. Directory.EnumerateFileSystemEntries("/proc/self/fd").Select(TargetOf).Where(t => t is not null).Select(t => t!)];

    /// <summary>Where a descriptor of /proc/self/fd points; null when it was closed while looked at.</summary>
    public static string? TargetOf(string fd)
    {
        try
        {
            return new FileInfo(fd).LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
