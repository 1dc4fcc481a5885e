namespace Zarr.Storage.Chunks;

/// <summary>
/// The one loop over the chunks of a plan: runs a body for each chunk, in parallel across chunks up to a degree the
/// caller sets (the array's, or 1 when a pipeline stage owns the concurrency).
/// </summary>
internal static class ChunkLoop
{
    /// <summary>Runs <paramref name="body"/> for each chunk of <paramref name="plan"/>, at most <paramref name="maxConcurrency"/> at once.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxConcurrency"/> is less than 1.</exception>
    public static async Task RunAsync<TChunk>(IChunkPlan<TChunk> plan, int maxConcurrency, Func<TChunk, CancellationToken, ValueTask> body, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrency, 1);
        if (plan.ChunkCount == 0)
        {
            return;
        }

        if (plan.ChunkCount == 1 || maxConcurrency == 1)
        {
            foreach (var chunk in plan.Chunks())
            {
                cancellationToken.ThrowIfCancellationRequested();
                await body(chunk, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        var options = new ParallelOptions { MaxDegreeOfParallelism = maxConcurrency, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(plan.Chunks(), options, body).ConfigureAwait(false);
    }
}
