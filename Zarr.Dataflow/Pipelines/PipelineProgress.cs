namespace Zarr.Dataflow;

/// <summary>A snapshot of a running pipeline.</summary>
/// <param name="ChunksDone">Chunks that have left the last stage.</param>
/// <param name="ChunksTotal">Chunks the run will process.</param>
/// <param name="BytesRead">Bytes read from stores: encoded chunks fetched or, for region reads, the stored arrays' decoded bytes read; values computed (a generated array) count nothing.</param>
/// <param name="BytesWritten">Encoded bytes written to stores.</param>
/// <param name="Elapsed">Time since the run started.</param>
public readonly record struct PipelineProgress(long ChunksDone, long ChunksTotal, long BytesRead, long BytesWritten, TimeSpan Elapsed)
{
    /// <summary>The fraction done, 0 to 1 (1 for an empty run).</summary>
    public double Fraction => ChunksTotal == 0 ? 1 : (double)ChunksDone / ChunksTotal;

    /// <summary>The time left at the rate so far, or null before the first chunk is done.</summary>
    public TimeSpan? EstimatedRemaining =>
        ChunksDone == 0 ? null : TimeSpan.FromTicks((long)(Elapsed.Ticks * (double)(ChunksTotal - ChunksDone) / ChunksDone));
}
