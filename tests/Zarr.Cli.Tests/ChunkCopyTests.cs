using Zarr.Cli.Commands;
using Zarr.Storage;

namespace Zarr.Cli.Tests;

/// <summary>The chunk-by-chunk copy (<see cref="ChunkCopy"/>) stores through the target's chunk storage: under the lock, deleting all-fill chunks.</summary>
public sealed class ChunkCopyTests
{
    private static readonly ArrayOptions Options = new() { Chunks = [4], FillValue = 0 };

    [Theory]
    [InlineData(4)]
    [InlineData(2)]
    public async Task An_all_fill_source_chunk_deletes_the_chunk_the_target_held(int targetChunk)
    {
        var source = await ZarrArray.CreateAsync<int>(new MemoryStore(), "", [8], Options);
        await source.WriteAsync([Slice.Range(0, 4)], new[] { 1, 2, 3, 4 });
        var target = await ZarrArray.CreateAsync<int>(new MemoryStore(), "", [8], Options with { Chunks = [targetChunk] });
        await target.WriteAsync([Slice.All], new[] { 9, 9, 9, 9, 9, 9, 9, 9 });

        await ChunkCopy.CopyAsync(source, target, null, storeEveryChunk: false, CancellationToken.None);

        Assert.Equal(new[] { 1, 2, 3, 4, 0, 0, 0, 0 }, (await target.ReadAsync([Slice.All])).ToArray());
        for (long c = 4 / targetChunk; c < 8 / targetChunk; c++)
        {
            Assert.False(await target.Store.ExistsAsync(target.GetChunkKey([c])), $"chunk {c} survived the copy");
        }
    }

    [Fact]
    public async Task Storing_every_chunk_keeps_an_all_fill_chunk()
    {
        var source = await ZarrArray.CreateAsync<int>(new MemoryStore(), "", [8], Options);
        var target = await ZarrArray.CreateAsync<int>(new MemoryStore(), "", [8], Options);

        await ChunkCopy.CopyAsync(source, target, null, storeEveryChunk: true, CancellationToken.None);

        Assert.True(await target.Store.ExistsAsync(target.GetChunkKey([0])));
        Assert.True(await target.Store.ExistsAsync(target.GetChunkKey([1])));
    }
}
