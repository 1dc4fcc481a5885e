using System.Collections.Immutable;

namespace Zarr.Storage;

/// <summary>
/// One run of a rectilinear grid's chunk edge lengths along an axis: <see cref="Count"/> chunks of length
/// <see cref="Edge"/>. <see cref="Encoded"/> says how the run is spelled in <c>zarr.json</c>: true as the
/// run-length pair <c>[Edge, Count]</c>, false as <see cref="Count"/> plain integers.
/// </summary>
/// <param name="Edge">The chunks' edge length (positive).</param>
/// <param name="Count">How many chunks (positive).</param>
/// <param name="Encoded">True when written as the pair <c>[Edge, Count]</c>.</param>
public readonly record struct ChunkEdgeRun(int Edge, long Count, bool Encoded);

/// <summary>
/// The chunk edge lengths along one axis of a rectilinear chunk grid (the registered <c>rectilinear</c> extension): a
/// list of runs, or one integer repeated as far as the axis needs (<see cref="Repeating"/>, the extension's integer
/// form). Lookups are binary searches over the runs' cumulative starts: no work per chunk, so an axis of a million
/// chunks written as one run costs one run.
/// </summary>
public sealed class ChunkEdgeList : IEquatable<ChunkEdgeList>
{
    // Per run: the index of its first chunk and the array position where it starts (cumulative sums).
    private readonly long[] _firstChunk;
    private readonly long[] _firstPosition;

    private ChunkEdgeList(ImmutableArray<ChunkEdgeRun> runs, int? repeating)
    {
        Runs = runs;
        Repeating = repeating;
        _firstChunk = new long[runs.Length];
        _firstPosition = new long[runs.Length];
        long chunk = 0, position = 0;
        for (var i = 0; i < runs.Length; i++)
        {
            var run = runs[i];
            if (run.Edge <= 0 || run.Count <= 0)
            {
                throw new ZarrException($"a chunk edge run must have a positive edge and count (got edge {run.Edge}, count {run.Count})");
            }

            _firstChunk[i] = chunk;
            _firstPosition[i] = position;
            try
            {
                chunk = checked(chunk + run.Count);
                position = checked(position + (run.Count * run.Edge));
            }
            catch (OverflowException e)
            {
                throw new ZarrException("the chunk edge lengths add up to more than a 64-bit length holds", e);
            }
        }

        ChunkCount = chunk;
        Length = position;
        MaxEdge = repeating ?? (runs.IsEmpty ? 1 : runs.Max(r => r.Edge));
    }

    /// <summary>The runs in order (empty for <see cref="Repeating"/>).</summary>
    public ImmutableArray<ChunkEdgeRun> Runs { get; }

    /// <summary>The extension's integer form: this edge repeated until it covers the axis; null for a list.</summary>
    public int? Repeating { get; }

    /// <summary>The number of chunks the list names (unbounded for <see cref="Repeating"/>: 0).</summary>
    public long ChunkCount { get; }

    /// <summary>The sum of the edge lengths (what the list covers; 0 for <see cref="Repeating"/>, which covers any length).</summary>
    public long Length { get; }

    /// <summary>The longest edge (the size a chunk buffer of this axis needs).</summary>
    public int MaxEdge { get; }

    /// <summary>The integer form: <paramref name="edge"/> repeated as far as the axis needs.</summary>
    /// <exception cref="ZarrException">The edge is not positive.</exception>
    public static ChunkEdgeList Regular(int edge) =>
        edge > 0 ? new ChunkEdgeList([], edge) : throw new ZarrException($"a chunk edge length must be positive (got {edge})");

    /// <summary>A list of runs, spelled in <c>zarr.json</c> as given.</summary>
    /// <exception cref="ZarrException">A run's edge or count is not positive, or the list is empty.</exception>
    public static ChunkEdgeList FromRuns(IEnumerable<ChunkEdgeRun> runs)
    {
        var list = runs.ToImmutableArray();
        return list.IsEmpty ? throw new ZarrException("a list of chunk edge lengths must name at least one chunk") : new ChunkEdgeList(list, null);
    }

    /// <summary>
    /// Explicit edge lengths, spelled compactly: a run of equal edges becomes one pair <c>[edge, count]</c> and a lone
    /// edge a plain integer.
    /// </summary>
    /// <exception cref="ZarrException">An edge is not positive, or there is none.</exception>
    public static ChunkEdgeList FromEdges(ReadOnlySpan<int> edges)
    {
        var runs = new List<ChunkEdgeRun>();
        var i = 0;
        while (i < edges.Length)
        {
            var j = i + 1;
            while (j < edges.Length && edges[j] == edges[i])
            {
                j++;
            }

            runs.Add(new ChunkEdgeRun(edges[i], j - i, Encoded: j - i > 1));
            i = j;
        }

        return FromRuns(runs);
    }

    /// <summary>
    /// The edges per dimension from the extension's <c>chunk_shapes</c> JSON (<c>[[31, 28, 31], 4, [[10, 3]]]</c>):
    /// per dimension an integer or a list of edges and run-length pairs <c>[edge, count]</c>.
    /// </summary>
    /// <exception cref="ZarrException">The text is not JSON of that form; the message says where.</exception>
    public static ImmutableArray<ChunkEdgeList> ParseChunkShapes(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var shapes = System.Text.Json.JsonDocument.Parse(json);
            var rank = shapes.RootElement.ValueKind == System.Text.Json.JsonValueKind.Array ? shapes.RootElement.GetArrayLength() : 0;
            using var configuration = System.Text.Json.JsonDocument.Parse("{\"kind\": \"inline\", \"chunk_shapes\": " + shapes.RootElement.GetRawText() + "}");
            return RectilinearGridJson.Parse(configuration.RootElement, new long[rank], "chunk_shapes");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new ZarrException($"chunk_shapes is not JSON: {e.Message}", e);
        }
    }

    /// <summary>The number of chunks needed to cover an axis of <paramref name="length"/> elements (chunks wholly past it are not in the grid).</summary>
    /// <exception cref="ZarrException">The edges add up to less than <paramref name="length"/>.</exception>
    public long ChunksCovering(long length)
    {
        if (length <= 0)
        {
            return 0;
        }

        if (Repeating is { } edge)
        {
            return (length / edge) + (length % edge == 0 ? 0 : 1);
        }

        if (Length < length)
        {
            throw new ZarrException($"the chunk edge lengths add up to {Length}, less than the axis length {length}");
        }

        return IndexOf(length - 1) + 1;
    }

    /// <summary>The index of the chunk holding array position <paramref name="position"/> (a binary search over the runs).</summary>
    public long IndexOf(long position)
    {
        if (Repeating is { } edge)
        {
            return position / edge;
        }

        var run = Find(_firstPosition, position);
        return _firstChunk[run] + ((position - _firstPosition[run]) / Runs[run].Edge);
    }

    /// <summary>The array position where chunk <paramref name="index"/> starts.</summary>
    public long StartOf(long index)
    {
        if (Repeating is { } edge)
        {
            return index * edge;
        }

        var run = Find(_firstChunk, index);
        return _firstPosition[run] + ((index - _firstChunk[run]) * Runs[run].Edge);
    }

    /// <summary>The edge length of chunk <paramref name="index"/>.</summary>
    public int EdgeOf(long index) => Repeating ?? Runs[Find(_firstChunk, index)].Edge;

    /// <summary>
    /// This list grown to cover <paramref name="length"/>: unchanged when it already does (or repeats), else with the
    /// last edge repeated as needed (so appending along time keeps the last chunk's length).
    /// </summary>
    public ChunkEdgeList CoverAtLeast(long length)
    {
        if (Repeating is not null || Length >= length)
        {
            return this;
        }

        var last = Runs[^1].Edge;
        var more = ((length - Length) / last) + ((length - Length) % last == 0 ? 0 : 1);
        return Append(last, more);
    }

    /// <summary>This list with <paramref name="count"/> chunks of <paramref name="edge"/> added at the end.</summary>
    /// <exception cref="ZarrException">This is the integer form (it has no end), or the edge or count is not positive.</exception>
    public ChunkEdgeList Append(int edge, long count = 1)
    {
        if (Repeating is not null)
        {
            throw new ZarrException("an axis of the integer form repeats its edge without end; no chunk edge can be appended to it");
        }

        var last = Runs[^1];
        var runs = last.Edge == edge && (last.Encoded || last.Count == 1) && count > 0
            ? Runs.SetItem(Runs.Length - 1, new ChunkEdgeRun(edge, last.Count + count, Encoded: true))
            : Runs.Add(new ChunkEdgeRun(edge, count, Encoded: count > 1));
        return new ChunkEdgeList(runs, null);
    }

    /// <summary>Every edge length of the first <paramref name="count"/> chunks (for display and tests; it allocates per chunk).</summary>
    public long[] Expand(long count)
    {
        var edges = new long[count];
        for (long i = 0; i < count; i++)
        {
            edges[i] = EdgeOf(i);
        }

        return edges;
    }

    /// <inheritdoc />
    public bool Equals(ChunkEdgeList? other) =>
        other is not null && Repeating == other.Repeating && Runs.AsSpan().SequenceEqual(other.Runs.AsSpan());

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ChunkEdgeList);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Repeating, Runs.Length, Runs.IsEmpty ? 0 : Runs[0].GetHashCode());

    /// <summary>The list as the CLI's <c>--chunks</c> spells it: <c>7</c> for the integer form, else edges joined by ':' with runs as <c>EDGExCOUNT</c> (<c>31:28:31x10</c>).</summary>
    public override string ToString() =>
        Repeating is { } edge ? edge.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : Runs.Length == 1 && Runs[0].Count == 1 ? $"{Runs[0].Edge}x1"
            : string.Join(":", Runs.Select(r => r.Count == 1 ? $"{r.Edge}" : $"{r.Edge}x{r.Count}"));

    // The run whose first value (chunk index or position) is the greatest at or below value.
    private static int Find(long[] firsts, long value)
    {
        var i = Array.BinarySearch(firsts, value);
        i = i >= 0 ? i : ~i - 1;
        return i < 0 ? 0 : Math.Min(i, firsts.Length - 1);
    }
}
