using System.Globalization;
using System.Text.Json.Nodes;
using Zarr.Storage.Internal;

namespace Zarr.Storage.Codecs.Registry;

/// <summary>
/// What a <see cref="CodecDescriptor"/> is told while it reads one codec: the type the codec receives, the format, and
/// how to fail naming the document and the field (<c>codecs.blosc.clevel</c>, <c>compressor.level</c>, <c>filters[0].dtype</c>).
/// </summary>
public sealed class CodecReadContext
{
    private readonly string _prefix;
    private readonly string? _codec;

    internal CodecReadContext(CodecRegistry registry, ZarrDataType dataType, ZarrFormat format, string document, string prefix, string? codec)
    {
        Registry = registry;
        DataType = dataType;
        Format = format;
        Document = document;
        _prefix = prefix;
        _codec = codec;
    }

    /// <summary>The registry reading the codec (for codecs that hold codecs, as sharding does).</summary>
    public CodecRegistry Registry { get; }

    /// <summary>The type the codec receives: the array's, or the encoded type of the numcodecs filter before it.</summary>
    public ZarrDataType DataType { get; }

    /// <summary>The format of the document being read.</summary>
    public ZarrFormat Format { get; }

    /// <summary>The metadata document's key.</summary>
    public string Document { get; }

    /// <summary>A metadata error naming the document and <paramref name="field"/> (the codec itself for an empty field).</summary>
    public ZarrMetadataException Error(string field, string message)
    {
        ArgumentNullException.ThrowIfNull(field);
        var where = _codec is null ? _prefix : _prefix + _codec + ".";
        return new(Document, field.Length == 0 ? where.TrimEnd('.') : where + field, message);
    }

    /// <summary>The full name of one of the codec's fields, as <see cref="Error"/> gives it (<c>codecs.cast_value.data_type</c>).</summary>
    internal string FieldPath(string field) => (_codec is null ? _prefix : _prefix + _codec + ".") + field;

    /// <summary><paramref name="value"/>, or an error saying the field is required.</summary>
    /// <exception cref="ZarrMetadataException">The value is null.</exception>
    public int Require(string field, int? value) => value ?? throw Error(field, "is required");

    /// <summary><paramref name="value"/>, or an error saying the field is required.</summary>
    /// <exception cref="ZarrMetadataException">The value is null.</exception>
    public T Require<T>(string field, T? value)
        where T : class => value ?? throw Error(field, "is required");

    /// <summary><paramref name="value"/> when it is between <paramref name="min"/> and <paramref name="max"/> (inclusive).</summary>
    /// <exception cref="ZarrMetadataException">It is not.</exception>
    public int InRange(string field, int value, int min, int max) =>
        value >= min && value <= max
            ? value
            : throw Error(field, string.Create(CultureInfo.InvariantCulture, $"must be between {min} and {max}; got {value}"));

    /// <summary><paramref name="value"/> (null stays null) when it is between <paramref name="min"/> and <paramref name="max"/>.</summary>
    /// <exception cref="ZarrMetadataException">It is not.</exception>
    public int? InRange(string field, int? value, int min, int max) =>
        value is { } v ? InRange(field, v, min, max) : null;

    /// <summary>A numpy type string; <paramref name="fallback"/> when it is absent (required when that is null).</summary>
    internal NumpyDType DType(string field, string? text, NumpyDType? fallback)
    {
        if (text is null)
        {
            return fallback ?? throw Error(field, "is required");
        }

        return NumpyDType.TryParse(text, out var dtype)
            ? dtype
            : throw Error(field, $"{UserText.QuoteJson(text)} is not a supported numpy type string (expected e.g. \"<i4\", \"<f8\", \"|u1\")");
    }

    /// <summary>A finite JSON number, with the node it was read from (so an integer is written back as one).</summary>
    internal (double Value, JsonNode Json) Number(string field, JsonNode? node)
    {
        if (node is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number && v.TryGetValue<double>(out var d) && double.IsFinite(d))
        {
            return (d, node.DeepClone());
        }

        throw node is null ? Error(field, "is required") : Error(field, $"must be a finite number; got {UserText.Json(node)}");
    }

    /// <summary>A v3 codec chain held in <paramref name="field"/>, each codec receiving <paramref name="dataType"/>; null when absent.</summary>
    internal List<ICodec>? ReadChain(JsonNode? node, string field, ZarrDataType dataType)
    {
        if (node is null)
        {
            return null;
        }

        if (node is not JsonArray array || array.Count == 0)
        {
            throw Error(field, $"must be a non-empty array of codecs; got {UserText.Json(node)}");
        }

        var codecs = new List<ICodec>(array.Count);
        foreach (var item in array)
        {
            codecs.Add(Registry.ReadV3(item ?? throw Error(field, "holds a null codec"), dataType, Document, codecs.Exists(c => c is IArrayToBytesCodec)));
        }

        return codecs;
    }
}
