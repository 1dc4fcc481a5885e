using System.Runtime.InteropServices;
using Zarr.Storage.Chunks;
using Zarr.Storage.Codecs;
using Zarr.Storage.Native;

namespace Zarr.Storage.Tests.Arrays;

/// <summary>
/// Issue 18: a chunk whose chain is <c>bytes</c> (little-endian) + zstd is decoded a window at a time and each window
/// scattered into the read's destination (<see cref="ISlicedDecodingCodec"/>, <see cref="IChunkPlan{TChunk}.CopyOutSlice"/>):
/// what lands in the destination is exactly what the whole-chunk copy-out gives, for every element size, edge chunks,
/// selections that cut the chunk and windows down to one element; corrupt and truncated data throws the codec's typed
/// error naming the chunk.
/// </summary>
public sealed class SlicedDecodeTests
{
    public SlicedDecodeTests()
    {
        Assert.True(ZstdNative.IsAvailable, "libzstd.so.1 did not load: apt-get install -y libzstd1 (and leave ZARR_ZSTD unset)");
        Assert.True(ZstdNative.HasRingApi, "libzstd.so.1 does not export its buffer-less API (ZSTD_decompressContinue): apt-get install -y libzstd1 (Debian's exports it)");
    }

    private static readonly string[] Types = ["uint8", "uint16", "|S3", "float32", "float64", "complex128"];

    public static TheoryData<string> ElementTypes() => [.. Types];

    // ---------------------------------------------------------------- the plan's copy-out of a slice

    [Theory]
    [MemberData(nameof(ElementTypes))]
    public void Copying_out_slice_by_slice_equals_copying_out_the_whole_chunk(string type)
    {
        var dataType = ZarrDataType.Parse(type);
        var itemSize = dataType.ItemSize;
        var grid = new ChunkGrid(new long[] { 13, 17, 11 }.AsSpan(), new int[] { 4, 8, 5 }.AsSpan());
        var chunkShape = grid.ChunkShape.AsSpan().ToArray();
        var strides = new long[] { 8L * 5 * itemSize, 5L * itemSize, itemSize };
        var chunkBytes = 4 * 8 * 5 * itemSize;
        var random = new Random(itemSize);
        var selections = new Slice[][]
        {
            [Slice.All, Slice.All, Slice.All],
            [Slice.Range(1, 12), Slice.Range(3, 16), Slice.Range(2, 9)],
            [Slice.Range(0, 13, 3), Slice.Range(1, 17, 2), Slice.Range(4, 11, 4)],
            [Slice.At(6), Slice.Range(5, 14), Slice.At(10)],
            [Slice.Range(2, 3), Slice.Range(7, 8), Slice.All],
        };
        foreach (var selection in selections)
        {
            var plan = SelectionPlan.Create(grid, selection);
            var expected = new byte[plan.ElementCount * itemSize];
            var actual = new byte[expected.Length];
            foreach (var window in new[] { itemSize, 3 * itemSize, 7 * itemSize, 41 * itemSize, chunkBytes })
            {
                actual.AsSpan().Fill(0xEE);
                expected.AsSpan().Fill(0xEE);
                foreach (var chunk in plan.Chunks())
                {
                    var decoded = new byte[chunkBytes];
                    random.NextBytes(decoded);
                    plan.CopyOut(chunk, ref decoded[0], false, strides, ref expected[0], itemSize, streaming: false);
                    for (var offset = 0; offset < chunkBytes; offset += window)
                    {
                        var slice = decoded.AsSpan(offset, Math.Min(window, chunkBytes - offset));
                        plan.CopyOutSlice(chunk, slice, offset, chunkShape, strides, ref actual[0], itemSize, streaming: window > 100);
                    }
                }

                Assert.True(expected.AsSpan().SequenceEqual(actual), $"{type}, selection {string.Join(", ", selection)}, window {window} bytes");
            }
        }
    }

    [Fact]
    public void A_run_of_a_chunk_is_cut_into_at_most_two_boxes_per_axis_covering_it_once()
    {
        int[] shape = [3, 4, 5];
        long[] strides = [20, 5, 1];
        Span<int> start = stackalloc int[3];
        Span<int> extent = stackalloc int[3];
        foreach (var (from, to) in new[] { (0L, 60L), (7L, 53L), (0L, 1L), (19L, 41L), (20L, 40L), (4L, 6L) })
        {
            var covered = new int[60];
            var boxes = 0;
            for (var at = from; at < to; boxes++)
            {
                var n = LinearBoxes.Next(at, to, shape, strides, start, extent);
                Assert.True(n > 0);
                var count = 0L;
                for (var z = start[0]; z < start[0] + extent[0]; z++)
                {
                    for (var y = start[1]; y < start[1] + extent[1]; y++)
                    {
                        for (var x = start[2]; x < start[2] + extent[2]; x++)
                        {
                            var i = (z * 20) + (y * 5) + x;
                            Assert.InRange(i, at, at + n - 1);
                            covered[i]++;
                            count++;
                        }
                    }
                }

                Assert.Equal(n, count);
                at += n;
            }

            Assert.InRange(boxes, 1, 5);
            for (var i = 0; i < 60; i++)
            {
                Assert.Equal(i >= from && i < to ? 1 : 0, covered[i]);
            }
        }
    }

    // ---------------------------------------------------------------- the codec's slices

    [Theory]
    [InlineData(1_000, 4096, false)]
    [InlineData(300_000, 65_536, false)]
    [InlineData(300_000, 6, false)]
    [InlineData(1_000_003, 262_144, false)]
    [InlineData(1_000, 4096, true)]
    [InlineData(300_000, 65_536, true)]
    [InlineData(300_000, 6, true)]
    [InlineData(1_000_003, 262_144, true)]
    public void Slices_are_consecutive_and_make_the_data(int length, int window, bool ring)
    {
        var data = Data(length, seed: length);
        var codec = new ZstdCodec(3);
        using var framed = codec.Encode(data);
        var streamed = WithoutContentSize(data);
        Assert.Equal(0, streamed[4] & 0xE0); // no content size, no single segment: the size is unknown until decoded
        var twoFrames = Concat(framed.Span.ToArray(), codec.Encode(data).Span.ToArray());
        foreach (var (name, encoded, expected) in new[] { ("with content size", framed.Span.ToArray(), data), ("without content size", streamed, data), ("two frames", twoFrames, Concat(data, data)) })
        {
            var sink = DecodeSliced(codec, encoded, expected.Length, 1, window, ring);
            Assert.True(expected.AsSpan().SequenceEqual(sink.Data), name);
            if (!ring || expected.Length <= window)
            {
                // Streamed through the window (or decoded whole into it): every slice but the last fills it.
                Assert.Equal((expected.Length + window - 1) / window, sink.Slices.Count);
                Assert.All(sink.Slices.Take(sink.Slices.Count - 1), s => Assert.Equal(window, s));
            }
            else
            {
                // From the ring: a slice once the blocks decoded since the last one reach the window (a block is at most 128 KiB).
                Assert.All(sink.Slices, s => Assert.InRange(s, 1, window + (128 << 10)));
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Corrupt_truncated_and_wrong_sized_data_throw_the_codecs_error(bool ring)
    {
        // Frames with a checksum: a flipped byte is found whatever it hits (without one, damage to literals decodes silently, today as here).
        var data = Data(600_000, seed: 9);
        var codec = new ZstdCodec(3, checksum: true);
        var framed = codec.Encode(data).Span.ToArray();
        var corrupt = (byte[])framed.Clone();
        for (var i = framed.Length / 2; i < (framed.Length / 2) + 64; i++)
        {
            corrupt[i] ^= 0x5A;
        }

        var streamed = WithoutContentSize(data);
        foreach (var (name, encoded, length) in new[]
        {
            ("corrupt", corrupt, data.Length),
            ("truncated", framed[..(framed.Length - 100)], data.Length),
            ("truncated without content size", streamed[..(streamed.Length / 2)], data.Length),
            ("declares more", framed, data.Length - 2),
            ("declares less", framed, data.Length + 2),
            ("decodes to less, without content size", streamed, data.Length + 2),
            ("decodes to more, without content size", streamed, data.Length - 2),
            ("not zstd", data[..1000], data.Length),
        })
        {
            var sink = new CollectingSink(length);
            var e = Record.Exception(() => WithRing(ring, () => ((ISlicedDecodingCodec)codec).DecodeSliced(encoded, length, 1, new byte[65_536], ref sink)));
            Assert.True(e is ZarrCodecException { Codec: "zstd" }, $"{name}: {e?.GetType().Name ?? "no exception"}");
            if (name is "declares more" or "declares less" or "truncated" or "not zstd")
            {
                Assert.Empty(sink.Slices); // refused by the frames' headers before anything was delivered
            }

            Assert.True(sink.Delivered <= length, name);
        }
    }

    // ---------------------------------------------------------------- blocks decoded into the ring (ZSTD_decompressContinue)

    [Theory]
    [InlineData(10)]
    [InlineData(11)]
    [InlineData(13)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(20)]
    [InlineData(23)]
    [InlineData(27)]
    public void The_ring_decode_equals_the_data_for_every_element_size_and_window(int windowLog)
    {
        // 720720 bytes: a whole number of elements of every size from 1 to 16; blocks (1 KiB at window log 10, else up to
        // 128 KiB) are not, so elements straddle blocks and the ring's wraps (a window of 1 KiB wraps a ring of ~3 KiB).
        var data = Data(720_720, seed: windowLog);
        var framed = CompressWithWindow(data, windowLog, contentSize: true);
        var streamed = CompressWithWindow(data, windowLog, contentSize: false);
        Assert.Equal(0, streamed[4] & 0xE0);
        Assert.Equal(windowLog, 10 + (streamed[5] >> 3)); // the frame's window is the one asked for
        var elementSizes = windowLog > 23 ? new[] { 1, 2, 3, 7, 16 } : Enumerable.Range(1, 16).ToArray(); // a 128 MiB ring per decode: fewer
        foreach (var (name, encoded) in new[] { ("with content size", framed), ("without content size", streamed) })
        {
            foreach (var elementSize in elementSizes)
            {
                var window = 50_000 / elementSize * elementSize;
                var sink = DecodeSliced(new ZstdCodec(), encoded, data.Length, elementSize, window, ring: true);
                Assert.True(data.AsSpan().SequenceEqual(sink.Data), $"{name}, {elementSize}-byte elements");
                Assert.All(sink.Slices, s => Assert.Equal(0, s % elementSize));
                Assert.NotEqual(window, sink.Slices[0]); // whole blocks from the ring, not windows streamed full
                Assert.True(sink.Slices.Count > 1, $"{name}, {elementSize}-byte elements: one slice");
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(12)]
    [InlineData(16)]
    public void Frames_skippable_frames_and_empty_frames_decode_as_one_stream_with_elements_across_frames(int elementSize)
    {
        // Frame lengths that are not whole elements, so an element straddles two frames (and a skippable one between).
        var a = Data(100_003, seed: 1);
        var b = Data(70_001, seed: 2);
        var c = Data(50_005, seed: 3);
        var d = Data(200_000 + ((elementSize - ((a.Length + b.Length + c.Length + 200_000) % elementSize)) % elementSize), seed: 4);
        var encoded = Concat(
            Skippable(0x184D2A50, 300),
            CompressWithWindow(a, 17, contentSize: true),
            Skippable(0x184D2A5F, 0),
            CompressWithWindow(b, 10, contentSize: false),
            CompressWithWindow([], 10, contentSize: true),
            CompressWithWindow(c, 12, contentSize: true),
            Skippable(0x184D2A53, 5),
            CompressWithWindow(d, 20, contentSize: false));
        var expected = Concat(a, b, c, d);
        Assert.Equal(0, expected.Length % elementSize);
        foreach (var ring in new[] { false, true })
        {
            var window = 16_384 / elementSize * elementSize;
            var sink = DecodeSliced(new ZstdCodec(), encoded, expected.Length, elementSize, window, ring);
            Assert.True(expected.AsSpan().SequenceEqual(sink.Data), $"ring {ring}");
            Assert.All(sink.Slices, s => Assert.Equal(0, s % elementSize));
        }

        // A skippable frame that says it runs past the data's end is truncated data.
        var cut = Concat(CompressWithWindow(a, 17, contentSize: true), Skippable(0x184D2A50, 300)[..200]);
        foreach (var ring in new[] { true, false })
        {
            var sink = new CollectingSink(a.Length);
            var e = Record.Exception(() => WithRing(ring, () => ((ISlicedDecodingCodec)new ZstdCodec()).DecodeSliced(cut, a.Length, 1, new byte[65_536], ref sink)));
            Assert.True(e is ZarrCodecException { Codec: "zstd" }, $"ring {ring}: {e?.GetType().Name ?? "no exception"}");
        }
    }

    [Fact]
    public void Checksummed_frames_decode_and_any_damage_or_cut_throws_on_both_paths()
    {
        var data = Data(1_000_000, seed: 11); // 1 MB: a whole number of 1-, 2-, 4-, 8- and 16-byte elements
        var framed = new ZstdCodec(3, checksum: true).Encode(data).Span.ToArray();
        var streamed = CompressWithWindow(data, 15, contentSize: false, checksum: true);
        foreach (var (name, encoded) in new[] { ("with content size", framed), ("without content size", streamed) })
        {
            var sink = DecodeSliced(new ZstdCodec(), encoded, data.Length, 16, 65_536, ring: true);
            Assert.True(data.AsSpan().SequenceEqual(sink.Data), name);

            var positions = new[] { 0, 4, 6, 9, 100, encoded.Length / 3, encoded.Length / 2, encoded.Length - 5, encoded.Length - 2 };
            foreach (var ring in new[] { true, false })
            {
                foreach (var at in positions)
                {
                    var corrupt = (byte[])encoded.Clone();
                    corrupt[at] ^= 0x5A;
                    AssertRefused(corrupt, data.Length, ring, $"{name}, byte {at} flipped");
                }

                foreach (var keep in new[] { 1, 4, 5, 8, 200, encoded.Length / 2, encoded.Length - 4, encoded.Length - 1 })
                {
                    AssertRefused(encoded[..keep], data.Length, ring, $"{name}, cut to {keep} bytes");
                }
            }
        }
    }

    [Fact]
    public void A_frame_window_past_the_limit_is_refused_as_by_the_stream_and_one_within_it_decodes()
    {
        // The window descriptor (byte 5 of a frame that is not single-segment) patched: 2^28 without a content size
        // passes libzstd's default limit; with one, up to 2^31 is allowed, since the ring is then at most the frame.
        var data = Data(300_000, seed: 5);
        var streamed = CompressWithWindow(data, 12, contentSize: false);
        var bounded = CompressWithWindow(data, 12, contentSize: true);
        Assert.Equal(0, bounded[4] & 0x20); // not single-segment: it has a window descriptor
        var tooLarge = (byte[])streamed.Clone();
        tooLarge[5] = (28 - 10) << 3;
        var largeButBounded = (byte[])bounded.Clone();
        largeButBounded[5] = (30 - 10) << 3;
        var messages = new List<string>();
        foreach (var ring in new[] { true, false })
        {
            var sink = new CollectingSink(data.Length);
            var e = Record.Exception(() => WithRing(ring, () => ((ISlicedDecodingCodec)new ZstdCodec()).DecodeSliced(tooLarge, data.Length, 1, new byte[65_536], ref sink)));
            Assert.True(e is ZarrCodecException { Codec: "zstd" }, $"ring {ring}: {e?.GetType().Name ?? "no exception"}");
            Assert.Empty(sink.Slices);
            messages.Add(e!.Message);

            var decoded = DecodeSliced(new ZstdCodec(), largeButBounded, data.Length, 4, 65_536, ring);
            Assert.True(data.AsSpan().SequenceEqual(decoded.Data), $"ring {ring}: window 2^30 with a content size");
        }

        Assert.Equal(messages[1], messages[0]);
        Assert.Contains("too much memory", messages[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Data_that_decodes_past_its_length_or_to_a_partial_element_is_refused_without_delivering_past_it()
    {
        var data = Data(500_000, seed: 8);
        var streamed = CompressWithWindow(data, 10, contentSize: false);
        foreach (var ring in new[] { true, false })
        {
            foreach (var (length, elementSize) in new[] { (499_998, 2), (400_000, 1), (500_002, 2) })
            {
                var sink = new CollectingSink(length);
                var e = Record.Exception(() => WithRing(ring, () => ((ISlicedDecodingCodec)new ZstdCodec()).DecodeSliced(streamed, length, elementSize, new byte[65_536 / elementSize * elementSize], ref sink)));
                Assert.True(e is ZarrCodecException { Codec: "zstd" }, $"ring {ring}, {length}: {e?.GetType().Name ?? "no exception"}");
                Assert.True(sink.Delivered <= length, $"ring {ring}, {length}");
                Assert.True(data.AsSpan(0, (int)sink.Delivered).SequenceEqual(sink.Data.AsSpan(0, (int)sink.Delivered)));
            }
        }

        // 500000 bytes as 3-byte elements: the last element is cut; only whole ones reach the sink from the ring.
        var cutSink = new CollectingSink(500_001);
        var cut = Record.Exception(() => WithRing(true, () => ((ISlicedDecodingCodec)new ZstdCodec()).DecodeSliced(streamed, 500_001, 3, new byte[65_535], ref cutSink)));
        Assert.True(cut is ZarrCodecException { Codec: "zstd" });
        Assert.Equal(499_998, cutSink.Delivered);
    }

    // ---------------------------------------------------------------- through an array's reads

    public static TheoryData<string, bool> ElementTypesAndPaths()
    {
        var data = new TheoryData<string, bool>();
        foreach (var type in Types)
        {
            data.Add(type, true);
            data.Add(type, false);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ElementTypesAndPaths))]
    public async Task Reads_of_a_zstd_array_decode_in_slices_and_equal_the_data(string type, bool ring)
    {
        var wasRing = ZstdNative.DecodesInRing;
        ZstdNative.DecodesInRing = ring;
        try
        {
            await ReadsEqualTheData(type);
        }
        finally
        {
            ZstdNative.DecodesInRing = wasRing;
        }
    }

    private static async Task ReadsEqualTheData(string type)
    {
        var dataType = ZarrDataType.Parse(type);
        var itemSize = dataType.ItemSize;

        // Chunks of 96 × 64 × 48 elements (288 KiB to 4.5 MiB): more than one window each; the array's edge cuts chunks.
        long[] shape = [150, 70, 100];
        var store = new MemoryStore();
        var z = await ZarrArray.CreateAsync(store, "a", dataType, shape, new ArrayOptions { Format = ZarrFormat.V3, Chunks = [96, 64, 48], Compressors = [new ZstdCodec(1)] });
        Assert.True(z.ChunkIO.DecodesSliced);
        var data = new byte[150 * 70 * 100 * itemSize];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (byte)((i * 7) + (i >> 11));
        }

        // One chunk region left unwritten: it reads as the fill value (zeros).
        await z.WriteBytesAsync([Slice.All, Slice.All, Slice.All], data);
        await store.DeleteAsync("a/c/1/1/2");
        for (long zz = 96; zz < 150; zz++)
        {
            for (long y = 64; y < 70; y++)
            {
                data.AsSpan((int)((((zz * 70) + y) * 100) + 96) * itemSize, 4 * itemSize).Clear();
            }
        }

        foreach (var selection in new Slice[][]
        {
            [Slice.All, Slice.All, Slice.All],
            [Slice.Range(5, 140), Slice.Range(3, 67), Slice.Range(1, 99)],
            [Slice.Range(0, 150, 7), Slice.Range(60, 70, 3), Slice.Range(2, 100, 5)],
            [Slice.At(100), Slice.All, Slice.Range(40, 60)],
        })
        {
            var (read, readShape) = await z.ReadBytesAsync(selection);
            var expected = Expected(data, shape, selection, itemSize);
            Assert.Equal(expected.Length, read.Length);
            Assert.True(expected.AsSpan().SequenceEqual(read), $"{type}: selection {string.Join(", ", selection)} of shape ({string.Join(", ", readShape)})");
        }
    }

    [Fact]
    public async Task A_corrupt_chunk_read_in_slices_names_the_array_the_chunk_and_the_codec()
    {
        var store = new MemoryStore();
        var z = await ZarrArray.CreateAsync<ushort>(store, "a", [256, 256], new ArrayOptions { Format = ZarrFormat.V3, Chunks = [256, 256], Compressors = [new ZstdCodec(1, checksum: true)] });
        var values = Enumerable.Range(0, 256 * 256).Select(i => (ushort)(i * 31)).ToArray();
        await z.WriteAsync([Slice.All, Slice.All], values);
        using var stored = await store.GetAsync("a/c/0/0");
        var bytes = stored!.Span.ToArray();
        for (var i = bytes.Length / 2; i < bytes.Length / 2 + 32; i++)
        {
            bytes[i] ^= 0xA5;
        }

        foreach (var bad in new[] { bytes, stored.Span[..(stored.Length - 10)].ToArray() })
        {
            await store.SetAsync("a/c/0/0", bad);
            var destination = new ushort[100 * 256];
            var e = await Assert.ThrowsAsync<ZarrCodecException>(() => z.ReadIntoAsync([Slice.Range(50, 150), Slice.All], destination));
            Assert.Equal("zstd", e.Codec);
            Assert.Equal("a/c/0/0", e.ChunkKey);
            Assert.Equal("a", e.ArrayPath?.TrimStart('/'));
        }
    }

    [Fact]
    public async Task Other_chains_keep_the_whole_chunk_decode()
    {
        foreach (var (options, sliced) in new[]
        {
            (new ArrayOptions { Format = ZarrFormat.V3, Chunks = [8], Compressors = [new ZstdCodec(1)] }, true),
            (new ArrayOptions { Format = ZarrFormat.V3, Chunks = [8], Compressors = [new ZstdCodec(1)], Endian = Endian.Big }, false),
            (new ArrayOptions { Format = ZarrFormat.V3, Chunks = [8], Compressors = [new ZstdCodec(1), new Crc32cCodec()] }, false),
            (new ArrayOptions { Format = ZarrFormat.V3, Chunks = [8], Compressors = [new GzipCodec()] }, false),
            (new ArrayOptions { Format = ZarrFormat.V3, Shards = [8], Chunks = [4], Compressors = [new ZstdCodec(1)] }, false),
        })
        {
            var z = await ZarrArray.CreateAsync<int>(new MemoryStore(), "a", [20], options);
            Assert.Equal(sliced, z.ChunkIO.DecodesSliced);
            var values = Enumerable.Range(0, 20).ToArray();
            await z.WriteAsync([Slice.All], values);
            Assert.Equal(values[3..17], (await z[3..17]).ToArray());
        }
    }

    // ---------------------------------------------------------------- helpers

    // Runs `decode` with the ring decode on or off (ZstdNative.DecodesInRing; the tests of this class run one at a time).
    private static void WithRing(bool ring, Action decode)
    {
        var was = ZstdNative.DecodesInRing;
        ZstdNative.DecodesInRing = ring;
        try
        {
            decode();
        }
        finally
        {
            ZstdNative.DecodesInRing = was;
        }
    }

    private static CollectingSink DecodeSliced(ZstdCodec codec, byte[] encoded, int length, int elementSize, int window, bool ring)
    {
        var sink = new CollectingSink(length);
        WithRing(ring, () => ((ISlicedDecodingCodec)codec).DecodeSliced(encoded, length, elementSize, new byte[window], ref sink));
        Assert.Equal(length, sink.Delivered);
        return sink;
    }

    private static void AssertRefused(byte[] encoded, int length, bool ring, string name)
    {
        var sink = new CollectingSink(length);
        var e = Record.Exception(() => WithRing(ring, () => ((ISlicedDecodingCodec)new ZstdCodec()).DecodeSliced(encoded, length, 16, new byte[65_536], ref sink)));
        Assert.True(e is ZarrCodecException { Codec: "zstd" }, $"ring {ring}, {name}: {e?.GetType().Name ?? "no exception"}");
        Assert.True(sink.Delivered <= length, name);
    }

    // One frame compressed with a given window (ZSTD_c_windowLog), with its content size or as a stream of unknown size.
    private static byte[] CompressWithWindow(byte[] data, int windowLog, bool contentSize, bool checksum = false)
    {
        if (contentSize)
        {
            using var compressor = new ZstdSharp.Compressor(3);
            compressor.SetParameter(ZstdSharp.Unsafe.ZSTD_cParameter.ZSTD_c_windowLog, windowLog);
            compressor.SetParameter(ZstdSharp.Unsafe.ZSTD_cParameter.ZSTD_c_checksumFlag, checksum ? 1 : 0);
            return compressor.Wrap(data).ToArray();
        }

        using var sink = new MemoryStream();
        using (var stream = new ZstdSharp.CompressionStream(sink, 3))
        {
            stream.SetParameter(ZstdSharp.Unsafe.ZSTD_cParameter.ZSTD_c_windowLog, windowLog);
            stream.SetParameter(ZstdSharp.Unsafe.ZSTD_cParameter.ZSTD_c_checksumFlag, checksum ? 1 : 0);
            stream.Write(data);
        }

        return sink.ToArray();
    }

    // A skippable frame: its magic, its length, and that many bytes.
    private static byte[] Skippable(uint magic, int length)
    {
        var frame = new byte[8 + length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(frame, magic);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(frame.AsSpan(4), length);
        frame.AsSpan(8).Fill(0xAB);
        return frame;
    }

    private static byte[] Data(int length, int seed)
    {
        // Compressible but not trivially: a slow ramp with noise.
        var random = new Random(seed);
        var data = new byte[length];
        for (var i = 0; i < length; i++)
        {
            data[i] = (byte)((i / 97) + (random.Next(4) == 0 ? random.Next(256) : 0));
        }

        return data;
    }

    // A zstd frame as a streaming writer leaves it: no content size.
    private static byte[] WithoutContentSize(byte[] data)
    {
        using var sink = new MemoryStream();
        using (var stream = new ZstdSharp.CompressionStream(sink, 3))
        {
            stream.Write(data);
        }

        return sink.ToArray();
    }

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    // The selection of a C-order array's bytes, element by element.
    private static byte[] Expected(byte[] data, long[] shape, Slice[] selection, int itemSize)
    {
        var dims = new DimensionSelection[3];
        for (var d = 0; d < 3; d++)
        {
            dims[d] = selection[d].Resolve(shape[d], d);
        }

        var result = new List<byte>();
        for (long i = 0; i < dims[0].Count; i++)
        {
            for (long j = 0; j < dims[1].Count; j++)
            {
                for (long k = 0; k < dims[2].Count; k++)
                {
                    var (a, b, c) = (dims[0].Start + (i * dims[0].Step), dims[1].Start + (j * dims[1].Step), dims[2].Start + (k * dims[2].Step));
                    var at = (int)((((a * shape[1]) + b) * shape[2]) + c) * itemSize;
                    result.AddRange(data.AsSpan(at, itemSize));
                }
            }
        }

        return [.. result];
    }

    // Puts each slice where its offset says, and records the slices' lengths.
    private struct CollectingSink(int length) : IDecodedSliceSink
    {
        public byte[] Data { get; } = new byte[length];

        public List<int> Slices { get; } = [];

        public long Delivered { get; private set; }

        public void Accept(ReadOnlySpan<byte> slice, long offset)
        {
            Assert.Equal(Delivered, offset);
            slice.CopyTo(Data.AsSpan((int)offset));
            Slices.Add(slice.Length);
            Delivered += slice.Length;
        }
    }
}
