using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Zarr.Storage;
using Zarr.Storage.Buffers;
using Zarr.Storage.Codecs;

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
                $"array ({string.Join(", ", array.Shape)}) {array.DataType.NumpyName}, chunks=({string.Join(", ", array.Chunks)}), zarr v{(int)array.Format}")));
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

        return sb.ToString();
    }
}
