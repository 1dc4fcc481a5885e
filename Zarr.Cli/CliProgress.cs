using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;
using Zarr.Dataflow;

namespace Zarr.Cli;

/// <summary>
/// Progress bars on stderr for long work (chunks, bytes, rate, time left), drawn by Spectre.Console only when stderr is
/// a terminal; otherwise the work runs with no progress reporter at all, so stdout and redirected stderr stay clean.
/// </summary>
/// <remarks>
/// Each figure is a column of its own (Spectre lays the rows out as one grid), so the rows of a group copy stay aligned
/// whatever the lengths of the array names and the numbers.
/// </remarks>
internal static class CliProgress
{
    private const string ProgressKey = "zarr.progress";
    private const string ReportedKey = "zarr.reported";

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

        // stderr is a terminal (checked above): live bars, with ANSI escapes as the terminal type allows.
        var ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(console.Error),
            Interactive = InteractionSupport.Yes,
            Ansi = console.ErrorAnsi ? AnsiSupport.Yes : AnsiSupport.Detect,
        });
        if (console.ErrorWidth is { } width)
        {
            ansi.Profile.Width = width;
        }

        T result = default!;
        await ansi.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(
                new TaskDescriptionColumn { Alignment = Justify.Left },
                new FigureColumn(p => string.Create(CultureInfo.InvariantCulture, $"{p.ChunksDone}/{p.ChunksTotal} chunks")),
                new FigureColumn(p => $"read {Human(p.BytesRead)} ({Human((long)(p.BytesRead / Seconds(p)))}/s)", Justify.Left),
                new FigureColumn(p => $"wrote {Human(p.BytesWritten)}", Justify.Left),
                new ProgressBarColumn { Width = 20 },
                new PercentageColumn(),
                new RemainingTimeColumn(),
                new SpinnerColumn())
            .StartAsync(async context =>
            {
                result = await work(name => new Reporter(context.AddTask(Markup.Escape(name), maxValue: 1))).ConfigureAwait(false);
            }).ConfigureAwait(false);
        return result;
    }

    private static double Seconds(PipelineProgress value) => Math.Max(value.Elapsed.TotalSeconds, 1e-3);

    private sealed class Reporter : IProgress<PipelineProgress>
    {
        private readonly ProgressTask _task;

        public Reporter(ProgressTask task)
        {
            _task = task;
            task.State.Update<bool>(ReportedKey, _ => false);
        }

        public void Report(PipelineProgress value)
        {
            _task.State.Update<PipelineProgress>(ProgressKey, _ => value);
            _task.State.Update<bool>(ReportedKey, _ => true);
            _task.MaxValue = Math.Max(1, value.ChunksTotal);
            _task.Value = value.ChunksDone;
        }
    }

    /// <summary>One figure of the last progress a task reported (counts right-aligned), blank before the first report.</summary>
    private sealed class FigureColumn(Func<PipelineProgress, string> format, Justify justify = Justify.Right) : ProgressColumn
    {
        protected override bool NoWrap => true;

        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            var text = task.State.Get<bool>(ReportedKey) ? format(task.State.Get<PipelineProgress>(ProgressKey)) : string.Empty;
            return new Text(text, new Style(Color.Grey)) { Justification = justify };
        }
    }

    /// <summary>Bytes as the seed prints them: binary units, one decimal (<c>38.1M</c>), as the array summary does.</summary>
    public static string Human(long bytes) => Zarr.Storage.ArrayInfo.HumanSize(bytes);
}
