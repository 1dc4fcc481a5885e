using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Zarr.Storage.Buffers;
using Zarr.Storage.Tests.Arrays;
using Zarr.Storage.Tests.Stores;

namespace Zarr.Storage.Tests.Metadata;

public sealed class ConsolidatedTests : IDisposable
{
    private readonly TempDirectory _tmp = new();

    public void Dispose() => _tmp.Dispose();

    private static string CorpusV2 => Path.Combine(MetadataTestPaths.Corpus, "v2");

    [Fact]
    public async Task ZarrPython2Consolidated_OpensWithOneRead_AndReadsExactly()
    {
        var counting = new CountingStore(new DirectoryStore(Path.Combine(CorpusV2, "groups_consolidated.zarr"), new DirectoryStoreOptions { ReadOnly = true }));
        var root = await ZarrGroup.OpenAsync(counting);

        Assert.True(root.UsesConsolidatedMetadata);
        Assert.Equal(new[] { "zarr.json (missing)", ".zmetadata" }, counting.Calls);
        Assert.Equal(1, counting.ValuesRead);
        counting.Calls.Clear();

        // Members, walking, every group's attributes and every array's metadata: no store call at all.
        var walked = new List<string>();
        await foreach (var node in root.WalkAsync())
        {
            walked.Add($"{node.Path}:{node.Kind}");
        }

        var members = new List<string>();
        await foreach (var node in root.MembersAsync())
        {
            members.Add(node.Path);
        }

        Assert.Equal(new[] { "a:Group", "arr_root:Array", "empty:Group", "a/arr1:Array", "a/b:Group", "a/b/arr2:Array" }, walked);
        Assert.Equal(new[] { "a", "arr_root", "empty" }, members);
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(CorpusV2, "manifest.json")))!["entries"]!.AsArray()
            .Where(e => (string?)e!["store"] == "groups_consolidated.zarr").ToList();
        var arrays = new List<(ZarrArray Array, string Sha)>();
        foreach (var entry in manifest)
        {
            var node = (string)entry!["node"]!;
            if ((string?)entry["kind"] == "group")
            {
                var group = node.Length == 0 ? root : await root.OpenGroupAsync(node);
                Assert.True(JsonNode.DeepEquals(entry["attributes"], group.Attributes.ToJsonObject()), node);
            }
            else
            {
                var array = await root.OpenArrayAsync(node);
                Assert.True(JsonNode.DeepEquals(entry["attributes"], array.Attributes.ToJsonObject()), node);
                arrays.Add((array, (string)entry["sha256"]!));
            }
        }

        Assert.Equal(3, arrays.Count);
        Assert.Empty(counting.Calls);

        // The values: only chunks are read.
        foreach (var (array, sha) in arrays)
        {
            Assert.Equal(sha, await ZipTestFiles.CanonicalSha256Async(array));
        }

        Assert.NotEmpty(counting.Calls);
        Assert.DoesNotContain(counting.Calls, c => c.Contains(".z", StringComparison.Ordinal) || c.Contains("zarr.json", StringComparison.Ordinal));

        // Without consolidated metadata (a read-write open reads the documents themselves) the same walk costs a read per document.
        counting.Calls.Clear();
        var plain = await ZarrGroup.OpenAsync(counting, "", AccessMode.ReadWrite);
        Assert.False(plain.UsesConsolidatedMetadata);
        await foreach (var _ in plain.WalkAsync())
        {
        }

        Assert.True(counting.Calls.Count > 10, string.Join(", ", counting.Calls));
    }

    [Fact]
    public async Task V2_WeWriteWhatZarrPython2Writes_AndItOpensIt()
    {
        var folder = _tmp.Combine("v2.zarr");
        var store = new DirectoryStore(folder);
        var (ints, floats) = await WriteHierarchyAsync(store, ZarrFormat.V2);
        var root = await ZarrGroup.OpenAsync(store, "", AccessMode.ReadWrite);
        await root.ConsolidateMetadataAsync();
        var ours = File.ReadAllBytes(Path.Combine(folder, ".zmetadata"));

        // zarr-python 2.13's own consolidation of the same hierarchy, byte for byte.
        var theirs = _tmp.Combine("theirs.zarr");
        CopyFolder(folder, theirs);
        File.Delete(Path.Combine(theirs, ".zmetadata"));
        ZipTestFiles.RunPython("import sys, zarr\nzarr.consolidate_metadata(sys.argv[1])", theirs);
        Assert.Equal(Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(theirs, ".zmetadata"))), Encoding.UTF8.GetString(ours));

        // zarr.open_consolidated reads our .zmetadata (the separate documents are removed, so it can read nothing else).
        foreach (var file in Directory.EnumerateFiles(folder, ".z*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".zmetadata", StringComparison.Ordinal)))
        {
            File.Delete(file);
        }

        var result = JsonNode.Parse(ZipTestFiles.RunPython(CheckScript, folder, "dir"))!;
        AssertPythonRead(result, ints, floats);

        // And so do we.
        var reopened = await ZarrGroup.OpenAsync(new DirectoryStore(folder, new DirectoryStoreOptions { ReadOnly = true }));
        Assert.True(reopened.UsesConsolidatedMetadata);
        Assert.Equal(ints, SelectionTests.ToArray(await (await reopened.OpenArrayAsync<int>("a"))[.., ..]));
    }

    [Fact]
    public async Task V2_ConsolidatedInAZip_OpensInZarrPython2()
    {
        var path = _tmp.Combine("data.zip");
        (int[] Ints, float[] Floats) values;
        await using (var zip = new ZipStore(path, new ZipStoreOptions { Mode = ZipStoreMode.Create }))
        {
            values = await WriteHierarchyAsync(zip, ZarrFormat.V2);
            await (await ZarrGroup.OpenAsync(zip, "", AccessMode.ReadWrite)).ConsolidateMetadataAsync();
            await zip.CommitAsync();
        }

        AssertPythonRead(JsonNode.Parse(ZipTestFiles.RunPython(CheckScript, path, "zip"))!, values.Ints, values.Floats);
        await using var reader = new ZipStore(path);
        var root = await ZarrGroup.OpenAsync(reader);
        Assert.True(root.UsesConsolidatedMetadata);
        Assert.Equal(values.Floats, SelectionTests.ToArray(await (await (await root.OpenGroupAsync("g")).OpenArrayAsync<float>("b"))[..]));
    }

    [Fact]
    public async Task V3_RoundTrip_OneReadForOpenMembersAndChildren()
    {
        var store = new MemoryStore();
        var (ints, floats) = await WriteHierarchyAsync(store, ZarrFormat.V3);
        await (await ZarrGroup.OpenAsync(store, "", AccessMode.ReadWrite)).ConsolidateMetadataAsync();

        var counting = new CountingStore(store);
        var root = await ZarrGroup.OpenAsync(counting);
        Assert.True(root.UsesConsolidatedMetadata);
        Assert.Equal(new[] { "zarr.json" }, counting.Calls);
        counting.Calls.Clear();

        var walked = new List<string>();
        await foreach (var node in root.WalkAsync())
        {
            walked.Add($"{node.Path}:{node.Kind}");
        }

        Assert.Equal(new[] { "a:Array", "empty:Group", "g:Group", "g/b:Array", "g/deeper:Group" }, walked);
        var g = await root.OpenGroupAsync("g");
        Assert.Equal("g", (string?)g.Attributes["name"]);
        var a = await root.OpenArrayAsync<int>("a");
        var b = await g.OpenArrayAsync<float>("b");
        Assert.Equal(new string?[] { "y", "x" }, a.Metadata.DimensionNames);
        Assert.Equal(1, (int?)a.Attributes["n"]);
        await Assert.ThrowsAsync<ZarrNodeException>(() => root.OpenArrayAsync("missing"));
        Assert.Empty(counting.Calls);

        Assert.Equal(ints, SelectionTests.ToArray(await a[.., ..]));
        Assert.Equal(floats, SelectionTests.ToArray(await b[..]));
        Assert.NotEmpty(counting.Calls);
        Assert.All(counting.Calls, c => Assert.Matches("^(a|g/b)/c/[0-9/]+( \\(missing\\))?$", c)); // chunks only
    }

    [Fact]
    public async Task V3_Layout_IsZarrPython3s_ByteForByte()
    {
        var store = new MemoryStore();
        var root = await ZarrGroup.CreateAsync(store, "", ZarrFormat.V3, new JsonObject { ["x"] = 1 });
        await root.CreateArrayAsync<int>("arr", [4], new ArrayOptions { Chunks = [2], Compressors = [] });
        await (await root.CreateGroupAsync("g")).CreateGroupAsync("h");
        await root.ConsolidateMetadataAsync();

        // The layout of zarr-python 3's ConsolidatedMetadata.to_dict / GroupMetadata.to_dict, dumped with indent 2
        // (its json_indent default): consolidated_metadata between zarr_format and node_type, kind / must_understand /
        // metadata, flattened paths, and every child group carrying an empty inline snapshot of its own.
        const string Expected = """
            {
              "attributes": {
                "x": 1
              },
              "zarr_format": 3,
              "consolidated_metadata": {
                "kind": "inline",
                "must_understand": false,
                "metadata": {
                  "arr": {
                    "shape": [
                      4
                    ],
                    "data_type": "int32",
                    "chunk_grid": {
                      "name": "regular",
                      "configuration": {
                        "chunk_shape": [
                          2
                        ]
                      }
                    },
                    "chunk_key_encoding": {
                      "name": "default",
                      "configuration": {
                        "separator": "/"
                      }
                    },
                    "fill_value": 0,
                    "codecs": [
                      {
                        "name": "bytes",
                        "configuration": {
                          "endian": "little"
                        }
                      }
                    ],
                    "attributes": {},
                    "zarr_format": 3,
                    "node_type": "array",
                    "storage_transformers": []
                  },
                  "g": {
                    "attributes": {},
                    "zarr_format": 3,
                    "consolidated_metadata": {
                      "kind": "inline",
                      "must_understand": false,
                      "metadata": {}
                    },
                    "node_type": "group"
                  },
                  "g/h": {
                    "attributes": {},
                    "zarr_format": 3,
                    "consolidated_metadata": {
                      "kind": "inline",
                      "must_understand": false,
                      "metadata": {}
                    },
                    "node_type": "group"
                  }
                }
              },
              "node_type": "group"
            }
            """;
        using var written = await store.GetAsync("zarr.json");
        Assert.Equal(Expected, Encoding.UTF8.GetString(written!.Span));

        // The same document, as Python's json module lays it out after reading it back (an independent serializer).
        var python = ZipTestFiles.RunPython("import json,sys\nsys.stdout.write(json.dumps(json.loads(sys.argv[1]), indent=2))", Expected);
        Assert.Equal(Expected, python);
    }

    [Fact]
    public async Task Snapshot_IsStaleUntilRefreshed_AndReadWriteOpensNeverUseIt()
    {
        foreach (var format in new[] { ZarrFormat.V2, ZarrFormat.V3 })
        {
            var store = new MemoryStore();
            var root = await ZarrGroup.CreateAsync(store, "", format);
            await root.CreateArrayAsync<byte>("first", [2]);
            await root.ConsolidateMetadataAsync();

            // A change after consolidation: read-only opens see the snapshot (zarr-python semantics), read-write opens the truth.
            await root.CreateArrayAsync<byte>("second", [2]);
            Assert.Equal(new[] { "first" }, await MemberNamesAsync(await ZarrGroup.OpenAsync(store)));
            var writable = await ZarrGroup.OpenAsync(store, "", AccessMode.ReadWrite);
            Assert.False(writable.UsesConsolidatedMetadata);
            Assert.Equal(new[] { "first", "second" }, await MemberNamesAsync(writable));

            // Refreshing brings readers up to date.
            await writable.ConsolidateMetadataAsync();
            var reader = await ZarrGroup.OpenAsync(store);
            Assert.True(reader.UsesConsolidatedMetadata);
            Assert.Equal(new[] { "first", "second" }, await MemberNamesAsync(reader));

            // Nothing can be written through the snapshot.
            await Assert.ThrowsAsync<ZarrException>(() => reader.CreateGroupAsync("x"));
            await Assert.ThrowsAsync<ZarrStoreException>(async () => await reader.Store.SetAsync("k", new byte[1]));
        }

        // v3: rewriting the group's own zarr.json drops its snapshot rather than keeping a stale one in it.
        var v3 = new MemoryStore();
        var group = await ZarrGroup.CreateAsync(v3);
        await group.CreateArrayAsync<byte>("a", [2]);
        await group.ConsolidateMetadataAsync();
        await group.SetAttributesAsync(new JsonObject { ["changed"] = true });
        var reopened = await ZarrGroup.OpenAsync(v3);
        Assert.False(reopened.UsesConsolidatedMetadata);
        Assert.True((bool)reopened.Attributes["changed"]!);
    }

    [Fact]
    public async Task TryOpen_GivesAViewArraysOpenThrough_OrNull()
    {
        var store = new MemoryStore();
        var root = await ZarrGroup.CreateAsync(store, "", ZarrFormat.V2);
        var sub = await root.CreateGroupAsync("sub");
        var array = await sub.CreateArrayAsync<long>("x", [5], new ArrayOptions { Chunks = [2] });
        await array[..].WriteAsync(new long[] { 1, 2, 3, 4, 5 });
        Assert.Null(await ConsolidatedMetadata.TryOpenAsync(store));

        // Consolidating a subgroup (zarr-python 3's path argument): keys relative to it, in its own .zmetadata.
        await ConsolidatedMetadata.WriteAsync(store, "sub");
        using (var document = await store.GetAsync("sub/.zmetadata"))
        {
            var keys = JsonNode.Parse(document!.Span)!["metadata"]!.AsObject().Select(p => p.Key);
            Assert.Equal(new[] { ".zgroup", "x/.zarray" }, keys);
        }

        var view = await ConsolidatedMetadata.TryOpenAsync(store, "sub");
        Assert.NotNull(view);
        Assert.Equal(ZarrFormat.V2, view.Format);
        Assert.Equal("sub", view.Path);
        var opened = await ZarrArray.OpenAsync<long>(view, "sub/x");
        Assert.Equal(new long[] { 1, 2, 3, 4, 5 }, SelectionTests.ToArray(await opened[..]));
        Assert.True(opened.IsReadOnly);
        await Assert.ThrowsAsync<ZarrNodeException>(() => ConsolidatedMetadata.WriteAsync(store, "sub/x"));
    }

    [Fact]
    public async Task DamagedConsolidatedMetadata_IsAMetadataError()
    {
        var store = new MemoryStore();
        await ZarrGroup.CreateAsync(store, "", ZarrFormat.V2);
        await store.SetAsync(".zmetadata", """{"zarr_consolidated_format": 2, "metadata": {}}"""u8.ToArray());
        var e = await Assert.ThrowsAsync<ZarrMetadataException>(() => ZarrGroup.OpenAsync(store));
        Assert.Equal("zarr_consolidated_format", e.Field);

        var v3 = new MemoryStore();
        await v3.SetAsync("zarr.json", """{"zarr_format": 3, "node_type": "group", "consolidated_metadata": {"kind": "inline", "must_understand": false, "metadata": {"../x": {"zarr_format": 3, "node_type": "group"}}}}"""u8.ToArray());
        e = await Assert.ThrowsAsync<ZarrMetadataException>(() => ZarrGroup.OpenAsync(v3));
        Assert.Contains("not a valid", e.Message, StringComparison.Ordinal);
    }

    private const string CheckScript = """
        import sys, zarr, hashlib, json
        import numpy as np
        store = zarr.ZipStore(sys.argv[1], mode='r') if sys.argv[2] == 'zip' else sys.argv[1]
        root = zarr.open_consolidated(store, mode='r')
        assert isinstance(root.store, zarr.storage.ConsolidatedMetadataStore)
        a = root['a'][...]
        b = root['g/b'][...]
        print(json.dumps({"title": root.attrs['title'], "n": root['a'].attrs['n'], "groups": sorted(root.group_keys()),
            "a": hashlib.sha256(np.ascontiguousarray(a).astype('<i4').tobytes()).hexdigest(),
            "b": hashlib.sha256(np.ascontiguousarray(b).astype('<f4').tobytes()).hexdigest()}))
        """;

    private static void AssertPythonRead(JsonNode result, int[] ints, float[] floats)
    {
        Assert.Equal("consolidated", (string?)result["title"]);
        Assert.Equal(1, (int?)result["n"]);
        Assert.Equal("[\"empty\",\"g\"]", result["groups"]!.ToJsonString());
        Assert.Equal(Sha256(ints), (string?)result["a"]);
        Assert.Equal(Sha256(floats), (string?)result["b"]);
    }

    /// <summary>root {title} / a int32 [7,5] {n: 1} / empty / g {name} / g/b float32 [9] / g/deeper (v3: with dimension names on a).</summary>
    private static async Task<(int[] Ints, float[] Floats)> WriteHierarchyAsync(IStore store, ZarrFormat format)
    {
        var ints = Enumerable.Range(0, 35).Select(i => (i * 37) - 500).ToArray();
        var floats = Enumerable.Range(0, 9).Select(i => i * 0.5f).ToArray();
        var root = await ZarrGroup.CreateAsync(store, "", format, new JsonObject { ["title"] = "consolidated" });
        var a = await root.CreateArrayAsync<int>("a", [7, 5], new ArrayOptions
        {
            Chunks = [3, 2],
            Attributes = new JsonObject { ["n"] = 1 },
            DimensionNames = format == ZarrFormat.V3 ? ["y", "x"] : null,
        });
        await a[.., ..].WriteAsync(ints);
        await root.CreateGroupAsync("empty");
        var g = await root.CreateGroupAsync("g", new JsonObject { ["name"] = "g" });
        var b = await g.CreateArrayAsync<float>("b", [9], new ArrayOptions { Chunks = [4] });
        await b[..].WriteAsync(floats);
        await g.CreateGroupAsync("deeper");
        return (ints, floats);
    }

    private static async Task<List<string>> MemberNamesAsync(ZarrGroup group)
    {
        var names = new List<string>();
        await foreach (var member in group.MembersAsync())
        {
            names.Add(member.Path);
        }

        return names;
    }

    private static string Sha256<T>(T[] values) where T : unmanaged =>
        Convert.ToHexStringLower(SHA256.HashData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan())));

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    /// <summary>A store that records every read-side call: the key, with " (missing)" when nothing was there.</summary>
    private sealed class CountingStore(IStore inner) : IStore
    {
        public List<string> Calls { get; } = [];

        public int ValuesRead { get; private set; }

        public bool IsReadOnly => inner.IsReadOnly;

        public async ValueTask<PooledBuffer?> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
        {
            var value = await inner.GetAsync(key, range, cancellationToken);
            Record(value is null ? key + " (missing)" : key);
            if (value is not null)
            {
                lock (Calls)
                {
                    ValuesRead++;
                }
            }

            return value;
        }

        public async ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
        {
            var exists = await inner.ExistsAsync(key, cancellationToken);
            Record("exists " + key);
            return exists;
        }

        public async ValueTask<long?> GetSizeAsync(string key, CancellationToken cancellationToken = default)
        {
            Record("size " + key);
            return await inner.GetSizeAsync(key, cancellationToken);
        }

        public ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) => inner.SetAsync(key, value, cancellationToken);

        public ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);

        public ValueTask DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default) => inner.DeletePrefixAsync(prefix, cancellationToken);

        public IAsyncEnumerable<StoreEntry> ListPrefixAsync(string prefix, CancellationToken cancellationToken = default)
        {
            Record("list " + prefix);
            return inner.ListPrefixAsync(prefix, cancellationToken);
        }

        public IAsyncEnumerable<string> ListDirectoryAsync(string prefix, CancellationToken cancellationToken = default)
        {
            Record("listdir " + prefix);
            return inner.ListDirectoryAsync(prefix, cancellationToken);
        }

        private void Record(string call)
        {
            lock (Calls)
            {
                Calls.Add(call);
            }
        }
    }
}
