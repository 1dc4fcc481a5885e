namespace Zarr.Storage.Internal;

/// <summary>
/// The format a new node takes unless told otherwise: its parent group's. A hierarchy holds one format, because readers walk it in one:
/// zarr-python 2 and xarray list a v2 group's members by their <c>.zarray</c>/<c>.zgroup</c> and consolidate only those,
/// so a v3 child of a v2 group is invisible to them (and a v2 child of a v3 group to zarr-python 3's v3 reader).
/// </summary>
internal static class HierarchyFormat
{
    /// <summary>
    /// The format of a new node at <paramref name="path"/>: <paramref name="requested"/> when given (a format asked for
    /// is what the caller means; <see cref="ZarrGroup"/> refuses the other format for its children), else the format of
    /// the nearest group above the path, or v3 when there is none.
    /// </summary>
    public static async ValueTask<ZarrFormat> ResolveAsync(IStore store, string path, ZarrFormat? requested, CancellationToken cancellationToken)
    {
        if (requested is { } format)
        {
            return format;
        }

        var parent = await NearestGroupAsync(store, path, cancellationToken).ConfigureAwait(false);
        return parent?.Format ?? ZarrFormat.V3;
    }

    /// <summary>The refusal of a node of <paramref name="format"/> inside a group of the other (by <see cref="ZarrGroup"/>).</summary>
    public static ZarrException Mixed(ZarrFormat format, string kind, string path, ZarrFormat groupFormat, string groupPath) =>
        new($"cannot create the zarr v{(int)format} {kind} {UserText.Quote("/" + path)} inside the zarr v{(int)groupFormat} group {UserText.Quote("/" + groupPath)}: "
            + $"a hierarchy holds one format (readers of v{(int)groupFormat} would not see the new node); create it as v{(int)groupFormat}, or leave the format unset to take the group's");

    /// <summary>The options with the format <see cref="ResolveAsync"/> gives a new array at <paramref name="path"/>.</summary>
    public static async ValueTask<ArrayOptions> ForArrayAsync(IStore store, string path, ArrayOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        options ??= new ArrayOptions();
        var format = await ResolveAsync(store, NodePaths.Normalize(path), options.Format, cancellationToken).ConfigureAwait(false);
        return options.Format == format ? options : options with { Format = format };
    }

    /// <summary>
    /// The nearest node above <paramref name="path"/> when it is a group, with its path and format; null when there is no
    /// node above it, or the nearest is an array (which creating the node then refuses).
    /// </summary>
    private static async ValueTask<(string Path, ZarrFormat Format)?> NearestGroupAsync(IStore store, string path, CancellationToken cancellationToken)
    {
        var current = path;
        while (current.Length > 0)
        {
            var cut = current.LastIndexOf('/');
            current = cut < 0 ? "" : current[..cut];
            var (kind, format) = await NodeIO.ProbeAsync(store, current, cancellationToken).ConfigureAwait(false);
            if (kind is not null)
            {
                return kind == "group" ? (current, format) : null;
            }
        }

        return null;
    }
}
