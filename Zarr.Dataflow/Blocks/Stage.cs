
namespace Zarr.Dataflow.Blocks;

/// <summary>
/// One step of a chunk's life, typed: its name, its options, whether it only computes (so it may share a worker with
/// its computing neighbours), its body and how to name the chunk it failed on. The public blocks
/// (<see cref="ChunkBlocks"/>) and the planner's plans are both made of these; an executor decides where they run.
/// </summary>
/// <remarks>
/// <b>Ownership:</b> the body must not dispose its input. The block running the stage disposes the input once the body
/// has produced a different object (a body that works in place returns its input, which is then handed on).
/// </remarks>
/// <typeparam name="TIn">The message the step takes.</typeparam>
/// <typeparam name="TOut">The message the step produces.</typeparam>
/// <param name="Name">The step's name (a stage's, or one part of a fused stage's).</param>
/// <param name="Options">The stage's options; a fused stage takes its first step's.</param>
/// <param name="Cpu">Whether the step only computes, so it can run on the worker that ran the step before it.</param>
/// <param name="Body">The step.</param>
/// <param name="Describe">The chunk coordinates and store key of an input, for errors.</param>
internal sealed record Stage<TIn, TOut>(
    string Name,
    StageOptions Options,
    bool Cpu,
    Func<TIn, CancellationToken, ValueTask<TOut>> Body,
    Func<TIn, (long[]? Coordinates, string? Key)> Describe)
    where TIn : class
    where TOut : class
{
    /// <summary>
    /// This step and then <paramref name="next"/> as one stage (named "A+B", with this step's options): the message in
    /// between is disposed as soon as <paramref name="next"/> is done with it or has failed, and a failure still names
    /// the step that failed.
    /// </summary>
    public Stage<TIn, TNext> Then<TNext>(Stage<TOut, TNext> next)
        where TNext : class
    {
        var first = Named();
        var second = next.Named();
        return new Stage<TIn, TNext>(
            $"{Name}+{next.Name}",
            Options,
            Cpu && next.Cpu,
            async (input, ct) =>
            {
                var middle = await first(input, ct).ConfigureAwait(false);
                TNext output;
                try
                {
                    output = await second(middle, ct).ConfigureAwait(false);
                }
                catch
                {
                    Release(middle, input);
                    throw;
                }

                if (!ReferenceEquals(output, middle))
                {
                    Release(middle, input);
                }

                return output;
            },
            Describe);
    }

    /// <summary>This step and then <paramref name="sink"/> as one terminal stage (see <see cref="Then{TNext}(Stage{TOut, TNext})"/>).</summary>
    /// <exception cref="InvalidOperationException"><paramref name="sink"/> hands its input on, so it needs a stage of its own.</exception>
    public Sink<TIn> Then(Sink<TOut> sink)
    {
        if (!sink.DisposesInput)
        {
            throw new InvalidOperationException($"step '{sink.Name}' hands its input on, so it cannot share a stage with '{Name}'");
        }

        var first = Named();
        var second = sink.Named();
        return new Sink<TIn>(
            $"{Name}+{sink.Name}",
            Options,
            Cpu && sink.Cpu,
            async (input, ct) =>
            {
                var middle = await first(input, ct).ConfigureAwait(false);
                try
                {
                    await second(middle, ct).ConfigureAwait(false);
                }
                finally
                {
                    Release(middle, input);
                }
            },
            Describe);
    }

    /// <summary>The body, naming this step in its failures: in a fused stage, the stage's name is not the step's.</summary>
    internal Func<TIn, CancellationToken, ValueTask<TOut>> Named() =>
        async (input, ct) =>
        {
            try
            {
                return await Body(input, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (StageFailure.ShouldWrap(e, ct))
            {
                throw StageFailure.Wrap(Name, Describe(input), e);
            }
        };

    // A message made inside a fused stage; the stage's own input is its block's to dispose.
    private static void Release(object middle, object input)
    {
        if (!ReferenceEquals(middle, input))
        {
            (middle as IDisposable)?.Dispose();
        }
    }
}

/// <summary>
/// The last step of a chain (store, write, reduce, stream): it consumes each message and produces nothing. See
/// <see cref="Stage{TIn, TOut}"/>; a sink that hands its input on (<paramref name="DisposesInput"/> false: the
/// message goes to a consumer) always has a stage of its own.
/// </summary>
/// <typeparam name="TIn">The message the step consumes.</typeparam>
/// <param name="Name">The step's name.</param>
/// <param name="Options">The stage's options.</param>
/// <param name="Cpu">Whether the step only computes.</param>
/// <param name="Body">The step; it must not dispose its input.</param>
/// <param name="Describe">The chunk coordinates and store key of an input, for errors.</param>
/// <param name="DisposesInput">Whether the input is disposed once the step is done with it (false: ownership passes on).</param>
internal sealed record Sink<TIn>(
    string Name,
    StageOptions Options,
    bool Cpu,
    Func<TIn, CancellationToken, ValueTask> Body,
    Func<TIn, (long[]? Coordinates, string? Key)> Describe,
    bool DisposesInput = true)
    where TIn : class
{
    /// <summary>The body, naming this step in its failures.</summary>
    internal Func<TIn, CancellationToken, ValueTask> Named() =>
        async (input, ct) =>
        {
            try
            {
                await Body(input, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (StageFailure.ShouldWrap(e, ct))
            {
                throw StageFailure.Wrap(Name, Describe(input), e);
            }
        };
}

/// <summary>How a step's failure becomes the exception that names it.</summary>
internal static class StageFailure
{
    /// <summary>False for a failure that already names its step, and for the cancellation of the run itself.</summary>
    public static bool ShouldWrap(Exception error, CancellationToken cancellationToken) =>
        error is not ZarrPipelineException && (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested);

    public static ZarrPipelineException Wrap(string step, (long[]? Coordinates, string? Key) chunk, Exception error) =>
        new(step, chunk.Coordinates, chunk.Key, error);
}
