using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Zarr.Storage;

/// <summary>
/// The one-writer-per-zip-file lock: an exclusively opened lock file <c>.{name}.lock</c> beside the zip file.
/// </summary>
/// <remarks>
/// <para>The exclusive open (FileShare.None: an flock on Linux and macOS, a sharing lock on Windows) is released by the
/// operating system when its holder dies, so a crashed writer never blocks the next one; the lock file it leaves behind
/// is taken over and removed by the next writer.</para>
/// <para>Releasing writes a "released" mark into the file before deleting and closing it. A writer that opened the file
/// just before it was deleted finds that mark once its lock succeeds, and starts over on the fresh file, so two writers
/// never both believe they hold the lock.</para>
/// </remarks>
internal sealed class ZipWriterLock : IDisposable
{
    private const int Attempts = 8;
    private const int WindowsSharingViolation = 32;
    private const int LinuxWouldBlock = 11;
    private const int BsdWouldBlock = 35;
    private static readonly byte[] ReleasedMark = "released\n"u8.ToArray();

    private SafeFileHandle? _handle;

    private ZipWriterLock(string path, SafeFileHandle handle)
    {
        Path = path;
        _handle = handle;
    }

    /// <summary>The lock file's path.</summary>
    public string Path { get; }

    /// <summary>The lock file's path for the zip file <paramref name="zipPath"/>.</summary>
    public static string PathFor(string zipPath) =>
        System.IO.Path.Join(System.IO.Path.GetDirectoryName(zipPath), "." + System.IO.Path.GetFileName(zipPath) + ".lock");

    /// <summary>Takes the lock for <paramref name="zipPath"/>, or refuses at once when another writer holds it.</summary>
    /// <exception cref="ZarrStoreException">Another writer holds the lock, or the lock file could not be opened.</exception>
    public static ZipWriterLock Acquire(string zipPath)
    {
        var path = PathFor(zipPath);

        // On Windows, FileShare.Delete alone still keeps every other opener out and lets the holder delete the file;
        // on Unix any share but None takes a shared flock, so None it must be.
        var share = OperatingSystem.IsWindows() ? FileShare.Delete : FileShare.None;
        for (var attempt = 1; ; attempt++)
        {
            SafeFileHandle handle;
            try
            {
                handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, share);
            }
            catch (IOException e) when (IsHeldElsewhere(e))
            {
                throw new ZarrStoreException(
                    null,
                    $"'{zipPath}' is already open for writing by another ZipStore (in this or another process): its lock file '{path}' is held. A zip file takes one writer at a time; dispose the other store first.",
                    e);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ZarrStoreException(null, $"could not open the lock file '{path}' for writing '{zipPath}': {e.Message}", e);
            }

            Span<byte> mark = stackalloc byte[ReleasedMark.Length];
            var read = RandomAccess.Read(handle, mark, 0);
            if (read == ReleasedMark.Length && mark.SequenceEqual(ReleasedMark) && attempt < Attempts)
            {
                // We locked a lock file its last holder had already deleted: start over on the file now at the path.
                handle.Dispose();
                continue;
            }

            var owner = Encoding.ASCII.GetBytes($"pid {Environment.ProcessId}\n");
            RandomAccess.SetLength(handle, 0);
            RandomAccess.Write(handle, owner, 0);
            return new ZipWriterLock(path, handle);
        }
    }

    /// <summary>
    /// True for the error an exclusive open gets when someone else holds the file: ERROR_SHARING_VIOLATION on Windows,
    /// EWOULDBLOCK from flock on Unix (.NET puts the errno in HResult: 11 on Linux, 35 on macOS and the BSDs).
    /// </summary>
    private static bool IsHeldElsewhere(IOException e) =>
        OperatingSystem.IsWindows() ? (e.HResult & 0xFFFF) == WindowsSharingViolation : e.HResult is LinuxWouldBlock or BsdWouldBlock;

    /// <summary>Marks the lock file released, deletes it and closes it.</summary>
    public void Dispose()
    {
        var handle = Interlocked.Exchange(ref _handle, null);
        if (handle is null)
        {
            return;
        }

        try
        {
            RandomAccess.SetLength(handle, 0);
            RandomAccess.Write(handle, ReleasedMark, 0);
            File.Delete(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a lock file left behind is taken over by the next writer.
        }
        finally
        {
            handle.Dispose();
        }
    }
}
