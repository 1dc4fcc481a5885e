using System.Buffers;
using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;
using System.Text.Json.Nodes;
using Spectre.Console;
using Zarr.Dataflow;
using Zarr.Dataflow.Blocks;
using Zarr.Dataflow.Distributed;
using Zarr.Dataflow.Orleans;
using Zarr.Storage;

namespace Zarr.Cli.Commands;

/// <summary>
/// <c>zarr stats PATH [--axis K[,K]] [--region R] [--skipna true|false] [--json]</c>: count, sum, mean, std, var, min,
/// max and nan_count through the engine, with numpy's semantics: population variance (ddof 0), std = sqrt(var),
/// integer sums in int64/uint64, means and variances in float64. As xarray's reductions, NaNs are skipped by default
/// (numpy's nansum, nanmean, ...); <c>--skipna false</c> propagates them as numpy's plain reductions do. <c>count</c>
/// is the number of elements counted into the statistics (the NaNs left out when skipping), <c>nan_count</c> the NaNs seen.
/// </summary>
internal static class StatsCommand
{
    /// <summary>The statistics, in the order printed.</summary>
    public static readonly string[] Fields = ["count", "sum", "mean", "std", "var", "min", "max", "nan_count"];

    /// <summary>Builds the verb.</summary>
    public static Command Create(CliConsole console, Option<bool> verbose)
    {
        var path = new Argument<string>("PATH") { Description = "The folder of an array, or a path inside a .zip file." };
        var axis = new Option<string>("--axis") { Description = "Reduce over these axes only (of the region's result, numpy's axis=...), e.g. 0 or 0,2; results become nested lists." };
        var region = new Option<string>("--region") { Description = "numpy slice grammar per dimension: 0:100,: or ::2,5 or -10: (an integer drops the dimension)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object: count, sum, mean, std, var, min, max, nan_count." };
        var skipNaN = new Option<bool>("--skipna")
        {
            Description = "Leave NaNs out of the statistics (xarray's default; numpy's nansum, nanmean, ...): true (the default) or false to propagate them as numpy's sum, mean, ... do.",
            DefaultValueFactory = _ => true,
            Arity = ArgumentArity.ZeroOrOne,
        };
        var cluster = ClusterChoice.CreateOption("Run the job on a cluster's workers: local (a silo in this process) or redis://HOST:PORT; prints what the local run prints.");
        var dashboard = CliDashboard.CreateOption("job");
        var command = new Command("stats", "Summary statistics of an array (or a region of it) through the engine, as numpy computes them; count = elements counted into the statistics, nan_count = NaNs seen.") { path, axis, region, skipNaN, json, cluster, dashboard };
        command.SetAction((result, cancellationToken) => ZarrCommand.GuardAsync(
            console,
            result.GetValue(verbose),
            () => CliDashboard.RunAsync(console, result.GetValue(dashboard), $"stats {result.GetRequiredValue(path)}", (board, ct) => RunAsync(
                console,
                result.GetRequiredValue(path),
                ParseAxes(result.GetValue(axis)),
                RegionParser.Parse(result.GetValue(region) ?? ""),
                result.GetValue(skipNaN),
                result.GetValue(json),
                ClusterChoice.Parse(result.GetValue(cluster)),
                board,
                ct), cancellationToken)));
        return command;
    }

    private static int[]? ParseAxes(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var parts = text.Split(',');
        var axes = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i].Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out axes[i]))
            {
                throw new UsageException($"--axis '{text}': '{parts[i].Trim()}' is not an integer");
            }
        }

        return axes;
    }

    private static async Task RunAsync(CliConsole console, string path, int[]? axes, IReadOnlyList<RegionItem> region, bool skipNaN, bool json, ClusterAddress? cluster, CliDashboard? dashboard, CancellationToken cancellationToken)
    {
        if (cluster is not null && region.Count > 0)
        {
            throw new UsageException("--region with --cluster: a cluster job reads whole arrays; leave out one of the two");
        }

        var node = await NodeLocation.OpenForReadAsync(path, cancellationToken).ConfigureAwait(false);
        await using var nodeScope = node.ConfigureAwait(false);
        JsonObject result;
        try
        {
            var (type, _) = await NodeLocation.ProbeAsync(node.Store, cancellationToken).ConfigureAwait(false);
            if (type != NodeType.Array)
            {
                throw new CliException(type == NodeType.Group ? $"{path} is a group; stats needs an array" : $"no array at {path}");
            }

            var array = await ZarrArray.OpenAsync(node.Store, "", AccessMode.Read, cancellationToken).ConfigureAwait(false);
            var resolved = RegionParser.Resolve(region, array.Shape);
            var outputRank = resolved.Count(r => !r.Dropped);
            var normalized = NormalizeAxes(axes, outputRank);
            var connection = cluster is null ? null : await ClusterChoice.ConnectAsync(cluster, cancellationToken).ConfigureAwait(false);
            var onCluster = connection is null ? null : new ClusterJob(dashboard.Observe(connection.Workers, cluster!), ClusterChoice.UrlOf(path));
            try
            {
                result = await CliProgress.RunAsync(console, progress =>
                    NumericDispatch.TryRun(array, new StatsWork(resolved, normalized, skipNaN, onCluster, dashboard.Track(progress), cancellationToken))
                    ?? throw new CliException($"{path}: stats needs a real number type; the data type is {array.DataType}")).ConfigureAwait(false);
            }
            finally
            {
                if (connection is not null)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
        catch (ZarrException ex)
        {
            throw new CliException($"{path}: {ex.Message}", ex);
        }

        if (json)
        {
            await console.WriteJsonAsync(result).ConfigureAwait(false);
            return;
        }

        // The counts say what they count, between the name and the value (scripts read the first and last words).
        var table = new Table().Border(TableBorder.None).AddColumn("statistic").AddColumn("").AddColumn("value");
        foreach (var (name, value) in result)
        {
            var meaning = name switch
            {
                "count" => skipNaN ? "(elements counted into the statistics, NaNs skipped)" : "(elements counted into the statistics)",
                "nan_count" => "(NaNs seen)",
                _ => "",
            };
            table.AddRow(Markup.Escape(name), Markup.Escape(meaning), Markup.Escape(value is JsonValue ? Plain(value) : value?.ToJsonString() ?? "null"));
        }

        // Rendered as plain text (no colour, no escape codes), without the padding Spectre puts at the ends of lines.
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        var ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(text),
        });
        ansi.Profile.Width = 4096;
        ansi.Write(table);
        var lines = text.ToString().Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0);
        await console.WriteLineAsync(string.Join('\n', lines)).ConfigureAwait(false);
    }

    private static string Plain(JsonNode value) =>
        value.GetValueKind() == System.Text.Json.JsonValueKind.String ? (string)value! : value.ToJsonString();

    /// <summary>numpy's axis rules: each in [-rank, rank), negatives count from the end, no repeats; null means every axis.</summary>
    private static int[]? NormalizeAxes(int[]? axes, int rank)
    {
        if (axes is null)
        {
            return null;
        }

        var normalized = new int[axes.Length];
        for (var i = 0; i < axes.Length; i++)
        {
            var a = axes[i] < 0 ? axes[i] + rank : axes[i];
            if (a < 0 || a >= rank)
            {
                throw new UsageException($"--axis {axes[i]} is out of bounds for a result of {rank} dimension{(rank == 1 ? "" : "s")}");
            }

            normalized[i] = a;
        }

        if (normalized.Distinct().Count() != normalized.Length)
        {
            throw new UsageException($"--axis {string.Join(',', axes)} repeats an axis");
        }

        return normalized;
    }

    /// <summary>The statistics of a typed array, through the engine's reductions.</summary>
    /// <summary>Where a job runs when <c>--cluster</c> is given: the cluster's workers, and the URL they open the array by.</summary>
    private sealed record ClusterJob(ITaskWorkers Workers, string StoreUrl);

    private sealed class StatsWork(ResolvedDimension[] region, int[]? axes, bool skipNaN, ClusterJob? cluster, Func<string, IProgress<PipelineProgress>?> progress, CancellationToken cancellationToken)
        : INumericWork<JsonObject>
    {
        public async Task<JsonObject> RunAsync<T>(ZarrArray<T> array) where T : unmanaged, INumber<T>
        {
            var lazy = RegionView.Create(array, region);
            var isFloat = typeof(T) == typeof(double) || typeof(T) == typeof(float) || typeof(T) == typeof(Half);
            var signed = typeof(T) == typeof(sbyte) || typeof(T) == typeof(short) || typeof(T) == typeof(int) || typeof(T) == typeof(long);
            PipelineOptions Options(string name) => new() { Progress = progress(name) };
            var shape = lazy.Shape;
            var kept = axes is null ? [] : shape.Where((_, d) => !axes.Contains(d)).ToArray();
            var all = axes ?? [.. Enumerable.Range(0, shape.Length)];
            var size = lazy.Size;
            var reducedCount = all.Aggregate(1L, (n, d) => n * shape[d]);

            // One pass: every statistic from one reduction (the region is read asynchronously inside its pipeline).
            // On a cluster: the same reduction as tasks on its workers, the same bits (the region is the whole array there).
            var stats = cluster is null
                ? await lazy.StatisticsAsync(axes, 0, skipNaN, Options("stats"), cancellationToken).ConfigureAwait(false)
                : await ClusterJobs.StatisticsAsync<T>(cluster.Workers, cluster.StoreUrl, "", axes, skipNaN, new ClusterJobOptions { Progress = progress("stats") }, cancellationToken).ConfigureAwait(false);
            JsonNode? count, sum, mean, var, std, min, max, nanCount;
            if (axes is null || all.Length == shape.Length)
            {
                count = stats.Count[0];
                sum = signed ? stats.SumInt64!.Value[0] : isFloat ? Number(stats.Sum[0]) : stats.SumUInt64!.Value[0];
                mean = Number(stats.Mean[0]);
                var = Number(stats.Variance[0]);
                std = Number(stats.StandardDeviation[0]);
                min = size == 0 ? null : Element(stats.Min[0]);
                max = size == 0 ? null : Element(stats.Max[0]);
                nanCount = stats.NaNCount[0];
            }
            else
            {
                count = Nest(stats.Count, kept, c => c);
                sum = signed ? Nest(stats.SumInt64!.Value, kept, s => s)
                    : isFloat ? Nest(stats.Sum, kept, Number)
                    : Nest(stats.SumUInt64!.Value, kept, s => s);
                mean = Nest(stats.Mean, kept, Number);
                var = Nest(stats.Variance, kept, Number);
                std = Nest(stats.StandardDeviation, kept, Number);
                min = reducedCount == 0 ? null : Nest(stats.Min, kept, Element);
                max = reducedCount == 0 ? null : Nest(stats.Max, kept, Element);
                nanCount = Nest(stats.NaNCount, kept, c => c);
            }

            return new JsonObject
            {
                ["count"] = count,
                ["sum"] = sum,
                ["mean"] = mean,
                ["std"] = std,
                ["var"] = var,
                ["min"] = min,
                ["max"] = max,
                ["nan_count"] = nanCount,
            };
        }

        private static JsonNode? Element<T>(T value) where T : unmanaged, INumber<T> => value switch
        {
            double d => Number(d),
            float f => Number(f),
            Half h => Number((double)h),
            long or int or short or sbyte => JsonValue.Create(long.CreateTruncating(value)),
            _ => JsonValue.Create(ulong.CreateTruncating(value)),
        };
    }

    /// <summary>A double as JSON; NaN and the infinities as zarr writes them in fill values: "NaN", "Infinity", "-Infinity".</summary>
    internal static JsonNode Number(double value) =>
        double.IsNaN(value) ? "NaN" : double.IsPositiveInfinity(value) ? "Infinity" : double.IsNegativeInfinity(value) ? "-Infinity" : JsonValue.Create(value);

    /// <summary>Flat C-order values as nested lists of <paramref name="shape"/>.</summary>
    private static JsonNode? Nest<TValue>(ImmutableArray<TValue> values, long[] shape, Func<TValue, JsonNode?> convert)
    {
        var position = 0;
        return Build(0);

        JsonNode? Build(int dimension)
        {
            if (dimension == shape.Length)
            {
                return convert(values[position++]);
            }

            var list = new JsonArray();
            for (long i = 0; i < shape[dimension]; i++)
            {
                list.Add(Build(dimension + 1));
            }

            return list;
        }
    }
}

/// <summary>A region of a stored array as a lazy array: the engine's view of the selection, read asynchronously inside its pipelines.</summary>
internal static class RegionView
{
    /// <summary>The region of <paramref name="array"/> as a lazy array (the region's shape, dropped dimensions removed).</summary>
    public static LazyArray<T> Create<T>(ZarrArray<T> array, ResolvedDimension[] region)
        where T : unmanaged, INumber<T>
    {
        ArgumentNullException.ThrowIfNull(array);
        ArgumentNullException.ThrowIfNull(region);
        // A zero-length range stays empty (its stop must not turn negative, which would count from the end).
        return Lazy.From(array, [.. region.Select(r => r.Dropped ? Slice.At(r.Start) : Slice.Range(r.Start, r.Start + (r.Count == 0 ? 0 : ((r.Count - 1) * r.Step) + 1), r.Step))]);
    }
}
