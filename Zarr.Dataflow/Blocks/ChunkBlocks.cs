using System.Threading.Tasks.Dataflow;
using Zarr.Storage;

namespace Zarr.Dataflow.Blocks;

/// <summary>
/// Factories for the stages of a chunk's life, each an ordinary dataflow block that wires exactly one step of
/// <see cref="ZarrArray"/> (fetch, decode, encode, store) or a user function (compute, reduce). Link them with
/// <c>LinkTo</c>
/// and <see cref="DataflowLinkOptions.PropagateCompletion"/>, as with any block.
/// </summary>
/// <remarks>
/// <b>Ownership:</b> a block disposes each input message after producing its output (a compute block works in place
/// and hands the same message on); the terminal blocks (store, reduce) dispose
/// what they consume. A block that faults disposes the message it failed on. Messages still queued in a faulted or
/// cancelled block are dropped unless the block belongs to a pipeline run (<c>LazyArray</c>), which disposes them;
/// a dropped message's buffer is collected by the GC rather than returned to the pool.
/// A failure faults the block with a <see cref="ZarrPipelineException"/> that names the stage and the chunk.
/// </remarks>
public static class ChunkBlocks
{
    /// <summary>Every chunk of <paramref name="grid"/>, in C order, as requests.</summary>
    public static IEnumerable<ChunkRequest> Requests(ChunkGrid grid)
    {
        ArgumentNullException.ThrowIfNull(grid);
        return RequestsIterator(grid);
    }

    private static IEnumerable<ChunkRequest> RequestsIterator(ChunkGrid grid)
    {
        var rank = grid.GridShape.Length;
        if (grid.ChunkCount == 0)
        {
            yield break;
        }

        var coords = new long[rank];
        while (true)
        {
            yield return new ChunkRequest(coords, ChunkRegion.OfChunk(grid, coords));
            var d = rank - 1;
            while (d >= 0 && ++coords[d] == grid.GridShape[d])
            {
                coords[d] = 0;
                d--;
            }

            if (d < 0)
            {
                yield break;
            }
        }
    }

    /// <summary>Fetch: the encoded bytes of each requested chunk (<see cref="Zarr.Storage.Chunks.ChunkStorage.FetchAsync"/>). I/O-bound.</summary>
    /// <param name="array">The array to read.</param>
    /// <param name="options">The stage's options; null for <see cref="StageOptions.ForIO"/>.</param>
    public static IPropagatorBlock<ChunkRequest, EncodedChunk> Fetch(ZarrArray array, StageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(array);
        return Block(ChunkSteps.Fetch(array, null, options ?? StageOptions.ForIO(), null));
    }

    /// <summary>Decode: each encoded chunk decoded into a full chunk (<see cref="Zarr.Storage.Chunks.ChunkStorage.Decode"/>, each on one worker thread: the stage's workers are its parallelism, also for a sharded chunk); a missing chunk becomes the fill value. CPU-bound.</summary>
    /// <param name="array">The array the chunks belong to.</param>
    /// <param name="options">The stage's options; null for the defaults (processor count).</param>
    public static IPropagatorBlock<EncodedChunk, DecodedChunk> Decode(ZarrArray array, StageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(array);
        return Block(ChunkSteps.Decode(array, null, options ?? new StageOptions(), null));
    }

    /// <summary>Compute: runs <paramref name="compute"/> over each chunk in place and hands the same message on. CPU-bound.</summary>
    /// <param name="compute">The function; it may change the chunk's elements but must not dispose it.</param>
    /// <param name="options">The stage's options; null for the defaults (processor count).</param>
    public static IPropagatorBlock<DecodedChunk, DecodedChunk> Compute(Action<DecodedChunk> compute, StageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(compute);
        return Compute(
            (chunk, _) =>
            {
                compute(chunk);
                return ValueTask.CompletedTask;
            },
            options);
    }

    /// <summary>Compute with an asynchronous function (for a function that reads other arrays).</summary>
    /// <param name="compute">The function; it may change the chunk's elements but must not dispose it.</param>
    /// <param name="options">The stage's options; null for the defaults (processor count).</param>
    public static IPropagatorBlock<DecodedChunk, DecodedChunk> Compute(Func<DecodedChunk, CancellationToken, ValueTask> compute, StageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(compute);
        return Block(ChunkSteps.Compute(compute, options ?? new StageOptions()));
    }

    /// <summary>Encode: each decoded chunk encoded for <paramref name="array"/> (<see cref="Zarr.Storage.Chunks.ChunkStorage.Encode"/>); a chunk that is all fill value becomes a missing chunk (deleted when stored). CPU-bound.</summary>
    /// <param name="array">The array the chunks will be stored in (its codecs and fill value apply).</param>
    /// <param name="options">The stage's options; null for the defaults (processor count).</param>
    public static IPropagatorBlock<DecodedChunk, EncodedChunk> Encode(ZarrArray array, StageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(array);
        return Block(ChunkSteps.Encode(array, options ?? new StageOptions(), null));
    }

    /// <summary>Store: writes each encoded chunk (<see cref="Zarr.Storage.Chunks.ChunkStorage.StoreAsync"/>), or deletes it when it is missing (all fill value). Each chunk write is atomic in the store and holds the chunk's write lock, so it serialises with concurrent partial writes of the same chunk. I/O-bound. Complete the block when done: on a directory store the lock files of the store's folders stay open until it completes.</summary>
    /// <param name="array">The array to write.</param>
    /// <param name="options">The stage's options; null for <see cref="StageOptions.ForIO"/>.</param>
    public static ITargetBlock<EncodedChunk> Store(ZarrArray array, StageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(array);
        var store = ChunkSteps.Store(array, options ?? StageOptions.ForIO(), null);
        var block = StageBlock.CreateTarget(new StageContext(store.Name, store.Options, null), store);

        // The lock files of the store's folders stay open while the block runs, as in the engine's own store runs.
        if (array.ChunkIO.KeepLocksOpen() is { } lockFiles)
        {
            _ = block.Completion.ContinueWith(static (_, kept) => ((IDisposable)kept!).Dispose(), lockFiles, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return block;
    }

    /// <summary>
    /// Reduce: computes one partial per chunk with <paramref name="partial"/> (in parallel) and combines the partials, in
    /// the chunks' C order, in a fixed tree of fan-in <paramref name="fanIn"/> with <paramref name="combine"/>;
    /// <see cref="ReduceBlock{TPartial}.Result"/> completes when the block does. The tree depends only on which chunks
    /// arrived, not on when, so a floating-point reduction gives the same bits whatever the parallelism and scheduling.
    /// </summary>
    /// <param name="partial">The partial of one chunk (it must not dispose the chunk; the block does).</param>
    /// <param name="combine">Combines two partials; must be associative.</param>
    /// <param name="empty">The result when no chunk arrives.</param>
    /// <param name="fanIn">How many partials are combined at once; at least 2.</param>
    /// <param name="options">The stage's options; null for the defaults (processor count).</param>
    /// <remarks>The block does not know the grid, so it keeps each chunk's partial until it completes (one per chunk) and combines them then.</remarks>
    public static ReduceBlock<TPartial> Reduce<TPartial>(Func<DecodedChunk, TPartial> partial, Func<TPartial, TPartial, TPartial> combine, TPartial empty, int fanIn = 8, StageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(partial);
        ArgumentNullException.ThrowIfNull(combine);
        ArgumentOutOfRangeException.ThrowIfLessThan(fanIn, 2);
        return new ReduceBlock<TPartial>(partial, combine, empty, fanIn, options ?? new StageOptions());
    }

    private static IPropagatorBlock<TIn, TOut> Block<TIn, TOut>(Stage<TIn, TOut> stage)
        where TIn : class
        where TOut : class =>
        StageBlock.Create(new StageContext(stage.Name, stage.Options, null), stage);
}

/// <summary>The terminal block of a reduction: consumes decoded chunks, produces one combined result.</summary>
/// <typeparam name="TPartial">The partial (and result) type.</typeparam>
public sealed class ReduceBlock<TPartial> : ITargetBlock<DecodedChunk>
{
    private readonly ActionBlock<DecodedChunk> _action;
    private readonly List<(long[] Coordinates, TPartial Partial)> _partials = [];

    internal ReduceBlock(Func<DecodedChunk, TPartial> partial, Func<TPartial, TPartial, TPartial> combine, TPartial empty, int fanIn, StageOptions options)
    {
        var sink = new Sink<DecodedChunk>(
            "Reduce",
            options,
            true,
            (chunk, _) =>
            {
                var p = partial(chunk);
                lock (_partials)
                {
                    _partials.Add((chunk.CoordinatesArray, p));
                }

                return ValueTask.CompletedTask;
            },
            ChunkSteps.DescribeDecoded);
        _action = StageBlock.CreateTarget(new StageContext(sink.Name, sink.Options, null), sink);
        Result = FinishAsync(combine, empty, fanIn);
    }

    /// <summary>The combined result; faults (with the failure itself, unwrapped from the aggregates that completion propagation nests) or is cancelled as the block does.</summary>
    public Task<TPartial> Result { get; }

    /// <inheritdoc />
    public Task Completion => _action.Completion;

    /// <inheritdoc />
    public void Complete() => _action.Complete();

    /// <inheritdoc />
    public void Fault(Exception exception) => ((IDataflowBlock)_action).Fault(exception);

    /// <inheritdoc />
    public DataflowMessageStatus OfferMessage(DataflowMessageHeader messageHeader, DecodedChunk messageValue, ISourceBlock<DecodedChunk>? source, bool consumeToAccept) =>
        ((ITargetBlock<DecodedChunk>)_action).OfferMessage(messageHeader, messageValue, source, consumeToAccept);

    private async Task<TPartial> FinishAsync(Func<TPartial, TPartial, TPartial> combine, TPartial empty, int fanIn)
    {
        try
        {
            await _action.Completion.ConfigureAwait(false);
        }
        catch (Exception) when (_action.Completion.Exception is { } error)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(StageBlock.Unwrap(error));
        }

        if (_partials.Count == 0)
        {
            return empty;
        }

        // Every worker is done: the partials go into the tree in the chunks' C order, whatever order they came in.
        _partials.Sort(static (a, b) => a.Coordinates.AsSpan().SequenceCompareTo(b.Coordinates));
        var combiner = new OrderedTreeCombiner<TPartial>(combine, fanIn, _partials.Count);
        for (var i = 0; i < _partials.Count; i++)
        {
            combiner.Add(i, _partials[i].Partial);
        }

        _partials.Clear();
        return combiner.Finish();
    }
}
