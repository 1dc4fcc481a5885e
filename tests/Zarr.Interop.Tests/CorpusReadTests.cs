using System.Text.Json.Nodes;
using Zarr.Storage;
using Zarr.Storage.Codecs;

namespace Zarr.Interop.Tests;

/// <summary>
/// Read direction: every array and group of the conformance corpus (written by zarr-python 2.13, zarrita.js and
/// by hand from the v3 spec) opened with this library and compared with the manifest: shape, data type, the
/// sha256 of the values, spot values, attributes, missing chunks, group members.
/// </summary>
public sealed class CorpusReadTests
{
    /// <summary>One case per manifest entry of every corpus.</summary>
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var e in CorpusManifest.Entries)
        {
            data.Add(e.Id);
        }

        return data;
    }

    /// <summary>The generated fixtures cover what the library claims: both formats, every core type, groups, zip, sharding.</summary>
    [Fact]
    public void The_fixtures_cover_every_format_feature()
    {
        var fixtures = CorpusManifest.Entries.Where(e => e.Id.StartsWith("fixtures/", StringComparison.Ordinal)).ToList();
        var v2Types = fixtures.Where(e => e.ZarrFormat == 2 && e.Kind == "array").Select(e => e.Json["dtype"] is JsonValue v ? v.GetValue<string>() : "structured").ToHashSet();
        var v3Types = fixtures.Where(e => e.ZarrFormat == 3 && e.Kind == "array")
            .Select(e => e.Json["data_type"] is JsonObject named ? (string)named["name"]! : (string)e.Json["data_type"]!).ToHashSet();
        var missing = new List<string>();
        missing.AddRange(new[] { "|b1", "|i1", "|u1", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8", "<f2", "<f4", "<f8", "<c8", "<c16", "<M8[ns]", "<m8[s]", "|S8", "<U6", "|O", ">i4", ">f8" }
            .Where(t => !v2Types.Contains(t)).Select(t => "v2 dtype " + t));
        missing.AddRange(Canonical.V3Names.Values.Where(t => !v3Types.Contains(t)).Select(t => "v3 data_type " + t));
        missing.AddRange(new[] { "numpy.datetime64", "numpy.timedelta64", "fixed_length_utf32", "null_terminated_bytes", "struct", "structured", "string" }
            .Where(t => !v3Types.Contains(t)).Select(t => "v3 data_type " + t));
        bool Has(Func<CorpusEntry, bool> what) => fixtures.Any(what);
        void Need(string what, Func<CorpusEntry, bool> test)
        {
            if (!Has(test))
            {
                missing.Add(what);
            }
        }

        Need("v2 structured dtype", e => e.ZarrFormat == 2 && e.Json["dtype"] is JsonArray);
        Need("v2 zip store", e => e.Store.EndsWith(".zip", StringComparison.Ordinal));
        Need("v2 consolidated group", e => e.Kind == "group" && e.ZarrFormat == 2 && File.Exists(Path.Combine(e.FormatFolder, e.Store, ".zmetadata")));
        Need("v2 order F", e => (string?)e.Json["order"] == "F");
        Need("v2 dimension_separator /", e => (string?)e.Json["dimension_separator"] == "/");
        Need("v2 filters", e => e.Json["filters"] is JsonArray { Count: > 0 });
        Need("v3 group", e => e.Kind == "group" && e.ZarrFormat == 3);
        Need("missing chunks", e => e.Json["missing_chunks"] is JsonArray { Count: > 0 });
        foreach (var codec in new[] { "bytes", "transpose", "blosc", "gzip", "zstd", "crc32c", "sharding_indexed", "vlen-utf8" })
        {
            Need("v3 codec " + codec, e => e.Json["codecs"]?.ToJsonString().Contains($"\"{codec}\"", StringComparison.Ordinal) == true);
        }

        Need("v3 big-endian bytes codec", e => e.Json["codecs"]?.ToJsonString().Contains("\"big\"", StringComparison.Ordinal) == true);
        Need("v3 shard index at the start", e => e.Json["codecs"]?.ToJsonString().Contains("\"start\"", StringComparison.Ordinal) == true);
        Need("zarrita.js arrays", e => e.Case.StartsWith("zr_", StringComparison.Ordinal));
        Assert.True(missing.Count == 0, "the generated fixtures lack: " + string.Join(", ", missing));
    }

    /// <summary>
    /// Layouts other implementations write that this library does not read yet, each with the clear error it must give
    /// until it does (a case that starts to read fails here, so that it is taken off the list).
    /// </summary>
    private static readonly Dictionary<string, string> NotSupportedYet = new()
    {
        // zarr-python 3 writes strings in shards (create_array(dtype=str, shards=...)); our strings have their own chunk path.
        ["hc_string_sharded"] = "'vlen-utf8' inside 'sharding_indexed' (variable-length strings in shards) is not supported yet",
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Reads_corpus_case(string id)
    {
        var entry = CorpusManifest.Find(id);
        if (NotSupportedYet.TryGetValue(entry.Case, out var message))
        {
            var ex = await Assert.ThrowsAsync<ZarrMetadataException>(() => CheckArrayAsync(entry));
            Assert.Contains(message, ex.Message, StringComparison.Ordinal);
            return;
        }

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
        if (kind == DataTypeKind.String)
        {
            var expected = entry.ZarrFormat == 2 ? "\"|O\"" : "\"string\"";
            if ((e["dtype"] ?? e["data_type"])!.ToJsonString() != expected)
            {
                problems.Add($"data type: read {array.DataType}, manifest {(e["dtype"] ?? e["data_type"])!.ToJsonString()}");
            }
        }
        else if (ExtensionTypes.IsExtension(array.DataType))
        {
            // dates, fixed-length strings, structured: the manifest's dtype read independently (ExtensionTypes).
            var bytesCodec = FindBytesCodec(array.Metadata.Codecs);
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
        if (!JsonNode.DeepEquals(array.Attributes.ToJsonObject(), attributes))
        {
            problems.Add($"attributes: read {array.Attributes.ToJsonString()}, manifest {attributes.ToJsonString()}");
        }

        if (problems.Count > 0)
        {
            return problems; // the values cannot be compared when the shape or type is wrong
        }

        if (kind == DataTypeKind.String)
        {
            return await CheckStringsAsync(entry, store, shape, problems);
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

        // The sha256 covers the elements of the missing chunks too; this says which chunk went wrong. A struct's fill
        // written as a JSON object (v3 "struct") has no independent encoder here, so only the sha256 speaks for it.
        var fill = ExtensionTypes.IsExtension(array.DataType) ? ExtensionTypes.FillValueBytes(e["fill_value"], array.DataType) : Canonical.FillValueBytes(e["fill_value"], kind);
        foreach (var key in e["missing_chunks"]?.AsArray().Select(k => (string)k!) ?? [])
        {
            await CheckChunkIsAbsentAsync(entry, store, key, problems);
            if (fill is null)
            {
                continue;
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

    private static async Task CheckChunkIsAbsentAsync(CorpusEntry entry, IStore store, string key, List<string> problems)
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
    }

    /// <summary>Variable-length strings (v2 <c>|O</c> with vlen-utf8, v3 <c>string</c>): per element a uint32 length and the UTF-8 bytes.</summary>
    private static async Task<List<string>> CheckStringsAsync(CorpusEntry entry, IStore store, long[] shape, List<string> problems)
    {
        var e = entry.Json;
        var strings = await ZarrStringArray.OpenAsync(store, entry.Node);
        var (values, readShape) = await strings.ReadAsync([.. Enumerable.Repeat(Slice.All, shape.Length)]);
        if (!readShape.SequenceEqual(shape))
        {
            problems.Add($"ReadAsync returned shape [{string.Join(", ", readShape)}], expected [{string.Join(", ", shape)}]");
            return problems;
        }

        var sha = Canonical.Sha256(ExtensionTypes.CanonicalStrings(values));
        if (sha != (string)e["sha256"]!)
        {
            problems.Add($"sha256 of the strings: read {sha}, manifest {(string)e["sha256"]!}");
        }

        foreach (var spot in e["spot_values"]?.AsArray() ?? [])
        {
            var index = spot!["index"]!.AsArray().Select(x => (long)x!).ToArray();
            var hex = Convert.ToHexStringLower(ExtensionTypes.CanonicalStrings([values[FlatIndex(index, shape)]]));
            if (hex != (string)spot["hex"]!)
            {
                problems.Add($"spot value at [{string.Join(", ", index)}]: read {hex}, manifest {(string)spot["hex"]!} ({spot["value"]?.ToJsonString()})");
            }
        }

        foreach (var key in e["missing_chunks"]?.AsArray().Select(k => (string)k!) ?? [])
        {
            await CheckChunkIsAbsentAsync(entry, store, key, problems);
        }

        return problems;
    }

    /// <summary>The bytes codec of a chain, inside a sharding codec if that is where it is.</summary>
    private static BytesCodec? FindBytesCodec(IEnumerable<ICodec> codecs) =>
        codecs.OfType<BytesCodec>().SingleOrDefault() ?? codecs.OfType<ShardingCodec>().Select(s => FindBytesCodec(s.Codecs.Codecs)).FirstOrDefault(b => b is not null);

    private static async Task<List<string>> CheckGroupAsync(CorpusEntry entry)
    {
        var problems = new List<string>();
        var group = await ZarrGroup.OpenAsync(OpenStore(entry), entry.Node);
        if ((int)group.Format != entry.ZarrFormat)
        {
            problems.Add($"format: read v{(int)group.Format}, manifest v{entry.ZarrFormat}");
        }

        var attributes = entry.Json["attributes"] ?? new JsonObject();
        if (!JsonNode.DeepEquals(group.Attributes.ToJsonObject(), attributes))
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
