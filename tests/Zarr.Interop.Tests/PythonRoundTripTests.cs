using System.Numerics;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Zarr.Storage;
using Zarr.Storage.Codecs;

namespace Zarr.Interop.Tests;

/// <summary>
/// A direct round trip with zarr-python 2.13 (Debian's python3-zarr): arrays it writes at test time are read
/// exactly by this library, and v2 arrays this library writes are read by it and compared value by value in Python.
/// </summary>
public sealed class PythonRoundTripTests
{
    private static string Script(string name) => Path.Combine(AppContext.BaseDirectory, "Python", name);

    [Fact]
    public async Task Arrays_written_by_zarr_python_are_read_exactly()
    {
        InteropEnvironment.RequireForeignTools();
        using var tmp = new TempFolder("from-python");
        var run = InteropEnvironment.Run(InteropEnvironment.PythonPath, [Script("write_v2.py"), tmp.Path, Zarr.Tests.Shared.TestCorpora.ScriptFolder], null, TimeSpan.FromMinutes(2));
        Assert.True(run.ExitCode == 0, run.Describe("write_v2.py"));
        var written = JsonNode.Parse(run.StdOut)!["entries"]!.AsArray();
        Assert.True(written.Count >= 10, run.StdOut);

        var store = new DirectoryStore(tmp.Path, new DirectoryStoreOptions { ReadOnly = true });
        var problems = new List<string>();
        foreach (var e in written)
        {
            var path = (string)e!["path"]!;
            try
            {
                problems.AddRange((await CheckAsync(store, tmp.Path, e.AsObject())).Select(p => $"{path}: {p}"));
            }
#pragma warning disable CA1031 // reported with the others
            catch (Exception ex)
#pragma warning restore CA1031
            {
                problems.Add($"{path}: {ex.GetType().Name}: {ex.Message}");
            }
        }

        var group = await ZarrGroup.OpenAsync(store, "group.zarr");
        if (!JsonNode.DeepEquals(group.Attributes.ToJsonObject(), new JsonObject { ["title"] = "written by zarr-python", ["n"] = 3 }))
        {
            problems.Add($"group.zarr: attributes {group.Attributes.ToJsonString()}");
        }

        var walked = new List<string>();
        await foreach (var node in group.WalkAsync())
        {
            walked.Add($"{node.Path}:{node.Kind}");
        }

        if (!walked.SequenceEqual(["sub:Group", "sub/arr:Array"]))
        {
            problems.Add($"group.zarr: walked [{string.Join(", ", walked)}]");
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems) + "\n" + run.StdOut);
    }

    private static async Task<List<string>> CheckAsync(DirectoryStore store, string root, JsonObject e)
    {
        var problems = new List<string>();
        var path = (string)e["path"]!;
        var array = await ZarrArray.OpenAsync(store, path);
        var kind = array.DataType.Kind;
        var dtype = Canonical.V2Dtype(kind, array.Metadata.Codecs.OfType<BytesCodec>().Single().Endian == Endian.Big);
        if (dtype != (string)e["dtype"]!)
        {
            problems.Add($"dtype {dtype}, zarr-python wrote {(string)e["dtype"]!}");
        }

        var shape = e["shape"]!.AsArray().Select(x => (long)x!).ToArray();
        var chunks = e["chunks"]!.AsArray().Select(x => (int)x!).ToArray();
        if (!array.Shape.SequenceEqual(shape) || !array.Chunks.SequenceEqual(chunks))
        {
            problems.Add($"shape/chunks [{string.Join(", ", array.Shape)}]/[{string.Join(", ", array.Chunks)}]");
        }

        var transposed = array.Metadata.Codecs.OfType<Zarr.Storage.Codecs.TransposeCodec>().Any() && array.Rank > 1;
        if ((string)e["order"]! == "F" != transposed)
        {
            problems.Add($"order {(string)e["order"]!} not seen in the codec chain");
        }

        if (!JsonNode.DeepEquals(array.Attributes.ToJsonObject(), e["attributes"]))
        {
            problems.Add($"attributes {array.Attributes.ToJsonString()}");
        }

        foreach (var key in e["missing_chunks"]!.AsArray().Select(k => (string)k!))
        {
            if (File.Exists(Path.Combine(root, path, key)) || await store.ExistsAsync(path + "/" + key))
            {
                problems.Add($"chunk {key} should be missing");
            }
        }

        var (bytes, readShape) = await array.ReadBytesAsync([.. Enumerable.Repeat(Slice.All, array.Rank)]);
        var sha = Canonical.Sha256(Canonical.Canonicalize(bytes, kind));
        if (sha != (string)e["sha256"]! || !readShape.SequenceEqual(shape))
        {
            problems.Add($"values: sha256 {sha}, zarr-python wrote {(string)e["sha256"]!}");
        }

        return problems;
    }

    [Fact]
    public async Task Zarr_python_reads_v2_arrays_we_write_value_by_value()
    {
        InteropEnvironment.RequireForeignTools();
        using var tmp = new TempFolder("to-python");
        var store = new DirectoryStore(tmp.Path);
        var expected = new JsonArray();

        async Task WriteAsync<T>(string name, long[] shape, int[] chunks, IReadOnlyList<IBytesToBytesCodec> compressors, char order = 'C', bool bigEndian = false, JsonNode? fill = null, JsonObject? attributes = null)
            where T : unmanaged
        {
            var kind = TestValues.KindOf<T>();
            var values = TestValues.Generate<T>(shape.Aggregate(1L, (a, b) => a * b), name.Length * 7919);
            var options = new ArrayOptions
            {
                Format = ZarrFormat.V2,
                Chunks = [.. chunks],
                Compressors = compressors,
                Order = order,
                Endian = bigEndian ? Endian.Big : Endian.Little,
                FillValue = fill?.DeepClone(),
                Attributes = attributes,
            };
            await ZarrArray.FromDataAsync<T>(store, name, values, shape, options);
            await File.WriteAllBytesAsync(Path.Combine(tmp.Path, name + ".bin"), MemoryMarshal.AsBytes<T>(values).ToArray());
            expected.Add(new JsonObject
            {
                ["path"] = name,
                ["dtype"] = Canonical.V2Dtype(kind, bigEndian),
                ["shape"] = new JsonArray([.. shape.Select(s => (JsonNode)s)]),
                ["order"] = order.ToString(),
                ["compressor_id"] = compressors.Count == 0 ? null : ((IV2Compressor)compressors[0]).ToV2Json()["id"]!.DeepClone(),
                ["fill_value"] = fill?.DeepClone() ?? 0,
                ["attributes"] = attributes?.DeepClone() ?? new JsonObject(),
            });
        }

        await WriteAsync<double>("f8_blosc_zstd", [37, 23], [10, 8], [new BloscCodec(BloscCompressor.Zstd, 5, BloscShuffle.Shuffle, 8)], attributes: new JsonObject { ["units"] = "K", ["scale"] = 0.5 });
        await WriteAsync<float>("f4_order_F_zlib_fill_nan", [20, 30], [7, 8], [new ZlibCodec(1)], order: 'F', fill: "NaN");
        await WriteAsync<short>("i2_big_endian_gzip", [50], [16], [new GzipCodec(5)], bigEndian: true, fill: -3);
        await WriteAsync<Complex>("c16_lz4", [6, 7, 8], [4, 4, 4], [new Lz4Codec(1)]);
        await WriteAsync<Half>("f2_zstd", [33, 3], [8, 3], [new ZstdCodec(3)]);
        await WriteAsync<bool>("b1_none", [9, 9], [4, 4], []);
        await WriteAsync<ulong>("u8_blosc_lz4_bitshuffle", [100], [30], [new BloscCodec(BloscCompressor.Lz4, 5, BloscShuffle.BitShuffle, 8)], fill: JsonValue.Create(ulong.MaxValue));
        await WriteAsync<Complex64>("c8_order_F", [5, 4], [2, 3], [], order: 'F', fill: new JsonArray(1.5, -2.0));

        await File.WriteAllTextAsync(Path.Combine(tmp.Path, "expected.json"), expected.ToJsonString());
        var run = InteropEnvironment.Run(InteropEnvironment.PythonPath, [Script("read_v2.py"), tmp.Path], null, TimeSpan.FromMinutes(2));
        var lines = run.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(run.ExitCode == 0 && lines.Length == expected.Count && lines.All(l => l.StartsWith("OK ", StringComparison.Ordinal)), run.Describe("read_v2.py"));
    }
}
