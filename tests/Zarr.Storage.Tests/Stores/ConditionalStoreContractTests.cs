namespace Zarr.Storage.Tests.Stores;

/// <summary>
/// What every store with conditional writes (<see cref="IConditionalStore"/>) does: versions that change with every write,
/// create-only writes, swaps and deletes that succeed only on the version read. Each store's test class inherits it.
/// </summary>
public abstract class ConditionalStoreContractTests
{
    /// <summary>A new, empty, writable store.</summary>
    protected abstract IConditionalStore CreateStore();

    /// <summary>
    /// Another store object over the same values as <paramref name="store"/> (what another process or machine holds);
    /// by default the same object.
    /// </summary>
    protected virtual IConditionalStore OtherHandle(IConditionalStore store) => store;

    private static byte[] Bytes(params byte[] bytes) => bytes;

    private static async Task<byte[]?> ReadAsync(IStore store, string key)
    {
        using var buffer = await store.GetAsync(key);
        return buffer?.Span.ToArray();
    }

    [Fact]
    public async Task A_missing_key_has_the_absent_version_and_no_value()
    {
        var store = CreateStore();
        using var read = await store.GetVersionedAsync("a/missing");
        Assert.Null(read.Value);
        Assert.True(read.Version.IsAbsent);
    }

    [Fact]
    public async Task Create_only_succeeds_once_and_the_loser_writes_nothing()
    {
        var store = CreateStore();
        Assert.True(await store.TrySetAsync("a/k", Bytes(1, 2, 3), StoreVersion.Absent));
        Assert.False(await OtherHandle(store).TrySetAsync("a/k", Bytes(9), StoreVersion.Absent));
        Assert.Equal(Bytes(1, 2, 3), await ReadAsync(store, "a/k"));
    }

    [Fact]
    public async Task A_swap_on_the_version_read_succeeds_and_a_stale_one_writes_nothing()
    {
        var store = CreateStore();
        await store.SetAsync("k", Bytes(1));
        using var first = await store.GetVersionedAsync("k");
        Assert.Equal(Bytes(1), first.Value!.Span.ToArray());
        Assert.False(first.Version.IsAbsent);

        Assert.True(await store.TrySetAsync("k", Bytes(2), first.Version));
        Assert.False(await OtherHandle(store).TrySetAsync("k", Bytes(3), first.Version));
        Assert.Equal(Bytes(2), await ReadAsync(store, "k"));
    }

    [Fact]
    public async Task Every_write_changes_the_version_even_with_the_same_bytes()
    {
        var store = CreateStore();
        await store.SetAsync("k", Bytes(5, 5));
        using var before = await store.GetVersionedAsync("k");
        await OtherHandle(store).SetAsync("k", Bytes(5, 5));
        Assert.False(await store.TrySetAsync("k", Bytes(6), before.Version));
        Assert.Equal(Bytes(5, 5), await ReadAsync(store, "k"));
    }

    [Fact]
    public async Task A_swap_on_a_deleted_value_fails_and_creates_nothing()
    {
        var store = CreateStore();
        await store.SetAsync("k", Bytes(1));
        using var read = await store.GetVersionedAsync("k");
        await OtherHandle(store).DeleteAsync("k");
        Assert.False(await store.TrySetAsync("k", Bytes(2), read.Version));
        Assert.Null(await ReadAsync(store, "k"));
    }

    [Fact]
    public async Task A_conditional_delete_removes_only_the_version_read()
    {
        var store = CreateStore();
        if (!store.CanDeleteConditionally)
        {
            return; // the store says so, and the library keeps all-fill chunks as bytes on it (tested with the arrays)
        }

        await store.SetAsync("k", Bytes(1));
        using var stale = await store.GetVersionedAsync("k");
        await OtherHandle(store).SetAsync("k", Bytes(2));
        Assert.False(await store.TryDeleteAsync("k", stale.Version));
        Assert.Equal(Bytes(2), await ReadAsync(store, "k"));

        using var current = await store.GetVersionedAsync("k");
        Assert.True(await store.TryDeleteAsync("k", current.Version));
        Assert.Null(await ReadAsync(store, "k"));
        Assert.True(await store.TryDeleteAsync("k", StoreVersion.Absent));
    }

    [Fact]
    public async Task Concurrent_increments_by_compare_and_swap_lose_none()
    {
        const int Writers = 8, Increments = 25;
        var store = CreateStore();
        await store.SetAsync("counter", BitConverter.GetBytes(0));
        var conflicts = 0;
        await Parallel.ForAsync(0, Writers, async (w, ct) =>
        {
            var handle = w % 2 == 0 ? store : OtherHandle(store);
            for (var i = 0; i < Increments; i++)
            {
                while (true)
                {
                    using var read = await handle.GetVersionedAsync("counter", ct);
                    var next = BitConverter.ToInt32(read.Value!.Span) + 1;
                    if (await handle.TrySetAsync("counter", BitConverter.GetBytes(next), read.Version, ct))
                    {
                        break;
                    }

                    Interlocked.Increment(ref conflicts);
                }
            }
        });

        Assert.Equal(Writers * Increments, BitConverter.ToInt32(await ReadAsync(store, "counter")));
    }
}

/// <summary>The conditional-write contract on <see cref="MemoryStore"/>.</summary>
public sealed class MemoryStoreConditionalTests : ConditionalStoreContractTests
{
    protected override IConditionalStore CreateStore() => new MemoryStore();

    [Fact]
    public async Task A_read_only_memory_store_refuses_conditional_writes()
    {
        var store = new MemoryStore([new KeyValuePair<string, byte[]>("k", [1])], readOnly: true);
        using var read = await store.GetVersionedAsync("k");
        await Assert.ThrowsAsync<ZarrStoreException>(async () => await store.TrySetAsync("k", new byte[] { 2 }, read.Version));
        await Assert.ThrowsAsync<ZarrStoreException>(async () => await store.TryDeleteAsync("k", read.Version));
    }
}
