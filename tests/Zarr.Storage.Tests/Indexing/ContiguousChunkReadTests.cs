using Zarr.Storage.Codecs;

namespace Zarr.Storage.Tests.Indexing;

/// <summary>
/// Reads that decode a chunk straight into the destination when the chunk is one contiguous run of it (whole chunks of
/// whole rows, planes, ...), and copy the others out of a decoded buffer: which chunks qualify and where they go, and
/// that reads mixing both give the stored values, fill values for missing chunks and typed errors for corrupt ones.
/// </summary>
public sealed class ContiguousChunkReadTests
{
    [Fact]
    public void Whole_chunks_of_whole_trailing_extents_are_contiguous_at_their_output_offset()
    {
        var grid = new ChunkGrid((long[])[8, 6, 4], (int[])[2, 6, 4]);
        var plan = SelectionPlan.Create(grid, []);
        foreach (var chunk in plan.Chunks())
        {
            Assert.True(plan.IsContiguousWholeChunk(chunk, [2, 6, 4], out var offset));
            Assert.Equal(chunk.Coordinates[0] * 2 * 24, offset);
        }

        // Rows of half a plane: a chunk spanning two steps of the first axis is two runs apart.
        var halves = new ChunkGrid((long[])[8, 6, 4], (int[])[2, 3, 4]);
        Assert.All(SelectionPlan.Create(halves, []).Chunks(), c => Assert.False(SelectionPlan.Create(halves, []).IsContiguousWholeChunk(c, [2, 3, 4], out _)));

        // ... but one step of it is one run.
        var rows = new ChunkGrid((long[])[8, 6, 4], (int[])[1, 3, 4]);
        var rowPlan = SelectionPlan.Create(rows, []);
        foreach (var chunk in rowPlan.Chunks())
        {
            Assert.True(rowPlan.IsContiguousWholeChunk(chunk, [1, 3, 4], out var offset));
            Assert.Equal((chunk.Coordinates[0] * 24) + (chunk.Coordinates[1] * 12), offset);
        }
    }

    [Fact]
    public void Parts_of_chunks_steps_and_clipped_edges_are_not()
    {
        var grid = new ChunkGrid((long[])[7, 6, 4], (int[])[2, 6, 4]);

        // The edge chunk (index 3) holds one valid step of two: its buffer is not all in the output.
        var all = SelectionPlan.Create(grid, []);
        Assert.Equal([true, true, true, false], all.Chunks().Select(c => all.IsContiguousWholeChunk(c, [2, 6, 4], out _)));

        // A window cutting chunks 0 and 2: only chunk 1, whole, is one run (one step into the output).
        var cut = SelectionPlan.Create(grid, [Slice.Range(1, 5)]);
        Assert.Equal([false, true, false], cut.Chunks().Select(c => cut.IsContiguousWholeChunk(c, [2, 6, 4], out _)));
        Assert.True(cut.IsContiguousWholeChunk(cut.Chunks().ElementAt(1), [2, 6, 4], out var middle));
        Assert.Equal(24, middle);

        // A step, and a window of the trailing axis.
        var stepped = SelectionPlan.Create(grid, [Slice.Range(0, 6, 2)]);
        Assert.All(stepped.Chunks(), c => Assert.False(stepped.IsContiguousWholeChunk(c, [2, 6, 4], out _)));
        var narrow = SelectionPlan.Create(grid, [Slice.All, Slice.All, Slice.Range(0, 3)]);
        Assert.All(narrow.Chunks(), c => Assert.False(narrow.IsContiguousWholeChunk(c, [2, 6, 4], out _)));

        // A chunk window that starts at a chunk's start goes to the front of the output.
        var window = SelectionPlan.Create(grid, [Slice.Range(2, 6)]);
        Assert.True(window.IsContiguousWholeChunk(window.Chunks().First(), [2, 6, 4], out var first));
        Assert.Equal(0, first);
        Assert.True(window.IsContiguousWholeChunk(window.Chunks().Last(), [2, 6, 4], out var second));
        Assert.Equal(48, second);
    }

    [Theory]
    [InlineData(1, 3, 40)]
    [InlineData(5, 30, 40)]
    [InlineData(3, 7, 16)]
    public async Task Reads_mixing_direct_and_copied_chunks_give_the_stored_values(int c0, int c1, int c2)
    {
        long[] shape = [11, 30, 40];
        var data = Enumerable.Range(0, 11 * 30 * 40).Select(i => (i * 0.37f) - 100).ToArray();
        var store = new MemoryStore();
        var z = await ZarrArray.CreateAsync<float>(store, "a", shape, new ArrayOptions
        {
            Chunks = [c0, c1, c2],
            FillValue = -1f,
            Compressors = [new BloscCodec(BloscCompressor.Lz4, 5, BloscShuffle.Shuffle, 4)],
        });
        await z.WriteAsync([], data);

        // Every read below, as a copy of the expected values selected element by element.
        foreach (var selection in new Slice[][] { [], [Slice.Range(c0, 11)], [Slice.Range(2, 9)], [Slice.Range(0, 11, 2)], [Slice.At(4)], [Slice.All, Slice.Range(3, 30)] })
        {
            var plan = SelectionPlan.Create(z.Grid, selection);
            var expected = new List<float>();
            foreach (var index in Reference<float>.Indices(shape, [.. plan.Dimensions.Select(d => (d.Start, d.Start + (d.Count * d.Step), d.Step))]))
            {
                expected.Add(data[(index[0] * 1200) + (index[1] * 40) + index[2]]);
            }

            var actual = new float[expected.Count];
            await z.ReadIntoAsync(selection, actual);
            Assert.Equal(expected, actual);
        }

        // A missing chunk reads as the fill value, whether decoded into place or copied.
        await store.DeleteAsync("a/c/0/0/0");
        var whole = new float[data.Length];
        await z.ReadIntoAsync([], whole);
        for (var i = 0; i < whole.Length; i++)
        {
            var (x, y, w) = (i / 1200, i / 40 % 30, i % 40);
            Assert.Equal(x < c0 && y < c1 && w < c2 ? -1f : data[i], whole[i]);
        }
    }

    [Fact]
    public async Task A_corrupt_chunk_decoded_into_place_names_the_array_the_key_and_the_codec()
    {
        var store = new MemoryStore();
        var z = await ZarrArray.FromDataAsync<int>(store, "g/arr", Enumerable.Range(0, 100).ToArray(), [100], new ArrayOptions { Chunks = [50] });
        await store.SetAsync("g/arr/c/1", new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19 });
        var whole = new int[100];
        var e = await Assert.ThrowsAsync<ZarrCodecException>(() => z.ReadIntoAsync([], whole));
        Assert.Equal("g/arr/c/1", e.ChunkKey);
        Assert.Equal("blosc", e.Codec);
        Assert.Contains("/g/arr", e.Message);
        var first = new int[50];
        await z.ReadIntoAsync([Slice.Range(0, 50)], first);
        Assert.Equal(Enumerable.Range(0, 50), first);
    }
}
