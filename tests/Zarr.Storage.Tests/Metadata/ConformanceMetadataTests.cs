using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;
using Zarr.Storage.Tests.DataTypes;

namespace Zarr.Storage.Tests.Metadata;

/// <summary>Every metadata document of the shared conformance corpus (../shared/conformance), parsed and checked against its manifest.</summary>
public class ConformanceMetadataTests
{
    /// <summary>v2 cases that use features not supported yet: each must fail with a clear "not supported yet" naming the field.</summary>
    private static readonly Dictionary<string, string> V2NotSupportedYet = [];

    /// <summary>
    /// v2 cases whose .zarray our writer does not reproduce byte for byte, and why: zarr-python 2.13 writes an explicit
    /// default separator that the model does not keep (the written document means the same).
    /// </summary>
    private static readonly Dictionary<string, string> V2NotByteExact = new()
    {
        ["sep_dot_explicit"] = "\"dimension_separator\": \".\" is the default and is not written back",
        ["blosc_autoshuffle_f4"] = "blosc \"shuffle\": -1 (AUTOSHUFFLE) is written back as the shuffle it means for the type (1)",
        ["blosc_autoshuffle_u1"] = "blosc \"shuffle\": -1 (AUTOSHUFFLE) is written back as the shuffle it means for the type (2)",
    };

    /// <summary>v3 cases that use what the library does not read yet, each with the clear error it must give until it does.</summary>
    private static readonly Dictionary<string, string> V3NotSupportedYet = new()
    {
        ["hc_string_sharded"] = "'vlen-utf8' inside 'sharding_indexed' (variable-length strings in shards) is not supported yet",
    };

    public static TheoryData<string> V2Arrays() => Entries(2, "array");

    public static TheoryData<string> V3Arrays() => Entries(3, "array");

    public static TheoryData<string> V2Groups() => Entries(2, "group");

    public static TheoryData<string> V3Groups() => Entries(3, "group");

    [Fact]
    public void V2_TheUnsupportedCasesAreExactlyTheListedOnes()
    {
        var failing = new SortedSet<string>();
        foreach (var (folder, entry) in Manifest(2).Where(e => e.Entry.GetProperty("kind").GetString() == "array"))
        {
            var (zarray, zattrs, doc) = ReadV2(folder, entry, ".zarray");
            try
            {
                MetadataSerializer.ParseArrayV2(zarray, zattrs, doc);
            }
            catch (ZarrMetadataException ex) when (ex.Message.Contains("not supported yet", StringComparison.Ordinal))
            {
                failing.Add(entry.GetProperty("case").GetString()!);
            }
        }

        Assert.Equal(new SortedSet<string>(V2NotSupportedYet.Keys), failing);
    }

    [Theory]
    [MemberData(nameof(V2Arrays))]
    public void V2_ArrayMetadataMatchesTheManifest(string path)
    {
        var (folder, entry) = Find(2, path);
        var name = entry.GetProperty("case").GetString()!;
        var (zarray, zattrs, doc) = ReadV2(folder, entry, ".zarray");
        if (V2NotSupportedYet.TryGetValue(name, out var field))
        {
            var ex = Assert.Throws<ZarrMetadataException>(() => MetadataSerializer.ParseArrayV2(zarray, zattrs, doc));
            Assert.Equal(doc, ex.Document);
            Assert.Equal(field, ex.Field);
            Assert.Contains("not supported yet", ex.Message, StringComparison.Ordinal);
            if (field == "filters")
            {
                var ids = entry.GetProperty("zarray").GetProperty("filters").EnumerateArray().Select(f => f.GetProperty("id").GetString()!);
                Assert.Contains($"[{string.Join(", ", ids)}]", ex.Message, StringComparison.Ordinal);
            }

            return;
        }

        var meta = MetadataSerializer.ParseArrayV2(zarray, zattrs, doc);
        var expected = entry.GetProperty("zarray");
        Assert.Equal(ZarrFormat.V2, meta.Format);
        Assert.Equal(Longs(expected.GetProperty("shape")), meta.Shape);
        Assert.Equal(Longs(expected.GetProperty("chunks")).Select(c => (int)c), meta.ChunkShape);

        // The filters, in numcodecs' order, stand between the (optional) transpose and bytes; bytes takes the byte order
        // of the last type (the dtype's, or the last filter's astype).
        // A structured dtype is numpy's descr list; its byte order is that of its multi-byte fields (all '<' here).
        var dtypeElement = expected.GetProperty("dtype");
        var dtype = dtypeElement.ValueKind == JsonValueKind.Array ? "<" + dtypeElement.GetRawText() : dtypeElement.GetString()!;
        var filters = meta.Codecs.OfType<IV2Filter>().ToList();
        var expectedFilters = expected.TryGetProperty("filters", out var f) && f.ValueKind == JsonValueKind.Array ? f.EnumerateArray().ToList() : [];
        if (dtype == "|O")
        {
            // A string array's object codec is its first filter in v2; the model holds it as the array→bytes codec.
            Assert.Equal("vlen-utf8", expectedFilters[0].GetProperty("id").GetString());
            Assert.Contains(meta.Codecs, c => c is VlenUtf8Codec);
            Assert.Equal(ZarrDataType.String, meta.DataType);
            expectedFilters.RemoveAt(0);
        }

        Assert.Equal(expectedFilters.Count, filters.Count);
        for (var i = 0; i < filters.Count; i++)
        {
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expectedFilters[i].GetRawText()), filters[i].ToV2Json()), $"filter {i}");
        }

        var stored = filters.Count > 0 ? filters[^1].EncodedType.ToString() : dtype;
        var bytes = meta.DataType.IsFixedSize ? Assert.IsType<BytesCodec>(meta.Codecs.Single(c => c is BytesCodec)) : null;
        if (bytes is null)
        {
            // variable-length strings: no bytes codec, no byte order
        }
        else if (dtypeElement.ValueKind == JsonValueKind.Array)
        {
            Assert.Equal(Descr.Parse(dtypeElement), meta.DataType);
        }
        else
        {
            Assert.Equal(dtype, meta.DataType.ToNumpyTypeString(dtype[0] == '>'));
        }

        if (bytes is not null)
        {
            Assert.Equal(stored[0] switch { '>' => Endian.Big, '<' => Endian.Little, _ => (Endian?)null }, bytes.Endian);
        }

        var isF = expected.GetProperty("order").GetString() == "F";
        Assert.Equal(isF && meta.Rank > 0, meta.Codecs[0] is TransposeCodec);
        if (meta.Codecs[0] is TransposeCodec t)
        {
            Assert.Equal(Enumerable.Range(0, meta.Rank).Reverse(), t.Order);
        }

        var compressor = expected.GetProperty("compressor");
        var last = meta.Codecs[^1];
        if (compressor.ValueKind == JsonValueKind.Null)
        {
            Assert.IsType<BytesCodec>(last);
        }
        else
        {
            var v2 = Assert.IsAssignableFrom<IV2Compressor>(last).ToV2Json();
            Assert.Equal(compressor.GetProperty("id").GetString(), v2["id"]!.GetValue<string>());
        }

        var fill = expected.GetProperty("fill_value");
        Assert.Equal(fill.ValueKind == JsonValueKind.Null, meta.FillValueIsNull);
        Assert.Equal(ExpectedFill(fill, meta.DataType), meta.FillValue);

        var separator = expected.TryGetProperty("dimension_separator", out var s) && s.GetString() == "/" ? '/' : '.';
        Assert.Equal(ChunkKeyEncoding.Create("v2", separator), meta.ChunkKeyEncoding);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(entry.GetProperty("attributes").GetRawText()), meta.Attributes.ToJsonObject()));

        // What we write back is what zarr-python 2.13 wrote, byte for byte (the corpus' writer; the one copied array
        // from zarr_implementations is checked the same way).
        var (writtenZArray, writtenZAttrs) = MetadataSerializer.ToV2Json(meta);
        if (!V2NotByteExact.ContainsKey(name))
        {
            Assert.Equal(Encoding.UTF8.GetString(zarray), Encoding.UTF8.GetString(writtenZArray));
        }

        if (zattrs.Length > 0 && meta.Attributes.Count > 0)
        {
            Assert.Equal(Encoding.UTF8.GetString(zattrs), Encoding.UTF8.GetString(writtenZAttrs!));
        }

        var again = MetadataSerializer.ParseArrayV2(writtenZArray, writtenZAttrs ?? [], doc);
        MetadataAssert.Equal(meta, again);
    }

    [Theory]
    [MemberData(nameof(V3Arrays))]
    public void V3_ArrayMetadataMatchesTheManifest(string path)
    {
        var (folder, entry) = Find(3, path);
        var (json, doc) = ReadV3(folder, entry);
        var expected = entry.GetProperty("zarr_json");
        if (V3NotSupportedYet.TryGetValue(entry.GetProperty("case").GetString()!, out var message))
        {
            var ex = Assert.Throws<ZarrMetadataException>(() => MetadataSerializer.ParseArrayV3(json, doc));
            Assert.Contains(message, ex.Message, StringComparison.Ordinal);
            return;
        }

        var codecNames = expected.GetProperty("codecs").EnumerateArray().Select(c => c.GetProperty("name").GetString()!).ToList();
        var unknown = codecNames.Where(n => !CodecRegistry.V3Names.Contains(n) && n != "vlen-utf8").ToList();
        Assert.True(unknown.Count == 0, $"the corpus uses codecs the registry does not know: {string.Join(", ", unknown)}");

        Assert.Equal("array", MetadataSerializer.ReadNodeTypeV3(json, doc));
        var meta = MetadataSerializer.ParseArrayV3(json, doc);
        Assert.Equal(ZarrFormat.V3, meta.Format);
        Assert.Equal(Longs(expected.GetProperty("shape")), meta.Shape);
        Assert.Equal(Longs(expected.GetProperty("chunk_grid").GetProperty("configuration").GetProperty("chunk_shape")).Select(c => (int)c), meta.ChunkShape);
        var dataType = expected.GetProperty("data_type");
        var dataTypeName = dataType.ValueKind == JsonValueKind.Object ? dataType.GetProperty("name").GetString() : dataType.GetString();
        Assert.Equal(dataTypeName == "structured" ? "struct" : dataTypeName, meta.DataType.Name); // the older name is read as struct
        Assert.Equal(ExpectedFill(expected.GetProperty("fill_value"), meta.DataType), meta.FillValue);
        Assert.False(meta.FillValueIsNull);
        Assert.Equal(codecNames, meta.Codecs.Select(c => c.Name));

        var cke = expected.GetProperty("chunk_key_encoding");
        var cname = cke.GetProperty("name").GetString()!;
        var sep = cke.TryGetProperty("configuration", out var conf) && conf.TryGetProperty("separator", out var sp)
            ? sp.GetString()![0]
            : cname == "v2" ? '.' : '/';
        Assert.Equal(ChunkKeyEncoding.Create(cname, sep), meta.ChunkKeyEncoding);

        if (expected.TryGetProperty("dimension_names", out var dn) && dn.ValueKind != JsonValueKind.Null)
        {
            Assert.Equal(dn.EnumerateArray().Select(d => d.ValueKind == JsonValueKind.Null ? null : d.GetString()), meta.DimensionNames!);
        }
        else
        {
            Assert.Null(meta.DimensionNames);
        }

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(entry.GetProperty("attributes").GetRawText()), meta.Attributes.ToJsonObject()));

        // Our document means the same, and writing is stable.
        var written = MetadataSerializer.ToV3Json(meta);
        var again = MetadataSerializer.ParseArrayV3(written, doc);
        MetadataAssert.Equal(meta, again);
        Assert.Equal(written, MetadataSerializer.ToV3Json(again));
    }

    [Theory]
    [MemberData(nameof(V2Groups))]
    public void V2_GroupMetadataMatchesTheManifest(string path)
    {
        var (folder, entry) = Find(2, path);
        var (zgroup, zattrs, doc) = ReadV2(folder, entry, ".zgroup");
        var group = MetadataSerializer.ParseGroupV2(zgroup, zattrs, doc);
        Assert.Equal(ZarrFormat.V2, group.Format);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(entry.GetProperty("attributes").GetRawText()), group.Attributes.ToJsonObject()));

        var (writtenZGroup, writtenZAttrs) = MetadataSerializer.ToV2Json(group);
        Assert.Equal(Encoding.UTF8.GetString(zgroup), Encoding.UTF8.GetString(writtenZGroup));
        if (group.Attributes.Count > 0)
        {
            Assert.Equal(Encoding.UTF8.GetString(zattrs), Encoding.UTF8.GetString(writtenZAttrs!));
        }
        else
        {
            Assert.Null(writtenZAttrs);
        }
    }

    [Theory]
    [MemberData(nameof(V3Groups))]
    public void V3_GroupMetadataMatchesTheManifest(string path)
    {
        var (folder, entry) = Find(3, path);
        var (json, doc) = ReadV3(folder, entry);
        Assert.Equal("group", MetadataSerializer.ReadNodeTypeV3(json, doc));
        var group = MetadataSerializer.ParseGroupV3(json, doc);
        Assert.Equal(ZarrFormat.V3, group.Format);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(entry.GetProperty("attributes").GetRawText()), group.Attributes.ToJsonObject()));
        var again = MetadataSerializer.ParseGroupV3(MetadataSerializer.ToV3Json(group), doc);
        Assert.True(JsonNode.DeepEquals(group.Attributes.ToJsonObject(), again.Attributes.ToJsonObject()));
    }

    /// <summary>The fill value's bytes, worked out from the manifest independently of <see cref="FillValueJson"/>.</summary>
    internal static byte[] ExpectedFill(JsonElement fill, ZarrDataType type)
    {
        var bytes = new byte[type.ItemSize];
        if (fill.ValueKind == JsonValueKind.Null)
        {
            return bytes;
        }

        if (type.IsComplex)
        {
            var part = type.ItemSize / 2;
            ExpectedFloat(fill[0], part).CopyTo(bytes, 0);
            ExpectedFloat(fill[1], part).CopyTo(bytes, part);
            return bytes;
        }

        if (type.IsFloatingPoint)
        {
            return ExpectedFloat(fill, type.ItemSize);
        }

        if (type == ZarrDataType.Bool)
        {
            bytes[0] = fill.GetBoolean() ? (byte)1 : (byte)0;
            return bytes;
        }

        if (type.Kind == DataTypeKind.FixedUnicode)
        {
            new UTF32Encoding(bigEndian: false, byteOrderMark: false).GetBytes(fill.GetString()!).CopyTo(bytes, 0);
            return bytes;
        }

        if (type.Kind == DataTypeKind.String)
        {
            return Encoding.UTF8.GetBytes(fill.GetString()!);
        }

        if (type.Kind == DataTypeKind.FixedBytes)
        {
            Convert.FromBase64String(fill.GetString()!).CopyTo(bytes, 0);
            return bytes;
        }

        if (type.Kind == DataTypeKind.Structured && fill.ValueKind == JsonValueKind.String)
        {
            // numpy's bytes of one element, in each field's stored byte order; the model holds little-endian values.
            Convert.FromBase64String(fill.GetString()!).CopyTo(bytes, 0);
            foreach (var field in type.Fields.Where(f => f.ByteOrder == Endian.Big && f.DataType.Kind <= DataTypeKind.Float64))
            {
                for (var i = 0; i < field.ElementCount; i++)
                {
                    bytes.AsSpan(field.Offset + (i * field.DataType.ItemSize), field.DataType.ItemSize).Reverse();
                }
            }

            return bytes;
        }

        if (type.Kind == DataTypeKind.Structured)
        {
            // v3 "struct": an object with a fill value per field, each by its field's type.
            foreach (var field in type.Fields)
            {
                for (var i = 0; i < field.ElementCount; i++)
                {
                    ExpectedFill(fill.GetProperty(field.Name), field.DataType).CopyTo(bytes, field.Offset + (i * field.DataType.ItemSize));
                }
            }

            return bytes;
        }

        if (type.Kind is DataTypeKind.DateTime64 or DataTypeKind.TimeDelta64 && fill.ValueKind == JsonValueKind.String)
        {
            Assert.Equal("NaT", fill.GetString());
            return BitConverter.GetBytes(long.MinValue);
        }

        var raw = fill.GetRawText();
        var value = raw.StartsWith('-')
            ? (ulong)long.Parse(raw, CultureInfo.InvariantCulture)
            : ulong.Parse(raw, CultureInfo.InvariantCulture);
        return BitConverter.GetBytes(value)[..type.ItemSize];
    }

    private static byte[] ExpectedFloat(JsonElement fill, int size)
    {
        if (fill.ValueKind == JsonValueKind.String && fill.GetString()!.StartsWith("0x", StringComparison.Ordinal))
        {
            // The bits as given, big-endian hex (zarr v3), stored little-endian.
            var bits = ulong.Parse(fill.GetString()![2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            return BitConverter.GetBytes(bits)[..size];
        }

        if (fill.ValueKind == JsonValueKind.String && fill.GetString() == "NaN")
        {
            // numpy's NaN, which zarr-python writes and reads: the quiet NaN with sign 0 (.NET's double.NaN has sign 1).
            return size switch
            {
                2 => BitConverter.GetBytes((ushort)0x7E00),
                4 => BitConverter.GetBytes(0x7FC00000),
                _ => BitConverter.GetBytes(0x7FF8000000000000),
            };
        }

        var d = fill.ValueKind == JsonValueKind.String
            ? fill.GetString() switch
            {
                "Infinity" => double.PositiveInfinity,
                "-Infinity" => double.NegativeInfinity,
                var s => throw new InvalidOperationException($"fill value {s} not handled by the test"),
            }
            : double.Parse(fill.GetRawText(), CultureInfo.InvariantCulture);
        return size switch
        {
            2 => BitConverter.GetBytes((Half)d),
            4 => BitConverter.GetBytes((float)d),
            _ => BitConverter.GetBytes(d),
        };
    }

    private static TheoryData<string> Entries(int format, string kind)
    {
        var data = new TheoryData<string>();
        foreach (var (folder, e) in Manifest(format).Where(e => e.Entry.GetProperty("kind").GetString() == kind))
        {
            data.Add(folder.Id(e.GetProperty("path").GetString()!));
        }

        return data;
    }

    /// <summary>One corpus's folder of one format (…/v2 or …/v3), and how its cases are named.</summary>
    private sealed record FormatFolder(Zarr.Tests.Shared.Corpus Corpus, string Path)
    {
        public string Id(string entryPath) => Zarr.Tests.Shared.TestCorpora.CaseId(Corpus, entryPath);
    }

    private static readonly Dictionary<int, List<(FormatFolder Folder, JsonElement Entry)>> Manifests = [];

    /// <summary>Every corpus's entries of <paramref name="format"/>: the generated fixtures, and the extra corpus when present.</summary>
    private static List<(FormatFolder Folder, JsonElement Entry)> Manifest(int format)
    {
        lock (Manifests)
        {
            if (!Manifests.TryGetValue(format, out var list))
            {
                list = [];
                foreach (var corpus in Zarr.Tests.Shared.TestCorpora.All)
                {
                    var folder = new FormatFolder(corpus, corpus.Format($"v{format}"));
                    using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder.Path, "manifest.json")));
                    list.AddRange(doc.RootElement.GetProperty("entries").EnumerateArray().Select(e => (folder, e.Clone())));
                }

                Manifests[format] = list;
            }

            return list;
        }
    }

    private static (FormatFolder Folder, JsonElement Entry) Find(int format, string id) =>
        Manifest(format).Single(e => e.Folder.Id(e.Entry.GetProperty("path").GetString()!) == id);

    private static (byte[] Document, byte[] ZAttrs, string Key) ReadV2(FormatFolder folder, JsonElement entry, string name)
    {
        var store = entry.GetProperty("store").GetString()!;
        var node = entry.GetProperty("node").GetString()!;
        var key = node.Length == 0 ? name : $"{node}/{name}";
        var attrsKey = node.Length == 0 ? ".zattrs" : $"{node}/.zattrs";
        var root = Path.Combine(folder.Path, store);
        if (store.EndsWith(".zip", StringComparison.Ordinal))
        {
            using var zip = ZipFile.OpenRead(root);
            return (ReadZip(zip, key)!, ReadZip(zip, attrsKey) ?? [], $"{store}/{key}");
        }

        var attrsPath = Path.Combine(root, attrsKey);
        return (File.ReadAllBytes(Path.Combine(root, key)), File.Exists(attrsPath) ? File.ReadAllBytes(attrsPath) : [], $"{store}/{key}");
    }

    private static byte[]? ReadZip(ZipArchive zip, string key)
    {
        var e = zip.GetEntry(key);
        if (e is null)
        {
            return null;
        }

        using var s = e.Open();
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }

    private static (byte[] Json, string Key) ReadV3(FormatFolder folder, JsonElement entry)
    {
        var path = entry.GetProperty("path").GetString()!;
        return (File.ReadAllBytes(Path.Combine(folder.Path, path, "zarr.json")), $"{path}/zarr.json");
    }

    private static long[] Longs(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt64()).ToArray();
}

/// <summary>Compares two metadata models field by field (codecs by their JSON).</summary>
internal static class MetadataAssert
{
    public static void Equal(ArrayMetadata expected, ArrayMetadata actual)
    {
        Assert.Equal(expected.Format, actual.Format);
        Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
        Assert.Equal(expected.ChunkShape.ToArray(), actual.ChunkShape.ToArray());
        Assert.Equal(expected.DataType, actual.DataType); // parameterised types compare by value
        Assert.Equal(expected.FillValue.ToArray(), actual.FillValue.ToArray());
        Assert.Equal(expected.FillValueIsNull, actual.FillValueIsNull);
        Assert.Equal(expected.ChunkKeyEncoding, actual.ChunkKeyEncoding);
        Assert.Equal(expected.Codecs.Count, actual.Codecs.Count);
        for (var i = 0; i < expected.Codecs.Count; i++)
        {
            Assert.True(JsonNode.DeepEquals(expected.Codecs[i].ToV3Json(), actual.Codecs[i].ToV3Json()),
                $"codec {i}: {expected.Codecs[i].ToV3Json().ToJsonString()} != {actual.Codecs[i].ToV3Json().ToJsonString()}");
        }

        Assert.True(JsonNode.DeepEquals(expected.Attributes.ToJsonObject(), actual.Attributes.ToJsonObject()));
        Assert.Equal(expected.DimensionNames, actual.DimensionNames);
    }
}
