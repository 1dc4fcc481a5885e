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
    public async Task At_most_64_folders_are_kept_open()
    {
        using var folder = new TempDirectory();
        IKeyLockingStore store = new DirectoryStore(folder.Path);
        using (store.KeepLocksOpen())
        {
            for (var i = 0; i < 70; i++)
            {
                (await store.LockKeyAsync($"f{i}/0", default)).Dispose();
            }

            Assert.Equal(64, LockFiles(folder.Path).Count);
            Assert.Equal(64, OpenDescriptors.Targets().Count(t => Path.GetFileName(t) == DirectoryStoreFiles.StoreLockName && t.StartsWith(folder.Path, StringComparison.Ordinal)));

            // A kept folder locked again is held, not idle, which leaves room for one more kept folder; released when the
            // limit is reached again, it is let go at once.
            using (await store.LockKeyAsync("f0/1", default))
            {
                (await store.LockKeyAsync("f69/0", default)).Dispose();
                Assert.Equal(65, LockFiles(folder.Path).Count);
            }

            Assert.Equal(64, LockFiles(folder.Path).Count);
            Assert.False(File.Exists(folder.Combine("f0", DirectoryStoreFiles.StoreLockName)));
            Assert.True(File.Exists(folder.Combine("f69", DirectoryStoreFiles.StoreLockName)));
        }

        Assert.Empty(LockFiles(folder.Path));
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
