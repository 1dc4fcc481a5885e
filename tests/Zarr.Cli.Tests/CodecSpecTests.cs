using System.Text.Json.Nodes;

namespace Zarr.Cli.Tests;

public sealed class CodecSpecTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private const string Bytes = """{"name":"bytes","configuration":{"endian":"little"}}""";

    [Theory]
    [InlineData(new[] { "blosc" }, $$$"""[{{{Bytes}}},{"name":"blosc","configuration":{"typesize":4,"cname":"lz4","clevel":5,"shuffle":"shuffle","blocksize":0}}]""")]
    [InlineData(new[] { "blosc:zstd" }, $$$"""[{{{Bytes}}},{"name":"blosc","configuration":{"typesize":4,"cname":"zstd","clevel":5,"shuffle":"shuffle","blocksize":0}}]""")]
    [InlineData(new[] { "blosc:blosclz:9:bitshuffle:4096" }, $$$"""[{{{Bytes}}},{"name":"blosc","configuration":{"typesize":4,"cname":"blosclz","clevel":9,"shuffle":"bitshuffle","blocksize":4096}}]""")]
    [InlineData(new[] { "blosc:lz4hc:0:noshuffle" }, $$$"""[{{{Bytes}}},{"name":"blosc","configuration":{"typesize":4,"cname":"lz4hc","clevel":0,"shuffle":"noshuffle","blocksize":0}}]""")]
    [InlineData(new[] { "blosc:zlib:1" }, $$$"""[{{{Bytes}}},{"name":"blosc","configuration":{"typesize":4,"cname":"zlib","clevel":1,"shuffle":"shuffle","blocksize":0}}]""")]
    [InlineData(new[] { "zstd" }, $$$"""[{{{Bytes}}},{"name":"zstd","configuration":{"level":1,"checksum":false}}]""")]
    [InlineData(new[] { "zstd:-5" }, $$$"""[{{{Bytes}}},{"name":"zstd","configuration":{"level":-5,"checksum":false}}]""")]
    [InlineData(new[] { "gzip" }, $$$"""[{{{Bytes}}},{"name":"gzip","configuration":{"level":1}}]""")]
    [InlineData(new[] { "gzip:9" }, $$$"""[{{{Bytes}}},{"name":"gzip","configuration":{"level":9}}]""")]
    [InlineData(new[] { "crc32c" }, $$$"""[{{{Bytes}}},{"name":"crc32c"}]""")]
    [InlineData(new[] { "zstd:3", "crc32c" }, $$$"""[{{{Bytes}}},{"name":"zstd","configuration":{"level":3,"checksum":false}},{"name":"crc32c"}]""")]
    [InlineData(new[] { "none" }, $$$"""[{{{Bytes}}}]""")]
    public async Task V3SpecsBecomeTheCodecChain(string[] specs, string codecs)
    {
        var json = await ImportAndInfoAsync("3", specs);
        Assert.Equal(codecs, json["codecs"]!.ToJsonString());
    }

    [Theory]
    [InlineData(new[] { "blosc" }, """{"blocksize":0,"clevel":5,"cname":"lz4","id":"blosc","shuffle":1}""")]
    [InlineData(new[] { "blosc:lz4hc:3:noshuffle" }, """{"blocksize":0,"clevel":3,"cname":"lz4hc","id":"blosc","shuffle":0}""")]
    [InlineData(new[] { "zstd" }, """{"id":"zstd","level":1}""")]
    [InlineData(new[] { "zstd:7" }, """{"id":"zstd","level":7}""")]
    [InlineData(new[] { "gzip" }, """{"id":"gzip","level":1}""")]
    [InlineData(new[] { "zlib" }, """{"id":"zlib","level":1}""")]
    [InlineData(new[] { "zlib:9" }, """{"id":"zlib","level":9}""")]
    [InlineData(new[] { "lz4" }, """{"acceleration":1,"id":"lz4"}""")]
    [InlineData(new[] { "lz4:10" }, """{"acceleration":10,"id":"lz4"}""")]
    [InlineData(new[] { "none" }, "null")]
    public async Task V2SpecsBecomeTheCompressor(string[] specs, string compressor)
    {
        var json = await ImportAndInfoAsync("2", specs);
        Assert.Equal(compressor, json["codecs"]?.ToJsonString() ?? "null");
    }

    [Fact]
    public async Task TheDefaultIsBloscLz4FiveShuffle()
    {
        var json = await ImportAndInfoAsync("3", []);
        Assert.Equal(
            $$$"""[{{{Bytes}}},{"name":"blosc","configuration":{"typesize":4,"cname":"lz4","clevel":5,"shuffle":"shuffle","blocksize":0}}]""",
            json["codecs"]!.ToJsonString());
    }

    [Theory]
    [InlineData("3", "")]
    [InlineData("3", "foo")]
    [InlineData("3", "Blosc")]
    [InlineData("3", "blosc:snappy")]
    [InlineData("3", "blosc::5")]
    [InlineData("3", "blosc:lz4:10")]
    [InlineData("3", "blosc:lz4:-1")]
    [InlineData("3", "blosc:lz4:5:byteshuffle")]
    [InlineData("3", "blosc:lz4:5:shuffle:-1")]
    [InlineData("3", "blosc:lz4:5:shuffle:0:extra")]
    [InlineData("3", "zstd:x")]
    [InlineData("3", "zstd:23")]
    [InlineData("3", "zstd:1:2")]
    [InlineData("3", "gzip:10")]
    [InlineData("3", "gzip:-1")]
    [InlineData("2", "zlib:10")]
    [InlineData("2", "lz4:0")]
    [InlineData("2", "bz2:0")]
    [InlineData("2", "bz2:10")]
    [InlineData("3", "crc32c:1")]
    [InlineData("3", "none:1")]
    [InlineData("3", "zstd:")]
    public async Task GrammarErrorsAreUsageErrors(string format, string spec)
    {
        var result = await ImportExpectingAsync(2, format, spec);
        Assert.Contains("--codec", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("3", new[] { "zlib" }, "zlib is a v2 (numcodecs) compressor; Zarr v3 cannot hold it")]
    [InlineData("3", new[] { "lz4" }, "lz4 is a v2 (numcodecs) compressor; Zarr v3 cannot hold it")]
    [InlineData("3", new[] { "bz2" }, "bz2 is a v2 (numcodecs) compressor; Zarr v3 cannot hold it")]
    [InlineData("2", new[] { "crc32c" }, "crc32c is v3 only; Zarr v2 cannot hold it")]
    [InlineData("2", new[] { "zstd", "gzip" }, "Zarr v2 takes one compressor")]
    [InlineData("3", new[] { "none", "crc32c" }, "--codec none means no compressor")]
    public async Task SpecsTheFormatCannotHoldAreUsageErrors(string format, string[] specs, string message)
    {
        var result = await ImportExpectingAsync(2, format, specs);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bz2", 1)]
    [InlineData("bz2:9", 9)]
    public async Task Bz2ImportsAsAV2Compressor(string spec, int level)
    {
        await ImportExpectingAsync(0, "2", spec);
        var zarray = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(_temp.Combine("a.zarr", ".zarray")))!;
        Assert.Equal("bz2", (string?)zarray["compressor"]!["id"]);
        Assert.Equal(level, (int?)zarray["compressor"]!["level"]);
    }

    [Fact]
    public async Task ShardsAreV3Only()
    {
        await WriteInputAsync();
        await Cli.RunExpectingAsync(0, "import", _temp.Combine("in.npy"), _temp.Combine("s.zarr"), "--shards", "10,10", "--chunks", "5,5");
        await Cli.RunExpectingAsync(0, "export", _temp.Combine("s.zarr"), _temp.Combine("out.npy"));
        Assert.Equal(await File.ReadAllBytesAsync(_temp.Combine("in.npy")), await File.ReadAllBytesAsync(_temp.Combine("out.npy")));
        Assert.Equal("[10,10]", (await Cli.RunExpectingAsync(0, "info", _temp.Combine("s.zarr"), "--json")).Json["shards"]!.ToJsonString());

        var result = await Cli.RunExpectingAsync(2, "import", _temp.Combine("in.npy"), _temp.Combine("a.zarr"), "--shards", "10,10", "--format", "2");
        Assert.Contains("--format 3", result.Stderr, StringComparison.Ordinal);

        await Cli.RunExpectingAsync(2, "import", _temp.Combine("in.npy"), _temp.Combine("a.zarr"), "--shards", "10,x");
        Assert.False(Directory.Exists(_temp.Combine("a.zarr")));
    }

    [Theory]
    [InlineData("blosc", true, true)]
    [InlineData("zstd", true, true)]
    [InlineData("gzip", true, true)]
    [InlineData("zlib", true, false)]
    [InlineData("lz4", true, false)]
    [InlineData("bz2", true, false)]
    [InlineData("crc32c", false, true)]
    [InlineData("none", true, true)]
    public void The_formats_a_codec_fits_come_from_the_codec_registry(string spec, bool v2, bool v3)
    {
        var parsed = CodecSpec.Parse(spec);
        Assert.Equal(v2, parsed.FitsFormat(Zarr.Storage.ZarrFormat.V2));
        Assert.Equal(v3, parsed.FitsFormat(Zarr.Storage.ZarrFormat.V3));
        var registry = Zarr.Storage.Codecs.CodecRegistry.Default;
        Assert.Equal(v2 && !parsed.IsNone, registry.TryGetDescriptor(spec, out var v3Codec) ? v3Codec.V2Id is not null : Zarr.Storage.Codecs.CodecRegistry.V2Ids.Contains(spec));
    }

    [Fact]
    public void The_help_lists_every_form_of_the_grammar()
    {
        Assert.Equal("none | blosc[:CNAME[:CLEVEL[:SHUFFLE[:BLOCKSIZE]]]] | zstd[:LEVEL] | gzip[:LEVEL] | zlib[:LEVEL] | lz4[:ACCELERATION] | bz2[:LEVEL] | crc32c", CodecSpec.Grammar);
        var ex = Assert.Throws<UsageException>(() => CodecSpec.Parse("snappy"));
        Assert.Contains("(none, blosc, zstd, gzip, zlib, lz4, bz2, crc32c)", ex.Message, StringComparison.Ordinal);
    }

    private async Task<JsonObject> ImportAndInfoAsync(string format, string[] specs)
    {
        await WriteInputAsync();
        var args = new List<string> { "import", _temp.Combine("in.npy"), _temp.Combine("a.zarr"), "--format", format, "--chunks", "4,5" };
        foreach (var spec in specs)
        {
            args.AddRange(["--codec", spec]);
        }

        await Cli.RunExpectingAsync(0, [.. args]);
        // The data survives the codec.
        await Cli.RunExpectingAsync(0, "export", _temp.Combine("a.zarr"), _temp.Combine("out.npy"));
        Assert.Equal(await File.ReadAllBytesAsync(_temp.Combine("in.npy")), await File.ReadAllBytesAsync(_temp.Combine("out.npy")));
        return (await Cli.RunExpectingAsync(0, "info", _temp.Combine("a.zarr"), "--json")).Json;
    }

    private async Task<CliResult> ImportExpectingAsync(int exitCode, string format, params string[] specs)
    {
        await WriteInputAsync();
        var args = new List<string> { "import", _temp.Combine("in.npy"), _temp.Combine("a.zarr"), "--format", format };
        foreach (var spec in specs)
        {
            args.AddRange(["--codec", spec]);
        }

        var result = await Cli.RunExpectingAsync(exitCode, [.. args]);
        if (exitCode != 0)
        {
            Assert.False(Directory.Exists(_temp.Combine("a.zarr")));
        }

        return result;
    }

    private Task WriteInputAsync() =>
        File.Exists(_temp.Combine("in.npy"))
            ? Task.CompletedTask
            : Python.RunAsync(_temp.Path, "np.save('in.npy', (np.arange(200, dtype='<i4') % 17).reshape(10, 20))");
}
