using System.Text.Json.Nodes;
using Zarr.Storage;
using Zarr.Storage.Codecs;

namespace Zarr.Cli.Tests;

public sealed class InfoCommandTests : IDisposable
{
    private static readonly string[] ArrayFields =
    [
        "zarr_format", "node_type", "shape", "data_type", "chunks", "shards", "codecs", "fill_value", "dimension_names",
        "attributes", "nbytes", "nbytes_stored", "ratio", "chunks_initialized", "chunks_total", "store", "path",
    ];

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task V3ArrayJsonHasEveryFieldWithItsValue()
    {
        var path = _temp.Combine("v3.zarr");
        var array = await ZarrArray.CreateAsync(new DirectoryStore(path), "", ZarrDataType.Int32, [10, 20], new ArrayOptions
        {
            Chunks = [5, 10],
            Compressors = [new ZstdCodec(3)],
            FillValue = 7,
            Attributes = new JsonObject { ["title"] = "demo" },
            DimensionNames = ["y", "x"],
        });
        await array.WriteBytesAsync([Slice.Range(0, 5), Slice.Range(0, 10)], new byte[5 * 10 * 4]);

        var json = (await Cli.RunExpectingAsync(0, "info", path, "--json")).Json;

        Assert.Equal(ArrayFields, json.Select(kv => kv.Key));
        Assert.Equal(3, (int)json["zarr_format"]!);
        Assert.Equal("array", (string)json["node_type"]!);
        Assert.Equal("[10,20]", json["shape"]!.ToJsonString());
        Assert.Equal("int32", (string)json["data_type"]!);
        Assert.Equal("[5,10]", json["chunks"]!.ToJsonString());
        Assert.Null(json["shards"]);
        var zarrJson = JsonNode.Parse(File.ReadAllText(Path.Combine(path, "zarr.json")))!;
        Assert.True(JsonNode.DeepEquals(zarrJson["codecs"], json["codecs"]));
        Assert.Equal(
            """[{"name":"bytes","configuration":{"endian":"little"}},{"name":"zstd","configuration":{"level":3,"checksum":false}}]""",
            json["codecs"]!.ToJsonString());
        Assert.Equal(7, (int)json["fill_value"]!);
        Assert.Equal("""["y","x"]""", json["dimension_names"]!.ToJsonString());
        Assert.Equal("""{"title":"demo"}""", json["attributes"]!.ToJsonString());
        Assert.Equal(800, (long)json["nbytes"]!);
        var stored = new FileInfo(Path.Combine(path, "zarr.json")).Length + new FileInfo(Path.Combine(path, "c", "0", "0")).Length;
        Assert.Equal(stored, (long)json["nbytes_stored"]!);
        Assert.Equal(800.0 / stored, (double)json["ratio"]!, 12);
        Assert.Equal(1, (long)json["chunks_initialized"]!);
        Assert.Equal(4, (long)json["chunks_total"]!);
        Assert.Equal($"DirectoryStore({path})", (string)json["store"]!);
        Assert.Equal("", (string)json["path"]!);
    }

    [Fact]
    public async Task V2ArrayJsonShowsTheV2Representation()
    {
        var path = _temp.Combine("v2.zarr");
        var array = await ZarrArray.CreateAsync(new DirectoryStore(path), "", ZarrDataType.Float64, [4, 6], new ArrayOptions
        {
            Format = ZarrFormat.V2,
            Chunks = [2, 3],
            Compressors = [new BloscCodec(BloscCompressor.Zstd, 3, BloscShuffle.BitShuffle, 8, 0)],
            FillValue = "NaN",
        });
        await array.WriteBytesAsync([Slice.Range(0, 4), Slice.Range(0, 3)], new byte[4 * 3 * 8]);

        var json = (await Cli.RunExpectingAsync(0, "info", path, "--json")).Json;

        Assert.Equal(ArrayFields, json.Select(kv => kv.Key));
        Assert.Equal(2, (int)json["zarr_format"]!);
        Assert.Equal("<f8", (string)json["data_type"]!);
        Assert.Equal("""{"blocksize":0,"clevel":3,"cname":"zstd","id":"blosc","shuffle":2}""", json["codecs"]!.ToJsonString());
        var zarray = JsonNode.Parse(File.ReadAllText(Path.Combine(path, ".zarray")))!;
        Assert.True(JsonNode.DeepEquals(zarray["compressor"], json["codecs"]));
        Assert.Equal("NaN", (string)json["fill_value"]!);
        Assert.Null(json["dimension_names"]);
        Assert.Null(json["shards"]);
        Assert.Equal("{}", json["attributes"]!.ToJsonString());
        Assert.Equal(2, (long)json["chunks_initialized"]!);
        Assert.Equal(4, (long)json["chunks_total"]!);
        Assert.Equal(192, (long)json["nbytes"]!);
        var stored = Directory.GetFiles(path).Sum(f => new FileInfo(f).Length);
        Assert.Equal(stored, (long)json["nbytes_stored"]!);
    }

    [Fact]
    public async Task ZarrPythonV2ArrayIsShownAsItsMetadataSays()
    {
        await Python.RunAsync(_temp.Path, """
            import zarr
            z = zarr.open('zp.zarr', mode='w', shape=(4, 4), chunks=(2, 2), dtype='>i2', fill_value=-1)
            z[:2, :] = 3
            z.attrs['units'] = 'm'
            """);

        var json = (await Cli.RunExpectingAsync(0, "info", _temp.Combine("zp.zarr"), "--json")).Json;

        Assert.Equal(">i2", (string)json["data_type"]!);
        Assert.Equal(-1, (int)json["fill_value"]!);
        Assert.Equal("""{"units":"m"}""", json["attributes"]!.ToJsonString());
        Assert.Equal("blosc", (string)json["codecs"]!["id"]!);
        Assert.Equal(2, (long)json["chunks_initialized"]!);
    }

    [Fact]
    public async Task ArrayTextIsTheLibrarySummary()
    {
        var path = _temp.Combine("t.zarr");
        var array = await ZarrArray.CreateAsync(new DirectoryStore(path), "", ZarrDataType.Int16, [100], new ArrayOptions { Chunks = [10] });
        await array.WriteBytesAsync([Slice.Range(0, 100)], new byte[200]);
        var expected = (await (await ZarrArray.OpenAsync(new DirectoryStore(path))).GetInfoAsync()).ToString();

        var result = await Cli.RunExpectingAsync(0, "info", path);

        // The default compressor is blosc: one more line says which blosc reads the chunks.
        Assert.Equal(expected + "\n  blosc: " + BloscRuntime.Description + Environment.NewLine, result.Stdout);
        Assert.StartsWith("ZarrArray (100) int16, chunks=(10), zarr v3", result.Stdout, StringComparison.Ordinal);
        Assert.Empty(result.Stderr);
    }

    [Theory]
    [InlineData(ZarrFormat.V3)]
    [InlineData(ZarrFormat.V2)]
    public async Task GroupJsonListsMembers(ZarrFormat format)
    {
        var path = _temp.Combine("g.zarr");
        var group = await ZarrGroup.CreateAsync(new DirectoryStore(path), "", format, new JsonObject { ["about"] = "a group" });
        await group.CreateArrayAsync<float>("temperature", [10, 10]);
        await group.CreateGroupAsync("sub");

        var json = (await Cli.RunExpectingAsync(0, "info", path, "--json")).Json;

        Assert.Equal(["zarr_format", "node_type", "attributes", "members"], json.Select(kv => kv.Key));
        Assert.Equal((int)format, (int)json["zarr_format"]!);
        Assert.Equal("group", (string)json["node_type"]!);
        Assert.Equal("""{"about":"a group"}""", json["attributes"]!.ToJsonString());
        Assert.Equal("""{"sub":"group","temperature":"array"}""", json["members"]!.ToJsonString());
    }

    [Fact]
    public async Task GroupTextListsMembersWithShapes()
    {
        var path = _temp.Combine("g.zarr");
        var group = await ZarrGroup.CreateAsync(new DirectoryStore(path));
        await group.CreateArrayAsync<double>("temperature", [10, 20], new ArrayOptions { Chunks = [5, 5] });
        await group.CreateGroupAsync("sub");

        var result = await Cli.RunExpectingAsync(0, "info", path);

        Assert.Equal(
            $"""
            ZarrGroup '/' zarr v3; store: DirectoryStore({path})
              members: 2
                sub/         group, zarr v3
                temperature  array (10, 20) float64, chunks=(5, 5), zarr v3

            """.ReplaceLineEndings(Environment.NewLine),
            result.Stdout);
    }

    [Fact]
    public async Task InfoOfANestedNodeOpensItsFolderAsTheRoot()
    {
        var root = _temp.Combine("h.zarr");
        var group = await ZarrGroup.CreateAsync(new DirectoryStore(root));
        var sub = await group.CreateGroupAsync("sub");
        await sub.CreateArrayAsync<int>("a", [3]);

        var json = (await Cli.RunExpectingAsync(0, "info", Path.Combine(root, "sub", "a"), "--json")).Json;

        Assert.Equal("[3]", json["shape"]!.ToJsonString());
    }

    [Fact]
    public async Task NothingThereFailsWithOneLine()
    {
        var missing = _temp.Combine("missing.zarr");
        var result = await Cli.RunExpectingAsync(1, "info", missing);
        Assert.Equal($"zarr: no array or group at {missing}", result.Stderr.TrimEnd());
        Assert.Empty(result.Stdout);

        Directory.CreateDirectory(_temp.Combine("empty"));
        result = await Cli.RunExpectingAsync(1, "info", _temp.Combine("empty"), "--json");
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task BrokenMetadataNamesTheDocument()
    {
        var path = _temp.Combine("bad.zarr");
        Directory.CreateDirectory(path);
        await File.WriteAllTextAsync(Path.Combine(path, "zarr.json"), "{\"zarr_format\": 3, \"node_type\": \"array\", \"shape\": \"oops\"}");

        var result = await Cli.RunExpectingAsync(1, "info", path);

        Assert.Contains("zarr.json", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(path, result.Stderr, StringComparison.Ordinal);
    }

    /// <summary>info and tree name data types as numpy users know them, the same way (not the v3 extension names).</summary>
    [Theory]
    [InlineData("<M8[s]", "3", "datetime64[s]")]
    [InlineData("<m8[10ms]", "2", "timedelta64[10ms]")]
    [InlineData("<U5", "3", "<U5")]
    [InlineData("|S3", "2", "|S3")]
    [InlineData("int16", "3", "int16")]
    public async Task InfoAndTreeNameDataTypesAsNumpyDoes(string dtype, string format, string expected)
    {
        var group = _temp.Combine("g.zarr");
        Directory.CreateDirectory(group);
        await File.WriteAllTextAsync(Path.Combine(group, format == "3" ? "zarr.json" : ".zgroup"),
            format == "3" ? """{"zarr_format": 3, "node_type": "group", "attributes": {}}""" : """{"zarr_format": 2}""");
        await Cli.RunExpectingAsync(0, "create", Path.Combine(group, "a"), "--shape", "4", "--dtype", dtype, "--format", format);

        var info = (await Cli.RunExpectingAsync(0, "info", Path.Combine(group, "a"))).Stdout;
        Assert.StartsWith($"ZarrArray (4) {expected}, chunks=", info, StringComparison.Ordinal);
        var tree = (await Cli.RunExpectingAsync(0, "tree", group)).Stdout;
        Assert.Contains($"a (4,) {expected} chunks=", tree, StringComparison.Ordinal);
        var members = (await Cli.RunExpectingAsync(0, "info", group)).Stdout;
        Assert.Contains($"array (4) {expected}, chunks=", members, StringComparison.Ordinal);
    }

    /// <summary>zarr-python 2 writes NaN and Infinity bare in .zattrs; every verb shows them (as zarr's strings in JSON).</summary>
    [Fact]
    public async Task AttributesWithNaNAndInfinityWrittenByZarrPythonPrint()
    {
        var path = _temp.Combine("nan.zarr");
        Directory.CreateDirectory(path);
        await File.WriteAllTextAsync(Path.Combine(path, ".zarray"), """{"chunks": [2], "compressor": null, "dtype": "<f8", "fill_value": NaN, "filters": null, "order": "C", "shape": [4], "zarr_format": 2}""");
        await File.WriteAllTextAsync(Path.Combine(path, ".zattrs"), """{"missing": NaN, "top": Infinity, "bottom": -Infinity, "n": 1}""");

        var text = (await Cli.RunExpectingAsync(0, "info", path)).Stdout;
        Assert.StartsWith("ZarrArray (4) float64", text, StringComparison.Ordinal);
        var json = (await Cli.RunExpectingAsync(0, "info", path, "--json")).Json;
        Assert.Equal("NaN", (string)json["attributes"]!["missing"]!);
        Assert.Equal("-Infinity", (string)json["attributes"]!["bottom"]!);
        var attrs = (await Cli.RunExpectingAsync(0, "attrs", path)).Json;
        Assert.Equal("Infinity", (string)attrs["top"]!);
        Assert.Contains("nan.zarr", (await Cli.RunExpectingAsync(0, "tree", path)).Stdout, StringComparison.Ordinal);
    }
}
