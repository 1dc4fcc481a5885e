using System.Text.Json;
using System.Text.Json.Serialization;

namespace Zarr.Dataflow.Distributed;

/// <summary>The jobs a task can belong to.</summary>
internal static class JobKinds
{
    /// <summary>Copies (rechunks, recompresses) an array into an existing one: each task writes whole chunks it owns.</summary>
    public const string Copy = "copy";

    /// <summary>One partial of a one-pass statistics reduction over some axes.</summary>
    public const string Statistics = "statistics";

    /// <summary>One partial of a histogram over some axes (counts per cell and bin).</summary>
    public const string Histogram = "histogram";
}

/// <summary>
/// One task of a job, as it travels to a worker: small and self-contained (store URLs, array paths, the job and its
/// parameters, the chunks it owns), serialized as JSON so that any transport can carry it as bytes and the engine
/// itself needs no serializer of the transport's. Running it twice writes the same bytes: a copy task writes whole
/// chunks; a statistics task writes nothing and returns its partial.
/// </summary>
internal sealed record ClusterTask
{
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>The job: one of <see cref="JobKinds"/>.</summary>
    public required string Job { get; init; }

    /// <summary>The stage the task belongs to (named in failures).</summary>
    public required string Stage { get; init; }

    /// <summary>The task's position in its stage.</summary>
    public required int Index { get; init; }

    /// <summary>The URL (or absolute path) of the store the input array is in.</summary>
    public required string SourceUrl { get; init; }

    /// <summary>The input array's path in its store.</summary>
    public required string SourcePath { get; init; }

    /// <summary>A copy's output store URL.</summary>
    public string? TargetUrl { get; init; }

    /// <summary>A copy's output array path.</summary>
    public string? TargetPath { get; init; }

    /// <summary>A reduction's axes (null: every axis).</summary>
    public int[]? Axes { get; init; }

    /// <summary>A histogram's bin edges.</summary>
    public double[]? Edges { get; init; }

    /// <summary>Whether a statistics reduction leaves NaNs out.</summary>
    public bool SkipNaN { get; init; }

    /// <summary>
    /// The chunks the task owns, by grid coordinates: a copy's output chunks; a reduction's input chunks, all of one
    /// block of the result, at consecutive positions of that block's combine tree starting at <see cref="FirstPosition"/>.
    /// </summary>
    public required long[][] Chunks { get; init; }

    /// <summary>A reduction task's first position in its block's combine tree (a multiple of the subtree size).</summary>
    public long FirstPosition { get; init; }

    /// <summary>The reduction's fan-in (the same as the local engine's, so the combine tree is the same).</summary>
    public int FanIn { get; init; } = 8;

    /// <summary>The memory the task is projected to need at most, in bytes.</summary>
    public long ProjectedBytes { get; init; }

    /// <summary>What a failure message calls this task: stage, index and its first chunk.</summary>
    public string Describe() =>
        $"task {Index} of stage '{Stage}' (chunk ({string.Join(", ", Chunks.Length == 0 ? [] : Chunks[0])}){(Chunks.Length > 1 ? $" and {Chunks.Length - 1} more" : "")})";

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <exception cref="ZarrClusterException">The bytes are not a task.</exception>
    public static ClusterTask FromJson(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize<ClusterTask>(json, Json) ?? throw new ZarrClusterException("a task description is empty (null)");
        }
        catch (JsonException ex)
        {
            throw new ZarrClusterException($"a task description is not valid: {ex.Message}", ex);
        }
    }
}

/// <summary>What a worker sends back for a task: its counts and, for a reduction, its partial; or why it failed.</summary>
internal sealed record TaskReceipt
{
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public int Index { get; init; }

    public long Chunks { get; init; }

    public long BytesRead { get; init; }

    public long BytesWritten { get; init; }

    /// <summary>Seconds the worker spent on the task (from reading its description to its receipt): a send's round trip less this is the transport's.</summary>
    public double WorkerSeconds { get; init; }

    /// <summary>A reduction task's partial, serialized (see <see cref="StatisticsPartials"/>).</summary>
    public byte[]? Partial { get; init; }

    /// <summary>The failure's message, or null when the task succeeded.</summary>
    public string? Error { get; init; }

    /// <summary>The chunk the failure concerns, where known.</summary>
    public long[]? ErrorChunk { get; init; }

    /// <summary>Whether running the task again cannot help (it does not fit the worker's memory budget).</summary>
    public bool Refused { get; init; }

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    public static TaskReceipt FromJson(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize<TaskReceipt>(json, Json) ?? throw new ZarrClusterException("a task receipt is empty (null)");
        }
        catch (JsonException ex)
        {
            throw new ZarrClusterException($"a task receipt is not valid: {ex.Message}", ex);
        }
    }
}
