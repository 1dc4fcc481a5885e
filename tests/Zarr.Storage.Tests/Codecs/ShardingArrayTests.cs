using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Zarr.Storage.Buffers;
using Zarr.Storage.Codecs;
using Zarr.Tests.Shared;
using static Zarr.Storage.Tests.Arrays.SelectionTests;

namespace Zarr.Storage.Tests.Codecs;

/// <summary>A store that records every read: key, range and the number of bytes returned.</summary>
internal sealed class CountingStore(IStore inner) : IStore
{
    public ConcurrentQueue<(string Key, ByteRange? Range, int Bytes)> Reads { get; } = new();

    public long BytesRead => Reads.Sum(r => (long)r.Bytes);

    public bool IsReadOnly => inner.IsReadOnly;

    public void Reset() => Reads.Clear();

    public async ValueTask<PooledBuffer?> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        var value = await inner.GetAsync(key, range, cancellationToken);
        Reads.Enqueue((key, range, value?.Length ?? 0));
        return value;
    }

    public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => inner.ExistsAsync(key, cancellationToken);

    public ValueTask<long?> GetSizeAsync(string key, CancellationToken cancellationToken = default) => inner.GetSizeAsync(key, cancellationToken);

    public ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) => inner.SetAsync(key, value, cancellationToken);

    public ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);

    public ValueTask DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default) => inner.DeletePrefixAsync(prefix, cancellationToken);

    public IAsyncEnumerable<StoreEntry> ListPrefixAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListPrefixAsync(prefix, cancellationToken);

    public IAsyncEnumerable<string> ListDirectoryAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListDirectoryAsync(prefix, cancellationToken);

    public override string ToString() => "CountingStore";
}

/// <summary>Sharded arrays: the corpus, round trips through the array, ranged reads counted, concurrent writers, creation.</summary>
public class ShardingArrayTests
{
    // ---------------------------------------------------------------- the corpus

    /// <summary>Every array of the corpora whose one codec is sharding_indexed, of a core numeric type, each dimension ≥ 6.</summary>
    public static TheoryData<string> CorpusShards()
    {
        var data = new TheoryData<string>();
        foreach (var corpus in Zarr.Tests.Shared.TestCorpora.All)
        {
            foreach (var e in Zarr.Tests.Shared.TestCorpora.Manifest(corpus, "v3"))
            {
                var codecs = e["codecs"] as JsonArray;
                if (codecs is { Count: 1 } && codecs[0]?["name"]?.GetValue<string>() == "sharding_indexed"
                    && e["data_type"] is JsonValue dataType && ZarrDataType.TryParse(dataType.GetValue<string>(), out var type) && type.Kind <= DataTypeKind.Complex128
                    && e["shape"]!.AsArray() is { Count: > 0 } shape && shape.All(n => (long)n! >= 6) // the window below needs 6
                    && e["node"]?.GetValue<string>() is null or "")
                {
                    data.Add(Zarr.Tests.Shared.TestCorpora.CaseId(corpus, (string)e["path"]!));
                }
            }
        }

        return data;
    }

    [Fact]
    public void The_fixtures_hold_sharded_arrays()
    {
        var ids = CorpusShards().Cast<object[]>().Select(row => (string)row[0]).Where(id => id.StartsWith("fixtures/", StringComparison.Ordinal)).ToList();
        Assert.True(ids.Count >= 5, string.Join(", ", ids));
    }

    /// <summary>
    /// The sharded arrays of the corpora (hand-built from the v3 spec) read exactly: the sha256 of the values in their
    /// canonical serialization, the spot values, and every partial read (a window in each shard, through ranged reads)
    /// agrees with the whole read.
    /// </summary>
    [Theory]
    [MemberData(nameof(CorpusShards))]
    public async Task Corpus_shards_read_exactly(string id)
    {
        var (corpus, name) = Zarr.Tests.Shared.TestCorpora.ParseCaseId(id);
        var folder = corpus.Format("v3");
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "manifest.json")));
        var entry = manifest.RootElement.GetProperty("entries").EnumerateArray().Single(e => e.GetProperty("path").GetString() == name);
        var store = new CountingStore(new DirectoryStore(Path.Combine(folder, name), new DirectoryStoreOptions { ReadOnly = true }));
        var array = await ZarrArray.OpenAsync(store);
        Assert.IsType<ShardingCodec>(array.Metadata.Codecs.Single());

        var (bytes, shape) = await array.ReadBytesAsync([.. Enumerable.Repeat(Slice.All, array.Rank)]);
        Assert.Equal(entry.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()), shape);
        Assert.Equal(entry.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(CanonicalValues.Of(bytes, array.DataType))));
        var itemSize = array.DataType.ItemSize;
        foreach (var spot in entry.GetProperty("spot_values").EnumerateArray())
        {
            var index = spot.GetProperty("index").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            long flat = 0;
            for (var d = 0; d < index.Length; d++)
            {
                flat = (flat * shape[d]) + index[d];
            }

            Assert.Equal(spot.GetProperty("hex").GetString(), Convert.ToHexStringLower(CanonicalValues.Of(bytes.AsSpan((int)(flat * itemSize), itemSize), array.DataType)));
            var (one, _) = await array.ReadBytesAsync([.. index.Select(i => Slice.At(i))]);
            Assert.Equal(spot.GetProperty("hex").GetString(), Convert.ToHexStringLower(CanonicalValues.Of(one, array.DataType)));
        }

        // A window across the middle of the array, read partially from each shard it touches.
        var window = shape.Select(s => Slice.Range((s / 2) - 3, (s / 2) + 2)).ToArray();
        store.Reset();
        var (part, partShape) = await array.ReadBytesAsync(window);
        // Ranged reads, except of a shard whose every inner chunk the window needs (read whole, in one request).
        var inner = array.Metadata.Codecs.OfType<ShardingCodec>().Single().ChunkShape;
        var shardShape = array.Chunks;
        Assert.All(store.Reads, r =>
        {
            if (r.Range is not null)
            {
                return;
            }

            var shard = r.Key.Split('/')[1..].Select(long.Parse).ToArray();
            for (var d = 0; d < shape.Length; d++)
            {
                var (start, stop) = (shard[d] * shardShape[d], Math.Min((shard[d] + 1) * shardShape[d], shape[d]));
                var (firstInner, lastInner) = (start / inner[d], (stop - 1) / inner[d]);
                var (firstNeeded, lastNeeded) = (Math.Max(start, (shape[d] / 2) - 3) / inner[d], (Math.Min(stop, (shape[d] / 2) + 2) - 1) / inner[d]);
                Assert.True(firstNeeded == firstInner && lastNeeded == lastInner, $"{r.Key} was read whole though the window needs only part of it (dimension {d})");
            }
        });
        var expected = new List<byte>();
        foreach (var idx in Reference<byte>.Indices(shape, [.. shape.Select(s => ((s / 2) - 3, (s / 2) + 2, 1L))]))
        {
            long flat = 0;
            for (var d = 0; d < idx.Length; d++)
            {
                flat = (flat * shape[d]) + idx[d];
            }

            expected.AddRange(bytes.AsSpan((int)(flat * itemSize), itemSize).ToArray());
        }

        Assert.Equal(expected.ToArray(), part);
    }

    // ---------------------------------------------------------------- round trips through arrays

    public static TheoryData<ShardIndexLocation, bool, string> Layouts()
    {
        var data = new TheoryData<ShardIndexLocation, bool, string>();
        foreach (var location in new[] { ShardIndexLocation.End, ShardIndexLocation.Start })
        {
            foreach (var crc in new[] { true, false })
            {
                foreach (var inner in new[] { "bytes", "gzip", "zstd", "blosc", "nested" })
                {
                    data.Add(location, crc, inner);
                }
            }
        }

        return data;
    }

    private static ShardingCodec Codec(ShardIndexLocation location, bool crc, string inner)
    {
        ICodec[] index = crc ? [new BytesCodec(Endian.Little), new Crc32cCodec()] : [new BytesCodec(Endian.Little)];
        ICodec[] codecs = inner switch
        {
            "bytes" => [new BytesCodec(Endian.Little)],
            "gzip" => [new BytesCodec(Endian.Little), new GzipCodec(5)],
            "zstd" => [new BytesCodec(Endian.Big), new ZstdCodec(3, checksum: true)],
            "blosc" => [new BytesCodec(Endian.Little), new BloscCodec(BloscCompressor.Zstd, 5, BloscShuffle.BitShuffle, 4)],
            "nested" => [new ShardingCodec([2, 2], [new BytesCodec(Endian.Little), new ZstdCodec(1)], index, location)],
            _ => throw new ArgumentOutOfRangeException(nameof(inner)),
        };
        return new ShardingCodec([4, 6], codecs, index, location);
    }

    private static async Task<ZarrArray<int>> CreateAsync(IStore store, long[] shape, int[] shards, ShardingCodec codec, int fill = 0) =>
        (await ZarrArray.CreateFromMetadataAsync(store, "a", TestMetadata.Create([.. shape], [.. shards]) with
        {
            FillValue = [.. BitConverter.GetBytes(fill)],
            Codecs = [codec],
        })).As<int>();

    /// <summary>
    /// An array of 19×29 in shards of 8×12 (edge shards hang over both edges) of 4×6 inner chunks: whole writes, partial
    /// writes, empty inner chunks and an all-fill shard, then reads of every kind compared with a plain array.
    /// </summary>
    [Theory]
    [MemberData(nameof(Layouts))]
    public async Task Sharded_arrays_round_trip(ShardIndexLocation location, bool crc, string inner)
    {
        var store = new MemoryStore();
        long[] shape = [19, 29];
        var z = await CreateAsync(store, shape, [8, 12], Codec(location, crc, inner), fill: -1);
        var expected = new int[19 * 29];
        for (var i = 0; i < expected.Length; i++)
        {
            expected[i] = (i * 37) % 1001;
        }

        // Inner chunk (0, 0) of shard (0, 1) holds only the fill value; shard (1, 0) is all fill value.
        for (var r = 0; r < 4; r++)
        {
            for (var c = 12; c < 18; c++)
            {
                expected[(r * 29) + c] = -1;
            }
        }

        for (var r = 8; r < 16; r++)
        {
            for (var c = 0; c < 12; c++)
            {
                expected[(r * 29) + c] = -1;
            }
        }

        await z[..].WriteAsync(expected);
        Assert.Equal(expected, ToArray(await z[..]));
        Assert.False(await store.ExistsAsync("a/c/1/0"), "a shard of fill value only is not stored");
        Assert.True(await store.ExistsAsync("a/c/0/1"));
        await AssertReadsAsync(z, shape, expected);

        // Partial writes into the middle of shards (read-modify-write of the shard), one into the all-fill shard.
        var patch = Enumerable.Range(1, 5 * 7).Select(v => v * 1000).ToArray();
        await z[6..11, 10..17].WriteAsync(patch);
        for (var r = 0; r < 5; r++)
        {
            for (var c = 0; c < 7; c++)
            {
                expected[((r + 6) * 29) + c + 10] = patch[(r * 7) + c];
            }
        }

        await z[9..10, 1..2].WriteAsync(new[] { 5 });
        expected[(9 * 29) + 1] = 5;
        Assert.True(await store.ExistsAsync("a/c/1/0"));
        Assert.Equal(expected, ToArray(await z[..]));
        await AssertReadsAsync(z, shape, expected);

        // Setting it back to the fill value removes the shard again.
        await z[9..10, 1..2].WriteAsync(new[] { -1 });
        expected[(9 * 29) + 1] = -1;
        await z[8..16, 10..12].FillAsync(-1);
        for (var r = 8; r < 16; r++)
        {
            expected[(r * 29) + 10] = expected[(r * 29) + 11] = -1;
        }

        Assert.False(await store.ExistsAsync("a/c/1/0"));
        Assert.Equal(expected, ToArray(await z[..]));

        // Reopened from the stored zarr.json, the same values.
        var reopened = await ZarrArray.OpenAsync<int>(store, "a");
        Assert.Equal(expected, ToArray(await reopened[..]));
        await AssertReadsAsync(reopened, shape, expected);
    }

    private static async Task AssertReadsAsync(ZarrArray<int> z, long[] shape, int[] all)
    {
        (long, long, long)[][] selections =
        [
            [(0, 19, 1), (0, 29, 1)],
            [(3, 4, 1), (5, 6, 1)],
            [(2, 17, 3), (1, 29, 5)],
            [(7, 9, 1), (11, 13, 1)],
            [(16, 19, 1), (24, 29, 1)],
            [(0, 19, 7), (0, 29, 13)],
            [(12, 13, 1), (0, 29, 1)],
        ];
        foreach (var sel in selections)
        {
            var values = ToArray(await z[[.. sel.Select(s => Slice.Range(s.Item1, s.Item2, s.Item3))]]);
            var wanted = Reference<int>.Indices(shape, sel).Select(i => all[(i[0] * shape[1]) + i[1]]).ToArray();
            Assert.Equal(wanted, values);
        }
    }

    // ---------------------------------------------------------------- ranged reads, counted

    /// <summary>
    /// One 256×256 int32 shard of 64 inner chunks of 32×32 (4 KiB each, uncompressed), index at the end (1,028 bytes
    /// with crc32c). Reading one inner chunk, or one element, reads the index (a suffix range) and that chunk: 5,124 of
    /// the shard's 263,172 bytes, in two reads.
    /// </summary>
    [Theory]
    [InlineData(ShardIndexLocation.End)]
    [InlineData(ShardIndexLocation.Start)]
    public async Task Reading_one_inner_chunk_of_64_reads_the_index_and_that_chunk_only(ShardIndexLocation location)
    {
        var store = new CountingStore(new MemoryStore());
        var codec = new ShardingCodec([32, 32], [new BytesCodec(Endian.Little)], null, location);
        var z = await CreateAsync(store, [256, 256], [256, 256], codec);
        var all = Enumerable.Range(1, 256 * 256).ToArray();
        await z[..].WriteAsync(all);
        var shardSize = (await store.GetSizeAsync("a/c/0/0"))!.Value;
        Assert.Equal((64 * 4096) + 1028, shardSize);

        store.Reset();
        var chunk = ToArray(await z[32..64, 64..96]); // inner chunk (1, 2)
        Assert.Equal(Reference<int>.Indices([256, 256], [(32, 64, 1), (64, 96, 1)]).Select(i => all[(i[0] * 256) + i[1]]), chunk);
        var reads = store.Reads.ToArray();
        Assert.Equal(2, reads.Length);
        Assert.Equal(location == ShardIndexLocation.End ? ByteRange.Suffix(1028) : ByteRange.Slice(0, 1028), reads[0].Range);
        var innerOffset = (location == ShardIndexLocation.Start ? 1028 : 0) + (10 * 4096);
        Assert.Equal(ByteRange.Slice(innerOffset, 4096), reads[1].Range);
        Assert.Equal(1028 + 4096, store.BytesRead);

        // One element: the same two reads.
        store.Reset();
        Assert.Equal(all[(40 * 256) + 70], ToArray(await z[40..41, 70..71])[0]);
        Assert.Equal(1028 + 4096, store.BytesRead);
        Assert.Equal(2, store.Reads.Count);

        // Two neighbouring inner chunks: one coalesced read after the index.
        store.Reset();
        _ = await z[32..64, 64..128];
        Assert.Equal(2, store.Reads.Count);
        Assert.Equal(1028 + 8192, store.BytesRead);

        // Two inner chunks far apart (more than 64 KiB between them): two reads after the index.
        store.Reset();
        _ = await z[Slice.Range(0, 256, 255), 0..1];
        Assert.Equal(3, store.Reads.Count);
        Assert.Equal(1028 + 8192, store.BytesRead);

        // The whole shard is read once, whole.
        store.Reset();
        Assert.Equal(all, ToArray(await z[..]));
        Assert.Single(store.Reads);
        Assert.Null(store.Reads.Single().Range);
        Assert.Equal(shardSize, store.BytesRead);
    }

    [Fact]
    public async Task Partial_reads_of_empty_inner_chunks_and_missing_shards_give_the_fill_value()
    {
        var store = new CountingStore(new MemoryStore());
        var z = await CreateAsync(store, [64, 64], [32, 32], new ShardingCodec([8, 8], [new BytesCodec(Endian.Little), new ZstdCodec(1)]), fill: 7);
        await z[0..8, 0..8].FillAsync(3); // shard (0, 0) holds one inner chunk

        store.Reset();
        Assert.All(ToArray(await z[10..20, 10..20]), v => Assert.Equal(7, v));
        Assert.Single(store.Reads); // the index only: every inner chunk touched is empty

        store.Reset();
        Assert.All(ToArray(await z[40..50, 40..50]), v => Assert.Equal(7, v));
        Assert.Single(store.Reads); // the index read finds no shard

        var mixed = ToArray(await z[6..10, 6..10]);
        Assert.Equal([3, 3, 7, 7, 3, 3, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7], mixed);
    }

    [Fact]
    public async Task A_corrupt_index_read_partially_names_the_array_the_shard_and_the_codec()
    {
        var store = new MemoryStore();
        var z = await CreateAsync(store, [16], [16], new ShardingCodec([4], [new BytesCodec(Endian.Little)]));
        await z[..].WriteAsync(Enumerable.Range(0, 16).ToArray());
        using var value = await store.GetAsync("a/c/0");
        var bytes = value!.Span.ToArray();
        bytes[^1] ^= 0x55;
        await store.SetAsync("a/c/0", bytes);
        var ex = await Assert.ThrowsAsync<ZarrCodecException>(async () => await z[1..2]);
        Assert.Equal("sharding_indexed", ex.Codec);
        Assert.Equal("a/c/0", ex.ChunkKey);
        Assert.Contains("shard index checksum mismatch", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ZarrCodecException>(async () => await z[..]);
    }

    // ---------------------------------------------------------------- concurrency

    /// <summary>
    /// 8 writers × 2,000 partial writes into the 32 inner chunks of one shard: each write sets its own two elements, and
    /// every write rewrites the whole shard, so a read-modify-write that is not serialised loses updates.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Concurrent_partial_writes_into_one_shard_lose_nothing(bool onDisk)
    {
        const int writers = 8, writesEach = 2000, innerChunks = 32;
        using var tmp = new TempDirectory();
        IStore store = onDisk ? new DirectoryStore(tmp.Path) : new MemoryStore();
        const int length = writers * writesEach * 2;
        const int inner = length / innerChunks;
        var z = await ZarrArray.CreateAsync<int>(store, "s", [length], new ArrayOptions { Shards = [length], Chunks = [inner], Compressors = [] });
        Assert.Equal(1, z.Grid.ChunkCount);

        var handles = await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => ZarrArray.OpenAsync<int>(store, "s", AccessMode.ReadWrite)));
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < writesEach; i++)
            {
                // Element pairs interleaved across writers and spread over every inner chunk.
                var slot = (i * writers) + w;
                var target = ((slot % innerChunks) * inner) + ((slot / innerChunks) * 2);
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

    // ---------------------------------------------------------------- creation

    [Fact]
    public async Task Shards_option_writes_the_chain_zarr_python_writes()
    {
        var store = new MemoryStore();
        var z = await ZarrArray.CreateAsync<float>(store, "s", [100, 60], new ArrayOptions
        {
            Shards = [50, 30],
            Chunks = [10, 15],
            Compressors = [new ZstdCodec(0)],
        });
        Assert.Equal([50, 30], z.Chunks.ToArray());
        using var json = await store.GetAsync("s/zarr.json");
        var codecs = JsonNode.Parse(json!.Span)!["codecs"]!;
        const string Expected =
            """[{"name":"sharding_indexed","configuration":{"chunk_shape":[10,15],"codecs":[{"name":"bytes","configuration":{"endian":"little"}},{"name":"zstd","configuration":{"level":0,"checksum":false}}],"index_codecs":[{"name":"bytes","configuration":{"endian":"little"}},{"name":"crc32c"}],"index_location":"end"}}]""";
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Expected), codecs), codecs.ToJsonString());

        var data = Enumerable.Range(0, 6000).Select(i => i * 0.5f).ToArray();
        await z[..].WriteAsync(data);
        Assert.Equal(data, ToArray(await z[..]));
        Assert.Equal(4, await store.ListPrefixAsync("s/c/").CountAsync());
    }

    [Fact]
    public async Task Shards_with_order_F_transpose_inside_each_inner_chunk_and_guessed_chunks_divide_the_shard()
    {
        var store = new MemoryStore();
        var z = await ZarrArray.CreateAsync<short>(store, "f", [30, 20], new ArrayOptions { Shards = [30, 20], Order = 'F', Compressors = [] });
        var sharding = Assert.IsType<ShardingCodec>(z.Metadata.Codecs.Single());
        Assert.Equal(["transpose", "bytes"], sharding.Codecs.Codecs.Select(c => c.Name));
        Assert.All(sharding.ChunkShape.Zip(new[] { 30, 20 }), p => Assert.Equal(0, p.Second % p.First));
        var data = Enumerable.Range(0, 600).Select(i => (short)i).ToArray();
        await z[..].WriteAsync(data);
        Assert.Equal(data, ToArray(await (await ZarrArray.OpenAsync<short>(store, "f"))[..]));

        var big = await ZarrArray.CreateAsync<double>(store, "g", [10000, 10000], new ArrayOptions { Shards = [5000, 3000] });
        var guessed = Assert.IsType<ShardingCodec>(big.Metadata.Codecs.Single()).ChunkShape;
        Assert.Equal(0, 5000 % guessed[0]);
        Assert.Equal(0, 3000 % guessed[1]);
        Assert.True(guessed[0] * guessed[1] < 5000 * 3000, "the inner chunks are smaller than the shard");
    }

    [Fact]
    public async Task Shards_are_refused_for_v2_and_when_the_chunks_do_not_divide_them()
    {
        var store = new MemoryStore();
        var v2 = await Assert.ThrowsAsync<ZarrException>(() => ZarrArray.CreateAsync<int>(store, "a", [10], new ArrayOptions { Format = ZarrFormat.V2, Shards = [10] }));
        Assert.Contains("v3", v2.Message, StringComparison.Ordinal);
        var divide = await Assert.ThrowsAsync<ZarrException>(() => ZarrArray.CreateAsync<int>(store, "b", [10, 10], new ArrayOptions { Shards = [10, 10], Chunks = [4, 5] }));
        Assert.Contains("(10, 10)", divide.Message, StringComparison.Ordinal);
        Assert.Contains("(4, 5)", divide.Message, StringComparison.Ordinal);
        Assert.False(await store.ExistsAsync("b/zarr.json"));

        // Metadata whose inner chunks do not divide the shard is refused before anything is written, and on open.
        var bad = TestMetadata.Create([10], [10]) with { Codecs = [new ShardingCodec([4], [new BytesCodec(Endian.Little)])] };
        var ex = await Assert.ThrowsAsync<ZarrCodecException>(() => ZarrArray.CreateFromMetadataAsync(store, "c", bad));
        Assert.Contains("(10)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("(4)", ex.Message, StringComparison.Ordinal);
        Assert.False(await store.ExistsAsync("c/zarr.json"));

        await store.SetAsync("d/zarr.json", MetadataSerializer.ToV3Json(bad));
        await Assert.ThrowsAnyAsync<ZarrException>(() => ZarrArray.OpenAsync(store, "d"));
    }
}
