using System.Globalization;
using Spectre.Console;
using Zarr.Dataflow.Pipelines;

namespace Zarr.Cli;

/// <summary>
/// Progress bars on stderr for long work (chunks, bytes, rate, time left), drawn by Spectre.Console only when stderr is
/// a terminal; otherwise the work runs with no progress reporter at all, so stdout and redirected stderr stay clean.
/// </summary>
internal static class CliProgress
{
    /// <summary>
    /// Runs <paramref name="work"/>, giving it a factory of progress reporters (one bar per call, e.g. per array), or a
    /// factory that returns null when stderr is not a terminal.
    /// </summary>
    public static async Task<T> RunAsync<T>(CliConsole console, Func<Func<string, IProgress<PipelineProgress>?>, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(work);
        if (!console.ErrorIsTerminal)
        {
            return await work(_ => null).ConfigureAwait(false);
        }

        var ansi = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(console.Error) });
        T result = default!;
        await ansi.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(
                new TaskDescriptionColumn(),
                new ProgressBarColumn(),
                new PercentageColumn(),
                new RemainingTimeColumn(),
                new SpinnerColumn())
            .StartAsync(async context =>
            {
                result = await work(name => new Reporter(context.AddTask(Markup.Escape(name), maxValue: 1))).ConfigureAwait(false);
            }).ConfigureAwait(false);
        return result;
    }

    private sealed class Reporter(ProgressTask task) : IProgress<PipelineProgress>
    {
        private readonly string _name = task.Description;

        public void Report(PipelineProgress value)
        {
            var seconds = Math.Max(value.Elapsed.TotalSeconds, 1e-3);
            task.MaxValue = Math.Max(1, value.ChunksTotal);
            task.Value = value.ChunksDone;
            task.Description = string.Create(
                CultureInfo.InvariantCulture,
                $"{_name} [grey]{value.ChunksDone}/{value.ChunksTotal} chunks ({value.ChunksDone / seconds:0} chunks/s), read {Human(value.BytesRead)} ({Human((long)(value.BytesRead / seconds))}/s), wrote {Human(value.BytesWritten)}[/]");
        }
    }

    /// <summary>Bytes as the seed prints them: binary units, one decimal (<c>38.1M</c>), as the array summary does.</summary>
    public static string Human(long bytes) => Zarr.Storage.Internal.Sizes.Human(bytes);
}
