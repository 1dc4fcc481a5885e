using System.Collections.Immutable;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using Zarr.Dataflow;
using Zarr.Dataflow.Distributed;
using Zarr.Dataflow.Orleans;
using Zarr.Storage;
using Zarr.Storage.Buffers;
using Zarr.Storage.Chunks;
using Zarr.Storage.Codecs;
using Zarr.Storage.Internal;

namespace Zarr.Cli.Commands;

/// <summary>
/// <c>zarr copy SRC DST [create options] [--json]</c>: an array or a whole group, converting format, rechunking,
/// recompressing, sharding. Real numeric arrays go through the engine (<see cref="LazyArray{T}.StoreAsync(ZarrArray{T}, PipelineOptions?, CancellationToken)"/>,
/// which rechunks when the grids differ); other fixed-size types (bool, complex, ...), and the copies whose fill value needs
/// it (<see cref="ChunkCopy.FillNeedsExactCopy"/>), chunk by chunk through the storage steps (<see cref="ChunkCopy"/>);
/// variable-length strings a chunk at a time through <see cref="ZarrStringArray"/> (<see cref="StringCopy"/>). Every way
/// memory stays bounded by a few chunks per worker. Every array's target is settled before anything is written, so a
/// wrong option or a type the target format cannot hold fails first, in one line naming the array.
/// </summary>
/// <remarks>
/// What the options leave unsaid follows the source where CLI.md has no default of its own: the chunk shape (the
/// stored grid; a sharded source copied to v3 without <c>--chunks</c>/<c>--shards</c> keeps its shards and inner chunks),
/// the fill value (its exact bytes; a v2 source without one, <c>"fill_value": null</c>, has none in a v2 copy and the type's
/// zero in a v3 one), the attributes (<c>--attr</c> adds to them), and the dimension names (v3 targets). The format (3) and the codecs
/// (<c>blosc:lz4:5:shuffle</c>; blosc's typesize is 1 for strings) take CLI.md's defaults; filters, order F and big-endian
/// storage are not kept (the values are, exactly). Not copied, each refused up front: a structured type with sub-array
/// fields or a field's own byte order to v3 (its <c>struct</c> has neither), and variable-length strings in shards.
/// </remarks>
internal static class CopyCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create(CliConsole console, Option<bool> verbose)
    {
        var source = new Argument<string>("SRC") { Description = "The array or group to copy (a folder, or a path inside a .zip file)." };
        var destination = new Argument<string>("DST") { Description = "The new array or group (a folder, or a path inside a .zip file, which is created or added to)." };
        var json = new Option<bool>("--json") { Description = "Print {\"arrays\", \"chunks_written\", \"bytes_read\", \"bytes_written\", \"seconds\"}." };
        var options = new CreateOptions();
        var cluster = ClusterChoice.CreateOption("Run the copy on a cluster's workers: local (a silo in this process) or redis://HOST:PORT; DST must be writable by every worker (a folder or an object store, not a .zip file). Prints what the local run prints.");
        var dashboard = CliDashboard.CreateOption("copy");
        var command = new Command("copy", "Copy an array or a group: convert the format, rechunk, recompress, shard.") { source, destination, json, cluster, dashboard };
        options.AddTo(command);
        command.SetAction((result, cancellationToken) => ZarrCommand.GuardAsync(
            console,
            result.GetValue(verbose),
            () => CliDashboard.RunAsync(console, result.GetValue(dashboard), $"copy {result.GetRequiredValue(source)} → {result.GetRequiredValue(destination)}", (board, ct) => RunAsync(console, result.GetRequiredValue(source), result.GetRequiredValue(destination), options.Read(result), result.GetValue(json), ClusterChoice.Parse(result.GetValue(cluster)), board, ct), cancellationToken)));
        return command;
    }

    private static async Task RunAsync(CliConsole console, string source, string destination, CreateRequest request, bool json, ClusterAddress? cluster, CliDashboard? dashboard, CancellationToken cancellationToken)
    {
        if (string.Equals(Path.GetFullPath(source).TrimEnd('/'), Path.GetFullPath(destination).TrimEnd('/'), StringComparison.Ordinal))
        {
            throw new UsageException($"SRC and DST are the same path ({source})");
        }

        var stopwatch = Stopwatch.StartNew();
        var totals = new CopyTotals();
        var sourceNode = await NodeLocation.OpenForReadAsync(source, cancellationToken).ConfigureAwait(false);
        await using (sourceNode.ConfigureAwait(false))
        {
            var (type, _) = await NodeLocation.ProbeAsync(sourceNode.Store, cancellationToken).ConfigureAwait(false);
            if (type == NodeType.None)
            {
                throw new CliException($"no array or group at {source}");
            }

            var target = await NodeLocation.OpenForWriteAsync(destination, cancellationToken).ConfigureAwait(false);
            await using (target.ConfigureAwait(false))
            {
                await Destination.CheckAsync(target, destination, request.Overwrite, cancellationToken).ConfigureAwait(false);
                var parents = await ParentGroups.PlanAsync(target, destination, cancellationToken).ConfigureAwait(false);

                // Open every source array and settle its options first, so that a wrong option fails before anything is written.
                var plan = type == NodeType.Array
                    ? await PlanArrayAsync(sourceNode.Store, source, request, cancellationToken).ConfigureAwait(false)
                    : await PlanGroupAsync(sourceNode.Store, source, request, cancellationToken).ConfigureAwait(false);
                // A destination folder that did not exist, was empty or is overwritten is ours to clean up if the copy fails.
                var ours = target.Folder is { } folder ? DestinationFolder.Claim(folder, destination, request.Overwrite) : null;
                if (request.Overwrite)
                {
                    await target.Store.DeletePrefixAsync("", cancellationToken).ConfigureAwait(false);
                }

                if (cluster is not null && target.Zip is not null)
                {
                    throw new UsageException($"--cluster needs a destination every worker can write: a folder or an object store, not a path in a .zip file ({destination})");
                }

                try
                {
                    var connection = cluster is null ? null : await ClusterChoice.ConnectAsync(cluster, cancellationToken).ConfigureAwait(false);
                    try
                    {
                        var onCluster = connection is null ? null : new ClusterCopy(dashboard.Observe(connection.Workers, cluster!), ClusterChoice.UrlOf(source), ClusterChoice.UrlOf(destination));
                        await CliProgress.RunAsync(console, async progress =>
                        {
                            await CopyAsync(plan, target.Store, request.Format, onCluster, dashboard.Track(progress), totals, cancellationToken).ConfigureAwait(false);
                            return true;
                        }).ConfigureAwait(false);
                    }
                    finally
                    {
                        if (connection is not null)
                        {
                            await connection.DisposeAsync().ConfigureAwait(false);
                        }
                    }
                }
                catch (Exception) when (ours is not null)
                {
                    // Leave no half-copied hierarchy behind (a zip file is simply not committed).
                    ours.Delete();
                    throw;
                }

                try
                {
                    // The new folders above the copy become groups of its format, so that the parent opens as a group.
                    var (_, format) = await NodeLocation.ProbeAsync(target.Store, cancellationToken).ConfigureAwait(false);
                    await parents.WriteAsync(format, cancellationToken).ConfigureAwait(false);
                    await target.CommitAsync().ConfigureAwait(false);
                }
                catch (ZarrException ex)
                {
                    throw new CliException($"{destination}: {ex.Message}", ex);
                }
            }
        }

        var seconds = stopwatch.Elapsed.TotalSeconds;
        if (json)
        {
            await console.WriteJsonAsync(new JsonObject
            {
                ["arrays"] = totals.Arrays,
                ["chunks_written"] = totals.ChunksWritten,
                ["bytes_read"] = totals.BytesRead,
                ["bytes_written"] = totals.BytesWritten,
                ["seconds"] = Math.Round(seconds, 3),
            }).ConfigureAwait(false);
        }
        else
        {
            await console.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"copied {totals.Arrays} array{(totals.Arrays == 1 ? "" : "s")}: {totals.ChunksWritten} chunks written; read {CliProgress.Human(totals.BytesRead)}, wrote {CliProgress.Human(totals.BytesWritten)} in {seconds:0.00} s")).ConfigureAwait(false);
        }
    }

    private static async Task<T> Open<T>(string where, Func<Task<T>> open)
    {
        try
        {
            return await open().ConfigureAwait(false);
        }
        catch (ZarrException ex)
        {
            throw new CliException($"{where}: {ex.Message}", ex);
        }
    }

    /// <summary>What a copy will do: the groups to create (with their attributes) and the arrays to copy.</summary>
    private sealed record CopyPlan(ZarrGroup? Root, JsonObject? RootAttributes, List<(string Path, JsonObject Attributes)> Groups, List<ArrayCopy> Arrays);

    /// <summary>One array to copy: the source, the copy's path in the destination, its metadata (as its document will say it) and the source's name for messages.</summary>
    private sealed record ArrayCopy(ZarrArray Source, string Path, ArrayMetadata Target, string Where);

    private static async Task<CopyPlan> PlanArrayAsync(Zarr.Storage.IStore store, string source, CreateRequest request, CancellationToken cancellationToken)
    {
        var array = await Open(source, () => ZarrArray.OpenAsync(store, "", AccessMode.Read, cancellationToken)).ConfigureAwait(false);
        return new CopyPlan(null, null, [], [Plan(array, "", request, request.Attributes, source)]);
    }

    /// <summary>The copy of one array, settled before anything is written: a wrong option or a type the target format cannot hold fails here, naming the array.</summary>
    private static ArrayCopy Plan(ZarrArray source, string path, CreateRequest request, JsonObject? extraAttributes, string where)
    {
        try
        {
            return new ArrayCopy(source, path, TargetMetadata(source, request, extraAttributes), where);
        }
        catch (UsageException ex)
        {
            throw new UsageException($"{where}: {ex.Message}", ex);
        }
        catch (ZarrException ex)
        {
            throw new CliException($"{where}: {ex.Message}", ex);
        }
    }

    private static async Task<CopyPlan> PlanGroupAsync(Zarr.Storage.IStore store, string source, CreateRequest request, CancellationToken cancellationToken)
    {
        var group = await Open(source, () => ZarrGroup.OpenAsync(store, "", AccessMode.Read, cancellationToken)).ConfigureAwait(false);
        var attributes = group.Attributes.ToJsonObject();
        foreach (var (key, value) in request.Attributes ?? [])
        {
            attributes[key] = value?.DeepClone();
        }

        var groups = new List<(string, JsonObject)>();
        var arrays = new List<ArrayCopy>();
        var entries = new List<NodeEntry>();
        await foreach (var entry in group.WalkAsync(cancellationToken).ConfigureAwait(false))
        {
            entries.Add(entry);
        }

        foreach (var entry in entries)
        {
            var where = $"{source}/{entry.Path}";
            if (entry.Kind == NodeKind.Group)
            {
                var child = await Open(where, () => group.OpenGroupAsync(entry.Path, cancellationToken)).ConfigureAwait(false);
                groups.Add((entry.Path, child.Attributes.ToJsonObject()));
                continue;
            }

            var array = await Open(where, () => group.OpenArrayAsync(entry.Path, cancellationToken)).ConfigureAwait(false);
            try
            {
                // --attr is for the group being copied, not for every array in it.
                arrays.Add(Plan(array, entry.Path, request, null, where));
            }
            catch (UsageException ex)
            {
                throw new UsageException($"{ex.Message} (copy the arrays one by one to give each its own options)", ex);
            }
        }

        // A parent group before its children.
        groups.Sort((x, y) => x.Item1.Count(c => c == '/').CompareTo(y.Item1.Count(c => c == '/')));
        return new CopyPlan(group, attributes, groups, arrays);
    }

    private static async Task CopyAsync(CopyPlan plan, Zarr.Storage.IStore targetStore, ZarrFormat format, ClusterCopy? cluster, Func<string, IProgress<PipelineProgress>?> progress, CopyTotals totals, CancellationToken cancellationToken)
    {
        ZarrGroup? root = null;
        if (plan.Root is not null)
        {
            root = await ZarrGroup.CreateAsync(targetStore, "", format, plan.RootAttributes, false, cancellationToken).ConfigureAwait(false);
            foreach (var (path, attributes) in plan.Groups)
            {
                await ZarrGroup.CreateAsync(targetStore, path, format, attributes, false, cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var array in plan.Arrays)
        {
            var name = array.Path.Length == 0 ? Path.GetFileName(Path.TrimEndingDirectorySeparator(array.Where)) : array.Path;
            await CopyArrayAsync(array, targetStore, cluster, progress(name), totals, cancellationToken).ConfigureAwait(false);
        }

        if (root is not null && plan.Root!.UsesConsolidatedMetadata)
        {
            await root.ConsolidateMetadataAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The metadata of the copy of <paramref name="source"/>, as its document will say it: built from
    /// <see cref="TargetOptions"/> with the source's fill value as bytes (a v2 fill value, such as a structured type's with
    /// sub-array fields, need not have a v3 JSON form), then written in the target's format and read back. That finds what
    /// the format cannot hold before anything is written, and gives the fill value the copy will read (v2 JSON cannot say
    /// a NaN's payload: there it is numpy's NaN).
    /// </summary>
    /// <exception cref="UsageException">An option does not fit the array (<c>--shards</c> for variable-length strings).</exception>
    /// <exception cref="ZarrException">The target format cannot hold the array (v3: a structured type with sub-array fields).</exception>
    internal static ArrayMetadata TargetMetadata(ZarrArray source, CreateRequest request, JsonObject? extraAttributes)
    {
        var metadata = source.Metadata;
        var options = TargetOptions(source, request, extraAttributes);
        if (!metadata.DataType.IsFixedSize && request.Shards is { } shards)
        {
            throw new UsageException($"--shards {string.Join(',', shards)}: variable-length strings in shards are not supported yet (copy this array without --shards)");
        }

        // As the copy will be written and read back; the fill value the request's (--fill) or the source's own bytes.
        return options.FillValue is not null
            ? ArrayMetadata.Create(metadata.Shape.AsSpan(), metadata.DataType, options)
            : ArrayMetadata.Create(metadata.Shape.AsSpan(), metadata.DataType, metadata.FillValue.AsSpan(), options);
    }

    /// <summary>
    /// The options of the copy of <paramref name="source"/>: the request, with what it leaves unsaid taken from the source.
    /// The fill value is the request's (<c>--fill</c>) or null, which <see cref="TargetMetadata"/> takes as the source's.
    /// </summary>
    internal static ArrayOptions TargetOptions(ZarrArray source, CreateRequest request, JsonObject? extraAttributes)
    {
        var metadata = source.Metadata;
        var options = request.ToArrayOptions(metadata.DataType, metadata.Rank);
        var innerChunks = InnerChunks(metadata);
        if (request.Chunks is null && request.Shards is null && request.ChunkEdges is null && !metadata.RectilinearChunks.IsDefault)
        {
            // A rectilinear source keeps its grid (its shards, when sharded); a v2 target refuses it, saying why.
            options = options with { ChunkEdges = metadata.RectilinearChunks, Chunks = innerChunks is null ? null : ImmutableArray.Create(innerChunks) };
        }
        else if (request.Chunks is null && request.Shards is null && request.ChunkEdges is null)
        {
            if (innerChunks is not null && request.Format == ZarrFormat.V3)
            {
                options = options with { Chunks = ImmutableArray.Create(innerChunks), Shards = metadata.ChunkShape };
            }
            else
            {
                options = options with { Chunks = metadata.ChunkShape };
            }
        }
        else if (request.Chunks is null && request.Shards is { } shards)
        {
            var keep = innerChunks ?? metadata.ChunkShape.ToArray();
            if (keep.Length == shards.Length && keep.Select((c, d) => shards[d] % c == 0).All(x => x))
            {
                options = options with { Chunks = ImmutableArray.Create(keep) };
            }
        }

        var attributes = source.Attributes.ToJsonObject();
        if (metadata.Format == ZarrFormat.V2 && metadata.DimensionNames is not null)
        {
            // The names travel as DimensionNames: a v3 copy writes dimension_names, a v2 one the attribute again.
            attributes.Remove("_ARRAY_DIMENSIONS");
        }

        foreach (var (key, value) in extraAttributes ?? [])
        {
            attributes[key] = value?.DeepClone();
        }

        // A v2 source without a fill value ("fill_value": null, as xarray writes its CF-encoded times) keeps none: a 0 would
        // become xarray's missing-value marker. A v3 target, which must have one, gets the type's zero.
        var keepNull = request.Fill is null && metadata.FillValueIsNull;

        // A v2 copy keeps the names as xarray's _ARRAY_DIMENSIONS, which needs a name for every dimension: names that v3
        // leaves partly null do not travel to v2 (nothing else of the array depends on them).
        var names = request.DimensionNames ?? metadata.DimensionNames;
        if (request.DimensionNames is null && request.Format == ZarrFormat.V2 && names is not null && names.Any(n => n is null))
        {
            names = null;
        }

        return options with
        {
            FillValue = request.Fill?.DeepClone(),
            FillValueIsNull = keepNull,
            Attributes = attributes,
            DimensionNames = names,
        };
    }

    /// <summary>
    /// The inner chunk shape of a sharded array in the array's own order of dimensions, or null when it is not sharded.
    /// The <c>sharding_indexed</c> codec's <c>chunk_shape</c> is in the order of what it receives, which a <c>transpose</c>
    /// before it permutes (codecs [transpose [1, 0], sharding (3, 2)] hold inner chunks of (2, 3) elements); the copy
    /// writes the same boxes with sharding alone.
    /// </summary>
    internal static int[]? InnerChunks(ArrayMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);

        // axes[i]: the array dimension that dimension i of the current codec's input is.
        var axes = Enumerable.Range(0, metadata.Rank).ToArray();
        foreach (var codec in metadata.Codecs)
        {
            switch (codec)
            {
                case TransposeCodec transpose:
                    axes = [.. transpose.Order.Select(o => axes[o])];
                    break;
                case ShardingCodec sharding:
                    var inner = new int[axes.Length];
                    for (var i = 0; i < axes.Length; i++)
                    {
                        inner[axes[i]] = sharding.ChunkShape[i];
                    }

                    return inner;
                case IArrayToBytesCodec:
                    return null;
            }
        }

        return null;
    }

    private static async Task CopyArrayAsync(ArrayCopy copy, Zarr.Storage.IStore targetStore, ClusterCopy? cluster, IProgress<PipelineProgress>? progress, CopyTotals totals, CancellationToken cancellationToken)
    {
        var (source, where) = (copy.Source, copy.Where);
        ZarrArray target;
        try
        {
            target = await ZarrArray.CreateFromMetadataAsync(targetStore, copy.Path, copy.Target, false, null, cancellationToken).ConfigureAwait(false);
        }
        catch (ZarrException ex)
        {
            throw new CliException($"{where}: {ex.Message}", ex);
        }

        try
        {
            var pipeline = new PipelineOptions { Progress = progress };
            // On a cluster, the engine's copy runs as tasks on the workers (the same stages per chunk, the same bytes); the
            // copies the engine does not do (exact fill bytes, strings and other non-numbers) run here, through the same store.
            INumericWork<long> work = cluster is null
                ? new EngineCopy(target, pipeline, cancellationToken)
                : new ClusterEngineCopy(cluster, copy.Path, progress, cancellationToken);
            var engine = ChunkCopy.FillNeedsExactCopy(source, target) ? null : NumericDispatch.TryRun(source, work);
            var bytesRead = await (source.DataType.IsFixedSize
                ? engine ?? ChunkCopy.CopyAsync(source, target, progress, ChunkCopy.ZarrPython2MisreadsFill(target.Metadata), cancellationToken)
                : StringCopy.CopyAsync(source, target, progress, cancellationToken)).ConfigureAwait(false);
            var (chunks, bytes) = await StoredChunks.MeasureAsync(target, cancellationToken).ConfigureAwait(false);
            totals.Add(chunks, bytesRead, bytes);
        }
        catch (ZarrException ex)
        {
            throw new CliException($"{where}: {ex.Message}", ex);
        }
    }

    /// <summary>The whole array through the engine: fetch → decode → encode → store, or region reads when the grids differ.</summary>
    private sealed class EngineCopy(ZarrArray target, PipelineOptions options, CancellationToken cancellationToken) : INumericWork<long>
    {
        public async Task<long> RunAsync<T>(ZarrArray<T> array) where T : unmanaged, INumber<T>
        {
            var report = await Lazy.From(array).StoreAsync(target.As<T>(), options, cancellationToken).ConfigureAwait(false);
            return report.BytesRead;
        }
    }

    /// <summary>Where the engine's copies run with <c>--cluster</c>: the workers, and the URLs they open SRC and DST by.</summary>
    private sealed record ClusterCopy(ITaskWorkers Workers, string SourceUrl, string TargetUrl);

    /// <summary>The engine's copy of one array as tasks on a cluster's workers; the array's path is the same under SRC and DST.</summary>
    private sealed class ClusterEngineCopy(ClusterCopy cluster, string path, IProgress<PipelineProgress>? progress, CancellationToken cancellationToken) : INumericWork<long>
    {
        public async Task<long> RunAsync<T>(ZarrArray<T> array) where T : unmanaged, INumber<T>
        {
            var report = await ClusterJobs.CopyAsync(cluster.Workers, cluster.SourceUrl, path, cluster.TargetUrl, path, new ClusterJobOptions { Progress = progress }, cancellationToken).ConfigureAwait(false);
            return report.BytesRead;
        }
    }

    private sealed class CopyTotals
    {
        public long Arrays { get; private set; }

        public long ChunksWritten { get; private set; }

        public long BytesRead { get; private set; }

        public long BytesWritten { get; private set; }

        public void Add(long chunks, long bytesRead, long bytesWritten)
        {
            Arrays++;
            ChunksWritten += chunks;
            BytesRead += bytesRead;
            BytesWritten += bytesWritten;
        }
    }
}
