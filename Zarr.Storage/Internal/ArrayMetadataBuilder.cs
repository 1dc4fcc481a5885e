using Zarr.Storage.Codecs;

namespace Zarr.Storage.Internal;

/// <summary>
/// The metadata of a new array from its shape, data type, fill value and <see cref="ArrayOptions"/>: the chunk shape
/// (given or guessed, inner chunks of shards), the codec chain (order, filters, bytes, compressors, sharding), the chunk
/// key encoding and the attributes.
/// </summary>
internal static class ArrayMetadataBuilder
{
    /// <summary>The fill value's bytes from its v3 JSON (zeros when none is given).</summary>
    public static byte[] ParseFillValue(System.Text.Json.Nodes.JsonNode? value, ZarrDataType dataType)
    {
        if (value is null)
        {
            return new byte[dataType.ItemSize];
        }

        using var document = System.Text.Json.JsonDocument.Parse(SpelledAsZarr(value).ToJsonString());
        return FillValueJson.ParseV3(document.RootElement, dataType, "fill value");
    }

    // `FillValue = double.NaN` is how a C# user says it, but JSON has no NaN (ToJsonString throws): Zarr spells the
    // non-finite floats as the strings "NaN", "Infinity" and "-Infinity".
    private static System.Text.Json.Nodes.JsonNode SpelledAsZarr(System.Text.Json.Nodes.JsonNode value)
    {
        if (value is not System.Text.Json.Nodes.JsonValue number)
        {
            return value;
        }

        double d;
        if (number.TryGetValue<double>(out var asDouble))
        {
            d = asDouble;
        }
        else if (number.TryGetValue<float>(out var asSingle))
        {
            d = asSingle;
        }
        else
        {
            return value;
        }

        return double.IsFinite(d) ? value : System.Text.Json.Nodes.JsonValue.Create(double.IsNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
    }

    /// <summary>The metadata of a new array; <paramref name="fill"/> is the fill value's bytes (zeros when <c>options.FillValueIsNull</c>).</summary>
    public static ArrayMetadata Build(long[] shape, ZarrDataType dataType, byte[] fill, ArrayOptions options)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (options.FillValueIsNull && options.FillValue is not null)
        {
            throw new ZarrException($"the options give a fill value ({UserText.Json(options.FillValue)}) and FillValueIsNull (no fill value); set one or the other");
        }

        if (options.ChunkEdges is { } rectilinear)
        {
            return BuildRectilinear(shape, dataType, fill, options, rectilinear);
        }

        var chunks = options.Chunks?.ToArray() ?? ChunkShapes.Guess(shape, dataType.ItemSize);
        if (options.Shards is not null)
        {
            chunks = ShardChunks(shape, dataType, options);
        }

        if (chunks.Length != shape.Length)
        {
            throw new ZarrException($"the chunk shape ({string.Join(", ", chunks)}) has {chunks.Length} dimensions but the shape ({string.Join(", ", shape)}) has {shape.Length}");
        }

        var codecs = new List<ICodec>();
        if (options.Order is 'F' or 'f')
        {
            codecs.Add(new TransposeCodec([.. Enumerable.Range(0, shape.Length).Reverse()]));
        }
        else if (options.Order is not ('C' or 'c'))
        {
            throw new ZarrException($"order must be 'C' or 'F', not '{options.Order}'");
        }

        // Filters may change the element type: the bytes codec and the default compressor see what they produce.
        var stored = new ChunkSpec([.. chunks], dataType, [.. fill]);
        foreach (var filter in options.Filters ?? [])
        {
            codecs.Add(filter);
            stored = filter.GetEncodedSpec(stored);
        }

        codecs.Add(new BytesCodec(stored.DataType.ItemSize == 1 ? null : options.Endian));
        codecs.AddRange(options.Compressors ?? [CodecRegistry.DefaultCompressor(stored.DataType)]);
        if (options.Shards is { } shards)
        {
            // The chunk grid is the shard grid; the chunks are the inner chunks of each shard.
            codecs = [new ShardingCodec(chunks, codecs)];
            chunks = shards.ToArray();
        }

        var format = options.Format ?? ZarrFormat.V3;
        var separator = options.ChunkKeySeparator ?? (format == ZarrFormat.V3 ? '/' : '.');
        var encoding = ChunkKeyEncoding.Create(format == ZarrFormat.V3 ? "default" : "v2", separator);

        // v2 keeps dimension names in xarray's attribute _ARRAY_DIMENSIONS.
        var (attributes, dimensionNames) = V2DimensionNames.ForNewArray(format, shape.Length, options.Attributes, options.DimensionNames);
        var metadata = new ArrayMetadata
        {
            Format = format,
            Shape = [.. shape],
            ChunkShape = [.. chunks],
            DataType = dataType,
            FillValue = [.. fill],

            // v3 has no null fill value: there the type's zero stands in, as zarr-python 3 writes it.
            FillValueIsNull = options.FillValueIsNull && format == ZarrFormat.V2,
            Codecs = codecs,
            ChunkKeyEncoding = encoding,
            Attributes = attributes,
            DimensionNames = dimensionNames,
        };
        MetadataSerializer.ValidateChain(metadata);
        return metadata;
    }

    // A rectilinear grid: the same chain as a regular array whose chunks are the edges' envelope, sharded when Chunks is
    // given (the rectilinear chunks are the shards), then checked chunk shape by chunk shape.
    private static ArrayMetadata BuildRectilinear(long[] shape, ZarrDataType dataType, byte[] fill, ArrayOptions options, IReadOnlyList<ChunkEdgeList> edges)
    {
        if ((options.Format ?? ZarrFormat.V3) != ZarrFormat.V3)
        {
            throw new ZarrException("a rectilinear chunk grid is a Zarr v3 extension: v2 metadata (.zarray's \"chunks\") holds one chunk shape only; create the array as v3 or give one chunk shape");
        }

        if (options.Shards is not null)
        {
            throw new ZarrException("with ChunkEdges the rectilinear chunks are the shards: give the inner chunk shape as Chunks and leave Shards null");
        }

        if (edges.Count != shape.Length || edges.Any(e => e is null))
        {
            throw new ZarrException($"the chunk edges name {edges.Count} axes but the shape ({string.Join(", ", shape)}) has {shape.Length}");
        }

        var envelope = RectilinearRules.Envelope(edges);
        if (options.Chunks is { } inner)
        {
            RectilinearRules.CheckInnerChunks(edges, [.. inner]);
        }

        var regular = options with { ChunkEdges = null, Chunks = options.Chunks is null ? envelope : options.Chunks, Shards = options.Chunks is null ? null : envelope };
        var metadata = Build(shape, dataType, fill, regular) with { RectilinearChunks = [.. edges], ChunkShape = envelope };
        _ = metadata.CreateGrid();
        RectilinearRules.Validate(metadata, metadata.Pipeline, metadata.ChunkSpec);
        return metadata;
    }

    // The inner chunk shape of a sharded array: the given chunks, which must divide the shards, or a guess that does.
    private static int[] ShardChunks(long[] shape, ZarrDataType dataType, ArrayOptions options)
    {
        var shards = options.Shards!.Value.ToArray();
        if ((options.Format ?? ZarrFormat.V3) != ZarrFormat.V3)
        {
            throw new ZarrException("shards are a Zarr v3 feature (the sharding_indexed codec); v2 arrays cannot be sharded");
        }

        if (shards.Length != shape.Length)
        {
            throw new ZarrException($"the shard shape ({string.Join(", ", shards)}) has {shards.Length} dimensions but the shape ({string.Join(", ", shape)}) has {shape.Length}");
        }

        if (options.Chunks?.ToArray() is { } given)
        {
            if (given.Length != shards.Length || given.Where((c, d) => c <= 0 || shards[d] % c != 0).Any())
            {
                throw new ZarrException($"the shard shape ({string.Join(", ", shards)}) must be divisible by the chunk shape ({string.Join(", ", given)}) in every dimension");
            }

            return (int[])given.Clone();
        }

        if (shards.Any(s => s <= 0))
        {
            throw new ZarrException($"the shard shape ({string.Join(", ", shards)}) must be positive in every dimension");
        }

        // zarr-python guesses the inner chunks from the shard shape; each is lowered to a divisor of its shard dimension.
        var guess = ChunkShapes.Guess([.. shards.Select(s => (long)s)], dataType.ItemSize);
        for (var d = 0; d < guess.Length; d++)
        {
            var c = Math.Clamp(guess[d], 1, shards[d]);
            while (shards[d] % c != 0)
            {
                c--;
            }

            guess[d] = c;
        }

        return guess;
    }
}
