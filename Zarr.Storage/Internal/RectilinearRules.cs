using System.Collections.Immutable;
using Zarr.Storage.Codecs;

namespace Zarr.Storage.Internal;

/// <summary>What an array with a rectilinear chunk grid must satisfy beyond a regular one's rules.</summary>
internal static class RectilinearRules
{
    /// <summary>
    /// Checks a rectilinear array: v3 only, a fixed-size element type, the chunk shape the edges' envelope, and every
    /// chunk shape valid for the codecs (sharding: each edge a multiple of the inner chunk's). One check per distinct
    /// edge of each axis, so an axis of a million equal chunks is one check.
    /// </summary>
    /// <exception cref="ZarrException">A rule is broken; the message says which axis and edge.</exception>
    public static void Validate(ArrayMetadata metadata, CodecPipeline pipeline, ChunkSpec envelopeSpec)
    {
        if (metadata.Format != ZarrFormat.V3)
        {
            throw new ZarrException("a rectilinear chunk grid is a Zarr v3 extension: v2 metadata (.zarray's \"chunks\") holds one chunk shape only; create the array as v3 or give one chunk shape");
        }

        if (!metadata.DataType.IsFixedSize)
        {
            throw new ZarrException($"a rectilinear chunk grid is not supported for the variable-length data type {metadata.DataType}; use a regular chunk grid");
        }

        var edges = metadata.RectilinearChunks;
        if (edges.Length != metadata.Rank)
        {
            throw new ZarrException($"the rectilinear chunk grid has {edges.Length} axes but the shape ({string.Join(", ", metadata.Shape)}) has {metadata.Rank}");
        }

        for (var d = 0; d < edges.Length; d++)
        {
            if (metadata.ChunkShape[d] != edges[d].MaxEdge)
            {
                throw new ZarrException($"the chunk shape of a rectilinear grid is its longest edge per axis; axis {d} has {metadata.ChunkShape[d]}, its longest edge is {edges[d].MaxEdge}");
            }
        }

        for (var d = 0; d < edges.Length; d++)
        {
            var distinct = edges[d].Repeating is { } one ? [one] : edges[d].Runs.Select(r => r.Edge).Distinct();
            foreach (var edge in distinct)
            {
                if (edge == envelopeSpec.Shape[d])
                {
                    continue;
                }

                var shape = envelopeSpec.Shape.SetItem(d, edge);
                try
                {
                    pipeline.Validate(envelopeSpec with { Shape = shape });
                }
                catch (ZarrException e)
                {
                    throw new ZarrException($"axis {d} of the rectilinear chunk grid has a chunk of edge {edge} that the codecs cannot take (a sharded rectilinear grid needs every edge a multiple of the inner chunk's): {e.Message}", e);
                }
            }
        }
    }

    /// <summary>Checks that the inner chunk shape of a sharded rectilinear grid divides every edge.</summary>
    /// <exception cref="ZarrException">The ranks differ or an edge is not a multiple of the inner chunk's.</exception>
    public static void CheckInnerChunks(IReadOnlyList<ChunkEdgeList> edges, int[] inner)
    {
        if (inner.Length != edges.Count)
        {
            throw new ZarrException($"the inner chunk shape ({string.Join(", ", inner)}) has {inner.Length} dimensions but the rectilinear grid has {edges.Count}");
        }

        for (var d = 0; d < inner.Length; d++)
        {
            var distinct = edges[d].Repeating is { } one ? [one] : edges[d].Runs.Select(r => r.Edge).Distinct();
            foreach (var edge in distinct)
            {
                if (inner[d] <= 0 || edge % inner[d] != 0)
                {
                    throw new ZarrException($"axis {d} of the rectilinear chunk grid has a shard of edge {edge}, which the inner chunk shape ({string.Join(", ", inner)}) does not divide: every edge of a sharded rectilinear grid must be a multiple of the inner chunk's");
                }
            }
        }
    }

    /// <summary>The envelope (longest edge per axis) of rectilinear edges.</summary>
    public static ImmutableArray<int> Envelope(IReadOnlyList<ChunkEdgeList> edges) => [.. edges.Select(e => e.MaxEdge)];
}
