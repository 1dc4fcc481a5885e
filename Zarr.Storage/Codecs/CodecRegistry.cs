using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Zarr.Storage.Codecs.ArrayToArray;
using Zarr.Storage.Codecs.ArrayToBytes;
using Zarr.Storage.Codecs.BytesToBytes;
using Zarr.Storage.DataTypes;
using Zarr.Storage.Internal;

namespace Zarr.Storage.Codecs;

/// <summary>Builds codecs from their metadata: the v3 <c>{"name", "configuration"}</c> form and the v2 numcodecs <c>{"id", ...}</c> form.</summary>
public static class CodecRegistry
{
    /// <summary>The v3 codec names this registry knows.</summary>
    public static IReadOnlyList<string> V3Names { get; } =
    [
        "bytes", "transpose", "blosc", "gzip", "zstd", "crc32c", "numcodecs.zlib", "numcodecs.lz4", "numcodecs.bz2",
        "numcodecs.delta", "numcodecs.fixedscaleoffset", "numcodecs.astype", "numcodecs.quantize", "sharding_indexed",
    ];

    /// <summary>The numcodecs compressor ids this registry knows.</summary>
    public static IReadOnlyList<string> V2Ids { get; } = ["blosc", "zlib", "gzip", "zstd", "lz4", "bz2"];

    /// <summary>The numcodecs filter ids this registry knows (v2 <c>filters</c> entries).</summary>
    public static IReadOnlyList<string> V2FilterIds { get; } = ["delta", "fixedscaleoffset", "astype", "quantize"];

    /// <summary>The compressor for new arrays: blosc with lz4 at level 5, byte shuffle, the type size of <paramref name="dataType"/>.</summary>
    public static IBytesToBytesCodec DefaultCompressor(ZarrDataType dataType)
    {
        ArgumentNullException.ThrowIfNull(dataType);
        return new BloscCodec(BloscCompressor.Lz4, 5, BloscShuffle.Shuffle, BloscCodec.TypeSizeFor(dataType), 0);
    }

    /// <summary>The codec a v3 codec object describes.</summary>
    /// <param name="codec">The codec object (or a bare name string, which the spec allows for codecs without configuration).</param>
    /// <param name="dataType">The data type the codec receives: the array's, or the last numcodecs filter's encoded type
    /// (blosc's typesize defaults to its item size; a filter's dtype defaults to it).</param>
    /// <param name="document">The metadata document's key, for error messages.</param>
    /// <exception cref="ZarrMetadataException">The name is unknown or the configuration is invalid.</exception>
    public static ICodec FromV3Json(JsonNode codec, ZarrDataType dataType, string document)
    {
        ArgumentNullException.ThrowIfNull(dataType);
        ArgumentNullException.ThrowIfNull(document);
        string name;
        JsonObject? configuration = null;
        switch (codec)
        {
            case JsonValue value when value.TryGetValue<string>(out var bare):
                name = bare;
                break;
            case JsonObject obj:
                if (obj["name"] is not JsonValue nameValue || !nameValue.TryGetValue<string>(out var n))
                {
                    throw new ZarrMetadataException(document, "codecs", $"a codec object needs a string 'name'; got {Show(obj)}");
                }

                name = n;
                switch (obj["configuration"])
                {
                    case null:
                        break;
                    case JsonObject c:
                        configuration = c;
                        break;
                    default:
                        throw new ZarrMetadataException(document, $"codecs.{name}.configuration", $"must be an object; got {Show(obj["configuration"])}");
                }

                break;
            default:
                throw new ZarrMetadataException(document, "codecs", $"a codec must be an object or a name; got {Show(codec)}");
        }

        var reader = new ConfigReader(configuration, document, "codecs.", name);
        switch (name)
        {
            case "bytes":
            {
                var endian = reader.OptionalString("endian");
                Endian? parsed = endian switch
                {
                    null => null,
                    "little" => Endian.Little,
                    "big" => Endian.Big,
                    _ => throw reader.Error("endian", $"must be \"little\" or \"big\"; got {UserText.QuoteJson(endian)}"),
                };
                if (parsed is null && dataType.NeedsByteOrder)
                {
                    throw reader.Error("endian", $"is required for the multi-byte data type {dataType}");
                }

                return new BytesCodec(parsed);
            }

            case "transpose":
            {
                var order = reader.RequiredIntArray("order");
                return TransposeCodec.IsPermutation(order)
                    ? new TransposeCodec(order)
                    : throw reader.Error("order", $"[{string.Join(", ", order)}] is not a permutation of 0..{order.Length - 1}");
            }

            case "blosc":
            {
                var cname = reader.RequiredString("cname");
                var compressor = ParseBloscCompressor(cname, reader);
                var clevel = reader.RequiredInt("clevel", 0, 9);
                var shuffleName = reader.OptionalString("shuffle") ?? "noshuffle";
                var shuffle = shuffleName switch
                {
                    "noshuffle" => BloscShuffle.NoShuffle,
                    "shuffle" => BloscShuffle.Shuffle,
                    "bitshuffle" => BloscShuffle.BitShuffle,
                    _ => throw reader.Error("shuffle", $"must be \"noshuffle\", \"shuffle\" or \"bitshuffle\"; got {UserText.QuoteJson(shuffleName)}"),
                };
                int typesize;
                if (reader.Has("typesize"))
                {
                    typesize = reader.RequiredInt("typesize", 1, 255);
                }
                else if (shuffle == BloscShuffle.NoShuffle)
                {
                    typesize = BloscCodec.TypeSizeFor(dataType);
                }
                else
                {
                    throw reader.Error("typesize", $"is required when shuffle is \"{shuffleName}\"");
                }

                var blocksize = reader.OptionalInt("blocksize", 0, int.MaxValue) ?? 0;
                return new BloscCodec(compressor, clevel, shuffle, typesize, blocksize);
            }

            case "gzip":
                return new GzipCodec(reader.RequiredInt("level", 0, 9));

            case "zstd":
                return new ZstdCodec(reader.OptionalInt("level", -131072, 22) ?? 0, reader.OptionalBool("checksum") ?? false);

            case "crc32c":
                return new Crc32cCodec();

            case "numcodecs.zlib":
                return new ZlibCodec(reader.OptionalInt("level", 0, 9) ?? 1);

            case "numcodecs.lz4":
                return new Lz4Codec(reader.OptionalInt("acceleration", 1, int.MaxValue) ?? 1);

            case "numcodecs.bz2":
                return new Bz2Codec(reader.OptionalInt("level", 1, 9) ?? 1);

            case "numcodecs.delta" or "numcodecs.fixedscaleoffset" or "numcodecs.astype" or "numcodecs.quantize":
                // zarr-python 3 writes a numcodecs filter's configuration as numcodecs' get_config() without the id,
                // after filling in a missing dtype from the array's.
                return Filter(name["numcodecs.".Length..], reader, new NumpyDType(dataType));

            case ShardingCodec.CodecName:
                return ParseSharding(configuration, reader, dataType, document);

            case "vlen-utf8":
                // A top-level vlen-utf8 is read with the array's chain; here it stands inside a sharding codec.
                throw new ZarrMetadataException(document, "codecs", "'vlen-utf8' inside 'sharding_indexed' (variable-length strings in shards) is not supported yet");

            default:
                throw new ZarrMetadataException(document, "codecs", $"unknown codec {UserText.Quote(name)}; this library knows {string.Join(", ", V3Names)}");
        }
    }

    /// <summary>The bytes→bytes codec a v2 <c>compressor</c> object describes, or null for a JSON null.</summary>
    /// <exception cref="ZarrMetadataException">The id is unknown or the configuration is invalid.</exception>
    public static IBytesToBytesCodec? FromV2Compressor(JsonNode? compressor, ZarrDataType dataType, string document)
    {
        ArgumentNullException.ThrowIfNull(dataType);
        ArgumentNullException.ThrowIfNull(document);
        if (compressor is null || compressor.GetValueKind() == JsonValueKind.Null)
        {
            return null;
        }

        if (compressor is not JsonObject obj)
        {
            throw new ZarrMetadataException(document, "compressor", $"must be an object or null; got {Show(compressor)}");
        }

        if (obj["id"] is not JsonValue idValue || !idValue.TryGetValue<string>(out var id))
        {
            throw new ZarrMetadataException(document, "compressor.id", $"a compressor needs a string 'id'; got {Show(obj)}");
        }

        var reader = new ConfigReader(obj, document, "compressor.");
        switch (id)
        {
            case "blosc":
            {
                var compressorKind = ParseBloscCompressor(reader.OptionalString("cname") ?? "lz4", reader);
                var clevel = reader.OptionalInt("clevel", 0, 9) ?? 5;
                var shuffleCode = reader.OptionalInt("shuffle", -1, 2) ?? 1;

                // numcodecs' AUTOSHUFFLE (-1): bit shuffle for one-byte types, byte shuffle otherwise.
                var shuffle = shuffleCode == -1
                    ? (dataType.ItemSize == 1 ? BloscShuffle.BitShuffle : BloscShuffle.Shuffle)
                    : (BloscShuffle)shuffleCode;
                var blocksize = reader.OptionalInt("blocksize", 0, int.MaxValue) ?? 0;
                var typesize = reader.OptionalInt("typesize", 1, 255) ?? BloscCodec.TypeSizeFor(dataType);
                return new BloscCodec(compressorKind, clevel, shuffle, typesize, blocksize);
            }

            case "zlib":
                return new ZlibCodec(reader.OptionalInt("level", 0, 9) ?? 1);

            case "gzip":
                return new GzipCodec(reader.OptionalInt("level", 0, 9) ?? 1);

            case "zstd":
                return new ZstdCodec(reader.OptionalInt("level", -131072, 22) ?? 1, reader.OptionalBool("checksum") ?? false);

            case "lz4":
                return new Lz4Codec(reader.OptionalInt("acceleration", 1, int.MaxValue) ?? 1);

            case "bz2":
                return new Bz2Codec(reader.OptionalInt("level", 1, 9) ?? 1);

            default:
                throw new ZarrMetadataException(document, "compressor.id", $"unknown compressor {UserText.Quote(id)}; this library knows {string.Join(", ", V2Ids)}");
        }
    }

    /// <summary>The filter one entry of a v2 <c>filters</c> list describes (numcodecs' <c>{"id": "delta", ...}</c> form).</summary>
    /// <param name="filter">The entry.</param>
    /// <param name="index">Its position in the list, for error messages (<c>filters[0].dtype</c>).</param>
    /// <param name="document">The metadata document's key, for error messages.</param>
    /// <exception cref="ZarrMetadataException">The entry is not an object, its id is unknown (the message names it and the field is
    /// <c>filters</c>) or its configuration is invalid.</exception>
    public static IV2Filter FromV2Filter(JsonNode? filter, int index, string document)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (filter is not JsonObject obj)
        {
            throw new ZarrMetadataException(document, "filters", string.Create(CultureInfo.InvariantCulture, $"entry {index} must be an object with an 'id'; got {Show(filter)}"));
        }

        if (obj["id"] is not JsonValue idValue || !idValue.TryGetValue<string>(out var id))
        {
            throw new ZarrMetadataException(document, "filters", string.Create(CultureInfo.InvariantCulture, $"entry {index} needs a string 'id'; got {Show(obj)}"));
        }

        if (!V2FilterIds.Contains(id))
        {
            throw new ZarrMetadataException(document, "filters", string.Create(CultureInfo.InvariantCulture, $"unknown filter {UserText.Quote(id)} (entry {index}); this library knows {string.Join(", ", V2FilterIds)}"));
        }

        return Filter(id, new ConfigReader(obj, document, string.Create(CultureInfo.InvariantCulture, $"filters[{index}].")), null);
    }

    private static IV2Filter Filter(string id, ConfigReader reader, NumpyDType? defaultType)
    {
        try
        {
            switch (id)
            {
                case "delta":
                {
                    var dtype = reader.DType("dtype", defaultType);
                    return new DeltaCodec(dtype, reader.DType("astype", dtype));
                }

                case "fixedscaleoffset":
                {
                    var (offset, offsetJson) = reader.RequiredNumber("offset");
                    var (scale, scaleJson) = reader.RequiredNumber("scale");
                    var dtype = reader.DType("dtype", defaultType);
                    return new FixedScaleOffsetCodec(offset, scale, dtype, reader.DType("astype", dtype), offsetJson, scaleJson);
                }

                case "astype":
                {
                    var decode = reader.DType("decode_dtype", defaultType);
                    return new AsTypeCodec(reader.DType("encode_dtype", null), decode);
                }

                case "quantize":
                {
                    var digits = reader.RequiredInt("digits", -300, 300);
                    var dtype = reader.DType("dtype", defaultType);
                    return new QuantizeCodec(digits, dtype, reader.DType("astype", dtype));
                }

                default:
                    throw new InvalidOperationException($"filter '{id}' has no case");
            }
        }
        catch (ArgumentException ex)
        {
            throw reader.Error(string.Empty, $"{UserText.Clip(id)}: {ex.Message}");
        }
    }

    // sharding_indexed: the inner chain is parsed for the array's type (it may hold sharding again), the index chain
    // for the index's uint64; index_codecs and index_location default as zarr-python does (bytes + crc32c, "end").
    private static ShardingCodec ParseSharding(JsonObject? configuration, ConfigReader reader, ZarrDataType dataType, string document)
    {
        var chunkShape = reader.RequiredIntArray("chunk_shape");
        var codecs = ParseChain(configuration, "codecs", reader, dataType, document)
            ?? throw reader.Error("codecs", "is required");
        var indexCodecs = ParseChain(configuration, "index_codecs", reader, ZarrDataType.UInt64, document);
        var locationName = reader.OptionalString("index_location") ?? "end";
        var location = locationName switch
        {
            "end" => ShardIndexLocation.End,
            "start" => ShardIndexLocation.Start,
            _ => throw reader.Error("index_location", $"must be \"start\" or \"end\"; got {UserText.QuoteJson(locationName)}"),
        };

        try
        {
            return new ShardingCodec(chunkShape, codecs, indexCodecs, location);
        }
        catch (ZarrException ex) when (ex is not ZarrMetadataException)
        {
            throw new ZarrMetadataException(document, $"codecs.{ShardingCodec.CodecName}.configuration", ex.Message, ex);
        }
    }

    private static List<ICodec>? ParseChain(JsonObject? configuration, string field, ConfigReader reader, ZarrDataType dataType, string document)
    {
        if (configuration is null || !configuration.TryGetPropertyValue(field, out var node) || node is null)
        {
            return null;
        }

        if (node is not JsonArray array || array.Count == 0)
        {
            throw reader.Error(field, $"must be a non-empty array of codecs; got {Show(node)}");
        }

        var codecs = new List<ICodec>(array.Count);
        foreach (var item in array)
        {
            codecs.Add(FromV3Json(item ?? throw reader.Error(field, "holds a null codec"), dataType, document));
        }

        return codecs;
    }

    private static BloscCompressor ParseBloscCompressor(string cname, ConfigReader reader)
    {
        if (BloscCodec.TryParseCompressor(cname, out var compressor))
        {
            return compressor;
        }

        throw cname == "snappy"
            ? reader.Error("cname", "blosc's snappy compressor is not supported (c-blosc builds often lack it and other Zarr implementations cannot read it); use lz4, lz4hc, blosclz, zlib or zstd")
            : reader.Error("cname", $"unknown blosc compressor {UserText.QuoteJson(cname)}; use lz4, lz4hc, blosclz, zlib or zstd");
    }

    private static string Show(JsonNode? node) => UserText.Json(node);

    /// <summary>Reads typed fields of a configuration object, naming the field in every error.</summary>
    /// <remarks>A v3 codec's fields are named <c>codecs.{name}.{field}</c>; that path is built only for an error.</remarks>
    private readonly struct ConfigReader(JsonObject? configuration, string document, string prefix, string? codec = null)
    {
        public ZarrMetadataException Error(string field, string message)
        {
            var where = codec is null ? prefix : prefix + codec + ".";
            return new(document, field.Length == 0 ? where.TrimEnd('.') : where + field, message);
        }

        public bool Has(string field) => configuration is not null && configuration.ContainsKey(field);

        public string RequiredString(string field) =>
            OptionalString(field) ?? throw Error(field, "is required");

        public string? OptionalString(string field)
        {
            var node = Get(field);
            if (node is null)
            {
                return null;
            }

            return node is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw Error(field, $"must be a string; got {Show(node)}");
        }

        public int RequiredInt(string field, int min, int max) =>
            OptionalInt(field, min, max) ?? throw Error(field, "is required");

        public int? OptionalInt(string field, int min, int max)
        {
            var node = Get(field);
            if (node is null)
            {
                return null;
            }

            if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number || !TryGetInt(v, out var value))
            {
                throw Error(field, $"must be an integer; got {Show(node)}");
            }

            return value >= min && value <= max
                ? value
                : throw Error(field, string.Create(CultureInfo.InvariantCulture, $"must be between {min} and {max}; got {value}"));
        }

        /// <summary>A numpy type string; <paramref name="fallback"/> when the field is absent (required when that is null).</summary>
        public NumpyDType DType(string field, NumpyDType? fallback)
        {
            var text = OptionalString(field);
            if (text is null)
            {
                return fallback ?? throw Error(field, "is required");
            }

            return NumpyDType.TryParse(text, out var dtype)
                ? dtype
                : throw Error(field, $"{UserText.QuoteJson(text)} is not a supported numpy type string (expected e.g. \"<i4\", \"<f8\", \"|u1\")");
        }

        /// <summary>A finite JSON number, with the node it was read from (so an integer is written back as one).</summary>
        public (double Value, JsonNode Json) RequiredNumber(string field)
        {
            var node = Get(field) ?? throw Error(field, "is required");
            if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d) && double.IsFinite(d))
            {
                return (d, node.DeepClone());
            }

            if (node is JsonValue e && e.TryGetValue<JsonElement>(out var element) && element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out d) && double.IsFinite(d))
            {
                return (d, node.DeepClone());
            }

            throw Error(field, $"must be a finite number; got {Show(node)}");
        }

        public bool? OptionalBool(string field)
        {
            var node = Get(field);
            if (node is null)
            {
                return null;
            }

            return node is JsonValue v && v.TryGetValue<bool>(out var b) ? b : throw Error(field, $"must be true or false; got {Show(node)}");
        }

        public int[] RequiredIntArray(string field)
        {
            var node = Get(field) ?? throw Error(field, "is required");
            if (node is not JsonArray array)
            {
                throw Error(field, $"must be an array of integers; got {Show(node)}");
            }

            var result = new int[array.Count];
            for (var i = 0; i < result.Length; i++)
            {
                if (array[i] is not JsonValue v || v.GetValueKind() != JsonValueKind.Number || !TryGetInt(v, out result[i]))
                {
                    throw Error(field, $"must be an array of integers; got {Show(node)}");
                }
            }

            return result;
        }

        private JsonNode? Get(string field)
        {
            if (configuration is null || !configuration.TryGetPropertyValue(field, out var node))
            {
                return null;
            }

            return node is null || node.GetValueKind() == JsonValueKind.Null ? null : node;
        }

        private static bool TryGetInt(JsonValue value, out int result)
        {
            if (value.TryGetValue(out result))
            {
                return true;
            }

            if (value.TryGetValue<long>(out var l) && l >= int.MinValue && l <= int.MaxValue)
            {
                result = (int)l;
                return true;
            }

            if (value.TryGetValue<double>(out var d) && d == Math.Floor(d) && d >= int.MinValue && d <= int.MaxValue)
            {
                result = (int)d;
                return true;
            }

            // A JsonValue parsed from text holds a JsonElement.
            if (value.TryGetValue<JsonElement>(out var element) && element.TryGetInt32(out result))
            {
                return true;
            }

            result = 0;
            return false;
        }
    }
}
