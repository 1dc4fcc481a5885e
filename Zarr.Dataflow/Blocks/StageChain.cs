using System.Threading.Tasks.Dataflow;
using Zarr.Dataflow.Pipelines;

namespace Zarr.Dataflow.Blocks;

/// <summary>
/// One step of a pipeline as the planner lays it out: its name, its options, whether it is CPU work (which may share
/// a stage with its CPU neighbours), its body (null from the last step) and how to name the chunk it failed on.
/// </summary>
/// <param name="Name">The step's name (a stage's name, or one part of a fused stage's name).</param>
/// <param name="Options">The stage options; a fused stage takes its first step's.</param>
/// <param name="Cpu">Whether the step only computes, so it can run on the worker that ran the step before it.</param>
/// <param name="Body">The step; it must not dispose its input.</param>
/// <param name="Describe">The coordinates and key of an input, for errors.</param>
/// <param name="DisposesInput">Whether the input is disposed once the step is done with it (false: the step hands its ownership on; only the last step may, and it then has a stage of its own).</param>
internal sealed record ChainStep(
    string Name,
    StageOptions Options,
    bool Cpu,
    Func<object, CancellationToken, ValueTask<object?>> Body,
    Func<object, (long[]? Coordinates, string? Key)> Describe,
    bool DisposesInput = true);

/// <summary>
/// Wires a chain of steps into dataflow stages. With <see cref="PipelineOptions.FuseStages"/>, consecutive CPU steps
/// run one after another on one worker of one stage (named "Decode+Compute+Reduce", say): the chunk is still in the
/// core's cache for the next step, no hand-off is paid between them, and only as many chunks are decoded at once as
/// that stage has workers. A failure still names the step and the chunk.
/// </summary>
internal static class StageChain
{
    private static readonly DataflowLinkOptions Propagate = new() { PropagateCompletion = true };

    /// <summary>Wires <paramref name="steps"/> and runs <paramref name="requests"/> through them (see <see cref="PipelineRun.RunAsync"/>).</summary>
    public static Task<PipelineReport> RunAsync(PipelineRun run, IReadOnlyList<ChainStep> steps, IEnumerable<ChunkRequest> requests)
    {
        var (head, completions) = Build(run, steps);
        return run.RunAsync(head, requests, completions);
    }

    /// <summary>The head block (send the first step's inputs to it) and every stage's completion.</summary>
    public static (ITargetBlock<object> Head, List<Task> Completions) Build(PipelineRun run, IReadOnlyList<ChainStep> steps)
    {
        var groups = new List<List<ChainStep>>();
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];

            // A step that hands its input on (a stream to a consumer) must end the chain in a stage of its own: only
            // a terminal stage can leave its input undisposed.
            if (!step.DisposesInput && i != steps.Count - 1)
            {
                throw new InvalidOperationException($"step '{step.Name}' hands its input on, so it must be the last step");
            }

            if (run.Options.FuseStages && step.Cpu && step.DisposesInput && groups.Count > 0 && groups[^1][^1].Cpu)
            {
                groups[^1].Add(step);
            }
            else
            {
                groups.Add([step]);
            }
        }

        var completions = new List<Task>();
        ITargetBlock<object>? head = null;
        ISourceBlock<object>? previous = null;
        for (var g = 0; g < groups.Count; g++)
        {
            var group = groups[g];
            var first = group[0];
            var context = run.Stage(string.Join("+", group.Select(s => s.Name)), first.Options);
            var body = group.Count == 1 ? first.Body : Fused(group);
            ITargetBlock<object> block;
            if (g == groups.Count - 1)
            {
                block = StageBlock.CreateTarget<object>(context, async (m, ct) => await body(m, ct).ConfigureAwait(false), first.Describe, group.Count > 1 || first.DisposesInput);
            }
            else
            {
                block = StageBlock.Create<object, object>(context, async (m, ct) => (await body(m, ct).ConfigureAwait(false))!, first.Describe);
            }

            completions.Add(block.Completion);
            previous?.LinkTo(block, Propagate);
            previous = block as ISourceBlock<object>;
            head ??= block;
        }

        return (head!, completions);
    }

    // The steps of one stage in turn. Each intermediate message is disposed when the next step is done with it (or has
    // failed); the stage's own input is the stage block's to dispose. Errors name the step, not the fused stage.
    private static Func<object, CancellationToken, ValueTask<object?>> Fused(List<ChainStep> steps) =>
        async (input, ct) =>
        {
            var current = input;
            for (var i = 0; i < steps.Count; i++)
            {
                var step = steps[i];
                object? next;
                try
                {
                    next = await step.Body(current, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    var (coordinates, key) = step.Describe(current);
                    DisposeIntermediate(current, input);
                    throw e as ZarrPipelineException ?? new ZarrPipelineException(step.Name, coordinates, key, e);
                }
                catch
                {
                    DisposeIntermediate(current, input);
                    throw;
                }

                if (!ReferenceEquals(next, current) && step.DisposesInput)
                {
                    DisposeIntermediate(current, input);
                }

                current = next!;
            }

            return current;
        };

    private static void DisposeIntermediate(object message, object input)
    {
        if (!ReferenceEquals(message, input))
        {
            (message as IDisposable)?.Dispose();
        }
    }
}
