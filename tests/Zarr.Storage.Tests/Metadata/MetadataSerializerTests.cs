using System.Text;
using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;
using Zarr.Tests.Shared;

namespace Zarr.Storage.Tests.Metadata;

public class MetadataSerializerTests
{
    private const string V3Doc = "grp/arr/zarr.json";
    private const string V2Doc = "grp/arr/.zarray";

    [Theory]
    [MemberData(nameof(FillValueJsonTests.Cases), MemberType = typeof(FillValueJsonTests))]
    public void V3_RoundTripsEveryTypeAndFillValue(string type, string hexBits)
    {
        var dataType = ZarrDataType.Parse(type);
        var meta = Array(dataType, FillBytes(dataType, hexBits), ZarrFormat.V3);
        var written = MetadataSerializer.ToV3Json(meta);
        var parsed = MetadataSerializer.ParseArrayV3(written, V3Doc);
        MetadataAssert.Equal(meta, parsed);
        Assert.Equal(written, MetadataSerializer.ToV3Json(parsed));
    }

    [Theory]
    [MemberData(nameof(FillValueJsonTests.Cases), MemberType = typeof(FillValueJsonTests))]
    public void V2_RoundTripsEveryTypeAndFillValue(string type, string hexBits)
    {
        var dataType = ZarrDataType.Parse(type);
        var fill = FillBytes(dataType, hexBits);
        var meta = Array(dataType, fill, ZarrFormat.V2);
        var (zarray, zattrs) = MetadataSerializer.ToV2Json(meta);
        var parsed = MetadataSerializer.ParseArrayV2(zarray, zattrs ?? [], V2Doc);
        var text = Encoding.UTF8.GetString(zarray);
        if (HasNonCanonicalNaN(dataType, fill))
        {
            // v2 has one NaN: a payload is written "NaN" and reads back as the canonical NaN.
            Assert.NotEqual(fill, parsed.FillValue);
            Assert.Contains("\"NaN\"", text, StringComparison.Ordinal);
        }
        else
        {
            MetadataAssert.Equal(meta, parsed);
        }

        Assert.Equal(zarray, MetadataSerializer.ToV2Json(parsed).ZArray);
    }

    [Fact]
    public void V2_NullFillValueRoundTrips()
    {
        var meta = Array(ZarrDataType.Float64, new byte[8], ZarrFormat.V2) with { FillValueIsNull = true };
        var (zarray, _) = MetadataSerializer.ToV2Json(meta);
        Assert.Contains("\"fill_value\": null,", Encoding.UTF8.GetString(zarray), StringComparison.Ordinal);
        var parsed = MetadataSerializer.ParseArrayV2(zarray, [], V2Doc);
        Assert.True(parsed.FillValueIsNull);
        Assert.Equal(new byte[8], parsed.FillValue);

        // v3 has no null fill value: the zeros are written.
        var v3 = MetadataSerializer.ParseArrayV3(MetadataSerializer.ToV3Json(parsed with { Format = ZarrFormat.V3, ChunkKeyEncoding = ChunkKeyEncoding.Default }), V3Doc);
        Assert.False(v3.FillValueIsNull);
        Assert.Equal(new byte[8], v3.FillValue);
    }

    public static TheoryData<string> ZarrPython213Fixtures()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(Path.Combine(MetadataTestPaths.Fixtures, "zarr-python-2.13")).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(dir));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ZarrPython213Fixtures))]
    public void V2_WritesWhatZarrPython213WritesByteForByte(string name)
    {
        var dir = Path.Combine(MetadataTestPaths.Fixtures, "zarr-python-2.13", name);
        var zarray = File.ReadAllBytes(Path.Combine(dir, ".zarray"));
        var zattrsPath = Path.Combine(dir, ".zattrs");
        var zattrs = File.Exists(zattrsPath) ? File.ReadAllBytes(zattrsPath) : [];
        var meta = MetadataSerializer.ParseArrayV2(zarray, zattrs, $"{name}/.zarray");
        var (writtenZArray, writtenZAttrs) = MetadataSerializer.ToV2Json(meta);
        Assert.Equal(Encoding.UTF8.GetString(zarray), Encoding.UTF8.GetString(writtenZArray));
        if (zattrs.Length > 0)
        {
            Assert.Equal(Encoding.UTF8.GetString(zattrs), Encoding.UTF8.GetString(writtenZAttrs!));
        }
        else
        {
            Assert.Null(writtenZAttrs);
        }
    }

    [Fact]
    public void V2_OrderFAndBigEndianBecomeTransposeAndBytes()
    {
        var dir = Path.Combine(MetadataTestPaths.Fixtures, "zarr-python-2.13", "f8_big_nan_zlib_F_slash_attrs");
        var meta = MetadataSerializer.ParseArrayV2(File.ReadAllBytes(Path.Combine(dir, ".zarray")), File.ReadAllBytes(Path.Combine(dir, ".zattrs")), V2Doc);
        Assert.Equal(3, meta.Codecs.Count);
        Assert.Equal([1, 0], Assert.IsType<TransposeCodec>(meta.Codecs[0]).Order.ToArray());
        Assert.Equal(Endian.Big, Assert.IsType<BytesCodec>(meta.Codecs[1]).Endian);
        Assert.IsType<ZlibCodec>(meta.Codecs[2]);
        Assert.Equal(ChunkKeyEncoding.V2Slash, meta.ChunkKeyEncoding);
        Assert.Equal(BitConverter.GetBytes(0x7FF8000000000000ul), meta.FillValue);
        Assert.Equal("\u00e9\u4e2d<>&+", meta.Attributes["a"]!.GetValue<string>());
    }

    [Fact]
    public void V3_WritesZarrPython3Layout()
    {
        var meta = TestMetadata.Create([100, 50], [10, 5], ZarrDataType.Float32) with
        {
            FillValue = [.. BitConverter.GetBytes(0x7FC00000u)],
            Codecs = [new TransposeCodec([1, 0]), new BytesCodec(Endian.Little), new GzipCodec(5)],
            ChunkKeyEncoding = ChunkKeyEncoding.Default,
            Attributes = new AttributeDictionary(new JsonObject { ["title"] = "é", ["n"] = 3 }),
            DimensionNames = ["y", null],
        };
        const string Expected = """
            {
              "shape": [
                100,
                50
              ],
              "data_type": "float32",
              "chunk_grid": {
                "name": "regular",
                "configuration": {
                  "chunk_shape": [
                    10,
                    5
                  ]
                }
              },
              "chunk_key_encoding": {
                "name": "default",
                "configuration": {
                  "separator": "/"
                }
              },
              "fill_value": "NaN",
              "codecs": [
                {
                  "name": "transpose",
                  "configuration": {
                    "order": [
                      1,
                      0
                    ]
                  }
                },
                {
                  "name": "bytes",
                  "configuration": {
                    "endian": "little"
                  }
                },
                {
                  "name": "gzip",
                  "configuration": {
                    "level": 5
                  }
                }
              ],
              "attributes": {
                "title": "\u00e9",
                "n": 3
              },
              "dimension_names": [
                "y",
                null
              ],
              "zarr_format": 3,
              "node_type": "array",
              "storage_transformers": []
            }
            """;
        Assert.Equal(Expected, Encoding.UTF8.GetString(MetadataSerializer.ToV3Json(meta)));
        MetadataAssert.Equal(meta, MetadataSerializer.ParseArrayV3(MetadataSerializer.ToV3Json(meta), V3Doc));
    }

    [Fact]
    public void Groups_WriteBothFormats()
    {
        var group = new GroupMetadata { Format = ZarrFormat.V3, Attributes = new AttributeDictionary(new JsonObject { ["b"] = 1, ["a"] = new JsonArray(1.5, null) }) };
        Assert.Equal(
            "{\n  \"attributes\": {\n    \"b\": 1,\n    \"a\": [\n      1.5,\n      null\n    ]\n  },\n  \"zarr_format\": 3,\n  \"node_type\": \"group\"\n}",
            Encoding.UTF8.GetString(MetadataSerializer.ToV3Json(group)));
        var (zgroup, zattrs) = MetadataSerializer.ToV2Json(group);
        Assert.Equal("{\n    \"zarr_format\": 2\n}", Encoding.UTF8.GetString(zgroup));
        Assert.Equal("{\n    \"a\": [\n        1.5,\n        null\n    ],\n    \"b\": 1\n}", Encoding.UTF8.GetString(zattrs!));
        Assert.Null(MetadataSerializer.ToV2Json(new GroupMetadata { Format = ZarrFormat.V2 }).ZAttrs);

        var empty = MetadataSerializer.ParseGroupV3("""{"zarr_format": 3, "node_type": "group"}"""u8, "zarr.json");
        Assert.Empty(empty.Attributes);
        Assert.Equal("{\n  \"attributes\": {},\n  \"zarr_format\": 3,\n  \"node_type\": \"group\"\n}", Encoding.UTF8.GetString(MetadataSerializer.ToV3Json(empty)));
    }

    [Fact]
    public void V3_GroupIgnoresConsolidatedMetadataAndPermittedExtensions()
    {
        var g = MetadataSerializer.ParseGroupV3("""
            {"zarr_format": 3, "node_type": "group", "attributes": {"x": 1},
             "consolidated_metadata": {"kind": "inline", "must_understand": false, "metadata": {"a": {"zarr_format": 3}}},
             "my_extension": {"must_understand": false, "anything": [1, 2]}}
            """u8, "zarr.json");
        Assert.Equal(1, g.Attributes["x"]!.GetValue<int>());
    }

    [Fact]
    public void V3_AcceptsOptionalFormsTheSpecAllows()
    {
        var meta = MetadataSerializer.ParseArrayV3("""
            {"zarr_format": 3, "node_type": "array", "shape": [0, 5], "data_type": "uint8",
             "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [3, 5]}},
             "chunk_key_encoding": {"name": "v2"}, "fill_value": 255, "codecs": ["bytes"],
             "dimension_names": null, "storage_transformers": [],
             "ext": {"must_understand": false}}
            """u8, V3Doc);
        Assert.Equal([0L, 5], meta.Shape.ToArray());
        Assert.Equal(ChunkKeyEncoding.V2Dot, meta.ChunkKeyEncoding);
        Assert.Null(Assert.IsType<BytesCodec>(Assert.Single(meta.Codecs)).Endian);
        Assert.Empty(meta.Attributes);
        Assert.Null(meta.DimensionNames);

        var dot = MetadataSerializer.ParseArrayV3(Encoding.UTF8.GetBytes(V3Valid.Replace("\"name\": \"default\"", "\"name\": \"default\", \"configuration\": {\"separator\": \".\"}", StringComparison.Ordinal)), V3Doc);
        Assert.Equal(ChunkKeyEncoding.Create("default", '.'), dot.ChunkKeyEncoding);
    }

    [Fact]
    public void ReadNodeTypeV3_ReadsBothKinds()
    {
        Assert.Equal("array", MetadataSerializer.ReadNodeTypeV3(Encoding.UTF8.GetBytes(V3Valid), V3Doc));
        Assert.Equal("group", MetadataSerializer.ReadNodeTypeV3("""{"zarr_format": 3, "node_type": "group"}"""u8, V3Doc));
        AssertError(() => MetadataSerializer.ReadNodeTypeV3("""{"zarr_format": 3, "node_type": "folder"}"""u8, V3Doc), V3Doc, "node_type");
        AssertError(() => MetadataSerializer.ReadNodeTypeV3("""{"zarr_format": 2}"""u8, V3Doc), V3Doc, "zarr_format");
        AssertError(() => MetadataSerializer.ReadNodeTypeV3("""{"zarr_format": 3}"""u8, V3Doc), V3Doc, "node_type");
        AssertError(() => MetadataSerializer.ReadNodeTypeV3("{"u8, V3Doc), V3Doc, null);
    }

    private const string V3Valid = """
        {"zarr_format": 3, "node_type": "array", "shape": [10, 20], "data_type": "int32",
         "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [5, 5]}},
         "chunk_key_encoding": {"name": "default"}, "fill_value": 0,
         "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}], "attributes": {}}
        """;

    private const string V2Valid = """
        {"zarr_format": 2, "shape": [10, 20], "chunks": [5, 5], "dtype": "<i4", "compressor": null,
         "fill_value": 0, "order": "C", "filters": null}
        """;

    public static TheoryData<string, string, string?, string> V3Errors() => new()
    {
        // replace this, with that, expect this field, and this in the message
        { "\"zarr_format\": 3", "\"zarr_format\": 2", "zarr_format", "expected 3" },
        { "\"zarr_format\": 3", "\"zarr_format\": \"3\"", "zarr_format", "integer" },
        { "\"zarr_format\": 3, ", "", "zarr_format", "missing" },
        { "\"node_type\": \"array\"", "\"node_type\": \"group\"", "node_type", "expected \"array\"" },
        { "\"shape\": [10, 20]", "\"shape\": [10, -1]", "shape", "negative" },
        { "\"shape\": [10, 20]", "\"shape\": [10, 2.5]", "shape", "not an integer" },
        { "\"shape\": [10, 20]", "\"shape\": 10", "shape", "expected an array" },
        { "\"shape\": [10, 20], ", "", "shape", "missing" },
        { "\"data_type\": \"int32\"", "\"data_type\": \"int33\"", "data_type", "not a Zarr v3 data type" },
        { "\"data_type\": \"int32\"", "\"data_type\": \"<i4\"", "data_type", "not a Zarr v3 data type" },
        { "\"data_type\": \"int32\"", "\"data_type\": \"string\"", "codecs", "needs the 'vlen-utf8' codec" },
        { "\"data_type\": \"int32\"", "\"data_type\": {\"name\": \"raw_bytes\", \"configuration\": {\"length_bytes\": 4}}", "data_type", "not supported yet" },
        { "\"data_type\": \"int32\"", "\"data_type\": {\"name\": \"numpy.datetime64\", \"configuration\": {\"unit\": \"qs\", \"scale_factor\": 1}}", "data_type.configuration.unit", "not a numpy time unit" },
        { "\"data_type\": \"int32\"", "\"data_type\": {\"name\": \"numpy.datetime64\", \"configuration\": {\"unit\": \"s\", \"scale_factor\": 0}}", "data_type.configuration.scale_factor", "not an integer in [1, 2147483647]" },
        { "\"data_type\": \"int32\"", "\"data_type\": {\"name\": \"fixed_length_utf32\", \"configuration\": {\"length_bytes\": 6}}", "data_type.configuration.length_bytes", "a positive multiple of 4" },
        { "\"chunk_shape\": [5, 5]", "\"chunk_shape\": [5]", "chunk_grid.configuration.chunk_shape", "1 dimensions and the shape has 2" },
        { "\"chunk_shape\": [5, 5]", "\"chunk_shape\": [5, 0]", "chunk_grid.configuration.chunk_shape", "between 1" },
        { "\"chunk_shape\": [5, 5]", "\"chunk_shape\": [5, 4294967296]", "chunk_grid.configuration.chunk_shape", "between 1" },
        { "\"chunk_shape\": [5, 5]", "\"chunks\": [5, 5]", "chunk_grid.configuration.chunk_shape", "missing" },
        { "\"name\": \"regular\"", "\"name\": \"rectangular\"", "chunk_grid.name", "not supported" },
        { "\"chunk_key_encoding\": {\"name\": \"default\"}", "\"chunk_key_encoding\": {\"name\": \"v3\"}", "chunk_key_encoding.name", "not supported" },
        { "\"chunk_key_encoding\": {\"name\": \"default\"}", "\"chunk_key_encoding\": {\"name\": \"default\", \"configuration\": {\"separator\": \"-\"}}", "chunk_key_encoding.configuration.separator", "not a separator" },
        { "\"fill_value\": 0", "\"fill_value\": 0.5", "fill_value", "not a float" },
        { "\"fill_value\": 0", "\"fill_value\": null", "fill_value", "must have a fill value" },
        { "\"fill_value\": 0,", "", "fill_value", "missing" },
        { "[{\"name\": \"bytes\", \"configuration\": {\"endian\": \"little\"}}]", "[]", "codecs", "empty" },
        { "[{\"name\": \"bytes\", \"configuration\": {\"endian\": \"little\"}}]", "{}", "codecs", "expected an array" },
        { "[{\"name\": \"bytes\", \"configuration\": {\"endian\": \"little\"}}]", "[{\"name\": \"gzip\", \"configuration\": {\"level\": 1}}]", "codecs", "array→bytes" },
        { "[{\"name\": \"bytes\", \"configuration\": {\"endian\": \"little\"}}]", "[{\"name\": \"bytes\", \"configuration\": {\"endian\": \"little\"}}, {\"name\": \"transpose\", \"configuration\": {\"order\": [1, 0]}}]", "codecs", "transpose" },
        { "[{\"name\": \"bytes\", \"configuration\": {\"endian\": \"little\"}}]", "[{\"name\": \"transpose\", \"configuration\": {\"order\": [2, 1, 0]}}, {\"name\": \"bytes\", \"configuration\": {\"endian\": \"little\"}}]", "codecs", "3 axes and the array has 2" },
        { "\"attributes\": {}", "\"attributes\": []", "attributes", "expected an object" },
        { "\"attributes\": {}", "\"attributes\": {}, \"dimension_names\": [\"x\"]", "dimension_names", "1 names and the shape has 2" },
        { "\"attributes\": {}", "\"attributes\": {}, \"dimension_names\": [\"x\", 1]", "dimension_names", "not a string or null" },
        { "\"attributes\": {}", "\"attributes\": {}, \"storage_transformers\": [{\"name\": \"chunk-manifest-json\"}]", "storage_transformers", "not supported" },
        { "\"attributes\": {}", "\"attributes\": {}, \"storage_transformers\": {}", "storage_transformers", "expected an array" },
        { "\"attributes\": {}", "\"attributes\": {}, \"custom\": {\"must_understand\": true}", "custom", "unknown field" },
        { "\"attributes\": {}", "\"attributes\": {}, \"custom\": {\"x\": 1}", "custom", "unknown field" },
        { "\"attributes\": {}", "\"attributes\": {}, \"custom\": 5", "custom", "unknown field" },
        { "\"attributes\": {}", "\"attributes\": {}, \"attributes\": {}", null, "not valid JSON" },
        { "\"attributes\": {}}", "\"attributes\": {}", null, "not valid JSON" },
        { "\"attributes\": {}}", "\"attributes\": {},}", null, "not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(V3Errors))]
    public void V3_ErrorsNameDocumentAndField(string replace, string with, string? field, string message)
    {
        Assert.Contains(replace, V3Valid, StringComparison.Ordinal);
        var json = Encoding.UTF8.GetBytes(V3Valid.Replace(replace, with, StringComparison.Ordinal));
        var ex = AssertError(() => MetadataSerializer.ParseArrayV3(json, V3Doc), V3Doc, field);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.StartsWith(V3Doc + ": ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void V3_CodecRegistryErrorsPassThroughNamingTheDocument()
    {
        var json = Encoding.UTF8.GetBytes(V3Valid.Replace("\"endian\": \"little\"", "\"endian\": \"middle\"", StringComparison.Ordinal));
        var ex = Assert.Throws<ZarrMetadataException>(() => MetadataSerializer.ParseArrayV3(json, V3Doc));
        Assert.Equal(V3Doc, ex.Document);
        Assert.StartsWith("codecs", ex.Field, StringComparison.Ordinal);

        var noEndian = Encoding.UTF8.GetBytes(V3Valid.Replace("{\"name\": \"bytes\", \"configuration\": {\"endian\": \"little\"}}", "\"bytes\"", StringComparison.Ordinal));
        ex = Assert.Throws<ZarrMetadataException>(() => MetadataSerializer.ParseArrayV3(noEndian, V3Doc));
        Assert.Contains("endian", ex.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string?, string> V2Errors() => new()
    {
        { "\"zarr_format\": 2", "\"zarr_format\": 3", "zarr_format", "expected 2" },
        { "\"shape\": [10, 20]", "\"shape\": [-10, 20]", "shape", "negative" },
        { "\"chunks\": [5, 5]", "\"chunks\": [5, 5, 5]", "chunks", "3 dimensions and the shape has 2" },
        { "\"chunks\": [5, 5]", "\"chunks\": [5, -5]", "chunks", "between 1" },
        { "\"dtype\": \"<i4\"", "\"dtype\": \"<i3\"", "dtype", "not a supported numpy type string" },
        { "\"dtype\": \"<i4\"", "\"dtype\": \"|i4\"", "dtype", "'|' is only for types without multi-byte components" },
        { "\"dtype\": \"<i4\"", "\"dtype\": \"<M8[xs]\"", "dtype", "not a valid numpy type string" },
        { "\"dtype\": \"<i4\"", "\"dtype\": \"|V8\"", "dtype", "not supported yet" },
        { "\"dtype\": \"<i4\"", "\"dtype\": \"|O\"", "filters", "only 'vlen-utf8'" },
        { "\"dtype\": \"<i4\"", "\"dtype\": [[\"x\", \"<i4\"], [\"x\", \"<f8\"]]", "dtype", "appears twice" },
        { "\"dtype\": \"<i4\"", "\"dtype\": [[\"\", \"|V4\"]]", "dtype[0]", "padding" },
        { "\"dtype\": \"<i4\"", "\"dtype\": 4", "dtype", "numpy type string" },
        { "\"compressor\": null", "\"compressor\": {\"id\": \"snappy\"}", "compressor.id", "unknown compressor" },
        { "\"compressor\": null", "\"compressor\": \"zlib\"", "compressor", "object or null" },
        { "\"fill_value\": 0", "\"fill_value\": \"NaN\"", "fill_value", "not a valid fill value" },
        { "\"order\": \"C\"", "\"order\": \"K\"", "order", "not a valid order" },
        { "\"order\": \"C\", ", "", "order", "missing" },
        { "\"filters\": null", "\"filters\": [{\"id\": \"delta\", \"dtype\": \"<i4\"}, {\"id\": \"bitinfo\"}]", "filters", "unknown filter 'bitinfo' (entry 1)" },
        { "\"filters\": null", "\"filters\": [{\"id\": \"shuffle\"}, {\"id\": \"delta\", \"dtype\": \"<i4\"}]", "filters[1]", "follows 'numcodecs.shuffle', which works on bytes" },
        { "\"filters\": null", "\"filters\": [{\"id\": \"delta\", \"dtype\": \"<i8\"}]", "filters[0].dtype", "decodes to '<i8' but the array's dtype is '<i4'" },
        { "\"filters\": null", "\"filters\": [{\"id\": \"delta\", \"dtype\": \">i4\"}]", "filters[0].dtype", "reinterpretation" },
        { "\"filters\": null", "\"filters\": [{\"id\": \"delta\", \"dtype\": \"<i4\", \"astype\": \"<i2\"}, {\"id\": \"astype\", \"encode_dtype\": \"<f4\", \"decode_dtype\": \"<i4\"}]", "filters[1].decode_dtype", "encodes to" },
        { "\"filters\": null", "\"filters\": [{\"id\": \"delta\"}]", "filters[0].dtype", "required" },
        { "\"filters\": null", "\"filters\": [{\"id\": \"delta\", \"dtype\": \"<x4\"}]", "filters[0].dtype", "not a supported numpy type string" },
        { "\"filters\": null", "\"filters\": [{\"id\": \"delta\", \"dtype\": \"<i4\", \"astype\": \"<f8\"}]", "filters[0]", "mixes integer and float" },
        { "\"filters\": null", "\"filters\": [{\"id\": \"fixedscaleoffset\", \"dtype\": \"<i4\", \"scale\": 1, \"offset\": 0}]", "filters[0]", "float32 or float64" },
        { "\"filters\": null", "\"filters\": [{\"id\": \"fixedscaleoffset\", \"dtype\": \"<i4\", \"scale\": \"x\", \"offset\": 0}]", "filters[0].scale", "finite number" },
        { "\"filters\": null", "\"filters\": [{\"id\": \"quantize\", \"dtype\": \"<i4\"}]", "filters[0].digits", "required" },
        { "\"filters\": null", "\"filters\": [\"delta\"]", "filters", "entry 0 must be an object" },
        { "\"filters\": null", "\"filters\": [{\"dtype\": \"<i4\"}]", "filters", "needs a string 'id'" },
        { "\"filters\": null", "\"filters\": 3", "filters", "array or null" },
        { "\"filters\": null", "\"filters\": null, \"dimension_separator\": \"-\"", "dimension_separator", "not a separator" },
        { "\"filters\": null}", "\"filters\": null", null, "not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(V2Errors))]
    public void V2_ErrorsNameDocumentAndField(string replace, string with, string? field, string message)
    {
        Assert.Contains(replace, V2Valid, StringComparison.Ordinal);
        var json = Encoding.UTF8.GetBytes(V2Valid.Replace(replace, with, StringComparison.Ordinal));
        var ex = AssertError(() => MetadataSerializer.ParseArrayV2(json, [], V2Doc), V2Doc, field);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void V2_AcceptsOptionalFieldsMissingAndEmptyFilters()
    {
        var meta = MetadataSerializer.ParseArrayV2("""{"zarr_format": 2, "shape": [], "chunks": [], "dtype": "|b1", "fill_value": true, "order": "F", "filters": []}"""u8, [], V2Doc);
        Assert.Empty(meta.Shape);
        Assert.IsType<BytesCodec>(Assert.Single(meta.Codecs));
        Assert.Equal([1], meta.FillValue.ToArray());
        Assert.Equal(ChunkKeyEncoding.V2Dot, meta.ChunkKeyEncoding);
    }

    [Fact]
    public void V2_AttributesErrorsNameTheZAttrsDocument()
    {
        AssertError(() => MetadataSerializer.ParseArrayV2(Encoding.UTF8.GetBytes(V2Valid), "[1, 2]"u8, V2Doc), "grp/arr/.zattrs", null);
        AssertError(() => MetadataSerializer.ParseArrayV2(Encoding.UTF8.GetBytes(V2Valid), "{"u8, V2Doc), "grp/arr/.zattrs", null);
        AssertError(() => MetadataSerializer.ParseGroupV2("""{"zarr_format": 2}"""u8, "nope"u8, "g/.zgroup"), "g/.zattrs", null);
        AssertError(() => MetadataSerializer.ParseGroupV2("""{"zarr_format": 3}"""u8, [], "g/.zgroup"), "g/.zgroup", "zarr_format");
        AssertError(() => MetadataSerializer.ParseGroupV2([], [], "g/.zgroup"), "g/.zgroup", null);
        Assert.Empty(MetadataSerializer.ParseGroupV2("""{"zarr_format": 2}"""u8, [], "g/.zgroup").Attributes);
    }

    [Fact]
    public void V3_GroupErrors()
    {
        AssertError(() => MetadataSerializer.ParseGroupV3("""{"zarr_format": 3, "node_type": "array"}"""u8, V3Doc), V3Doc, "node_type");
        AssertError(() => MetadataSerializer.ParseGroupV3("""{"zarr_format": 3, "node_type": "group", "attributes": 1}"""u8, V3Doc), V3Doc, "attributes");
        AssertError(() => MetadataSerializer.ParseGroupV3("""{"zarr_format": 3, "node_type": "group", "other": 1}"""u8, V3Doc), V3Doc, "other");
        AssertError(() => MetadataSerializer.ParseGroupV3("[]"u8, V3Doc), V3Doc, null);
    }

    public static TheoryData<string, string> V2WriteErrors() => new()
    {
        { "crc32c", "crc32c is v3 only" },
        { "transpose not F", "neither C nor F" },
        { "no bytes", "'bytes' must" },
        { "default key encoding", "'c' prefix" },
        { "dimension names", "dimension_names" },
    };

    [Theory]
    [MemberData(nameof(V2WriteErrors))]
    public void V2_WritingRefusesWhatV2CannotExpress(string what, string message)
    {
        var meta = TestMetadata.Create([4, 4, 4], [2, 2, 2], ZarrDataType.Int16) with
        {
            Format = ZarrFormat.V2,
            Codecs = [new BytesCodec()],
            ChunkKeyEncoding = ChunkKeyEncoding.V2Dot,
        };
        meta = what switch
        {
            "crc32c" => meta with { Codecs = [new BytesCodec(), new GzipCodec(1), new Crc32cCodec()] },
            "transpose not F" => meta with { Codecs = [new TransposeCodec([1, 0, 2]), new BytesCodec()] },
            "no bytes" => meta with { Codecs = [new TransposeCodec([2, 1, 0])] },
            "default key encoding" => meta with { ChunkKeyEncoding = ChunkKeyEncoding.Default },
            // Issue 22, item 7: v2 stores names in _ARRAY_DIMENSIONS now; what it cannot hold is an unnamed dimension.
            "dimension names" => meta with { DimensionNames = ["x", null, "z"] },
            _ => throw new ArgumentOutOfRangeException(nameof(what)),
        };

        var ex = Assert.Throws<ZarrException>(() => MetadataSerializer.ToV2Json(meta));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void V2_WritingAcceptsCOrderTransposeAndCrc32cIsV3Only()
    {
        var meta = TestMetadata.Create([4, 4], [2, 2], ZarrDataType.Int16) with
        {
            Codecs = [new TransposeCodec([0, 1]), new BytesCodec(Endian.Big), new ZstdCodec(3, true)],
            ChunkKeyEncoding = ChunkKeyEncoding.V2Slash,
        };
        var text = Encoding.UTF8.GetString(MetadataSerializer.ToV2Json(meta).ZArray);
        Assert.Contains("\"order\": \"C\"", text, StringComparison.Ordinal);
        Assert.Contains("\"dtype\": \">i2\"", text, StringComparison.Ordinal);
        Assert.Contains("\"dimension_separator\": \"/\"", text, StringComparison.Ordinal);

        MetadataSerializer.ValidateChain(meta.Codecs, ZarrFormat.V2);
        MetadataSerializer.ValidateChain([new BytesCodec(), new Crc32cCodec()], ZarrFormat.V3);
        Assert.Throws<ZarrException>(() => MetadataSerializer.ValidateChain([new BytesCodec(), new Crc32cCodec()], ZarrFormat.V2));
        Assert.Throws<ZarrException>(() => MetadataSerializer.ValidateChain([new GzipCodec(1), new BytesCodec()], ZarrFormat.V3));
    }

    [Fact]
    public void Writing_RefusesInconsistentModels()
    {
        var meta = Array(ZarrDataType.Int32, new byte[4], ZarrFormat.V3);
        Assert.Throws<ZarrException>(() => MetadataSerializer.ToV3Json(meta with { ChunkShape = [1] }));
        Assert.Throws<ZarrException>(() => MetadataSerializer.ToV3Json(meta with { FillValue = [.. new byte[2]] }));
        Assert.Throws<ZarrException>(() => MetadataSerializer.ToV3Json(meta with { Codecs = [new BytesCodec(null)] }));
        Assert.Throws<ZarrException>(() => MetadataSerializer.ToV3Json(meta with { DimensionNames = ["a"] }));
    }

    private static ArrayMetadata Array(ZarrDataType dataType, byte[] fill, ZarrFormat format) => new()
    {
        Format = format,
        Shape = [7, 0, 5],
        ChunkShape = [3, 2, 5],
        DataType = dataType,
        FillValue = [.. fill],
        Codecs = format == ZarrFormat.V3
            ? [new TransposeCodec([2, 0, 1]), BytesCodec.For(dataType), new ZstdCodec(3, true)]
            : [new TransposeCodec([2, 1, 0]), BytesCodec.For(dataType), new GzipCodec(5)],
        ChunkKeyEncoding = format == ZarrFormat.V3 ? ChunkKeyEncoding.Default : ChunkKeyEncoding.V2Dot,
        Attributes = new AttributeDictionary(new JsonObject { ["type"] = dataType.Name, ["nan"] = "NaN" }),
        DimensionNames = format == ZarrFormat.V3 ? ["z", null, "x"] : null,
    };

    private static byte[] FillBytes(ZarrDataType dataType, string hexBits)
    {
        var bytes = Convert.FromHexString(hexBits);
        for (var i = 0; i < bytes.Length; i += dataType.ComponentSize)
        {
            System.Array.Reverse(bytes, i, dataType.ComponentSize);
        }

        return bytes;
    }

    private static bool HasNonCanonicalNaN(ZarrDataType dataType, byte[] fill)
    {
        if (!dataType.IsFloatingPoint && !dataType.IsComplex)
        {
            return false;
        }

        var part = dataType.ComponentSize;
        for (var i = 0; i < fill.Length; i += part)
        {
            var span = fill.AsSpan(i, part);
            var nonCanonical = part switch
            {
                2 => Half.IsNaN(BitConverter.ToHalf(span)) && BitConverter.ToUInt16(span) != 0x7E00,
                4 => float.IsNaN(BitConverter.ToSingle(span)) && BitConverter.ToUInt32(span) != 0x7FC00000,
                _ => double.IsNaN(BitConverter.ToDouble(span)) && BitConverter.ToUInt64(span) != 0x7FF8000000000000,
            };
            if (nonCanonical)
            {
                return true;
            }
        }

        return false;
    }

    private static ZarrMetadataException AssertError(Func<object> action, string document, string? field)
    {
        var ex = Assert.Throws<ZarrMetadataException>(action);
        Assert.Equal(document, ex.Document);
        Assert.Equal(field, ex.Field);
        return ex;
    }
}
