using System.Text.Json.Nodes;
using Zarr.Storage;
using Zarr.Storage.Codecs;

namespace Zarr.Cli.Tests;

/// <summary><c>zarr copy</c> on arrays and groups made here: formats, rechunking, codecs, sharding, the --json totals.</summary>
public sealed class CopyCommandTests : IDisposable
{
    private static readonly string[] JsonFields = ["arrays", "chunks_written", "bytes_read", "bytes_written", "seconds"];

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private async Task<ZarrArray<double>> SourceAsync(string name, ZarrFormat format = ZarrFormat.V3)
    {
        var array = await ZarrArray.CreateAsync<double>(new DirectoryStore(_temp.Combine(name)), "", [100, 60], new ArrayOptions
        {
            Format = format,
            Chunks = [10, 20],
            Compressors = [new ZstdCodec(1)],
            FillValue = -1.0,
            Attributes = new JsonObject { ["units"] = "m" },
        });
        var values = Enumerable.Range(0, 6000).Select(i => i % 7 == 0 ? double.NaN : i * 0.5).ToArray();
        await array.WriteAsync([Slice.All, Slice.All], values);
        return array;
    }

    private static async Task<double[]> ReadAllAsync(string path)
    {
        var array = (await ZarrArray.OpenAsync(new DirectoryStore(path))).As<double>();
        var tensor = await array.ReadAsync([Slice.All, Slice.All]);
        return tensor.ToArray();
    }

    [Fact]
    public async Task RechunkRecompressAndConvertToV2()
    {
        await SourceAsync("src.zarr");
        var dst = _temp.Combine("dst.zarr");
        var result = await Cli.RunExpectingAsync(0, "copy", _temp.Combine("src.zarr"), dst, "--format", "2", "--chunks", "33,7", "--codec", "gzip:6", "--json");

        var json = result.Json;
        Assert.Equal(JsonFields, json.Select(kv => kv.Key));
        Assert.Equal(1, (long)json["arrays"]!);
        Assert.Equal(4 * 9, (long)json["chunks_written"]!);
        Assert.True((long)json["bytes_read"]! > 0);
        var chunkBytes = Directory.GetFiles(dst).Where(f => !Path.GetFileName(f).StartsWith('.')).Sum(f => new FileInfo(f).Length);
        Assert.Equal(chunkBytes, (long)json["bytes_written"]!);
        Assert.True((double)json["seconds"]! >= 0);

        var zarray = JsonNode.Parse(File.ReadAllText(Path.Combine(dst, ".zarray")))!;
        Assert.Equal("[33,7]", zarray["chunks"]!.ToJsonString());
        Assert.Equal("""{"id":"gzip","level":6}""", zarray["compressor"]!.ToJsonString());
        Assert.Equal(-1.0, (double)zarray["fill_value"]!);
        Assert.Equal("""{"units":"m"}""", File.ReadAllText(Path.Combine(dst, ".zattrs")).Replace(" ", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal));
        Assert.Equal(
            (await ReadAllAsync(_temp.Combine("src.zarr"))).Select(BitConverter.DoubleToInt64Bits),
            (await ReadAllAsync(dst)).Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public async Task DefaultsKeepTheChunksAndUseBloscAndShardsOnRequest()
    {
        await SourceAsync("src.zarr", ZarrFormat.V2);
        var dst = _temp.Combine("dst.zarr");
        var text = await Cli.RunExpectingAsync(0, "copy", _temp.Combine("src.zarr"), dst);
        Assert.Matches(@"^copied 1 array: 30 chunks written; read [0-9.]+K, wrote [0-9.]+K in [0-9.]+ s\n$", text.Stdout.ReplaceLineEndings("\n"));
        var info = (await Cli.RunExpectingAsync(0, "info", dst, "--json")).Json;
        Assert.Equal(3, (int)info["zarr_format"]!);
        Assert.Equal("[10,20]", info["chunks"]!.ToJsonString());
        Assert.Equal("blosc", (string)info["codecs"]![1]!["name"]!);
        Assert.Equal("lz4", (string)info["codecs"]![1]!["configuration"]!["cname"]!);

        var sharded = _temp.Combine("sharded.zarr");
        var json = (await Cli.RunExpectingAsync(0, "copy", dst, sharded, "--shards", "50,60", "--json", "--attr", "extra=1")).Json;
        Assert.Equal(2, (long)json["chunks_written"]!);
        info = (await Cli.RunExpectingAsync(0, "info", sharded, "--json")).Json;
        Assert.Equal("[10,20]", info["chunks"]!.ToJsonString());
        Assert.Equal("[50,60]", info["shards"]!.ToJsonString());
        Assert.Equal("""{"units":"m","extra":1}""", info["attributes"]!.ToJsonString());
        Assert.Equal(
            (await ReadAllAsync(_temp.Combine("src.zarr"))).Select(BitConverter.DoubleToInt64Bits),
            (await ReadAllAsync(sharded)).Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public async Task BoolAndComplexAreCopiedChunkByChunkAlsoWhenRechunked()
    {
        var store = new DirectoryStore(_temp.Combine("b.zarr"));
        var flags = await ZarrArray.CreateAsync<bool>(store, "", [25, 9], new ArrayOptions { Chunks = [4, 4], FillValue = true });
        var values = Enumerable.Range(0, 225).Select(i => i % 3 == 0).ToArray();
        await flags.WriteAsync([Slice.All, Slice.All], values);

        foreach (var chunks in new[] { "4,4", "10,3" })
        {
            var dst = _temp.Combine($"b-{chunks.Replace(',', '-')}.zarr");
            await Cli.RunExpectingAsync(0, "copy", _temp.Combine("b.zarr"), dst, "--chunks", chunks, "--format", "2");
            var copy = (await ZarrArray.OpenAsync(new DirectoryStore(dst))).As<bool>();
            Assert.Equal(values, (await copy.ReadAsync([Slice.All, Slice.All])).ToArray());
            Assert.True(await copy.GetValueAsync([0, 0]));
        }

        var complex = await ZarrArray.CreateAsync<System.Numerics.Complex>(new DirectoryStore(_temp.Combine("c.zarr")), "", [5], new ArrayOptions { Chunks = [2] });
        var numbers = Enumerable.Range(0, 5).Select(i => new System.Numerics.Complex(i, -i)).ToArray();
        await complex.WriteAsync([Slice.All], numbers);
        await Cli.RunExpectingAsync(0, "copy", _temp.Combine("c.zarr"), _temp.Combine("c2.zarr"), "--chunks", "3");
        var copied = (await ZarrArray.OpenAsync(new DirectoryStore(_temp.Combine("c2.zarr")))).As<System.Numerics.Complex>();
        Assert.Equal(numbers, (await copied.ReadAsync([Slice.All])).ToArray());
    }

    [Fact]
    public async Task GroupCopyKeepsTheHierarchyAttributesAndConsolidation()
    {
        var src = _temp.Combine("g.zarr");
        var root = await ZarrGroup.CreateAsync(new DirectoryStore(src), "", ZarrFormat.V2, new JsonObject { ["title"] = "g" });
        var sub = await root.CreateGroupAsync("sub", new JsonObject { ["level"] = 1 });
        var a = await sub.CreateArrayAsync<int>("a", [10], new ArrayOptions { Chunks = [3] });
        await a.WriteAsync([Slice.All], Enumerable.Range(0, 10).ToArray());
        var b = await root.CreateArrayAsync<float>("b", [4, 4], new ArrayOptions { Chunks = [2, 2] });
        await b.WriteAsync([Slice.All, Slice.All], Enumerable.Range(0, 16).Select(i => (float)i).ToArray());
        await root.CreateGroupAsync("empty");
        await root.ConsolidateMetadataAsync();

        var dst = _temp.Combine("copy.zarr");
        var json = (await Cli.RunExpectingAsync(0, "copy", src, dst, "--json")).Json;
        Assert.Equal(2, (long)json["arrays"]!);
        Assert.Equal(4 + 4, (long)json["chunks_written"]!);

        var copy = await ZarrGroup.OpenAsync(new DirectoryStore(dst));
        Assert.Equal(ZarrFormat.V3, copy.Format);
        Assert.True(copy.UsesConsolidatedMetadata);
        Assert.Equal("""{"title":"g"}""", copy.Attributes.ToJsonString());
        Assert.Equal("""{"level":1}""", (await copy.OpenGroupAsync("sub")).Attributes.ToJsonString());
        var members = new List<string>();
        await foreach (var m in copy.WalkAsync())
        {
            members.Add($"{m.Path}:{m.Kind}");
        }

        Assert.Equal(["b:Array", "empty:Group", "sub:Group", "sub/a:Array"], members);
        var copiedA = await copy.OpenArrayAsync<int>("sub/a");
        Assert.Equal(Enumerable.Range(0, 10).ToArray(), (await copiedA.ReadAsync([Slice.All])).ToArray());
    }

    /// <summary>A v2 source as xarray writes a CF-encoded time: int64 days since the first one, with "fill_value": null.</summary>
    private async Task<long[]> NullFillTimesAsync(string name)
    {
        var days = Enumerable.Range(0, 30).Select(i => (long)i).ToArray();
        await ZarrArray.FromDataAsync<long>(new DirectoryStore(_temp.Combine(name)), "", days, [30], new ArrayOptions
        {
            Format = ZarrFormat.V2,
            Chunks = [10],
            FillValueIsNull = true,
            Attributes = new JsonObject { ["units"] = "days since 2020-01-01", ["calendar"] = "proleptic_gregorian" },
        });
        return days;
    }

    [Theory]
    [InlineData("")]
    [InlineData("--chunks 7")]
    [InlineData("--codec zstd:3")]
    [InlineData("--codec none")]
    public async Task AV2NullFillValueStaysNullWhenCopiedRechunkedOrRecompressed(string options)
    {
        var days = await NullFillTimesAsync("times.zarr");
        var dst = _temp.Combine("copy.zarr");
        await Cli.RunExpectingAsync(0, ["copy", _temp.Combine("times.zarr"), dst, "--format", "2", .. options.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);

        // Not 0: xarray would read 0 as its missing-value marker and the first day (0 days since) as NaT.
        var zarray = JsonNode.Parse(File.ReadAllText(Path.Combine(dst, ".zarray")))!.AsObject();
        Assert.True(zarray.ContainsKey("fill_value"));
        Assert.Null(zarray["fill_value"]);
        var copy = await ZarrArray.OpenAsync<long>(new DirectoryStore(dst));
        Assert.True(copy.Metadata.FillValueIsNull);
        Assert.Equal(days, (await copy.ReadAsync([Slice.All])).ToArray());
        Assert.Equal("days since 2020-01-01", (string)copy.Attributes["units"]!);

        var info = (await Cli.RunExpectingAsync(0, "info", dst, "--json")).Json;
        Assert.True(info.ContainsKey("fill_value"));
        Assert.Null(info["fill_value"]);
        Assert.Contains("\n  fill_value: null\n", (await Cli.RunExpectingAsync(0, "info", dst)).Stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AV2NullFillValueBecomesTheTypesZeroInV3AndGivesWayToFill()
    {
        var days = await NullFillTimesAsync("times.zarr");
        var v3 = _temp.Combine("v3.zarr");
        await Cli.RunExpectingAsync(0, "copy", _temp.Combine("times.zarr"), v3);
        var zarrJson = JsonNode.Parse(File.ReadAllText(Path.Combine(v3, "zarr.json")))!;
        Assert.Equal("0", zarrJson["fill_value"]!.ToJsonString());
        var copy = await ZarrArray.OpenAsync<long>(new DirectoryStore(v3));
        Assert.False(copy.Metadata.FillValueIsNull);
        Assert.Equal(days, (await copy.ReadAsync([Slice.All])).ToArray());

        // Back to v2 from v3 the zero is a fill value like any other; --fill replaces the null.
        await Cli.RunExpectingAsync(0, "copy", v3, _temp.Combine("back.zarr"), "--format", "2");
        Assert.Equal("0", JsonNode.Parse(File.ReadAllText(_temp.Combine("back.zarr", ".zarray")))!["fill_value"]!.ToJsonString());
        await Cli.RunExpectingAsync(0, "copy", _temp.Combine("times.zarr"), _temp.Combine("filled.zarr"), "--format", "2", "--fill", "-1");
        Assert.Equal("-1", JsonNode.Parse(File.ReadAllText(_temp.Combine("filled.zarr", ".zarray")))!["fill_value"]!.ToJsonString());
    }

    [Fact]
    public async Task AGroupCopyKeepsEachArraysNullFillValueAlsoInTheConsolidatedMetadata()
    {
        // xarray's layout: a consolidated v2 group; times and flags (bool, copied chunk by chunk) without a fill value, floats with NaN.
        var src = _temp.Combine("ds.zarr");
        var root = await ZarrGroup.CreateAsync(new DirectoryStore(src), "", ZarrFormat.V2, new JsonObject { ["title"] = "xarray-like" });
        var noFill = new ArrayOptions { Chunks = [5], FillValueIsNull = true };
        var time = await root.CreateArrayAsync<long>("time", [12], noFill);
        await time.WriteAsync([Slice.All], Enumerable.Range(0, 12).Select(i => (long)i).ToArray());
        var flag = await root.CreateArrayAsync<bool>("flag", [12], noFill);
        var flags = Enumerable.Range(0, 12).Select(i => i % 2 == 1).ToArray();
        await flag.WriteAsync([Slice.All], flags);
        await root.CreateArrayAsync<double>("temp", [12], new ArrayOptions { Chunks = [5], FillValue = "NaN" });
        await root.ConsolidateMetadataAsync();

        var dst = _temp.Combine("copy.zarr");
        await Cli.RunExpectingAsync(0, "copy", src, dst, "--format", "2", "--chunks", "4");

        var zmetadata = JsonNode.Parse(File.ReadAllText(Path.Combine(dst, ".zmetadata")))!["metadata"]!;
        foreach (var (name, fill) in new[] { ("time", "null"), ("flag", "null"), ("temp", "\"NaN\"") })
        {
            Assert.Equal(fill, JsonNode.Parse(File.ReadAllText(Path.Combine(dst, name, ".zarray")))!["fill_value"]?.ToJsonString() ?? "null");
            Assert.Equal(fill, zmetadata[$"{name}/.zarray"]!["fill_value"]?.ToJsonString() ?? "null");
        }

        var copy = await ZarrGroup.OpenAsync(new DirectoryStore(dst));
        Assert.True(copy.UsesConsolidatedMetadata);
        var copiedFlag = await copy.OpenArrayAsync<bool>("flag");
        Assert.True(copiedFlag.Metadata.FillValueIsNull);
        Assert.Equal(flags, (await copiedFlag.ReadAsync([Slice.All])).ToArray());
    }

    /// <summary>A v2 structured type with sub-array fields and a big-endian field, with a fill value, as zarr-python 2 writes it; rows 4.. left missing.</summary>
    private async Task<string> StructuredSourceAsync(string name)
    {
        await Python.RunAsync(_temp.Path, $"""
            import zarr
            dt = np.dtype([('id', '<u2'), ('pos', '<f4', (3,)), ('be', '>i8'), ('tag', 'S3'), ('grid', '<i2', (2, 2))])
            fill = np.array([(7, (1.5, -2.0, 0.25), -1, b'ab', ((1, 2), (3, 4)))], dtype=dt)
            z = zarr.create(store=zarr.DirectoryStore('{name}'), shape=(7, 5), chunks=(3, 2), dtype=dt, fill_value=fill.tobytes(), compressor=None)
            v = np.zeros((4, 5), dtype=dt)
            v['id'] = np.arange(20).reshape(4, 5)
            v['pos'] = np.arange(60, dtype='f4').reshape(4, 5, 3) / 4
            v['be'] = -np.arange(20).reshape(4, 5) * 10**12
            v['tag'] = b'xyz'
            v['grid'] = np.arange(80).reshape(4, 5, 2, 2)
            z[:4, :] = v
            """);
        return _temp.Combine(name);
    }

    [Theory]
    [InlineData("")]
    [InlineData("--chunks 4,4 --codec zstd:3")]
    public async Task AV2StructuredTypeWithSubArrayFieldsKeepsItsExactFillValueInAV2Copy(string options)
    {
        var src = await StructuredSourceAsync("rec.zarr");
        var dst = _temp.Combine("copy.zarr");
        await Cli.RunExpectingAsync(0, ["copy", src, dst, "--format", "2", .. options.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);

        var before = JsonNode.Parse(File.ReadAllText(Path.Combine(src, ".zarray")))!;
        var after = JsonNode.Parse(File.ReadAllText(Path.Combine(dst, ".zarray")))!;
        Assert.Equal(before["dtype"]!.ToJsonString(), after["dtype"]!.ToJsonString());
        Assert.Equal(before["fill_value"]!.ToJsonString(), after["fill_value"]!.ToJsonString());
        var source = await ZarrArray.OpenAsync(new DirectoryStore(src));
        var copy = await ZarrArray.OpenAsync(new DirectoryStore(dst));
        Assert.Equal(source.Metadata.FillValue.ToArray(), copy.Metadata.FillValue.ToArray());
        Assert.Equal((await source.ReadBytesAsync([Slice.All, Slice.All])).Data, (await copy.ReadBytesAsync([Slice.All, Slice.All])).Data);
        Assert.Equal("True True", await Python.RunAsync(_temp.Path, """
            import zarr
            a, b = zarr.open_array('rec.zarr', mode='r'), zarr.open_array('copy.zarr', mode='r')
            print(a[...].tobytes() == b[...].tobytes(), a.fill_value.tobytes() == b.fill_value.tobytes())
            """));
    }

    [Fact]
    public async Task AStructuredTypeV3CannotHoldIsRefusedInOneLineNamingTheArrayBeforeAnythingIsWritten()
    {
        var src = await StructuredSourceAsync("rec.zarr");
        foreach (var options in new[] { "", "--shards 6,4 --chunks 3,2" })
        {
            var dst = _temp.Combine("v3.zarr");
            var result = await Cli.RunExpectingAsync(1, ["copy", src, dst, .. options.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);
            Assert.Contains($"{src}: the structured type ", result.Stderr, StringComparison.Ordinal);
            Assert.Contains("cannot be written as v3: the field 'pos' is a sub-array of shape (3)", result.Stderr, StringComparison.Ordinal);
            Assert.False(Directory.Exists(dst));
        }
    }

    private static async Task<string?[]> ReadStringsAsync(string path)
    {
        var array = await ZarrStringArray.OpenAsync(new DirectoryStore(path));
        return (await array.ReadAsync([.. array.Shape.Select(_ => Slice.All)])).Values;
    }

    [Fact]
    public async Task VariableLengthStringsCopyBetweenFormatsRechunkedAndRecompressed()
    {
        // Chunk row 2 (rows 10..12) is never written: it reads as the fill value.
        var src = _temp.Combine("s.zarr");
        var strings = await ZarrStringArray.CreateAsync(new DirectoryStore(src), "", [13, 7], null, new ArrayOptions { Chunks = [5, 3], FillValue = "∅", Compressors = [new ZstdCodec(3)] });
        await strings.WriteAsync([Slice.Range(0, 10), Slice.All], Enumerable.Range(0, 70).Select(i => i % 9 == 0 ? "" : $"v{i}-é中{new string('x', i % 13)}").ToArray());
        var expected = await ReadStringsAsync(src);
        Assert.Equal("∅", expected[^1]);

        var copies = new (string From, string To, string Options)[]
        {
            ("s.zarr", "v2.zarr", "--format 2"),
            ("s.zarr", "v2-rechunked.zarr", "--format 2 --chunks 4,4 --codec zlib:1"),
            ("v2.zarr", "back.zarr", "--codec gzip:5"),
            ("v2-rechunked.zarr", "back-rechunked.zarr", "--chunks 6,7 --codec blosc:zstd:3:bitshuffle"),
        };
        foreach (var (from, to, options) in copies)
        {
            var json = (await Cli.RunExpectingAsync(0, ["copy", _temp.Combine(from), _temp.Combine(to), "--json", .. options.Split(' ')])).Json;
            Assert.Equal(1, (long)json["arrays"]!);
            Assert.Equal(expected, await ReadStringsAsync(_temp.Combine(to)));
            var copy = await ZarrStringArray.OpenAsync(new DirectoryStore(_temp.Combine(to)));
            Assert.Equal("∅", System.Text.Encoding.UTF8.GetString(copy.Array.Metadata.FillValue.ToArray()));
        }

        // The v2 copy is what zarr-python 2 writes: |O with the vlen-utf8 object codec and blosc (typesize 1, as numcodecs).
        var zarray = JsonNode.Parse(File.ReadAllText(_temp.Combine("v2.zarr", ".zarray")))!;
        Assert.Equal("\"|O\"", zarray["dtype"]!.ToJsonString());
        Assert.Equal("""[{"id":"vlen-utf8"}]""", zarray["filters"]!.ToJsonString());
        Assert.Equal("blosc", (string)zarray["compressor"]!["id"]!);
        Assert.Equal("\"∅\"", zarray["fill_value"]!.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        Assert.False(File.Exists(_temp.Combine("v2.zarr", "2.0"))); // all fill value: not stored
        File.WriteAllText(_temp.Combine("expected.json"), new JsonArray([.. expected.Select(v => (JsonNode?)v)]).ToJsonString());
        Assert.Equal("True", await Python.RunAsync(_temp.Path, """
            import zarr, json
            expected = json.load(open('expected.json'))
            print(all(zarr.open_array(p, mode='r')[...].ravel().tolist() == expected for p in ('v2.zarr', 'v2-rechunked.zarr')))
            """));
        var blosc = JsonNode.Parse(File.ReadAllText(_temp.Combine("back-rechunked.zarr", "zarr.json")))!["codecs"]![1]!;
        Assert.Equal("blosc", (string)blosc["name"]!);
        Assert.Equal(1, (int)blosc["configuration"]!["typesize"]!);
        Assert.Equal("bitshuffle", (string)blosc["configuration"]!["shuffle"]!);
    }

    [Fact]
    public async Task AV2StringArrayWithoutAFillValueKeepsItsMissingChunksMissing()
    {
        var src = _temp.Combine("null.zarr");
        var strings = await ZarrStringArray.CreateAsync(new DirectoryStore(src), "", [6, 4], null, new ArrayOptions { Format = ZarrFormat.V2, Chunks = [3, 2], FillValueIsNull = true });
        await strings.WriteAsync([Slice.Range(0, 3), Slice.All], new string?[] { "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l" });
        var expected = await ReadStringsAsync(src);
        Assert.Null(expected[^1]);

        await Cli.RunExpectingAsync(0, "copy", src, _temp.Combine("v2.zarr"), "--format", "2");
        Assert.Null(JsonNode.Parse(File.ReadAllText(_temp.Combine("v2.zarr", ".zarray")))!["fill_value"]);
        Assert.Equal(expected, await ReadStringsAsync(_temp.Combine("v2.zarr")));

        // v3 has no null: the type's zero, the empty string, as for numbers.
        await Cli.RunExpectingAsync(0, "copy", src, _temp.Combine("v3.zarr"), "--chunks", "2,2");
        Assert.Equal(expected.Select(v => v ?? ""), await ReadStringsAsync(_temp.Combine("v3.zarr")));
    }

    [Fact]
    public async Task AStringArrayIsNotShardedAndTheRefusalSaysSoBeforeAnythingIsWritten()
    {
        var src = _temp.Combine("s.zarr");
        var strings = await ZarrStringArray.CreateAsync(new DirectoryStore(src), "", [4, 4], null, new ArrayOptions { Chunks = [2, 2] });
        await strings.FillAsync([Slice.All, Slice.All], "x");
        var result = await Cli.RunExpectingAsync(2, "copy", src, _temp.Combine("sharded.zarr"), "--shards", "4,4");
        Assert.Contains($"{src}: --shards 4,4: variable-length strings in shards are not supported yet", result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_temp.Combine("sharded.zarr")));
    }

    [Fact]
    public async Task WideFixedLengthStringsGetBloscWithC_BloscsLargestTypesize()
    {
        // <U100: elements of 400 bytes, more than the largest typesize c-blosc takes (255).
        var src = _temp.Combine("u.zarr");
        var strings = await ZarrStringArray.CreateAsync(new DirectoryStore(src), "", [5], ZarrDataType.FixedUnicode(100), new ArrayOptions { Chunks = [2], Compressors = [] });
        var values = new[] { "a", new string('é', 100), "", "z中", "q" };
        await strings.WriteAsync([Slice.All], values);
        foreach (var (name, options) in new[] { ("v3.zarr", "--format 3"), ("v2.zarr", "--format 2") })
        {
            await Cli.RunExpectingAsync(0, "copy", src, _temp.Combine(name), options.Split(' ')[0], options.Split(' ')[1]);
            Assert.Equal(values, await ReadStringsAsync(_temp.Combine(name)));
        }

        var blosc = JsonNode.Parse(File.ReadAllText(_temp.Combine("v3.zarr", "zarr.json")))!["codecs"]![1]!;
        Assert.Equal(255, (int)blosc["configuration"]!["typesize"]!);
    }

    [Fact]
    public async Task AFillValuesNaNPayloadIsKeptAndSoAreTheValuesOfMissingChunks()
    {
        // A quiet NaN with a payload (0x7fc00001); the chunks of rows 20.. are missing and read as it.
        var src = _temp.Combine("nan.zarr");
        var array = await ZarrArray.CreateAsync<float>(new DirectoryStore(src), "", [37, 23], new ArrayOptions { Chunks = [10, 8], FillValue = "0x7fc00001", Compressors = [] });
        await array.WriteAsync([Slice.Range(0, 20), Slice.All], Enumerable.Range(0, 20 * 23).Select(i => i % 5 == 0 ? float.NaN : i * 0.25f).ToArray());
        var expected = (await array.ReadBytesAsync([Slice.All, Slice.All])).Data;
        Assert.Equal(0x7fc00001u, BitConverter.ToUInt32(expected, expected.Length - 4));

        foreach (var (name, options, fill) in new[]
        {
            ("v2.zarr", "--format 2", "\"NaN\""),
            ("v2-rechunked.zarr", "--format 2 --chunks 16,16", "\"NaN\""),
            ("v3.zarr", "--codec zstd:1", "\"0x7fc00001\""),
            ("v3-rechunked.zarr", "--chunks 16,16", "\"0x7fc00001\""),
        })
        {
            var dst = _temp.Combine(name);
            await Cli.RunExpectingAsync(0, ["copy", src, dst, .. options.Split(' ')]);
            var document = File.Exists(Path.Combine(dst, ".zarray")) ? ".zarray" : "zarr.json";
            Assert.Equal(fill, JsonNode.Parse(File.ReadAllText(Path.Combine(dst, document)))!["fill_value"]!.ToJsonString());
            var copy = await ZarrArray.OpenAsync(new DirectoryStore(dst));
            var (values, _) = await copy.ReadBytesAsync([Slice.All, Slice.All]);
            Assert.True(expected.AsSpan().SequenceEqual(values), $"{name}: the values differ");
        }
    }

    [Fact]
    public async Task AComplexFillValueZarrPython2MisreadsLeavesNoChunkMissingInAV2Copy()
    {
        // zarr-python 2 reads a v2 complex fill value [1.5, "-Infinity"] as 1.5 + 1j * -inf = (nan-infj).
        var src = _temp.Combine("c.zarr");
        var array = await ZarrArray.CreateAsync<System.Numerics.Complex>(new DirectoryStore(src), "", [7, 5], new ArrayOptions { Chunks = [3, 2], FillValue = new JsonArray(1.5, "-Infinity") });
        await array.WriteAsync([Slice.Range(0, 3), Slice.All], Enumerable.Range(0, 15).Select(i => new System.Numerics.Complex(i, -i)).ToArray());
        var expected = (await array.ReadBytesAsync([Slice.All, Slice.All])).Data;

        foreach (var (name, options) in new[] { ("v2.zarr", ""), ("v2-rechunked.zarr", "--chunks 4,4") })
        {
            var dst = _temp.Combine(name);
            await Cli.RunExpectingAsync(0, ["copy", src, dst, "--format", "2", .. options.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);
            Assert.Equal("""[1.5,"-Infinity"]""", JsonNode.Parse(File.ReadAllText(Path.Combine(dst, ".zarray")))!["fill_value"]!.ToJsonString());
            var (values, _) = await (await ZarrArray.OpenAsync(new DirectoryStore(dst))).ReadBytesAsync([Slice.All, Slice.All]);
            Assert.Equal(expected, values);
            Assert.Equal("True (1.5-infj)", await Python.RunAsync(_temp.Path, $"""
                import zarr
                z = zarr.open_array('{name}', mode='r')
                print(z.nchunks_initialized == z.nchunks, z[6, 4])
                """));
        }
    }

    [Fact]
    public async Task AShardedSourceWithATransposeBeforeShardingKeepsItsShardsAndInnerChunks()
    {
        // codecs [transpose [1, 0], sharding_indexed]: the inner chunk shape (3, 2) is in the transposed order, (2, 3) in the array's.
        var src = _temp.Combine("t.zarr");
        var metadata = new ArrayMetadata
        {
            Format = ZarrFormat.V3,
            Shape = [10, 12],
            ChunkShape = [4, 6],
            DataType = ZarrDataType.UInt16,
            FillValue = [0, 0],
            Codecs = [new TransposeCodec([1, 0]), new ShardingCodec([3, 2], [new BytesCodec()])],
            ChunkKeyEncoding = ChunkKeyEncoding.Default,
        };
        var array = (await ZarrArray.CreateFromMetadataAsync(new DirectoryStore(src), "", metadata)).As<ushort>();
        var values = Enumerable.Range(1, 120).Select(i => (ushort)i).ToArray();
        await array.WriteAsync([Slice.All, Slice.All], values);

        foreach (var (name, options, chunks, shards) in new[]
        {
            ("kept.zarr", "", "[2,3]", "[4,6]"),
            ("bigger.zarr", "--shards 8,12", "[2,3]", "[8,12]"),
        })
        {
            var dst = _temp.Combine(name);
            await Cli.RunExpectingAsync(0, ["copy", src, dst, .. options.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);
            var info = (await Cli.RunExpectingAsync(0, "info", dst, "--json")).Json;
            Assert.Equal(chunks, info["chunks"]!.ToJsonString());
            Assert.Equal(shards, info["shards"]!.ToJsonString());
            var copy = await ZarrArray.OpenAsync<ushort>(new DirectoryStore(dst));
            Assert.Equal(values, (await copy.ReadAsync([Slice.All, Slice.All])).ToArray());
        }
    }

    [Fact]
    public async Task GroupOptionsThatDoNotFitAnArrayFailBeforeAnythingIsWritten()
    {
        var src = _temp.Combine("g.zarr");
        var root = await ZarrGroup.CreateAsync(new DirectoryStore(src));
        await root.CreateArrayAsync<int>("two", [10, 10], new ArrayOptions { Chunks = [5, 5] });
        await root.CreateArrayAsync<int>("one", [10], new ArrayOptions { Chunks = [5] });
        var result = await Cli.RunExpectingAsync(2, "copy", src, _temp.Combine("out.zarr"), "--chunks", "2,2");
        Assert.Contains("/one: --chunks 2,2 has 2 dimensions but the data has 1", result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_temp.Combine("out.zarr")));
    }

    [Fact]
    public async Task CopyIntoAndOutOfAZipFile()
    {
        await SourceAsync("src.zarr");
        var zip = _temp.Combine("out.zip");
        await Cli.RunExpectingAsync(0, "copy", _temp.Combine("src.zarr"), zip + "/arrays/x", "--chunks", "50,60");
        await Cli.RunExpectingAsync(0, "copy", zip + "/arrays/x", _temp.Combine("back.zarr"), "--chunks", "10,20");
        Assert.Equal(
            (await ReadAllAsync(_temp.Combine("src.zarr"))).Select(BitConverter.DoubleToInt64Bits),
            (await ReadAllAsync(_temp.Combine("back.zarr"))).Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public async Task DestinationRulesAndErrors()
    {
        await SourceAsync("src.zarr");
        var src = _temp.Combine("src.zarr");
        var dst = _temp.Combine("dst.zarr");
        await Cli.RunExpectingAsync(0, "copy", src, dst);
        Assert.Contains("use --overwrite", (await Cli.RunExpectingAsync(1, "copy", src, dst)).Stderr, StringComparison.Ordinal);
        await Cli.RunExpectingAsync(0, "copy", src, dst, "--overwrite", "--chunks", "100,60");
        Assert.Single(Directory.GetDirectories(Path.Combine(dst, "c")));

        Assert.Contains("same path", (await Cli.RunExpectingAsync(2, "copy", src, src + "/")).Stderr, StringComparison.Ordinal);
        Assert.Contains("no array or group", (await Cli.RunExpectingAsync(1, "copy", _temp.Combine("none"), _temp.Combine("x"))).Stderr, StringComparison.Ordinal);
        Assert.Contains("--chunks 5 has 1 dimensions", (await Cli.RunExpectingAsync(2, "copy", src, _temp.Combine("y"), "--chunks", "5")).Stderr, StringComparison.Ordinal);
        Assert.Contains("--fill", (await Cli.RunExpectingAsync(2, "copy", src, _temp.Combine("y"), "--fill", "true")).Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_temp.Combine("y")));

        // A corrupt chunk fails the copy with one line naming the chunk, and leaves no half-written copy behind.
        File.WriteAllBytes(Path.Combine(src, "c", "3", "1"), [1, 2, 3, 4, 5]);
        var failed = await Cli.RunExpectingAsync(1, "copy", src, _temp.Combine("z"));
        Assert.Contains("c/3/1", failed.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_temp.Combine("z")));
        Directory.CreateDirectory(_temp.Combine("empty"));
        await Cli.RunExpectingAsync(1, "copy", src, _temp.Combine("empty"));
        Assert.Empty(Directory.GetFileSystemEntries(_temp.Combine("empty")));
    }
}
