using static Zarr.Storage.Tests.Indexing.IndexingTestSupport;

namespace Zarr.Storage.Tests.Indexing;

public class BlockSelectionTests
{
    [Fact]
    public async Task Random_block_selections_read_and_write_whole_chunks()
    {
        var rng = new Random(99);
        for (var trial = 0; trial < 100; trial++)
        {
            var (z, reference) = await RandomArrayAsync(rng, trial);
            var shape = reference.Shape;
            var grid = z.Grid.GridShape;
            var chunks = z.Chunks;
            var blocks = new Slice[shape.Length];
            var taken = new long[shape.Length][];
            for (var d = 0; d < shape.Length; d++)
            {
                long first, end;
                if (rng.Next(2) == 0)
                {
                    first = rng.Next(0, (int)grid[d]);
                    end = first + 1;
                    blocks[d] = rng.Next(2) == 0 ? first : first - grid[d];
                }
                else
                {
                    first = rng.Next(0, (int)grid[d]);
                    var stop = rng.Next((int)first, (int)grid[d] + 2);
                    end = Math.Min(stop, grid[d]);
                    blocks[d] = Slice.Range(first, stop);
                }

                var lo = first * chunks[d];
                var hi = Math.Min(end * chunks[d], shape[d]);
                taken[d] = [.. Enumerable.Range((int)lo, (int)Math.Max(0, hi - lo)).Select(i => (long)i)];
            }

            var offsets = Product(reference, taken);
            var got = await z.Blocks[blocks];
            Assert.Equal(offsets.Select(o => reference.Values[o]), Flat(got));
            Assert.Equal(taken.Select(t => (long)t.Length), z.Blocks[blocks].Shape);

            var values = offsets.Select((_, i) => -50L - i).ToArray();
            await z.Block(blocks).WriteAsync(values);
            for (var i = 0; i < offsets.Count; i++)
            {
                reference.Values[offsets[i]] = values[i];
            }

            Assert.Equal(reference.Values, Flat(await z[..]));
        }
    }

    [Fact]
    public async Task An_integer_keeps_its_dimension_and_edge_chunks_are_cut()
    {
        var z = await ZarrArray.CreateAsync<int>(new MemoryStore(), "", [10, 10], new ArrayOptions { Chunks = [3, 3] });
        await z[..].WriteAsync(Enumerable.Range(0, 100).ToArray());
        var row = await z.Blocks[1];
        Assert.Equal([3L, 10], Lengths(row));
        Assert.Equal(Enumerable.Range(30, 30), Flat(row));

        var corner = await z.Blocks[^1, -1];
        Assert.Equal([1L, 1], Lengths(corner));
        Assert.Equal([99], Flat(corner));

        var two = await z.Blocks[0, 1..3];
        Assert.Equal([3L, 6], Lengths(two));
        Assert.Equal([3, 4, 5, 6, 7, 8], Flat(two).Take(6));

        var clamped = await z.Blocks[2..100, 3];
        Assert.Equal([4L, 1], Lengths(clamped));

        await z.Blocks[1, 1].FillAsync(-1);
        Assert.Equal(Enumerable.Repeat(-1, 9), Flat(await z[3..6, 3..6]));
    }

    [Fact]
    public async Task Errors_name_the_dimension_and_its_bounds()
    {
        var z = await ZarrArray.CreateAsync<int>(new MemoryStore(), "", [25, 13], new ArrayOptions { Chunks = [10, 5] });
        var bounds = await Assert.ThrowsAsync<ZarrSelectionException>(() => z.Blocks[0, 3].ReadAsync());
        Assert.Contains("block index 3", bounds.Message);
        Assert.Contains("dimension 1 of 3 chunks", bounds.Message);
        Assert.Contains("-3 to 2", bounds.Message);

        var step = await Assert.ThrowsAsync<ZarrSelectionException>(() => z.Blocks[(..).WithStep(2)].ReadAsync());
        Assert.Contains("step 2", step.Message);

        var tooMany = await Assert.ThrowsAsync<ZarrSelectionException>(() => z.Blocks[0, 0, 0].ReadAsync());
        Assert.Contains("3 dimensions", tooMany.Message);
    }
}
