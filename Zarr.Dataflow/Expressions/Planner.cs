using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Zarr.Dataflow.Blocks;
using Zarr.Storage;
using Zarr.Storage.Buffers;
using Zarr.Storage.Internal;

namespace Zarr.Dataflow;

/// <summary>
/// Turns an expression and a sink into a plan of typed stages (<see cref="ChunkPlan{TIn}"/>) and has an executor run
/// it. The unit of work is a chunk of the "work grid" (the target's for a store, the expression's for a reduction).
/// When the expression's primary source is stored on the work grid, each chunk runs fetch → decode → compute (the
/// stages of <see cref="ChunkSteps"/>, as the public blocks do); otherwise one stage evaluates the chunk's region,
/// reading the sources' matching regions (decoding inside the region read). The sink follows (encode → store, write,
/// or reduce); the local executor wires the stages as dataflow blocks, fusing neighbouring CPU stages. Memory stays
/// bounded by the stages' capacities, in chunks. Inputs that must be whole first (reductions used as arrays, which
/// broadcast against their source) are computed before the run, each by a run of its own, and held in memory.
/// </summary>
internal static class Planner
{
    /// <summary>The name of the terminal step of reductions (the stage a failure of a reduction kernel names).</summary>
    public const string ReduceStage = "Reduce";

    public static bool SameGrid(ChunkGrid a, ChunkGrid b) => a.SameAs(b);

    /// <summary>The decoded bytes of one chunk of <paramref name="work"/> (what the options' memory budget counts).</summary>
    private static long ChunkBytes<T>(ChunkGrid work)
        where T : unmanaged
    {
        var n = (long)Unsafe.SizeOf<T>();
        foreach (var c in work.ChunkShape)
        {
            n = n > long.MaxValue / Math.Max(c, 1) ? long.MaxValue : n * c;
        }

        return n;
    }

    /// <summary>
    /// The producing stages: each work chunk's elements, in dense region layout, or, given <paramref name="expandFill"/>,
    /// in the full chunk layout with the fill value outside the region. On the stored path they are fetch → decode →
    /// compute (the expression in place on the decoded chunk); otherwise one evaluate stage reads the sources' regions.
    /// </summary>
    private static PlanBuilder<ChunkRequest, DecodedChunk> Producer<T>(PipelineRun run, LazyNode<T> node, ChunkGrid work, byte[]? expandFill)
        where T : unmanaged
    {
        var o = run.Options;
        var itemSize = Unsafe.SizeOf<T>();
        if (node.Primary is { } primary && StoredOffset(node, primary, work) is { } offset)
        {
            var shift = offset.All(c => c == 0) ? null : offset;
            return ChunkPlan.Start(ChunkSteps.Fetch(primary, shift, o.Fetch, run))
                .Then(ChunkSteps.Decode(primary, shift, o.Decode, run))
                .Then(ChunkSteps.Compute(
                    async (chunk, ct) =>
                    {
                        var region = chunk.Region;
                        ChunkLayout.Compact(chunk.Buffer.Span, chunk.ChunkShape, region.Shape, itemSize);
                        await node.EvaluateAsync(region, chunk.Buffer.Memory[..(int)(region.ElementCount * itemSize)], true, ct).ConfigureAwait(false);

                        // The fetch stage counted the primary's encoded bytes; other stored operands are read by region here.
                        run.AddRead(region.ElementCount * (node.StoredBytesPerElement - itemSize));
                        if (expandFill is not null)
                        {
                            ChunkLayout.Expand(chunk.Buffer.Span, chunk.ChunkShape, region.Shape, itemSize, expandFill);
                        }
                    },
                    o.Compute));
        }

        var chunkBytes = checked((int)(work.ChunkShape.Aggregate(1L, (a, b) => a * b) * itemSize));
        return ChunkPlan.Start(new Stage<ChunkRequest, DecodedChunk>(
            "Evaluate",
            o.Decode,
            true,
            async (request, ct) =>
            {
                var region = request.Region;
                var bytes = (int)(region.ElementCount * itemSize);
                var buffer = PooledBuffer.RentDecoded(chunkBytes);
                try
                {
                    await node.EvaluateAsync(region, buffer.Memory[..bytes], false, ct).ConfigureAwait(false);

                    // Only store I/O counts as read: the stored operands' region reads, nothing for generated values.
                    run.AddRead(region.ElementCount * node.StoredBytesPerElement);
                    if (expandFill is not null)
                    {
                        ChunkLayout.Expand(buffer.Span, work.ChunkShape.AsSpan(), region.Shape, itemSize, expandFill);
                    }

                    return new DecodedChunk(request.CoordinatesArray, region, ImmutableArrays.Shared(work.ChunkShape), itemSize, buffer, run.Tracker);
                }
                catch
                {
                    buffer.Dispose();
                    throw;
                }
            },
            r => (r.CoordinatesArray, null)));
    }

    /// <summary>A terminal stage over decoded chunks.</summary>
    private static Sink<DecodedChunk> Terminal(string name, StageOptions options, bool cpu, Func<DecodedChunk, CancellationToken, ValueTask> body, bool disposesInput = true) =>
        new(name, options, cpu, body, ChunkSteps.DescribeDecoded, disposesInput);

    /// <summary>
    /// The offset of the work grid's chunks in the primary's grid when the stored fetch → decode path applies: the
    /// expression on the primary's own grid (offset zero), or a chunk-aligned view of it whose chunks are the stored
    /// ones (each work chunk's region is the top-left corner of its stored chunk); null otherwise.
    /// </summary>
    private static long[]? StoredOffset<T>(LazyNode<T> node, ZarrArray<T> primary, ChunkGrid work) where T : unmanaged
    {
        var stored = primary.Grid;
        if (node.PrimaryChunkOffset is not { } offset)
        {
            return SameGrid(stored, work) ? new long[work.Shape.Length] : null;
        }

        if (!SameGrid(node.Grid, work) || !work.SameChunks(stored) || offset.Length != stored.Shape.Length)
        {
            return null;
        }

        for (var d = 0; d < offset.Length; d++)
        {
            if (offset[d] + work.GridShape[d] > stored.GridShape[d])
            {
                return null;
            }
        }

        return offset;
    }

    /// <summary>Stores the whole expression into <paramref name="target"/> (same shape; any grid, format and codecs).</summary>
    public static async Task<PipelineReport> StoreAsync<T>(LazyNode<T> node, ZarrArray<T> target, PipelineOptions options, CancellationToken cancellationToken)
        where T : unmanaged
    {
        var work = target.Grid;
        node = await DeferredValues.BindAsync(node, options, cancellationToken).ConfigureAwait(false);
        using var run = new PipelineRun(options, work.ChunkCount, cancellationToken, ChunkBytes<T>(work));
        using var lockFiles = target.ChunkIO.KeepLocksOpen();
        var plan = Producer(run, node, work, ImmutableArrays.Shared(target.Metadata.FillValue))
            .Then(ChunkSteps.Encode(target, run.Options.Encode, run))
            .End(ChunkSteps.Store(target, run.Options.Store, run));
        return await run.Options.Executor.RunAsync(run, plan, ChunkBlocks.Requests(work)).ConfigureAwait(false);
    }

    /// <summary>Writes the expression into the region of <paramref name="target"/> at <paramref name="offset"/>, chunk by chunk, through the array's locked partial writes.</summary>
    public static async Task<PipelineReport> StoreRegionAsync<T>(LazyNode<T> node, ZarrArray<T> target, long[] offset, PipelineOptions options, CancellationToken cancellationToken)
        where T : unmanaged
    {
        var work = node.Grid;
        var itemSize = Unsafe.SizeOf<T>();
        node = await DeferredValues.BindAsync(node, options, cancellationToken).ConfigureAwait(false);
        using var run = new PipelineRun(options, work.ChunkCount, cancellationToken, ChunkBytes<T>(work));
        using var lockFiles = target.ChunkIO.KeepLocksOpen();
        var plan = Producer(run, node, work, null).End(Terminal("Write", run.Options.Store, false, async (chunk, ct) =>
        {
            var bytes = (int)(chunk.Region.ElementCount * itemSize);
            await target.WriteAsync(chunk.Region.Offset(offset).ToSlices(), ByteMemoryManager<T>.Create(chunk.Buffer.Memory[..bytes]), ct).ConfigureAwait(false);
            run.AddWritten(bytes);
            run.ChunkDone();
        }));
        return await run.Options.Executor.RunAsync(run, plan, ChunkBlocks.Requests(work)).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="consume"/> over every chunk of the expression (dense region layout) as the terminal stage.</summary>
    public static async Task<PipelineReport> ForEachChunkAsync<T>(LazyNode<T> node, string stage, Action<DecodedChunk> consume, PipelineOptions options, CancellationToken cancellationToken)
        where T : unmanaged
    {
        var work = node.Grid;
        node = await DeferredValues.BindAsync(node, options, cancellationToken).ConfigureAwait(false);
        using var run = new PipelineRun(options, work.ChunkCount, cancellationToken, ChunkBytes<T>(work));
        var plan = Producer(run, node, work, null).End(Terminal(stage, run.Options.Reduce, true, (chunk, _) =>
        {
            consume(chunk);
            run.ChunkDone();
            return ValueTask.CompletedTask;
        }));
        return await run.Options.Executor.RunAsync(run, plan, ChunkBlocks.Requests(work)).ConfigureAwait(false);
    }

    /// <summary>
    /// A keyed tree reduction: each chunk gives a partial; partials with the same key (the chunk's block of the result)
    /// combine in a fixed tree of the options' fan-in over their positions within the key (<paramref name="place"/>), so
    /// the result's bits do not depend on parallelism or scheduling. <paramref name="requests"/> come grouped by key, so
    /// a key completes (its <paramref name="chunksPerKey"/>-th partial is in) soon after it starts; then
    /// <paramref name="complete"/> gets the combined partial and a region of that key, inside the reduce stage, and the
    /// key's partials are dropped. Memory holds only the partials of keys with chunks in flight.
    /// </summary>
    public static async Task<PipelineReport> ReduceByKeyAsync<T, TPartial>(
        LazyNode<T> node,
        IEnumerable<ChunkRequest> requests,
        Func<ReadOnlySpan<long>, (long Key, long Position)> place,
        long chunksPerKey,
        Func<DecodedChunk, TPartial> partial,
        Func<TPartial, TPartial, TPartial> combine,
        Func<TPartial, ChunkRegion, CancellationToken, ValueTask<long>> complete,
        PipelineOptions options,
        CancellationToken cancellationToken)
        where T : unmanaged
    {
        var work = node.Grid;
        node = await DeferredValues.BindAsync(node, options, cancellationToken).ConfigureAwait(false);
        using var run = new PipelineRun(options, work.ChunkCount, cancellationToken, ChunkBytes<T>(work));
        var keyed = new KeyedReduction<TPartial>(combine, run.Options.FanIn, chunksPerKey);
        var plan = Producer(run, node, work, null).End(Terminal(ReduceStage, run.Options.Reduce, true, async (chunk, ct) =>
        {
            var (key, position) = place(chunk.Coordinates);
            if (keyed.Add(key, position, partial(chunk), chunk.Region) is { } done)
            {
                run.AddWritten(await complete(done.Value, done.Region, ct).ConfigureAwait(false));
            }

            run.ChunkDone();
        }));
        return await run.Options.Executor.RunAsync(run, plan, requests).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <paramref name="consume"/> over every chunk of the expression (dense region layout, C order of the chunks)
    /// as the terminal stage, awaiting it inside the stage; it returns the bytes it wrote.
    /// </summary>
    public static async Task<PipelineReport> ForEachChunkAsync<T>(LazyNode<T> node, string stage, Func<DecodedChunk, CancellationToken, ValueTask<long>> consume, PipelineOptions options, CancellationToken cancellationToken)
        where T : unmanaged
    {
        var work = node.Grid;
        node = await DeferredValues.BindAsync(node, options, cancellationToken).ConfigureAwait(false);
        using var run = new PipelineRun(options, work.ChunkCount, cancellationToken, ChunkBytes<T>(work));
        var plan = Producer(run, node, work, null).End(Terminal(stage, run.Options.Reduce, true, async (chunk, ct) =>
        {
            run.AddWritten(await consume(chunk, ct).ConfigureAwait(false));
            run.ChunkDone();
        }));
        return await run.Options.Executor.RunAsync(run, plan, ChunkBlocks.Requests(work)).ConfigureAwait(false);
    }

    /// <summary>Streams the chunks through a bounded channel; the consumer owns each result.</summary>
    public static async IAsyncEnumerable<ChunkResult<T>> StreamAsync<T>(LazyNode<T> node, PipelineOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : unmanaged
    {
        var work = node.Grid;
        node = await DeferredValues.BindAsync(node, options, cancellationToken).ConfigureAwait(false);
        using var run = new PipelineRun(options, work.ChunkCount, cancellationToken, ChunkBytes<T>(work));
        var channel = Channel.CreateBounded<ChunkResult<T>>(new BoundedChannelOptions(Math.Max(1, run.Options.Compute.BoundedCapacity)) { SingleReader = true });
        // Not CPU work: a worker waits here for the consumer, so this stage is never fused with decoding.
        var plan = Producer(run, node, work, null).End(Terminal(
            "Stream",
            run.Options.Reduce,
            false,
            async (chunk, ct) =>
            {
                // Ownership passes to the consumer: the run no longer tracks the chunk, and the stage must not dispose it.
                chunk.Untrack();
                var result = new ChunkResult<T>(chunk);
                await channel.Writer.WriteAsync(result, ct).ConfigureAwait(false);
                run.ChunkDone();
            },
            disposesInput: false));
        var running = RunIntoChannelAsync(run, plan, work, channel.Writer);
        try
        {
            await foreach (var item in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }
        }
        finally
        {
            // A consumer that stops early cancels the run; the run task itself never throws (it completes the channel).
            run.Cancel();
            await running.ConfigureAwait(false);

            while (channel.Reader.TryRead(out var left))
            {
                left.Dispose();
            }
        }
    }

    private static async Task RunIntoChannelAsync<T>(PipelineRun run, ChunkPlan<ChunkRequest> plan, ChunkGrid work, ChannelWriter<ChunkResult<T>> writer)
        where T : unmanaged
    {
        await Task.Yield();
        try
        {
            await run.Options.Executor.RunAsync(run, plan, ChunkBlocks.Requests(work)).ConfigureAwait(false);
            writer.TryComplete();
        }
        catch (Exception e)
        {
            writer.TryComplete(e);
        }
    }
}

/// <summary>
/// Partials combined per key (a block of a reduction's result) in a fixed tree over their positions within the key, so
/// the result's bits do not depend on parallelism or arrival order. A key's state lives from its first partial to its
/// <c>chunksPerKey</c>-th; safe for concurrent callers.
/// </summary>
internal sealed class KeyedReduction<TPartial>(Func<TPartial, TPartial, TPartial> combine, int fanIn, long chunksPerKey)
{
    private readonly ConcurrentDictionary<long, KeyState> _open = new();

    /// <summary>Adds a chunk's partial; returns the key's combined partial and a region of the key when this was its last.</summary>
    public (TPartial Value, ChunkRegion Region)? Add(long key, long position, TPartial partial, ChunkRegion region)
    {
        var state = _open.GetOrAdd(key, static (_, a) => new KeyState(new OrderedTreeCombiner<TPartial>(a.combine, a.fanIn, a.chunksPerKey), a.region), (combine, fanIn, chunksPerKey, region));
        state.Combiner.Add(position, partial);

        // Each caller counts its partial after adding it, so the last count sees every partial of the key.
        if (Interlocked.Increment(ref state.Count) != chunksPerKey)
        {
            return null;
        }

        _open.TryRemove(key, out _);
        return (state.Combiner.Finish(), state.Region);
    }

    private sealed class KeyState(OrderedTreeCombiner<TPartial> combiner, ChunkRegion region)
    {
        public long Count;

        public OrderedTreeCombiner<TPartial> Combiner { get; } = combiner;

        public ChunkRegion Region { get; } = region;
    }
}
