using System.Text.Json.Nodes;
using Zarr.Storage;
using Zarr.Storage.Codecs;
using Zarr.Storage.Codecs.ArrayToBytes;
using Zarr.Storage.Indexing;
using Zarr.Storage.Metadata;
using Zarr.Storage.Stores;

namespace Zarr.Interop.Tests;

/// <summary>
/// Read direction: every array and group of the conformance corpus (written by zarr-python 2.13, zarrita.js and
/// by hand from the v3 spec) opened with this library and compared with the manifest: shape, data type, the
/// sha256 of the values, spot values, attributes, missing chunks, group members.
/// </summary>
public sealed class CorpusReadTests
{
    public const string CorpusNotFound = "corpus-not-found";

    /// <summary>One case per manifest entry; a single failing case when the corpus cannot be found.</summary>
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        if (InteropEnvironment.ConformancePath is null)
        {
            data.Add(CorpusNotFound);
            return data;
        }

        foreach (var e in CorpusManifest.Entries)
        {
            data.Add(e.Id);
        }

        return data;
    }

    [Fact]
    public void Corpus_is_found()
    {
        var path = InteropEnvironment.RequireCorpus();
        Assert.True(Directory.Exists(path), path);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Reads_corpus_case(string id)
    {
        InteropEnvironment.RequireCorpus();
        var entry = CorpusManifest.Find(id);
        var problems = entry.Kind == "group" ? await CheckGroupAsync(entry) : await CheckArrayAsync(entry);
        Assert.True(problems.Count == 0, $"{id}: {string.Join("\n  ", problems)}");
    }

    private static IStore OpenStore(CorpusEntry entry)
    {
        var path = Path.Combine(entry.FormatFolder, entry.Store);
        return entry.Store.EndsWith(".zip", StringComparison.Ordinal)
            ? new ZipStore(path)
            : new DirectoryStore(path, new DirectoryStoreOptions { ReadOnly = true });
    }

    private static async Task<List<string>> CheckArrayAsync(CorpusEntry entry)
    {
        var problems = new List<string>();
        var e = entry.Json;
        var store = OpenStore(entry);
        var array = await ZarrArray.OpenAsync(store, entry.Node);

        if ((int)array.Format != entry.ZarrFormat)
        {
            problems.Add($"format: read v{(int)array.Format}, manifest v{entry.ZarrFormat}");
        }

        var shape = e["shape"]!.AsArray().Select(x => (long)x!).ToArray();
        if (!array.Shape.SequenceEqual(shape))
        {
            problems.Add($"shape: read [{string.Join(", ", array.Shape)}], manifest [{string.Join(", ", shape)}]");
        }

        var chunks = e["chunks"]!.AsArray().Select(x => (int)x!).ToArray();
        if (!array.Chunks.SequenceEqual(chunks))
        {
            problems.Add($"chunks: read [{string.Join(", ", array.Chunks)}], manifest [{string.Join(", ", chunks)}]");
        }

        var kind = array.DataType.Kind;
        if (ExtensionTypes.IsExtension(array.DataType))
        {
            // dates, fixed-length strings, structured: the manifest's dtype read independently (ExtensionTypes).
            var bytesCodec = array.Metadata.Codecs.OfType<BytesCodec>().SingleOrDefault();
            if (!ExtensionTypes.Matches(array.DataType, bytesCodec?.Endian == Endian.Big, e, entry.ZarrFormat))
            {
                problems.Add($"data type: read {array.DataType}, manifest {(e["dtype"] ?? e["data_type"])!.ToJsonString()}");
            }
        }
        else if (entry.ZarrFormat == 2)
        {
            var bytesCodec = array.Metadata.Codecs.OfType<BytesCodec>().SingleOrDefault();
            var actual = Canonical.V2Dtype(kind, bytesCodec?.Endian == Endian.Big);
            var expected = (string)e["dtype"]!;
            if (actual != expected)
            {
                problems.Add($"dtype: read {actual} ({array.DataType.Name}), manifest {expected}");
            }
        }
        else
        {
            var expected = (string)e["data_type"]!;
            if (Canonical.V3Names[kind] != expected || array.DataType.Name != expected)
            {
                problems.Add($"data_type: read {array.DataType.Name}, manifest {expected}");
            }
        }

        var attributes = e["attributes"] ?? new JsonObject();
        if (!JsonNode.DeepEquals(array.Attributes, attributes))
        {
            problems.Add($"attributes: read {array.Attributes.ToJsonString()}, manifest {attributes.ToJsonString()}");
        }

        if (problems.Count > 0)
        {
            return problems; // the values cannot be compared when the shape or type is wrong
        }

        var (data, readShape) = await array.ReadBytesAsync([.. Enumerable.Repeat(Slice.All, array.Rank)]);
        if (!readShape.SequenceEqual(shape))
        {
            problems.Add($"ReadBytesAsync returned shape [{string.Join(", ", readShape)}], expected [{string.Join(", ", shape)}]");
            return problems;
        }

        var canonical = ExtensionTypes.IsExtension(array.DataType) ? ExtensionTypes.Canonicalize(data, array.DataType) : Canonical.Canonicalize(data, kind);
        var sha = Canonical.Sha256(canonical);
        if (sha != (string)e["sha256"]!)
        {
            problems.Add($"sha256 of the values: read {sha}, manifest {(string)e["sha256"]!} ({canonical.Length} bytes; manifest says {e["nbytes_canonical"]})");
        }

        var itemSize = array.DataType.ItemSize;
        foreach (var spot in e["spot_values"]?.AsArray() ?? [])
        {
            var index = spot!["index"]!.AsArray().Select(x => (long)x!).ToArray();
            var offset = FlatIndex(index, shape);
            var hex = Convert.ToHexStringLower(canonical.AsSpan(checked((int)(offset * itemSize)), itemSize));
            if (hex != (string)spot["hex"]!)
            {
                problems.Add($"spot value at [{string.Join(", ", index)}]: read {hex}, manifest {(string)spot["hex"]!} ({spot["value"]?.ToJsonString()})");
            }
        }

        var fill = ExtensionTypes.IsExtension(array.DataType) ? ExtensionTypes.FillValueBytes(e["fill_value"], array.DataType) : Canonical.FillValueBytes(e["fill_value"], kind);
        foreach (var key in e["missing_chunks"]?.AsArray().Select(k => (string)k!) ?? [])
        {
            var file = Path.Combine(entry.FormatFolder, entry.Path, key);
            if (File.Exists(file))
            {
                problems.Add($"missing chunk {key}: the corpus has a file there ({file})");
            }

            var storeKey = (entry.Node.Length == 0 ? "" : entry.Node + "/") + key;
            if (await store.ExistsAsync(storeKey))
            {
                problems.Add($"missing chunk {key}: the store says key '{storeKey}' exists");
            }

            var coords = ChunkCoordinates(entry, key, shape.Length);
            foreach (var index in ChunkRegion(coords, chunks, shape))
            {
                var offset = FlatIndex(index, shape) * itemSize;
                if (!canonical.AsSpan(checked((int)offset), itemSize).SequenceEqual(fill))
                {
                    problems.Add($"missing chunk {key}: element [{string.Join(", ", index)}] reads {Convert.ToHexStringLower(canonical.AsSpan((int)offset, itemSize))}, not the fill value {Convert.ToHexStringLower(fill)}");
                    break;
                }
            }
        }

        return problems;
    }

    private static async Task<List<string>> CheckGroupAsync(CorpusEntry entry)
    {
        var problems = new List<string>();
        var group = await ZarrGroup.OpenAsync(OpenStore(entry), entry.Node);
        if ((int)group.Format != entry.ZarrFormat)
        {
            problems.Add($"format: read v{(int)group.Format}, manifest v{entry.ZarrFormat}");
        }

        var attributes = entry.Json["attributes"] ?? new JsonObject();
        if (!JsonNode.DeepEquals(group.Attributes, attributes))
        {
            problems.Add($"attributes: read {group.Attributes.ToJsonString()}, manifest {attributes.ToJsonString()}");
        }

        // The manifest lists every node of the hierarchy: the group's members are the entries one level below it.
        var prefix = entry.Node.Length == 0 ? "" : entry.Node + "/";
        var expected = CorpusManifest.Entries
            .Where(o => o.FormatFolder == entry.FormatFolder && o.Store == entry.Store && o.Node.Length > prefix.Length
                && o.Node.StartsWith(prefix, StringComparison.Ordinal) && !o.Node[prefix.Length..].Contains('/'))
            .Select(o => $"{o.Node[prefix.Length..]}:{o.Kind}")
            .Order(StringComparer.Ordinal)
            .ToList();
        var actual = new List<string>();
        await foreach (var member in group.MembersAsync())
        {
            actual.Add($"{member.Path}:{(member.Kind == NodeKind.Array ? "array" : "group")}");
            if ((int)member.Format != entry.ZarrFormat)
            {
                problems.Add($"member {member.Path} reported as v{(int)member.Format}");
            }
        }

        if (!actual.SequenceEqual(expected))
        {
            problems.Add($"members: read [{string.Join(", ", actual)}], manifest [{string.Join(", ", expected)}]");
        }

        return problems;
    }

    private static long FlatIndex(long[] index, long[] shape)
    {
        long offset = 0;
        for (var d = 0; d < shape.Length; d++)
        {
            offset = (offset * shape[d]) + index[d];
        }

        return offset;
    }

    /// <summary>Parses a chunk key as the manifest's metadata says it is encoded (independently of the library).</summary>
    private static long[] ChunkCoordinates(CorpusEntry entry, string key, int rank)
    {
        if (rank == 0)
        {
            return [];
        }

        string separator;
        var rest = key;
        if (entry.ZarrFormat == 2)
        {
            separator = (string?)entry.Json["dimension_separator"] ?? ".";
        }
        else
        {
            var encoding = entry.Json["chunk_key_encoding"]!;
            var name = (string)encoding["name"]!;
            separator = (string?)encoding["configuration"]?["separator"] ?? (name == "v2" ? "." : "/");
            if (name == "default")
            {
                rest = key[(1 + separator.Length)..];
            }
        }

        var parts = rest.Split(separator);
        Assert.True(parts.Length == rank, $"{entry.Id}: chunk key '{key}' does not have {rank} parts");
        return [.. parts.Select(long.Parse)];
    }

    private static IEnumerable<long[]> ChunkRegion(long[] coords, int[] chunks, long[] shape)
    {
        var start = coords.Select((c, d) => c * chunks[d]).ToArray();
        var stop = start.Select((s, d) => Math.Min(s + chunks[d], shape[d])).ToArray();
        return TestValues.Region(shape, start, stop);
    }
}
