using System.Text.Json.Nodes;
using Zarr.Storage.DataTypes;

namespace Zarr.Storage.Metadata;

/// <summary>Fill values in JSON.</summary>
public static class FillValueJson
{
    /// <summary>Parses a v3 fill value.</summary>
    public static byte[] ParseV3(JsonNode? value, ZarrDataType dataType, string document) => throw new NotImplementedException();
}
