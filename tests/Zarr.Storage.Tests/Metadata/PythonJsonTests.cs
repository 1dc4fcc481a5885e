using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

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

    [Fact]
    public void ParseNode_ReadsPythonsBareNaNAndInfinities_AsDoubles()
    {
        // What Python's json.dumps writes for float('nan') and the infinities, as zarr-python 2.13 writes .zattrs.
        var text = """
            {"nan": NaN, "inf": Infinity, "ninf": -Infinity, "list": [1.5, NaN, [-Infinity]], "nested": {"x": Infinity},
             "text": "NaN", "tricky": "a \" NaN Infinity -Infinity", "n": -1, "big": 123456789012345678901234567890,
             "marker": 700000000000000000000000, "marker2": 700000000000000000000001}
            """;
        var node = PythonJson.ParseNode(Encoding.UTF8.GetBytes(text))!.AsObject();

        Assert.True(double.IsNaN(node["nan"]!.GetValue<double>()));
        Assert.Equal(double.PositiveInfinity, node["inf"]!.GetValue<double>());
        Assert.Equal(double.NegativeInfinity, node["ninf"]!.GetValue<double>());
        Assert.Equal(1.5, node["list"]![0]!.GetValue<double>());
        Assert.True(double.IsNaN(node["list"]![1]!.GetValue<double>()));
        Assert.Equal(double.NegativeInfinity, node["list"]![2]![0]!.GetValue<double>());
        Assert.Equal(double.PositiveInfinity, node["nested"]!["x"]!.GetValue<double>());

        // Strings and numbers are what they were: a token inside a string is text, and no number is taken for a token.
        Assert.Equal("NaN", node["text"]!.GetValue<string>());
        Assert.Equal("a \" NaN Infinity -Infinity", node["tricky"]!.GetValue<string>());
        Assert.Equal(-1, node["n"]!.GetValue<int>());
        Assert.Equal("123456789012345678901234567890", node["big"]!.ToJsonString());
        Assert.Equal("700000000000000000000000", node["marker"]!.ToJsonString());
        Assert.Equal("700000000000000000000001", node["marker2"]!.ToJsonString());

        // Written back: standard JSON, the doubles as the strings the Zarr specifications use.
        var written = Encoding.UTF8.GetString(PythonJson.Serialize(node, 0, sortKeys: false));
        using var standard = JsonDocument.Parse(written);
        Assert.Equal("NaN", standard.RootElement.GetProperty("nan").GetString());
        Assert.Equal("-Infinity", standard.RootElement.GetProperty("list")[2][0].GetString());

        // As Python writes them: read back the same.
        var python = PythonJson.SerializeAsPython(node, 4, sortKeys: true);
        Assert.Contains("\"nan\": NaN,", Encoding.UTF8.GetString(python), StringComparison.Ordinal);
        Assert.True(JsonNode.DeepEquals(node, PythonJson.ParseNode(python)));
    }

    [Fact]
    public void ParseNode_OfStandardJson_IsJsonNodeParse_AndBadJsonStillFails()
    {
        var text = "{\"a\": [1, 2.5, \"NaN\", null, true]}"u8.ToArray();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(text), PythonJson.ParseNode(text)));
        Assert.ThrowsAny<JsonException>(() => PythonJson.ParseNode("{\"a\": nan}"u8));
        Assert.ThrowsAny<JsonException>(() => PythonJson.ParseNode("{\"a\": NaNx}"u8));
        Assert.ThrowsAny<JsonException>(() => PythonJson.ParseNode("{\"a\": NaN"u8));
    }

    [Fact]
    public void ToStandard_SpellsTheTokensAsTheZarrStrings()
    {
        var text = "{\"fill_value\": NaN, \"x\": [Infinity, -Infinity], \"s\": \"NaN\"}"u8;
        Assert.Equal(
            "{\"fill_value\": \"NaN\", \"x\": [\"Infinity\", \"-Infinity\"], \"s\": \"NaN\"}",
            Encoding.UTF8.GetString(PythonJson.ToStandard(text)));
        var plain = "{\"a\": 1}"u8.ToArray();
        Assert.Equal(plain, PythonJson.ToStandard(plain).ToArray());
    }
}
