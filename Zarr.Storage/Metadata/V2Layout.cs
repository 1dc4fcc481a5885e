using Zarr.Storage.Codecs;

namespace Zarr.Storage;

/// <summary>A chain split into what a <c>.zarray</c> holds.</summary>
/// <param name="Transpose">The transpose codec (order F), or null.</param>
/// <param name="Filters">The numcodecs filters in encoding order (the <c>filters</c> list), possibly none.</param>
/// <param name="Bytes">The bytes codec, or null for a string array (whose array→bytes codec is vlen-utf8, written as its object codec).</param>
/// <param name="Compressor">The compressor, or null.</param>
/// <param name="ByteFilters">The codecs of bytes between the bytes codec and the compressor (<c>shuffle</c>, checksums),
/// written after <paramref name="Filters"/> in the <c>filters</c> list: zarr-python 2 runs them over the chunk's memory.</param>
internal readonly record struct V2Layout(TransposeCodec? Transpose, IReadOnlyList<IV2Filter> Filters, BytesCodec? Bytes, IV2Compressor? Compressor, IReadOnlyList<ICodec> ByteFilters)
{
    private const string Prefix = "the codec chain cannot be written as v2";

    /// <summary>Whether the chain's dtype is big-endian: with filters the first filter's type (zarr-python 2 views the chunk's memory as the dtype), else the bytes codec's.</summary>
    public bool BigEndian => Filters.Count > 0 ? Filters[0].DecodedType.BigEndian : Bytes?.Endian == Endian.Big;

    /// <summary>Splits a chain into the parts v2 can express, or says why it cannot.</summary>
    /// <exception cref="ZarrException">v2 cannot hold the chain: it holds [transpose (order F)] + [numcodecs filters] +
    /// bytes + [numcodecs codecs of bytes, the last the compressor].</exception>
    public static V2Layout Of(IReadOnlyList<ICodec> codecs)
    {
        ArgumentNullException.ThrowIfNull(codecs);
        foreach (var codec in codecs)
        {
            if (codec is not (TransposeCodec or IV2Filter or BytesCodec or VlenUtf8Codec or (IBytesToBytesCodec and IV2Compressor) or (IArrayToBytesCodec and IV2Compressor)))
            {
                var why = codec.Name == "crc32c" ? " (crc32c is v3 only)" : string.Empty;
                throw new ZarrException($"{Prefix}: '{codec.Name}' has no v2 form{why}; v2 holds [transpose (order F)] + [numcodecs filters] + bytes + [numcodecs codecs of bytes, the last its compressor]");
            }
        }

        var i = 0;
        TransposeCodec? transpose = null;
        if (i < codecs.Count && codecs[i] is TransposeCodec t)
        {
            transpose = t;
            i++;
        }

        var filters = new List<IV2Filter>();
        while (i < codecs.Count && codecs[i] is IV2Filter filter)
        {
            if (filters.Count > 0 && !CodecChainRules.SameStoredType(filters[^1].EncodedType, filter.DecodedType))
            {
                throw new ZarrException($"{Prefix}: the filter '{filter.Name}' decodes to {filter.DecodedType} and the filter before it encodes to {filters[^1].EncodedType}; zarr-python 2 would reinterpret the bytes");
            }

            filters.Add(filter);
            i++;
        }

        if (i < codecs.Count && codecs[i] is VlenUtf8Codec && filters.Count == 0)
        {
            // A string array: numcodecs' object codec stands in the filters, and produces the bytes.
            i++;
            var objectCompressor = OptionalCompressor(codecs, ref i);
            NothingAfter(codecs, i, "vlen-utf8");
            return new V2Layout(transpose, filters, null, objectCompressor, []);
        }

        if (i < codecs.Count && codecs[i] is IArrayToBytesCodec and IV2Compressor arrayCompressor)
        {
            // zfpy: the compressor takes the chunk as an array, in place of bytes, and nothing follows it.
            NothingAfter(codecs, i + 1, codecs[i].Name);
            return new V2Layout(transpose, filters, null, arrayCompressor, []);
        }

        if (i >= codecs.Count || codecs[i] is not BytesCodec bytes)
        {
            var found = i < codecs.Count ? $"'{codecs[i].Name}'" : "nothing";
            throw new ZarrException($"{Prefix}: v2 needs [transpose (order F)] + [filters] + bytes + [one compressor], and {found} stands where 'bytes' must");
        }

        if (filters.Count > 0 && filters[^1].EncodedType is { DataType.ItemSize: > 1 } last && bytes.Endian != last.Endian)
        {
            throw new ZarrException($"{Prefix}: the last filter stores {last} and the bytes codec's byte order is {bytes.Endian?.ToString() ?? "none"}; in v2 the stored byte order is the filter's astype");
        }

        i++;
        if (i < codecs.Count && codecs[i] is not (IBytesToBytesCodec and IV2Compressor))
        {
            throw new ZarrException($"{Prefix}: '{codecs[i].Name}' stands after 'bytes', where v2 holds only numcodecs codecs of bytes (its filters of bytes and its compressor)");
        }

        // Every codec of bytes but the last is a filter, the last the compressor: compressor(filters(memory)) either way.
        var byteFilters = new List<ICodec>();
        while (i + 1 < codecs.Count && codecs[i] is IBytesToBytesCodec and IV2Compressor && codecs[i + 1] is IBytesToBytesCodec and IV2Compressor)
        {
            byteFilters.Add(codecs[i]);
            i++;
        }

        var compressor = OptionalCompressor(codecs, ref i);
        NothingAfter(codecs, i, codecs[i - 1].Name);
        return new V2Layout(transpose, filters, bytes, compressor, byteFilters);
    }

    private static IV2Compressor? OptionalCompressor(IReadOnlyList<ICodec> codecs, ref int i)
    {
        if (i < codecs.Count && codecs[i] is IBytesToBytesCodec and IV2Compressor compressor)
        {
            i++;
            return compressor;
        }

        return null;
    }

    private static void NothingAfter(IReadOnlyList<ICodec> codecs, int i, string last)
    {
        if (i < codecs.Count)
        {
            throw new ZarrException($"{Prefix}: v2 has one compressor, and the chain has more after '{last}': {string.Join(", ", codecs.Skip(i).Select(c => $"'{c.Name}'"))}");
        }
    }
}
