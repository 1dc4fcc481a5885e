namespace Zarr.Storage.Tests.Reliability;

/// <summary>
/// Issue 13: a whole-chunk write in one process against a partial write (a read-modify-write) of the same chunk in
/// another (<see cref="OtherProcessDirectory"/>), the whole write started between the partial writer's read and its write
/// back. The whole write holds the chunk's lock file too, so the outcome is one of the two serial orders: the whole
/// chunk with the partial write's element over it, or the whole chunk alone; never the partial write over the old chunk.
/// </summary>
public sealed class WholeAgainstPartialWriteTests
{
    public static TheoryData<string> WholeWrites => ["selection covering the chunk", "ChunkStorage.StoreAsync"];

    [Theory]
    [MemberData(nameof(WholeWrites))]
    public async Task The_outcome_is_one_of_the_two_serial_orders(string wholeWrite)
    {
        using var folder = new TempDirectory();
        var whole = await ZarrArray.CreateAsync<int>(new DirectoryStore(folder.Path), "a", [4], new ArrayOptions { Chunks = [4], FillValue = 0 });
        await whole.WriteAsync([Slice.All], new[] { 1, 1, 1, 1 });
        var partialStore = new OtherProcessDirectory(folder.Path);
        var partial = await ZarrArray.OpenAsync<int>(partialStore, "a", AccessMode.ReadWrite);

        Task? wholeDone = null;
        partialStore.AfterRead = async key =>
        {
            if (key != "a/c/0" || wholeDone is not null)
            {
                return;
            }

            // The whole write starts now, between the partial writer's read and its write back, and is given time to
            // finish: without the lock it does, and the partial writer then writes back over it.
            wholeDone = Task.Run(() => WriteWholeAsync(whole, wholeWrite));
            await Task.WhenAny(wholeDone, Task.Delay(300));
        };

        await partial.WriteAsync([Slice.At(2)], new[] { 9 });
        Assert.NotNull(wholeDone);
        await wholeDone;

        var result = (await whole.ReadAsync([Slice.All])).ToArray();
        int[][] serial = [[5, 5, 9, 5], [5, 5, 5, 5]];
        Assert.True(serial.Any(s => s.SequenceEqual(result)), $"[{string.Join(", ", result)}] is neither serial order");
    }

    private static async Task WriteWholeAsync(ZarrArray<int> array, string how)
    {
        if (how == "ChunkStorage.StoreAsync")
        {
            using var encoded = array.ChunkStorage.Encode(System.Runtime.InteropServices.MemoryMarshal.AsBytes(new[] { 5, 5, 5, 5 }.AsSpan()), [0]);
            await array.ChunkStorage.StoreAsync([0], encoded);
        }
        else
        {
            await array.WriteAsync([Slice.All], new[] { 5, 5, 5, 5 });
        }
    }
}
