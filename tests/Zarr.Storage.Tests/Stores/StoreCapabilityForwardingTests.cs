using Zarr.Storage.Chunks;

namespace Zarr.Storage.Tests.Stores;

/// <summary>
/// Issue 13: a store that passes calls on to another has the optional capabilities of the store below, as the array
/// layer sees them (<see cref="StoreCapabilities"/>): a <see cref="PrefixStore"/> over a directory store locks keys as
/// the directory store does (its lock files, the keys prefixed), one over an object store swaps conditionally, and a
/// <see cref="FaultInjectingStore"/> over either view keeps the capability. A read-only view takes part in no write.
/// </summary>
public sealed class StoreCapabilityForwardingTests
{
    [Fact]
    public async Task A_partial_write_through_a_prefixed_directory_store_waits_for_the_chunk_lock_file()
    {
        using var folder = new TempDirectory();
        var directory = new DirectoryStore(folder.Path);
        var view = new PrefixStore(directory, "p");
        var array = await ZarrArray.CreateAsync<int>(view, "a", [4], new ArrayOptions { Chunks = [4], FillValue = 0 });

        // Held as another process would hold it: the lock file of the chunk's key in the folder.
        var held = await ((IKeyLockingStore)new DirectoryStore(folder.Path)).LockKeyAsync("p/a/c/0", CancellationToken.None);
        var write = array.WriteAsync([Slice.At(1)], new[] { 7 });
        await Task.WhenAny(write, Task.Delay(300));
        Assert.False(write.IsCompleted, "the partial write through the view did not wait for the chunk's lock file");

        held.Dispose();
        await write;
        Assert.Equal(new[] { 0, 7, 0, 0 }, (await array.ReadAsync([Slice.All])).ToArray());
    }

    [Fact]
    public async Task Views_and_wrappers_forward_the_capabilities_of_the_store_below()
    {
        using var folder = new TempDirectory();
        var directory = new DirectoryStore(folder.Path);
        var memory = new MemoryStore();

        Assert.NotNull(StoreCapabilities.KeyLocking(new PrefixStore(directory, "p")));
        Assert.Null(StoreCapabilities.Conditional(new PrefixStore(directory, "p")));
        Assert.NotNull(StoreCapabilities.Conditional(new PrefixStore(memory, "p")));
        Assert.Null(StoreCapabilities.KeyLocking(new PrefixStore(memory, "p")));
        Assert.IsAssignableFrom<IKeyLockingStore>(FaultInjectingStore.Wrap(new PrefixStore(directory, "p")));
        Assert.IsAssignableFrom<IConditionalStore>(FaultInjectingStore.Wrap(new PrefixStore(memory, "p")));
        Assert.Null(StoreCapabilities.KeyLocking(new PrefixStore(new MemoryStore(), "p")));

        // Nested views lock the key with both prefixes: held through the views, the directory store's lock is taken.
        var nested = StoreCapabilities.KeyLocking(new PrefixStore(new PrefixStore(directory, "a"), "b"))!;
        Task<IDisposable> blocked;
        using (await nested.LockKeyAsync("k", CancellationToken.None))
        {
            blocked = ((IKeyLockingStore)new DirectoryStore(folder.Path)).LockKeyAsync("a/b/k", CancellationToken.None).AsTask();
            await Task.WhenAny(blocked, Task.Delay(200));
            Assert.False(blocked.IsCompleted, "the lock taken through the nested views is not the directory store's lock of a/b/k");
        }

        // Granted once the views let go; let go of it before the folder is deleted (a waiter still trying would write its
        // lock file into a folder being removed).
        (await blocked).Dispose();

        // The conditional writes go to the prefixed keys, and check the version there.
        var conditional = StoreCapabilities.Conditional(new PrefixStore(memory, "p"))!;
        Assert.True(await conditional.TrySetAsync("k", new byte[] { 1 }, StoreVersion.Absent));
        Assert.False(await conditional.TrySetAsync("k", new byte[] { 2 }, StoreVersion.Absent));
        using var versioned = await conditional.GetVersionedAsync("k");
        Assert.True(await conditional.TrySetAsync("k", new byte[] { 3 }, versioned.Version));
        using var stored = await memory.GetAsync("p/k");
        Assert.Equal(new byte[] { 3 }, stored!.Span.ToArray());
        Assert.False(await conditional.TryDeleteAsync("k", versioned.Version));
        Assert.Equal(conditional.Location, new PrefixStore(memory, "p").Location);
    }

    [Fact]
    public async Task A_prefixed_view_of_a_read_only_store_refuses_conditional_writes_naming_its_own_key()
    {
        var conditional = StoreCapabilities.Conditional(new PrefixStore(new MemoryStore([], readOnly: true), "p"))!;
        var refused = await Assert.ThrowsAsync<ZarrStoreException>(async () => await conditional.TrySetAsync("k", new byte[] { 1 }, StoreVersion.Absent));
        Assert.Equal("k", refused.Key);
        await Assert.ThrowsAsync<ZarrStoreException>(async () => await conditional.TrySetAsync("../k", new byte[] { 1 }, StoreVersion.Absent));
    }

    [Fact]
    public async Task Writers_swapping_through_a_prefixed_object_store_lose_nothing()
    {
        var memory = new MemoryStore();
        var (lost, handles) = await CompareAndSwapWriters.RunAsync(
            new PrefixStore(memory, "p"),
            () => StoreCapabilities.Conditional(new PrefixStore(memory, "p"))!,
            writers: 4,
            writesEach: 50);
        Assert.Equal(0, lost);
        Assert.True(handles.Sum(h => h.Swaps) >= 200);
        var keys = 0;
        await foreach (var entry in memory.ListPrefixAsync("p/a/"))
        {
            keys++;
        }

        Assert.True(keys >= 3, "the array was not written below the prefix");
    }
}
