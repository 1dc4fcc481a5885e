using Zarr.Storage;

namespace Zarr.Cli;

/// <summary>
/// The groups above a new node: a node written into folders the command creates (<c>zarr copy a.zarr/t2m b.zarr/t2m</c>
/// with no <c>b.zarr</c>; <c>zarr create</c> and <c>zarr import</c> likewise) gets a group in each of them, in the node's format, so that zarr-python and xarray can open
/// the parent (<c>xr.open_zarr("b.zarr")</c>); inside a zip file, every parent that holds no node gets one. Folders
/// that already existed are left alone (a plain folder is not made a group), and a parent that is an array is refused
/// before anything is written: an array cannot hold children.
/// </summary>
internal sealed class ParentGroups
{
    private readonly List<(IStore Store, string Path)> _missing;

    // The nearest group above the node, when there is one: where it is (for messages) and its format.
    private readonly (string Where, ZarrFormat Format)? _group;

    private ParentGroups(List<(IStore Store, string Path)> missing, (string Where, ZarrFormat Format)? group)
    {
        _missing = missing;
        _group = group;
    }

    /// <summary>The groups to write above <paramref name="node"/>, found before anything is written.</summary>
    /// <exception cref="CliException">A parent of the destination is an array.</exception>
    public static async Task<ParentGroups> PlanAsync(OpenedNode node, string path, CancellationToken cancellationToken)
    {
        var missing = new List<(IStore Store, string Path)>();
        (string Where, ZarrFormat Format)? group = null;
        if (node.Folder is { } folder)
        {
            var parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(folder));
            while (parent is not null && !Directory.Exists(parent))
            {
                if (File.Exists(parent))
                {
                    throw new CliException($"{path}: the parent {parent} is a file, not a folder");
                }

                missing.Add((new DirectoryStore(parent), ""));
                parent = Path.GetDirectoryName(parent);
            }

            if (parent is not null)
            {
                var existing = new DirectoryStore(parent, new DirectoryStoreOptions { ReadOnly = true });
                var (type, format) = await NodeLocation.ProbeAsync(existing, cancellationToken).ConfigureAwait(false);
                if (type == NodeType.Array)
                {
                    throw Refusal(path, parent);
                }

                group = type == NodeType.Group ? (parent, format) : null;
            }
        }
        else if (node.InnerPath.Length > 0)
        {
            var zip = node.Zip!;
            var inner = node.InnerPath;
            while (inner.Length > 0)
            {
                var cut = inner.LastIndexOf('/');
                inner = cut < 0 ? "" : inner[..cut];
                var (type, format) = await NodeLocation.ProbeAsync(Under(zip, inner), cancellationToken).ConfigureAwait(false);
                var where = inner.Length == 0 ? zip.Path : $"{zip.Path}/{inner}";
                if (type == NodeType.Array)
                {
                    throw Refusal(path, where);
                }

                if (type == NodeType.Group)
                {
                    group = (where, format);
                    break;
                }

                missing.Add((zip, inner));
            }
        }

        return new ParentGroups(missing, group);
    }

    /// <summary>
    /// The format of the new node: the request's <c>--format</c>, or without it the format of the group it goes into (v3
    /// when there is none), so that a hierarchy holds one format.
    /// </summary>
    /// <exception cref="CliException"><c>--format</c> is not the format of the group the node goes into.</exception>
    public ZarrFormat FormatFor(CreateRequest request, string path)
    {
        if (_group is not { } group)
        {
            return request.Format;
        }

        if (request.FormatGiven && request.Format != group.Format)
        {
            throw new CliException(
                $"{path}: the parent {group.Where} is a zarr v{(int)group.Format} group, and a hierarchy holds one format (readers of v{(int)group.Format} would not see a v{(int)request.Format} array); "
                + $"use --format {(int)group.Format} or leave --format out");
        }

        return group.Format;
    }

    /// <summary>Writes the planned groups, in <paramref name="format"/> (the new node's), outermost first.</summary>
    public async Task WriteAsync(ZarrFormat format, CancellationToken cancellationToken)
    {
        for (var i = _missing.Count - 1; i >= 0; i--)
        {
            var (store, path) = _missing[i];
            await ZarrGroup.CreateAsync(store, path, format, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private static IStore Under(ZipStore zip, string inner) => inner.Length == 0 ? zip : new PrefixStore(zip, inner);

    private static CliException Refusal(string path, string where) =>
        new($"{path}: the parent {where} is a Zarr array, which cannot hold other nodes; write into a group or a new folder");
}
