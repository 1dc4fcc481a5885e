// The CLI's name for what a PATH opens: the store with the node at its root, and the commit or abort of a zip file.
global using OpenedNode = Zarr.Storage.OpenedStore;

using Zarr.Storage;
using Zarr.Storage.Buffers;

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
/// Turns a command-line <c>PATH</c> into a store with the node at its root, through <see cref="StoreUrl"/> (every node can be
/// opened as a root, so <c>/x/data.zarr/group/array</c> is simply the folder of that array): a folder is a
/// <see cref="DirectoryStore"/>; a path through a <c>.zip</c> file continues inside it (<c>data.zip/group/array</c>); a URL
/// (<c>https://…</c>, read-only; <c>file://…</c>; a scheme a provider registered, such as <c>s3://</c>) is the store of its scheme.
/// </summary>
internal static class NodeLocation
{
    /// <summary>A read-only store over the node at <paramref name="path"/>.</summary>
    /// <exception cref="ZarrStoreException">The path inside a zip file is not a valid key, the zip file is damaged, or the URL's scheme has no store.</exception>
    public static async Task<OpenedNode> OpenForReadAsync(string path, CancellationToken cancellationToken) =>
        await StoreUrl.OpenAsync(path, new StoreUrlOptions { Mode = AccessMode.Read }, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// A writable store over the node at <paramref name="path"/>: a folder (created by the first write), a node inside a zip
    /// file opened to append to it (or to create it), or an object store's prefix. Call <see cref="OpenedStore.CommitAsync"/>
    /// when the work is done: disposing the node without it discards every write to a zip file.
    /// </summary>
    /// <exception cref="ZarrStoreException">The path is an HTTP URL (read-only), a zip file is damaged or held by another writer, or the URL's scheme has no store.</exception>
    public static async Task<OpenedNode> OpenForWriteAsync(string path, CancellationToken cancellationToken) =>
        await StoreUrl.OpenAsync(path, new StoreUrlOptions { Mode = AccessMode.Append }, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// A writable store over an existing node (for verbs that change a node in place: <c>resize</c>, <c>attrs</c>): a folder,
    /// a node inside an existing zip file opened to append to it, or an object store's prefix. Call
    /// <see cref="OpenedStore.CommitAsync"/> when the work is done.
    /// </summary>
    /// <exception cref="CliException">No folder is at the path.</exception>
    /// <exception cref="ZarrStoreException">The path is an HTTP URL (read-only), or the zip file is damaged or held by another writer.</exception>
    public static async Task<OpenedNode> OpenExistingForWriteAsync(string path, CancellationToken cancellationToken)
    {
        var node = await StoreUrl.OpenAsync(path, new StoreUrlOptions { Mode = AccessMode.ReadWrite }, cancellationToken).ConfigureAwait(false);
        if (node.Folder is { } folder && !Directory.Exists(folder))
        {
            await node.DisposeAsync().ConfigureAwait(false);
            throw new CliException($"no array or group at {path}");
        }

        return node;
    }

    /// <summary>The kind and format of the node at the store's root.</summary>
    public static async Task<(NodeType Type, ZarrFormat Format)> ProbeAsync(IStore store, CancellationToken cancellationToken)
    {
        using (PooledBuffer? json = await store.GetAsync(ZarrDocuments.V3, null, cancellationToken).ConfigureAwait(false))
        {
            if (json is not null)
            {
                var kind = ZarrDocuments.ReadNodeType(json.Span, ZarrDocuments.V3);
                return (kind == "array" ? NodeType.Array : NodeType.Group, ZarrFormat.V3);
            }
        }

        if (await store.ExistsAsync(ZarrDocuments.V2Array, cancellationToken).ConfigureAwait(false))
        {
            return (NodeType.Array, ZarrFormat.V2);
        }

        if (await store.ExistsAsync(ZarrDocuments.V2Group, cancellationToken).ConfigureAwait(false))
        {
            return (NodeType.Group, ZarrFormat.V2);
        }

        return (NodeType.None, ZarrFormat.V3);
    }
}
