using Zarr.Storage;
using Zarr.Storage.Internal;

namespace Zarr.Dataflow;

/// <summary>
/// The first failure of a pipeline: names the stage and the chunk it was working on; the original exception is the
/// <see cref="Exception.InnerException"/>. A pipeline throws exactly one of these however many workers were running.
/// </summary>
public sealed class ZarrPipelineException : ZarrException
{
    /// <summary>Creates the exception for a stage and a chunk.</summary>
    /// <param name="stage">The stage that failed.</param>
    /// <param name="coordinates">The chunk's grid coordinates, if the failure concerns one chunk.</param>
    /// <param name="chunkKey">The chunk's store key, where known.</param>
    /// <param name="innerException">The original exception.</param>
    public ZarrPipelineException(string stage, long[]? coordinates, string? chunkKey, Exception innerException)
        : base(Format(stage, coordinates, chunkKey, innerException), innerException)
    {
        ArgumentNullException.ThrowIfNull(stage);
        Stage = stage;
        Coordinates = coordinates is null ? null : (long[])coordinates.Clone();
        ChunkKey = chunkKey;
    }

    /// <summary>The stage that failed.</summary>
    public string Stage { get; }

    /// <summary>The chunk's coordinates, or null.</summary>
    public IReadOnlyList<long>? Coordinates { get; }

    /// <summary>The chunk's store key, or null.</summary>
    public string? ChunkKey { get; }

    private static string Format(string stage, long[]? coordinates, string? key, Exception inner)
    {
        var where = coordinates is null ? "" : $" at chunk ({string.Join(", ", coordinates)})";
        var k = key is null ? "" : $" key {UserText.Quote(key)}";
        return $"pipeline stage '{stage}' failed{where}{k}: {inner?.Message}";
    }
}
