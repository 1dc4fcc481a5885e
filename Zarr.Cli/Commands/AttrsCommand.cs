using System.CommandLine;
using System.Text.Json.Nodes;
using Zarr.Storage;

namespace Zarr.Cli.Commands;

/// <summary><c>zarr attrs PATH [--set key=VALUE]... [--delete key]... [--json]</c>: show or change the attributes of an array or group.</summary>
internal static class AttrsCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create(CliConsole console, Option<bool> verbose)
    {
        var path = new Argument<string>("PATH") { Description = "The folder of an array or group, or a path inside a .zip file." };
        var set = new Option<string[]>("--set") { Description = "Set an attribute: key=VALUE (VALUE as JSON, else as a string); repeatable." };
        var delete = new Option<string[]>("--delete") { Description = "Delete an attribute; repeatable. Deletions apply after the --set options." };
        var json = new Option<bool>("--json") { Description = "Print the attributes object as JSON (the text output is the same JSON)." };
        var command = new Command("attrs", "Show the attributes of an array or group, or change them; prints the attributes object.") { path, set, delete, json };
        command.SetAction((result, cancellationToken) => ZarrCommand.GuardAsync(
            console,
            result.GetValue(verbose),
            () => RunAsync(console, result.GetRequiredValue(path), ParseSets(result.GetValue(set) ?? []), result.GetValue(delete) ?? [], cancellationToken)));
        return command;
    }

    private static List<KeyValuePair<string, JsonNode?>> ParseSets(string[] sets)
    {
        var parsed = new List<KeyValuePair<string, JsonNode?>>();
        foreach (var item in sets)
        {
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new UsageException($"--set '{item}': expected key=VALUE");
            }

            parsed.Add(new(item[..equals], CreateOptions.ParseAttributeValue(item[(equals + 1)..])));
        }

        return parsed;
    }

    private static async Task RunAsync(CliConsole console, string path, List<KeyValuePair<string, JsonNode?>> sets, string[] deletes, CancellationToken cancellationToken)
    {
        var changes = sets.Count > 0 || deletes.Length > 0;
        var node = changes ? await NodeLocation.OpenExistingForWriteAsync(path, cancellationToken).ConfigureAwait(false) : await NodeLocation.OpenForReadAsync(path, cancellationToken).ConfigureAwait(false);
        await using (node.ConfigureAwait(false))
        {
            try
            {
                var mode = changes ? AccessMode.ReadWrite : AccessMode.Read;
                var (type, _) = await NodeLocation.ProbeAsync(node.Store, cancellationToken).ConfigureAwait(false);
                ZarrArray? array = null;
                ZarrGroup? group = null;
                switch (type)
                {
                    case NodeType.Array:
                        array = await ZarrArray.OpenAsync(node.Store, "", mode, cancellationToken).ConfigureAwait(false);
                        break;
                    case NodeType.Group:
                        group = await ZarrGroup.OpenAsync(node.Store, "", mode, cancellationToken).ConfigureAwait(false);
                        break;
                    default:
                        throw new CliException($"no array or group at {path}");
                }

                if (changes)
                {
                    // One read-modify-write: the sets, then the deletions (a key to delete that is not there fails it).
                    var set = new JsonObject();
                    foreach (var (key, value) in sets)
                    {
                        set[key] = value?.DeepClone();
                    }

                    if (array is not null)
                    {
                        await array.UpdateAttributesAsync(set, deletes, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        await group!.UpdateAttributesAsync(set, deletes, cancellationToken).ConfigureAwait(false);
                    }

                    await node.CommitAsync().ConfigureAwait(false);
                }

                await console.WriteJsonAsync((array?.Attributes ?? group!.Attributes).ToJsonObject()).ConfigureAwait(false);
            }
            catch (ZarrException ex)
            {
                throw new CliException($"{path}: {ex.Message}", ex);
            }
        }
    }
}
