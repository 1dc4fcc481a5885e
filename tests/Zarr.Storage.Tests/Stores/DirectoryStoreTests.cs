using System.Buffers;

namespace Zarr.Storage.Tests.Stores;

public sealed class DirectoryStoreTests : StoreContractTests
{
    // Every test gets its own sandbox; the store's root is a folder inside it, so "outside the root" is observable.
    private readonly string _sandbox = Path.Combine(Path.GetTempPath(), "zarr-store-tests", Guid.NewGuid().ToString("N"));

    private string RootPath => Path.Combine(_sandbox, "root");

    protected override IStore CreateStore() => new DirectoryStore(RootPath);

    protected override IStore CreateReadOnlyStore(IReadOnlyDictionary<string, byte[]> content)
    {
        var root = Path.Combine(_sandbox, "read-only-" + Guid.NewGuid().ToString("N"));
        var writer = new DirectoryStore(root);
        foreach (var (key, value) in content)
        {
            writer.SetAsync(key, value).AsTask().GetAwaiter().GetResult();
        }

        return new DirectoryStore(root, new DirectoryStoreOptions { ReadOnly = true });
    }

    public override void Dispose()
    {
        if (Directory.Exists(_sandbox))
        {
            Directory.Delete(_sandbox, recursive: true);
        }

        base.Dispose();
    }

    private IEnumerable<string> AllFiles(string folder) =>
        Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            : [];

    private void AssertNoTemporaryFiles() =>
        Assert.DoesNotContain(AllFiles(_sandbox), f => Path.GetFileName(f).EndsWith(".tmp", StringComparison.Ordinal));

    // ---- construction -----------------------------------------------------------------------------------

    [Fact]
    public void Root_IsTheFullPath_AndToStringNamesIt()
    {
        var store = new DirectoryStore(RootPath + Path.DirectorySeparatorChar);

        Assert.Equal(Path.GetFullPath(RootPath), store.Root);
        Assert.Equal($"DirectoryStore({Path.GetFullPath(RootPath)})", store.ToString());
        Assert.False(store.IsReadOnly);
        Assert.False(store.Fsync);
    }

    [Fact]
    public void Constructor_RefusesAnEmptyRoot()
    {
        Assert.Throws<ArgumentException>(() => new DirectoryStore(""));
        Assert.ThrowsAny<ArgumentException>(() => new DirectoryStore(null!));
    }

    [Fact]
    public void Options_AreCopied()
    {
        var options = new DirectoryStoreOptions { ReadOnly = true };
        var store = new DirectoryStore(RootPath, options);
        options.ReadOnly = false;

        Assert.True(store.IsReadOnly);
    }

    [Fact]
    public async Task RootIsCreatedByTheFirstWrite_NotByConstructionOrReads()
    {
        var store = new DirectoryStore(RootPath);
        Assert.Null(await store.GetAsync("a/b"));
        Assert.False(await store.ExistsAsync("a"));
        Assert.Empty(await ListPrefixAsync(store, ""));
        Assert.Empty(await ListDirectoryAsync(store, "a/"));
        await store.DeleteAsync("a/b");
        await store.DeletePrefixAsync("a/");
        Assert.False(Directory.Exists(RootPath));

        await store.SetAsync("a/b", Bytes(3));
        Assert.True(File.Exists(Path.Combine(RootPath, "a", "b")));
    }

    [Fact]
    public async Task ReadOnlyStore_OverAMissingFolder_NeverCreatesIt()
    {
        var store = new DirectoryStore(RootPath, new DirectoryStoreOptions { ReadOnly = true });

        Assert.Null(await store.GetAsync("zarr.json"));
        Assert.Empty(await ListPrefixAsync(store, ""));
        Assert.Empty(await ListDirectoryAsync(store, ""));
        var e = await Assert.ThrowsAsync<ZarrStoreException>(async () => await store.SetAsync("zarr.json", Bytes(3)));
        Assert.Equal("key 'zarr.json': store is read-only", e.Message);
        await Assert.ThrowsAsync<ZarrStoreException>(async () => await store.DeletePrefixAsync(""));

        Assert.False(Directory.Exists(RootPath));
        Assert.False(Directory.Exists(_sandbox));
    }

    // ---- layout -----------------------------------------------------------------------------------------

    [Fact]
    public async Task KeysWithSlashes_AreFilesInSubfolders()
    {
        await Store.SetAsync("group/array/c/0/1", Bytes(5));
        await Store.SetAsync("group/.zgroup", Bytes(2));

        var file = Path.Combine(RootPath, "group", "array", "c", "0", "1");
        Assert.Equal(Bytes(5), File.ReadAllBytes(file));
        Assert.True(File.Exists(Path.Combine(RootPath, "group", ".zgroup")));

        // Written by someone else: visible to the store, with the size from the folder walk.
        File.WriteAllBytes(Path.Combine(RootPath, "group", "array", "zarr.json"), Bytes(11));
        Assert.Contains(new StoreEntry("group/array/zarr.json", 11), await ListPrefixAsync(Store, "group/"));
        Assert.Equal(new[] { ".zgroup", "array" }, await ListDirectoryAsync(Store, "group/"));
    }

    [Fact]
    public async Task EmptyFolders_AreListedAsChildren()
    {
        Directory.CreateDirectory(Path.Combine(RootPath, "empty"));
        await Store.SetAsync("file", Bytes(1));

        Assert.Equal(new[] { "empty", "file" }, await ListDirectoryAsync(Store, ""));
        Assert.Equal(new[] { new StoreEntry("file", 1) }, await ListPrefixAsync(Store, ""));
    }

    [Fact]
    public async Task DeletePrefix_RemovesEmptiedFolders_ButKeepsTheRoot()
    {
        await SetAllAsync(("a/b/c/d", 1), ("a/e", 2), ("f", 3));

        await Store.DeletePrefixAsync("a/");
        Assert.False(Directory.Exists(Path.Combine(RootPath, "a")));
        Assert.True(File.Exists(Path.Combine(RootPath, "f")));

        await Store.DeletePrefixAsync("");
        Assert.True(Directory.Exists(RootPath));
        Assert.Empty(Directory.EnumerateFileSystemEntries(RootPath));
    }

    // ---- atomic writes ----------------------------------------------------------------------------------

    [Fact]
    public async Task SuccessfulWrites_LeaveNoTemporaryFiles()
    {
        await Store.SetAsync("a/b", Bytes(10));
        await Store.SetAsync("a/b", Bytes(3 << 20));
        await Store.SetAsync("c", ReadOnlyMemory<byte>.Empty);

        AssertNoTemporaryFiles();
        Assert.Equal(new[] { "b" }, Directory.EnumerateFileSystemEntries(Path.Combine(RootPath, "a")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task PreCancelledWrite_KeepsTheOldValue_AndLeavesNoTemporaryFile()
    {
        await Store.SetAsync("k", Bytes(100, 1));
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Store.SetAsync("k", Bytes(8 << 20, 2), cts.Token));

        Assert.Equal(Bytes(100, 1), await ReadAsync(Store, "k"));
        AssertNoTemporaryFiles();
    }

    [Fact]
    public async Task WriteCancelledMidway_KeepsTheOldValue_AndLeavesNoTemporaryFile()
    {
        await Store.SetAsync("a/k", Bytes(100, 1));
        using var cts = new CancellationTokenSource();
        // The value cancels the token the first time the store touches its memory, i.e. during the write.
        using var value = new CancelOnAccessMemory(Bytes(8 << 20, 2), cts);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Store.SetAsync("a/k", value.Memory, cts.Token));

        Assert.True(value.Accessed);
        Assert.Equal(Bytes(100, 1), await ReadAsync(Store, "a/k"));
        AssertNoTemporaryFiles();
    }

    [Fact]
    public async Task WritesCancelledAtRandomTimes_AreAllOrNothing()
    {
        var old = Bytes(100, 1);
        var big = Bytes(32 << 20, 2);
        for (var delay = 0; delay < 20; delay += 2)
        {
            await Store.SetAsync("k", old);
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(delay));
            try
            {
                await Store.SetAsync("k", big, cts.Token);
            }
            catch (OperationCanceledException)
            {
            }

            var now = await ReadAsync(Store, "k");
            Assert.True(now!.Length == old.Length ? now.AsSpan().SequenceEqual(old) : now.AsSpan().SequenceEqual(big));
            AssertNoTemporaryFiles();
        }
    }

    [Fact]
    public async Task TemporaryFiles_AreNeverListed_NorReadable()
    {
        await Store.SetAsync("a/k", Bytes(4));
        var stray = new[] { Path.Combine(RootPath, ".k.0123456789abcdef.tmp"), Path.Combine(RootPath, "a", ".k.fedcba9876543210.tmp") };
        foreach (var path in stray)
        {
            File.WriteAllBytes(path, Bytes(7));
        }

        Assert.Equal(new[] { new StoreEntry("a/k", 4) }, await ListPrefixAsync(Store, ""));
        Assert.Equal(new[] { "a" }, await ListDirectoryAsync(Store, ""));
        Assert.Equal(new[] { "k" }, await ListDirectoryAsync(Store, "a/"));
        await Assert.ThrowsAsync<ZarrStoreException>(async () => await Store.GetAsync(".k.0123456789abcdef.tmp"));

        // A write in progress keeps its temporary file through a DeletePrefixAsync.
        await Store.DeletePrefixAsync("");
        Assert.All(stray, path => Assert.True(File.Exists(path)));
        Assert.Empty(await ListPrefixAsync(Store, ""));
    }

    [Fact]
    public async Task FailedWrite_BecomesAStoreError_AndLeavesNoTemporaryFile()
    {
        // Replacing a non-empty folder with a file fails in the rename.
        await Store.SetAsync("folder/child", Bytes(3));
        var e = await Assert.ThrowsAsync<ZarrStoreException>(async () => await Store.SetAsync("folder", Bytes(5)));
        Assert.Equal("folder", e.Key);
        Assert.StartsWith("key 'folder': could not write", e.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<IOException>(e.InnerException);

        // Writing below a value fails in creating its folder.
        await Store.SetAsync("file", Bytes(3));
        e = await Assert.ThrowsAsync<ZarrStoreException>(async () => await Store.SetAsync("file/child", Bytes(5)));
        Assert.Equal("file/child", e.Key);
        Assert.NotNull(e.InnerException);

        Assert.Equal(Bytes(3), await ReadAsync(Store, "file"));
        Assert.Equal(Bytes(3), await ReadAsync(Store, "folder/child"));
        AssertNoTemporaryFiles();
    }

    [Fact]
    public async Task Fsync_WritesAndReadsBack()
    {
        var store = new DirectoryStore(RootPath, new DirectoryStoreOptions { Fsync = true });
        Assert.True(store.Fsync);

        await store.SetAsync("a/b/c", Bytes(1 << 20));
        await store.SetAsync("a/b/c", Bytes(10, 3));
        await store.SetAsync("d", ReadOnlyMemory<byte>.Empty);

        Assert.Equal(Bytes(10, 3), await ReadAsync(store, "a/b/c"));
        Assert.Equal(0, await store.GetSizeAsync("d"));
        AssertNoTemporaryFiles();
        Assert.Equal(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), DirectorySync.Flush(RootPath));
    }

    // ---- staying inside the root ------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(InvalidKeys))]
    public async Task CraftedKeys_NeverTouchAnythingOutsideTheRoot(string key)
    {
        Directory.CreateDirectory(_sandbox);
        var store = new DirectoryStore(RootPath);

        await Assert.ThrowsAsync<ZarrStoreException>(async () => await store.SetAsync(key, Bytes(5)));
        await Assert.ThrowsAsync<ZarrStoreException>(async () => await store.DeleteAsync(key));
        await Assert.ThrowsAsync<ZarrStoreException>(async () => await store.DeletePrefixAsync(key + "/"));

        Assert.Empty(Directory.EnumerateFileSystemEntries(_sandbox));
    }

    [Fact]
    public async Task LinkedFolders_AreNotWrittenOrDeletedThrough_NorListed()
    {
        var outside = Path.Combine(_sandbox, "outside");
        Directory.CreateDirectory(outside);
        File.WriteAllBytes(Path.Combine(outside, "secret"), Bytes(6));
        await Store.SetAsync("inside", Bytes(2));
        var link = Path.Combine(RootPath, "link");
        Directory.CreateSymbolicLink(link, outside);

        await Assert.ThrowsAsync<ZarrStoreException>(async () => await Store.SetAsync("link/new", Bytes(5)));
        await Assert.ThrowsAsync<ZarrStoreException>(async () => await Store.SetAsync("link/secret", Bytes(5)));
        await Assert.ThrowsAsync<ZarrStoreException>(async () => await Store.DeleteAsync("link/secret"));
        await Assert.ThrowsAsync<ZarrStoreException>(async () => await Store.DeletePrefixAsync("link/"));
        Assert.Equal(new[] { new StoreEntry("inside", 2) }, await ListPrefixAsync(Store, ""));
        Assert.Equal(new[] { "inside", "link" }, await ListDirectoryAsync(Store, ""));

        // Deleting everything removes the link itself, never what it points to.
        await Store.DeletePrefixAsync("");
        Assert.False(Path.Exists(link));
        Assert.Equal(new[] { "secret" }, Directory.EnumerateFileSystemEntries(outside).Select(Path.GetFileName));
        Assert.Equal(Bytes(6), File.ReadAllBytes(Path.Combine(outside, "secret")));
    }

    [Fact]
    public async Task AFolderThatComesBackAsALink_AfterADelete_IsRefused()
    {
        // Folders checked by a write are remembered (so a deep write does not check every level again); a delete forgets
        // them, so a folder that comes back as a link is found out.
        var outside = Path.Combine(_sandbox, "outside");
        Directory.CreateDirectory(outside);
        await Store.SetAsync("a/b/c", Bytes(1));
        await Store.SetAsync("a/b/d", Bytes(2));

        await Store.DeletePrefixAsync("a/");
        Directory.CreateSymbolicLink(Path.Combine(RootPath, "a"), outside);
        var e = await Assert.ThrowsAsync<ZarrStoreException>(async () => await Store.SetAsync("a/b/e", Bytes(3)));
        Assert.Contains("symbolic link", e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ZarrStoreException>(async () => await Store.DeleteAsync("a/x"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
    }

    [Fact]
    public async Task TwoStoresOnOneFolder_SeeEachOthersWrites()
    {
        var other = new DirectoryStore(RootPath);
        await Store.SetAsync("a/b", Bytes(3));

        Assert.Equal(Bytes(3), await ReadAsync(other, "a/b"));
        await other.DeleteAsync("a/b");
        Assert.False(await Store.ExistsAsync("a/b"));
    }

    /// <summary>Memory that cancels a token the first time anyone reads it.</summary>
    private sealed class CancelOnAccessMemory(byte[] array, CancellationTokenSource cts) : MemoryManager<byte>
    {
        public bool Accessed { get; private set; }

        public override Span<byte> GetSpan()
        {
            Touch();
            return array;
        }

        public override MemoryHandle Pin(int elementIndex = 0)
        {
            Touch();
            var handle = System.Runtime.InteropServices.GCHandle.Alloc(array, System.Runtime.InteropServices.GCHandleType.Pinned);
            unsafe
            {
                return new MemoryHandle((byte*)handle.AddrOfPinnedObject() + elementIndex, handle);
            }
        }

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
        }

        private void Touch()
        {
            Accessed = true;
            cts.Cancel();
        }
    }
}

public class DirectoryStoreFolderRaceTests
{
    /// <summary>Many writers creating the same new folders at once: every write lands (a regression test for ENOENT races).</summary>
    [Fact]
    public async Task Concurrent_first_writes_into_new_folders_all_succeed()
    {
        for (var round = 0; round < 20; round++)
        {
            using var tmp = new TempDirectory();
            var store = new DirectoryStore(tmp.Path);
            var keys = Enumerable.Range(0, 64).Select(i => $"a/c/{i % 4}/{i}").ToArray();
            await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (key, ct) => await store.SetAsync(key, new byte[] { 1, 2, 3 }, ct));
            foreach (var key in keys)
            {
                Assert.True(await store.ExistsAsync(key), key);
            }
        }
    }
}
