using System.Globalization;
using System.Text.Json.Nodes;
using Zarr.Storage;
using Zarr.Storage.Codecs;

namespace Zarr.Cli.Tests;

/// <summary><c>stats</c> checked against numpy on the same arrays (read by zarr-python 2), and <c>verify</c> on corrupted chunks.</summary>
public sealed class StatsVerifyTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private async Task WriteArraysAsync()
    {
        var store = new DirectoryStore(_temp.Combine("data.zarr"));
        var root = await ZarrGroup.CreateAsync(store, "", ZarrFormat.V2);
        var random = new Random(42);
        var f = await root.CreateArrayAsync<double>("f8", [37, 23, 5], new ArrayOptions { Chunks = [10, 8, 5] });
        await f.WriteAsync([Slice.All, Slice.All, Slice.All], Enumerable.Range(0, 37 * 23 * 5).Select(i => i % 97 == 0 ? double.NaN : (random.NextDouble() * 1000) - 300).ToArray());
        var g = await root.CreateArrayAsync<float>("f4", [50, 40], new ArrayOptions { Chunks = [16, 16] });
        await g.WriteAsync([Slice.All, Slice.All], Enumerable.Range(0, 2000).Select(i => (float)((random.NextDouble() * 10) - 5)).ToArray());
        var i4 = await root.CreateArrayAsync<int>("i4", [61, 17], new ArrayOptions { Chunks = [7, 5] });
        await i4.WriteAsync([Slice.All, Slice.All], Enumerable.Range(0, 61 * 17).Select(_ => random.Next(int.MinValue, int.MaxValue)).ToArray());
        var u2 = await root.CreateArrayAsync<ushort>("u2", [1000], new ArrayOptions { Chunks = [64] });
        await u2.WriteAsync([Slice.All], Enumerable.Range(0, 1000).Select(_ => (ushort)random.Next(0, 65536)).ToArray());
    }

    public static TheoryData<string, string?, string?> Cases() => new()
    {
        { "f8", null, null },
        { "f8", "1", null },
        { "f8", "0,2", "3:30,::2,1:" },
        { "f8", null, "5,-10:,2" },
        { "f4", "-1", "::3,10:20" },
        { "i4", null, null },
        { "i4", "0", "10:50:4,:" },
        { "u2", null, "100:900:7" },
        { "u2", "0", null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task StatsMatchNumpy(string name, string? axis, string? region)
    {
        await WriteArraysAsync();
        // numpy's plain reductions propagate NaN: compared with --skipna false (skipping is the default, as xarray's).
        var args = new List<string> { "stats", _temp.Combine("data.zarr", name), "--json", "--skipna", "false" };
        if (axis is not null)
        {
            args.AddRange(["--axis", axis]);
        }

        if (region is not null)
        {
            args.AddRange(["--region", region]);
        }

        var ours = (await Cli.RunExpectingAsync(0, [.. args])).Json;
        Assert.Equal(["count", "sum", "mean", "std", "var", "min", "max", "nan_count"], ours.Select(kv => kv.Key));

        var index = region is null ? "..." : region;
        var axisArg = axis is null ? "None" : $"({axis},)";
        var script = $$"""
            import zarr, json, math
            a = zarr.open('data.zarr/{{name}}', 'r')[{{index}}]
            ax = {{axisArg}}
            def conv(x):
                x = np.asarray(x)
                if x.ndim:
                    return [conv(v) for v in x]
                v = x.item()
                if isinstance(v, float) and math.isnan(v): return "NaN"
                return v
            sums = a.sum(axis=ax, dtype=np.int64 if a.dtype.kind == 'i' else np.uint64 if a.dtype.kind == 'u' else np.float64)
            print(json.dumps({"count": conv(np.sum(np.ones(a.shape, dtype=np.int64), axis=ax)), "sum": conv(sums),
              "mean": conv(a.mean(axis=ax, dtype=np.float64)), "std": conv(a.std(axis=ax, dtype=np.float64)),
              "var": conv(a.var(axis=ax, dtype=np.float64)), "min": conv(a.min(axis=ax)), "max": conv(a.max(axis=ax)),
              "nan_count": conv(np.isnan(a).sum(axis=ax) if a.dtype.kind == 'f' else np.zeros(a.shape, dtype=np.int64).sum(axis=ax))}))
            """;
        var numpy = JsonNode.Parse(await Python.RunAsync(_temp.Path, script))!.AsObject();
        foreach (var (field, expected) in numpy)
        {
            AssertClose(field, expected, ours[field]);
        }
    }

    public static TheoryData<string?, string?> SkipNaNCases() => new()
    {
        { null, null },
        { "0", null },
        { "1", null },
        { "0,2", "3:30,::2,1:" },
        { "-1", "5,-10:,:" },
    };

    [Theory]
    [MemberData(nameof(SkipNaNCases))]
    public async Task StatsSkipNaNByDefaultAsNumpysNanFunctions(string? axis, string? region)
    {
        // NaN scattered, and one whole row of NaN (cells with nothing left to count along axis 1 and 2).
        var store = new DirectoryStore(_temp.Combine("nan.zarr"));
        var array = await ZarrArray.CreateAsync<double>(store, "", [21, 13, 4], new ArrayOptions { Format = ZarrFormat.V2, Chunks = [8, 5, 4] });
        var random = new Random(7);
        await array.WriteAsync([Slice.All, Slice.All, Slice.All], Enumerable.Range(0, 21 * 13 * 4).Select(i => i % 7 == 0 || i / 52 == 4 ? double.NaN : (random.NextDouble() * 100) - 30).ToArray());
        var args = new List<string> { "stats", _temp.Combine("nan.zarr"), "--json" };
        if (axis is not null)
        {
            args.AddRange(["--axis", axis]);
        }

        if (region is not null)
        {
            args.AddRange(["--region", region]);
        }

        var ours = (await Cli.RunExpectingAsync(0, [.. args])).Json;
        var explicitly = (await Cli.RunExpectingAsync(0, [.. args, "--skipna"])).Json;
        Assert.Equal(ours.ToJsonString(), explicitly.ToJsonString());
        Assert.Equal(["count", "sum", "mean", "std", "var", "min", "max", "nan_count"], ours.Select(kv => kv.Key));

        var index = region ?? "...";
        var axisArg = axis is null ? "None" : $"({axis},)";
        var script = $$"""
            import zarr, json, math, warnings
            warnings.simplefilter('ignore')
            a = zarr.open('nan.zarr', 'r')[{{index}}]
            ax = {{axisArg}}
            def conv(x):
                x = np.asarray(x)
                if x.ndim:
                    return [conv(v) for v in x]
                v = x.item()
                if isinstance(v, float) and math.isnan(v): return "NaN"
                return v
            print(json.dumps({"count": conv((~np.isnan(a)).sum(axis=ax)), "sum": conv(np.nansum(a, axis=ax)),
              "mean": conv(np.nanmean(a, axis=ax)), "std": conv(np.nanstd(a, axis=ax)), "var": conv(np.nanvar(a, axis=ax)),
              "min": conv(np.nanmin(a, axis=ax)), "max": conv(np.nanmax(a, axis=ax)), "nan_count": conv(np.isnan(a).sum(axis=ax))}))
            """;
        var numpy = JsonNode.Parse(await Python.RunAsync(_temp.Path, script))!.AsObject();
        foreach (var (field, expected) in numpy)
        {
            AssertClose(field, expected, ours[field]);
        }

        // The text output and the help say what the counts count.
        var lines = (await Cli.RunExpectingAsync(0, "stats", _temp.Combine("nan.zarr"))).Stdout.ReplaceLineEndings("\n").Split('\n');
        Assert.Contains(lines, l => l.StartsWith("count ", StringComparison.Ordinal) && l.Contains("(elements counted into the statistics, NaNs skipped)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("nan_count ", StringComparison.Ordinal) && l.Contains("(NaNs seen)", StringComparison.Ordinal));
        var help = string.Join(' ', (await Cli.RunExpectingAsync(0, "stats", "--help")).Stdout.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("count = elements counted into the statistics, nan_count = NaNs seen", help, StringComparison.Ordinal);
    }

    private static void AssertClose(string field, JsonNode? expected, JsonNode? actual)
    {
        if (expected is JsonArray e)
        {
            var a = Assert.IsType<JsonArray>(actual);
            Assert.Equal(e.Count, a.Count);
            for (var i = 0; i < e.Count; i++)
            {
                AssertClose(field, e[i], a[i]);
            }

            return;
        }

        var expectedText = expected!.ToJsonString();
        var actualText = actual!.ToJsonString();
        if (expectedText == actualText)
        {
            return;
        }

        var x = double.Parse(expectedText.Trim('"'), CultureInfo.InvariantCulture);
        var y = double.Parse(actualText.Trim('"'), CultureInfo.InvariantCulture);
        var integerField = field is "count" or "nan_count";
        Assert.False(integerField, $"{field}: {actualText} != numpy's {expectedText}");
        Assert.True(Math.Abs(x - y) <= 1e-9 * Math.Max(1, Math.Abs(x)), $"{field}: {actualText} != numpy's {expectedText}");
    }

    [Fact]
    public async Task StatsTextAndErrors()
    {
        await WriteArraysAsync();
        var text = (await Cli.RunExpectingAsync(0, "stats", _temp.Combine("data.zarr", "u2"), "--region", "0:3")).Stdout.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        Assert.Equal(["statistic", "count", "sum", "mean", "std", "var", "min", "max", "nan_count"], text.Select(l => l.Split(' ')[0]));
        Assert.EndsWith(" 3", text[1], StringComparison.Ordinal);

        Assert.Contains("out of bounds", (await Cli.RunExpectingAsync(2, "stats", _temp.Combine("data.zarr", "u2"), "--axis", "1")).Stderr, StringComparison.Ordinal);
        Assert.Contains("repeats", (await Cli.RunExpectingAsync(2, "stats", _temp.Combine("data.zarr", "f4"), "--axis", "0,-2")).Stderr, StringComparison.Ordinal);
        Assert.Contains("--region", (await Cli.RunExpectingAsync(2, "stats", _temp.Combine("data.zarr", "u2"), "--region", "a:b")).Stderr, StringComparison.Ordinal);
        Assert.Contains("is a group", (await Cli.RunExpectingAsync(1, "stats", _temp.Combine("data.zarr"))).Stderr, StringComparison.Ordinal);
        await Cli.RunExpectingAsync(0, "create", _temp.Combine("b.zarr"), "--shape", "4", "--dtype", "bool");
        Assert.Contains("real number type", (await Cli.RunExpectingAsync(1, "stats", _temp.Combine("b.zarr"))).Stderr, StringComparison.Ordinal);

        var empty = (await Cli.RunExpectingAsync(0, "stats", _temp.Combine("data.zarr", "f4"), "--region", "5:5", "--json")).Json;
        Assert.Equal(0, (long)empty["count"]!);
        Assert.Equal("NaN", (string)empty["mean"]!);
        Assert.Null(empty["min"]);
    }

    [Fact]
    public async Task StatsOfAShardedV3CopyEqualTheSource()
    {
        await WriteArraysAsync();
        await Cli.RunExpectingAsync(0, "copy", _temp.Combine("data.zarr", "f8"), _temp.Combine("s.zarr"), "--chunks", "5,4,5", "--shards", "20,8,5");
        var a = await Cli.RunExpectingAsync(0, "stats", _temp.Combine("data.zarr", "f8"), "--json", "--axis", "2", "--region", "1:,2:");
        var b = await Cli.RunExpectingAsync(0, "stats", _temp.Combine("s.zarr"), "--json", "--axis", "2", "--region", "1:,2:");
        Assert.Equal(a.Stdout, b.Stdout);
    }

    /// <summary>
    /// Each corruption is one the codecs can see: a flipped byte under a crc32c (or in a shard's crc32c-guarded index),
    /// a truncated zstd frame or blosc buffer. (A flipped byte inside zstd or blosc data without a checksum may decode
    /// to other values: nothing can see that.)
    /// </summary>
    [Theory]
    [InlineData("crc32c", new[] { "--codec", "zstd:3", "--codec", "crc32c" }, "crc32c")]
    [InlineData("zstd", new[] { "--codec", "zstd:3" }, "zstd")]
    [InlineData("blosc", new string[0], "blosc")]
    [InlineData("sharded", new[] { "--shards", "32,32", "--chunks", "16,16", "--codec", "zstd:1" }, "")]
    public async Task VerifyNamesTheCorruptedChunk(string name, string[] options, string codec)
    {
        await WriteArraysAsync();
        var dst = _temp.Combine(name + ".zarr");
        var source = name == "sharded" ? "data.zarr/f4" : "data.zarr";
        await Cli.RunExpectingAsync(0, ["copy", _temp.Combine(source), dst, .. options]);

        var good = await Cli.RunExpectingAsync(0, "verify", dst, "--json");
        var chunks = (long)good.Json["chunks"]!;
        Assert.Equal(Directory.GetFiles(dst, "*", SearchOption.AllDirectories).Count(f => Path.GetFileName(f) != "zarr.json"), chunks);
        Assert.Empty(good.Json["bad"]!.AsArray());
        var arrays = name == "sharded" ? "1 array" : "4 arrays";
        Assert.Equal($"{chunks} chunks in {arrays} checked: all good\n", (await Cli.RunExpectingAsync(0, "verify", dst)).Stdout.ReplaceLineEndings("\n"));

        var key = name == "sharded" ? "c/1/0" : "i4/c/3/2";
        var file = Path.Combine(dst, key.Replace('/', Path.DirectorySeparatorChar));
        var bytes = await File.ReadAllBytesAsync(file);
        switch (name)
        {
            case "crc32c":
                bytes[bytes.Length / 2] ^= 0x5A;
                break;
            case "sharded":
                bytes[bytes.Length - 10] ^= 0x5A; // inside the index, which its crc32c guards
                break;
            default:
                bytes = bytes[..(bytes.Length / 2)];
                break;
        }

        await File.WriteAllBytesAsync(file, bytes);

        var bad = await Cli.RunAsync("verify", dst, "--json");
        Assert.Equal(1, bad.ExitCode);
        Assert.Equal(chunks, (long)bad.Json["chunks"]!);
        var entry = Assert.Single(bad.Json["bad"]!.AsArray())!;
        Assert.Equal(key, (string)entry["key"]!);
        Assert.Contains(codec, (string)entry["reason"]!, StringComparison.Ordinal);
        Assert.Equal($"zarr: {dst}: 1 bad chunk, first {key}", bad.Stderr.TrimEnd());

        var text = await Cli.RunAsync("verify", dst);
        Assert.Equal(1, text.ExitCode);
        Assert.Contains($"\n  BAD {key}: ", text.Stdout, StringComparison.Ordinal);
    }

    /// <summary>A gzip chunk whose trailer (CRC32 and size) is damaged; a trailer cut off entirely is not seen yet (see the report).</summary>
    [Fact]
    public async Task VerifyOfAGzipChunkWithABadTrailerInAV2Array()
    {
        var path = _temp.Combine("v2.zarr");
        var array = await ZarrArray.CreateAsync<long>(new DirectoryStore(path), "", [100], new ArrayOptions { Format = ZarrFormat.V2, Chunks = [10], Compressors = [new GzipCodec(5)] });
        await array.WriteAsync([Slice.All], Enumerable.Range(0, 100).Select(i => (long)i * i).ToArray());
        var file = Path.Combine(path, "4");
        var bytes = await File.ReadAllBytesAsync(file);
        bytes[^6] ^= 0xFF;
        await File.WriteAllBytesAsync(file, bytes);
        var result = await Cli.RunAsync("verify", path, "--json");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(10, (long)result.Json["chunks"]!);
        Assert.Equal("4", (string)Assert.Single(result.Json["bad"]!.AsArray())!["key"]!);
    }
}
