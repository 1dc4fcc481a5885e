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
/// Turns a command-line <c>PATH</c> into a store with the node at its root (every node can be opened as a root, so
/// <c>/x/data.zarr/group/array</c> is simply the folder of that array). A folder on disk is a <see cref="DirectoryStore"/>
/// rooted at it. A path that runs through a <c>.zip</c> file continues inside it (<c>data.zip/group/array</c>): the store
/// is then a <see cref="PrefixStore"/> over a <see cref="ZipStore"/> (or the zip store itself for the zip's root).
/// </summary>
/// <remarks>
/// The zip is the first component of the path that ends in <c>.zip</c> (any case) and is an existing file, when reading;
/// when creating, the first such component that is not an existing folder (the file is then created or appended to).
/// A real folder named <c>x.zip</c> is a folder either way.
/// </remarks>
internal static class NodeLocation
{
    private const string ZipExtension = ".zip";

    /// <summary>A read-only store over the node at <paramref name="path"/>: a folder, or a node inside a zip file.</summary>
    /// <exception cref="CliException">The path inside the zip file is not a valid store key.</exception>
    /// <exception cref="ZarrStoreException">The zip file is not a zip file or is damaged.</exception>
    public static OpenedNode OpenForRead(string path)
    {
        var (zipFile, inner) = Split(path, forWrite: false);
        if (zipFile is null)
        {
            return new OpenedNode(new DirectoryStore(path, new DirectoryStoreOptions { ReadOnly = true }), Path.GetFullPath(path));
        }

        var zip = new ZipStore(zipFile, new ZipStoreOptions { Mode = ZipStoreMode.Read });
        return new OpenedNode(zip, inner);
    }

    /// <summary>
    /// A writable store over the node at <paramref name="path"/>: a folder (created by the first write), or a node inside a
    /// zip file, opened to append to it (or to create it). Call <see cref="OpenedNode.CommitAsync"/> when the work is done:
    /// disposing the node without it discards every write to a zip file.
    /// </summary>
    /// <exception cref="CliException">The path inside the zip file is not a valid store key.</exception>
    /// <exception cref="ZarrStoreException">The zip file is not a zip file or is damaged, or another writer holds it.</exception>
    public static OpenedNode OpenForWrite(string path)
    {
        var (zipFile, inner) = Split(path, forWrite: true);
        if (zipFile is null)
        {
            return new OpenedNode(new DirectoryStore(path), Path.GetFullPath(path));
        }

        var mode = File.Exists(zipFile) ? ZipStoreMode.Append : ZipStoreMode.Create;
        var zip = new ZipStore(zipFile, new ZipStoreOptions { Mode = mode });
        return new OpenedNode(zip, inner);
    }

    /// <summary>
    /// A writable store over an existing node (for verbs that change a node in place: <c>resize</c>, <c>attrs</c>): a
    /// folder, or a node inside an existing zip file, opened to append to it. Call <see cref="OpenedNode.CommitAsync"/>
    /// when the work is done.
    /// </summary>
    /// <exception cref="CliException">Nothing is at the path.</exception>
    /// <exception cref="ZarrStoreException">The zip file is not a zip file or is damaged, or another writer holds it.</exception>
    public static OpenedNode OpenExistingForWrite(string path)
    {
        var (zipFile, inner) = Split(path, forWrite: false);
        if (zipFile is null)
        {
            return Directory.Exists(path)
                ? new OpenedNode(new DirectoryStore(path), Path.GetFullPath(path))
                : throw new CliException($"no array or group at {path}");
        }

        return new OpenedNode(new ZipStore(zipFile, new ZipStoreOptions { Mode = ZipStoreMode.Append }), inner);
    }

    /// <summary>
    /// Splits <paramref name="path"/> into the zip file it runs through and the '/'-separated path inside it; the zip
    /// file is null when the path is a plain folder.
    /// </summary>
    private static (string? ZipFile, string Inner) Split(string path, bool forWrite)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full) ?? string.Empty;
        var components = full[root.Length..].Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar)
            .Where(c => c.Length > 0)
            .ToArray();
        var current = root;
        for (var i = 0; i < components.Length; i++)
        {
            current = Path.Combine(current, components[i]);
            if (!components[i].EndsWith(ZipExtension, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var isZip = forWrite ? !Directory.Exists(current) : File.Exists(current);
            if (!isZip)
            {
                continue;
            }

            var inner = string.Join(StoreKey.Separator, components[(i + 1)..]);
            if (inner.Length > 0 && StoreKey.GetKeyError(inner) is { } error)
            {
                throw new CliException($"{path}: '{inner}' is not a valid path inside the zip file {current}: {error}");
            }

            return (current, inner);
        }

        return (null, string.Empty);
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
}

/// <summary>
/// The store a command works on, with the node at its root, and what must happen when the command ends: a zip file
/// written (<see cref="CommitAsync"/>) or, when the command failed, left as it was (<see cref="DisposeAsync"/> without a commit).
/// </summary>
internal sealed class OpenedNode : IAsyncDisposable
{
    private readonly ZipStore? _zip;
    private bool _closed;

    /// <summary>A node in the folder <paramref name="folder"/>.</summary>
    public OpenedNode(DirectoryStore store, string folder)
    {
        Store = store;
        Folder = folder;
        InnerPath = string.Empty;
    }

    /// <summary>A node at <paramref name="innerPath"/> inside the zip store <paramref name="zip"/>, which this object now owns.</summary>
    public OpenedNode(ZipStore zip, string innerPath)
    {
        _zip = zip;
        InnerPath = innerPath;
        Store = innerPath.Length == 0 ? zip : new PrefixStore(zip, innerPath);
    }

    /// <summary>The store, with the node at its root.</summary>
    public IStore Store { get; }

    /// <summary>The node's folder on disk (a full path), or null when the node is inside a zip file.</summary>
    public string? Folder { get; }

    /// <summary>The zip store the node is in, or null when it is a folder.</summary>
    public ZipStore? Zip => _zip;

    /// <summary>The node's path inside the zip file ("" for its root, and for a folder).</summary>
    public string InnerPath { get; }

    /// <summary>Ends a successful command: a zip file opened for writing is written now (and closed).</summary>
    /// <exception cref="ZarrStoreException">The zip file could not be written; it is then unchanged.</exception>
    public async ValueTask CommitAsync()
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        if (_zip is not null)
        {
            try
            {
                await _zip.CommitAsync().ConfigureAwait(false);
            }
            finally
            {
                await _zip.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Closes the node. Without a <see cref="CommitAsync"/> before, the writes of this command to a zip file are
    /// discarded (<see cref="ZipStore.AbortAsync"/>) and the file stays as it was.
    /// </summary>
    public ValueTask DisposeAsync()
    {
        if (_closed)
        {
            return ValueTask.CompletedTask;
        }

        _closed = true;
        if (_zip is null)
        {
            return ValueTask.CompletedTask;
        }

        if (_zip.IsReadOnly)
        {
            return _zip.DisposeAsync();
        }

        return _zip.AbortAsync();
    }
}
