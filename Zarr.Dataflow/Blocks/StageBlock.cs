using System.Diagnostics;
using System.Threading.Tasks.Dataflow;

namespace Zarr.Dataflow.Blocks;

/// <summary>
/// The one way a stage (<see cref="Stage{TIn, TOut}"/> or <see cref="Sink{TIn}"/>) becomes a dataflow block: an <see cref="ActionBlock{TInput}"/> of the stage's parallelism and capacity that
/// sends each result into a bounded <see cref="BufferBlock{T}"/> (so time blocked on the next stage is measured),
/// encapsulated as one propagator. The stage disposes its input after producing its output (unless the body hands
/// the same object on), its output when the next stage declines it, and its input when the body fails.
/// </summary>
internal static class StageBlock
{
    /// <summary>The block that runs <paramref name="stage"/> in <paramref name="context"/>.</summary>
    public static IPropagatorBlock<TIn, TOut> Create<TIn, TOut>(StageContext context, Stage<TIn, TOut> stage)
        where TIn : class
        where TOut : class
    {
        var options = context.Options;
        var body = stage.Body;
        var describe = stage.Describe;
        // The hand-off to the next stage holds one result (as StageOptions.BoundedCapacity documents): a worker whose
        // result is not taken waits holding it, so a stage holds at most its capacity (queued and in work) plus one
        // chunk, not twice its capacity.
        var output = new BufferBlock<TOut>(new DataflowBlockOptions
        {
            BoundedCapacity = options.BoundedCapacity == StageOptions.Unbounded ? StageOptions.Unbounded : 1,
            EnsureOrdered = options.EnsureOrdered,
        });

        var action = new ActionBlock<TIn>(
            async input =>
            {
                var token = context.Token;
                var start = Stopwatch.GetTimestamp();
                TOut result;
                try
                {
                    result = await body(input, token).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    (input as IDisposable)?.Dispose();
                    var (coordinates, key) = describe(input);
                    throw context.Fail(e, coordinates, key);
                }

                if (!ReferenceEquals(input, result))
                {
                    (input as IDisposable)?.Dispose();
                }

                var worked = Stopwatch.GetTimestamp();
                bool accepted;
                try
                {
                    accepted = await output.SendAsync(result, token).ConfigureAwait(false);
                }
                catch
                {
                    (result as IDisposable)?.Dispose();
                    throw;
                }

                if (!accepted)
                {
                    (result as IDisposable)?.Dispose();
                }

                context.Metrics.Record(worked - start, Stopwatch.GetTimestamp() - worked);
            },
            ExecutionOptions(options, context.Token));

        _ = action.Completion.ContinueWith(
            t =>
            {
                if (t.IsFaulted)
                {
                    ((IDataflowBlock)output).Fault(Unwrap(t.Exception!));
                }
                else if (t.IsCanceled || context.Token.IsCancellationRequested)
                {
                    ((IDataflowBlock)output).Fault(new OperationCanceledException(context.Token));
                }
                else
                {
                    output.Complete();
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

        // A completed hand-off completes only once its chunk is taken, and a cancelled next stage takes nothing: when
        // the run is cancelled after this stage finished its last chunk, the chunk waiting here is disposed instead,
        // or the pipeline would wait for it forever (a consumer leaving a stream early does this).
        var draining = context.Token.Register(static state => Drain((BufferBlock<TOut>)state!), output);
        _ = output.Completion.ContinueWith(
            static (_, state) => ((CancellationTokenRegistration)state!).Dispose(),
            draining,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

        return DataflowBlock.Encapsulate(action, output);
    }

    private static void Drain<TOut>(BufferBlock<TOut> output)
    {
        while (output.TryReceive(out var message))
        {
            (message as IDisposable)?.Dispose();
        }
    }

    /// <summary>The block that runs <paramref name="sink"/> in <paramref name="context"/>.</summary>
    public static ActionBlock<TIn> CreateTarget<TIn>(StageContext context, Sink<TIn> sink)
        where TIn : class
    {
        var body = sink.Body;
        var describe = sink.Describe;
        var disposeInput = sink.DisposesInput;
        return new ActionBlock<TIn>(
            async input =>
            {
                var start = Stopwatch.GetTimestamp();
                try
                {
                    await body(input, context.Token).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    (input as IDisposable)?.Dispose();
                    var (coordinates, key) = describe(input);
                    throw context.Fail(e, coordinates, key);
                }

                if (disposeInput)
                {
                    (input as IDisposable)?.Dispose();
                }

                context.Metrics.Record(Stopwatch.GetTimestamp() - start, 0);
            },
            ExecutionOptions(context.Options, context.Token));
    }

    /// <summary>The one exception inside the aggregates that completion propagation nests, or the aggregate when there are several.</summary>
    public static Exception Unwrap(AggregateException error)
    {
        var inner = error.Flatten().InnerExceptions;
        return inner.Count == 1 ? inner[0] : error;
    }

    private static ExecutionDataflowBlockOptions ExecutionOptions(StageOptions options, CancellationToken token) => new()
    {
        MaxDegreeOfParallelism = options.MaxDegreeOfParallelism,
        BoundedCapacity = options.BoundedCapacity,
        EnsureOrdered = options.EnsureOrdered,
        CancellationToken = token,
        SingleProducerConstrained = false,
    };
}
