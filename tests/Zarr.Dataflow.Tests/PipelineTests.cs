using System.Diagnostics;
using System.Threading.Tasks.Dataflow;
using Zarr.Dataflow.Blocks;
using Zarr.Storage;

namespace Zarr.Dataflow.Tests;

public sealed class PipelineTests
{
    [Fact]
    public void Only_the_last_step_may_hand_its_input_on()
    {
        using var run = new PipelineRun(new PipelineOptions(), 1, CancellationToken.None);
        static ValueTask<DecodedChunk> Pass(DecodedChunk m, CancellationToken _) => ValueTask.FromResult(m);
        static ValueTask Consume(DecodedChunk m, CancellationToken _) => ValueTask.CompletedTask;
        static (long[]?, string?) Describe(DecodedChunk _) => (null, null);
        var handsOn = new Sink<DecodedChunk>("Stream", new StageOptions(), true, Consume, Describe, DisposesInput: false);
        var decode = new Stage<DecodedChunk, DecodedChunk>("Decode", new StageOptions(), true, Pass, Describe);

        // Only a sink may hand its input on (a stage cannot say so), and it cannot share a stage with the step before it.
        Assert.Throws<InvalidOperationException>(() => decode.Then(handsOn));

        // Last, it gets a stage of its own even among CPU steps.
        var plan = ChunkPlan.Start(decode).End(handsOn).Fused();
        Assert.Equal(["Decode", "Stream"], plan.StageNames);
        var completions = new List<Task>();
        plan.Wire(run, completions);
        Assert.Equal(2, completions.Count);
    }

    [Fact]
    public void Stage_options_have_documented_defaults_validate_and_clone()
    {
        var o = new StageOptions();
        Assert.Equal(Environment.ProcessorCount, o.MaxDegreeOfParallelism);
        Assert.Equal(2 * Environment.ProcessorCount, o.BoundedCapacity);
        Assert.False(o.EnsureOrdered);
        Assert.Equal(4 * Environment.ProcessorCount, StageOptions.ForIO().BoundedCapacity);
        Assert.Throws<ArgumentOutOfRangeException>(() => o.MaxDegreeOfParallelism = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => o.BoundedCapacity = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => o.BoundedCapacity = -2);
        o.BoundedCapacity = StageOptions.Unbounded;
        Assert.Equal(StageOptions.Unbounded, o.BoundedCapacity);
        var p = new PipelineOptions();
        Assert.Equal(2 * Environment.ProcessorCount, p.Fetch.MaxDegreeOfParallelism);
        Assert.Equal(Environment.ProcessorCount, p.Decode.MaxDegreeOfParallelism);
        Assert.Throws<ArgumentOutOfRangeException>(() => p.FanIn = 1);
        Assert.Throws<ArgumentNullException>(() => p.Compute = null!);
        var clone = p.Clone();
        p.Compute.MaxDegreeOfParallelism = 17;
        Assert.Equal(Environment.ProcessorCount, clone.Compute.MaxDegreeOfParallelism);
    }

    /// <summary>As <see cref="StageOptions.BoundedCapacity"/> says: the capacity counts chunks queued and in work, and the hand-off holds one more.</summary>
    [Fact]
    public async Task A_stage_holds_its_capacity_plus_the_one_chunk_it_hands_on()
    {
        var started = 0;
        var stage = ChunkBlocks.Compute(_ => Interlocked.Increment(ref started), new StageOptions { MaxDegreeOfParallelism = 4, BoundedCapacity = 2 });
        static DecodedChunk Chunk() => new([0], new ChunkRegion([0], [1]), [1], 4, Zarr.Storage.Buffers.PooledBuffer.Rent(4));
        var accepted = 0;
        for (var attempt = 0; attempt < 40; attempt++)
        {
            var chunk = Chunk();
            if (stage.Post(chunk))
            {
                accepted++;
            }
            else
            {
                chunk.Dispose();
                await Task.Delay(10);
            }
        }

        Assert.Equal(3, accepted);
        Assert.Equal(3, started);
        var drain = new ActionBlock<DecodedChunk>(c => c.Dispose());
        stage.LinkTo(drain, new DataflowLinkOptions { PropagateCompletion = true });
        stage.Complete();
        await drain.Completion;
    }

    [Fact]
    public async Task Blocks_linked_by_a_user_copy_an_array_through_their_own_compute()
    {
        var store = new MemoryStore();
        var data = Support.RandomData<int>(10 * 11, 2);
        var source = await Support.ArrayAsync(store, "s", [10, 11], [3, 4], data);
        var target = await Support.ArrayAsync<int>(store, "t", [10, 11], [3, 4]);
        var link = new DataflowLinkOptions { PropagateCompletion = true };
        var fetch = ChunkBlocks.Fetch(source, new StageOptions { MaxDegreeOfParallelism = 2, BoundedCapacity = 1 });
        var decode = ChunkBlocks.Decode(source);
        var compute = ChunkBlocks.Compute(chunk =>
        {
            foreach (ref var v in chunk.GetSpan<int>())
            {
                v *= 10;
            }
        });
        var encode = ChunkBlocks.Encode(target);
        var seen = 0;
        var spy = new TransformBlock<EncodedChunk, EncodedChunk>(e =>
        {
            Interlocked.Increment(ref seen);
            return e;
        });
        var storeBlock = ChunkBlocks.Store(target);
        fetch.LinkTo(decode, link);
        decode.LinkTo(compute, link);
        compute.LinkTo(encode, link);
        encode.LinkTo(spy, link);
        spy.LinkTo(storeBlock, link);
        foreach (var request in ChunkBlocks.Requests(source.Grid))
        {
            await fetch.SendAsync(request);
        }

        fetch.Complete();
        await storeBlock.Completion;
        Assert.Equal(source.Grid.ChunkCount, seen);
        Assert.Equal(data.Select(v => v * 10), await Support.ReadAllAsync(target));

        // A reduce block at the end of the user's own chain.
        var fetch2 = ChunkBlocks.Fetch(source);
        var decode2 = ChunkBlocks.Decode(source);
        var reduce = ChunkBlocks.Reduce(c => c.Region.ElementCount, (a, b) => a + b, 0L, fanIn: 3);
        fetch2.LinkTo(decode2, link);
        decode2.LinkTo(reduce, link);
        foreach (var request in ChunkBlocks.Requests(source.Grid))
        {
            await fetch2.SendAsync(request);
        }

        fetch2.Complete();
        Assert.Equal(110, await reduce.Result);
    }

    /// <summary>
    /// A float sum whose bits depend on the order of its additions (values of very different magnitudes): the public
    /// reduce block gives the fixed tree's bits over the chunks in C order, however randomly the chunks finish.
    /// </summary>
    [Fact]
    public async Task The_reduce_block_gives_the_same_bits_whatever_the_completion_order()
    {
        var store = new MemoryStore();
        var rng = new Random(11);
        var data = Enumerable.Range(0, 16 * 16).Select(_ => (float)(Math.Pow(10, rng.Next(-3, 8)) * (rng.NextDouble() - 0.4))).ToArray();
        var source = await Support.ArrayAsync(store, "s", [16, 16], [2, 2], data);
        const int fanIn = 3;
        static float ChunkSum(DecodedChunk c)
        {
            var sum = 0f;
            foreach (var v in c.GetSpan<float>())
            {
                sum += v;
            }

            return sum;
        }

        // The expected bits: the chunks' partials in C order, combined fanIn at a time, level by level.
        var partials = new List<float>();
        for (var cr = 0; cr < 8; cr++)
        {
            for (var cc = 0; cc < 8; cc++)
            {
                var sum = 0f;
                for (var k = 0; k < 4; k++)
                {
                    sum += data[(((cr * 2) + (k / 2)) * 16) + (cc * 2) + (k % 2)];
                }

                partials.Add(sum);
            }
        }

        while (partials.Count > 1)
        {
            partials = [.. partials.Chunk(fanIn).Select(g => g.Aggregate((a, b) => a + b))];
        }

        var seen = new HashSet<float>();
        for (var seed = 0; seed < 6; seed++)
        {
            var link = new DataflowLinkOptions { PropagateCompletion = true };
            var fetch = ChunkBlocks.Fetch(source);
            var decode = ChunkBlocks.Decode(source);
            var delays = new Random(seed);
            var shuffle = ChunkBlocks.Compute(
                async (_, ct) =>
                {
                    int delay;
                    lock (delays)
                    {
                        delay = delays.Next(0, 4);
                    }

                    await Task.Delay(delay, ct);
                },
                new StageOptions { MaxDegreeOfParallelism = 16 });
            var reduce = ChunkBlocks.Reduce(ChunkSum, (a, b) => a + b, 0f, fanIn, new StageOptions { MaxDegreeOfParallelism = 4 });
            fetch.LinkTo(decode, link);
            decode.LinkTo(shuffle, link);
            shuffle.LinkTo(reduce, link);
            foreach (var request in ChunkBlocks.Requests(source.Grid))
            {
                await fetch.SendAsync(request);
            }

            fetch.Complete();
            var result = await reduce.Result;
            Assert.Equal(BitConverter.SingleToInt32Bits(partials[0]), BitConverter.SingleToInt32Bits(result));
            seen.Add(result);
        }

        Assert.Single(seen);

        // Arrival order decides nothing: a sum in another order would not give these bits.
        Assert.NotEqual(BitConverter.SingleToInt32Bits(partials[0]), BitConverter.SingleToInt32Bits(data.Reverse().Aggregate(0f, (a, b) => a + b)));
    }

    [Fact]
    public async Task A_failing_block_faults_with_the_stage_and_chunk_and_completion_propagates()
    {
        var store = new MemoryStore();
        var source = await Support.ArrayAsync(store, "s", [10, 10], [5, 5], Support.RandomData<int>(100, 3));
        var link = new DataflowLinkOptions { PropagateCompletion = true };
        var fetch = ChunkBlocks.Fetch(source);
        var decode = ChunkBlocks.Decode(source);
        var compute = ChunkBlocks.Compute(chunk =>
        {
            if (chunk.Coordinates[0] == 1 && chunk.Coordinates[1] == 0)
            {
                throw new InvalidOperationException("boom");
            }
        }, new StageOptions { MaxDegreeOfParallelism = 1 });
        var reduce = ChunkBlocks.Reduce(c => 1, (a, b) => a + b, 0);
        fetch.LinkTo(decode, link);
        decode.LinkTo(compute, link);
        compute.LinkTo(reduce, link);
        foreach (var request in ChunkBlocks.Requests(source.Grid))
        {
            await fetch.SendAsync(request);
        }

        fetch.Complete();
        await Assert.ThrowsAnyAsync<Exception>(() => reduce.Completion);
        var error = await Assert.ThrowsAsync<ZarrPipelineException>(() => reduce.Result);
        Assert.Equal("Compute", error.Stage);
        Assert.Equal([1L, 0L], error.Coordinates);
        Assert.IsType<InvalidOperationException>(error.InnerException);
    }

    [Fact]
    public async Task The_first_failure_stops_the_pipeline_promptly_as_one_exception_and_leaves_no_torn_chunk()
    {
        using var dir = new TempDir();
        var store = new DirectoryStore(dir.Path);
        var data = Support.RandomData<double>(200 * 200, 4);
        var source = await Support.ArrayAsync(store, "s", [200, 200], [10, 10], data);
        var target = await Support.ArrayAsync<double>(store, "t", [200, 200], [10, 10]);
        var computed = 0;
        var startedAfterFailure = 0;
        var failed = 0;
        var failing = Lazy.From(source).MapBlocks((region, values) =>
        {
            Interlocked.Increment(ref computed);
            if (Volatile.Read(ref failed) != 0)
            {
                Interlocked.Increment(ref startedAfterFailure);
            }

            if (region.Start[0] == 30 && region.Start[1] == 40)
            {
                Volatile.Write(ref failed, 1);
                throw new InvalidOperationException("bad chunk");
            }

            foreach (ref var v in values)
            {
                v += 1;
            }
        });
        PipelineReport? report = null;
        var options = PipelineOptions.Uniform(2, 2);
        options.Report = r => report = r;
        PrewarmExceptions();
        var error = await Assert.ThrowsAsync<ZarrPipelineException>(() => failing.StoreAsync(target, options));
        Assert.Equal("Compute", error.Stage);
        Assert.Equal([3L, 4L], error.Coordinates);
        Assert.Contains("bad chunk", error.Message);
        Assert.IsType<InvalidOperationException>(error.InnerException);
        Assert.NotNull(report);
        Assert.False(report!.Succeeded);

        // Prompt: the run stops far short of the array's 400 chunks. Chunks that start between the throw and the
        // cancellation it causes are the other compute worker's (each is a few microseconds of work here, while one
        // exception takes a while to unwind on a loaded machine), so the bound is generous but far below 400.
        Assert.InRange(startedAfterFailure, 0, 100);

        // Nothing torn: every chunk that exists decodes and holds either nothing or the whole new chunk.
        var result = await Support.ReadAllAsync(target);
        for (var cr = 0; cr < 20; cr++)
        {
            for (var cc = 0; cc < 20; cc++)
            {
                var first = result[(cr * 10 * 200) + (cc * 10)];
                var written = first != 0;
                for (var r = 0; r < 10; r++)
                {
                    for (var c = 0; c < 10; c++)
                    {
                        var k = (((cr * 10) + r) * 200) + (cc * 10) + c;
                        Assert.Equal(written ? data[k] + 1 : 0, result[k]);
                    }
                }
            }
        }
    }

    [Fact]
    public async Task A_corrupt_chunk_names_the_decode_stage_and_key()
    {
        using var dir = new TempDir();
        var store = new DirectoryStore(dir.Path);
        var source = await Support.ArrayAsync(store, "s", [20, 20], [10, 10], Support.RandomData<float>(400, 5));
        await store.SetAsync(source.GetChunkKey([1, 0]), new byte[] { 1, 2, 3, 4, 5, 6, 7 });
        var error = await Assert.ThrowsAsync<ZarrPipelineException>(() => Lazy.From(source).SumAsync());
        Assert.Equal("Decode", error.Stage);
        Assert.Equal(source.GetChunkKey([1, 0]), error.ChunkKey);
        Assert.IsAssignableFrom<ZarrException>(error.InnerException);
    }

    [Fact]
    public async Task Cancellation_stops_every_worker_quickly_with_OperationCanceledException()
    {
        using var dir = new TempDir();
        var store = new DirectoryStore(dir.Path);
        var target = await Support.ArrayAsync<float>(store, "t", [2000, 2000], [50, 50]);
        using var cts = new CancellationTokenSource();
        var started = 0;
        var afterCancel = 0;
        var x = Lazy.Generate<float>([2000, 2000], [50, 50], (_, d) =>
        {
            if (Interlocked.Increment(ref started) == 40)
            {
                cts.Cancel();
            }
            else if (cts.IsCancellationRequested)
            {
                Interlocked.Increment(ref afterCancel);
            }

            d.Fill(3);
        });
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => x.StoreAsync(target, PipelineOptions.Uniform(2, 2), cts.Token));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.InRange(afterCancel, 0, 4);

        // Every stored chunk is whole.
        var result = await Support.ReadAllAsync(target);
        Assert.All(result, v => Assert.True(v is 0 or 3));
        Assert.True(result.Count(v => v == 3) % 2500 == 0);

        // A reduction too.
        using var cts2 = new CancellationTokenSource();
        var y = Lazy.Generate<double>([4000, 1000], [100, 100], (_, d) =>
        {
            cts2.Cancel();
            d.Fill(1);
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => y.SumAsync(cancellationToken: cts2.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => y.SumAsync(cancellationToken: new CancellationToken(true)));
    }

    /// <summary>
    /// A consumer leaves a stream of 4 chunks after the first, once every chunk has been produced: one waits in the
    /// channel, one in the stream stage's worker and one in the hand-off after the evaluate stage, which has finished.
    /// The cancelled stream stage takes nothing more, so the waiting chunk must be dropped for the run to end.
    /// </summary>
    [Fact]
    public async Task A_stream_left_early_after_its_last_chunk_was_produced_ends()
    {
        var x = Lazy.Generate<int>([4, 10], [1, 10], (_, d) => d.Fill(7));
        using var rentals = Zarr.Storage.Buffers.BufferRentals.Begin();
        async Task ReadOneAsync()
        {
            await foreach (var chunk in x.ToChunksAsync(PipelineOptions.Uniform(1, 1)))
            {
                Assert.Equal(7, chunk.Values[0]);
                chunk.Dispose();
                await Task.Delay(300);
                break;
            }
        }

        await ReadOneAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, rentals.Outstanding);
    }

    [Fact]
    public async Task Progress_and_report_show_every_chunk_and_each_stage()
    {
        var store = new MemoryStore();
        var source = await Support.ArrayAsync(store, "s", [100, 100], [10, 10], Support.RandomData<double>(10000, 6));
        var target = await Support.ArrayAsync<double>(store, "t", [100, 100], [10, 10]);
        var snapshots = new List<PipelineProgress>();
        var options = new PipelineOptions { Progress = new SyncProgress<PipelineProgress>(p => { lock (snapshots) { snapshots.Add(p); } }), ProgressInterval = TimeSpan.Zero };
        var report = await (Lazy.From(source) + 1).StoreAsync(target, options);
        Assert.Equal(100, report.Chunks);
        Assert.Equal(["Fetch", "Decode+Compute+Encode", "Store"], report.Stages.Select(s => s.Name));
        Assert.All(report.Stages, s => Assert.Equal(100, s.Items));

        // Each CPU step in its own stage, to see which one bounds the pipeline.
        options.FuseStages = false;
        report = await (Lazy.From(source) + 1).StoreAsync(target, options);
        Assert.Equal(["Fetch", "Decode", "Compute", "Encode", "Store"], report.Stages.Select(s => s.Name));
        Assert.All(report.Stages, s => Assert.Equal(100, s.Items));
        Assert.True(report.BytesRead > 0);
        Assert.True(report.BytesWritten > 0);
        Assert.NotNull(report.Bottleneck);
        Assert.Contains("Encode", report.ToString());
        var last = snapshots[^1];
        Assert.Equal(100, last.ChunksDone);
        Assert.Equal(100, last.ChunksTotal);
        Assert.Equal(1.0, last.Fraction);
        Assert.Equal(TimeSpan.Zero, last.EstimatedRemaining);
        Assert.True(snapshots.Count > 1);
        Assert.Equal(report.BytesWritten, last.BytesWritten);
    }

    [Fact]
    public async Task Byte_counters_count_only_store_io_never_generated_values()
    {
        var store = new MemoryStore();
        var generated = Lazy.Generate<double>([60, 40], [10, 10], (_, d) => d.Fill(2));

        // A generated array, stored: nothing was read from a store, every chunk was written to one.
        var target = await Support.ArrayAsync<double>(store, "t", [60, 40], [10, 10]);
        var report = await (generated * 3).StoreAsync(target);
        Assert.Equal(0, report.BytesRead);
        Assert.True(report.BytesWritten > 0);

        // Reduced along an axis and stored: still nothing read.
        var sums = await Support.ArrayAsync<double>(store, "sums", [40], [10]);
        report = await generated.Sum([0]).StoreAsync(sums);
        Assert.Equal(0, report.BytesRead);
        Assert.True(report.BytesWritten > 0);
        Assert.All((await sums.ReadAsync([Slice.All])).ToArray(), v => Assert.Equal(120.0, v));

        // Combined with a stored array off its grid (the region path): only the stored operand's bytes count.
        var stored = await Support.ArrayAsync(store, "s", [60, 40], [20, 20], Support.RandomData<double>(2400, 3));
        var rechunked = Lazy.Generate<double>([60, 40], [20, 20], (_, d) => d.Fill(1));
        report = await (rechunked + Lazy.From(stored)).Rechunk([10, 10]).StoreAsync(target);
        Assert.Equal(2400 * sizeof(double), report.BytesRead);
    }

    [Fact]
    public async Task Arguments_are_validated_before_anything_runs()
    {
        var x = Lazy.Generate<int>([4, 4], [2, 2], (_, d) => d.Fill(1));
        Assert.Throws<ArgumentException>(() => Lazy.Generate<int>([4, 4], [0, 2], (_, _) => { }));
        Assert.Throws<ArgumentException>(() => Lazy.Generate<int>([4], [2, 2], (_, _) => { }));
        Assert.Throws<ArgumentNullException>(() => Lazy.From<int>(null!));
        Assert.Throws<ArgumentNullException>(() => ChunkBlocks.Fetch(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChunkBlocks.Reduce(c => 1, (a, b) => a + b, 0, fanIn: 1));
        var store = new MemoryStore();
        var wrong = await Support.ArrayAsync<int>(store, "w", [4, 5], [2, 2]);
        Assert.Throws<ArgumentException>(() => { _ = x.StoreAsync(wrong); });
        Assert.Throws<ArgumentException>(() => { _ = x.StoreAsync(wrong, [1, 2]); });
        await x.StoreAsync(wrong, [0, 1]);
        Assert.Equal([0, 1, 1, 1, 1], (await Support.ReadAllAsync(wrong)).Take(5));
    }

    // The first exception a process throws pays for loading what unwinding needs; pay it before the timing-sensitive part.
    private static void PrewarmExceptions()
    {
        try
        {
            throw new InvalidOperationException("warm-up");
        }
        catch (InvalidOperationException)
        {
        }
    }
}

public class ChunkLockTests
{
    /// <summary>
    /// A whole-array store (all ones) races partial writers (twos) on the same chunks: every element ends as 1 or 2,
    /// never the 0 a read-modify-write would bring back from before the store.
    /// </summary>
    [Fact]
    public async Task Whole_chunk_stores_serialise_with_partial_writes()
    {
        for (var round = 0; round < 10; round++)
        {
            var store = new Zarr.Storage.MemoryStore();
            var target = await ZarrArray.CreateAsync<int>(store, "", [64, 64], new ArrayOptions { Chunks = [16, 16] });
            var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
            {
                for (var i = 0; i < 40; i++)
                {
                    var r = ((w * 40) + i) % 64;
                    await target[r, (i % 60)..((i % 60) + 3)].FillAsync(2);
                }
            }));
            var pipeline = Lazy.Generate<int>([64, 64], [16, 16], (_, d) => d.Fill(1)).StoreAsync(target);
            await Task.WhenAll([.. writers, pipeline]);
            var all = new int[64 * 64];
            await target[..].ReadIntoAsync(all);
            Assert.All(all, v => Assert.True(v is 1 or 2, $"found {v}"));
        }
    }
}
