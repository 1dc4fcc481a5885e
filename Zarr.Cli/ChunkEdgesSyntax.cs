using System.Globalization;
using Zarr.Storage;

namespace Zarr.Cli;

/// <summary>
/// <c>--chunks</c> with explicit chunk edges (a rectilinear grid). Two spellings:
/// <code>
/// CHUNKS := DIM (',' DIM)*               one entry per dimension
/// DIM    := N                            a regular size along the dimension (the extension's integer form)
///         | RUN (':' RUN)*               explicit edges, at least one ':' or one 'x'
/// RUN    := EDGE | EDGE 'x' COUNT        COUNT chunks of EDGE (31x12 = twelve chunks of 31)
/// </code>
/// or the extension's own JSON for <c>chunk_shapes</c>, starting with '[': <c>[[31,28,31,30],100]</c>,
/// <c>[[[24,365]],10]</c>. Plain <c>100,100</c> is not this syntax (a regular chunk shape).
/// </summary>
internal static class ChunkEdgesSyntax
{
    /// <summary>The edges per dimension, or null when <paramref name="text"/> is a plain regular chunk shape.</summary>
    /// <exception cref="UsageException">The text is not of the grammar, or an edge or count is not a positive integer.</exception>
    public static IReadOnlyList<ChunkEdgeList>? Parse(string text, string option)
    {
        var trimmed = text.Trim();
        if (trimmed.StartsWith('['))
        {
            return ParseJson(trimmed, text, option);
        }

        if (!trimmed.Contains(':', StringComparison.Ordinal) && !trimmed.Contains('x', StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var dims = new List<ChunkEdgeList>();
        foreach (var dim in trimmed.Split(','))
        {
            var part = dim.Trim();
            if (!part.Contains(':', StringComparison.Ordinal) && !part.Contains('x', StringComparison.OrdinalIgnoreCase))
            {
                dims.Add(ChunkEdgeList.Regular(Positive(part, text, option, int.MaxValue)));
                continue;
            }

            var runs = new List<ChunkEdgeRun>();
            foreach (var run in part.Split(':'))
            {
                var x = run.IndexOfAny(['x', 'X']);
                runs.Add(x < 0
                    ? new ChunkEdgeRun(Positive(run, text, option, int.MaxValue), 1, Encoded: false)
                    : new ChunkEdgeRun(Positive(run[..x], text, option, int.MaxValue), Positive(run[(x + 1)..], text, option, long.MaxValue), Encoded: true));
            }

            dims.Add(ChunkEdgeList.FromRuns(runs));
        }

        return dims;
    }

    /// <summary>
    /// The chunk grid as a line shows it: the chunk shape, or a rectilinear grid's edges per dimension in this syntax
    /// (<c>31:28:31:30, 2</c>), a long list cut after a few runs with its chunk count.
    /// </summary>
    public static string Format(ArrayMetadata metadata) =>
        metadata.RectilinearChunks.IsDefault
            ? string.Join(", ", metadata.ChunkShape)
            : string.Join(", ", metadata.RectilinearChunks.Select(axis => axis.Runs.Length <= 6
                ? axis.ToString()
                : string.Create(CultureInfo.InvariantCulture, $"{ChunkEdgeList.FromRuns(axis.Runs.Take(3))}:…({axis.ChunkCount} chunks)")));

    private static List<ChunkEdgeList> ParseJson(string json, string text, string option)
    {
        try
        {
            return [.. ChunkEdgeList.ParseChunkShapes(json)];
        }
        catch (ZarrException e)
        {
            var at = e.Message.IndexOf("chunk_shapes", StringComparison.Ordinal);
            throw new UsageException($"{option} '{text}': {(at < 0 ? e.Message : e.Message[at..])}", e);
        }
    }

    private static int Positive(string value, string text, string option, int max) => (int)Positive(value, text, option, (long)max);

    private static long Positive(string value, string text, string option, long max) =>
        long.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= max
            ? n
            : throw new UsageException($"{option} '{text}': '{value.Trim()}' is not a positive integer{(max == int.MaxValue ? $" of at most {int.MaxValue}" : "")}");
}
