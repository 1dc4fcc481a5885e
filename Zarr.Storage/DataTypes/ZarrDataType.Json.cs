using System.Text.Json;
using System.Text.Json.Nodes;

namespace Zarr.Storage;

public sealed partial class ZarrDataType
{
    /// <summary>
    /// A value of this type as Zarr v3 metadata spells it (a fill value: <c>0</c>, <c>"NaN"</c>, <c>"0x7fc00001"</c>,
    /// <c>[1.5, -2.0]</c>, ...): what <see cref="ArrayOptions.FillValue"/> takes.
    /// </summary>
    /// <param name="value">The value's bytes, little-endian, exactly <see cref="ItemSize"/> of them.</param>
    /// <exception cref="ZarrException">The bytes are not one value of this type.</exception>
    public JsonNode ValueToJson(ReadOnlySpan<byte> value) => FillValueJson.ToV3Json(value, this);

    /// <summary>The bytes (little-endian, <see cref="ItemSize"/> of them) of the value <paramref name="json"/> spells in Zarr v3 metadata; the inverse of <see cref="ValueToJson"/>.</summary>
    /// <param name="json">The value as JSON.</param>
    /// <exception cref="ZarrMetadataException">The JSON is not a value of this type; the message says why.</exception>
    public byte[] ValueFromJson(JsonElement json) => FillValueJson.ParseV3(json, this, "value", "value");
}
