using System.Text.Json.Nodes;
using System.Threading.Tasks.Dataflow;
using Zarr.Dataflow.Blocks;
using Zarr.Storage;
using Zarr.Storage.Buffers;
using Zarr.Storage.Codecs;
using Zarr.Tests.Shared;

namespace Zarr.Dataflow.Tests;

/// <summary>
/// The pipeline owns the concurrency (issue 21, item 3): over a sharded array whose codec would split each shard over
/// threads, a stage of n workers never has more than n inner chunks decoded or encoded at once, whether it decodes
/// whole chunks or reads regions. Counted by a codec inside the shards, not timed.
/// </summary>
public sealed class PipelineConcurrencyTests
{
    private const int Length = 4096;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Decoding_a_sharded_source_runs_no_more_inner_decodes_than_the_stage_has_workers(int workers)
    {
        var (array, counter) = await CreateAsync();
        counter.Reset();

        var sum = await Lazy.From(array).SumAsync(Uniform(workers));

        Assert.Equal(Expected(0, Length), sum);
        Assert.Equal(Length / 16, counter.Decodes);
        Assert.True(counter.MostAtOnce <= workers, $"{counter.MostAtOnce} inner chunks were decoded at once by stages of {workers} workers");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Region_reads_inside_a_stage_run_no_more_inner_decodes_than_the_stage_has_workers(int workers)
    {
        var (array, counter) = await CreateAsync();
        counter.Reset();

        // Not chunk-aligned: each work chunk reads a region spanning two shards, inside the stage.
        var sum = await Lazy.From(array, Slice.Range(8, null)).SumAsync(Uniform(workers));

        Assert.Equal(Expected(8, Length), sum);
        Assert.True(counter.Decodes > 0);
        Assert.True(counter.MostAtOnce <= workers, $"{counter.MostAtOnce} inner chunks were decoded at once by stages of {workers} workers");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Encoding_into_a_sharded_target_runs_no_more_inner_encodes_than_the_stage_has_workers(int workers)
    {
        var (target, counter) = await CreateAsync(write: false);

        await Lazy.Generate<int>([Length], [1024], (region, values) =>
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = (int)(region.Start[0] + i) + 1;
            }
        }).StoreAsync(target, Uniform(workers));

        Assert.Equal(Length / 16, counter.Encodes);
        Assert.True(counter.MostAtOnce <= workers, $"{counter.MostAtOnce} inner chunks were encoded at once by stages of {workers} workers");
        Assert.Equal(Expected(0, Length), await Lazy.From(target).SumAsync());
    }

    [Fact]
    public async Task The_public_decode_block_of_one_worker_decodes_one_inner_chunk_at_once()
    {
        var (array, counter) = await CreateAsync();
        counter.Reset();
        var fetch = ChunkBlocks.Fetch(array);
        var decode = ChunkBlocks.Decode(array, new StageOptions { MaxDegreeOfParallelism = 1 });
        fetch.LinkTo(decode, new DataflowLinkOptions { PropagateCompletion = true });
        foreach (var request in ChunkBlocks.Requests(array.Grid))
        {
            await DataflowBlock.SendAsync(fetch, request);
        }

        fetch.Complete();
        var chunks = 0;
        while (await DataflowBlock.OutputAvailableAsync(decode))
        {
            using var chunk = await DataflowBlock.ReceiveAsync(decode);
            chunks++;
        }

        Assert.Equal(Length / 1024, chunks);
        Assert.Equal(Length / 16, counter.Decodes);
        Assert.Equal(1, counter.MostAtOnce);
    }

    // The sum of the values i + 1 for i in [start, end).
    private static long Expected(long start, long end) => ((end * (end + 1)) - (start * (start + 1))) / 2;

    private static PipelineOptions Uniform(int workers) => PipelineOptions.Uniform(workers, 2 * workers);

    // Shards of 1024 int32 in inner chunks of 16, forced to decode and encode them in parallel when left to choose.
    private static async Task<(ZarrArray<int> Array, CountingCodec Counter)> CreateAsync(bool write = true)
    {
        var counter = new CountingCodec();
        var metadata = TestMetadata.Create([Length], [1024]) with
        {
            Codecs = [new ShardingCodec([16], [new BytesCodec(Endian.Little), counter]) { ParallelInnerChunks = true }],
        };
        var array = (await ZarrArray.CreateFromMetadataAsync(new MemoryStore(), "a", metadata)).As<int>();
        if (write)
        {
            await array.WriteAsync([Slice.All], Enumerable.Range(1, Length).ToArray());
        }

        counter.Reset();
        return (array, counter);
    }

    /// <summary>A copying codec that counts its calls and the most of them running at once.</summary>
    private sealed class CountingCodec : IBytesToBytesCodec
    {
        private int _running;
        private int _mostAtOnce;
        private int _decodes;
        private int _encodes;

        public string Name => "counting";

        public int MostAtOnce => _mostAtOnce;

        public int Decodes => _decodes;

        public int Encodes => _encodes;

        public void Reset() => _mostAtOnce = _running = _decodes = _encodes = 0;

        public JsonObject ToV3Json() => new() { ["name"] = Name };

        public PooledBuffer Encode(ReadOnlySpan<byte> decoded)
        {
            Interlocked.Increment(ref _encodes);
            using (Enter())
            {
                return PooledBuffer.CopyOf(decoded);
            }
        }

        public PooledBuffer Decode(ReadOnlySpan<byte> encoded, int expectedLength)
        {
            Interlocked.Increment(ref _decodes);
            using (Enter())
            {
                return PooledBuffer.CopyOf(encoded);
            }
        }

        private Running Enter()
        {
            var now = Interlocked.Increment(ref _running);
            int most;
            while (now > (most = _mostAtOnce) && Interlocked.CompareExchange(ref _mostAtOnce, now, most) != most)
            {
            }

            Thread.Sleep(1); // long enough for other threads to overlap when they may
            return new Running(this);
        }

        private readonly struct Running(CountingCodec codec) : IDisposable
        {
            public void Dispose() => Interlocked.Decrement(ref codec._running);
        }
    }
}
