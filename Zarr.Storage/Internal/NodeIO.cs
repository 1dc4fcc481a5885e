using Zarr.Storage.Buffers;

namespace Zarr.Storage.Internal;

/// <summary>Reads and writes the metadata documents of nodes in a store, for both formats.</summary>
internal static class NodeIO
{
    /// <summary>The kind of node at a path: "array", "group" or null, and its format.</summary>
    public static async ValueTask<(string? Kind, ZarrFormat Format)> ProbeAsync(IStore store, string path, CancellationToken cancellationToken)
    {
        var key = NodePaths.Key(path, MetadataSerializer.ZarrJson);
        using (var json = await MetadataDocuments.GetAsync(store, key, null, cancellationToken).ConfigureAwait(false))
        {
            if (json is not null)
            {
                return (MetadataSerializer.ReadNodeTypeV3(json.Span, key), ZarrFormat.V3);
            }
        }

        if (await MetadataDocuments.ExistsAsync(store, NodePaths.Key(path, MetadataSerializer.ZArray), cancellationToken).ConfigureAwait(false))
        {
            return ("array", ZarrFormat.V2);
        }

        if (await MetadataDocuments.ExistsAsync(store, NodePaths.Key(path, MetadataSerializer.ZGroup), cancellationToken).ConfigureAwait(false))
        {
            return ("group", ZarrFormat.V2);
        }

        return (null, ZarrFormat.V3);
    }

    /// <summary>
    /// Makes room for a new node at <paramref name="path"/>: nothing to do when there is none; with
    /// <paramref name="overwrite"/>, the node there and everything below it are deleted; otherwise the creation is refused.
    /// </summary>
    /// <exception cref="ZarrNodeException">A node exists at the path and <paramref name="overwrite"/> is false.</exception>
    public static async ValueTask MakeRoomAsync(IStore store, string path, bool overwrite, CancellationToken cancellationToken)
    {
        if (!await NodeExistsAsync(store, path, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        if (!overwrite)
        {
            throw new ZarrNodeException(path, $"a node already exists in {store} (use overwrite / mode 'w' to replace it)");
        }

        await MetadataDocuments.DeletePrefixAsync(store, NodePaths.Prefix(path), cancellationToken).ConfigureAwait(false);
        await DeleteNodeDocumentsAsync(store, path, cancellationToken).ConfigureAwait(false);
    }

    public static async ValueTask<bool> NodeExistsAsync(IStore store, string path, CancellationToken cancellationToken) =>
        await MetadataDocuments.ExistsAsync(store, NodePaths.Key(path, MetadataSerializer.ZarrJson), cancellationToken).ConfigureAwait(false)
        || await MetadataDocuments.ExistsAsync(store, NodePaths.Key(path, MetadataSerializer.ZArray), cancellationToken).ConfigureAwait(false)
        || await MetadataDocuments.ExistsAsync(store, NodePaths.Key(path, MetadataSerializer.ZGroup), cancellationToken).ConfigureAwait(false);

    /// <summary>The array's metadata, or null when there is no node at the path.</summary>
    /// <exception cref="ZarrNodeException">The node is a group.</exception>
    public static async ValueTask<ArrayMetadata?> ReadArrayMetadataAsync(IStore store, string path, CancellationToken cancellationToken)
    {
        var key = NodePaths.Key(path, MetadataSerializer.ZarrJson);
        using (var json = await MetadataDocuments.GetAsync(store, key, null, cancellationToken).ConfigureAwait(false))
        {
            if (json is not null)
            {
                if (MetadataSerializer.ReadNodeTypeV3(json.Span, key) != "array")
                {
                    throw new ZarrNodeException(path, "is a group, not an array");
                }

                return MetadataSerializer.ParseArrayV3(json.Span, key);
            }
        }

        var zarrayKey = NodePaths.Key(path, MetadataSerializer.ZArray);
        using var zarray = await MetadataDocuments.GetAsync(store, zarrayKey, null, cancellationToken).ConfigureAwait(false);
        if (zarray is null)
        {
            if (await MetadataDocuments.ExistsAsync(store, NodePaths.Key(path, MetadataSerializer.ZGroup), cancellationToken).ConfigureAwait(false))
            {
                throw new ZarrNodeException(path, "is a group, not an array");
            }

            return null;
        }

        using var zattrs = await MetadataDocuments.GetAsync(store, NodePaths.Key(path, MetadataSerializer.ZAttrs), null, cancellationToken).ConfigureAwait(false);
        return MetadataSerializer.ParseArrayV2(zarray.Span, zattrs is null ? default : zattrs.Span, zarrayKey);
    }

    /// <summary>The group's metadata, or null when there is no node at the path.</summary>
    /// <exception cref="ZarrNodeException">The node is an array.</exception>
    public static async ValueTask<GroupMetadata?> ReadGroupMetadataAsync(IStore store, string path, CancellationToken cancellationToken)
    {
        var key = NodePaths.Key(path, MetadataSerializer.ZarrJson);
        using (var json = await MetadataDocuments.GetAsync(store, key, null, cancellationToken).ConfigureAwait(false))
        {
            if (json is not null)
            {
                if (MetadataSerializer.ReadNodeTypeV3(json.Span, key) != "group")
                {
                    throw new ZarrNodeException(path, "is an array, not a group");
                }

                return MetadataSerializer.ParseGroupV3(json.Span, key);
            }
        }

        return await ReadGroupMetadataV2Async(store, path, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The v2 group's metadata (<c>.zgroup</c> and <c>.zattrs</c>), or null when there is none at the path.</summary>
    /// <exception cref="ZarrNodeException">The node is a v2 array.</exception>
    public static async ValueTask<GroupMetadata?> ReadGroupMetadataV2Async(IStore store, string path, CancellationToken cancellationToken)
    {
        var zgroupKey = NodePaths.Key(path, MetadataSerializer.ZGroup);
        using var zgroup = await MetadataDocuments.GetAsync(store, zgroupKey, null, cancellationToken).ConfigureAwait(false);
        if (zgroup is null)
        {
            if (await MetadataDocuments.ExistsAsync(store, NodePaths.Key(path, MetadataSerializer.ZArray), cancellationToken).ConfigureAwait(false))
            {
                throw new ZarrNodeException(path, "is an array, not a group");
            }

            return null;
        }

        using var zattrs = await MetadataDocuments.GetAsync(store, NodePaths.Key(path, MetadataSerializer.ZAttrs), null, cancellationToken).ConfigureAwait(false);
        return MetadataSerializer.ParseGroupV2(zgroup.Span, zattrs is null ? default : zattrs.Span, zgroupKey);
    }

    public static async ValueTask WriteArrayMetadataAsync(IStore store, string path, ArrayMetadata metadata, CancellationToken cancellationToken)
    {
        if (metadata.Format == ZarrFormat.V3)
        {
            await MetadataDocuments.SetAsync(store, NodePaths.Key(path, MetadataSerializer.ZarrJson), MetadataSerializer.ToV3Json(metadata), cancellationToken).ConfigureAwait(false);
            return;
        }

        var (zarray, zattrs) = MetadataSerializer.ToV2Json(metadata);
        await WriteV2AttributesAsync(store, path, zattrs, cancellationToken).ConfigureAwait(false);
        await MetadataDocuments.SetAsync(store, NodePaths.Key(path, MetadataSerializer.ZArray), zarray, cancellationToken).ConfigureAwait(false);
    }

    public static async ValueTask WriteGroupMetadataAsync(IStore store, string path, GroupMetadata metadata, CancellationToken cancellationToken)
    {
        if (metadata.Format == ZarrFormat.V3)
        {
            await MetadataDocuments.SetAsync(store, NodePaths.Key(path, MetadataSerializer.ZarrJson), MetadataSerializer.ToV3Json(metadata), cancellationToken).ConfigureAwait(false);
            return;
        }

        var (zgroup, zattrs) = MetadataSerializer.ToV2Json(metadata);
        await WriteV2AttributesAsync(store, path, zattrs, cancellationToken).ConfigureAwait(false);
        await MetadataDocuments.SetAsync(store, NodePaths.Key(path, MetadataSerializer.ZGroup), zgroup, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates the groups above <paramref name="path"/> that do not exist yet, root first, as zarr-python does when it
    /// creates a nested node, so that every node is reachable from the root.
    /// </summary>
    /// <exception cref="ZarrNodeException">An array stands where a parent group should.</exception>
    public static async ValueTask EnsureParentGroupsAsync(IStore store, string path, ZarrFormat format, CancellationToken cancellationToken)
    {
        if (path.Length == 0)
        {
            return;
        }

        var segments = path.Split('/');
        var parent = "";
        for (var i = 0; i < segments.Length; i++)
        {
            var (kind, _) = await ProbeAsync(store, parent, cancellationToken).ConfigureAwait(false);
            if (kind == "array")
            {
                throw new ZarrNodeException(parent, $"is an array, so {UserText.Quote("/" + path)} cannot be created below it");
            }

            if (kind is null)
            {
                await WriteGroupMetadataAsync(store, parent, new GroupMetadata { Format = format }, cancellationToken).ConfigureAwait(false);
            }

            parent = NodePaths.Child(parent, segments[i]);
        }
    }

    /// <summary>Deletes a node's own metadata documents (its children are under its prefix).</summary>
    public static async ValueTask DeleteNodeDocumentsAsync(IStore store, string path, CancellationToken cancellationToken)
    {
        foreach (var name in new[] { MetadataSerializer.ZarrJson, MetadataSerializer.ZArray, MetadataSerializer.ZGroup, MetadataSerializer.ZAttrs })
        {
            await MetadataDocuments.DeleteAsync(store, NodePaths.Key(path, name), cancellationToken).ConfigureAwait(false);
        }
    }

    private static async ValueTask WriteV2AttributesAsync(IStore store, string path, byte[]? zattrs, CancellationToken cancellationToken)
    {
        var key = NodePaths.Key(path, MetadataSerializer.ZAttrs);
        if (zattrs is null)
        {
            await MetadataDocuments.DeleteAsync(store, key, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await MetadataDocuments.SetAsync(store, key, zattrs, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The array's metadata read from a store with conditional writes, with the version of each document it came from
    /// (zarr.json; or .zarray and .zattrs), for a compare-and-swap of the change (<see cref="TryWriteArrayMetadataAsync"/>).
    /// The metadata is null when there is no array document of <paramref name="format"/> at the path.
    /// </summary>
    public static async ValueTask<VersionedArrayMetadata> ReadArrayMetadataVersionedAsync(IConditionalStore store, string path, ZarrFormat format, CancellationToken cancellationToken)
    {
        var key = NodePaths.Key(path, format == ZarrFormat.V3 ? MetadataSerializer.ZarrJson : MetadataSerializer.ZArray);
        using var document = await MetadataDocuments.GetVersionedAsync(store, key, cancellationToken).ConfigureAwait(false);
        if (format == ZarrFormat.V3)
        {
            if (document.Value is not { } json)
            {
                return new VersionedArrayMetadata(null, document.Version, null, default, null);
            }

            if (MetadataSerializer.ReadNodeTypeV3(json.Span, key) != "array")
            {
                throw new ZarrNodeException(path, "is a group, not an array");
            }

            return new VersionedArrayMetadata(MetadataSerializer.ParseArrayV3(json.Span, key), document.Version, json.Span.ToArray(), default, null);
        }

        using var attributes = await MetadataDocuments.GetVersionedAsync(store, NodePaths.Key(path, MetadataSerializer.ZAttrs), cancellationToken).ConfigureAwait(false);
        if (document.Value is not { } zarray)
        {
            return new VersionedArrayMetadata(null, document.Version, null, attributes.Version, null);
        }

        var zattrs = attributes.Value is { } a ? a.Span.ToArray() : null;
        var metadata = MetadataSerializer.ParseArrayV2(zarray.Span, zattrs, key);
        return new VersionedArrayMetadata(metadata, document.Version, zarray.Span.ToArray(), attributes.Version, zattrs);
    }

    /// <summary>
    /// Writes <paramref name="updated"/> over what <paramref name="read"/> found, each document that changed only if it is
    /// still the version read: false when another writer changed one in between (the caller reads again and retries; a v2
    /// array's .zattrs may then be written already, which the retry, made from a fresh read, writes again alike).
    /// </summary>
    public static async ValueTask<bool> TryWriteArrayMetadataAsync(IConditionalStore store, string path, VersionedArrayMetadata read, ArrayMetadata updated, CancellationToken cancellationToken)
    {
        if (updated.Format == ZarrFormat.V3)
        {
            return await TrySetChangedAsync(store, NodePaths.Key(path, MetadataSerializer.ZarrJson), read.DocumentBytes, MetadataSerializer.ToV3Json(updated), read.Document, cancellationToken).ConfigureAwait(false);
        }

        var (zarray, zattrs) = MetadataSerializer.ToV2Json(updated);
        return await TrySetChangedAsync(store, NodePaths.Key(path, MetadataSerializer.ZAttrs), read.AttributesBytes, zattrs, read.Attributes, cancellationToken).ConfigureAwait(false)
            && await TrySetChangedAsync(store, NodePaths.Key(path, MetadataSerializer.ZArray), read.DocumentBytes, zarray, read.Document, cancellationToken).ConfigureAwait(false);
    }

    // A document that did not change is not written (so changes to the other document of a v2 array do not conflict).
    private static async ValueTask<bool> TrySetChangedAsync(IConditionalStore store, string key, byte[]? stored, byte[]? value, StoreVersion expected, CancellationToken cancellationToken)
    {
        if (value is null ? stored is null : stored is not null && value.AsSpan().SequenceEqual(stored))
        {
            return true;
        }

        if (value is not null)
        {
            return await MetadataDocuments.TrySetAsync(store, key, value, expected, cancellationToken).ConfigureAwait(false);
        }

        // No attributes left: a store that cannot delete on a version keeps an empty document, which reads the same.
        return store.CanDeleteConditionally
            ? await MetadataDocuments.TryDeleteAsync(store, key, expected, cancellationToken).ConfigureAwait(false)
            : await MetadataDocuments.TrySetAsync(store, key, "{}"u8.ToArray(), expected, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a whole value as a byte array (small documents only).</summary>
    public static async ValueTask<byte[]?> ReadAllAsync(IStore store, string key, CancellationToken cancellationToken)
    {
        using PooledBuffer? buffer = await MetadataDocuments.GetAsync(store, key, null, cancellationToken).ConfigureAwait(false);
        return buffer?.Span.ToArray();
    }
}

/// <summary>An array's metadata as read for a compare-and-swap of a change, with its documents' versions and bytes.</summary>
/// <param name="Metadata">The metadata; null when there is no array document.</param>
/// <param name="Document">The version of zarr.json (v3) or .zarray (v2).</param>
/// <param name="DocumentBytes">Its bytes, or null when it is missing.</param>
/// <param name="Attributes">The version of .zattrs (v2 only).</param>
/// <param name="AttributesBytes">Its bytes, or null when it is missing (or the array is v3).</param>
internal sealed record VersionedArrayMetadata(ArrayMetadata? Metadata, StoreVersion Document, byte[]? DocumentBytes, StoreVersion Attributes, byte[]? AttributesBytes);
