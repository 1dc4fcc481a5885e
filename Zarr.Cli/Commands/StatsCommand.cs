using System.Buffers;
using System.CommandLine;
using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;
using System.Text.Json.Nodes;
using Spectre.Console;
using Zarr.Dataflow.Blocks;
using Zarr.Dataflow.Expressions;
using Zarr.Dataflow.Pipelines;
using Zarr.Storage;
using Zarr.Storage.Indexing;

namespace Zarr.Cli.Commands;

/// <summary>
/// <c>zarr stats PATH [--axis K[,K]] [--region R] [--json]</c>: count, sum, mean, std, var, min, max and nan_count through
/// the engine, with numpy's semantics: population variance (ddof 0), std = sqrt(var), integer sums in int64/uint64,
/// means and variances in float64, NaN propagating through sum/mean/var/min/max as numpy's plain reductions do, and
/// <c>nan_count</c> counting the NaNs (<c>count</c> is the number of elements).
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
        var command = new Command("stats", "Summary statistics of an array (or a region of it) through the engine, as numpy computes them.") { path, axis, region, json };
        command.SetAction((result, cancellationToken) => ZarrCommand.GuardAsync(
            console,
            result.GetValue(verbose),
            () => RunAsync(
                console,
                result.GetRequiredValue(path),
                ParseAxes(result.GetValue(axis)),
                RegionParser.Parse(result.GetValue(region) ?? ""),
                result.GetValue(json),
                cancellationToken)));
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

    private static async Task RunAsync(CliConsole console, string path, int[]? axes, IReadOnlyList<RegionItem> region, bool json, CancellationToken cancellationToken)
    {
        var node = NodeLocation.OpenForRead(path);
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
            result = await CliProgress.RunAsync(console, progress =>
                NumericDispatch.TryRun(array, new StatsWork(resolved, normalized, progress, cancellationToken))
                ?? throw new CliException($"{path}: stats needs a real number type; the data type is {array.DataType}")).ConfigureAwait(false);
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

        var table = new Table().Border(TableBorder.None).AddColumn("statistic").AddColumn("value");
        foreach (var (name, value) in result)
        {
            table.AddRow(Markup.Escape(name), Markup.Escape(value is JsonValue ? Plain(value) : value?.ToJsonString() ?? "null"));
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
    private sealed class StatsWork(ResolvedDimension[] region, int[]? axes, Func<string, IProgress<PipelineProgress>?> progress, CancellationToken cancellationToken)
        : INumericWork<JsonObject>
    {
        public async Task<JsonObject> RunAsync<T>(ZarrArray<T> array) where T : unmanaged, INumber<T>
        {
            var lazy = RegionView.Create(array, region, cancellationToken);
            var isFloat = typeof(T) == typeof(double) || typeof(T) == typeof(float) || typeof(T) == typeof(Half);
            var signed = typeof(T) == typeof(sbyte) || typeof(T) == typeof(short) || typeof(T) == typeof(int) || typeof(T) == typeof(long);
            PipelineOptions Options(string name) => new() { Progress = progress(name) };
            var shape = lazy.Shape;
            var kept = axes is null ? [] : shape.Where((_, d) => !axes.Contains(d)).ToArray();
            var all = axes ?? [.. Enumerable.Range(0, shape.Length)];
            var size = lazy.Size;
            var reducedCount = all.Aggregate(1L, (n, d) => n * shape[d]);

            JsonNode? count, sum, mean, var, std, min, max, nanCount;
            if (axes is null || all.Length == shape.Length)
            {
                count = size;
                sum = signed ? await lazy.SumInt64Async(Options("sum"), cancellationToken).ConfigureAwait(false)
                    : isFloat ? Number(await lazy.SumAsync(Options("sum"), cancellationToken).ConfigureAwait(false))
                    : await lazy.SumUInt64Async(Options("sum"), cancellationToken).ConfigureAwait(false);
                var m = await lazy.MeanAsync(Options("mean"), cancellationToken).ConfigureAwait(false);
                var v = await lazy.VarAsync(0, Options("var"), cancellationToken).ConfigureAwait(false);
                mean = Number(m);
                var = Number(v);
                std = Number(Math.Sqrt(v));
                min = size == 0 ? null : Element(await lazy.MinAsync(Options("min"), cancellationToken).ConfigureAwait(false));
                max = size == 0 ? null : Element(await lazy.MaxAsync(Options("max"), cancellationToken).ConfigureAwait(false));
                nanCount = isFloat ? size - await lazy.CountNonNaNAsync(Options("nan_count"), cancellationToken).ConfigureAwait(false) : 0;
            }
            else
            {
                var counts = Enumerable.Repeat(reducedCount, (int)kept.Aggregate(1L, (a, b) => a * b)).ToArray();
                count = Nest(counts, kept, c => c);
                sum = signed
                    ? Nest((await lazy.SumInt64Async(all, Options("sum"), cancellationToken).ConfigureAwait(false)).ToArray(), kept, s => s)
                    : isFloat
                        ? Nest((await lazy.SumAsync(all, Options("sum"), cancellationToken).ConfigureAwait(false)).ToArray(), kept, Number)
                        // The engine has no unsigned sums over axes: double sums, exact below 2^53.
                        : Nest((await lazy.SumAsync(all, Options("sum"), cancellationToken).ConfigureAwait(false)).ToArray(), kept, s => (JsonNode)(ulong)s);
                var m = (await lazy.MeanAsync(all, Options("mean"), cancellationToken).ConfigureAwait(false)).ToArray();
                var v = (await lazy.VarAsync(all, 0, Options("var"), cancellationToken).ConfigureAwait(false)).ToArray();
                mean = Nest(m, kept, Number);
                var = Nest(v, kept, Number);
                std = Nest(v.Select(Math.Sqrt).ToArray(), kept, Number);
                min = reducedCount == 0 ? null : Nest((await lazy.MinAsync(all, Options("min"), cancellationToken).ConfigureAwait(false)).ToArray(), kept, Element);
                max = reducedCount == 0 ? null : Nest((await lazy.MaxAsync(all, Options("max"), cancellationToken).ConfigureAwait(false)).ToArray(), kept, Element);
                var nonNaN = isFloat ? (await lazy.CountNonNaNAsync(all, Options("nan_count"), cancellationToken).ConfigureAwait(false)).ToArray() : counts;
                nanCount = Nest(nonNaN.Select(n => reducedCount - n).ToArray(), kept, c => c);
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
    private static JsonNode? Nest<TValue>(TValue[] values, long[] shape, Func<TValue, JsonNode?> convert)
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

/// <summary>
/// A region of a stored array as a lazy array. A whole array is <see cref="Lazy.From{T}"/> itself; a region (ranges,
/// steps, dropped dimensions) is a generated array whose chunks are read from the stored one (the engine has no
/// slicing of its own yet), on a grid that follows the stored chunks so each generated chunk reads few of them.
/// </summary>
internal static class RegionView
{
    /// <summary>The region of <paramref name="array"/> as a lazy array (the region's shape, dropped dimensions removed).</summary>
    public static LazyArray<T> Create<T>(ZarrArray<T> array, ResolvedDimension[] region, CancellationToken cancellationToken)
        where T : unmanaged, INumber<T>
    {
        ArgumentNullException.ThrowIfNull(array);
        ArgumentNullException.ThrowIfNull(region);
        var shape = array.Shape;
        if (region.Select((r, d) => !r.Dropped && r.Start == 0 && r.Step == 1 && r.Count == shape[d]).All(x => x))
        {
            return Lazy.From(array);
        }

        var kept = Enumerable.Range(0, region.Length).Where(d => !region[d].Dropped).ToArray();
        var outputShape = kept.Select(d => region[d].Count).ToArray();
        var chunks = kept.Select(d => (int)Math.Max(1, Math.Min(array.Chunks[d] / region[d].Step, Math.Max(1, region[d].Count)))).ToArray();
        return Lazy.Generate<T>(outputShape, chunks, (box, destination) =>
        {
            var selection = new Slice[region.Length];
            var k = 0;
            for (var d = 0; d < region.Length; d++)
            {
                if (region[d].Dropped)
                {
                    selection[d] = region[d].ToSlice();
                    continue;
                }

                selection[d] = region[d].ToSlice(box.Start[k], box.Start[k] + box.Shape[k]);
                k++;
            }

            var count = checked((int)box.ElementCount);
            var buffer = ArrayPool<T>.Shared.Rent(count);
            try
            {
                // The generator is synchronous: the read blocks this worker (the thread pool adds threads for blocked waits).
                array.ReadIntoAsync(selection, buffer.AsMemory(0, count), cancellationToken).GetAwaiter().GetResult();
                buffer.AsSpan(0, count).CopyTo(destination);
            }
            finally
            {
                ArrayPool<T>.Shared.Return(buffer);
            }
        });
    }
}
