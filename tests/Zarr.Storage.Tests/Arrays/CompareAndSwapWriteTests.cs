using Zarr.Storage.Chunks;

namespace Zarr.Storage.Tests.Arrays;

/// <summary>
/// Partial-chunk writes on a store with conditional writes: each writer here holds its own store object with its own
/// location (as another process or machine does), so the in-process chunk locks do not order them and only the
/// compare-and-swap of <see cref="IConditionalStore"/> keeps their updates.
/// </summary>
public sealed class CompareAndSwapWriteTests
{
    private static readonly ArrayOptions Options = new() { Chunks = [400], FillValue = 0 };

    [Fact]
    public async Task Writers_with_their_own_store_objects_lose_no_partial_update()
    {
        var shared = new MemoryStore();
        var (lost, handles) = await CompareAndSwapWriters.RunAsync(shared, () => shared);
        Assert.Equal(0, lost);
        Assert.Equal(800, handles.Sum(h => h.Swaps - h.LostSwaps));
    }

    [Fact]
    public async Task A_lost_race_is_retried_from_a_fresh_read_and_keeps_both_updates()
    {
        var shared = new MemoryStore();
        await ZarrArray.CreateAsync<int>(shared, "a", [800], Options);
        var other = await ZarrArray.OpenAsync<int>(new OtherProcessHandle(shared), "a", AccessMode.ReadWrite);
        var meddling = new OtherProcessHandle(shared);
        var meddled = false;
        meddling.BeforeSwap = async () =>
        {
            if (!meddled)
            {
                meddled = true;
                await other.WriteAsync([Slice.At(7)], new[] { 77 }); // another writer changes the chunk between our read and our swap
            }
        };
        var array = await ZarrArray.OpenAsync<int>(meddling, "a", AccessMode.ReadWrite);

        await array.WriteAsync([Slice.At(3)], new[] { 33 });

        var result = (await array.ReadAsync([Slice.Range(0, 8)])).ToArray();
        Assert.Equal(new[] { 0, 0, 0, 33, 0, 0, 0, 77 }, result);
        Assert.Equal(2, meddling.Swaps);
        Assert.Equal(1, meddling.LostSwaps);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_chunk_left_all_fill_is_deleted_only_where_the_delete_can_be_conditional(bool canDeleteConditionally)
    {
        var shared = new MemoryStore();
        var handle = new OtherProcessHandle(shared) { CanDeleteConditionallyOverride = canDeleteConditionally };
        var array = await ZarrArray.CreateAsync<int>(handle, "a", [800], Options);
        await array.WriteAsync([Slice.At(5)], new[] { 5 });
        var key = array.ChunkStorage.KeyOf([0]);
        Assert.True(await shared.ExistsAsync(key));

        await array.WriteAsync([Slice.At(5)], new[] { 0 }); // back to the fill value: the chunk is all fill

        Assert.Equal(!canDeleteConditionally, await shared.ExistsAsync(key));
        Assert.Equal(0, handle.UnconditionalDeletes);
        Assert.All((await array.ReadAsync([Slice.Range(0, 400)])).ToArray(), v => Assert.Equal(0, v));
    }

    [Fact]
    public async Task Whole_chunk_writes_need_no_version()
    {
        var shared = new MemoryStore();
        var handle = new OtherProcessHandle(shared);
        var array = await ZarrArray.CreateAsync<int>(handle, "a", [800], Options);

        await array.WriteAsync([Slice.All], Enumerable.Range(1, 800).ToArray());

        Assert.Equal(0, handle.Swaps);
        Assert.Equal(Enumerable.Range(1, 800).ToArray(), (await array.ReadAsync([Slice.All])).ToArray());
    }

    [Fact]
    public async Task A_writer_that_always_loses_gives_up_naming_the_chunk()
    {
        var backoff = new ConflictBackoff("group/a", "group/a/c/0", maxAttempts: 3);
        await backoff.WaitAsync(CancellationToken.None);
        await backoff.WaitAsync(CancellationToken.None);
        var error = await Assert.ThrowsAsync<ZarrStoreException>(async () => await backoff.WaitAsync(CancellationToken.None));
        Assert.Contains("'group/a/c/0'", error.Message, StringComparison.Ordinal);
        Assert.Contains("/group/a", error.Message, StringComparison.Ordinal);
        Assert.Contains("compare-and-swap", error.Message, StringComparison.Ordinal);
    }
}
