using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Zarr.Dataflow;
using Zarr.Storage;
using Zarr.Storage.Buffers;

namespace Zarr.Cli.Commands;

/// <summary>
/// <c>zarr verify PATH [--json] [--repair]</c>: decodes every stored chunk of every array below PATH, which checks every
/// checksum the codecs carry (crc32c, a shard index's crc32c, zstd frame checksums, gzip's CRC, blosc's header and
/// sizes) and every decoded size, and names every bad chunk. Exit status 1 when any is bad. With <c>--repair</c>, a
/// folder's temporary files left by writers that were killed mid-write are deleted first (never those of a writer still
/// running; <see cref="DirectoryStore.SweepTemporaryFilesAsync"/>), and their number reported.
/// </summary>
internal static class VerifyCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create(CliConsole console, Option<bool> verbose)
    {
        var path = new Argument<string>("PATH") { Description = "The folder of an array or group, or a path inside a .zip file." };
        var json = new Option<bool>("--json") { Description = "Print {\"chunks\": n, \"bad\": [{\"key\", \"reason\"}]} (and \"swept\": n with --repair)." };
        var repair = new Option<bool>("--repair")
        {
            Description = "First delete the temporary files that killed writers left in the folder (never a running writer's); say how many.",
        };
        var command = new Command("verify", "Decode every chunk of every array and check every checksum; name every bad chunk (exit 1 if any).") { path, json, repair };
        command.SetAction((result, cancellationToken) => ZarrCommand.GuardAsync(
            console,
            result.GetValue(verbose),
            () => RunAsync(console, result.GetRequiredValue(path), result.GetValue(json), result.GetValue(repair), cancellationToken)));
        return command;
    }

    private static async Task RunAsync(CliConsole console, string path, bool json, bool repair, CancellationToken cancellationToken)
    {
        int? swept = null;
        if (repair)
        {
            if (!Directory.Exists(path))
            {
                throw new UsageException($"{path}: --repair sweeps a folder's temporary files, and this is not a folder");
            }

            swept = await new DirectoryStore(path).SweepTemporaryFilesAsync(cancellationToken).ConfigureAwait(false);
        }

        var bad = new ConcurrentBag<(string Key, string Reason)>();
        await ReadingNode.VisitAsync(
            path,
            // Read the hierarchy from the stores' own documents, not a consolidated snapshot that could hide a damaged one.
            AccessMode.ReadWrite,
            array => CheckAsync(console, path, json, swept, [array], bad, cancellationToken),
            async group =>
            {
                var arrays = new List<ZarrArray>();
                await foreach (var member in group.WalkAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (member.Kind != NodeKind.Array)
                    {
                        continue;
                    }

                    try
                    {
                        arrays.Add(await ZarrArray.OpenAsync(group.Store, member.Path, AccessMode.Read, cancellationToken).ConfigureAwait(false));
                    }
                    catch (ZarrException ex)
                    {
                        bad.Add((member.Path, "metadata: " + ex.Message));
                    }
                }

                await CheckAsync(console, path, json, swept, arrays, bad, cancellationToken).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Verifies <paramref name="arrays"/> (their store still open) and reports; a bad chunk ends in exit status 1.</summary>
    private static async Task CheckAsync(CliConsole console, string path, bool json, int? swept, List<ZarrArray> arrays, ConcurrentBag<(string Key, string Reason)> bad, CancellationToken cancellationToken)
    {
        long checkedChunks = 0;
        await CliProgress.RunAsync(console, async progress =>
        {
            foreach (var array in arrays)
            {
                checkedChunks += await VerifyArrayAsync(array, bad, progress(array.Path.Length == 0 ? "verify" : array.Path), cancellationToken).ConfigureAwait(false);
            }

            return true;
        }).ConfigureAwait(false);

        var sorted = bad.OrderBy(b => b.Key, StringComparer.Ordinal).ToList();
        if (json)
        {
            var report = new JsonObject
            {
                ["chunks"] = checkedChunks,
                ["bad"] = new JsonArray([.. sorted.Select(b => (JsonNode)new JsonObject { ["key"] = b.Key, ["reason"] = b.Reason })]),
            };
            if (swept is { } count)
            {
                report["swept"] = count;
            }

            await console.WriteJsonAsync(report).ConfigureAwait(false);
        }
        else
        {
            var text = new StringBuilder();
            if (swept is { } count)
            {
                text.Append(CultureInfo.InvariantCulture, $"{count} temporary file{(count == 1 ? "" : "s")} of killed writers deleted\n");
            }

            text.Append(CultureInfo.InvariantCulture, $"{checkedChunks} chunks in {arrays.Count} array{(arrays.Count == 1 ? "" : "s")} checked: ");
            text.Append(sorted.Count == 0 ? "all good" : $"{sorted.Count} bad");
            foreach (var (key, reason) in sorted)
            {
                text.Append("\n  BAD ").Append(key).Append(": ").Append(reason);
            }

            await console.WriteLineAsync(text.ToString()).ConfigureAwait(false);
        }

        if (sorted.Count > 0)
        {
            throw new CliException($"{path}: {sorted.Count} bad chunk{(sorted.Count == 1 ? "" : "s")}, first {sorted[0].Key}");
        }
    }

    /// <summary>Fetches and decodes every stored chunk of the array, a few at once; returns how many were checked.</summary>
    private static async Task<long> VerifyArrayAsync(ZarrArray array, ConcurrentBag<(string Key, string Reason)> bad, IProgress<PipelineProgress>? progress, CancellationToken cancellationToken)
    {
        var chunks = new List<(long[] Coordinates, string Key, long Size)>();
        await foreach (var chunk in StoredChunks.ListAsync(array, cancellationToken).ConfigureAwait(false))
        {
            chunks.Add(chunk);
        }

        long done = 0, read = 0;
        var stopwatch = Stopwatch.StartNew();
        var options = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(chunks, options, async (chunk, token) =>
        {
            try
            {
                using var encoded = await array.ChunkStorage.FetchAsync(chunk.Coordinates, token).ConfigureAwait(false);
                if (encoded is null)
                {
                    bad.Add((chunk.Key, "listed but could not be read"));
                }
                else
                {
                    Interlocked.Add(ref read, encoded.Length);
                    using var decoded = PooledBuffer.RentDecoded(array.ChunkStorage.ByteLength);
                    array.ChunkStorage.Decode(encoded.Span, chunk.Coordinates, decoded.Span);
                }
            }
            catch (ZarrCodecException ex)
            {
                bad.Add((chunk.Key, $"codec '{ex.Codec}': {ex.Reason}"));
            }
            catch (OperationCanceledException)
            {
                throw;
            }
#pragma warning disable CA1031 // a verifier reports every failure of a chunk and goes on with the others
            catch (Exception ex)
#pragma warning restore CA1031
            {
                bad.Add((chunk.Key, ex.Message));
            }

            var finished = Interlocked.Increment(ref done);
            progress?.Report(new PipelineProgress(finished, chunks.Count, Interlocked.Read(ref read), 0, stopwatch.Elapsed));
        }).ConfigureAwait(false);
        return chunks.Count;
    }
}
