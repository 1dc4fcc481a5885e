using Zarr.Storage.Codecs;
using Zarr.Tests;
using Zarr.Tests.Shared;
using static Zarr.Storage.Tests.Arrays.SelectionTests;

namespace Zarr.Storage.Tests.Codecs;

/// <summary>
/// Issue 18: a read inside one inner chunk of a shard decodes that inner chunk straight into a compact buffer (the inner
/// chunk's strides over the shard's coordinates) instead of into a whole shard's buffer and out again; every such read,
/// and the reads across inner chunks beside them, returns what was written, the fill value for empty inner chunks and
/// missing shards, on a store with and without versioned reads.
/// </summary>
public sealed class ShardInnerReadTests
{
    private static readonly ShardingCodec Codec = new([4, 4, 4], [new BytesCodec(Endian.Little), new ZstdCodec(1)]);

    [Fact]
    public void A_region_inside_one_inner_chunk_has_a_compact_layout_and_one_across_two_has_none()
    {
        var spec = new ChunkSpec([8, 8, 8], ZarrDataType.UInt16, [0, 0]);
        var partial = (IPartialDecodingCodec)Codec;

        // Inner chunk (1, 1, 1): origin (4, 4, 4), at 4×32 + 4×8 + 4×2 = 168 bytes with strides (32, 8, 2), then 128 bytes.
        Assert.True(partial.TryGetCompactLayout(new ChunkRegion([5, 4, 6], [1, 1, 1], [2, 4, 1]), spec, out var strides, out var length));
        Assert.Equal(new long[] { 32, 8, 2 }, strides);
        Assert.Equal(168 + 128, length);
        Assert.True(length < spec.ByteLength);

        Assert.False(partial.TryGetCompactLayout(new ChunkRegion([3, 4, 4], [1, 1, 1], [2, 1, 1]), spec, out _, out _));
        var single = new ShardingCodec([8, 8, 8], [new BytesCodec(Endian.Little)]);
        Assert.False(((IPartialDecodingCodec)single).TryGetCompactLayout(new ChunkRegion([0, 0, 0], [1, 1, 1], [1, 1, 1]), spec, out _, out _));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Reads_inside_and_across_inner_chunks_return_what_was_written(bool versioned)
    {
        IStore store = versioned ? new MemoryStore() : new CountingStore(new MemoryStore());
        var metadata = TestMetadata.Create([16, 16, 12], [8, 8, 8], ZarrDataType.UInt16) with
        {
            FillValue = [7, 0],
            Codecs = [Codec],
        };
        var z = (await ZarrArray.CreateFromMetadataAsync(store, "a", metadata)).As<ushort>();
        Assert.Equal(versioned, z.ChunkIO.IndexCache is not null);

        // Written everywhere but the shard (1, 1, *) and inner chunk (0, 0, 1) of shard (0, 0, 0), which hold the fill value.
        var all = new ushort[16 * 16 * 12];
        for (var i = 0; i < all.Length; i++)
        {
            var (x, y, zz) = (i / (16 * 12), i / 12 % 16, i % 12);
            var empty = (x >= 8 && y >= 8) || (x < 4 && y < 4 && zz is >= 4 and < 8);
            all[i] = empty ? (ushort)7 : (ushort)((i * 31) + 1);
        }

        await z[..8, ..8].WriteAsync(Take(all, 0, 8, 0, 8));
        await z[..8, 8..].WriteAsync(Take(all, 0, 8, 8, 16));
        await z[8.., ..8].WriteAsync(Take(all, 8, 16, 0, 8));
        await z[0..4, 0..4, 4..8].WriteAsync(Enumerable.Repeat((ushort)7, 64).ToArray());

        var selections = new (long Start, long Stop, long Step)[][]
        {
            [(4, 8, 1), (4, 8, 1), (4, 8, 1)], // one inner chunk, whole
            [(5, 8, 2), (4, 5, 1), (0, 4, 3)], // inside one, with steps
            [(6, 7, 1), (9, 10, 1), (10, 11, 1)], // one element, in shard (0, 1, 1): an edge shard over the array's end
            [(0, 4, 1), (0, 4, 1), (4, 8, 1)], // an empty inner chunk
            [(8, 12, 1), (8, 12, 1), (0, 4, 1)], // a whole inner chunk of a missing shard
            [(9, 12, 1), (9, 12, 1), (1, 3, 1)], // a missing shard
            [(2, 6, 1), (3, 5, 1), (3, 9, 1)], // across inner chunks
            [(0, 16, 1), (0, 16, 1), (0, 12, 1)], // everything
        };
        foreach (var sel in selections)
        {
            var expected = Reference<ushort>.Indices([16, 16, 12], sel).Select(i => all[(((i[0] * 16) + i[1]) * 12) + i[2]]);
            var read = await z[Slice.Range(sel[0].Start, sel[0].Stop, sel[0].Step), Slice.Range(sel[1].Start, sel[1].Stop, sel[1].Step), Slice.Range(sel[2].Start, sel[2].Stop, sel[2].Step)];
            Assert.Equal(expected, ToArray(read));
        }
    }

    [Fact]
    public void A_selection_of_exactly_one_inner_chunk_is_one_run_of_the_destination_only_when_nothing_else_is_beside_it()
    {
        var grid = new ChunkGrid((long[])[16, 16, 12], (int[])[8, 8, 8]);
        var one = SelectionPlan.Create(grid, [Slice.Range(4, 8), Slice.Range(4, 8), Slice.Range(4, 8)]);
        var chunk = Assert.Single(one.Chunks());
        Assert.True(one.IsContiguousBox(chunk, [4, 4, 4], [4, 4, 4], out var offset));
        Assert.Equal(0, offset);
        Assert.False(one.IsContiguousBox(chunk, [0, 4, 4], [4, 4, 4], out _));

        // Inner chunk (1, 1, 0) of shard (0, 0, 0) beside inner chunk (1, 1, 1): in the output, rows of 4 of each alternate.
        var two = SelectionPlan.Create(grid, [Slice.Range(4, 8), Slice.Range(4, 8), Slice.Range(0, 8)]);
        Assert.False(two.IsContiguousBox(two.Chunks().Single(), [4, 4, 0], [4, 4, 4], out _));

        // Whole planes: inner chunk (1, 0, 0) of a shard of 8×4×4 is one run of a selection spanning y and z whole.
        var planes = SelectionPlan.Create(new ChunkGrid((long[])[16, 4, 4], (int[])[8, 4, 4]), [Slice.Range(4, 12), Slice.All, Slice.All]);
        var first = planes.Chunks().First();
        Assert.True(planes.IsContiguousBox(first, [4, 0, 0], [4, 4, 4], out var planeOffset));
        Assert.Equal(0, planeOffset);
    }

    [Fact]
    [Trait(SlowTests.Category, SlowTests.Slow)]
    public async Task A_read_past_2_GiB_decodes_each_shards_one_inner_chunk_into_its_run_of_the_destination()
    {
        // Column 0 of every shard is one inner chunk and one run of the 2 GiB (and more) destination: its bytes are taken
        // from that run, as the whole destination's bytes fit no Memory<byte>.
        const int shard = 1 << 23;
        const long rows = (1L << 30) + shard;
        var metadata = TestMetadata.Create([rows, 2], [shard, 2], ZarrDataType.UInt16) with
        {
            FillValue = [7, 0],
            Codecs = [new ShardingCodec([shard, 1], [new BytesCodec(Endian.Little)])],
        };
        var z = (await ZarrArray.CreateFromMetadataAsync(new MemoryStore(), "a", metadata)).As<ushort>();
        var written = Enumerable.Range(0, shard).Select(i => (ushort)(i * 3)).ToArray();
        await z.WriteAsync([Slice.Range(5L * shard, 6L * shard), Slice.Range(0, 1)], written);

        var column = new ushort[rows];
        await z.ReadIntoAsync([Slice.All, Slice.Range(0, 1)], column);

        Assert.True(column.AsSpan(5 * shard, shard).SequenceEqual(written));
        Assert.Equal(-1, column.AsSpan(0, 5 * shard).IndexOfAnyExcept((ushort)7));
        Assert.Equal(-1, column.AsSpan(6 * shard).IndexOfAnyExcept((ushort)7));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_byte_form_of_a_read_inside_one_inner_chunk_per_shard_is_the_typed_reads_bytes(bool written)
    {
        // Column 0 of each shard is one inner chunk and one run of the destination, whose elements are two bytes each
        // in the byte form: the run is the elements' bytes, not as many bytes as elements.
        var metadata = TestMetadata.Create([8, 2], [4, 2], ZarrDataType.UInt16) with
        {
            FillValue = [7, 0],
            Codecs = [new ShardingCodec([4, 1], [new BytesCodec(Endian.Little)])],
        };
        var z = (await ZarrArray.CreateFromMetadataAsync(new MemoryStore(), "a", metadata)).As<ushort>();
        if (written)
        {
            await z.WriteAsync([Slice.Range(4, 8), Slice.All], new ushort[] { 1001, 2001, 1002, 2002, 1003, 2003, 1004, 2004 });
        }

        var typed = new ushort[8];
        await z.ReadIntoAsync([Slice.All, Slice.Range(0, 1)], typed);
        var (bytes, shape) = await z.ReadBytesAsync([Slice.All, Slice.Range(0, 1)]);

        Assert.Equal(new long[] { 8, 1 }, shape);
        Assert.Equal(written ? new ushort[] { 7, 7, 7, 7, 1001, 1002, 1003, 1004 } : Enumerable.Repeat((ushort)7, 8).ToArray(), typed);
        Assert.Equal(System.Runtime.InteropServices.MemoryMarshal.AsBytes(typed.AsSpan()).ToArray(), bytes);
    }

    [Fact]
    [Trait(SlowTests.Category, SlowTests.Slow)]
    public async Task A_read_past_2_GiB_decodes_each_whole_chunk_into_its_run_of_the_destination()
    {
        // Every chunk is one run of the 2 GiB (and more) destination, decoded (or filled) straight into it.
        const int chunk = 1 << 23;
        const long length = (1L << 30) + chunk;
        var metadata = TestMetadata.Create([length], [chunk], ZarrDataType.UInt16) with { FillValue = [7, 0] };
        var z = (await ZarrArray.CreateFromMetadataAsync(new MemoryStore(), "a", metadata)).As<ushort>();
        var written = Enumerable.Range(0, chunk).Select(i => (ushort)(i * 5)).ToArray();
        await z.WriteAsync([Slice.Range(127L * chunk, 128L * chunk)], written);

        var all = new ushort[length];
        await z.ReadIntoAsync([Slice.All], all);

        Assert.True(all.AsSpan(127 * chunk, chunk).SequenceEqual(written));
        Assert.Equal(-1, all.AsSpan(0, 127 * chunk).IndexOfAnyExcept((ushort)7));
        Assert.Equal(-1, all.AsSpan(128 * chunk).IndexOfAnyExcept((ushort)7));
    }

    [Fact]
    public async Task A_read_of_one_inner_chunk_into_part_of_a_larger_buffer_fills_exactly_that_part()
    {
        var metadata = TestMetadata.Create([16, 16, 12], [8, 8, 8], ZarrDataType.UInt16) with { FillValue = [7, 0], Codecs = [Codec] };
        var z = (await ZarrArray.CreateFromMetadataAsync(new MemoryStore(), "a", metadata)).As<ushort>();
        var values = Enumerable.Range(0, 64).Select(i => (ushort)(1000 + i)).ToArray();
        await z[4..8, 0..4, 8..12].WriteAsync(values);

        var buffer = Enumerable.Repeat((ushort)0xEEEE, 200).ToArray();
        await z.ReadIntoAsync([Slice.Range(4, 8), Slice.Range(0, 4), Slice.Range(8, 12)], buffer.AsMemory(100, 64));
        Assert.Equal(values, buffer[100..164]);
        Assert.All(buffer[..100], v => Assert.Equal(0xEEEE, v));
        Assert.All(buffer[164..], v => Assert.Equal(0xEEEE, v));

        // An empty inner chunk of the same shard, and one of a shard never written: the fill value, exactly there.
        await z.ReadIntoAsync([Slice.Range(0, 4), Slice.Range(0, 4), Slice.Range(8, 12)], buffer.AsMemory(100, 64));
        Assert.All(buffer[100..164], v => Assert.Equal(7, v));
        await z.ReadIntoAsync([Slice.Range(8, 12), Slice.Range(8, 12), Slice.Range(0, 4)], buffer.AsMemory(36, 64));
        Assert.All(buffer[36..100], v => Assert.Equal(7, v));
        Assert.All(buffer[..36], v => Assert.Equal(0xEEEE, v));
    }

    private static ushort[] Take(ushort[] all, int x0, int x1, int y0, int y1)
    {
        var part = new List<ushort>();
        for (var x = x0; x < x1; x++)
        {
            for (var y = y0; y < y1; y++)
            {
                part.AddRange(all.AsSpan((((x * 16) + y) * 12), 12).ToArray());
            }
        }

        return [.. part];
    }
}
