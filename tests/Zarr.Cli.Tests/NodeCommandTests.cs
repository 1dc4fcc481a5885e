using System.Text.Json.Nodes;
using Zarr.Storage;
using Zarr.Storage.Codecs;

namespace Zarr.Cli.Tests;

/// <summary><c>create</c>, <c>resize</c>, <c>attrs</c> and <c>tree</c> on real arrays in temporary folders.</summary>
public sealed class NodeCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task CreateMakesAnEmptyArrayWithTheOptions()
    {
        var path = _temp.Combine("c.zarr");
        var result = await Cli.RunExpectingAsync(0, "create", path, "--shape", "100,50", "--dtype", "<f8", "--chunks", "10,10",
            "--codec", "zstd:3", "--codec", "crc32c", "--fill", "\"NaN\"", "--attr", "units=K", "--attr", "scale=2", "--dimension-names", "y,x");
        Assert.Equal("", result.Stdout);

        var array = (await ZarrArray.OpenAsync(new DirectoryStore(path))).As<double>();
        Assert.Equal([100L, 50L], array.Shape.ToArray());
        Assert.Equal([10, 10], array.Chunks.ToArray());
        Assert.Equal(ZarrDataType.Float64, array.DataType);
        Assert.True(double.IsNaN(await array.GetValueAsync([3, 4])));
        Assert.Equal("""{"units":"K","scale":2}""", array.Attributes.ToJsonString());
        Assert.Equal(["y", "x"], array.Metadata.DimensionNames!);
        var doc = JsonNode.Parse(File.ReadAllText(Path.Combine(path, "zarr.json")))!;
        Assert.Equal("""[{"name":"bytes","configuration":{"endian":"little"}},{"name":"zstd","configuration":{"level":3,"checksum":false}},{"name":"crc32c"}]""", doc["codecs"]!.ToJsonString());
        Assert.Equal("NaN", (string)doc["fill_value"]!);
        Assert.Equal(["zarr.json"], Directory.GetFileSystemEntries(path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task CreateV2BigEndianAndSharded()
    {
        var v2 = _temp.Combine("v2.zarr");
        await Cli.RunExpectingAsync(0, "create", v2, "--shape", "7", "--dtype", ">i2", "--format", "2", "--codec", "zlib:4");
        var zarray = JsonNode.Parse(File.ReadAllText(Path.Combine(v2, ".zarray")))!;
        Assert.Equal(">i2", (string)zarray["dtype"]!);
        Assert.Equal("""{"id":"zlib","level":4}""", zarray["compressor"]!.ToJsonString());

        var sharded = _temp.Combine("s.zarr");
        await Cli.RunExpectingAsync(0, "create", sharded, "--shape", "40,40", "--dtype", "uint8", "--chunks", "5,5", "--shards", "20,20");
        var info = (await Cli.RunExpectingAsync(0, "info", sharded, "--json")).Json;
        Assert.Equal("[5,5]", info["chunks"]!.ToJsonString());
        Assert.Equal("[20,20]", info["shards"]!.ToJsonString());
        Assert.Equal("sharding_indexed", (string)info["codecs"]![0]!["name"]!);
        Assert.Equal(4, (long)info["chunks_total"]!);
    }

    [Theory]
    [InlineData(new[] { "--shape", "10", "--dtype", "nope" }, "--dtype 'nope'")]
    [InlineData(new[] { "--shape", "10,x", "--dtype", "int8" }, "--shape '10,x'")]
    [InlineData(new[] { "--shape", "10", "--dtype", "int8", "--chunks", "2,2" }, "--chunks 2,2 has 2 dimensions")]
    [InlineData(new[] { "--shape", "10", "--dtype", "int8", "--shards", "4", "--format", "2" }, "--shards needs --format 3")]
    [InlineData(new[] { "--shape", "10", "--dtype", "int8", "--shards", "5", "--chunks", "2" }, "multiple of --chunks")]
    [InlineData(new[] { "--shape", "10", "--dtype", "int8", "--fill", "1.5" }, "--fill 1.5")]
    [InlineData(new[] { "--shape", "10", "--dtype", "int8", "--codec", "crc32c", "--format", "2" }, "crc32c")]
    [InlineData(new[] { "--dtype", "int8" }, "--shape")]
    public async Task CreateUsageErrorsExitTwo(string[] options, string fragment)
    {
        var path = _temp.Combine("bad.zarr");
        var result = await Cli.RunExpectingAsync(2, ["create", path, .. options]);
        Assert.Contains(fragment, result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(path));
    }

    [Fact]
    public async Task CreateRefusesAnExistingArrayUnlessOverwrite()
    {
        var path = _temp.Combine("c.zarr");
        await Cli.RunExpectingAsync(0, "create", path, "--shape", "4", "--dtype", "int32");
        var refused = await Cli.RunExpectingAsync(1, "create", path, "--shape", "4", "--dtype", "int32");
        Assert.Contains("already holds a Zarr array", refused.Stderr, StringComparison.Ordinal);
        await Cli.RunExpectingAsync(0, "create", path, "--shape", "9", "--dtype", "int8", "--overwrite");
        var replaced = await ZarrArray.OpenAsync(new DirectoryStore(path));
        Assert.Equal(new long[] { 9 }, replaced.Shape);
    }

    [Fact]
    public async Task CreateInsideAZipFile()
    {
        var zip = _temp.Combine("data.zip");
        await Cli.RunExpectingAsync(0, "create", zip + "/g/a", "--shape", "3,3", "--dtype", "float32");
        var info = (await Cli.RunExpectingAsync(0, "info", zip + "/g/a", "--json")).Json;
        Assert.Equal("[3,3]", info["shape"]!.ToJsonString());
    }

    [Fact]
    public async Task ResizeGrowsAndShrinksKeepingTheDataInside()
    {
        var path = _temp.Combine("r.zarr");
        var array = await ZarrArray.CreateAsync<int>(new DirectoryStore(path), "", [10, 10], new ArrayOptions { Chunks = [4, 4] });
        await array.WriteAsync([Slice.All, Slice.All], Enumerable.Range(0, 100).ToArray());

        Assert.Equal("", (await Cli.RunExpectingAsync(0, "resize", path, "--shape", "6,12")).Stdout);
        var resized = (await ZarrArray.OpenAsync(new DirectoryStore(path))).As<int>();
        Assert.Equal([6L, 12L], resized.Shape.ToArray());
        Assert.Equal(59, await resized.GetValueAsync([5, 9]));
        Assert.Equal(0, await resized.GetValueAsync([5, 11]));
        Assert.False(File.Exists(Path.Combine(path, "c", "2", "0")));

        await Cli.RunExpectingAsync(0, "resize", path, "--shape", "10,12");
        resized = (await ZarrArray.OpenAsync(new DirectoryStore(path))).As<int>();
        Assert.Equal(0, await resized.GetValueAsync([9, 0]));
    }

    [Fact]
    public async Task ResizeErrors()
    {
        var path = _temp.Combine("r.zarr");
        await Cli.RunExpectingAsync(0, "create", path, "--shape", "4,4", "--dtype", "int32");
        Assert.Contains("has 1 dimensions but", (await Cli.RunExpectingAsync(2, "resize", path, "--shape", "4")).Stderr, StringComparison.Ordinal);
        Assert.Contains("--shape", (await Cli.RunExpectingAsync(2, "resize", path, "--shape", "-1,4")).Stderr, StringComparison.Ordinal);
        Assert.Contains("no array or group", (await Cli.RunExpectingAsync(1, "resize", _temp.Combine("nothing"), "--shape", "4")).Stderr, StringComparison.Ordinal);
        await ZarrGroup.CreateAsync(new DirectoryStore(_temp.Combine("g")));
        Assert.Contains("is a group", (await Cli.RunExpectingAsync(1, "resize", _temp.Combine("g"), "--shape", "4")).Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ZarrFormat.V2)]
    [InlineData(ZarrFormat.V3)]
    public async Task AttrsShowsSetsAndDeletes(ZarrFormat format)
    {
        var path = _temp.Combine("a.zarr");
        await ZarrArray.CreateAsync<byte>(new DirectoryStore(path), "", [2], new ArrayOptions { Format = format, Attributes = new JsonObject { ["title"] = "t", ["n"] = 1 } });

        var shown = await Cli.RunExpectingAsync(0, "attrs", path, "--json");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"title":"t","n":1}"""), shown.Json));

        var changed = await Cli.RunExpectingAsync(0, "attrs", path, "--set", "n=[1,2]", "--set", "units=kelvin", "--set", "flag=true", "--set", "quoted=\"5\"", "--delete", "title");
        var expected = JsonNode.Parse("""{"n":[1,2],"units":"kelvin","flag":true,"quoted":"5"}""");
        Assert.True(JsonNode.DeepEquals(expected, changed.Json), changed.Stdout);
        var array = await ZarrArray.OpenAsync(new DirectoryStore(path));
        Assert.True(JsonNode.DeepEquals(expected, array.Attributes.ToJsonObject()));
        if (format == ZarrFormat.V2)
        {
            Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(File.ReadAllText(Path.Combine(path, ".zattrs")))));
        }
    }

    [Fact]
    public async Task AttrsOfAGroupAndErrors()
    {
        var path = _temp.Combine("g.zarr");
        await ZarrGroup.CreateAsync(new DirectoryStore(path), "", ZarrFormat.V3, new JsonObject { ["a"] = 1 });
        Assert.Equal("{\n  \"a\": 1,\n  \"b\": \"x\"\n}\n", (await Cli.RunExpectingAsync(0, "attrs", path, "--set", "b=x")).Stdout.ReplaceLineEndings("\n"));
        Assert.Contains("no attribute 'zzz'", (await Cli.RunExpectingAsync(1, "attrs", path, "--delete", "zzz")).Stderr, StringComparison.Ordinal);
        Assert.Equal("""{"a":1,"b":"x"}""", (await ZarrGroup.OpenAsync(new DirectoryStore(path))).Attributes.ToJsonString());
        Assert.Contains("expected key=VALUE", (await Cli.RunExpectingAsync(2, "attrs", path, "--set", "novalue")).Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TreeShowsTheHierarchy()
    {
        var path = _temp.Combine("t.zarr");
        var store = new DirectoryStore(path);
        var root = await ZarrGroup.CreateAsync(store, "", ZarrFormat.V3, new JsonObject { ["title"] = "root" });
        var a = await root.CreateGroupAsync("a");
        var x = await a.CreateArrayAsync<float>("x", [30], new ArrayOptions { Chunks = [10] });
        await x.WriteAsync([Slice.All], Enumerable.Range(0, 30).Select(i => (float)i).ToArray());
        await root.CreateArrayAsync<int>("y", [4, 6], new ArrayOptions { Chunks = [2, 3], Shards = [4, 6] });
        await root.CreateGroupAsync("z");

        var text = (await Cli.RunExpectingAsync(0, "tree", path)).Stdout.ReplaceLineEndings("\n");
        var lines = text.TrimEnd('\n').Split('\n');
        Assert.Equal("/ (group, zarr v3)", lines[0]);
        Assert.Equal("├── a/", lines[1]);
        Assert.StartsWith("│   └── x (30,) float32 chunks=(10,) nbytes 120 stored ", lines[2], StringComparison.Ordinal);
        Assert.EndsWith(" initialized 3/3", lines[2], StringComparison.Ordinal);
        Assert.StartsWith("├── y (4, 6) int32 chunks=(2, 3) shards=(4, 6) nbytes 96 stored ", lines[3], StringComparison.Ordinal);
        Assert.EndsWith(" initialized 0/1", lines[3], StringComparison.Ordinal);
        Assert.Equal("└── z/", lines[4]);
        Assert.Equal(5, lines.Length);

        var json = (await Cli.RunExpectingAsync(0, "tree", path, "--json")).Json;
        Assert.Equal("group", (string)json["node_type"]!);
        Assert.Equal("root", (string)json["attributes"]!["title"]!);
        var members = json["members"]!.AsObject();
        Assert.Equal(["a", "y", "z"], members.Select(m => m.Key));
        var xJson = members["a"]!["members"]!["x"]!.AsObject();
        var info = (await Cli.RunExpectingAsync(0, "info", Path.Combine(path, "a", "x"), "--json")).Json;
        foreach (var field in new[] { "shape", "data_type", "chunks", "shards", "codecs", "fill_value", "nbytes", "nbytes_stored", "chunks_initialized" })
        {
            Assert.True(JsonNode.DeepEquals(info[field], xJson[field]), field);
        }

        Assert.Equal("a/x", (string)xJson["path"]!);
        Assert.Equal("[4,6]", members["y"]!["shards"]!.ToJsonString());
        Assert.Empty(members["z"]!["members"]!.AsObject());
    }

    [Fact]
    public async Task TreeOfAnArrayIsOneLineAndOfNothingFails()
    {
        var path = _temp.Combine("arr.zarr");
        await Cli.RunExpectingAsync(0, "create", path, "--shape", "5", "--dtype", "bool", "--format", "2");
        Assert.StartsWith("arr.zarr (5,) bool chunks=(5,) nbytes 5 stored ", (await Cli.RunExpectingAsync(0, "tree", path)).Stdout, StringComparison.Ordinal);
        Assert.Contains("no array or group", (await Cli.RunExpectingAsync(1, "tree", _temp.Combine("none"))).Stderr, StringComparison.Ordinal);
    }
}
