using System.Text.Json;

namespace Zarr.Storage.Tests.DataTypes;

/// <summary>
/// An independent reading of a numpy descr list whose multi-byte fields all share one byte order (the expected type
/// a test compares the library's parse with): leaves by <see cref="ZarrDataType.Parse"/>, nested lists recursively.
/// </summary>
internal static class Descr
{
    public static ZarrDataType Parse(JsonElement list) =>
        ZarrDataType.Structured(list.EnumerateArray().Select(item =>
        {
            var typeString = item[1].ValueKind == JsonValueKind.String ? item[1].GetString()! : null;
            var type = typeString is null ? Parse(item[1]) : ZarrDataType.Parse(typeString);
            int[]? shape = item.GetArrayLength() == 3 ? [.. item[2].EnumerateArray().Select(e => e.GetInt32())] : null;
            // A big-endian field among little-endian ones keeps its order (numpy's descr says it per field).
            return new StructField(item[0].GetString()!, type, shape, typeString?.StartsWith('>') == true ? Zarr.Storage.Codecs.Endian.Big : null);
        }));
}
