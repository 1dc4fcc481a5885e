using System.Text.Json.Nodes;
using Zarr.Storage.Buffers;
using Zarr.Storage.Codecs;
using Zarr.Tests.Shared;

namespace Zarr.Storage.Tests.Arrays;

/// <summary>
/// <see cref="Chunks.ChunkStorage.WithCodecParallelism"/> and the stage read: a caller that owns the concurrency keeps a
/// sharded chunk's inner chunks on its own thread, counted by a codec inside the shard (forced to split shards over threads).
/// </summary>
public sealed class ChunkStorageParallelismTests
{
    private const int Length = 1024;

    [Fact]
    public async Task Decode_encode_and_update_with_codec_parallelism_1_run_one_inner_chunk_at_once()
    {
        var (array, counter) = await CreateAsync();
        var steps = array.ChunkStorage.WithCodecParallelism(1);
        Assert.Equal(1, steps.CodecParallelism);

        using var stored = await steps.FetchAsync([0]);
        var decoded = new byte[steps.ByteLength];
        steps.Decode(stored!.Span, [0], decoded);
        Assert.Equal(Enumerable.Range(1, Length), System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(decoded).ToArray());

        using (var encoded = steps.Encode(decoded, [0]))
        {
            Assert.Equal(stored.Span.ToArray(), encoded.Memory.ToArray());
        }

        await steps.UpdateAsync([0], chunk => chunk[0] = 9);
        Assert.Equal(4 * (Length / 16), counter.Calls); // the decode, the encode, and the update's decode and encode
        Assert.Equal(1, counter.MostAtOnce);
        Assert.Equal(9, await array.GetValueAsync([0]));
    }

    [Fact]
    public async Task A_stage_read_with_codec_parallelism_1_runs_one_inner_chunk_at_once()
    {
        var (array, counter) = await CreateAsync();
        counter.Reset();
        var destination = new byte[Length * 4];

        await array.ReadBytesIntoAsync([Slice.All], destination, maxConcurrency: 1, codecParallelism: 1);

        Assert.Equal(Enumerable.Range(1, Length), System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(destination).ToArray());
        Assert.Equal(Length / 16, counter.Calls);
        Assert.Equal(1, counter.MostAtOnce);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => array.ReadBytesIntoAsync([Slice.All], destination, maxConcurrency: 1, codecParallelism: -1));
    }

    [Fact]
    public async Task Codec_parallelism_is_not_negative_and_0_is_the_arrays_own_steps()
    {
        var (array, _) = await CreateAsync();
        Assert.Equal(0, array.ChunkStorage.CodecParallelism);
        Assert.Same(array.ChunkStorage, array.ChunkStorage.WithCodecParallelism(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => array.ChunkStorage.WithCodecParallelism(-1));
    }

    // One shard of 1024 int32 in inner chunks of 16, holding 1..1024; the counter is reset after the write's encode.
    private static async Task<(ZarrArray<int> Array, CountingCodec Counter)> CreateAsync()
    {
        var counter = new CountingCodec();
        var array = (await ZarrArray.CreateFromMetadataAsync(new MemoryStore(), "a", TestMetadata.Create([Length], [Length]) with
        {
            Codecs = [new ShardingCodec([16], [new BytesCodec(Endian.Little), counter]) { ParallelInnerChunks = true }],
        })).As<int>();
        await array.WriteAsync([Slice.All], Enumerable.Range(1, Length).ToArray());
        counter.Reset();
        return (array, counter);
    }

    /// <summary>A copying codec that counts its calls (encode and decode) and the most of them running at once.</summary>
    private sealed class CountingCodec : IBytesToBytesCodec
    {
        private int _running;
        private int _mostAtOnce;
        private int _calls;

        public string Name => "counting";

        public int MostAtOnce => _mostAtOnce;

        public int Calls => _calls;

        public void Reset() => _mostAtOnce = _running = _calls = 0;

        public JsonObject ToV3Json() => new() { ["name"] = Name };

        public PooledBuffer Encode(ReadOnlySpan<byte> decoded) => Count(decoded);

        public PooledBuffer Decode(ReadOnlySpan<byte> encoded, int expectedLength) => Count(encoded);

        private PooledBuffer Count(ReadOnlySpan<byte> bytes)
        {
            Interlocked.Increment(ref _calls);
            var now = Interlocked.Increment(ref _running);
            int most;
            while (now > (most = _mostAtOnce) && Interlocked.CompareExchange(ref _mostAtOnce, now, most) != most)
            {
            }

            Thread.Sleep(1); // long enough for other threads to overlap when they may
            Interlocked.Decrement(ref _running);
            return PooledBuffer.CopyOf(bytes);
        }
    }
}
