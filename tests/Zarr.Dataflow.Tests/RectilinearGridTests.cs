using System.Numerics.Tensors;
using System.Text;
using System.Text.Json.Nodes;
using Zarr.Storage;

namespace Zarr.Dataflow.Tests;

/// <summary>
/// The engine over a rectilinear chunk grid (months along time): reductions, maps and stores agree bit for bit with the
/// same data on a regular grid, a store keeps the rectilinear grid, and <c>Rechunk</c> to edges makes one.
/// </summary>
public sealed class RectilinearGridTests
{
    private static readonly int[] Days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

    private static readonly long[] Shape = [365, 6];

    // Quarters are exact in binary and their sums stay far below 2^53, so every order of summation gives the same bits.
    private static readonly double[] Data = [.. Enumerable.Range(0, 365 * 6).Select(i => ((i * 37) % 97) * 0.25)];

    private static ChunkEdgeList[] Months => [ChunkEdgeList.FromEdges(Days), ChunkEdgeList.Regular(4)];

    [Fact]
    public async Task Reductions_over_a_rectilinear_grid_agree_bit_for_bit_with_a_regular_one()
    {
        var store = new MemoryStore();
        var rect = await ZarrArray.FromDataAsync<double>(store, "rect", Data, Shape, new ArrayOptions { ChunkEdges = Months });
        var regular = await ZarrArray.FromDataAsync<double>(store, "regular", Data, Shape, new ArrayOptions { Chunks = [30, 4] });
        var x = Lazy.From(rect);
        var y = Lazy.From(regular);
        Assert.False(x.ChunkCount == y.ChunkCount && x.Chunks.SequenceEqual(y.Chunks), "the two grids must differ");
        Assert.Equal(24, x.ChunkCount); // 12 months × 2 column chunks

        foreach (var options in Support.OptionCombinations())
        {
            Assert.Equal(Bits(await y.SumAsync(options)), Bits(await x.SumAsync(options)));
            Assert.Equal(Bits(await y.MaxAsync(options)), Bits(await x.MaxAsync(options)));
            Assert.Equal(Bits(await y.SumAsync([0], options)), Bits(await x.SumAsync([0], options)));
            Assert.Equal(Bits(await y.MeanAsync([1], options)), Bits(await x.MeanAsync([1], options)));
            Assert.Equal(Bits(await (y * 2 + 1).SumAsync([0], options)), Bits(await (x * 2 + 1).SumAsync([0], options)));
        }

        // The reduction along time by hand, as a plain loop.
        var byColumn = Enumerable.Range(0, 6).Select(c => Enumerable.Range(0, 365).Sum(r => Data[(r * 6) + c])).ToArray();
        Assert.Equal(Bits(byColumn), Bits(await x.SumAsync([0])));
    }

    [Fact]
    public async Task A_store_keeps_the_rectilinear_grid_and_holds_the_same_values()
    {
        var store = new MemoryStore();
        var rect = await ZarrArray.FromDataAsync<double>(store, "rect", Data, Shape, new ArrayOptions { ChunkEdges = Months });
        var regular = await ZarrArray.FromDataAsync<double>(store, "regular", Data, Shape, new ArrayOptions { Chunks = [30, 4] });

        var fromRect = await (Lazy.From(rect) * 3 - 0.5).StoreAsync(store, "out-rect", new ArrayOptions { Compressors = [] });
        var fromRegular = await (Lazy.From(regular) * 3 - 0.5).StoreAsync(store, "out-regular");
        Assert.True(fromRect.Grid.SameAs(rect.Grid));
        Assert.Equal(Bits(await Support.ReadAllAsync(fromRegular)), Bits(await Support.ReadAllAsync(fromRect)));

        // February's chunk is stored at its own shape, 28 × 4 doubles, no padding.
        using (var february = await store.GetAsync("out-rect/c/1/0"))
        {
            Assert.Equal(28 * 4 * sizeof(double), february!.Length);
            Assert.Equal((Data[31 * 6] * 3) - 0.5, BitConverter.ToDouble(february.Span[..8]));
        }

        // Into an existing array of the other grid, and back.
        var target = await ZarrArray.CreateAsync<double>(store, "into-regular", Shape, new ArrayOptions { Chunks = [100, 6] });
        await Lazy.From(rect).StoreAsync(target);
        Assert.Equal(Bits(Data), Bits(await Support.ReadAllAsync(target)));
    }

    [Fact]
    public async Task Rechunk_to_month_sized_chunks_plans_over_them_and_stores_a_rectilinear_array()
    {
        var store = new MemoryStore();
        var regular = await ZarrArray.FromDataAsync<double>(store, "regular", Data, Shape, new ArrayOptions { Chunks = [100, 6] });
        var monthly = Lazy.From(regular).Rechunk(Months);
        Assert.Equal(24, monthly.ChunkCount);

        var chunks = new List<(long[] Start, long[] Shape)>();
        await foreach (var result in monthly.ToChunksAsync())
        {
            using var chunk = result;
            chunks.Add((chunk.Region.Start.ToArray(), [.. chunk.Region.Shape.ToArray().Select(s => (long)s)]));
        }

        Assert.Equal(24, chunks.Count);
        Assert.Contains(chunks, c => c.Start.SequenceEqual([59L, 4]) && c.Shape.SequenceEqual([31L, 2])); // March, the last two columns

        var stored = await monthly.StoreAsync(store, "monthly");
        using var document = await store.GetAsync("monthly/zarr.json");
        var json = JsonNode.Parse(Encoding.UTF8.GetString(document!.Span));
        Assert.Equal("""{"name":"rectilinear","configuration":{"kind":"inline","chunk_shapes":[[31,28,31,30,31,30,[31,2],30,31,30,31],4]}}""" /* July and August: one run */, json!["chunk_grid"]!.ToJsonString());
        Assert.Equal(Bits(Data), Bits(await Support.ReadAllAsync(stored)));
        Assert.Equal(Bits(await Lazy.From(regular).SumAsync([0])), Bits(await monthly.SumAsync([0])));

        var e = Assert.Throws<ArgumentException>(() => Lazy.From(regular).Rechunk([ChunkEdgeList.FromEdges([300]), ChunkEdgeList.Regular(6)]));
        Assert.Contains("300", e.Message);
    }

    [Fact]
    public async Task A_step_one_slice_of_a_rectilinear_array_keeps_its_edges_cut_to_the_range_and_a_store_writes_them()
    {
        var store = new MemoryStore();
        var rect = await ZarrArray.FromDataAsync<double>(store, "rect", Data, Shape, new ArrayOptions { ChunkEdges = Months });
        var regular = await ZarrArray.FromDataAsync<double>(store, "regular", Data, Shape, new ArrayOptions { Chunks = [30, 4] });

        // Mid-February (day 45) to mid-May (day 134), columns 1..4: 14 + 31 + 30 + 15 days, columns 3 + 1.
        Slice[] selection = [Slice.Range(45, 135), Slice.Range(1, 5)];
        var x = Lazy.From(rect).Slice(selection);
        var y = Lazy.From(regular).Slice(selection);
        Assert.Equal(8, x.ChunkCount);
        var shapes = new List<string>();
        await foreach (var result in x.ToChunksAsync())
        {
            using var chunk = result;
            shapes.Add($"{chunk.Region.Start[0]}+{chunk.Region.Shape[0]},{chunk.Region.Start[1]}+{chunk.Region.Shape[1]}");
        }

        Assert.Equal(["0+14,0+3", "0+14,3+1", "14+31,0+3", "14+31,3+1", "45+30,0+3", "45+30,3+1", "75+15,0+3", "75+15,3+1"], shapes.Order());

        foreach (var options in Support.OptionCombinations())
        {
            Assert.Equal(Bits(await y.SumAsync(options)), Bits(await x.SumAsync(options)));
            Assert.Equal(Bits(await y.SumAsync([0], options)), Bits(await x.SumAsync([0], options)));
            Assert.Equal(Bits(await y.MeanAsync([1], options)), Bits(await x.MeanAsync([1], options)));
        }

        var stored = await (x * 2).StoreAsync(store, "cut");
        Assert.False(stored.Grid.IsRegular);
        Assert.Equal(ChunkEdgeList.FromEdges([14, 31, 30, 15]), stored.Grid.Edges[0]);
        Assert.Equal(ChunkEdgeList.FromEdges([3, 1]), stored.Grid.Edges[1]);
        using (var document = await store.GetAsync("cut/zarr.json"))
        {
            Assert.Equal("rectilinear", JsonNode.Parse(Encoding.UTF8.GetString(document!.Span))!["chunk_grid"]!["name"]!.GetValue<string>());
        }

        var expected = await (y * 2).StoreAsync(store, "cut-regular");
        Assert.True(expected.Grid.IsRegular);
        Assert.Equal(Bits(await Support.ReadAllAsync(expected)), Bits(await Support.ReadAllAsync(stored)));

        // By hand: the view's first row is day 45, columns 1..4.
        Assert.Equal(Bits(Enumerable.Range(1, 4).Select(c => Data[(45 * 6) + c] * 2)), Bits((await Support.ReadAllAsync(stored)).ToArray().Take(4)));

        // A stepped or index selection has no rectilinear form: it plans over projected regular chunks, with the same values.
        Slice[] stepped = [Slice.Range(3, 300, 7), Slice.At(2)];
        Assert.Equal(Bits(await Lazy.From(regular).Slice(stepped).SumAsync()), Bits(await Lazy.From(rect).Slice(stepped).SumAsync()));
        Assert.Equal(Bits(await Support.ReadAllAsync(await Lazy.From(regular).Slice(stepped).StoreAsync(store, "s-regular"))),
            Bits(await Support.ReadAllAsync(await Lazy.From(rect).Slice(stepped).StoreAsync(store, "s-rect"))));
    }

    [Fact]
    public async Task A_reduction_along_one_axis_stores_the_other_axes_edges_with_the_regular_grids_values()
    {
        var store = new MemoryStore();
        var rect = await ZarrArray.FromDataAsync<double>(store, "rect", Data, Shape, new ArrayOptions { ChunkEdges = Months });
        var regular = await ZarrArray.FromDataAsync<double>(store, "regular", Data, Shape, new ArrayOptions { Chunks = [30, 4] });

        // Summing the columns keeps time: the months' edges.
        var byDay = await Lazy.From(rect).Sum([1]).StoreAsync(store, "by-day", new ArrayOptions { Compressors = [] });
        Assert.False(byDay.Grid.IsRegular);
        Assert.Equal(ChunkEdgeList.FromEdges(Days), byDay.Grid.Edges[0]);
        var expected = await Lazy.From(regular).Sum([1]).StoreAsync(store, "by-day-regular");
        Assert.True(expected.Grid.IsRegular);
        Assert.Equal(Bits(await Support.ReadAllAsync(expected)), Bits(await Support.ReadAllAsync(byDay)));
        Assert.Equal(Bits(Enumerable.Range(0, 365).Select(r => Enumerable.Range(0, 6).Sum(c => Data[(r * 6) + c]))), Bits(await Support.ReadAllAsync(byDay)));

        // Each month's block is one whole chunk: February's is its 28 days.
        using (var february = await store.GetAsync("by-day/c/1"))
        {
            Assert.Equal(28 * sizeof(double), february!.Length);
        }

        // Summing time keeps the columns' (regular) edges; given chunks win over the source's edges.
        var byColumn = await Lazy.From(rect).Sum([0]).StoreAsync(store, "by-column");
        Assert.Equal(ChunkEdgeList.Regular(4), byColumn.Grid.Edges[0]);
        Assert.Equal(Bits(await Lazy.From(regular).SumAsync([0])), Bits(await Support.ReadAllAsync(byColumn)));
        var chosen = await Lazy.From(rect).Sum([1]).StoreAsync(store, "chosen", new ArrayOptions { Chunks = [100] });
        Assert.True(chosen.Grid.IsRegular);
        Assert.Equal(Bits(await Support.ReadAllAsync(expected)), Bits(await Support.ReadAllAsync(chosen)));
    }

    private static long[] Bits(double value) => [BitConverter.DoubleToInt64Bits(value)];

    private static long[] Bits(IEnumerable<double> values) => [.. values.Select(BitConverter.DoubleToInt64Bits)];

    private static long[] Bits(Tensor<double> values) => [.. values.ToArray().AsEnumerable().Select(BitConverter.DoubleToInt64Bits)];
}
