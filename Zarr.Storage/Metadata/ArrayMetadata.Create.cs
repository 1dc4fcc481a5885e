using Zarr.Storage.Internal;

namespace Zarr.Storage;

public sealed partial record ArrayMetadata
{
    /// <summary>
    /// The metadata a new array of <paramref name="shape"/> and <paramref name="dataType"/> gets from
    /// <paramref name="options"/>, exactly as the factories (<c>ZarrArray.CreateAsync</c>, <c>ZarrStringArray.CreateAsync</c>)
    /// would write it and as opening the array reads it back: the chunk shape given or guessed, the codec chain in
    /// order (filters, bytes or <c>vlen-utf8</c>, compressors, sharding), the chunk key encoding, the attributes and the
    /// fill value (<see cref="ArrayOptions.FillValue"/>, or zeros). Nothing is stored: this is for tools that plan a
    /// copy or show what an option would give.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="dataType"/> or <paramref name="options"/> is null.</exception>
    /// <exception cref="ZarrException">The options do not fit the array; the message says which and why.</exception>
    public static ArrayMetadata Create(ReadOnlySpan<long> shape, ZarrDataType dataType, ArrayOptions options)
    {
        ArgumentNullException.ThrowIfNull(dataType);
        ArgumentNullException.ThrowIfNull(options);
        var fill = options.FillValue is null && !dataType.IsFixedSize ? [] : ArrayMetadataBuilder.ParseFillValue(options.FillValue, dataType);
        return Settled(Built(shape.ToArray(), dataType, fill, options));
    }

    /// <summary>
    /// As <see cref="Create(ReadOnlySpan{long}, ZarrDataType, ArrayOptions)"/>, with the fill value given as one
    /// element's bytes, in the form <see cref="FillValue"/> holds (little-endian, <c>ItemSize</c> bytes; UTF-8 for
    /// variable-length strings): a copy keeps its source's fill value so, NaN payloads included.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="dataType"/> or <paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> gives a fill value too, or <paramref name="fillValue"/> is not one element.</exception>
    /// <exception cref="ZarrException">The options do not fit the array; the message says which and why.</exception>
    public static ArrayMetadata Create(ReadOnlySpan<long> shape, ZarrDataType dataType, ReadOnlySpan<byte> fillValue, ArrayOptions options)
    {
        ArgumentNullException.ThrowIfNull(dataType);
        ArgumentNullException.ThrowIfNull(options);
        if (options.FillValue is not null)
        {
            throw new ArgumentException("the fill value is given twice: as bytes and in the options' FillValue", nameof(options));
        }

        if (dataType.IsFixedSize && fillValue.Length != dataType.ItemSize)
        {
            throw new ArgumentException($"a fill value of {dataType} is {dataType.ItemSize} bytes; got {fillValue.Length}", nameof(fillValue));
        }

        return Settled(Built(shape.ToArray(), dataType, fillValue.ToArray(), options));
    }

    private static ArrayMetadata Built(long[] shape, ZarrDataType dataType, byte[] fill, ArrayOptions options) =>
        dataType.IsFixedSize
            ? ArrayMetadataBuilder.Build(shape, dataType, fill, options)
            : ZarrStringArray.BuildMetadata(shape, dataType, fill, options);

    // Through its format's documents and back: the values a reader will see (a v2 chain as the v2 document spells it,
    // defaults filled in), not merely the ones asked for.
    private static ArrayMetadata Settled(ArrayMetadata metadata)
    {
        if (metadata.Format == ZarrFormat.V3)
        {
            return MetadataSerializer.ParseArrayV3(MetadataSerializer.ToV3Json(metadata), MetadataSerializer.ZarrJson);
        }

        var (zarray, zattrs) = MetadataSerializer.ToV2Json(metadata);
        return MetadataSerializer.ParseArrayV2(zarray, zattrs ?? [], MetadataSerializer.ZArray);
    }
}
