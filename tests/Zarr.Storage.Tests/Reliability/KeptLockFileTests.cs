using Zarr.Storage.Chunks;

namespace Zarr.Storage.Tests.Reliability;

/// <summary>
/// A directory store kept writing (<see cref="IKeyLockingStore.KeepLocksOpen"/>, as a run of chunk writes is) keeps each
/// folder's lock file open between its locks instead of making and removing it at every write, and the locks are what
/// they were: another store object (as another process) still locks the keys and may sweep the file meanwhile, a lock
/// taken after that finds the new file, and once the run ends no lock file is left. On Linux, as the store's lock files.
/// </summary>
public sealed class KeptLockFileTests
{
    [Fact]
    public async Task A_kept_lock_file_stays_open_between_locks_and_goes_when_let_go()
    {
        using var folder = new TempDirectory();
        IKeyLockingStore store = new DirectoryStore(folder.Path);
        var lockFile = folder.Combine("c", DirectoryStoreFiles.StoreLockName);
        var kept = store.KeepLocksOpen();
        Assert.NotNull(kept);
        for (var i = 0; i < 3; i++)
        {
            (await store.LockKeyAsync($"c/{i}", default)).Dispose();
            Assert.True(File.Exists(lockFile), $"the lock file went after lock {i}, though the store is kept writing");
            Assert.Single(OpenDescriptorsOf(lockFile));
        }

        kept.Dispose();
        Assert.False(File.Exists(lockFile), "the lock file stayed after the run of writes ended");
        Assert.Empty(OpenDescriptorsOf(lockFile));

        // Not kept: the last release removes it at once, as before.
        (await store.LockKeyAsync("c/0", default)).Dispose();
        Assert.False(File.Exists(lockFile));
    }

    [Fact]
    public async Task A_kept_file_that_another_store_swept_is_opened_anew_and_still_keeps_others_out()
    {
        using var folder = new TempDirectory();
        IKeyLockingStore first = new DirectoryStore(folder.Path);
        IKeyLockingStore second = new DirectoryStore(folder.Path);
        var lockFile = folder.Combine(DirectoryStoreFiles.StoreLockName);
        using var kept = first.KeepLocksOpen();
        (await first.LockKeyAsync("k", default)).Dispose();

        // The kept file holds no byte: the other store locks the key, and its last release removes the file.
        (await second.LockKeyAsync("k", default)).Dispose();
        Assert.False(File.Exists(lockFile), "the other store's last release did not remove the file no one held");

        // The first store's open file has no name now: its next lock must take the new file, which the other sees.
        using (await first.LockKeyAsync("k", default))
        {
            Assert.True(File.Exists(lockFile));
            using var soon = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await second.LockKeyAsync("k", soon.Token));
        }

        // And the other way round: the other store holds the key, the kept store waits for it.
        var held = await second.LockKeyAsync("k", default);
        var waiting = first.LockKeyAsync("k", default).AsTask();
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted, "the kept store was granted a key the other store holds");
        held.Dispose();
        (await waiting).Dispose();
        Assert.Equal(0, await ((DirectoryStore)second).SweepTemporaryFilesAsync());
    }

    [Fact]
    public async Task At_most_64_folders_are_kept_open_the_latest_used()
    {
        using var folder = new TempDirectory();
        IKeyLockingStore store = new DirectoryStore(folder.Path);
        bool Kept(int i) => File.Exists(folder.Combine($"f{i}", DirectoryStoreFiles.StoreLockName));
        using (store.KeepLocksOpen())
        {
            for (var i = 0; i < 70; i++)
            {
                (await store.LockKeyAsync($"f{i}/0", default)).Dispose();
            }

            // The six used first went as later ones came.
            Assert.Equal(64, LockFiles(folder.Path).Count);
            Assert.Equal(64, OpenDescriptors.Targets().Count(t => Path.GetFileName(t) == DirectoryStoreFiles.StoreLockName && t.StartsWith(folder.Path, StringComparison.Ordinal)));
            Assert.All(Enumerable.Range(0, 6), i => Assert.False(Kept(i)));
            Assert.All(Enumerable.Range(6, 64), i => Assert.True(Kept(i)));

            // A kept folder locked again is held, not idle, which leaves room for one more; when it goes idle again at
            // the limit, the folder idle the longest (f7) goes.
            using (await store.LockKeyAsync("f6/1", default))
            {
                (await store.LockKeyAsync("f0/0", default)).Dispose();
                Assert.Equal(65, LockFiles(folder.Path).Count);
            }

            Assert.Equal(64, LockFiles(folder.Path).Count);
            Assert.True(Kept(6));
            Assert.True(Kept(0));
            Assert.False(Kept(7));
        }

        Assert.Empty(LockFiles(folder.Path));
    }

    [Fact]
    public async Task A_kept_file_that_lost_its_name_never_removes_the_file_now_at_the_name()
    {
        // Two store objects (as two processes) kept writing, both idle on the folder's file X.
        using var folder = new TempDirectory();
        IKeyLockingStore first = new DirectoryStore(folder.Path);
        IKeyLockingStore second = new DirectoryStore(folder.Path);
        IKeyLockingStore third = new DirectoryStore(folder.Path);
        var lockFile = folder.Combine(DirectoryStoreFiles.StoreLockName);
        var firstKept = first.KeepLocksOpen()!;
        var secondKept = second.KeepLocksOpen()!;
        (await first.LockKeyAsync("k", default)).Dispose();
        (await second.LockKeyAsync("k", default)).Dispose();

        // The second's run ends: it removes X. The third then holds k on a new file Y at the name.
        secondKept.Dispose();
        Assert.False(File.Exists(lockFile));
        using var held = await third.LockKeyAsync("k", default);
        Assert.True(File.Exists(lockFile));

        // The first's run ends: its X has no name; letting it go must not remove Y, which the third holds a byte of.
        firstKept.Dispose();
        Assert.True(File.Exists(lockFile), "a kept file that had lost its name removed the lock file a holder was using");
        using var soon = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await second.LockKeyAsync("k", soon.Token));
    }

    [Fact]
    public async Task A_write_of_many_chunks_leaves_no_lock_file()
    {
        using var folder = new TempDirectory();
        var store = new DirectoryStore(folder.Path);
        foreach (var format in new[] { ZarrFormat.V2, ZarrFormat.V3 })
        {
            var path = format.ToString().ToLowerInvariant();
            var z = await ZarrArray.CreateAsync<int>(store, path, [64, 64], new ArrayOptions { Format = format, Chunks = [8, 8] });
            var data = Enumerable.Range(0, 64 * 64).ToArray();
            await z[.., ..].WriteAsync(data);
            await z[3.., 5..60].WriteAsync(new int[61 * 55]);
            Assert.Empty(LockFiles(folder.Path));
            var back = (await ZarrArray.OpenAsync<int>(store, path))[.., ..].ReadAsync();
            var read = await back;
            Assert.Equal(data[0], read[0, 0]);
            Assert.Equal(0, read[10, 10]);
            Assert.Equal(data[(2 * 64) + 63], read[2, 63]);
        }
    }

    private static List<string> LockFiles(string root) =>
        [.. Directory.EnumerateFiles(root, DirectoryStoreFiles.StoreLockName, SearchOption.AllDirectories)];

    // The open descriptors of this process that point at the file.
    private static List<string> OpenDescriptorsOf(string file) => [.. OpenDescriptors.Targets().Where(t => t == file)];
}
