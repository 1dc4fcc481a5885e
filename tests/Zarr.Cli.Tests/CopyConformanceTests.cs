using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Zarr.Storage;
using Zarr.Tests.Shared;

namespace Zarr.Cli.Tests;

/// <summary>
/// <c>zarr copy</c> of every array of the public conformance corpus (v2 and v3 manifests) to v2, to v3 and to v3 with
/// sharding. Every copy must hold exactly the source's values through our own reader, and must also pass
/// <c>check_foreign.sh</c> against the source manifest's sha256 (zarr-python 2 reads the v2 copies; zarrita.js and
/// v3reader.py the v3 ones, every data type, with the one gap <see cref="CheckerReads"/> names). Every copy must succeed, except those <see cref="Refused"/> lists, which must fail with exactly
/// that one-line error and leave nothing behind.
/// </summary>
public sealed class CopyConformanceTests : IDisposable
{
    /// <summary>
    /// The copies the target cannot hold, each with (a fragment of) its one-line error and exit status: the case's id
    /// (format/path), the targets. A listed copy that starts to succeed fails the test, so that the list stays true.
    /// </summary>
    private static readonly (string Id, string[] Targets, int ExitCode, string Message)[] Refused =
    [
        // Zarr v3's struct has no sub-array fields and no byte order of a field's own (the bytes codec sets it).
        ("v2/dtype_structured_nested.zarr", ["v3", "v3-sharded"], 1, "cannot be written as v3: the field 'pos' is a sub-array of shape (3)"),
        ("v2/fill_structured_missing.zarr", ["v3", "v3-sharded"], 1, "cannot be written as v3: the field 'pos' is a sub-array of shape (3)"),
        ("v2/order_F_structured.zarr", ["v3", "v3-sharded"], 1, "cannot be written as v3: the field 'y' has its own byte order"),

        // Variable-length strings in shards are not supported yet: not as a target (--shards is refused) ...
        ("v2/dtype_vlen_utf8.zarr", ["v3-sharded"], 2, "variable-length strings in shards are not supported yet"),
        ("v3/hc_string_vlen_utf8.zarr", ["v3-sharded"], 2, "variable-length strings in shards are not supported yet"),

        // ... and not as a source (the library does not open one yet; see CorpusReadTests).
        ("v3/hc_string_sharded.zarr", ["v2", "v3", "v3-sharded"], 1, "'vlen-utf8' inside 'sharding_indexed' (variable-length strings in shards) is not supported yet"),
    ];

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>Each corpus (the generated fixtures, the extra one when present) with each target: a folder name and the options of <c>copy</c>.</summary>
    public static TheoryData<string, string> Targets()
    {
        var data = new TheoryData<string, string>();
        foreach (var corpus in TestCorpora.All)
        {
            foreach (var target in new[] { "v2", "v3", "v3-sharded" })
            {
                data.Add(corpus.Name, target);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task EveryCorpusArrayCopiesExactly(string corpusName, string target)
    {
        var corpus = TestCorpora.Named(corpusName).Root;
        var folder = _temp.Combine(target);
        Directory.CreateDirectory(folder);
        var manifest = new List<JsonObject>();
        var problems = new List<string>();
        var copied = 0;
        var refused = new List<string>();
        foreach (var (format, entry) in ArrayEntries(corpus))
        {
            var id = $"{format}/{(string)entry["path"]!}";
            var source = Path.Combine(corpus, format, (string)entry["store"]!, ((string?)entry["node"] ?? "").Replace('/', Path.DirectorySeparatorChar));
            var name = id.Replace('/', '_').Replace(".zip", "_zip", StringComparison.Ordinal) + ".zarr";
            var destination = Path.Combine(folder, name);
            var shape = entry["shape"]!.AsArray().Select(s => (long)s!).ToArray();
            var args = new List<string> { "copy", source, destination, "--json" };
            args.AddRange(target switch
            {
                "v2" => ["--format", "2"],
                "v3" => ["--format", "3", "--codec", "gzip:5"],
                _ => ShardOptions(entry),
            });

            var result = await Cli.RunAsync([.. args]);
            if (Refused.Any(r => r.Id == id && r.Targets.Contains(target)))
            {
                var (_, _, exitCode, message) = Refused.Single(r => r.Id == id);
                refused.Add(id);
                var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                if (result.ExitCode != exitCode || lines.Length != 1 || !lines[0].StartsWith($"zarr: {source}: ", StringComparison.Ordinal)
                    || !lines[0].Contains(message, StringComparison.Ordinal) || Directory.Exists(destination))
                {
                    problems.Add($"{id}: expected exit {exitCode} with one line naming the array and saying \"{message}\", and nothing written; got {result}");
                }

                continue;
            }

            if (result.ExitCode != 0)
            {
                problems.Add($"{id}: copy failed: {result}");
                continue;
            }

            copied++;
            var json = result.Json;
            if ((long)json["arrays"]! != 1)
            {
                problems.Add($"{id}: --json says {json["arrays"]} arrays");
            }

            problems.AddRange((await CompareAsync(source, destination, target)).Select(p => $"{id}: {p}"));
            if (CheckerReads(entry, target, shape))
            {
                var line = new JsonObject { ["path"] = name, ["sha256"] = (string)entry["sha256"]!, ["shape"] = new JsonArray([.. shape.Select(s => (JsonNode)s)]) };
                manifest.Add(line);
            }
        }

        if (corpusName == TestCorpora.Fixtures.Name)
        {
            // The list names cases of the generated fixtures: a renamed or dropped case must not leave an entry that checks nothing.
            var unseen = Refused.Where(r => r.Targets.Contains(target) && !refused.Contains(r.Id)).Select(r => r.Id).ToList();
            Assert.True(unseen.Count == 0, "Refused lists cases the fixtures do not have: " + string.Join(", ", unseen));
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Equal(ArrayEntries(corpus).Count() - refused.Count, copied);
        RunChecker(folder, manifest);
    }

    /// <summary>--chunks as the source's (inner) chunks and --shards twice that, capped to the shape; a 0-d array gets no sharding.</summary>
    private static string[] ShardOptions(JsonObject entry)
    {
        var shape = entry["shape"]!.AsArray().Select(s => (long)s!).ToArray();
        if (shape.Length == 0)
        {
            return ["--format", "3", "--codec", "zstd:3", "--codec", "crc32c"];
        }

        var chunks = InnerChunks(entry);
        var shards = chunks.Select((c, d) => c * (int)Math.Clamp((shape[d] + c - 1) / c, 1, 2)).ToArray();
        return ["--format", "3", "--chunks", string.Join(',', chunks), "--shards", string.Join(',', shards), "--codec", "zstd:3", "--codec", "crc32c"];
    }

    /// <summary>The source's (inner) chunk shape in the array's order of dimensions: a transpose before sharding permutes the sharding codec's chunk_shape.</summary>
    private static int[] InnerChunks(JsonObject entry)
    {
        var chunks = entry["chunks"]!.AsArray().Select(c => (int)c!).ToArray();
        var axes = Enumerable.Range(0, chunks.Length).ToArray();
        foreach (var codec in entry["zarr_json"]?["codecs"] as JsonArray ?? [])
        {
            var configuration = codec!["configuration"];
            switch ((string?)codec["name"])
            {
                case "transpose":
                    var order = configuration!["order"]!.AsArray().Select(o => (int)o!).ToArray();
                    axes = [.. order.Select(o => axes[o])];
                    break;
                case "sharding_indexed":
                    var inner = configuration!["chunk_shape"]!.AsArray().Select(c => (int)c!).ToArray();
                    for (var i = 0; i < inner.Length; i++)
                    {
                        chunks[axes[i]] = inner[i];
                    }

                    return chunks;
            }
        }

        return chunks;
    }

    /// <summary>
    /// Whether the foreign checker reads the copy: every v2 copy, and every v3 copy (v3reader.py reads the extension
    /// types and strings, where zarrita.js does not decide) but a 0-d fixed-length unicode one, on which v3reader.py fails
    /// (read_array: "ValueError: setting an array element with a sequence") and zarrita.js does not read the type.
    /// </summary>
    private static bool CheckerReads(JsonObject entry, string target, long[] shape)
    {
        var fixedUnicode = (entry["dtype"] is JsonValue v && v.TryGetValue<string>(out var dtype) && dtype.Length > 1 && dtype[1] == 'U')
            || (entry["data_type"] is JsonObject extension && (string?)extension["name"] == "fixed_length_utf32");
        return target == "v2" || !(shape.Length == 0 && fixedUnicode);
    }

    private static IEnumerable<(string Format, JsonObject Entry)> ArrayEntries(string corpus)
    {
        foreach (var format in new[] { "v2", "v3" })
        {
            var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(corpus, format, "manifest.json")))!;
            foreach (var e in manifest["entries"]!.AsArray())
            {
                if (((string?)e!["kind"] ?? "array") == "array")
                {
                    yield return (format, e.AsObject());
                }
            }
        }
    }

    /// <summary>Shape, type, values (through our reader), fill value, attributes and the target's format and sharding.</summary>
    private static async Task<List<string>> CompareAsync(string source, string destination, string target)
    {
        var problems = new List<string>();
        var src = await OpenAsync(source);
        var dst = await ZarrArray.OpenAsync(new DirectoryStore(destination, new DirectoryStoreOptions { ReadOnly = true }));
        if (!src.Shape.SequenceEqual(dst.Shape) || src.DataType != dst.DataType)
        {
            problems.Add($"shape/type ({string.Join(',', dst.Shape)}) {dst.DataType} != ({string.Join(',', src.Shape)}) {src.DataType}");
            return problems;
        }

        var all = Enumerable.Repeat(Slice.All, src.Rank).ToArray();
        bool valuesExact;
        if (src.DataType.IsFixedSize)
        {
            var (a, _) = await src.ReadBytesAsync(all);
            var (b, _) = await dst.ReadBytesAsync(all);
            valuesExact = a.AsSpan().SequenceEqual(b);
        }
        else
        {
            // Variable-length strings. A v2 source without a fill value reads its missing elements as null, which a v3
            // copy (that must have a fill value) reads as the type's zero, the empty string.
            var (a, _) = await new ZarrStringArray(src).ReadAsync(all);
            var (b, _) = await new ZarrStringArray(dst).ReadAsync(all);
            valuesExact = (dst.Format == ZarrFormat.V3 ? a.Select(v => (string?)(v ?? "")) : a).SequenceEqual(b);
        }

        if (!valuesExact)
        {
            problems.Add("values differ");
        }

        // v2 JSON says only "NaN", which reads as numpy's NaN: a v2 copy of a NaN fill value with another payload has that
        // fill value, and its values must then still be exactly the source's (the chunks the source left missing stored).
        if (!src.Metadata.FillValue.AsSpan().SequenceEqual(dst.Metadata.FillValue.AsSpan())
            && !(target == "v2" && valuesExact && SameButNaNPayloads(src.Metadata.FillValue.ToArray(), dst.Metadata.FillValue.ToArray(), src.DataType)))
        {
            problems.Add($"fill value {Convert.ToHexString(dst.Metadata.FillValue.ToArray())} != {Convert.ToHexString(src.Metadata.FillValue.ToArray())}");
        }

        // Dimension names travel between v3's dimension_names and v2's _ARRAY_DIMENSIONS attribute (issue 22): the other
        // attributes are copied as they are, and the names are the source's (to v2 only when every dimension has one).
        var srcAttributes = src.Attributes.ToJsonObject();
        var dstAttributes = dst.Attributes.ToJsonObject();
        srcAttributes.Remove("_ARRAY_DIMENSIONS");
        dstAttributes.Remove("_ARRAY_DIMENSIONS");
        if (!JsonNode.DeepEquals(srcAttributes, dstAttributes))
        {
            problems.Add($"attributes {dst.Attributes.ToJsonString()} != {src.Attributes.ToJsonString()}");
        }

        var expectedNames = target == "v2" && src.DimensionNames is { } partial && partial.Any(n => n is null) ? null : src.DimensionNames;
        if (!(expectedNames ?? []).SequenceEqual(dst.DimensionNames ?? []))
        {
            problems.Add($"dimension names [{string.Join(',', dst.DimensionNames ?? [])}] != [{string.Join(',', expectedNames ?? [])}]");
        }

        var expectedFormat = target == "v2" ? ZarrFormat.V2 : ZarrFormat.V3;
        if (dst.Format != expectedFormat)
        {
            problems.Add($"format {dst.Format}");
        }

        // A sharded source copied to v3 with no --chunks/--shards keeps its shards.
        var sharded = dst.Metadata.Codecs.Any(c => c.Name == "sharding_indexed");
        var sourceSharded = src.Metadata.Codecs.Any(c => c.Name == "sharding_indexed");
        if (sharded != ((target == "v3-sharded" && src.Rank > 0) || (target == "v3" && sourceSharded)))
        {
            problems.Add($"sharded: {sharded}");
        }

        return problems;
    }

    /// <summary>True when two values of a float or complex type differ only in the bits of NaNs (each part NaN in both, or the same bits).</summary>
    private static bool SameButNaNPayloads(byte[] a, byte[] b, ZarrDataType dataType)
    {
        var part = dataType.IsComplex ? dataType.ItemSize / 2 : dataType.ItemSize;
        if (!(dataType.IsFloatingPoint || dataType.IsComplex) || a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i += part)
        {
            var x = a.AsSpan(i, part);
            var y = b.AsSpan(i, part);
            if (!x.SequenceEqual(y) && !(IsNaN(x) && IsNaN(y)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsNaN(ReadOnlySpan<byte> value) => value.Length switch
    {
        2 => Half.IsNaN(BitConverter.ToHalf(value)),
        4 => float.IsNaN(BitConverter.ToSingle(value)),
        _ => double.IsNaN(BitConverter.ToDouble(value)),
    };

    private static async Task<ZarrArray> OpenAsync(string path)
    {
        var zip = path.IndexOf(".zip" + Path.DirectorySeparatorChar, StringComparison.Ordinal);
        if (zip < 0)
        {
            return await ZarrArray.OpenAsync(new DirectoryStore(path, new DirectoryStoreOptions { ReadOnly = true }));
        }

        var store = new ZipStore(path[..(zip + 4)], new ZipStoreOptions { Mode = ZipStoreMode.Read });
        return await ZarrArray.OpenAsync(new PrefixStore(store, path[(zip + 5)..]));
    }

    private static void RunChecker(string folder, List<JsonObject> entries)
    {
        ForeignTools.Require();
        var manifestPath = Path.Combine(folder, "manifest.json");
        File.WriteAllText(manifestPath, new JsonObject { ["entries"] = new JsonArray([.. entries]) }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        var (exit, stdout, stderr) = ForeignTools.Run("bash", [TestCorpora.Checker, folder, "--manifest", manifestPath, "--json"], TimeSpan.FromMinutes(5));
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var passed = lines.Count(l => l.StartsWith("PASS ", StringComparison.Ordinal));
        Assert.True(
            exit == 0 && passed == entries.Count && lines.Contains($"{entries.Count} passed, 0 failed"),
            $"check_foreign.sh exit {exit}, {passed}/{entries.Count} PASS\n{stdout}\n{stderr}");
    }
}

/// <summary>The foreign readers (zarr-python 2 on /usr/bin/python3, node and npm for zarrita.js); their absence fails the test with the install line.</summary>
public static class ForeignTools
{
    private const string Packages = TestCorpora.DebianPackages;

    private static readonly Lazy<string?> Problem = new(FindProblem);

    public static void Require()
    {
        if (Problem.Value is { } problem)
        {
            Assert.Fail($"{problem}: apt-get install -y {Packages}");
        }
    }

    public static (int ExitCode, string Stdout, string Stderr) Run(string program, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            return (-1, stdout.Result, "timed out after " + timeout + "\n" + stderr.Result);
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static string? FindProblem()
    {
        if (!File.Exists("/usr/bin/python3"))
        {
            return "/usr/bin/python3 is missing";
        }

        var (exit, _, stderr) = Run("/usr/bin/python3", ["-c", "import zarr, numcodecs, numpy, zstandard, blosc, crc32c"], TimeSpan.FromMinutes(1));
        if (exit != 0)
        {
            return $"/usr/bin/python3 cannot import zarr, numcodecs, numpy, zstandard, blosc, crc32c ({stderr.Trim()})";
        }

        foreach (var tool in new[] { "node", "npm" })
        {
            if (!(Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, tool))))
            {
                return $"'{tool}' is not on PATH";
            }
        }

        return null;
    }
}
