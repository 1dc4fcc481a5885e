using static Zarr.Storage.Tests.Arrays.SelectionTests;

namespace Zarr.Storage.Tests.Arrays;

public class ConcurrencyTests
{
    /// <summary>
    /// 8 writers × 2,000 partial writes into 4 shared chunks: each write sets its own two elements, which share
    /// their chunk with every other writer's, so any read-modify-write that is not serialised loses updates.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Concurrent_partial_writes_to_shared_chunks_lose_nothing(bool onDisk)
    {
        const int writers = 8, writesEach = 2000, chunks = 4;
        using var tmp = new TempDirectory();
        IStore store = onDisk ? new DirectoryStore(tmp.Path) : new MemoryStore();
        const int length = writers * writesEach * 2;
        var chunk = length / chunks;
        var z = await ZarrArray.CreateAsync<int>(store, "c", [length], new ArrayOptions { Chunks = [chunk] });

        // Separate handles on the same store, as separate components of one process would have.
        var handles = await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => ZarrArray.OpenAsync<int>(store, "c", AccessMode.ReadWrite)));
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < writesEach; i++)
            {
                // Element pairs interleaved across writers and spread over all four chunks.
                var slot = (i * writers) + w;
                var target = ((slot % chunks) * chunk) + ((slot / chunks) * 2);
                await handles[w][target..(target + 2)].WriteAsync(new[] { (w * writesEach) + i + 1, -((w * writesEach) + i + 1) });
            }
        })));

        var all = ToArray(await z[..]);
        var seen = new HashSet<int>();
        for (var e = 0; e < length; e += 2)
        {
            Assert.True(all[e] > 0, $"element {e} was lost");
            Assert.Equal(-all[e], all[e + 1]);
            Assert.True(seen.Add(all[e]));
        }

        Assert.Equal(writers * writesEach, seen.Count);
    }

    [Fact]
    public async Task Readers_and_writers_of_whole_chunks_run_together()
    {
        var store = new MemoryStore();
        var z = await ZarrArray.CreateAsync<long>(store, "", [64, 64], new ArrayOptions { Chunks = [16, 16] });
        var writer = Task.Run(async () =>
        {
            for (var round = 1; round <= 30; round++)
            {
                await z[..].FillAsync(round);
            }
        });
        var reader = Task.Run(async () =>
        {
            while (!writer.IsCompleted)
            {
                var block = ToArray(await z[0..16, 0..16]);
                Assert.All(block, v => Assert.Equal(block[0], v)); // a chunk is never seen half written
            }
        });
        await Task.WhenAll(writer, reader);
        Assert.All(ToArray(await z[..]), v => Assert.Equal(30, v));
    }
}
