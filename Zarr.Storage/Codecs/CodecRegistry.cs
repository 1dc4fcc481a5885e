using System.Text.Json.Nodes;
using Zarr.Storage.DataTypes;

namespace Zarr.Storage.Codecs;

/// <summary>Builds codecs from their metadata: the v3 <c>{"name", "configuration"}</c> form and the v2 numcodecs <c>{"id", ...}</c> form.</summary>
public static class CodecRegistry
{
    /// <summary>The codec a v3 codec object describes.</summary>
    /// <param name="codec">The codec object (or a bare name string, which the spec allows for codecs without configuration).</param>
    /// <param name="dataType">The array's data type (blosc's typesize defaults to its item size).</param>
    /// <param name="document">The metadata document's key, for error messages.</param>
    /// <exception cref="ZarrMetadataException">The name is unknown or the configuration is invalid.</exception>
    public static ICodec FromV3Json(JsonNode codec, ZarrDataType dataType, string document) => throw new NotImplementedException();

    /// <summary>The bytes→bytes codec a v2 <c>compressor</c> object describes, or null for a JSON null.</summary>
    /// <exception cref="ZarrMetadataException">The id is unknown or the configuration is invalid.</exception>
    public static IBytesToBytesCodec? FromV2Compressor(JsonNode? compressor, ZarrDataType dataType, string document) => throw new NotImplementedException();

    /// <summary>Default compressor.</summary>
    public static IBytesToBytesCodec DefaultCompressor(ZarrDataType dataType) => throw new NotImplementedException();
}
