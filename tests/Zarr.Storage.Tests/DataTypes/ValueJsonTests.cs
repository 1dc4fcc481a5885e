using System.Runtime.InteropServices;
using System.Text.Json;

namespace Zarr.Storage.Tests.DataTypes;

/// <summary>ZarrDataType.ValueToJson / ValueFromJson: a value as v3 metadata spells it, and back, for a tool outside the library.</summary>
public class ValueJsonTests
{
    public static TheoryData<string, string, byte[]> Values => new()
    {
        { "int16", "-7", Bytes<short>(-7) },
        { "uint64", "18446744073709551615", Bytes(ulong.MaxValue) },
        { "float32", "-1.5", Bytes(-1.5f) },
        { "float64", "\"NaN\"", Bytes(BitConverter.Int64BitsToDouble(0x7FF8000000000000)) }, // the positive NaN Zarr spells "NaN"
        { "float32", "\"-Infinity\"", Bytes(float.NegativeInfinity) },
        { "float32", "\"0x7fc00001\"", Bytes(BitConverter.Int32BitsToSingle(0x7fc00001)) },
        { "bool", "true", [1] },
        { "complex64", "[1.5,-2.0]", Bytes(new Complex64(1.5f, -2f)) },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void A_value_reads_from_and_writes_to_its_v3_json(string type, string json, byte[] bytes)
    {
        var dataType = ZarrDataType.Parse(type);
        using var document = JsonDocument.Parse(json);
        Assert.Equal(bytes, dataType.ValueFromJson(document.RootElement));

        var written = dataType.ValueToJson(bytes);
        using var back = JsonDocument.Parse(written.ToJsonString());
        Assert.Equal(bytes, dataType.ValueFromJson(back.RootElement));
    }

    [Fact]
    public void Json_that_is_no_value_of_the_type_is_refused_with_the_reason()
    {
        using var document = JsonDocument.Parse("\"seven\"");
        var ex = Assert.Throws<ZarrMetadataException>(() => ZarrDataType.Int16.ValueFromJson(document.RootElement));
        Assert.Contains("value", ex.Message, StringComparison.Ordinal);
    }

    private static byte[] Bytes<T>(T value) where T : unmanaged => MemoryMarshal.AsBytes(new[] { value }.AsSpan()).ToArray();
}
