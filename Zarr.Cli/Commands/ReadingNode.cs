using Zarr.Storage;

namespace Zarr.Cli.Commands;

/// <summary>
/// The opening the reading verbs (info, tree, verify) share: the node at a path opened for reading, handed to the verb
/// as an array or a group while its store is open. No node there, or one that cannot be read, is a
/// <see cref="CliException"/> naming the path.
/// </summary>
internal static class ReadingNode
{
    /// <summary>
    /// Runs <paramref name="onArray"/> or <paramref name="onGroup"/> on the node at <paramref name="path"/>; the group is
    /// opened in <paramref name="groupMode"/>.
    /// </summary>
    /// <exception cref="CliException">There is no array or group at the path, or reading it failed (a
    /// <see cref="ZarrException"/>, whose message is kept after the path).</exception>
    public static async Task VisitAsync(string path, AccessMode groupMode, Func<ZarrArray, Task> onArray, Func<ZarrGroup, Task> onGroup, CancellationToken cancellationToken)
    {
        var node = await NodeLocation.OpenForReadAsync(path, cancellationToken).ConfigureAwait(false);
        await using var nodeScope = node.ConfigureAwait(false);
        var store = node.Store;
        try
        {
            var (type, _) = await NodeLocation.ProbeAsync(store, cancellationToken).ConfigureAwait(false);
            switch (type)
            {
                case NodeType.Array:
                    await onArray(await ZarrArray.OpenAsync(store, "", AccessMode.Read, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
                    break;
                case NodeType.Group:
                    await onGroup(await ZarrGroup.OpenAsync(store, "", groupMode, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
                    break;
                default:
                    throw new CliException($"no array or group at {path}");
            }
        }
        catch (ZarrException ex)
        {
            throw new CliException($"{path}: {ex.Message}", ex);
        }
    }

    /// <summary>Prints an array as the reading verbs do: its summary as JSON (<c>--json</c>), or the text <paramref name="text"/> makes of it.</summary>
    public static async Task WriteArrayAsync(CliConsole console, ZarrArray array, bool json, Func<ArrayInfo, string> text, CancellationToken cancellationToken)
    {
        var info = await array.GetInfoAsync(cancellationToken).ConfigureAwait(false);
        if (json)
        {
            await console.WriteJsonAsync(await NodeJson.ArrayAsync(array.Store, info, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        }
        else
        {
            await console.WriteLineAsync(text(info)).ConfigureAwait(false);
        }
    }
}
