using Zarr.Storage;
using Zarr.Storage.Buffers;
using Zarr.Storage.Metadata;
using Zarr.Storage.Stores;

namespace Zarr.Cli;

/// <summary>What a path holds.</summary>
internal enum NodeType
{
    /// <summary>Nothing Zarr: no <c>zarr.json</c>, <c>.zarray</c> or <c>.zgroup</c>.</summary>
    None,

    /// <summary>An array.</summary>
    Array,

    /// <summary>A group.</summary>
    Group,
}

/// <summary>
/// Turns a command-line <c>PATH</c> into a store. A folder on disk is a <see cref="DirectoryStore"/> rooted at it, with
/// the node at the store's root (every node can be opened as a root, so <c>/x/data.zarr/group/array</c> is simply the
/// folder of that array). Paths running through a <c>.zip</c> file are refused until the zip store exists.
/// </summary>
internal static class NodeLocation
{
    /// <summary>A read-only store over the folder at <paramref name="path"/>.</summary>
    /// <exception cref="CliException">The path runs through a zip file.</exception>
    public static DirectoryStore OpenForRead(string path)
    {
        RefuseZip(path);
        return new DirectoryStore(path, new DirectoryStoreOptions { ReadOnly = true });
    }

    /// <summary>A writable store over the folder at <paramref name="path"/> (created by the first write).</summary>
    /// <exception cref="CliException">The path runs through a zip file.</exception>
    public static DirectoryStore OpenForWrite(string path)
    {
        RefuseZip(path);
        return new DirectoryStore(path);
    }

    /// <summary>The kind and format of the node at the store's root.</summary>
    public static async Task<(NodeType Type, ZarrFormat Format)> ProbeAsync(IStore store, CancellationToken cancellationToken)
    {
        using (PooledBuffer? json = await store.GetAsync(MetadataSerializer.ZarrJson, null, cancellationToken).ConfigureAwait(false))
        {
            if (json is not null)
            {
                var kind = MetadataSerializer.ReadNodeTypeV3(json.Span, MetadataSerializer.ZarrJson);
                return (kind == "array" ? NodeType.Array : NodeType.Group, ZarrFormat.V3);
            }
        }

        if (await store.ExistsAsync(MetadataSerializer.ZArray, cancellationToken).ConfigureAwait(false))
        {
            return (NodeType.Array, ZarrFormat.V2);
        }

        if (await store.ExistsAsync(MetadataSerializer.ZGroup, cancellationToken).ConfigureAwait(false))
        {
            return (NodeType.Group, ZarrFormat.V2);
        }

        return (NodeType.None, ZarrFormat.V3);
    }

    /// <summary>Throws when some part of <paramref name="path"/> is a <c>.zip</c> file (or a <c>.zip</c> name that is not a folder).</summary>
    private static void RefuseZip(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        var current = full;
        while (!string.IsNullOrEmpty(current))
        {
            if (current.EndsWith(".zip", StringComparison.OrdinalIgnoreCase) && !Directory.Exists(current))
            {
                throw new CliException($"'{path}' runs through the zip file '{current}': zip stores are not supported yet");
            }

            current = Path.GetDirectoryName(current);
        }
    }
}
