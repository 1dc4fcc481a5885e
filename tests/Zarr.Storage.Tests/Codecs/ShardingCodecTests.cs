using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;
using Zarr.Tests.Shared;

namespace Zarr.Storage.Tests.Codecs;

/// <summary>The <c>sharding_indexed</c> codec on its own: the byte layout the specification lays down, the index, errors, JSON.</summary>
public class ShardingCodecTests
{
    private const ulong Empty = ulong.MaxValue;

    private static ChunkSpec Spec(int[] shape, ZarrDataType type) => new([.. shape], type, [.. new byte[type.ItemSize]]);

    private static byte[] Int16Bytes(params short[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    /// <summary>
    /// A 4×4 int16 shard of 2×2 inner chunks holding 1..16, with inner chunk (1, 0) (values 9, 10, 13, 14) set to the
    /// fill value 0: the three stored inner chunks in C order, each 8 bytes, then the 64-byte index and its CRC32C.
    /// The checksums were computed independently (a bitwise CRC-32C in Python, checked on "123456789" = 0xE3069283).
    /// </summary>
    [Theory]
    [InlineData(ShardIndexLocation.End, 0xE475CF4Bu)]
    [InlineData(ShardIndexLocation.Start, 0xAC1ACB4Fu)]
    public void A_small_shard_has_the_exact_bytes_of_the_specification(ShardIndexLocation location, uint crc)
    {
        var codec = new ShardingCodec([2, 2], [new BytesCodec(Endian.Little)], null, location);
        short[] shard = [1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 11, 12, 0, 0, 15, 16];
        var spec = Spec([4, 4], ZarrDataType.Int16);
        using var encoded = codec.Encode(MemoryMarshal.AsBytes(shard.AsSpan()), spec);

        var start = location == ShardIndexLocation.Start ? 68UL : 0UL;
        var chunks = new List<byte>();
        chunks.AddRange(Int16Bytes(1, 2, 5, 6));   // inner chunk (0, 0)
        chunks.AddRange(Int16Bytes(3, 4, 7, 8));   // inner chunk (0, 1)
        chunks.AddRange(Int16Bytes(11, 12, 15, 16)); // inner chunk (1, 1); (1, 0) is empty
        var index = new byte[68];
        ulong[] entries = [start, 8, start + 8, 8, Empty, Empty, start + 16, 8];
        for (var i = 0; i < entries.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(index.AsSpan(8 * i), entries[i]);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(index.AsSpan(64), crc);
        byte[] expected = location == ShardIndexLocation.Start ? [.. index, .. chunks] : [.. chunks, .. index];
        Assert.Equal(expected, encoded.Span.ToArray());
        Assert.Equal(68, codec.GetIndexSize(spec));

        var decoded = new short[16];
        codec.Decode(expected, MemoryMarshal.AsBytes(decoded.AsSpan()), spec);
        Assert.Equal(shard, decoded);
    }

    [Fact]
    public void Without_crc32c_the_index_is_the_bare_16_bytes_per_inner_chunk()
    {
        var codec = new ShardingCodec([2], [new BytesCodec(Endian.Little)], [new BytesCodec(Endian.Little)]);
        var spec = Spec([4], ZarrDataType.Int16);
        using var encoded = codec.Encode(Int16Bytes(7, 8, 9, 10), spec);
        Assert.Equal(8 + 32, encoded.Length);
        Assert.Equal(Int16Bytes(7, 8, 9, 10), encoded.Span[..8].ToArray());
        Assert.Equal([0UL, 4, 4, 4], MemoryMarshal.Cast<byte, ulong>(encoded.Span[8..]).ToArray());
    }

    [Fact]
    public void A_big_endian_index_is_written_and_read_big_endian()
    {
        var codec = new ShardingCodec([2], [new BytesCodec(Endian.Little)], [new BytesCodec(Endian.Big), new Crc32cCodec()]);
        var spec = Spec([4], ZarrDataType.Int16);
        using var encoded = codec.Encode(Int16Bytes(0, 0, 9, 10), spec);
        var index = encoded.Span[4..^4];
        Assert.Equal(Empty, BinaryPrimitives.ReadUInt64BigEndian(index));
        Assert.Equal(0UL, BinaryPrimitives.ReadUInt64BigEndian(index[16..]));
        Assert.Equal(4UL, BinaryPrimitives.ReadUInt64BigEndian(index[24..]));
        var decoded = new short[4];
        codec.Decode(encoded.Span, MemoryMarshal.AsBytes(decoded.AsSpan()), spec);
        Assert.Equal(new short[] { 0, 0, 9, 10 }, decoded);
    }

    [Fact]
    public void A_shard_of_fill_value_only_is_its_index_with_every_entry_empty_and_decodes_as_fill()
    {
        var codec = new ShardingCodec([2, 2], [new BytesCodec(Endian.Little), new GzipCodec(1)]);
        var spec = new ChunkSpec([4, 4], ZarrDataType.Int32, [.. BitConverter.GetBytes(42)]);
        var values = Enumerable.Repeat(42, 16).ToArray();
        using var encoded = codec.Encode(MemoryMarshal.AsBytes(values.AsSpan()), spec);
        Assert.Equal(68, encoded.Length);
        Assert.All(MemoryMarshal.Cast<byte, ulong>(encoded.Span[..64]).ToArray(), e => Assert.Equal(Empty, e));
        var decoded = new int[16];
        codec.Decode(encoded.Span, MemoryMarshal.AsBytes(decoded.AsSpan()), spec);
        Assert.All(decoded, v => Assert.Equal(42, v));
    }

    public static TheoryData<string> InnerChains() => ["bytes", "gzip", "zstd", "blosc", "transpose+zstd+crc32c", "nested"];

    private static ICodec[] Chain(string name) => name switch
    {
        "bytes" => [new BytesCodec(Endian.Little)],
        "gzip" => [new BytesCodec(Endian.Little), new GzipCodec(5)],
        "zstd" => [new BytesCodec(Endian.Big), new ZstdCodec(3)],
        "blosc" => [new BytesCodec(Endian.Little), new BloscCodec(BloscCompressor.Lz4, 5, BloscShuffle.Shuffle, 8)],
        "transpose+zstd+crc32c" => [new TransposeCodec([1, 0, 2]), new BytesCodec(Endian.Little), new ZstdCodec(1), new Crc32cCodec()],
        "nested" => [new ShardingCodec([1, 3, 2], [new BytesCodec(Endian.Little), new ZstdCodec(1)], null, ShardIndexLocation.Start)],
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(InnerChains))]
    public void Shards_round_trip_with_every_inner_chain_and_both_index_locations(string chain)
    {
        var spec = Spec([6, 6, 4], ZarrDataType.Float64);
        var values = new double[6 * 6 * 4];
        var random = new Random(3);
        for (var i = 0; i < values.Length; i++)
        {
            // Inner chunk (0, 0, 0) (the first 2×3×2 block) stays zero: it is not stored.
            var (x, y, z) = (i / 24, i / 4 % 6, i % 4);
            values[i] = x < 2 && y < 3 && z < 2 ? 0 : Math.Round(random.NextDouble() * 100, 2);
        }

        foreach (var location in new[] { ShardIndexLocation.End, ShardIndexLocation.Start })
        {
            var codec = new ShardingCodec([2, 3, 2], Chain(chain), null, location);
            codec.Validate(spec);
            using var encoded = codec.Encode(MemoryMarshal.AsBytes(values.AsSpan()), spec);
            var decoded = new double[values.Length];
            codec.Decode(encoded.Span, MemoryMarshal.AsBytes(decoded.AsSpan()), spec);
            Assert.Equal(values, decoded);

            var indexBytes = location == ShardIndexLocation.End ? encoded.Span[^196..^4] : encoded.Span[..192];
            Assert.Equal(Empty, BinaryPrimitives.ReadUInt64LittleEndian(indexBytes));
            Assert.Equal(Empty, BinaryPrimitives.ReadUInt64LittleEndian(indexBytes[8..]));
        }
    }

    [Theory]
    [InlineData("bytes")]
    [InlineData("zstd")]
    [InlineData("nested")]
    public void Inner_chunks_encoded_and_decoded_in_parallel_give_the_same_bytes_as_one_by_one(string chain)
    {
        // 64 inner chunks of 64×128 int32 (32 KiB), not contiguous in the shard; some of them all fill value.
        var spec = Spec([512, 512], ZarrDataType.Int32);
        var values = new int[512 * 512];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (i % 7919) * ((i / 512 / 64) % 3);
        }

        ICodec[] codecs = chain switch
        {
            "bytes" => [new BytesCodec(Endian.Little)],
            "zstd" => [new BytesCodec(Endian.Little), new ZstdCodec(1)],
            _ => [new ShardingCodec([16, 16], [new BytesCodec(Endian.Little), new GzipCodec(1)])],
        };
        var sequential = new ShardingCodec([64, 128], codecs) { ParallelInnerChunks = false };
        var parallel = new ShardingCodec([64, 128], codecs) { ParallelInnerChunks = true };
        using var one = sequential.Encode(MemoryMarshal.AsBytes(values.AsSpan()), spec);
        using var many = parallel.Encode(MemoryMarshal.AsBytes(values.AsSpan()), spec);
        Assert.True(one.Span.SequenceEqual(many.Span), "the encoded shard does not depend on the scheduling");
        foreach (var codec in new[] { sequential, parallel })
        {
            var decoded = new int[values.Length];
            codec.Decode(one.Span, MemoryMarshal.AsBytes(decoded.AsSpan()), spec);
            Assert.Equal(values, decoded);
        }

        // A failure in one parallel inner chunk surfaces as itself, not as an AggregateException.
        if (chain == "bytes")
        {
            return;
        }

        var corrupt = one.Span.ToArray();
        corrupt[0] ^= 0xFF; // the magic number of the first stored inner chunk (zstd frame, or the nested gzip stream)
        var ex = Assert.Throws<ZarrCodecException>(() => parallel.Decode(corrupt, new byte[spec.ByteLength], spec));
        Assert.Equal("sharding_indexed", ex.Codec);
    }

    [Theory]
    [InlineData(ShardIndexLocation.End)]
    [InlineData(ShardIndexLocation.Start)]
    public void A_shard_written_in_order_that_outgrows_its_first_buffer_is_the_bytes_of_one_assembled_at_once(ShardIndexLocation location)
    {
        // Incompressible inner chunks (bytes only) make the shard as long as the decoded one: four times the first guess.
        var spec = Spec([256, 256], ZarrDataType.Int32);
        var values = new int[256 * 256];
        new Random(18).NextBytes(MemoryMarshal.AsBytes(values.AsSpan()));
        values.AsSpan(0, 64 * 256).Clear(); // the first row of inner chunks is fill value: not stored

        ICodec[] codecs = [new BytesCodec(Endian.Little)];
        var inOrder = new ShardingCodec([64, 32], codecs, null, location) { ParallelInnerChunks = false };
        var assembled = new ShardingCodec([64, 32], codecs, null, location) { ParallelInnerChunks = true };
        using var one = inOrder.Encode(MemoryMarshal.AsBytes(values.AsSpan()), spec);
        using var all = assembled.Encode(MemoryMarshal.AsBytes(values.AsSpan()), spec);

        Assert.Equal((spec.ByteLength * 3 / 4) + (32 * 16) + 4, one.Length);
        Assert.True(one.Span.SequenceEqual(all.Span), "the shard written in order differs from the one assembled from every part");
        var decoded = new int[values.Length];
        inOrder.Decode(one.Span, MemoryMarshal.AsBytes(decoded.AsSpan()), spec);
        Assert.Equal(values, decoded);
    }

    [Fact]
    public void A_corrupt_index_checksum_is_refused()
    {
        var codec = new ShardingCodec([2], [new BytesCodec(Endian.Little)]);
        var spec = Spec([4], ZarrDataType.Int16);
        using var encoded = codec.Encode(Int16Bytes(1, 2, 3, 4), spec);
        var bytes = encoded.Span.ToArray();
        bytes[^10] ^= 1; // inside the index
        var ex = Assert.Throws<ZarrCodecException>(() => codec.Decode(bytes, new byte[8], spec));
        Assert.Equal("sharding_indexed", ex.Codec);
        Assert.Contains("shard index checksum mismatch", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(100UL, 8UL, "lies outside the shard")]          // past the data
    [InlineData(0UL, 12UL, "lies outside the shard")]           // runs into the index
    [InlineData(Empty, 8UL, "2^64-1 for both")]                 // half empty
    [InlineData(ulong.MaxValue - 1, 8UL, "lies outside the shard")] // offset + length overflows
    public void Inconsistent_index_entries_are_refused_naming_the_codec(ulong offset, ulong length, string fragment)
    {
        var codec = new ShardingCodec([2], [new BytesCodec(Endian.Little)], [new BytesCodec(Endian.Little)]);
        var spec = Spec([4], ZarrDataType.Int16);
        using var encoded = codec.Encode(Int16Bytes(1, 2, 3, 4), spec);
        var bytes = encoded.Span.ToArray();
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), offset);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(16), length);
        var ex = Assert.Throws<ZarrCodecException>(() => codec.Decode(bytes, new byte[8], spec));
        Assert.Equal("sharding_indexed", ex.Codec);
        Assert.Contains(fragment, ex.Message, StringComparison.Ordinal);
        Assert.Contains("inner chunk (0)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_shard_shorter_than_its_index_and_a_corrupt_inner_chunk_are_refused()
    {
        var codec = new ShardingCodec([2], [new BytesCodec(Endian.Little), new GzipCodec(1)]);
        var spec = Spec([4], ZarrDataType.Int16);
        var shortEx = Assert.Throws<ZarrCodecException>(() => codec.Decode(new byte[10], new byte[8], spec));
        Assert.Contains("shorter than its 36-byte index", shortEx.Message, StringComparison.Ordinal);

        using var encoded = codec.Encode(Int16Bytes(1, 2, 3, 4), spec);
        var bytes = encoded.Span.ToArray();
        bytes[0] ^= 0xFF; // the first inner chunk's gzip magic number
        var ex = Assert.Throws<ZarrCodecException>(() => codec.Decode(bytes, new byte[8], spec));
        Assert.Equal("sharding_indexed", ex.Codec);
        Assert.Contains("inner chunk (0)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Shapes_that_do_not_divide_are_refused_naming_both()
    {
        var codec = new ShardingCodec([3, 2], [new BytesCodec(Endian.Little)]);
        var ex = Assert.Throws<ZarrCodecException>(() => codec.Validate(Spec([4, 4], ZarrDataType.Int32)));
        Assert.Contains("(4, 4)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("(3, 2)", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ZarrCodecException>(() => codec.Validate(Spec([6], ZarrDataType.Int32)));

        // Nested: the inner sharding codec must divide the outer inner chunk.
        var nested = new ShardingCodec([4, 4], [new ShardingCodec([3, 3], [new BytesCodec(Endian.Little)])]);
        var inner = Assert.Throws<ZarrCodecException>(() => nested.Validate(Spec([8, 8], ZarrDataType.Int32)));
        Assert.Contains("(3, 3)", inner.Message, StringComparison.Ordinal);

        Assert.Throws<ZarrException>(() => new ShardingCodec([0, 2], [new BytesCodec(Endian.Little)]));
        Assert.Throws<ZarrException>(() => new ShardingCodec([2], [new BytesCodec(Endian.Little)], [new BytesCodec(Endian.Little), new GzipCodec(1)]));
        Assert.Throws<ZarrException>(() => new ShardingCodec([2], [new GzipCodec(1)]));
    }

    [Fact]
    public void The_json_is_what_zarr_python_writes_and_parses_back_with_nesting()
    {
        var codec = new ShardingCodec(
            [4, 4],
            [new ShardingCodec([2, 2], [new BytesCodec(Endian.Little), new GzipCodec(5)], null, ShardIndexLocation.Start)],
            [new BytesCodec(Endian.Little), new Crc32cCodec()]);
        var json = codec.ToV3Json();
        const string Expected =
            """{"name":"sharding_indexed","configuration":{"chunk_shape":[4,4],"codecs":[{"name":"sharding_indexed","configuration":{"chunk_shape":[2,2],"codecs":[{"name":"bytes","configuration":{"endian":"little"}},{"name":"gzip","configuration":{"level":5}}],"index_codecs":[{"name":"bytes","configuration":{"endian":"little"}},{"name":"crc32c"}],"index_location":"start"}}],"index_codecs":[{"name":"bytes","configuration":{"endian":"little"}},{"name":"crc32c"}],"index_location":"end"}}""";
        Assert.Equal(Expected, json.ToJsonString());

        var parsed = Assert.IsType<ShardingCodec>(CodecRegistry.FromV3Json(JsonNode.Parse(Expected)!, ZarrDataType.Int32, "zarr.json"));
        Assert.Equal(Expected, parsed.ToV3Json().ToJsonString());
        var inner = Assert.IsType<ShardingCodec>(parsed.Codecs.ArrayToBytesCodec);
        Assert.Equal(ShardIndexLocation.Start, inner.IndexLocation);
        Assert.Equal([2, 2], inner.ChunkShape.ToArray());
    }

    [Fact]
    public void Index_codecs_and_location_default_as_the_specification_says()
    {
        var parsed = Assert.IsType<ShardingCodec>(CodecRegistry.FromV3Json(
            JsonNode.Parse("""{"name":"sharding_indexed","configuration":{"chunk_shape":[2],"codecs":[{"name":"bytes","configuration":{"endian":"little"}}]}}""")!,
            ZarrDataType.Int32,
            "zarr.json"));
        Assert.Equal(ShardIndexLocation.End, parsed.IndexLocation);
        Assert.Equal(["bytes", "crc32c"], parsed.IndexCodecs.Codecs.Select(c => c.Name));
    }

    [Theory]
    [InlineData("""{"name":"sharding_indexed","configuration":{"codecs":[{"name":"bytes","configuration":{"endian":"little"}}]}}""", "chunk_shape")]
    [InlineData("""{"name":"sharding_indexed","configuration":{"chunk_shape":[2]}}""", "codecs")]
    [InlineData("""{"name":"sharding_indexed","configuration":{"chunk_shape":[2],"codecs":[]}}""", "codecs")]
    [InlineData("""{"name":"sharding_indexed","configuration":{"chunk_shape":[2],"codecs":[{"name":"bytes","configuration":{"endian":"little"}}],"index_location":"middle"}}""", "index_location")]
    [InlineData("""{"name":"sharding_indexed","configuration":{"chunk_shape":[2],"codecs":[{"name":"bytes","configuration":{"endian":"little"}}],"index_codecs":[{"name":"bytes","configuration":{"endian":"little"}},{"name":"zstd"}]}}""", "fixed encoded size")]
    [InlineData("""{"name":"sharding_indexed","configuration":{"chunk_shape":[2],"codecs":[{"name":"gzip","configuration":{"level":1}}]}}""", "array→bytes")]
    [InlineData("""{"name":"sharding_indexed","configuration":{"chunk_shape":[2],"codecs":[{"name":"bytes"}]}}""", "endian")]
    public void Invalid_configurations_are_metadata_errors_naming_the_field(string json, string fragment)
    {
        var ex = Assert.Throws<ZarrMetadataException>(() => CodecRegistry.FromV3Json(JsonNode.Parse(json)!, ZarrDataType.Int32, "a/zarr.json"));
        Assert.Equal("a/zarr.json", ex.Document);
        Assert.Contains(fragment, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Array_metadata_with_nested_sharding_round_trips_through_zarr_json()
    {
        var metadata = TestMetadata.Create([16, 16], [8, 8], ZarrDataType.UInt16) with
        {
            Codecs = [new ShardingCodec([4, 4], [new ShardingCodec([2, 2], [new BytesCodec(Endian.Little)])], null, ShardIndexLocation.Start)],
        };
        var written = MetadataSerializer.ToV3Json(metadata);
        var parsed = MetadataSerializer.ParseArrayV3(written, "zarr.json");
        Assert.Equal(written, MetadataSerializer.ToV3Json(parsed));
        Assert.True(JsonNode.DeepEquals(metadata.Codecs[0].ToV3Json(), parsed.Codecs[0].ToV3Json()));
    }

    [Fact]
    public async Task A_missing_shard_is_reported_as_missing_by_the_partial_decoder()
    {
        var codec = new ShardingCodec([2], [new BytesCodec(Endian.Little)]);
        var found = await ((IPartialDecodingCodec)codec).TryDecodePartialAsync(new MemoryStore(), "c/0", new ChunkRegion([0], [1], [1]), new byte[8], Spec([4], ZarrDataType.Int16));
        Assert.False(found);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(0)]
    public void Inner_chunks_use_at_most_the_parallelism_the_caller_gives(int maxDegree)
    {
        // 64 inner chunks forced to run in parallel; the spec's limit bounds how many run at once (0: the runtime's choice).
        var threads = new ThreadRecordingCodec();
        var codec = new ShardingCodec([16], [new BytesCodec(Endian.Little), threads]) { ParallelInnerChunks = true };
        var spec = Spec([1024], ZarrDataType.Int32) with { MaxDegreeOfParallelism = maxDegree };
        var data = new byte[spec.ByteLength];
        data.AsSpan().Fill(7);
        using var encoded = codec.Encode(data, spec);
        var decoded = new byte[data.Length];
        threads.Reset();
        codec.Decode(encoded.Span, decoded, spec);
        Assert.Equal(data, decoded);
        Assert.Equal(64, threads.Calls);
        if (maxDegree > 0)
        {
            Assert.True(threads.MostAtOnce <= maxDegree, $"{threads.MostAtOnce} inner chunks were decoded at once; the limit is {maxDegree}");
        }

        if (maxDegree == 1)
        {
            Assert.Equal([Environment.CurrentManagedThreadId], threads.Threads);
        }
    }

    [Fact]
    public void The_codec_reports_the_concurrency_it_wants()
    {
        var spec = Spec([1024, 1024], ZarrDataType.Int32);
        var compressed = new ShardingCodec([64, 64], [new BytesCodec(Endian.Little), new ZstdCodec()]);
        var plain = new ShardingCodec([64, 64], [new BytesCodec(Endian.Little)]);
        Assert.Equal(Environment.ProcessorCount >= 4 ? 256 : 1, compressed.GetRecommendedConcurrency(spec));
        Assert.Equal(1, plain.GetRecommendedConcurrency(spec));
        Assert.Equal(compressed.GetRecommendedConcurrency(spec), CodecPipeline.Create([compressed]).GetRecommendedConcurrency(spec));
        Assert.Throws<ArgumentOutOfRangeException>(() => spec with { MaxDegreeOfParallelism = -1 });
    }

    /// <summary>A bytes→bytes codec that changes nothing and records the threads that decode with it, and how many at once.</summary>
    private sealed class ThreadRecordingCodec : IBytesToBytesCodec
    {
        private readonly HashSet<int> _threads = [];
        private int _running;
        private int _mostAtOnce;
        private int _calls;

        public string Name => "recording";

        public int[] Threads
        {
            get
            {
                lock (_threads)
                {
                    return [.. _threads];
                }
            }
        }

        public int MostAtOnce => _mostAtOnce;

        public int Calls => _calls;

        public void Reset()
        {
            lock (_threads)
            {
                _threads.Clear();
            }

            _mostAtOnce = _running = _calls = 0;
        }

        public JsonObject ToV3Json() => new() { ["name"] = Name };

        public Zarr.Storage.Buffers.PooledBuffer Encode(ReadOnlySpan<byte> decoded) => Zarr.Storage.Buffers.PooledBuffer.CopyOf(decoded);

        public Zarr.Storage.Buffers.PooledBuffer Decode(ReadOnlySpan<byte> encoded, int expectedLength)
        {
            Interlocked.Increment(ref _calls);
            var now = Interlocked.Increment(ref _running);
            int most;
            while (now > (most = _mostAtOnce) && Interlocked.CompareExchange(ref _mostAtOnce, now, most) != most)
            {
            }

            lock (_threads)
            {
                _threads.Add(Environment.CurrentManagedThreadId);
            }

            Thread.Sleep(2); // long enough for other workers to overlap when they may
            Interlocked.Decrement(ref _running);
            return Zarr.Storage.Buffers.PooledBuffer.CopyOf(encoded);
        }
    }
}
