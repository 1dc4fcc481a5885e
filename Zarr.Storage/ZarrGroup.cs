using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Zarr.Storage.Internal;

namespace Zarr.Storage;

/// <summary>The kind of a node in a hierarchy.</summary>
public enum NodeKind
{
    /// <summary>An array.</summary>
    Array,

    /// <summary>A group.</summary>
    Group,
}

/// <summary>A member of a group: its name (or path, when walking), its kind and its format.</summary>
/// <param name="Path">The member's name relative to the group (with '/' when walking deeper).</param>
/// <param name="Kind">Array or group.</param>
/// <param name="Format">Its format.</param>
public readonly record struct NodeEntry(string Path, NodeKind Kind, ZarrFormat Format);

/// <summary>A Zarr group: a node with attributes that holds arrays and other groups.</summary>
public sealed class ZarrGroup
{
    private readonly NodeState _node;
    private Snapshot _snapshot;

    // version: the node's NodeState.Version read before metadata was read or written.
    private ZarrGroup(IStore store, string path, GroupMetadata metadata, bool readOnly, NodeState node, long version)
    {
        Store = store;
        Path = path;
        _node = node;
        _snapshot = new Snapshot(metadata, version);
        IsReadOnly = readOnly || store.IsReadOnly;
    }

    /// <summary>
    /// The store the group reads through: the store it was opened on, or, for a group opened read-only that has consolidated
    /// metadata, a <see cref="ConsolidatedStore"/> over it that answers every metadata read below the group from that snapshot.
    /// </summary>
    public IStore Store { get; }

    /// <summary>True when the group reads its hierarchy's metadata from consolidated metadata (see <see cref="ConsolidatedMetadata"/>).</summary>
    public bool UsesConsolidatedMetadata => Store is ConsolidatedStore;

    /// <summary>The group's path ("" for the root).</summary>
    public string Path { get; }

    /// <summary>The group's format; arrays and groups created in it have the same.</summary>
    public ZarrFormat Format => Metadata.Format;

    /// <summary>
    /// The group's attributes, read-only (change them with <see cref="UpdateAttributesAsync"/> or
    /// <see cref="SetAttributesAsync"/>): as last read or set through this handle, or set through another handle on the
    /// same group in this process.
    /// </summary>
    public AttributeDictionary Attributes => Metadata.Attributes;

    // This handle's metadata, or a newer one published for the node in this process (of the same format).
    private GroupMetadata Metadata
    {
        get
        {
            var snapshot = Volatile.Read(ref _snapshot);
            var published = _node.Published;
            if (published.Version > snapshot.Version)
            {
                var next = published.Metadata is GroupMetadata metadata && metadata.Format == snapshot.Metadata.Format
                    ? new Snapshot(metadata, published.Version)
                    : snapshot with { Version = published.Version };
                var seen = Interlocked.CompareExchange(ref _snapshot, next, snapshot);
                snapshot = ReferenceEquals(seen, snapshot) || seen.Version < next.Version ? next : seen;
            }

            return snapshot.Metadata;
        }
    }

    /// <summary>True when opened with mode <c>r</c>.</summary>
    public bool IsReadOnly { get; }

    /// <summary>Opens an existing group.</summary>
    /// <exception cref="ZarrNodeException">There is no group at the path.</exception>
    public static async Task<ZarrGroup> OpenAsync(IStore store, string path = "", AccessMode mode = AccessMode.Read, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        path = NodePaths.Normalize(path);
        if (mode is not (AccessMode.Read or AccessMode.ReadWrite))
        {
            return await OpenOrCreateAsync(store, path, mode, null, cancellationToken).ConfigureAwait(false);
        }

        if (mode == AccessMode.Read)
        {
            // Read-only opens use the group's consolidated metadata when it has some (then Store is a ConsolidatedStore).
            var before = NodeState.For(store, path).Version;
            var (view, consolidated) = await ConsolidatedMetadata.OpenGroupAsync(store, path, cancellationToken).ConfigureAwait(false);
            var group = consolidated ?? throw new ZarrNodeException(path, $"no group found in {store}");
            var viewNode = NodeState.For(view, path);
            return new ZarrGroup(view, path, group, true, viewNode, ReferenceEquals(view, store) ? before : viewNode.Version);
        }

        var node = NodeState.For(store, path);
        var version = node.Version;
        var metadata = await NodeIO.ReadGroupMetadataAsync(store, path, cancellationToken).ConfigureAwait(false)
            ?? throw new ZarrNodeException(path, $"no group found in {store}");
        return new ZarrGroup(store, path, metadata, false, node, version);
    }

    /// <summary>Opens or creates a group with zarr-python's modes (<c>a</c> opens or creates; <c>w</c> replaces; <c>w-</c> creates only).</summary>
    /// <param name="store">The store.</param>
    /// <param name="path">The group's path ("" for the root).</param>
    /// <param name="mode">The access mode.</param>
    /// <param name="format">The format of a group this creates; null for that of the group above it (v3 when there is none).</param>
    /// <param name="cancellationToken">Cancels the metadata I/O.</param>
    public static async Task<ZarrGroup> OpenOrCreateAsync(IStore store, string path, AccessMode mode, ZarrFormat? format = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        path = NodePaths.Normalize(path);
        switch (mode)
        {
            case AccessMode.Read or AccessMode.ReadWrite:
                return await OpenAsync(store, path, mode, cancellationToken).ConfigureAwait(false);
            case AccessMode.Append:
                var node = NodeState.For(store, path);
                var version = node.Version;
                var existing = await NodeIO.ReadGroupMetadataAsync(store, path, cancellationToken).ConfigureAwait(false);
                return existing is null
                    ? await CreateAsync(store, path, format, null, false, cancellationToken).ConfigureAwait(false)
                    : new ZarrGroup(store, path, existing, false, node, version);
            default:
                return await CreateAsync(store, path, format, null, mode == AccessMode.Write, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Creates a group.</summary>
    /// <param name="store">The store.</param>
    /// <param name="path">The group's path ("" for the root).</param>
    /// <param name="format">The format; null for that of the group above it (v3 when there is none).</param>
    /// <param name="attributes">The attributes (copied), or null for none.</param>
    /// <param name="overwrite">Replace a node that is already there (mode <c>w</c>); otherwise that is an error.</param>
    /// <param name="cancellationToken">Cancels the metadata I/O.</param>
    /// <exception cref="ZarrNodeException">A node exists at the path and <paramref name="overwrite"/> is false.</exception>
    public static async Task<ZarrGroup> CreateAsync(IStore store, string path = "", ZarrFormat? format = null, JsonObject? attributes = null, bool overwrite = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        path = NodePaths.Normalize(path);
        var resolved = await HierarchyFormat.ResolveAsync(store, path, format, cancellationToken).ConfigureAwait(false);
        var node = NodeState.For(store, path);
        var version = node.Version;
        await NodeIO.MakeRoomAsync(store, path, overwrite, cancellationToken).ConfigureAwait(false);

        var metadata = new GroupMetadata { Format = resolved, Attributes = AttributeDictionary.CopyOf(attributes) };
        await NodeIO.EnsureParentGroupsAsync(store, path, metadata.Format, cancellationToken).ConfigureAwait(false);
        await NodeIO.WriteGroupMetadataAsync(store, path, metadata, cancellationToken).ConfigureAwait(false);
        return new ZarrGroup(store, path, metadata, false, node, version);
    }

    /// <summary>Creates a child group (in this group's format).</summary>
    public Task<ZarrGroup> CreateGroupAsync(string name, JsonObject? attributes = null, bool overwrite = false, CancellationToken cancellationToken = default)
    {
        EnsureWritable();
        return CreateAsync(Store, ChildPath(name), Format, attributes, overwrite, cancellationToken);
    }

    /// <summary>Opens a child group, creating it if it does not exist (zarr's <c>require_group</c>).</summary>
    public async Task<ZarrGroup> RequireGroupAsync(string name, CancellationToken cancellationToken = default)
    {
        var path = ChildPath(name);
        var node = NodeState.For(Store, path);
        var version = node.Version;
        var existing = await NodeIO.ReadGroupMetadataAsync(Store, path, cancellationToken).ConfigureAwait(false);
        return existing is not null
            ? new ZarrGroup(Store, path, existing, IsReadOnly, node, version)
            : await CreateGroupAsync(name, null, false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates a child array of <typeparamref name="T"/> in this group's format (so <c>options.FillValueIsNull</c> gives no
    /// fill value in a v2 group and the type's zero in a v3 one).
    /// </summary>
    /// <exception cref="ZarrException"><c>options.Format</c> is the other format (a hierarchy holds one format), or the group was opened read-only.</exception>
    public Task<ZarrArray<T>> CreateArrayAsync<T>(string name, long[] shape, ArrayOptions? options = null, bool overwrite = false, CancellationToken cancellationToken = default)
        where T : unmanaged
    {
        EnsureWritable();
        return ZarrArray.CreateAsync<T>(Store, ChildPath(name), shape, ChildOptions(name, options), overwrite, cancellationToken);
    }

    /// <summary>
    /// Creates a child array of any data type, in this group's format: what <see cref="ZarrArray.CreateAsync(IStore, string, ZarrDataType, long[], ArrayOptions?, bool, CancellationToken)"/>
    /// creates (a datetime64 with its unit, a structured type, fixed-length strings), and variable-length strings as
    /// <see cref="ZarrStringArray.CreateAsync"/> does (wrap the result in a <see cref="ZarrStringArray"/> to read them).
    /// <c>options.FillValue</c> is v3 JSON.
    /// </summary>
    /// <exception cref="ZarrException"><c>options.Format</c> is the other format (a hierarchy holds one format), the options
    /// do not fit the type, or the group was opened read-only.</exception>
    /// <exception cref="ZarrNodeException">A node exists there and <paramref name="overwrite"/> is false.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads of ZarrArray.CreateAsync, by type parameter or ZarrDataType; their second parameters differ in type, so no call is ambiguous.")]
    public async Task<ZarrArray> CreateArrayAsync(string name, ZarrDataType dataType, long[] shape, ArrayOptions? options = null, bool overwrite = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataType);
        EnsureWritable();
        options = ChildOptions(name, options);
        var path = ChildPath(name);
        return dataType.IsFixedSize
            ? await ZarrArray.CreateAsync(Store, path, dataType, shape, options, overwrite, cancellationToken).ConfigureAwait(false)
            : (await ZarrStringArray.CreateAsync(Store, path, shape, dataType, options, overwrite, cancellationToken).ConfigureAwait(false)).Array;
    }

    /// <summary>Opens a child array.</summary>
    public Task<ZarrArray> OpenArrayAsync(string name, CancellationToken cancellationToken = default) =>
        ZarrArray.OpenAsync(Store, ChildPath(name), IsReadOnly ? AccessMode.Read : AccessMode.ReadWrite, cancellationToken);

    /// <summary>Opens a child array as elements of <typeparamref name="T"/>.</summary>
    public Task<ZarrArray<T>> OpenArrayAsync<T>(string name, CancellationToken cancellationToken = default) where T : unmanaged =>
        ZarrArray.OpenAsync<T>(Store, ChildPath(name), IsReadOnly ? AccessMode.Read : AccessMode.ReadWrite, cancellationToken);

    /// <summary>Opens a child group.</summary>
    public Task<ZarrGroup> OpenGroupAsync(string name, CancellationToken cancellationToken = default) =>
        OpenAsync(Store, ChildPath(name), IsReadOnly ? AccessMode.Read : AccessMode.ReadWrite, cancellationToken);

    /// <summary>The group's direct members, sorted by name.</summary>
    public async IAsyncEnumerable<NodeEntry> MembersAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var names = new List<string>();
        await foreach (var name in Store.ListDirectoryAsync(NodePaths.Prefix(Path), cancellationToken).ConfigureAwait(false))
        {
            names.Add(name);
        }

        names.Sort(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (name.StartsWith('.') || name == MetadataSerializer.ZarrJson)
            {
                continue;
            }

            var (kind, format) = await NodeIO.ProbeAsync(Store, NodePaths.Child(Path, name), cancellationToken).ConfigureAwait(false);
            if (kind is not null)
            {
                yield return new NodeEntry(name, kind == "array" ? NodeKind.Array : NodeKind.Group, format);
            }
        }
    }

    /// <summary>Every node below the group, depth first, with paths relative to it.</summary>
    public async IAsyncEnumerable<NodeEntry> WalkAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var pending = new Stack<string>();
        pending.Push("");
        while (pending.Count > 0)
        {
            var relative = pending.Pop();
            // A stand-in for listing members only: it never reads its own metadata.
            var groupPath = NodePaths.Child(Path, relative);
            var group = relative.Length == 0 ? this : new ZarrGroup(Store, groupPath, Metadata, IsReadOnly, NodeState.For(Store, groupPath), long.MaxValue);
            var children = new List<NodeEntry>();
            await foreach (var member in group.MembersAsync(cancellationToken).ConfigureAwait(false))
            {
                children.Add(member with { Path = relative.Length == 0 ? member.Path : relative + "/" + member.Path });
            }

            for (var i = children.Count - 1; i >= 0; i--)
            {
                if (children[i].Kind == NodeKind.Group)
                {
                    pending.Push(children[i].Path);
                }
            }

            foreach (var child in children)
            {
                yield return child;
            }
        }
    }

    /// <summary>
    /// Writes (or refreshes) the consolidated metadata of this group and everything below it, in the group's format: v2
    /// <c>.zmetadata</c> as zarr-python 2 writes it, v3 <c>consolidated_metadata</c> in <c>zarr.json</c> as zarr-python 3
    /// writes it. It is a snapshot: call this again after changing the hierarchy (see <see cref="ConsolidatedMetadata"/>).
    /// </summary>
    /// <exception cref="ZarrException">The group was opened read-only.</exception>
    public Task ConsolidateMetadataAsync(CancellationToken cancellationToken = default)
    {
        EnsureWritable();
        return ConsolidatedMetadata.WriteAsync(Store, Path, cancellationToken);
    }

    /// <summary>Replaces all the group's attributes (see <see cref="UpdateAttributesAsync"/> to change some).</summary>
    /// <remarks>
    /// A read-modify-write of the stored document under the node's lock, which every handle in this process on the same
    /// group and <see cref="IStore.Location"/> shares, as is <see cref="ConsolidateMetadataAsync"/>'s rewrite of a v3
    /// group's <c>zarr.json</c>: neither loses the other's change (though setting a v3 group's attributes drops its
    /// consolidated metadata, see <see cref="ConsolidatedMetadata"/>).
    /// </remarks>
    /// <exception cref="ZarrException">The group was opened read-only.</exception>
    /// <exception cref="ZarrNodeException">The group is no longer in the store.</exception>
    public Task SetAttributesAsync(JsonObject attributes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        EnsureWritable();
        var copy = (JsonObject)attributes.DeepClone();
        return ChangeAttributesAsync(_ => (JsonObject)copy.DeepClone(), cancellationToken);
    }

    /// <summary>
    /// Sets and removes some attributes, keeping the others, as zarr-python's <c>attrs.update(...)</c> and
    /// <c>del attrs[key]</c>: the keys of <paramref name="set"/> are added or overwritten (each value whole, not merged),
    /// then the keys of <paramref name="remove"/> are removed. A read-modify-write under the node's lock, as
    /// <see cref="SetAttributesAsync"/>.
    /// </summary>
    /// <param name="set">The attributes to add or overwrite (copied); null or empty for none.</param>
    /// <param name="remove">The attributes to remove; null or empty for none.</param>
    /// <param name="cancellationToken">Cancels the change (nothing is written once it is cancelled).</param>
    /// <exception cref="ZarrException">A key to remove is not there (nothing is written), or the group was opened read-only.</exception>
    /// <exception cref="ZarrNodeException">The group is no longer in the store.</exception>
    public Task UpdateAttributesAsync(JsonObject? set, IEnumerable<string>? remove = null, CancellationToken cancellationToken = default)
    {
        EnsureWritable();
        var toSet = (JsonObject?)set?.DeepClone();
        var toRemove = remove?.ToArray();
        if (toRemove is not null && Array.IndexOf(toRemove, null) >= 0)
        {
            throw new ArgumentException("a key to remove is null", nameof(remove));
        }

        return ChangeAttributesAsync(stored => AttributeDictionary.Update(stored, toSet, toRemove, $"group {UserText.Quote("/" + Path)}"), cancellationToken);
    }

    /// <inheritdoc />
    public override string ToString() => $"ZarrGroup '/{Path}' zarr v{(int)Format}; store: {Store}";

    // Under the node's lock: the stored attributes are read again, changed, written, and published to the other handles.
    private async Task ChangeAttributesAsync(Func<AttributeDictionary, JsonObject> change, CancellationToken cancellationToken)
    {
        using var exclusive = await _node.Gate.EnterExclusiveAsync(cancellationToken).ConfigureAwait(false);
        var stored = await NodeIO.ReadGroupMetadataAsync(Store, Path, cancellationToken).ConfigureAwait(false)
            ?? throw new ZarrNodeException(Path, $"no group found in {Store}: it was deleted after this handle opened it");
        var updated = stored with { Attributes = AttributeDictionary.Own(change(stored.Attributes)) };
        await NodeIO.WriteGroupMetadataAsync(Store, Path, updated, cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _snapshot, new Snapshot(updated, _node.Publish(updated)));
    }

    private string ChildPath(string name) => NodePaths.Child(Path, NodePaths.Normalize(name));

    // A child takes the group's format; asked for the other, it is refused here, before anything is read.
    private ArrayOptions ChildOptions(string name, ArrayOptions? options)
    {
        options ??= new ArrayOptions();
        if (options.Format is { } format && format != Format)
        {
            throw HierarchyFormat.Mixed(format, "array", ChildPath(name), Format, Path);
        }

        return options with { Format = Format };
    }

    private void EnsureWritable()
    {
        if (IsReadOnly)
        {
            throw new ZarrException($"group {UserText.Quote("/" + Path)} was opened read-only (mode 'r')");
        }
    }

    /// <summary>A version of the group's metadata (see <see cref="NodeState"/>).</summary>
    private sealed record Snapshot(GroupMetadata Metadata, long Version);
}
