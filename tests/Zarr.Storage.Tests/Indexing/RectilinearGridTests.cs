using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;
using static Zarr.Storage.Tests.Indexing.IndexingTestSupport;

namespace Zarr.Storage.Tests.Indexing;

/// <summary>
/// The rectilinear chunk grid (zarr-extensions, chunk-grids/rectilinear): its JSON in every registered form, reads and
/// writes checked element by element against the same data on a regular grid, stored chunk bytes checked by hand,
/// resize and append, sharding, the cost of a selection, and the clear failures.
/// </summary>
public class RectilinearGridTests
{
    // The extension text's example: five axes of length 6, each spelled another way.
    private const string ExampleGrid = """
        {"name": "rectilinear", "configuration": {"kind": "inline", "chunk_shapes": [4, [1, 2, 3], [[4, 2]], [[1, 3], 3], [4, 4, 4]]}}
        """;

    // The earlier revision's example (edges summing exactly to the length).
    private const string EarlierExampleGrid = """
        {"name": "rectilinear", "configuration": {"kind": "inline", "chunk_shapes": [[[2, 3]], [[1, 6]], [1, [2, 1], 3], [[1, 3], 3], [6]]}}
        """;

    private static string Document(string shape, string grid) =>
        "{\"zarr_format\": 3, \"node_type\": \"array\", \"shape\": " + shape + ", \"data_type\": \"int32\", \"chunk_grid\": " + grid
        + ", \"chunk_key_encoding\": {\"name\": \"default\", \"configuration\": {\"separator\": \"/\"}}, \"fill_value\": 0,"
        + " \"codecs\": [{\"name\": \"bytes\", \"configuration\": {\"endian\": \"little\"}}], \"attributes\": {}}";

    [Fact]
    public void The_extension_examples_resolve_to_the_edges_the_text_gives_and_write_back_in_the_same_form()
    {
        var metadata = MetadataSerializer.ParseArrayV3(Encoding.UTF8.GetBytes(Document("[6, 6, 6, 6, 6]", ExampleGrid)), "zarr.json");
        var grid = metadata.CreateGrid();
        Assert.False(grid.IsRegular);
        Assert.Equal([2L, 3, 2, 4, 2], grid.GridShape.ToArray());
        Assert.Equal([4L, 4], grid.Edges[0].Expand(2));
        Assert.Equal([1L, 2, 3], grid.Edges[1].Expand(3));
        Assert.Equal([4L, 4], grid.Edges[2].Expand(2));
        Assert.Equal([1L, 1, 1, 3], grid.Edges[3].Expand(4));
        Assert.Equal([4L, 4, 4], grid.Edges[4].Expand(3)); // overflow chunks are permitted; the third lies past the end
        Assert.Equal([4, 3, 4, 3, 4], grid.ChunkShape.ToArray()); // the envelope a decoded chunk is held in

        var written = MetadataSerializer.ToV3Json(metadata);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(ExampleGrid), JsonNode.Parse(written)!["chunk_grid"]), Encoding.UTF8.GetString(written));
        Assert.Equal(written, MetadataSerializer.ToV3Json(MetadataSerializer.ParseArrayV3(written, "zarr.json")));

        var earlier = MetadataSerializer.ParseArrayV3(Encoding.UTF8.GetBytes(Document("[6, 6, 6, 6, 6]", EarlierExampleGrid)), "zarr.json");
        var g = earlier.CreateGrid();
        Assert.Equal([3L, 6, 3, 4, 1], g.GridShape.ToArray());
        Assert.Equal([1L, 2, 3], g.Edges[2].Expand(3));
        Assert.Equal([2L, 2, 2], g.Edges[0].Expand(3));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(EarlierExampleGrid), JsonNode.Parse(MetadataSerializer.ToV3Json(earlier))!["chunk_grid"]));

        // The text's indexing example: edges (16, 10) by (24, 14); array index (36, 15) is in chunk (1, 0) at (12, 15)
        // by its own arithmetic (36 − 24 along the axis of 24 + 14, 15 in the first chunk of 16).
        var text = new ChunkGrid([38, 26], [ChunkEdgeList.FromEdges([24, 14]), ChunkEdgeList.FromEdges([16, 10])]);
        Assert.Equal(1, text.ChunkIndexOf(0, 36));
        Assert.Equal(12, 36 - text.ChunkStart(0, 1));
        Assert.Equal(0, text.ChunkIndexOf(1, 15));
    }

    [Fact]
    public async Task Stored_chunks_hold_exactly_their_own_edges_byte_for_byte()
    {
        // Hand-built: a 2-D int32 array (6, 5), rows cut [1, 2, 3] and columns [[2, 2], 1], values 10·row + column.
        var store = new MemoryStore();
        const string Grid = """{"name": "rectilinear", "configuration": {"kind": "inline", "chunk_shapes": [[1, 2, 3], [[2, 2], 1]]}}""";
        await store.SetAsync("a/zarr.json", Encoding.UTF8.GetBytes(Document("[6, 5]", Grid)));
        var z = await ZarrArray.OpenAsync<int>(store, "a", AccessMode.ReadWrite);
        var data = Enumerable.Range(0, 30).Select(i => (10 * (i / 5)) + (i % 5)).ToArray();
        await z[..].WriteAsync(data);

        // Chunk (2, 1): rows 3..5, columns 2..3, C order, little-endian, no padding.
        Assert.Equal(Ints(32, 33, 42, 43, 52, 53), await Stored(store, "a/c/2/1"));
        Assert.Equal(Ints(4), await Stored(store, "a/c/0/2"));
        Assert.Equal(Ints(10, 11, 20, 21), await Stored(store, "a/c/1/0"));
        Assert.Equal(9, (await ListKeys(store, "a/c/")).Count);

        // And the other way: a chunk stored by hand reads back in place.
        await store.SetAsync("a/c/1/2", Ints(-1, -2));
        var again = await ZarrArray.OpenAsync<int>(store, "a");
        Assert.Equal(new[] {-1, -2}, Flat(await again[1..3, 4..5]));
        Assert.Equal(new[] {3, 4, 13, -1, 23, -2, 33, 34}, Flat(await again[0..4, 3..5]));
    }

    [Fact]
    public async Task Reads_and_writes_agree_with_the_same_data_on_a_regular_grid()
    {
        var store = new MemoryStore();
        long[] shape = [37, 23];
        var edges = new[] { ChunkEdgeList.FromEdges([5, 1, 1, 9, 3, 3, 3, 12]), ChunkEdgeList.FromRuns([new(4, 3, true), new(7, 1, false), new(20, 1, false)]) };
        var rect = await ZarrArray.CreateAsync<double>(store, "rect", shape, new ArrayOptions { ChunkEdges = edges, FillValue = -1 });
        var regular = await ZarrArray.CreateAsync<double>(store, "regular", shape, new ArrayOptions { Chunks = [6, 5], FillValue = -1 });
        var rng = new Random(20);
        for (var trial = 0; trial < 40; trial++)
        {
            var r0 = rng.Next(0, 37);
            var r1 = rng.Next(r0, 38);
            var c0 = rng.Next(0, 23);
            var c1 = rng.Next(c0, 24);
            var step = rng.Next(1, 4);
            Slice[] sel = [Slice.Stepped(r0..r1, step), Slice.Range(c0, c1)];
            var count = (((r1 - r0 + step - 1) / step) * (c1 - c0));
            var values = Enumerable.Range(0, count).Select(_ => Math.Round(rng.NextDouble() * 100, 2)).ToArray();
            await rect.WriteAsync(sel, values);
            await regular.WriteAsync(sel, values);

            Slice[] probe = [Slice.Stepped(rng.Next(0, 10)..rng.Next(20, 38), rng.Next(1, 5)), Slice.Range(rng.Next(0, 12), rng.Next(12, 24))];
            Assert.Equal(Flat(await regular.ReadAsync(probe)), Flat(await rect.ReadAsync(probe)));
        }

        Assert.Equal(Flat(await regular[..]), Flat(await rect[..]));
        long[] rows = [36, 0, 5, 6, 7, 17, 18], cols = [22, 0, 11, 12, 3, 4, 19];
        Assert.Equal(Flat(await regular.Vindex[rows, cols].ReadAsync()), Flat(await rect.Vindex[rows, cols].ReadAsync()));
        Assert.Equal(Flat(await regular.Oindex[rows, cols].ReadAsync()), Flat(await rect.Oindex[rows, cols].ReadAsync()));
        await rect.Vindex[rows, cols].WriteAsync([1.0, 2, 3, 4, 5, 6, 7]);
        await regular.Vindex[rows, cols].WriteAsync([1.0, 2, 3, 4, 5, 6, 7]);
        Assert.Equal(Flat(await regular[..]), Flat(await rect[..]));

        // A block is one rectilinear chunk: row chunk 3 is rows 7..15, column chunk 3 is columns 12..18.
        Assert.Equal(Flat(await regular[7..16, 12..19]), Flat(await rect.Blocks[3, 3].ReadAsync()));
        Assert.Equal(new[] {9L, 7}, Lengths(await rect.Blocks[3, 3].ReadAsync()));

        // Reopened from the store, the grid is the same.
        var reopened = await ZarrArray.OpenAsync<double>(store, "rect");
        Assert.True(reopened.Grid.SameAs(rect.Grid));
        Assert.Equal(Flat(await regular[..]), Flat(await reopened[..]));
    }

    [Fact]
    public async Task Append_adds_one_chunk_edge_and_shrink_trims_what_lies_past_the_end()
    {
        var store = new MemoryStore();
        var months = ChunkEdgeList.FromEdges([31, 28, 31]);
        var z = await ZarrArray.CreateAsync<int>(store, "t", [90, 2], new ArrayOptions { ChunkEdges = [months, ChunkEdgeList.Regular(2)], Compressors = [] });
        await z[..].WriteAsync(Enumerable.Range(0, 180).ToArray());

        // April: one new chunk of 30 days.
        await z.AppendAsync(Enumerable.Range(1000, 60).ToArray(), [30, 2]);
        Assert.Equal([31L, 28, 31, 30], z.Grid.Edges[0].Expand(4));
        var json = JsonNode.Parse((await Stored(store, "t/zarr.json"))!)!;
        Assert.Equal("[[31,28,31,30],2]", json["chunk_grid"]!["configuration"]!["chunk_shapes"]!.ToJsonString());
        Assert.Equal(Ints(Enumerable.Range(1000, 60).ToArray()), await Stored(store, "t/c/3/0"));
        Assert.Equal(new[] {178, 179, 1000, 1001}, Flat(await z[89..91, ..]));

        // Shrink into February: edges are kept (overflow is permitted), the chunks past the end are gone and the cut
        // chunk reads as fill beyond the end when grown back.
        await z.ResizeAsync([40, 2]);
        Assert.Equal(["t/c/0/0", "t/c/1/0"], (await ListKeys(store, "t/c/")).Order());
        await z.ResizeAsync([90, 2]);
        Assert.Equal(Enumerable.Range(62, 18).Concat(Enumerable.Repeat(0, 100)), Flat(await z[31..90, ..]));
        Assert.Equal([31L, 28, 31, 30], z.Grid.Edges[0].Expand(4));
    }

    [Fact]
    public async Task A_million_chunks_along_one_axis_open_and_select_by_the_chunks_touched()
    {
        foreach (var form in new[] { "[[[3, 1000000]]]", "[[" + string.Join(", ", Enumerable.Repeat("3", 1_000_000)) + "]]" })
        {
            var store = new CountingStore();
            await store.SetAsync("zarr.json", Encoding.UTF8.GetBytes(Document("[3000000]", "{\"name\": \"rectilinear\", \"configuration\": {\"kind\": \"inline\", \"chunk_shapes\": " + form + "}}")));
            var z = await ZarrArray.OpenAsync<int>(store, "", AccessMode.ReadWrite);
            Assert.Equal(["zarr.json"], store.Reads);
            Assert.Equal(1_000_000, z.Grid.ChunkCount);
            Assert.Equal(form.StartsWith("[[[", StringComparison.Ordinal) ? 1 : 1_000_000, z.Grid.Edges[0].Runs.Length); // one run: nothing per chunk

            store.Reset();
            await z[1_500_000..1_500_007].WriteAsync([1, 2, 3, 4, 5, 6, 7]);
            Assert.Equal(["c/500002"], store.Reads); // two chunks are covered whole: only the partial one is read
            store.Reset();
            Assert.Equal(new[] {0, 1, 2, 3, 4, 5, 6, 7, 0}, Flat(await z[1_499_999..1_500_008]));
            Assert.Equal(["c/499999", "c/500000", "c/500001", "c/500002"], store.Reads.Order());

            store.Reset();
            Assert.Equal(new[] {0, 7}, Flat(await z.Vindex[new long[] { 2_999_999, 1_500_006 }].ReadAsync()));
            Assert.Equal(["c/500002", "c/999999"], store.Reads.Order());
            store.Reset();
            Assert.Equal(new[] {4, 5, 6}, Flat(await z.Blocks[500001].ReadAsync()));
            Assert.Equal(["c/500001"], store.Reads);
        }
    }

    [Fact]
    public async Task A_sharded_rectilinear_grid_needs_edges_the_inner_chunks_divide()
    {
        var store = new MemoryStore();
        var z = await ZarrArray.CreateAsync<short>(store, "s", [24, 6], new ArrayOptions { ChunkEdges = [ChunkEdgeList.FromEdges([4, 12, 8]), ChunkEdgeList.Regular(6)], Chunks = [4, 3] });
        Assert.IsType<ShardingCodec>(Assert.Single(z.Metadata.Codecs));
        var data = Enumerable.Range(0, 144).Select(i => (short)i).ToArray();
        await z[..].WriteAsync(data);
        Assert.Equal(data, Flat(await (await ZarrArray.OpenAsync<short>(store, "s"))[..]));
        Assert.Equal(data.Skip(30).Take(6 * 6), Flat(await z[5..11, ..]));
        Assert.Equal(3, (await ListKeys(store, "s/c/")).Count);

        var e = await Assert.ThrowsAsync<ZarrException>(() => ZarrArray.CreateAsync<short>(store, "bad", [24, 6], new ArrayOptions { ChunkEdges = [ChunkEdgeList.FromEdges([4, 10, 10]), ChunkEdgeList.Regular(6)], Chunks = [4, 3] }));
        Assert.Contains("axis 0", e.Message);
        Assert.Contains("edge 10", e.Message);
    }

    [Fact]
    public async Task A_selection_in_a_rectilinear_shard_reads_the_index_and_the_inner_chunks_it_touches_only()
    {
        // Shards of 8, 32 and 24 rows × 64 columns; inner chunks of 8 × 16 int32 (512 bytes), uncompressed.
        var store = new Zarr.Storage.Tests.Codecs.CountingStore(new MemoryStore());
        var z = await ZarrArray.CreateAsync<int>(store, "s", [64, 64], new ArrayOptions
        {
            ChunkEdges = [ChunkEdgeList.FromEdges([8, 32, 24]), ChunkEdgeList.Regular(64)], Chunks = [8, 16], Compressors = [],
        });
        var data = Enumerable.Range(0, 64 * 64).ToArray();
        await z[..].WriteAsync(data);
        var middle = (await store.GetSizeAsync("s/c/1/0"))!.Value;
        var index = (16 * 16) + 4; // 4 × 4 inner chunks, 16 bytes each, and the index's crc32c
        Assert.Equal((16 * 512) + index, middle);

        // Rows 20..23, columns 17..19: one inner chunk (rows 16..23 of the array, columns 16..31) of the middle shard.
        store.Reset();
        Assert.Equal(Enumerable.Range(20, 4).SelectMany(r => Enumerable.Range(17, 3).Select(c => data[(r * 64) + c])), Flat(await z[20..24, 17..20]));
        var reads = store.Reads.ToArray();
        Assert.All(reads, r => Assert.Equal("s/c/1/0", r.Key));
        Assert.True(reads.Length == 2, string.Join("; ", reads.Select(r => $"{r.Key} {r.Range} {r.Bytes}")));
        Assert.Equal(index + 512, store.BytesRead);

        // Two shards, one inner chunk each: rows 6..9 straddle the first shard's last and the middle shard's first inner rows.
        store.Reset();
        Assert.Equal(Enumerable.Range(6, 4).SelectMany(r => Enumerable.Range(0, 2).Select(c => data[(r * 64) + c])), Flat(await z[6..10, 0..2]));
        Assert.Equal(["s/c/0/0", "s/c/0/0", "s/c/1/0", "s/c/1/0"], store.Reads.Select(r => r.Key).Order());
        Assert.Equal((2 * 512) + index + ((4 * 16) + 4), store.BytesRead);
    }

    [Fact]
    public async Task What_cannot_be_a_rectilinear_grid_fails_saying_why()
    {
        var store = new MemoryStore();
        var v2 = await Assert.ThrowsAsync<ZarrException>(() => ZarrArray.CreateAsync<int>(store, "v2", [10], new ArrayOptions { Format = ZarrFormat.V2, ChunkEdges = [ChunkEdgeList.FromEdges([3, 7])] }));
        Assert.Contains("v2", v2.Message);
        Assert.Contains("rectilinear", v2.Message);
        Assert.False(await store.ExistsAsync("v2/.zarray"));

        var rect = await ZarrArray.CreateAsync<int>(store, "r", [10], new ArrayOptions { ChunkEdges = [ChunkEdgeList.FromEdges([3, 7])] });
        var asV2 = Assert.Throws<ZarrException>(() => MetadataSerializer.ToV2Json(rect.Metadata with { Format = ZarrFormat.V2 }));
        Assert.Contains("rectilinear", asV2.Message);

        var short_ = await Assert.ThrowsAsync<ZarrException>(() => ZarrArray.CreateAsync<int>(store, "short", [11], new ArrayOptions { ChunkEdges = [ChunkEdgeList.FromEdges([3, 7])] }));
        Assert.Contains("add up to 10", short_.Message);

        foreach (var (grid, field) in new[]
        {
            ("""{"name": "rectilinear", "configuration": {"kind": "inline", "chunk_shapes": [[3, 3]]}}""", "chunk_shapes[0]"),
            ("""{"name": "rectilinear", "configuration": {"kind": "file", "chunk_shapes": [[10]]}}""", "kind"),
            ("""{"name": "rectilinear", "configuration": {"kind": "inline", "chunk_shapes": [[[3, 0], 10]]}}""", "chunk_shapes[0][0][1]"),
            ("""{"name": "rectilinear", "configuration": {"kind": "inline", "chunk_shapes": [[[3, 2, 1]]]}}""", "chunk_shapes[0][0]"),
            ("""{"name": "rectilinear", "configuration": {"kind": "inline", "chunk_shapes": [[0, 10]]}}""", "chunk_shapes[0][0]"),
            ("""{"name": "rectilinear", "configuration": {"kind": "inline", "chunk_shapes": [[10], [1]]}}""", "chunk_shapes"),
            ("""{"name": "rectilinear", "configuration": {"kind": "inline", "chunk_shapes": [[]]}}""", "chunk_shapes[0]"),
        })
        {
            var e = Assert.Throws<ZarrMetadataException>(() => MetadataSerializer.ParseArrayV3(Encoding.UTF8.GetBytes(Document("[10]", grid)), "a/zarr.json"));
            Assert.Contains(field, e.Message);
        }
    }

    private static byte[] Ints(params int[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return bytes;
    }

    private static async Task<byte[]?> Stored(IStore store, string key)
    {
        using var value = await store.GetAsync(key);
        return value?.Memory.ToArray();
    }

    private static async Task<List<string>> ListKeys(IStore store, string prefix)
    {
        var keys = new List<string>();
        await foreach (var entry in store.ListPrefixAsync(prefix))
        {
            keys.Add(entry.Key);
        }

        return keys;
    }
}
