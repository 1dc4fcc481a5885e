using System.Buffers;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using Zarr.Dataflow;
using Zarr.Dataflow.Distributed;
using Zarr.Storage;

namespace Zarr.AnalyticsService;

/// <summary>
/// Turns a request into work: statistics over a region of an array, or a copy/rechunk, both through the engine: in this
/// process, or as tasks on the configured cluster (<see cref="ServiceOptions.Cluster"/>).
/// </summary>
internal sealed class JobRunner(ServiceOptions options, ClusterAccess cluster)
{
    private const int StatsPhases = 1;

    /// <summary>Checks the request and returns the work to run.</summary>
    /// <exception cref="JobRequestException">The request is invalid; the exception names the field.</exception>
    public Func<Job, PipelineOptions, CancellationToken, Task<JsonObject>> Prepare(JobRequest request) => request.Kind switch
    {
        "stats" => PrepareStats(request),
        "copy" => PrepareCopy(request),
        _ => throw new JobRequestException("kind", $"kind must be 'stats' or 'copy', not '{request.Kind}'"),
    };

    private Func<Job, PipelineOptions, CancellationToken, Task<JsonObject>> PrepareStats(JobRequest request)
    {
        var path = Resolve(request.Path, "path");
        var region = ParseRegion(request.Region);
        if (cluster.Address is { } address && region.Length > 0)
        {
            throw new JobRequestException("region", $"a region is not supported when jobs run on a cluster ({address}): leave it out for the whole array");
        }

        return async (job, pipeline, cancellationToken) =>
        {
            var array = await ZarrArray.OpenAsync(Open(path, readOnly: true), "", AccessMode.Read, cancellationToken).ConfigureAwait(false);
            var workers = await WorkersAsync(job, cancellationToken).ConfigureAwait(false);
            return await (array.DataType.Accept(new Stats(array, region, job, pipeline, workers is null ? null : (workers, path), cancellationToken))
                ?? throw new InvalidOperationException($"statistics need a real number type, not {array.DataType}")).ConfigureAwait(false);
        };
    }

    /// <summary>Runs <see cref="StatsAsync{T}"/> as the array's element type; null for a type that is not a real number.</summary>
    private sealed class Stats(ZarrArray array, (long Start, long? Stop, long Step)[] region, Job job, PipelineOptions pipeline, (ITaskWorkers Workers, string Url)? onCluster, CancellationToken cancellationToken)
        : ZarrDataTypeVisitor<Task<JsonObject>?>
    {
        public override Task<JsonObject>? VisitNumber<T>() => StatsAsync(array.As<T>(), region, job, pipeline, onCluster, cancellationToken);

        protected override Task<JsonObject>? VisitDefault(ZarrDataType dataType) => null;
    }

    /// <summary>count, sum, mean, std, var (ddof 0), min, max and nan_count, as numpy computes them (integer sums exact in 64 bits, the rest in float64).</summary>
    private static async Task<JsonObject> StatsAsync<T>(ZarrArray<T> array, (long Start, long? Stop, long Step)[] region, Job job, PipelineOptions pipeline, (ITaskWorkers Workers, string Url)? onCluster, CancellationToken cancellationToken)
        where T : unmanaged, INumber<T>
    {
        var lazy = View(array, region);
        PipelineOptions Phase(string name, int index)
        {
            var o = pipeline.Clone();
            o.Progress = job.Phase(name, index, StatsPhases);
            return o;
        }

        // One pass over the region: every statistic from one reduction.
        var size = lazy.Size;
        // On a cluster: the same one-pass reduction as tasks on its workers, the same bits (the same combine tree).
        var stats = onCluster is { } c
            ? await ClusterJobs.StatisticsAsync<T>(c.Workers, c.Url, "", null, false, new ClusterJobOptions { FanIn = pipeline.FanIn, Progress = job.Phase("stats", 0, StatsPhases) }, cancellationToken).ConfigureAwait(false)
            : await lazy.StatisticsAsync(null, 0, Phase("stats", 0), cancellationToken).ConfigureAwait(false);
        // numpy sums integers in 64 bits: the exact integer, not its nearest double.
        JsonNode sum = stats.SumInt64 is { } signed ? signed[0] : stats.SumUInt64 is { } unsigned ? unsigned[0] : Number(stats.Sum[0]);
        var mean = stats.Mean[0];
        var variance = stats.Variance[0];
        double? min = size == 0 ? null : double.CreateTruncating(stats.Min[0]);
        double? max = size == 0 ? null : double.CreateTruncating(stats.Max[0]);
        var nonNaN = size - stats.NaNCount[0];
        return new JsonObject
        {
            ["shape"] = new JsonArray([.. lazy.Shape.Select(s => (JsonNode)s)]),
            ["count"] = size,
            ["sum"] = sum,
            ["mean"] = Number(mean),
            ["std"] = Number(Math.Sqrt(variance)),
            ["var"] = Number(variance),
            ["min"] = min is { } a ? Number(a) : null,
            ["max"] = max is { } b ? Number(b) : null,
            ["nan_count"] = size - nonNaN,
        };
    }

    private static JsonNode Number(double value) =>
        double.IsNaN(value) ? "NaN" : double.IsPositiveInfinity(value) ? "Infinity" : double.IsNegativeInfinity(value) ? "-Infinity" : JsonValue.Create(value);

    /// <summary>The region as a lazy array: the engine's view of the selection (the array itself when the region is everything), read asynchronously inside its pipelines.</summary>
    /// <exception cref="ArgumentException">The region has more dimensions than the array.</exception>
    private static LazyArray<T> View<T>(ZarrArray<T> array, (long Start, long? Stop, long Step)[] region)
        where T : unmanaged, INumber<T>
    {
        if (region.Length > array.Rank)
        {
            throw new ArgumentException($"the region has {region.Length} dimensions but the array has {array.Rank}");
        }

        return Lazy.From(array, [.. region.Select(r => Slice.Range(r.Start, r.Stop, r.Step))]);
    }

    private Func<Job, PipelineOptions, CancellationToken, Task<JsonObject>> PrepareCopy(JobRequest request)
    {
        var source = Resolve(request.Source, "source");
        var destination = Resolve(request.Destination, "destination");
        if (string.Equals(source, destination, StringComparison.Ordinal))
        {
            throw new JobRequestException("destination", "source and destination are the same array");
        }

        if (request.Format is not (null or 2 or 3))
        {
            throw new JobRequestException("format", $"format must be 2 or 3, not {request.Format}");
        }

        return async (job, pipeline, cancellationToken) =>
        {
            var array = await ZarrArray.OpenAsync(Open(source, readOnly: true), "", AccessMode.Read, cancellationToken).ConfigureAwait(false);
            var workers = await WorkersAsync(job, cancellationToken).ConfigureAwait(false);
            var arrayOptions = new ArrayOptions
            {
                Format = request.Format == 2 ? ZarrFormat.V2 : ZarrFormat.V3,
                Chunks = request.Chunks is { } chunks ? ImmutableArray.Create(chunks) : request.Shards is null ? array.Chunks : null,
                Shards = request.Shards is null ? null : ImmutableArray.Create(request.Shards),
                // A v2 source without a fill value keeps none (a v3 copy gets the type's zero).
                FillValue = array.Metadata.FillValueIsNull ? null : array.DataType.ValueToJson(array.Metadata.FillValue.AsSpan()),
                FillValueIsNull = array.Metadata.FillValueIsNull,
                Attributes = array.Attributes.ToJsonObject(),
            };
            // Decided before anything is written: what is the copy's to delete if it does not finish.
            var created = DestinationFolder.Claim(destination, request.Destination!, request.Overwrite);
            try
            {
                var target = await ZarrArray.CreateAsync(Open(destination, readOnly: false), "", array.DataType, array.Shape.ToArray(), arrayOptions, request.Overwrite, cancellationToken).ConfigureAwait(false);
                pipeline.Progress = job.Phase("copy", 0, 1);
                var stopwatch = Stopwatch.StartNew();
                // The engine copies whatever element type the array has: Lazy.From picks it from the data type. On a
                // cluster, each task writes whole chunks of the target it owns, as the local run writes them.
                long chunksCopied, read, written;
                if (workers is null)
                {
                    var report = await Lazy.From(array).StoreAsync(target, pipeline, cancellationToken).ConfigureAwait(false);
                    (chunksCopied, read, written) = (report.Chunks, report.BytesRead, report.BytesWritten);
                }
                else
                {
                    var report = await ClusterJobs.CopyAsync(workers, source, "", destination, "", new ClusterJobOptions { Progress = pipeline.Progress }, cancellationToken).ConfigureAwait(false);
                    (chunksCopied, read, written) = (report.Chunks, report.BytesRead, report.BytesWritten);
                }

                return new JsonObject
                {
                    ["chunks"] = chunksCopied,
                    ["bytes_read"] = read,
                    ["bytes_written"] = written,
                    ["seconds"] = Math.Round(stopwatch.Elapsed.TotalSeconds, 3),
                };
            }
            catch (Exception) when (created is not null)
            {
                // As zarr copy does: a copy that is cancelled or fails leaves nothing of its own behind, so that the same
                // job can run again.
                created.Delete();
                throw;
            }
        };
    }

    /// <summary>The cluster's workers (observed for the job's dashboard page), or null when jobs run in this process.</summary>
    private async Task<ITaskWorkers?> WorkersAsync(Job job, CancellationToken cancellationToken) =>
        cluster.Address is { } address ? job.Observe(await cluster.WorkersAsync(cancellationToken).ConfigureAwait(false), address.IsLocal ? "local (this process)" : address.ToString()) : null;

    /// <summary>The store of an array folder (wrapped as <see cref="ServiceOptions.StoreWrapper"/> says).</summary>
    private IStore Open(string path, bool readOnly)
    {
        IStore store = new DirectoryStore(path, new DirectoryStoreOptions { ReadOnly = readOnly });
        return options.StoreWrapper?.Invoke(store) ?? store;
    }

    /// <summary>A path relative to the data root, which it may not leave.</summary>
    private string Resolve(string? relative, string field)
    {
        if (string.IsNullOrWhiteSpace(relative))
        {
            throw new JobRequestException(field, $"'{field}' is required");
        }

        var root = Path.GetFullPath(options.DataRoot);
        var full = Path.GetFullPath(Path.Combine(root, relative));
        if (Path.IsPathRooted(relative) || !(full + Path.DirectorySeparatorChar).StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new JobRequestException(field, $"'{field}' must be a path inside the data folder: {relative}");
        }

        return full;
    }

    /// <summary>numpy slices per dimension, comma-separated: <c>start:stop[:step]</c> (each part optional).</summary>
    private static (long Start, long? Stop, long Step)[] ParseRegion(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        return [.. text.Split(',').Select(part =>
        {
            var fields = part.Trim().Split(':');
            if (fields.Length is < 2 or > 3)
            {
                throw new JobRequestException("region", $"region '{text}': '{part}' is not start:stop[:step]");
            }

            long? Field(string f) => f.Trim().Length == 0 ? null
                : long.TryParse(f.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v
                : throw new JobRequestException("region", $"region '{text}': '{f}' is not an integer");
            var step = fields.Length == 3 ? Field(fields[2]) ?? 1 : 1;
            if (step <= 0)
            {
                throw new JobRequestException("region", $"region '{text}': steps must be positive");
            }

            return (Field(fields[0]) ?? 0, Field(fields[1]), step);
        })];
    }
}
