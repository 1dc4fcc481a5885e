using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;

namespace Zarr.Storage;

/// <summary>
/// The rules a codec chain and an array model keep in both formats, checked by the readers (as metadata errors naming
/// the document) and the writers (as <see cref="ZarrException"/>s naming the model's fault).
/// </summary>
internal static class CodecChainRules
{
    /// <summary>The pipeline a read chain makes, its construction errors as metadata errors of <paramref name="document"/>.</summary>
    internal static CodecPipeline CreatePipeline(IReadOnlyList<ICodec> codecs, string document)
    {
        try
        {
            return CodecPipeline.Create(codecs);
        }
        catch (ZarrMetadataException)
        {
            throw;
        }
        catch (ZarrException ex)
        {
            throw new ZarrMetadataException(document, "codecs", ex.Message, ex);
        }
    }

    /// <summary>The bytes codec needs a byte order for the type it receives (the last filter's encoded type, if any).</summary>
    internal static void CheckEndian(IReadOnlyList<ICodec> codecs, ZarrDataType dataType, Func<ZarrDataType, ZarrException> error)
    {
        var type = dataType;
        foreach (var codec in codecs)
        {
            if (codec is BytesCodec { Endian: null } && type.NeedsByteOrder)
            {
                throw error(type);
            }

            type = TypeAfter(codec, type);
        }
    }

    /// <summary>Each numcodecs filter must decode to the type that reaches it: the array's, or the previous filter's output.</summary>
    internal static void CheckFilterTypes(IReadOnlyList<ICodec> codecs, ZarrDataType dataType, Func<string, ZarrException> error)
    {
        var type = dataType;
        var from = "the array's data type";
        foreach (var codec in codecs)
        {
            var decodes = codec switch
            {
                IV2Filter filter => filter.DecodedType.DataType,
                CastValueCodec cast => cast.DecodedType,
                ScaleOffsetCodec scaleOffset => scaleOffset.DataType,
                _ => null,
            };
            if (decodes is not null && decodes != type)
            {
                throw error(codec is IV2Filter f
                    ? $"the filter '{f.Name}' decodes to {f.DecodedType} ({f.DecodedType.DataType}), but {from} is {type}"
                    : $"the codec '{codec.Name}' works on {decodes}, but {from} is {type}");
            }

            if (decodes is not null)
            {
                type = TypeAfter(codec, type);
                from = $"the codec before it ('{codec.Name}') encodes to {type} and so the type reaching it";
            }
        }
    }

    /// <summary>
    /// The fill value survives the value-transforming array→array codecs (cast_value makes one that does not come back
    /// from its cast an error, which the extension asks to report when the metadata is read, not at the first write).
    /// </summary>
    internal static void CheckFillValue(IReadOnlyList<ICodec> codecs, ZarrDataType dataType, byte[] fillValue, Func<string, ZarrException> error)
    {
        var spec = new ChunkSpec([1], dataType, [.. fillValue]);
        foreach (var codec in codecs)
        {
            if (codec is not (CastValueCodec or ScaleOffsetCodec or BitRoundCodec or IV2Filter))
            {
                if (codec is not TransposeCodec)
                {
                    return;
                }

                continue;
            }

            try
            {
                spec = ((IArrayToArrayCodec)codec).GetEncodedSpec(spec);
            }
            catch (ZarrCodecException ex)
            {
                throw error(ex.Reason);
            }
        }
    }

    /// <summary>The element type a codec of the chain hands on, given the type it receives (array→array codecs that change it).</summary>
    internal static ZarrDataType TypeAfter(ICodec codec, ZarrDataType type) => codec switch
    {
        IV2Filter filter => filter.EncodedType.DataType,
        CastValueCodec cast => cast.EncodedType,
        _ => type,
    };

    /// <summary>Two numpy types name the same stored layout (the same type; the same byte order unless one byte wide).</summary>
    internal static bool SameStoredType(NumpyDType a, NumpyDType b) => a.DataType == b.DataType && a.BigEndian == b.BigEndian;

    internal static string EndianMessage(ZarrDataType dataType) =>
        $"the bytes codec needs an endian (\"little\" or \"big\") for {dataType}, whose elements are {dataType.ItemSize} bytes";

    /// <summary>The model's own consistency, checked before it is written in either format.</summary>
    internal static void CheckModel(ArrayMetadata metadata)
    {
        if (metadata.ChunkShape.Length != metadata.Shape.Length)
        {
            throw new ZarrException($"the chunk shape has {metadata.ChunkShape.Length} dimensions and the shape has {metadata.Shape.Length}");
        }

        if (metadata.Shape.Any(s => s < 0) || metadata.ChunkShape.Any(c => c <= 0))
        {
            throw new ZarrException($"shape ({string.Join(", ", metadata.Shape)}) must be >= 0 and chunk shape ({string.Join(", ", metadata.ChunkShape)}) > 0");
        }

        if (metadata.DataType.IsFixedSize && metadata.FillValue.Length != metadata.DataType.ItemSize)
        {
            throw new ZarrException($"the fill value is {metadata.FillValue.Length} bytes; a {metadata.DataType} is {metadata.DataType.ItemSize}");
        }

        CheckNullFillValue(metadata);

        if (metadata.DimensionNames is { } names && names.Count != metadata.Rank)
        {
            throw new ZarrException($"there are {names.Count} dimension names for {metadata.Rank} dimensions");
        }
    }

    /// <summary>
    /// A null fill value (<see cref="ArrayMetadata.FillValueIsNull"/>) reads as zeros, so <see cref="ArrayMetadata.FillValue"/>
    /// must be zeros with it: anything else would read differently once written and read back.
    /// </summary>
    /// <exception cref="ZarrException">The flag is set and the fill value's bytes are not all zero.</exception>
    internal static void CheckNullFillValue(ArrayMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (metadata.FillValueIsNull && metadata.FillValue.AsSpan().ContainsAnyExcept((byte)0))
        {
            throw new ZarrException($"FillValueIsNull says the array has no fill value (missing chunks read as zeros), but FillValue is not zero ({Convert.ToHexString(metadata.FillValue.AsSpan())}); clear one of them");
        }
    }

    /// <summary>The permutation of C order into F order: the axes reversed.</summary>
    internal static int[] ReversedOrder(int rank)
    {
        var order = new int[rank];
        for (var i = 0; i < rank; i++)
        {
            order[i] = rank - 1 - i;
        }

        return order;
    }

    /// <summary>A shape as a JSON array of numbers (an <see cref="int"/> chunk shape widens losslessly).</summary>
    internal static JsonArray ToJsonArray(IEnumerable<long> values)
    {
        var array = new JsonArray();
        foreach (var v in values)
        {
            array.Add(v);
        }

        return array;
    }
}
