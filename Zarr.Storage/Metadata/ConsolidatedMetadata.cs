using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Zarr.Storage.Internal;

namespace Zarr.Storage;

/// <summary>
/// Consolidated metadata: every metadata document below a group gathered into one, so that opening the group and walking
/// it costs one read. Written and read in both layouts zarr-python uses: v2 <c>.zmetadata</c>
/// (<c>{"metadata": {key: document}, "zarr_consolidated_format": 1}</c>, as zarr-python 2 writes it) and v3 inline
/// <c>consolidated_metadata</c> in the group's <c>zarr.json</c> (<c>{"kind": "inline", "must_understand": false,
/// "metadata": {path: zarr.json document}}</c>, as zarr-python 3 writes it).
/// </summary>
/// <remarks>
/// Consolidated metadata is a snapshot, as in zarr-python: arrays, groups or attributes created, changed or deleted after
/// <see cref="WriteAsync"/> are not seen by readers that use it until it is written again. This library uses it only for
/// groups opened read-only (mode <c>r</c>), where nothing can be written through it; read-write opens always read the
/// documents themselves. Rewriting a v3 group's own <c>zarr.json</c> (for instance by setting its attributes) drops its
/// consolidated metadata.
/// </remarks>
public static class ConsolidatedMetadata
{
    /// <summary>The v2 consolidated metadata document's name.</summary>
    public const string ZMetadata = ".zmetadata";

    private const string Field = "consolidated_metadata";
    private const int V2Indent = 4;
    private const int V3Indent = 2;

    /// <summary>
    /// Writes (or refreshes) the consolidated metadata of the group at <paramref name="path"/> and everything below it: v2
    /// groups get a <c>.zmetadata</c> beside their <c>.zgroup</c>, v3 groups a <c>consolidated_metadata</c> field in their
    /// <c>zarr.json</c>. The documents are read from the store itself, never from an older snapshot.
    /// </summary>
    /// <param name="store">A writable store.</param>
    /// <param name="path">The group's path ("" for the root).</param>
    /// <param name="cancellationToken">Cancels the walk and the write.</param>
    /// <exception cref="ZarrNodeException">There is no group at <paramref name="path"/>.</exception>
    /// <exception cref="ZarrStoreException">The store is read-only.</exception>
    /// <exception cref="ZarrMetadataException">A document below the group is not valid JSON.</exception>
    public static async Task WriteAsync(IStore store, string path = "", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        path = NodePaths.Normalize(path);
        var metadata = await NodeIO.ReadGroupMetadataAsync(store, path, cancellationToken).ConfigureAwait(false)
            ?? throw new ZarrNodeException(path, $"no group found in {store} to consolidate");
        if (metadata.Format == ZarrFormat.V2)
        {
            await WriteV2Async(store, path, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await WriteV3Async(store, path, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A read-only view of <paramref name="store"/> that answers metadata reads below the group at <paramref name="path"/>
    /// from its consolidated metadata, or null when the group has none.
    /// </summary>
    /// <param name="store">The store.</param>
    /// <param name="path">The group's path ("" for the root).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="ZarrMetadataException">The consolidated metadata is not valid.</exception>
    public static async Task<ConsolidatedStore?> TryOpenAsync(IStore store, string path = "", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var (view, _) = await OpenGroupAsync(store, NodePaths.Normalize(path), cancellationToken).ConfigureAwait(false);
        return view as ConsolidatedStore;
    }

    /// <summary>
    /// Reads a group's metadata for a read-only open, using its consolidated metadata when it has some: then the store
    /// returned is the <see cref="ConsolidatedStore"/> the group should read through. One read for a consolidated v3 group,
    /// two for a consolidated v2 group (a <c>zarr.json</c> that is not there, then its <c>.zmetadata</c>).
    /// </summary>
    internal static async ValueTask<(IStore Store, GroupMetadata? Metadata)> OpenGroupAsync(IStore store, string path, CancellationToken cancellationToken)
    {
        if (store is ConsolidatedStore)
        {
            return (store, await NodeIO.ReadGroupMetadataAsync(store, path, cancellationToken).ConfigureAwait(false));
        }

        var key = NodePaths.Key(path, MetadataSerializer.ZarrJson);
        var json = await NodeIO.ReadAllAsync(store, key, cancellationToken).ConfigureAwait(false);
        if (json is not null)
        {
            if (MetadataSerializer.ReadNodeTypeV3(json, key) != "group")
            {
                throw new ZarrNodeException(path, "is an array, not a group");
            }

            var group = MetadataSerializer.ParseGroupV3(json, key);
            var view = ParseV3(store, path, key, json);
            return (view ?? store, group);
        }

        var zmetadataKey = NodePaths.Key(path, ZMetadata);
        var zmetadata = await NodeIO.ReadAllAsync(store, zmetadataKey, cancellationToken).ConfigureAwait(false);
        if (zmetadata is not null)
        {
            var view = ParseV2(store, path, zmetadataKey, zmetadata);
            var group = await NodeIO.ReadGroupMetadataAsync(view, path, cancellationToken).ConfigureAwait(false);
            if (group is not null)
            {
                return (view, group);
            }
        }

        return (store, await NodeIO.ReadGroupMetadataV2Async(store, path, cancellationToken).ConfigureAwait(false));
    }

    internal static ConsolidatedStore? ParseV3(IStore store, string path, string key, byte[] json)
    {
        JsonObject root;
        try
        {
            root = ParseJson(json, key) as JsonObject ?? throw new ZarrMetadataException(key, null, "expected a JSON object");
        }
        catch (JsonException e)
        {
            throw new ZarrMetadataException(key, null, "not valid JSON: " + e.Message, e);
        }

        if (root[Field] is not JsonObject consolidated)
        {
            return null;
        }

        if ((consolidated["kind"] as JsonValue)?.GetValueKind() != JsonValueKind.String || (string?)consolidated["kind"] != "inline")
        {
            // Only "inline" is defined; with must_understand false, another kind is ignored and the documents are read one by one.
            if (consolidated["must_understand"] is JsonValue mustUnderstand && mustUnderstand.GetValueKind() == JsonValueKind.True)
            {
                throw new ZarrMetadataException(key, Field + ".kind", $"{UserText.Json(consolidated["kind"])} is not a supported kind (only \"inline\"), and must_understand is true");
            }

            return null;
        }

        if (consolidated["metadata"] is not JsonObject members)
        {
            throw new ZarrMetadataException(key, Field + ".metadata", "must be an object mapping paths to zarr.json documents");
        }

        var documents = new Dictionary<string, byte[]>(StringComparer.Ordinal) { [key] = json };
        var groups = new HashSet<string>(StringComparer.Ordinal) { path };
        foreach (var (relative, document) in members)
        {
            var field = $"{Field}.metadata.{relative}";
            var child = ChildPath(path, relative, key, field);
            if (document is not JsonObject node || (node["zarr_format"] as JsonValue)?.ToJsonString() != "3")
            {
                throw new ZarrMetadataException(key, field, "must be a Zarr v3 zarr.json document (an object with \"zarr_format\": 3)");
            }

            var nodeType = (node["node_type"] as JsonValue)?.GetValueKind() == JsonValueKind.String ? (string?)node["node_type"] : null;
            if (nodeType == "group")
            {
                groups.Add(child);
            }
            else if (nodeType != "array")
            {
                throw new ZarrMetadataException(key, field + ".node_type", "must be \"array\" or \"group\"");
            }

            documents[NodePaths.Key(child, MetadataSerializer.ZarrJson)] = Encoding.UTF8.GetBytes(node.ToJsonString());
        }

        AddImpliedGroups(groups, path);
        return new ConsolidatedStore(store, path, ZarrFormat.V3, documents, groups);
    }

    internal static ConsolidatedStore ParseV2(IStore store, string path, string key, byte[] json)
    {
        JsonObject root;
        try
        {
            // zarr-python 2 gathers the .zattrs as Python's json wrote them: NaN and infinities as bare tokens.
            root = PythonJson.ParseNode(json) as JsonObject
                ?? throw new ZarrMetadataException(key, null, "not a valid consolidated metadata document: expected a JSON object");
        }
        catch (JsonException e)
        {
            throw new ZarrMetadataException(key, null, "not a valid consolidated metadata document: " + e.Message, e);
        }

        // A number that equals 1, as zarr-python compares it; a bare Infinity (a double no JSON text holds) is not one.
        if (!(root["zarr_consolidated_format"] is JsonValue version && version.GetValueKind() == JsonValueKind.Number && version.TryGetValue<double>(out var number) && number == 1))
        {
            throw new ZarrMetadataException(key, "zarr_consolidated_format", $"{(root["zarr_consolidated_format"] is { } format ? UserText.Json(format) : "missing")} is not a supported consolidated format (only 1)");
        }

        if (root["metadata"] is not JsonObject members)
        {
            throw new ZarrMetadataException(key, "metadata", "must be an object mapping keys to documents");
        }

        var documents = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var groups = new HashSet<string>(StringComparer.Ordinal) { path };
        foreach (var (relative, document) in members)
        {
            var slash = relative.LastIndexOf('/');
            var name = slash < 0 ? relative : relative[(slash + 1)..];
            if (name is not (MetadataSerializer.ZArray or MetadataSerializer.ZGroup or MetadataSerializer.ZAttrs) || document is null)
            {
                continue;
            }

            var node = slash < 0 ? path : ChildPath(path, relative[..slash], key, "metadata." + relative);
            if (name == MetadataSerializer.ZGroup)
            {
                groups.Add(node);
            }

            // As zarr-python's ConsolidatedMetadataStore serves them: a NaN or an infinity as Python's bare token, which the
            // .zattrs reader turns back into the double (and the .zarray reader into the fill value's string).
            documents[NodePaths.Key(node, name)] = PythonJson.SerializeAsPython(document, V2Indent, sortKeys: false);
        }

        AddImpliedGroups(groups, path);
        return new ConsolidatedStore(store, path, ZarrFormat.V2, documents, groups);
    }

    /// <summary>Every folder between the consolidated group and a group in the snapshot lists from the snapshot too.</summary>
    private static void AddImpliedGroups(HashSet<string> groups, string path)
    {
        foreach (var group in groups.ToList())
        {
            for (var slash = group.LastIndexOf('/'); slash > path.Length; slash = group.LastIndexOf('/', slash - 1))
            {
                groups.Add(group[..slash]);
            }
        }
    }

    private static string ChildPath(string path, string relative, string key, string field)
    {
        string normalized;
        try
        {
            normalized = NodePaths.Normalize(relative);
        }
        catch (ZarrException e)
        {
            throw new ZarrMetadataException(key, field, $"{UserText.Quote(relative)} is not a valid node path", e);
        }

        if (normalized.Length == 0 || normalized != relative)
        {
            throw new ZarrMetadataException(key, field, $"{UserText.Quote(relative)} is not a valid relative node path");
        }

        return NodePaths.Child(path, normalized);
    }

    /// <summary>zarr-python 2's <c>consolidate_metadata</c>: every <c>.zgroup</c>, <c>.zarray</c> and <c>.zattrs</c> below the group, keys relative to it, sorted, indent 4.</summary>
    private static async Task WriteV2Async(IStore store, string path, CancellationToken cancellationToken)
    {
        var metadata = new JsonObject();
        await foreach (var (node, _) in WalkAsync(store, path, ZarrFormat.V2, cancellationToken).ConfigureAwait(false))
        {
            foreach (var name in new[] { MetadataSerializer.ZArray, MetadataSerializer.ZGroup, MetadataSerializer.ZAttrs })
            {
                var key = NodePaths.Key(node, name);
                var document = await NodeIO.ReadAllAsync(store, key, cancellationToken).ConfigureAwait(false);
                if (document is not null)
                {
                    metadata[NodePaths.Key(Relative(path, node), name)] = ParseJsonV2(document, key);
                }
            }
        }

        var root = new JsonObject { ["metadata"] = metadata, ["zarr_consolidated_format"] = 1 };
        await store.SetAsync(NodePaths.Key(path, ZMetadata), PythonJson.Serialize(root, V2Indent, sortKeys: true), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>zarr-python 3's <c>consolidate_metadata</c>: the group's <c>zarr.json</c> gains <c>consolidated_metadata</c> with every node below it.</summary>
    private static async Task WriteV3Async(IStore store, string path, CancellationToken cancellationToken)
    {
        var members = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        await foreach (var (node, isGroup) in WalkAsync(store, path, ZarrFormat.V3, cancellationToken).ConfigureAwait(false))
        {
            if (node == path)
            {
                continue;
            }

            var key = NodePaths.Key(node, MetadataSerializer.ZarrJson);
            var document = ParseJson((await NodeIO.ReadAllAsync(store, key, cancellationToken).ConfigureAwait(false))!, key).AsObject();

            // A child group is written with an empty snapshot of its own, as zarr-python 3 writes it.
            members[Relative(path, node)] = isGroup ? WithConsolidated(document, new JsonObject()) : document;
        }

        var flattened = new JsonObject();
        foreach (var (relative, document) in members)
        {
            flattened[relative] = document;
        }

        // A read-modify-write of the group's own document, under the lock its attribute changes take, so neither loses
        // the other's change.
        var rootKey = NodePaths.Key(path, MetadataSerializer.ZarrJson);
        using var exclusive = await NodeState.For(store, path).Gate.EnterExclusiveAsync(cancellationToken).ConfigureAwait(false);
        var stored = await NodeIO.ReadAllAsync(store, rootKey, cancellationToken).ConfigureAwait(false)
            ?? throw new ZarrNodeException(path, $"no group found in {store} to consolidate: it was deleted");
        var root = ParseJson(stored, rootKey).AsObject();
        await store.SetAsync(rootKey, PythonJson.Serialize(WithConsolidated(root, flattened), V3Indent, sortKeys: false), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A group document with <c>consolidated_metadata</c> in zarr-python 3's field order: after <c>zarr_format</c>, before <c>node_type</c>.</summary>
    private static JsonObject WithConsolidated(JsonObject group, JsonObject metadata)
    {
        var consolidated = new JsonObject { ["kind"] = "inline", ["must_understand"] = false, ["metadata"] = metadata };
        var result = new JsonObject();
        foreach (var (name, value) in group)
        {
            if (name == Field)
            {
                continue;
            }

            if (name == "node_type")
            {
                result[Field] = consolidated;
            }

            result[name] = value?.DeepClone();
        }

        if (!result.ContainsKey(Field))
        {
            result[Field] = consolidated;
        }

        return result;
    }

    /// <summary>Every node of <paramref name="format"/> at and below <paramref name="path"/> (the group first), depth first, children sorted, read from the store itself.</summary>
    private static async IAsyncEnumerable<(string Path, bool IsGroup)> WalkAsync(IStore store, string path, ZarrFormat format, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pending = new Stack<string>();
        pending.Push(path);
        while (pending.Count > 0)
        {
            var group = pending.Pop();
            yield return (group, true);
            var names = new List<string>();
            await foreach (var name in store.ListDirectoryAsync(NodePaths.Prefix(group), cancellationToken).ConfigureAwait(false))
            {
                if (!name.StartsWith('.') && name != MetadataSerializer.ZarrJson)
                {
                    names.Add(name);
                }
            }

            names.Sort(StringComparer.Ordinal);
            var subgroups = new List<string>();
            foreach (var name in names)
            {
                var child = NodePaths.Child(group, name);
                var (kind, childFormat) = await NodeIO.ProbeAsync(store, child, cancellationToken).ConfigureAwait(false);
                if (kind is null || childFormat != format)
                {
                    continue;
                }

                if (kind == "group")
                {
                    subgroups.Add(child);
                }
                else
                {
                    yield return (child, false);
                }
            }

            for (var i = subgroups.Count - 1; i >= 0; i--)
            {
                pending.Push(subgroups[i]);
            }
        }
    }

    private static string Relative(string path, string node) => path.Length == 0 ? node : node.Length == path.Length ? "" : node[(path.Length + 1)..];

    /// <summary>A v2 document as Python's json writes it (NaN and infinities as bare tokens, read as doubles; written back as strings).</summary>
    private static JsonNode ParseJsonV2(byte[] json, string key)
    {
        try
        {
            return PythonJson.ParseNode(json) ?? throw new ZarrMetadataException(key, null, "is JSON null, not a document");
        }
        catch (JsonException e)
        {
            throw new ZarrMetadataException(key, null, "not valid JSON: " + e.Message, e);
        }
    }

    private static JsonNode ParseJson(byte[] json, string key)
    {
        try
        {
            JsonUnicode.Check(json);
            return JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false })
                ?? throw new ZarrMetadataException(key, null, "is JSON null, not a document");
        }
        catch (JsonException e)
        {
            throw new ZarrMetadataException(key, null, "not valid JSON: " + e.Message, e);
        }
    }
}
