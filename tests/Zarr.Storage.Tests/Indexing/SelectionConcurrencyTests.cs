using static Zarr.Storage.Tests.Indexing.IndexingTestSupport;

namespace Zarr.Storage.Tests.Indexing;

public class SelectionConcurrencyTests
{
    [Fact]
    public async Task Concurrent_point_and_orthogonal_writes_into_shared_chunks_lose_nothing()
    {
        var store = new MemoryStore();
        var z = await ZarrArray.CreateAsync<int>(store, "", [40, 40], new ArrayOptions { Chunks = [8, 8] });
        static int Value(long r, long c) => (int)((r * 100) + c + 1);
        const int Writers = 8;

        // Writer w owns the columns w, w+8, ..., w+32: every chunk is shared by all eight writers. Each element is
        // written once, by points (even rows) or by an orthogonal selection (odd rows), so a lost update leaves a 0.
        var tasks = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var handle = await ZarrArray.OpenAsync<int>(store, "", AccessMode.ReadWrite);
            long[] cols = [w, w + 8, w + 16, w + 24, w + 32];
            var rows = Enumerable.Range(0, 40).OrderBy(_ => Random.Shared.Next()).ToArray();
            foreach (var row in rows)
            {
                if (row % 2 == 0)
                {
                    await handle.Vindex[[.. cols.Select(_ => (long)row)], cols].WriteAsync([.. cols.Select(c => Value(row, c))]);
                }
                else
                {
                    await handle.Oindex[new[] { row }, cols].WriteAsync([.. cols.Select(c => Value(row, c))]);
                }
            }
        })).ToArray();
        await Task.WhenAll(tasks);

        var all = Flat(await z[..]);
        for (var r = 0; r < 40; r++)
        {
            for (var c = 0; c < 40; c++)
            {
                Assert.True(all[(r * 40) + c] == Value(r, c), $"element ({r}, {c}) holds {all[(r * 40) + c]}");
            }
        }
    }
}
