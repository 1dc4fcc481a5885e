using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Zarr.Storage;
using Zarr.Storage.Buffers;
using Zarr.Storage.Codecs;
using Zarr.Storage.Datasets;

namespace Zarr.Cli.Commands;

/// <summary><c>zarr info PATH [--json]</c>: the summary of an array (and which blosc reads it), or a group's members.</summary>
internal static class InfoCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create(CliConsole console, Option<bool> verbose) => ZarrCommand.ReadingVerb(
        "info",
        "Show the summary of an array, or the members of a group.",
        "The folder of an array or group, or a path inside a .zip file (data.zip/group).",
        "Print one JSON object instead of the text summary.",
        console,
        verbose,
        RunAsync);

    private static async Task RunAsync(CliConsole console, string path, bool json, CancellationToken cancellationToken)
    {
        await ReadingNode.VisitAsync(
            path,
            AccessMode.Read,
            array => ReadingNode.WriteArrayAsync(console, array, json, Summary, cancellationToken),
            async group =>
            {
                if (json)
                {
                    await console.WriteJsonAsync(await NodeJson.GroupAsync(group, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
                }
                else
                {
                    await console.WriteLineAsync(await GroupTextAsync(group, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
                }
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The array's summary, and which blosc reads its chunks: native c-blosc or the managed implementation, and why.</summary>
    private static string Summary(ArrayInfo info)
    {
        var blosc = info.Codecs.Any(c => c.ToJsonString().Contains("\"blosc\"", StringComparison.Ordinal));
        return blosc ? $"{info}\n  blosc: {BloscRuntime.Description}" : info.ToString();
    }

    private static async Task<string> GroupTextAsync(ZarrGroup group, CancellationToken cancellationToken)
    {
        var lines = new List<(string Name, string Description)>();
        await foreach (var member in group.MembersAsync(cancellationToken).ConfigureAwait(false))
        {
            if (member.Kind == NodeKind.Group)
            {
                lines.Add((member.Path + "/", $"group, zarr v{(int)member.Format}"));
                continue;
            }

            var array = await group.OpenArrayAsync(member.Path, cancellationToken).ConfigureAwait(false);
            lines.Add((member.Path, string.Create(
                CultureInfo.InvariantCulture,
                $"array ({string.Join(", ", array.Shape)}) {array.DataType.NumpyName}, chunks=({string.Join(", ", array.Chunks)}), zarr v{(int)array.Format}{DimensionsText(member.Path, array.DimensionNames)}")));
        }

        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"ZarrGroup '/{group.Path}' zarr v{(int)group.Format}; store: {group.Store}");
        var attributes = group.Attributes.ToJsonObject();
        if (attributes.Count > 0)
        {
            sb.Append("\n  attributes: ").Append(attributes.ToJsonString(CliConsole.OneLineSerializerOptions));
        }

        sb.Append(CultureInfo.InvariantCulture, $"\n  members: {lines.Count}");
        var width = lines.Count == 0 ? 0 : lines.Max(l => l.Name.Length);
        foreach (var (name, description) in lines)
        {
            sb.Append("\n    ").Append(name.PadRight(width)).Append("  ").Append(description);
        }

        if (await DatasetOrNullAsync(group, cancellationToken).ConfigureAwait(false) is { } dataset)
        {
            sb.Append("\n  dataset dimensions: ").AppendJoin(", ", dataset.Dimensions.Select(d => string.Create(CultureInfo.InvariantCulture, $"{d.Key}: {d.Value}")));
            foreach (var coordinate in dataset.Coordinates)
            {
                sb.Append("\n    coordinate ").Append(await CoordinateTextAsync(coordinate, cancellationToken).ConfigureAwait(false));
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// The array's dimension names as the member lines show them: <c> dims=(time, lat, lon)</c>, with <c>coordinate</c> for
    /// a 1-d array named as its dimension; empty when it has none.
    /// </summary>
    internal static string DimensionsText(string name, IReadOnlyList<string?>? names)
    {
        if (names is null || names.Count == 0)
        {
            return "";
        }

        var coordinate = names is [var only] && only == name ? " coordinate" : "";
        return $" dims=({string.Join(", ", names.Select(n => n ?? "-"))}){coordinate}";
    }

    // The group as a dataset when it is one (every array names its dimensions and their lengths agree); null otherwise,
    // when the group is simply not an xarray dataset, which is no error for info.
    private static async Task<ZarrDataset?> DatasetOrNullAsync(ZarrGroup group, CancellationToken cancellationToken)
    {
        try
        {
            var dataset = await ZarrDataset.FromGroupAsync(group, true, cancellationToken).ConfigureAwait(false);
            return dataset.Variables.Count == 0 ? null : dataset;
        }
        catch (ZarrException)
        {
            return null;
        }
    }

    /// <summary>A coordinate as a line: <c>time (time) datetime64[ns] 2020-01-01T00:00:00 .. 2020-01-10T00:00:00</c>.</summary>
    private static async Task<string> CoordinateTextAsync(DatasetVariable coordinate, CancellationToken cancellationToken)
    {
        var text = $"{coordinate.Name} ({string.Join(", ", coordinate.Dimensions)}) {coordinate.DecodedType.NumpyName}";
        if (coordinate.Size == 0 || coordinate.Dimensions.Length != 1)
        {
            return text;
        }

        var first = coordinate.ISel(coordinate.Dimensions[0], 0);
        var last = coordinate.ISel(coordinate.Dimensions[0], -1);
        switch (coordinate.Kind)
        {
            case DatasetValueKind.Time:
                static string Time(DateTime? t) => t?.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) ?? "NaT";
                return $"{text} {Time((await first.ReadTimesAsync(cancellationToken).ConfigureAwait(false))[0])} .. {Time((await last.ReadTimesAsync(cancellationToken).ConfigureAwait(false))[0])}";
            case DatasetValueKind.Number:
                static string Number(double v) => v.ToString("G", CultureInfo.InvariantCulture);
                return $"{text} {Number((await first.ReadDoublesAsync(cancellationToken).ConfigureAwait(false))[0])} .. {Number((await last.ReadDoublesAsync(cancellationToken).ConfigureAwait(false))[0])}";
            default:
                return text;
        }
    }
}
