using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using System.Threading.Tasks.Dataflow;
using Zarr.Dataflow.Blocks;
using Zarr.Dataflow.Pipelines;
using Zarr.Storage;
using Zarr.Storage.Buffers;
using Zarr.Storage.Indexing;

namespace Zarr.Dataflow.Expressions;

/// <summary>
/// Turns an expression and a sink into a pipeline. The unit of work is a chunk of the "work grid" (the target's for a
/// store, the expression's for a reduction). When the expression's primary source is stored on the work grid, each
/// chunk runs fetch → decode → compute in the blocks of <see cref="ChunkBlocks"/>; otherwise one stage evaluates the
/// chunk's region, reading the sources' matching regions (decoding inside the region read). Memory stays bounded by
/// the stages' capacities, in chunks.
/// </summary>
internal static class Planner
{
    /// <summary>The name of the terminal stage of reductions.</summary>
    public const string ReduceStage = "Reduce";

    private static readonly DataflowLinkOptions Propagate = new() { PropagateCompletion = true };

    public static bool SameGrid(ChunkGrid a, ChunkGrid b) => a.Shape.AsSpan().SequenceEqual(b.Shape) && a.ChunkShape.AsSpan().SequenceEqual(b.ChunkShape);

    /// <summary>The producing front: decoded chunks in dense region layout, or, given <paramref name="expandFill"/>, in the full chunk layout with the fill value outside the region.</summary>
    private static (ITargetBlock<ChunkRequest> Head, ISourceBlock<DecodedChunk> Tail, List<Task> Completions) BuildProducer<T>(PipelineRun run, LazyNode<T> node, ChunkGrid work, byte[]? expandFill)
        where T : unmanaged
    {
        var o = run.Options;
        var itemSize = Unsafe.SizeOf<T>();
        if (node.Primary is { } primary && FusedOffset(node, primary, work) is { } offset)
        {
            IPropagatorBlock<ChunkRequest, EncodedChunk> fetch;
            IPropagatorBlock<EncodedChunk, DecodedChunk> decode;
            if (offset.All(c => c == 0))
            {
                fetch = ChunkBlocks.Fetch(primary, run.Stage("Fetch", o.Fetch));
                decode = ChunkBlocks.Decode(primary, run.Stage("Decode", o.Decode));
            }
            else
            {
                (fetch, decode) = ShiftedFetchDecode(run, primary, offset);
            }

            var compute = ChunkBlocks.Compute(
                async (chunk, ct) =>
                {
                    var region = chunk.Region;
                    ChunkLayout.Compact(chunk.Buffer.Span, chunk.ChunkShape, region.Shape, itemSize);
                    await node.EvaluateAsync(region, chunk.Buffer.Memory[..(int)(region.ElementCount * itemSize)], true, ct).ConfigureAwait(false);
                    if (expandFill is not null)
                    {
                        ChunkLayout.Expand(chunk.Buffer.Span, chunk.ChunkShape, region.Shape, itemSize, expandFill);
                    }
                },
                run.Stage("Compute", o.Compute));
            fetch.LinkTo(decode, Propagate);
            decode.LinkTo(compute, Propagate);
            return (fetch, compute, [fetch.Completion, decode.Completion, compute.Completion]);
        }

        var chunkBytes = checked((int)(work.ChunkShape.Aggregate(1L, (a, b) => a * b) * itemSize));
        var evaluate = StageBlock.Create<ChunkRequest, DecodedChunk>(
            run.Stage("Evaluate", o.Decode),
            async (request, ct) =>
            {
                var region = request.Region;
                var bytes = (int)(region.ElementCount * itemSize);
                var buffer = PooledBuffer.Rent(chunkBytes);
                try
                {
                    await node.EvaluateAsync(region, buffer.Memory[..bytes], false, ct).ConfigureAwait(false);
                    run.AddRead(bytes);
                    if (expandFill is not null)
                    {
                        ChunkLayout.Expand(buffer.Span, work.ChunkShape, region.Shape, itemSize, expandFill);
                    }

                    return new DecodedChunk(request.CoordinatesArray, region, work.ChunkShape, itemSize, buffer, run.Tracker);
                }
                catch
                {
                    buffer.Dispose();
                    throw;
                }
            },
            r => (r.CoordinatesArray, null));
        return (evaluate, evaluate, [evaluate.Completion]);
    }

    /// <summary>
    /// The offset of the work grid's chunks in the primary's grid when the fused fetch → decode path applies: the
    /// expression on the primary's own grid (offset zero), or a chunk-aligned view of it whose chunks are the stored
    /// ones (each work chunk's region is the top-left corner of its stored chunk); null otherwise.
    /// </summary>
    private static long[]? FusedOffset<T>(LazyNode<T> node, ZarrArray<T> primary, ChunkGrid work) where T : unmanaged
    {
        var stored = primary.Grid;
        if (node.PrimaryChunkOffset is not { } offset)
        {
            return SameGrid(stored, work) ? new long[work.Shape.Length] : null;
        }

        if (!SameGrid(node.Grid, work) || !work.ChunkShape.AsSpan().SequenceEqual(stored.ChunkShape) || offset.Length != stored.Shape.Length)
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

    /// <summary>Fetch and decode of stored chunk <c>k + offset</c> for work chunk <c>k</c>: the messages keep the work chunk's coordinates and region.</summary>
    private static (IPropagatorBlock<ChunkRequest, EncodedChunk> Fetch, IPropagatorBlock<EncodedChunk, DecodedChunk> Decode) ShiftedFetchDecode<T>(PipelineRun run, ZarrArray<T> primary, long[] offset)
        where T : unmanaged
    {
        long[] Stored(long[] coordinates)
        {
            var c = new long[coordinates.Length];
            for (var d = 0; d < c.Length; d++)
            {
                c[d] = coordinates[d] + offset[d];
            }

            return c;
        }

        var fetchContext = run.Stage("Fetch", run.Options.Fetch);
        var fetch = StageBlock.Create<ChunkRequest, EncodedChunk>(
            fetchContext,
            async (request, ct) =>
            {
                var stored = Stored(request.CoordinatesArray);
                var data = await primary.FetchChunkAsync(stored, ct).ConfigureAwait(false);
                run.AddRead(data?.Length ?? 0);
                return new EncodedChunk(request.CoordinatesArray, request.Region, primary.GetChunkKey(stored), data, fetchContext.Tracker);
            },
            r => (r.CoordinatesArray, primary.GetChunkKey(Stored(r.CoordinatesArray))));
        var decodeContext = run.Stage("Decode", run.Options.Decode);
        var decode = StageBlock.Create<EncodedChunk, DecodedChunk>(
            decodeContext,
            (encoded, _) =>
            {
                var buffer = PooledBuffer.Rent(primary.ChunkByteLength);
                try
                {
                    primary.DecodeChunk(encoded.Data is null ? default : encoded.Data.Span, encoded.IsMissing, Stored(encoded.CoordinatesArray), buffer.Span);
                }
                catch
                {
                    buffer.Dispose();
                    throw;
                }

                return ValueTask.FromResult(new DecodedChunk(encoded.CoordinatesArray, encoded.Region, primary.Grid.ChunkShape, primary.DataType.ItemSize, buffer, decodeContext.Tracker));
            },
            e => (e.CoordinatesArray, e.Key));
        return (fetch, decode);
    }

    /// <summary>Stores the whole expression into <paramref name="target"/> (same shape; any grid, format and codecs).</summary>
    public static async Task<PipelineReport> StoreAsync<T>(LazyNode<T> node, ZarrArray<T> target, PipelineOptions options, CancellationToken cancellationToken)
        where T : unmanaged
    {
        var work = target.Grid;
        using var run = new PipelineRun(options, work.ChunkCount, cancellationToken);
        var (head, tail, completions) = BuildProducer(run, node, work, target.Metadata.FillValue);
        var encode = ChunkBlocks.Encode(target, run.Stage("Encode", run.Options.Encode));
        var store = ChunkBlocks.Store(target, run.Stage("Store", run.Options.Store));
        tail.LinkTo(encode, Propagate);
        encode.LinkTo(store, Propagate);
        completions.Add(encode.Completion);
        completions.Add(store.Completion);
        return await run.RunAsync(head, ChunkBlocks.Requests(work), completions).ConfigureAwait(false);
    }

    /// <summary>Writes the expression into the region of <paramref name="target"/> at <paramref name="offset"/>, chunk by chunk, through the array's locked partial writes.</summary>
    public static async Task<PipelineReport> StoreRegionAsync<T>(LazyNode<T> node, ZarrArray<T> target, long[] offset, PipelineOptions options, CancellationToken cancellationToken)
        where T : unmanaged
    {
        var work = node.Grid;
        var itemSize = Unsafe.SizeOf<T>();
        using var run = new PipelineRun(options, work.ChunkCount, cancellationToken);
        var (head, tail, completions) = BuildProducer(run, node, work, null);
        var write = StageBlock.CreateTarget<DecodedChunk>(
            run.Stage("Write", run.Options.Store),
            async (chunk, ct) =>
            {
                var bytes = (int)(chunk.Region.ElementCount * itemSize);
                await target.WriteAsync(chunk.Region.Offset(offset).ToSlices(), ByteMemoryManager<T>.Create(chunk.Buffer.Memory[..bytes]), ct).ConfigureAwait(false);
                run.AddWritten(bytes);
                run.ChunkDone();
            },
            c => (c.CoordinatesArray, null));
        tail.LinkTo(write, Propagate);
        completions.Add(write.Completion);
        return await run.RunAsync(head, ChunkBlocks.Requests(work), completions).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="consume"/> over every chunk of the expression (dense region layout) as the terminal stage.</summary>
    public static async Task<PipelineReport> ForEachChunkAsync<T>(LazyNode<T> node, string stage, Action<DecodedChunk> consume, PipelineOptions options, CancellationToken cancellationToken)
        where T : unmanaged
    {
        var work = node.Grid;
        using var run = new PipelineRun(options, work.ChunkCount, cancellationToken);
        var (head, tail, completions) = BuildProducer(run, node, work, null);
        var sink = StageBlock.CreateTarget<DecodedChunk>(
            run.Stage(stage, run.Options.Reduce),
            (chunk, _) =>
            {
                consume(chunk);
                run.ChunkDone();
                return ValueTask.CompletedTask;
            },
            c => (c.CoordinatesArray, null));
        tail.LinkTo(sink, Propagate);
        completions.Add(sink.Completion);
        return await run.RunAsync(head, ChunkBlocks.Requests(work), completions).ConfigureAwait(false);
    }

    /// <summary>
    /// A keyed tree reduction: each chunk gives a partial; partials with the same key (the chunk's block of the result)
    /// combine in a tree of the options' fan-in. <paramref name="requests"/> come grouped by key, so a key completes
    /// (its <paramref name="chunksPerKey"/>-th partial is in) soon after it starts; then <paramref name="complete"/>
    /// gets the combined partial and a region of that key, inside the reduce stage, and the key's partials are dropped.
    /// Memory holds only the partials of keys with chunks in flight.
    /// </summary>
    public static async Task<PipelineReport> ReduceByKeyAsync<T, TPartial>(
        LazyNode<T> node,
        IEnumerable<ChunkRequest> requests,
        Func<ReadOnlySpan<long>, long> keyOf,
        long chunksPerKey,
        Func<DecodedChunk, TPartial> partial,
        Func<TPartial, TPartial, TPartial> combine,
        Func<TPartial, ChunkRegion, CancellationToken, ValueTask<long>> complete,
        PipelineOptions options,
        CancellationToken cancellationToken)
        where T : unmanaged
    {
        var work = node.Grid;
        using var run = new PipelineRun(options, work.ChunkCount, cancellationToken);
        var (head, tail, completions) = BuildProducer(run, node, work, null);
        var open = new ConcurrentDictionary<long, KeyState<TPartial>>();
        var fanIn = run.Options.FanIn;
        var sink = StageBlock.CreateTarget<DecodedChunk>(
            run.Stage(ReduceStage, run.Options.Reduce),
            async (chunk, ct) =>
            {
                var p = partial(chunk);
                var key = keyOf(chunk.Coordinates);
                var state = open.GetOrAdd(key, static (_, a) => new KeyState<TPartial>(new TreeCombiner<TPartial>(a.combine, a.fanIn), a.Region), (combine, fanIn, chunk.Region));
                state.Combiner.Add(p);

                // Each worker counts its partial after adding it, so the last count sees every partial of the key.
                if (Interlocked.Increment(ref state.Count) == chunksPerKey)
                {
                    open.TryRemove(key, out _);
                    run.AddWritten(await complete(state.Combiner.Finish(default!), state.Region, ct).ConfigureAwait(false));
                }

                run.ChunkDone();
            },
            c => (c.CoordinatesArray, null));
        tail.LinkTo(sink, Propagate);
        completions.Add(sink.Completion);
        return await run.RunAsync(head, requests, completions).ConfigureAwait(false);
    }

    private sealed class KeyState<TPartial>(TreeCombiner<TPartial> combiner, ChunkRegion region)
    {
        public long Count;

        public TreeCombiner<TPartial> Combiner { get; } = combiner;

        public ChunkRegion Region { get; } = region;
    }

    /// <summary>Streams the chunks through a bounded channel; the consumer owns each result.</summary>
    public static async IAsyncEnumerable<ChunkResult<T>> StreamAsync<T>(LazyNode<T> node, PipelineOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : unmanaged
    {
        var work = node.Grid;
        using var run = new PipelineRun(options, work.ChunkCount, cancellationToken);
        var channel = Channel.CreateBounded<ChunkResult<T>>(new BoundedChannelOptions(Math.Max(1, run.Options.Compute.BoundedCapacity)) { SingleReader = true });
        var (head, tail, completions) = BuildProducer(run, node, work, null);
        var sink = StageBlock.CreateTarget<DecodedChunk>(
            run.Stage("Stream", run.Options.Reduce),
            async (chunk, ct) =>
            {
                // Ownership passes to the consumer: the run no longer tracks the chunk, and the stage must not dispose it.
                chunk.Untrack();
                var result = new ChunkResult<T>(chunk);
                await channel.Writer.WriteAsync(result, ct).ConfigureAwait(false);
                run.ChunkDone();
            },
            c => (c.CoordinatesArray, null),
            disposeInput: false);
        tail.LinkTo(sink, Propagate);
        completions.Add(sink.Completion);
        var running = RunIntoChannelAsync(run, head, work, completions, channel.Writer);
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

    private static async Task RunIntoChannelAsync<T>(PipelineRun run, ITargetBlock<ChunkRequest> head, ChunkGrid work, List<Task> completions, ChannelWriter<ChunkResult<T>> writer)
        where T : unmanaged
    {
        await Task.Yield();
        try
        {
            await run.RunAsync(head, ChunkBlocks.Requests(work), completions).ConfigureAwait(false);
            writer.TryComplete();
        }
        catch (Exception e)
        {
            writer.TryComplete(e);
        }
    }
}
