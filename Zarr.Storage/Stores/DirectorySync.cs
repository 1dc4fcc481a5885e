using System.Runtime.InteropServices;

namespace Zarr.Storage;

/// <summary>
/// Flushes a folder's entries (a rename into it) to the disk. .NET cannot open a folder as a file, so on Linux and
/// macOS this calls <c>open</c>/<c>fsync</c>/<c>close</c> from libc; elsewhere (Windows, where a folder
/// cannot be flushed this way and NTFS journals renames) it does nothing.
/// </summary>
internal static partial class DirectorySync
{
    private const int ORdOnly = 0;
    private const int OCloExecLinux = 0x80000;
    private const int OCloExecMacOS = 0x1000000;

    /// <summary>Flushes the folder <paramref name="path"/>; returns false where the system has no way to.</summary>
    /// <exception cref="IOException">The folder could not be opened or flushed.</exception>
    public static bool Flush(string path)
    {
        int flags;
        if (OperatingSystem.IsLinux())
        {
            flags = ORdOnly | OCloExecLinux;
        }
        else if (OperatingSystem.IsMacOS())
        {
            flags = ORdOnly | OCloExecMacOS;
        }
        else
        {
            return false;
        }

        var fd = Open(path, flags);
        if (fd < 0)
        {
            throw new IOException($"could not open the folder '{path}' to flush it: {Marshal.GetLastPInvokeErrorMessage()}", Marshal.GetLastPInvokeError());
        }

        try
        {
            if (FSync(fd) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                // EINVAL: the file system does not support flushing folders; nothing more can be done.
                if (errno != 22)
                {
                    throw new IOException($"could not flush the folder '{path}': {Marshal.GetLastPInvokeErrorMessage()}", errno);
                }
            }
        }
        finally
        {
            _ = Close(fd);
        }

        return true;
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FSync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
