using Microsoft.Win32.SafeHandles;

namespace Zarr.Storage;

/// <summary>
/// A key's lock file, held (see <see cref="FolderWriter.TryLock"/>). Disposing it releases the lock; on Linux it first
/// unlinks the lock file, so lock files do not pile up beside the chunks: a process that opened the file before the
/// unlink and then takes its lock sees that it has no name any more (<see cref="LinuxFolderCalls.LinkCount"/>) and
/// starts again on the new file.
/// </summary>
internal sealed class FolderWriterLock(SafeFileHandle file, SafeFileHandle? folder, string? name) : IDisposable
{
    /// <summary>Unlinks the lock file (when it is to go), then closes it, which releases the lock.</summary>
    public void Dispose()
    {
        if (folder is not null)
        {
            // Best effort, and while the lock is still held: a file left behind is one more lock file, no harm.
            _ = LinuxFolderCalls.Unlink(folder, System.Text.Encoding.UTF8.GetBytes(name!), 0);
            folder.Dispose();
        }

        file.Dispose();
    }
}
