using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Zarr.Storage;

namespace Zarr.Cli.Commands;

/// <summary><c>zarr tree PATH [--json]</c>: the hierarchy with shapes, types, chunks and sizes.</summary>
internal static class TreeCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create(CliConsole console, Option<bool> verbose) => ZarrCommand.ReadingVerb(
        "tree",
        "Show the hierarchy below a group with shapes, types, chunks and sizes.",
        "The folder of a group or array, or a path inside a .zip file (data.zip/group).",
        "Print nested JSON objects (each as 'info --json' gives it; a group's members map names to their objects).",
        console,
        verbose,
        RunAsync);

    private static async Task RunAsync(CliConsole console, string path, bool json, CancellationToken cancellationToken)
    {
        await ReadingNode.VisitAsync(
            path,
            AccessMode.Read,
            array => ReadingNode.WriteArrayAsync(console, array, json, info => ArrayLine(Path.GetFileName(Path.TrimEndingDirectorySeparator(path)), info), cancellationToken),
            async group =>
            {
                if (json)
                {
                    await console.WriteJsonAsync(await GroupJsonAsync(group, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
                }
                else
                {
                    var text = new StringBuilder();
                    text.Append(CultureInfo.InvariantCulture, $"/ (group, zarr v{(int)group.Format})");
                    await AppendMembersAsync(text, group, "", cancellationToken).ConfigureAwait(false);
                    await console.WriteLineAsync(text.ToString()).ConfigureAwait(false);
                }
            },
            cancellationToken).ConfigureAwait(false);
    }

    private static async Task<JsonObject> GroupJsonAsync(ZarrGroup group, CancellationToken cancellationToken)
    {
        var members = new JsonObject();
        await foreach (var member in group.MembersAsync(cancellationToken).ConfigureAwait(false))
        {
            if (member.Kind == NodeKind.Group)
            {
                var child = await group.OpenGroupAsync(member.Path, cancellationToken).ConfigureAwait(false);
                members[member.Path] = await GroupJsonAsync(child, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var array = await group.OpenArrayAsync(member.Path, cancellationToken).ConfigureAwait(false);
                var info = await array.GetInfoAsync(cancellationToken).ConfigureAwait(false);
                members[member.Path] = await NodeJson.ArrayAsync(array.Store, info, cancellationToken).ConfigureAwait(false);
            }
        }

        return new JsonObject
        {
            ["zarr_format"] = (int)group.Format,
            ["node_type"] = "group",
            ["attributes"] = group.Attributes.ToJsonObject(),
            ["members"] = members,
        };
    }

    private static async Task AppendMembersAsync(StringBuilder text, ZarrGroup group, string indent, CancellationToken cancellationToken)
    {
        var members = new List<NodeEntry>();
        await foreach (var member in group.MembersAsync(cancellationToken).ConfigureAwait(false))
        {
            members.Add(member);
        }

        for (var i = 0; i < members.Count; i++)
        {
            var last = i == members.Count - 1;
            var member = members[i];
            text.Append('\n').Append(indent).Append(last ? "└── " : "├── ");
            if (member.Kind == NodeKind.Group)
            {
                text.Append(member.Path).Append('/');
                var child = await group.OpenGroupAsync(member.Path, cancellationToken).ConfigureAwait(false);
                await AppendMembersAsync(text, child, indent + (last ? "    " : "│   "), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var array = await group.OpenArrayAsync(member.Path, cancellationToken).ConfigureAwait(false);
                text.Append(ArrayLine(member.Path, await array.GetInfoAsync(cancellationToken).ConfigureAwait(false)));
            }
        }
    }

    /// <summary>One array as a line: <c>name (37, 23) int32 chunks=(10, 8) shards=(20, 16) nbytes 3.3K stored 1.2K ratio 2.8 initialized 20/20</c>.</summary>
    private static string ArrayLine(string name, ArrayInfo info)
    {
        var metadata = info.Metadata;
        var inner = NodeJson.ShardShape(metadata);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{name} ({Join(metadata.Shape)}) {info.DataType} chunks=({(inner is { } innerShape ? Join(innerShape) : metadata.RectilinearChunks.IsDefault ? Join(metadata.ChunkShape) : ChunkEdgesSyntax.Format(metadata))})");
        if (inner is not null)
        {
            sb.Append(CultureInfo.InvariantCulture, $" shards=({(metadata.RectilinearChunks.IsDefault ? Join(metadata.ChunkShape) : ChunkEdgesSyntax.Format(metadata))})");
        }

        sb.Append(" nbytes ").Append(CliProgress.Human(info.NBytes)).Append(" stored ").Append(info.IsStorageKnown ? CliProgress.Human(info.StoredBytes) : "?");
        if (info.Ratio is { } ratio)
        {
            sb.Append(" ratio ").Append(ratio.ToString("0.0", CultureInfo.InvariantCulture));
        }

        sb.Append(CultureInfo.InvariantCulture, $" initialized {(info.IsStorageKnown ? info.ChunksInitialized.ToString(CultureInfo.InvariantCulture) : "?")}/{info.ChunksTotal}");
        sb.Append(InfoCommand.DimensionsText(name, metadata.DimensionNames));
        return sb.ToString();
    }

    private static string Join<T>(IEnumerable<T> values) =>
        values.Count() == 1 ? string.Format(CultureInfo.InvariantCulture, "{0},", values.First()) : string.Join(", ", values.Select(v => string.Format(CultureInfo.InvariantCulture, "{0}", v)));
}
