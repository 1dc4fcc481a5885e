using Zarr.Storage;

namespace Zarr.Cli;

/// <summary>
/// The groups above a new node: a node written into folders the command creates (<c>zarr copy a.zarr/t2m b.zarr/t2m</c>
/// with no <c>b.zarr</c>) gets a group in each of them, in the node's format, so that zarr-python and xarray can open
/// the parent (<c>xr.open_zarr("b.zarr")</c>); inside a zip file, every parent that holds no node gets one. Folders
/// that already existed are left alone (a plain folder is not made a group), and a parent that is an array is refused
/// before anything is written: an array cannot hold children.
/// </summary>
internal sealed class ParentGroups
{
    private readonly List<(IStore Store, string Path)> _missing;

    private ParentGroups(List<(IStore Store, string Path)> missing) => _missing = missing;

    /// <summary>The groups to write above <paramref name="node"/>, found before anything is written.</summary>
    /// <exception cref="CliException">A parent of the destination is an array.</exception>
    public static async Task<ParentGroups> PlanAsync(OpenedNode node, string path, CancellationToken cancellationToken)
    {
        var missing = new List<(IStore Store, string Path)>();
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
                await RefuseArrayAsync(existing, parent, path, cancellationToken).ConfigureAwait(false);
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
                var (type, _) = await NodeLocation.ProbeAsync(Under(zip, inner), cancellationToken).ConfigureAwait(false);
                if (type == NodeType.Array)
                {
                    throw Refusal(path, inner.Length == 0 ? zip.Path : $"{zip.Path}/{inner}");
                }

                if (type == NodeType.Group)
                {
                    break;
                }

                missing.Add((zip, inner));
            }
        }

        return new ParentGroups(missing);
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

    private static async Task RefuseArrayAsync(IStore store, string where, string path, CancellationToken cancellationToken)
    {
        var (type, _) = await NodeLocation.ProbeAsync(store, cancellationToken).ConfigureAwait(false);
        if (type == NodeType.Array)
        {
            throw Refusal(path, where);
        }
    }

    private static CliException Refusal(string path, string where) =>
        new($"{path}: the parent {where} is a Zarr array, which cannot hold other nodes; copy into a group or a new folder");
}
