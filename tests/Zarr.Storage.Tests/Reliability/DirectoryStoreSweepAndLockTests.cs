using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;
using Zarr.Storage.Chunks;

namespace Zarr.Storage.Tests.Reliability;

/// <summary>
/// The directory store's files beside the values (issue 13): temporary files of killed writers are swept by the first
/// write and by <see cref="DirectoryStore.SweepTemporaryFilesAsync"/>, never those of a running writer; lock files are
/// never listed, a held one keeps other lockers out (in this process and others) and is not swept, and a lock held by a
/// process that was killed blocks no one.
/// </summary>
public sealed class DirectoryStoreSweepAndLockTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_first_write_sweeps_a_killed_writers_temporary_file_but_not_a_running_writers()
    {
        using var folder = new TempDirectory();
        Directory.CreateDirectory(folder.Combine("c"));
        var dead = await DeadProcessIdAsync();
        using var running = Process.Start(new ProcessStartInfo("sleep", "120") { UseShellExecute = false })!;
        try
        {
            var killed = folder.Combine("c", TemporaryName("0", dead));
            var live = folder.Combine("c", TemporaryName("1", running.Id));
            await File.WriteAllBytesAsync(killed, [1, 2, 3]);
            await File.WriteAllBytesAsync(live, [4, 5, 6]);

            var store = new DirectoryStore(folder.Path);
            Assert.Empty(await store.ListPrefixAsync("").ToListAsync());
            await store.SetAsync("c/2", new byte[] { 7 });

            Assert.False(File.Exists(killed), "the temporary file of a writer that is not running was left");
            Assert.True(File.Exists(live), "the temporary file of a running writer was swept");
            Assert.Equal(["c/2"], (await store.ListPrefixAsync("").ToListAsync()).Select(e => e.Key));
        }
        finally
        {
            running.Kill();
            await running.WaitForExitAsync();
        }

        // Its writer gone, an explicit sweep takes it too.
        var swept = await new DirectoryStore(folder.Path).SweepTemporaryFilesAsync();
        ReliabilityFigures.Report(output, "sweep", ("swept_after_writer_died", swept));
        Assert.Equal(1, swept);
        Assert.Empty(Directory.EnumerateFiles(folder.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task The_sweep_can_be_turned_off()
    {
        using var folder = new TempDirectory();
        var killed = folder.Combine(TemporaryName("0", await DeadProcessIdAsync()));
        await File.WriteAllBytesAsync(killed, [1]);

        await new DirectoryStore(folder.Path, new DirectoryStoreOptions { SweepTemporaryFiles = false }).SetAsync("k", new byte[] { 1 });

        Assert.True(File.Exists(killed));
    }

    [Fact]
    public async Task A_held_lock_keeps_other_lockers_out_is_never_listed_and_is_not_swept()
    {
        using var folder = new TempDirectory();
        IKeyLockingStore first = new DirectoryStore(folder.Path);
        IKeyLockingStore second = new DirectoryStore(folder.Path);
        var held = await first.LockKeyAsync("a/c/0", default);
        var lockFiles = Directory.EnumerateFiles(folder.Path, "*.tmp", SearchOption.AllDirectories).ToList();
        Assert.Single(lockFiles);
        if (OperatingSystem.IsLinux())
        {
            Assert.Equal(Path.Join(folder.Path, "a", "c", DirectoryStoreFiles.StoreLockName), lockFiles[0]);
        }

        var waiting = second.LockKeyAsync("a/c/0", default).AsTask();
        var again = first.LockKeyAsync("a/c/0", default).AsTask();
        var other = await second.LockKeyAsync("a/c/1", default);
        other.Dispose();
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted, "a second lock of a held key was granted to another store object");
        Assert.False(again.IsCompleted, "a second lock of a held key was granted to the same store object");
        Assert.Empty(await ((IStore)first).ListPrefixAsync("").ToListAsync());
        Assert.Equal(0, await ((DirectoryStore)second).SweepTemporaryFilesAsync());
        Assert.True(File.Exists(lockFiles[0]));

        // Let go: the two waiters get the lock one after the other, in either order.
        held.Dispose();
        var granted = await Task.WhenAny(again, waiting);
        var next = granted == again ? waiting : again;
        await Task.Delay(50);
        Assert.False(next.IsCompleted, "both waiters were granted the lock at once");
        (await granted).Dispose();
        (await next).Dispose();

        // No key held: the sweep takes the store's lock file, without counting it as a killed writer's file (on Linux;
        // elsewhere the last holder removed the key's).
        Assert.Equal(0, await ((DirectoryStore)second).SweepTemporaryFilesAsync());
        Assert.Empty(Directory.EnumerateFiles(folder.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_store_whose_lock_file_was_swept_locks_the_new_one()
    {
        using var folder = new TempDirectory();
        IKeyLockingStore first = new DirectoryStore(folder.Path);
        IKeyLockingStore second = new DirectoryStore(folder.Path);
        // A held key keeps the file from the sweep; once none is, the sweep removes it (not counted: no killed writer's).
        var held = await first.LockKeyAsync("k", default);
        Assert.Equal(0, await ((DirectoryStore)second).SweepTemporaryFilesAsync());
        Assert.True(File.Exists(folder.Combine(DirectoryStoreFiles.StoreLockName)));
        held.Dispose();
        Assert.Equal(0, await ((DirectoryStore)second).SweepTemporaryFilesAsync());
        Assert.False(File.Exists(folder.Combine(DirectoryStoreFiles.StoreLockName)));

        // Both stores then lock the new file, and still keep each other out.
        using var bySecond = await second.LockKeyAsync("k", default);
        using (var soon = new CancellationTokenSource(TimeSpan.FromMilliseconds(200)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await first.LockKeyAsync("k", soon.Token));
        }

        bySecond.Dispose();
        using var byFirst = await first.LockKeyAsync("k", default);
        Assert.True(File.Exists(folder.Combine(DirectoryStoreFiles.StoreLockName)));
    }

    [Fact]
    public async Task A_lock_held_by_a_killed_process_blocks_no_one()
    {
        using var folder = new TempDirectory();
        Directory.CreateDirectory(folder.Combine("c"));
        var lockFile = Path.Join(folder.Path, "c", DirectoryStoreFiles.StoreLockName);
        var offset = DirectoryStoreFiles.LockOffset("0");

        // Another process holds the key's byte with a plain POSIX record lock (lockf), which conflicts with the store's
        // open-file-description lock of the same byte, and says so.
        var script = "import fcntl, sys, time\n"
            + "f = open(sys.argv[1], 'a+')\n"
            + "fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, int(sys.argv[2]), 0)\n"
            + "print('locked', flush=True)\n"
            + "time.sleep(120)\n";
        var info = new ProcessStartInfo("/usr/bin/python3", ["-c", script, lockFile, offset.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false, RedirectStandardOutput = true };
        using var holder = Process.Start(info)!;
        Assert.Equal("locked", await holder.StandardOutput.ReadLineAsync());
        IKeyLockingStore store = new DirectoryStore(folder.Path);
        using (var soon = new CancellationTokenSource(TimeSpan.FromMilliseconds(200)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.LockKeyAsync("c/0", soon.Token));
        }

        // No descriptor of the lock file is left open by the wait that was given up; another key's byte is free meanwhile.
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries("/proc/self/fd"), fd => OpenDescriptors.TargetOf(fd) == lockFile);
        (await store.LockKeyAsync("c/1", default)).Dispose();

        holder.Kill(entireProcessTree: true);
        await holder.WaitForExitAsync();

        using (await store.LockKeyAsync("c/0", default))
        {
            Assert.True(File.Exists(lockFile));
        }

        Assert.Equal(0, await ((DirectoryStore)store).SweepTemporaryFilesAsync());
        Assert.False(File.Exists(lockFile), "the sweep left the store's lock file though no key was held");
    }

    [Fact]
    public async Task Stores_opened_at_different_folders_of_the_same_data_lock_a_key_with_the_same_lock()
    {
        // As two processes whose stores are opened one at the data's root and one at a group below it.
        using var folder = new TempDirectory();
        IKeyLockingStore atRoot = new DirectoryStore(folder.Path);
        IKeyLockingStore atGroup = new DirectoryStore(folder.Combine("grp"));
        using (await atRoot.LockKeyAsync("grp/arr/c/0/1", default))
        {
            using var soon = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await atGroup.LockKeyAsync("arr/c/0/1", soon.Token));
            (await atGroup.LockKeyAsync("arr/c/0/2", default)).Dispose();
        }

        using (await atGroup.LockKeyAsync("arr/zarr.json", default))
        {
            using var soon = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await atRoot.LockKeyAsync("grp/arr/zarr.json", soon.Token));
        }

        (await atRoot.LockKeyAsync("grp/arr/c/0/1", default)).Dispose();
    }

    // The name a writer with process id <paramref name="processId"/> gives its temporary file for the key's last segment.
    private static string TemporaryName(string name, int processId) =>
        string.Create(CultureInfo.InvariantCulture, $".{name}.{(uint)processId:x8}0123abcd.tmp");

    // The id of a process that ran and is gone.
    private static async Task<int> DeadProcessIdAsync()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await process.WaitForExitAsync();
        return process.Id;
    }
}
