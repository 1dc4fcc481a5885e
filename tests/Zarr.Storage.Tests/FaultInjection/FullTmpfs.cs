using System.Diagnostics;

namespace Zarr.Storage.Tests.FaultInjection;

/// <summary>
/// A real full disk: a tmpfs mounted (as root) on a fresh folder, then filled by one file so that only
/// <c>freePages</c> pages are left. tmpfs gives each file's data whole pages and none to empty files and folders, so a
/// store writing small values there fails with the system's ENOSPC at the write that needs page <c>freePages</c> + 1.
/// Unmounted (and its folder removed) on dispose.
/// </summary>
internal sealed class FullTmpfs : IDisposable
{
    private const int Pages = 128;
    private const int PageSize = 4096;

    private FullTmpfs(string path) => Path = path;

    public string Path { get; }

    /// <summary>The folder a store uses: below the filler file, so the store never lists it.</summary>
    public string StoreFolder => System.IO.Path.Combine(Path, "store");

    /// <summary>
    /// True when a tmpfs can be mounted here (the tests run as root, or with CAP_SYS_ADMIN, outside a container that forbids
    /// it); tried once, on a folder of its own. Else false, with the system's reason.
    /// </summary>
    public static bool CanMount(out string reason)
    {
        (var can, reason) = Probe.Value;
        return can;
    }

    private static readonly Lazy<(bool Can, string Reason)> Probe = new(() =>
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "zarr-enospc-probe-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        try
        {
            var (code, error) = TryRun("mount", "-t", "tmpfs", "-o", "size=65536", "tmpfs", path);
            if (code != 0)
            {
                return (false, $"mount -t tmpfs failed ({code}): {error.Trim()}");
            }

            TryRun("umount", path);
            return (true, string.Empty);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (false, $"no mount command: {e.Message}");
        }
        finally
        {
            Directory.Delete(path);
        }
    });

    public static FullTmpfs Mount(int freePages)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "zarr-enospc-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        Run("mount", "-t", "tmpfs", "-o", $"size={Pages * PageSize}", "tmpfs", path);
        var tmpfs = new FullTmpfs(path);
        File.WriteAllBytes(System.IO.Path.Combine(path, "filler"), new byte[(Pages - freePages) * PageSize]);
        Directory.CreateDirectory(tmpfs.StoreFolder);
        return tmpfs;
    }

    public void Dispose()
    {
        // "target is busy" happens when a handle into the tmpfs is still being closed (a finalizer, or a writer of
        // another test's thread pool work item winding down): collect and retry, then detach it lazily, so that the
        // clean-up never fails a sweep that passed. Leaks of the store itself are counted by the sweep, not here.
        var (code, error) = TryRun("umount", Path);
        for (var attempt = 0; code != 0 && attempt < 5; attempt++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            Thread.Sleep(200);
            (code, error) = TryRun("umount", Path);
        }

        if (code != 0)
        {
            Run("umount", "-l", Path);
        }

        Directory.Delete(Path);
    }

    private static (int Code, string Error) TryRun(string command, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, error);
    }

    private static void Run(string command, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{command} {string.Join(' ', arguments)} failed ({process.ExitCode}): {error} (the full-disk sweep mounts a tmpfs, as root)");
    }
}
