using Zarr.Storage.Codecs;
using Zarr.Storage.Native;
using Zarr.Tests.Shared;

namespace Zarr.Storage.Tests.Codecs;

/// <summary>
/// Issue 18: a read that fetches a whole shard decodes it one inner chunk at a time into a small buffer and copies each
/// inner chunk's box straight into the result (<see cref="ShardingCodec.DecodeInnerChunks{TSink}"/>,
/// <see cref="Chunks.IChunkPlan{TChunk}.CopyOutBox"/>). What lands in the result is byte for byte what the whole-shard
/// path gives (the shard decoded whole, <see cref="ShardingCodec.Decode"/>, then <see cref="Chunks.IChunkPlan{TChunk}.CopyOut"/>)
/// and what was written: every element size, inner chains with and without zstd, a transpose, nested sharding, the
/// index at either end, inner chunks in parallel, edge shards, empty inner chunks and missing shards.
/// </summary>
public sealed class ShardBoxScatterTests
{
    private static readonly long[] Shape = [20, 18, 13];
    private static readonly int[] ShardShape = [8, 8, 8];

    public ShardBoxScatterTests()
    {
        Assert.True(ZstdNative.IsAvailable, "libzstd.so.1 did not load: apt-get install -y libzstd1 (and leave ZARR_ZSTD unset)");
    }

    // Type, inner chain, index location, inner chunks in parallel, a store with versioned reads (the shard index cache),
    // inner chunks handed over one by one rather than staged a row of them at a time.
    public static TheoryData<string, string, ShardIndexLocation, bool, bool, bool> Cases() => new()
    {
        { "uint8", "bytes", ShardIndexLocation.End, false, true, false },
        { "uint8", "bytes", ShardIndexLocation.End, false, true, true },
        { "uint16", "bytes+zstd", ShardIndexLocation.End, false, true, false },
        { "uint16", "bytes+zstd", ShardIndexLocation.End, false, true, true },
        { "uint16", "bytes+zstd", ShardIndexLocation.Start, true, false, false },
        { "uint16", "bytes+zstd", ShardIndexLocation.End, false, false, false },
        { "int32", "bytes", ShardIndexLocation.Start, false, false, true },
        { "int32", "transpose+bytes+zstd", ShardIndexLocation.End, false, true, false },
        { "float64", "bytes+zstd", ShardIndexLocation.End, true, true, false },
        { "float64", "bytes+zstd", ShardIndexLocation.Start, false, false, true },
        { "uint8", "nested", ShardIndexLocation.End, false, false, false },
        { "int64", "nested", ShardIndexLocation.Start, true, true, false },
        { "int64", "nested", ShardIndexLocation.End, false, true, true },
    };

    // ---------------------------------------------------------------- the plan's copy-out of a box

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    public void Copying_out_box_by_box_equals_copying_out_the_whole_chunk(int itemSize)
    {
        var grid = new ChunkGrid(new long[] { 13, 17, 11 }.AsSpan(), new int[] { 4, 8, 6 }.AsSpan());
        int[] chunkShape = [4, 8, 6];
        var strides = new long[] { 8L * 6 * itemSize, 6L * itemSize, itemSize };
        var chunkBytes = 4 * 8 * 6 * itemSize;
        var fill = Enumerable.Range(0xA0, itemSize).Select(b => (byte)b).ToArray();
        var random = new Random(itemSize);
        var selections = new Slice[][]
        {
            [Slice.All, Slice.All, Slice.All],
            [Slice.Range(1, 12), Slice.Range(3, 16), Slice.Range(2, 9)],
            [Slice.Range(0, 13, 3), Slice.Range(1, 17, 2), Slice.Range(4, 11, 4)],
            [Slice.At(6), Slice.Range(5, 14), Slice.At(10)],
        };

        // Boxes tiling the chunk: (2, 4, 3) as an inner chunk grid would, and an uneven tiling with one-element edges.
        var tilings = new[] { (Cuts: new[] { new[] { 0, 2, 4 }, [0, 4, 8], [0, 3, 6] }, Name: "even"), ([[0, 1, 4], [0, 7, 8], [0, 5, 6]], "uneven") };
        foreach (var selection in selections)
        {
            var plan = SelectionPlan.Create(grid, selection);
            foreach (var (cuts, name) in tilings)
            {
                var expected = new byte[plan.ElementCount * itemSize];
                var actual = new byte[expected.Length];
                expected.AsSpan().Fill(0xEE);
                actual.AsSpan().Fill(0xEE);
                var chunkIndex = 0;
                foreach (var chunk in plan.Chunks())
                {
                    // Every third chunk's boxes alternate between stored and missing: the whole-chunk copy sees fill there.
                    var decoded = new byte[chunkBytes];
                    random.NextBytes(decoded);
                    var boxes = Boxes(cuts).ToList();
                    for (var b = 0; b < boxes.Count; b++)
                    {
                        var (start, shape) = boxes[b];
                        var missing = chunkIndex % 3 == 0 && b % 2 == 1;
                        var box = Gather(decoded, chunkShape, start, shape, itemSize);
                        if (missing)
                        {
                            Scatter(decoded, chunkShape, start, shape, itemSize, Repeat(fill, box.Length / itemSize));
                        }

                        plan.CopyOutBox(chunk, missing ? fill : box, missing, start, shape, ref actual[0], itemSize, streaming: b % 2 == 0);
                    }

                    plan.CopyOut(chunk, ref decoded[0], false, strides, ref expected[0], itemSize, streaming: false);
                    chunkIndex++;
                }

                Assert.True(expected.AsSpan().SequenceEqual(actual), $"item size {itemSize}, selection {string.Join(", ", selection)}, {name} boxes");
            }
        }
    }

    // ---------------------------------------------------------------- arrays

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Reads_of_shards_inner_chunk_by_inner_chunk_equal_the_whole_shard_path_and_what_was_written(string type, string chain, ShardIndexLocation location, bool parallel, bool versioned, bool alone)
    {
        var dataType = ZarrDataType.Parse(type);
        var itemSize = dataType.ItemSize;
        var codec = Codec(chain, location, parallel, alone);
        IStore store = versioned ? new MemoryStore() : new CountingStore(new MemoryStore());
        var metadata = TestMetadata.Create([.. Shape], [.. ShardShape], dataType) with { Codecs = [codec] };
        var z = await ZarrArray.CreateFromMetadataAsync(store, "a", metadata);
        Assert.Equal(versioned, z.ChunkIO.IndexCache is not null);

        // Random values everywhere but the shard (1, 0, 1), never written, and two inner chunks left at the fill value
        // (zero): (0..4, 4..8, 0..4) in shard (0, 0, 0) and the partial one at the array's corner, in an edge shard.
        var all = new byte[Shape[0] * Shape[1] * Shape[2] * itemSize];
        new Random(itemSize * 7919).NextBytes(all);
        Scatter(all, [20, 18, 13], [0, 4, 0], [4, 4, 4], itemSize, new byte[64 * itemSize]);
        Scatter(all, [20, 18, 13], [16, 16, 12], [4, 2, 1], itemSize, new byte[8 * itemSize]);
        Scatter(all, [20, 18, 13], [8, 0, 8], [8, 8, 5], itemSize, new byte[320 * itemSize]);
        for (var x = 0; x < 3; x++)
        {
            for (var y = 0; y < 3; y++)
            {
                for (var w = 0; w < 2; w++)
                {
                    if ((x, y, w) == (1, 0, 1))
                    {
                        continue;
                    }

                    int[] start = [x * 8, y * 8, w * 8];
                    int[] shape = [Math.Min(8, 20 - start[0]), Math.Min(8, 18 - start[1]), Math.Min(8, 13 - start[2])];
                    Slice[] region = [Slice.Range(start[0], start[0] + shape[0]), Slice.Range(start[1], start[1] + shape[1]), Slice.Range(start[2], start[2] + shape[2])];
                    await z.WriteBytesAsync(region, Gather(all, [20, 18, 13], start, shape, itemSize));
                }
            }
        }

        Assert.Null(await store.GetAsync(z.GetChunkKey([1, 0, 1])));
        var selections = new Slice[][]
        {
            [Slice.All, Slice.All, Slice.All], // every shard whole, edge shards included
            [Slice.Range(0, 16), Slice.All, Slice.Range(0, 8)], // whole shards, not one run of the result
            [Slice.Range(3, 17), Slice.Range(1, 15), Slice.Range(2, 12)], // cuts shards and inner chunks
            [Slice.Range(0, 20, 3), Slice.Range(1, 18, 2), Slice.All], // strided, touching every inner chunk
            [Slice.All, Slice.At(9), Slice.Range(1, 13, 5)], // a dropped axis: some inner chunks of each shard, ranged reads
            [Slice.Range(0, 6), Slice.Range(5, 7), Slice.Range(1, 3)], // two inner chunks, one of them empty
            [Slice.Range(8, 14), Slice.Range(1, 6), Slice.Range(9, 11)], // four inner chunks of the missing shard
            [Slice.Range(8, 16), Slice.Range(0, 8), Slice.Range(8, 13)], // the missing shard alone
            [Slice.Range(17, 20), Slice.Range(15, 18), Slice.Range(11, 13)], // the corner: partial inner chunks, one empty
        };
        foreach (var selection in selections)
        {
            var (read, _) = await z.ReadBytesAsync(selection);
            var truth = Reference(all, selection, itemSize);
            var old = await WholeShardPath(z, store, codec, selection);
            Assert.True(truth.AsSpan().SequenceEqual(old), $"{type} {chain}: the whole-shard path differs from what was written, selection {string.Join(", ", selection)}");
            Assert.True(old.AsSpan().SequenceEqual(read), $"{type} {chain} {location} parallel={parallel} alone={alone}: selection {string.Join(", ", selection)}");
        }
    }

    [Fact]
    public async Task A_corrupt_inner_chunk_gives_the_same_error_as_the_whole_shard_decode()
    {
        var codec = Codec("bytes+zstd", ShardIndexLocation.End, parallel: false);
        var store = new MemoryStore();
        var metadata = TestMetadata.Create([16, 16, 16], [8, 8, 8], ZarrDataType.UInt16) with { Codecs = [codec] };
        var z = await ZarrArray.CreateFromMetadataAsync(store, "a", metadata);
        var data = new byte[16 * 16 * 16 * 2];
        new Random(5).NextBytes(data);
        await z.WriteBytesAsync([Slice.All, Slice.All, Slice.All], data);

        // Inner chunk 5 of shard (1, 0, 1): its zstd frame's magic number zeroed.
        var key = z.GetChunkKey([1, 0, 1]);
        byte[] shard;
        using (var stored = await store.GetAsync(key))
        {
            shard = stored!.Span.ToArray();
        }

        var entries = shard.AsSpan(shard.Length - (8 * 16) - 4);
        var offset = (int)BitConverter.ToUInt64(entries[(5 * 16)..]);
        shard.AsSpan(offset, 4).Clear();
        await store.SetAsync(key, shard);

        // The whole shard, and part of it across inner chunks (ranged reads), fail as the whole-shard decode does.
        var whole = Assert.Throws<ZarrCodecException>(() => z.ChunkIO.Decode(shard, [1, 0, 1], new byte[z.ChunkByteLength]));
        foreach (var selection in new Slice[][] { [Slice.All, Slice.All, Slice.All], [Slice.Range(8, 16), Slice.Range(0, 4), Slice.Range(12, 14)] })
        {
            var read = await Assert.ThrowsAsync<ZarrCodecException>(() => z.ReadBytesAsync(selection));
            Assert.Equal(whole.Message, read.Message);
            Assert.Equal(("a", key, ShardingCodec.CodecName), (read.ArrayPath, read.ChunkKey, read.Codec));
            Assert.Contains("inner chunk", read.Reason, StringComparison.Ordinal);
        }

        // The other shards still read: the same array minus that one is unaffected.
        var (part, _) = await z.ReadBytesAsync([Slice.Range(0, 8), Slice.All, Slice.All]);
        Assert.True(Reference(data, [Slice.Range(0, 8), Slice.All, Slice.All], 2, [16, 16, 16]).AsSpan().SequenceEqual(part));
    }

    [Fact]
    public async Task Advanced_selections_keep_the_whole_shard_path_and_read_what_was_written()
    {
        var store = new MemoryStore();
        var metadata = TestMetadata.Create([.. Shape], [.. ShardShape], ZarrDataType.UInt16) with { Codecs = [Codec("bytes+zstd", ShardIndexLocation.End, parallel: false)] };
        var z = (await ZarrArray.CreateFromMetadataAsync(store, "a", metadata)).As<ushort>();
        var all = new ushort[20 * 18 * 13];
        for (var i = 0; i < all.Length; i++)
        {
            all[i] = (ushort)((i * 7) + 3);
        }

        await z[..].WriteAsync(all);
        int[] xs = [19, 0, 9, 9, 16];
        int[] ws = [12, 0, 5];
        var read = Arrays.SelectionTests.ToArray(await z.Oindex[xs, 1..18, ws]);
        var expected = new List<ushort>();
        foreach (var x in xs)
        {
            for (var y = 1; y < 18; y++)
            {
                foreach (var w in ws)
                {
                    expected.Add(all[(((x * 18) + y) * 13) + w]);
                }
            }
        }

        Assert.Equal(expected, read);
    }

    // ---------------------------------------------------------------- helpers

    private static ShardingCodec Codec(string chain, ShardIndexLocation location, bool parallel, bool alone = false)
    {
        ICodec[] inner = chain switch
        {
            "bytes" => [new BytesCodec(Endian.Little)],
            "bytes+zstd" => [new BytesCodec(Endian.Little), new ZstdCodec(0)],
            "transpose+bytes+zstd" => [new TransposeCodec([2, 0, 1]), new BytesCodec(Endian.Little), new ZstdCodec(1)],
            "nested" => [new ShardingCodec([2, 2, 2], [new BytesCodec(Endian.Little), new ZstdCodec(1)], indexLocation: location)],
            _ => throw new ArgumentOutOfRangeException(nameof(chain)),
        };
        return new ShardingCodec([4, 4, 4], inner, indexLocation: location) { ParallelInnerChunks = parallel ? true : null, DecodeInnerChunksAlone = alone };
    }

    // Today's whole-shard path, by hand: each shard touched decoded whole into its buffer, then the plan's copy-out.
    private static async Task<byte[]> WholeShardPath(ZarrArray z, IStore store, ShardingCodec codec, Slice[] selection)
    {
        var io = z.ChunkIO;
        var itemSize = io.Metadata.DataType.ItemSize;
        var plan = SelectionPlan.Create(io.Grid, selection);
        var result = new byte[plan.ElementCount * itemSize];
        var fill = io.Metadata.FillValue.AsSpan().ToArray();
        foreach (var chunk in plan.Chunks())
        {
            using var encoded = await store.GetAsync(io.KeyOf(chunk.Coordinates));
            if (encoded is null)
            {
                plan.CopyOut(chunk, ref fill[0], true, io.ChunkStrides, ref result[0], itemSize, streaming: false);
                continue;
            }

            var decoded = new byte[io.ByteLength];
            codec.Decode(encoded.Span, decoded, io.Spec);
            plan.CopyOut(chunk, ref decoded[0], false, io.ChunkStrides, ref result[0], itemSize, streaming: false);
        }

        return result;
    }

    // The selected elements of a C-order array, in the selection's order.
    private static byte[] Reference(byte[] all, Slice[] selection, int itemSize, long[]? shape = null)
    {
        shape ??= Shape;
        var indices = new List<long>[3];
        for (var d = 0; d < 3; d++)
        {
            var s = selection[d].Resolve(shape[d], d);
            indices[d] = [.. Enumerable.Range(0, (int)s.Count).Select(i => s.Start + (i * s.Step))];
        }

        var result = new List<byte>();
        foreach (var x in indices[0])
        {
            foreach (var y in indices[1])
            {
                foreach (var w in indices[2])
                {
                    var at = (((x * shape[1]) + y) * shape[2]) + w;
                    result.AddRange(all.AsSpan((int)(at * itemSize), itemSize).ToArray());
                }
            }
        }

        return [.. result];
    }

    private static IEnumerable<(int[] Start, int[] Shape)> Boxes(int[][] cuts)
    {
        for (var i = 0; i + 1 < cuts[0].Length; i++)
        {
            for (var j = 0; j + 1 < cuts[1].Length; j++)
            {
                for (var k = 0; k + 1 < cuts[2].Length; k++)
                {
                    yield return ([cuts[0][i], cuts[1][j], cuts[2][k]], [cuts[0][i + 1] - cuts[0][i], cuts[1][j + 1] - cuts[1][j], cuts[2][k + 1] - cuts[2][k]]);
                }
            }
        }
    }

    // The box's elements of a C-order 3-D buffer, C order.
    private static byte[] Gather(byte[] source, int[] shape, int[] start, int[] box, int itemSize)
    {
        var result = new byte[box[0] * box[1] * box[2] * itemSize];
        var n = 0;
        for (var x = start[0]; x < start[0] + box[0]; x++)
        {
            for (var y = start[1]; y < start[1] + box[1]; y++)
            {
                var row = ((((x * shape[1]) + y) * shape[2]) + start[2]) * itemSize;
                source.AsSpan(row, box[2] * itemSize).CopyTo(result.AsSpan(n));
                n += box[2] * itemSize;
            }
        }

        return result;
    }

    private static void Scatter(byte[] target, int[] shape, int[] start, int[] box, int itemSize, byte[] values)
    {
        var n = 0;
        for (var x = start[0]; x < start[0] + box[0]; x++)
        {
            for (var y = start[1]; y < start[1] + box[1]; y++)
            {
                var row = ((((x * shape[1]) + y) * shape[2]) + start[2]) * itemSize;
                values.AsSpan(n, box[2] * itemSize).CopyTo(target.AsSpan(row));
                n += box[2] * itemSize;
            }
        }
    }

    private static byte[] Repeat(byte[] item, int count) => [.. Enumerable.Repeat(item, count).SelectMany(b => b)];
}
