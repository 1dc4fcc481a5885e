using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Zarr.Storage;
using Zarr.Storage.Buffers;
using Zarr.Storage.Codecs;

namespace Zarr.Cli;

/// <summary>The <c>--json</c> objects of <c>info</c> and <c>tree</c>.</summary>
internal static class NodeJson
{
    // The chunk grid's shapes: the chunk shape, or a rectilinear grid's chunk_shapes as its zarr.json spells them.
    private static JsonNode GridShapes(ArrayMetadata metadata, JsonNode? document) =>
        metadata.RectilinearChunks.IsDefault
            ? new JsonArray([.. metadata.ChunkShape.Select(c => (JsonNode)c)])
            : document?["chunk_grid"]?["configuration"]?["chunk_shapes"]?.DeepClone() ?? new JsonArray();

    /// <summary>
    /// The array's <c>--json</c> object, with the fields of CLI.md in its order. For a sharded array, as zarr-python 3's
    /// <c>Array.chunks</c> and <c>Array.shards</c>: <c>chunks</c> is the inner chunk shape and <c>shards</c> the shard shape
    /// (the stored grid); otherwise <c>shards</c> is null. <c>data_type</c>, <c>codecs</c> and
    /// <c>fill_value</c> are "as in the metadata": copied from the stored document of the array's own format, so that a
    /// script sees what zarr-python would. For v3 that is <c>zarr.json</c>'s <c>data_type</c>, <c>codecs</c> array and
    /// <c>fill_value</c>. For v2 it is <c>.zarray</c>'s <c>dtype</c> (the numpy type string, e.g. <c>"&lt;i4"</c>),
    /// its <c>compressor</c> object (or null) — the v2 representation, not the library's equivalent v3 chain — and its
    /// <c>fill_value</c>.
    /// </summary>
    public static async Task<JsonObject> ArrayAsync(IStore store, ArrayInfo info, CancellationToken cancellationToken)
    {
        var metadata = info.Metadata;
        var v3 = metadata.Format == ZarrFormat.V3;
        var key = (info.Path.Length == 0 ? "" : info.Path + "/") + (v3 ? ZarrDocuments.V3 : ZarrDocuments.V2Array);
        var document = await ReadDocumentAsync(store, key, cancellationToken).ConfigureAwait(false);
        return new JsonObject
        {
            ["zarr_format"] = (int)metadata.Format,
            ["node_type"] = "array",
            ["shape"] = new JsonArray([.. metadata.Shape.Select(s => (JsonNode)s)]),
            ["data_type"] = document[v3 ? "data_type" : "dtype"]?.DeepClone(),
            ["chunks"] = ShardShape(metadata) is { } inner ? new JsonArray([.. inner.Select(c => (JsonNode)c)]) : GridShapes(metadata, document),
            ["shards"] = ShardShape(metadata) is null ? null : GridShapes(metadata, document),
            ["codecs"] = document[v3 ? "codecs" : "compressor"]?.DeepClone(),
            ["fill_value"] = document["fill_value"]?.DeepClone(),
            ["dimension_names"] = metadata.DimensionNames is { } names
                ? new JsonArray([.. names.Select(n => n is null ? null : (JsonNode)n)])
                : null,
            ["attributes"] = metadata.Attributes.ToJsonObject(),
            ["nbytes"] = info.NBytes,
            ["nbytes_stored"] = info.IsStorageKnown ? info.StoredBytes : null, // null: the store cannot list (plain HTTP)
            ["ratio"] = info.Ratio,
            ["chunks_initialized"] = info.IsStorageKnown ? info.ChunksInitialized : null,
            ["chunks_total"] = info.ChunksTotal,
            ["store"] = info.Store,
            ["path"] = info.Path,
        };
    }

    /// <summary>A group's <c>--json</c> object: <c>zarr_format</c>, <c>node_type</c>, <c>attributes</c>, <c>members</c> (name → node_type).</summary>
    public static async Task<JsonObject> GroupAsync(ZarrGroup group, CancellationToken cancellationToken)
    {
        var members = new JsonObject();
        await foreach (var member in group.MembersAsync(cancellationToken).ConfigureAwait(false))
        {
            members[member.Path] = member.Kind == NodeKind.Array ? "array" : "group";
        }

        return new JsonObject
        {
            ["zarr_format"] = (int)group.Format,
            ["node_type"] = "group",
            ["attributes"] = group.Attributes.ToJsonObject(),
            ["members"] = members,
        };
    }

    /// <summary>The inner chunk shape of a sharded array (its array→bytes codec is <c>sharding_indexed</c>), else null.</summary>
    public static ImmutableArray<int>? ShardShape(ArrayMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return metadata.Codecs.OfType<ShardingCodec>().FirstOrDefault()?.ChunkShape;
    }

    /// <summary>Reads a metadata document of the store as a JSON object.</summary>
    public static async Task<JsonObject> ReadDocumentAsync(IStore store, string key, CancellationToken cancellationToken)
    {
        using PooledBuffer? buffer = await store.GetAsync(key, null, cancellationToken).ConfigureAwait(false);
        // zarr-python 2 writes a NaN fill value bare (Python's json): read it as the string zarr means by it.
        if (buffer is null || ZarrDocuments.Parse(buffer.Span) is not JsonObject document)
        {
            throw new CliException($"{key} vanished or is not a JSON object");
        }

        return document;
    }
}
