using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Zarr.Storage.Buffers;
using Zarr.Storage.Codecs;
using Zarr.Tests.Shared;
using static Zarr.Storage.Tests.Indexing.IndexingTestSupport;

namespace Zarr.Storage.Tests.Indexing;

/// <summary>The cost of an advanced selection follows the chunks it touches, never the chunks in the array.</summary>
public class SelectionCostTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Three_points_in_a_million_chunks_read_and_write_exactly_their_chunks()
    {
        var store = new CountingStore();
        var z = await ZarrArray.CreateAsync<int>(store, "big", [10000, 10000], new ArrayOptions { Chunks = [10, 10] });
        Assert.Equal(1_000_000, z.Grid.ChunkCount);
        await z[1230..1240, 4560..4570].FillAsync(1);
        await z[9990.., 0..10].FillAsync(2);

        long[] rows = [1234, 9999, 5], cols = [4567, 3, 5];
        var expectedKeys = new[] { "big/c/123/456", "big/c/999/0", "big/c/0/0" };

        store.Reset();
        var values = await z.Vindex[rows, cols].ReadAsync().WaitAsync(Limit);
        Assert.Equal(new[] { 1, 2, 0 }, Flat(values));
        Assert.Equal(expectedKeys.Order(), store.Reads.Order());

        store.Reset();
        await z.Vindex[rows, cols].WriteAsync([7, 8, 9]).WaitAsync(Limit);
        Assert.Equal(expectedKeys.Order(), store.Reads.Order());
        Assert.Equal(new[] { 7, 8, 9 }, Flat(await z.Points(rows, cols)));

        // Points sharing a chunk read it once.
        store.Reset();
        _ = await z.Vindex[new long[] { 1234, 1235, 1231 }, new long[] { 4567, 4561, 4569 }];
        Assert.Equal(["big/c/123/456"], store.Reads);

        // Orthogonal and block selections: the product of the chunks touched per dimension.
        store.Reset();
        _ = await z.Oindex[new long[] { 1234, 5, 1239 }, new long[] { 4567, -1 }];
        Assert.Equal(new[] { "big/c/0/456", "big/c/0/999", "big/c/123/456", "big/c/123/999" }, store.Reads.Order());

        store.Reset();
        _ = await z.Blocks[123, 456..458];
        Assert.Equal(new[] { "big/c/123/456", "big/c/123/457" }, store.Reads.Order());
    }

    [Fact]
    public async Task A_grid_too_large_to_enumerate_is_never_enumerated()
    {
        // About 9·10^18 chunks of one element: any walk over the grid would never finish.
        var store = new CountingStore();
        var z = await ZarrArray.CreateAsync<long>(store, "", [3_000_000_000, 3_000_000_000], new ArrayOptions { Chunks = [1, 1] });
        long[] rows = [2_999_999_999, 0, 17], cols = [1, 2_000_000_000, 17];
        await z.Vindex[rows, cols].WriteAsync([1L, 2, 3]).WaitAsync(Limit);
        Assert.Equal(new[] { 1L, 2, 3 }, Flat(await z.Vindex[rows, cols].ReadAsync().WaitAsync(Limit)));

        var block = await z.Oindex[new long[] { 17, -1 }, new long[] { 0, 1, 2 }].ReadAsync().WaitAsync(Limit);
        Assert.Equal(new[] { 0L, 0, 0, 0, 1, 0 }, Flat(block));

        store.Reset();
        Assert.Equal(new[] { 3L }, Flat(await z.Blocks[17, 17].ReadAsync().WaitAsync(Limit)));
        Assert.Equal(["c/17/17"], store.Reads);
    }

    /// <summary>Raw little-endian 1-D chunks that decode a region with one ranged read, recording each region.</summary>
    private sealed class RecordingRangedCodec : IPartialDecodingCodec
    {
        private readonly BytesCodec _bytes = new(Endian.Little);

        public ConcurrentQueue<(int Start, int Step, int Count)> Regions { get; } = new();

        public string Name => "test.recording-ranged";

        public JsonObject ToV3Json() => new() { ["name"] = Name };

        public PooledBuffer Encode(ReadOnlySpan<byte> chunk, in ChunkSpec spec) => _bytes.Encode(chunk, spec);

        public void Decode(ReadOnlySpan<byte> encoded, Span<byte> chunk, in ChunkSpec spec) => _bytes.Decode(encoded, chunk, spec);

        public async ValueTask<bool> TryDecodePartialAsync(IReadableStore store, string key, ChunkRegion region, Memory<byte> chunk, ChunkSpec spec, CancellationToken cancellationToken = default)
        {
            Regions.Enqueue((region.Start[0], region.Step[0], region.Count[0]));
            var size = spec.DataType.ItemSize;
            var first = region.Start[0] * size;
            var length = (((region.Count[0] - 1) * region.Step[0]) + 1) * size;
            using var part = await store.GetAsync(key, ByteRange.Slice(first, length), cancellationToken);
            if (part is null)
            {
                return false;
            }

            part.Span.CopyTo(chunk.Span[first..]);
            return true;
        }
    }

    [Fact]
    public async Task Gathers_decode_only_the_region_they_need_through_a_partial_decoder()
    {
        var codec = new RecordingRangedCodec();
        var metadata = TestMetadata.Create([3000], [1000]) with { Codecs = [codec] };
        var z = (await ZarrArray.CreateFromMetadataAsync(new MemoryStore(), "", metadata)).As<int>();
        await z[..2000].WriteAsync(Enumerable.Range(0, 2000).ToArray());

        Assert.Equal(new[] { 40, 12, 10 }, Flat(await z.Vindex[new[] { 40, 12, 10 }]));
        Assert.Equal([(10, 1, 31)], codec.Regions);

        codec.Regions.Clear();
        Assert.Equal(new[] { 1500, 995, 0 }, Flat(await z.Oindex[new[] { 1500, 995, 2500 }])); // 2500 was never written
        Assert.Equal([(500, 1, 1), (500, 1, 1), (995, 1, 1)], codec.Regions.Order());

        // A whole chunk is decoded the ordinary way.
        codec.Regions.Clear();
        Assert.Equal(Enumerable.Range(1000, 1000), Flat(await z.Blocks[1]));
        Assert.Empty(codec.Regions);
    }
}
