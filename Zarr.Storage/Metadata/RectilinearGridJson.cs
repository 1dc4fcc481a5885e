using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Zarr.Storage.Internal;

namespace Zarr.Storage;

/// <summary>
/// The JSON of the registered <c>rectilinear</c> chunk grid: <c>{"name": "rectilinear", "configuration": {"kind":
/// "inline", "chunk_shapes": [...]}}</c>, where each axis is an integer (that edge repeated as far as needed) or a list
/// of edges and run-length pairs <c>[edge, count]</c>. Read and written back in the form it was given.
/// </summary>
internal static class RectilinearGridJson
{
    private const string Field = "chunk_grid.configuration.chunk_shapes";

    /// <summary>The edges per axis of a rectilinear grid's configuration, checked against the array's shape.</summary>
    /// <exception cref="ZarrMetadataException">The configuration is not of the registered form, or an axis's edges do not cover its length.</exception>
    public static ImmutableArray<ChunkEdgeList> Parse(JsonElement configuration, long[] shape, string document)
    {
        if (!configuration.TryGetProperty("kind", out var kind) || kind.ValueKind != JsonValueKind.String)
        {
            throw MetadataJsonReader.WrongKind(document, "chunk_grid.configuration.kind", "the string \"inline\"", kind);
        }

        if (kind.GetString() != "inline")
        {
            throw new ZarrMetadataException(document, "chunk_grid.configuration.kind", $"kind {UserText.Json(kind)} of the rectilinear chunk grid is not supported (only \"inline\")");
        }

        if (!configuration.TryGetProperty("chunk_shapes", out var shapes) || shapes.ValueKind != JsonValueKind.Array)
        {
            throw MetadataJsonReader.WrongKind(document, Field, "an array with one entry per dimension", shapes);
        }

        if (shapes.GetArrayLength() != shape.Length)
        {
            throw new ZarrMetadataException(document, Field, $"has {shapes.GetArrayLength()} dimensions and the shape has {shape.Length}");
        }

        var axes = new ChunkEdgeList[shape.Length];
        var d = 0;
        foreach (var axis in shapes.EnumerateArray())
        {
            var field = $"{Field}[{d}]";
            axes[d] = ParseAxis(axis, field, document);
            if (axes[d].Repeating is null && axes[d].Length < shape[d])
            {
                throw new ZarrMetadataException(document, field, $"the edge lengths add up to {axes[d].Length}, less than the dimension's length {shape[d]}");
            }

            d++;
        }

        return ImmutableArray.Create(axes);
    }

    /// <summary>The chunk grid object for <paramref name="edges"/>, each axis in the form it holds.</summary>
    public static JsonObject Write(ImmutableArray<ChunkEdgeList> edges)
    {
        var shapes = new JsonArray();
        foreach (var axis in edges)
        {
            if (axis.Repeating is { } edge)
            {
                shapes.Add(edge);
                continue;
            }

            var list = new JsonArray();
            foreach (var run in axis.Runs)
            {
                if (run.Encoded)
                {
                    list.Add(new JsonArray(run.Edge, run.Count));
                }
                else
                {
                    for (long i = 0; i < run.Count; i++)
                    {
                        list.Add(run.Edge);
                    }
                }
            }

            shapes.Add(list);
        }

        return new JsonObject
        {
            ["name"] = "rectilinear",
            ["configuration"] = new JsonObject { ["kind"] = "inline", ["chunk_shapes"] = shapes },
        };
    }

    private static ChunkEdgeList ParseAxis(JsonElement axis, string field, string document)
    {
        if (axis.ValueKind == JsonValueKind.Number)
        {
            return ChunkEdgeList.Regular(Edge(axis, field, document));
        }

        if (axis.ValueKind != JsonValueKind.Array || axis.GetArrayLength() == 0)
        {
            throw new ZarrMetadataException(document, field, $"expected an edge length or a non-empty list of edge lengths and [edge, count] pairs, found {MetadataJsonReader.KindName(axis.ValueKind)}");
        }

        var runs = new List<ChunkEdgeRun>();
        var i = 0;
        foreach (var item in axis.EnumerateArray())
        {
            var itemField = $"{field}[{i++}]";
            if (item.ValueKind == JsonValueKind.Number)
            {
                runs.Add(new ChunkEdgeRun(Edge(item, itemField, document), 1, Encoded: false));
            }
            else if (item.ValueKind == JsonValueKind.Array && item.GetArrayLength() == 2)
            {
                var edge = Edge(item[0], itemField + "[0]", document);
                if (item[1].ValueKind != JsonValueKind.Number || !item[1].TryGetInt64(out var count) || count < 1)
                {
                    throw new ZarrMetadataException(document, itemField + "[1]", $"a run's count must be an integer of at least 1, found {MetadataJsonReader.KindName(item[1].ValueKind)} {UserText.Json(item[1])}");
                }

                runs.Add(new ChunkEdgeRun(edge, count, Encoded: true));
            }
            else
            {
                throw new ZarrMetadataException(document, itemField, $"expected an edge length or a run-length pair [edge, count], found {MetadataJsonReader.KindName(item.ValueKind)} {UserText.Json(item)}");
            }
        }

        try
        {
            return ChunkEdgeList.FromRuns(runs);
        }
        catch (ZarrException e)
        {
            throw new ZarrMetadataException(document, field, e.Message);
        }
    }

    private static int Edge(JsonElement value, string field, string document) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var edge) && edge >= 1
            ? edge
            : throw new ZarrMetadataException(document, field, $"a chunk edge length must be an integer between 1 and {int.MaxValue}, found {MetadataJsonReader.KindName(value.ValueKind)} {UserText.Json(value)}");
}
