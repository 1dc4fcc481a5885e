using System.Diagnostics;
using Zarr.Dataflow;
using Zarr.Dataflow.Blocks;
using Zarr.Storage;

namespace Zarr.Cli.Commands;

/// <summary>
/// Copies a variable-length string array through <see cref="ZarrStringArray"/>, a target chunk at a time: its region is
/// read from the source as strings and written whole, through the target's codecs (a chunk of nothing but the fill value
/// is not stored). Memory: one chunk's strings per worker.
/// </summary>
internal static class StringCopy
{
    /// <summary>Copies every string of <paramref name="source"/> into <paramref name="target"/> and returns the bytes read (the strings' UTF-8 bytes).</summary>
    public static async Task<long> CopyAsync(ZarrArray source, ZarrArray target, IProgress<PipelineProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        var from = new ZarrStringArray(source);
        var to = new ZarrStringArray(target);
        var grid = target.Grid;
        var keepNull = target.Metadata.FillValueIsNull;
        var total = grid.ChunkCount;
        long done = 0, read = 0;
        var stopwatch = Stopwatch.StartNew();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(ChunkBlocks.Requests(grid), parallel, async (request, token) =>
        {
            var selection = request.Region.ToSlices();
            var (values, _) = await from.ReadAsync(selection, token).ConfigureAwait(false);
            Interlocked.Add(ref read, values.Sum(v => v is null ? 0L : System.Text.Encoding.UTF8.GetByteCount(v)));

            // A v2 source without a fill value reads its missing elements as null. A v2 copy without one keeps a chunk of
            // them missing; anywhere else null is written as the type's zero, the empty string (a v3 copy of numbers without
            // a fill value gets zeros; zarr-python 2 stores a None in a vlen-utf8 chunk as "").
            if (!(keepNull && Array.TrueForAll(values, v => v is null)))
            {
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] ??= "";
                }

                await to.WriteAsync(selection, values, token).ConfigureAwait(false);
            }

            var finished = Interlocked.Increment(ref done);
            progress?.Report(new PipelineProgress(finished, total, Interlocked.Read(ref read), 0, stopwatch.Elapsed));
        }).ConfigureAwait(false);
        return read;
    }
}
