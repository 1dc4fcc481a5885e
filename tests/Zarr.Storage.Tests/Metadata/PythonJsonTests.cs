using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Zarr.Storage.Metadata;

namespace Zarr.Storage.Tests.Metadata;

public class PythonJsonTests
{
    [Fact]
    public void FormatDouble_MatchesPythonReprForEveryFixtureValue()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(MetadataTestPaths.Fixtures, "float_repr.json")));
        var count = 0;
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            var bits = ulong.Parse(c.GetProperty("bits").GetString()!, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var value = c.GetProperty("kind").GetString() switch
            {
                "f8" => BitConverter.UInt64BitsToDouble(bits),
                "f4" => BitConverter.UInt32BitsToSingle((uint)bits),
                _ => (double)BitConverter.UInt16BitsToHalf((ushort)bits),
            };
            Assert.Equal(c.GetProperty("repr").GetString(), PythonJson.FormatDouble(value));
            count++;
        }

        Assert.True(count > 1000, $"only {count} cases");
    }

    [Theory]
    [InlineData(0.0, "0.0")]
    [InlineData(-0.0, "-0.0")]
    [InlineData(1e16, "1e+16")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(double.Epsilon, "5e-324")]
    [InlineData(double.MaxValue, "1.7976931348623157e+308")]
    [InlineData(-1.5, "-1.5")]
    [InlineData(123456789.125, "123456789.125")]
    public void FormatDouble_KnownValues(double value, string expected) => Assert.Equal(expected, PythonJson.FormatDouble(value));

    [Fact]
    public void FormatDouble_RejectsNonFinite()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PythonJson.FormatDouble(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => PythonJson.FormatDouble(double.PositiveInfinity));
    }

    [Fact]
    public void Serialize_LaysOutLikePythonJsonDumps()
    {
        var node = JsonNode.Parse("""{"b": [1, 2.50, {"x": null}], "a": "é中<>&+\"\\\n\u0001\u007f😀", "e": [], "o": {}, "t": true}""");
        var text = Encoding.UTF8.GetString(PythonJson.Serialize(node, 4, sortKeys: true));
        // Numbers keep their JSON text; strings are escaped as ensure_ascii does (lowercase hex, surrogate pairs).
        const string Expected = "{\n    \"a\": \"\\u00e9\\u4e2d<>&+\\\"\\\\\\n\\u0001\\u007f\\ud83d\\ude00\",\n    \"b\": [\n        1,\n        2.50,\n        {\n            \"x\": null\n        }\n    ],\n    \"e\": [],\n    \"o\": {},\n    \"t\": true\n}";
        Assert.Equal(Expected, text);
    }

    [Fact]
    public void Serialize_KeepsInsertionOrderWhenNotSorting()
    {
        var node = new JsonObject { ["z"] = 1, ["a"] = 2 };
        Assert.Equal("{\n  \"z\": 1,\n  \"a\": 2\n}", Encoding.UTF8.GetString(PythonJson.Serialize(node, 2, sortKeys: false)));
    }

    [Fact]
    public void Serialize_NeverWritesBareNaNOrInfinity()
    {
        var node = new JsonObject
        {
            ["nan"] = double.NaN,
            ["inf"] = double.PositiveInfinity,
            ["ninf"] = float.NegativeInfinity,
            ["half"] = JsonValue.Create((Half)1.5),
            ["d"] = 0.1,
            ["f"] = 0.1f,
            ["l"] = long.MinValue,
            ["u"] = ulong.MaxValue,
            ["dec"] = 1.25m,
        };
        var text = Encoding.UTF8.GetString(PythonJson.Serialize(node, 2, sortKeys: false));
        Assert.Equal(
            "{\n  \"nan\": \"NaN\",\n  \"inf\": \"Infinity\",\n  \"ninf\": \"-Infinity\",\n  \"half\": 1.5,\n  \"d\": 0.1,\n  \"f\": 0.10000000149011612,\n  \"l\": -9223372036854775808,\n  \"u\": 18446744073709551615,\n  \"dec\": 1.25\n}",
            text);
        using var _ = JsonDocument.Parse(text);
    }
}
