using System.Text.Json.Nodes;
using Zarr.Storage.Buffers;
using Zarr.Storage.Codecs;
using Zarr.Tests.Shared;
using static Zarr.Storage.Tests.Arrays.SelectionTests;

namespace Zarr.Storage.Tests.Arrays;

public class PartialDecodeTests
{
    /// <summary>The raw little-endian layout of 1-D chunks, decoded partially with one ranged read per selected element.</summary>
    private sealed class RangedRawCodec : IPartialDecodingCodec
    {
        private readonly BytesCodec _bytes = new(Endian.Little);

        public int PartialCalls;
        public long BytesRead;

        public string Name => "test.ranged";

        public JsonObject ToV3Json() => new() { ["name"] = Name };

        public PooledBuffer Encode(ReadOnlySpan<byte> chunk, in ChunkSpec spec) => _bytes.Encode(chunk, spec);

        public void Decode(ReadOnlySpan<byte> encoded, Span<byte> chunk, in ChunkSpec spec) => _bytes.Decode(encoded, chunk, spec);

        public async ValueTask<bool> TryDecodePartialAsync(IReadableStore store, string key, ChunkRegion region, Memory<byte> chunk, ChunkSpec spec, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref PartialCalls);
            var size = spec.DataType.ItemSize;
            for (var i = 0; i < region.Count[0]; i++)
            {
                var element = region.Start[0] + (i * region.Step[0]);
                using var part = await store.GetAsync(key, ByteRange.Slice(element * size, size), cancellationToken);
                if (part is null)
                {
                    return false;
                }

                Interlocked.Add(ref BytesRead, part.Length);
                part.Span.CopyTo(chunk.Span[(element * size)..]);
            }

            return true;
        }
    }

    [Fact]
    public async Task Reads_that_do_not_cover_a_chunk_go_through_the_partial_decoder()
    {
        var codec = new RangedRawCodec();
        var metadata = TestMetadata.Create([3000], [1000]) with { Codecs = [codec] };
        var z = (await ZarrArray.CreateFromMetadataAsync(new MemoryStore(), "", metadata)).As<int>();
        await z[..2000].WriteAsync(Enumerable.Range(0, 2000).ToArray());

        Assert.Equal(Enumerable.Range(10, 10), ToArray(await z[10..20]));
        Assert.Equal(1, codec.PartialCalls);
        Assert.Equal(40, codec.BytesRead);

        Assert.Equal(new[] { 995, 998, 1001, 1004 }, ToArray(await z[Slice.Range(995, 1005, 3)]));
        Assert.Equal(3, codec.PartialCalls);

        // A missing chunk reads as the fill value; a whole chunk is decoded the ordinary way.
        Assert.All(ToArray(await z[2500..2510]), v => Assert.Equal(0, v));
        Assert.Equal(Enumerable.Range(0, 1000), ToArray(await z[..1000]));
        Assert.Equal(4, codec.PartialCalls);
    }
}
