using Zarr.Dataflow;

namespace Zarr.Cli.Tests;

public class ProgressTests
{
    // A group copy draws one row per array; names and figures of different lengths must not shift the bars.
    [Fact]
    public async Task Rows_of_several_arrays_are_aligned_whatever_the_lengths_of_names_and_figures()
    {
        using var error = new StringWriter();
        var console = new CliConsole(TextWriter.Null, error, errorIsTerminal: true) { ErrorAnsi = true, ErrorWidth = 160 };
        await CliProgress.RunAsync(console, progress =>
        {
            var rows = new (string Name, PipelineProgress Last)[]
            {
                ("a", new PipelineProgress(3, 3, 1_000, 2_000, TimeSpan.FromSeconds(1))),
                ("a/much/longer/array/name", new PipelineProgress(1_200, 1_200, 7_000_000_000, 12, TimeSpan.FromSeconds(3))),
                ("b", new PipelineProgress(40, 40, 0, 9_999_999, TimeSpan.FromSeconds(0.5))),
            };
            foreach (var (name, last) in rows)
            {
                var reporter = progress(name)!;
                reporter.Report(last with { ChunksDone = 0 });
                reporter.Report(last);
            }

            return Task.FromResult(0);
        });

        var lines = error.ToString().Split('\n').Select(StripAnsi).Where(l => l.Contains(" chunks", StringComparison.Ordinal)).ToArray();
        var last3 = lines[^3..];
        Assert.Contains(last3, l => l.TrimStart().StartsWith("a/much/longer/array/name", StringComparison.Ordinal));
        // Counts are right-aligned (they end in one column), the rest starts in one column.
        foreach (var (figure, end) in new[] { (" chunks", true), ("read ", false), ("wrote ", false), ("100%", false) })
        {
            var columns = last3.Select(l => l.IndexOf(figure, StringComparison.Ordinal) + (end ? figure.Length : 0)).Distinct().ToArray();
            Assert.True(columns.Length == 1, $"'{figure}' stands in different columns:\n{string.Join('\n', last3)}");
        }
    }

    private static string StripAnsi(string line) =>
        System.Text.RegularExpressions.Regex.Replace(line, @"\x1b\[[0-9;?]*[A-Za-z]", string.Empty).TrimEnd('\r');
}
