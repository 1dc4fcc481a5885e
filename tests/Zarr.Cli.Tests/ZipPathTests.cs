using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Zarr.Cli.Npy;
using Zarr.Storage;
using Zarr.Tests.Shared;

namespace Zarr.Cli.Tests;

/// <summary>Paths that run through a <c>.zip</c> file continue inside it: <c>data.zip/group/array</c>.</summary>
public sealed class ZipPathTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ImportInfoAndExportThroughAZip()
    {
        await Python.RunAsync(_temp.Path, """
            np.save('a.npy', np.arange(-60, 60, dtype='<i4').reshape(10, 12))
            np.save('b.npy', np.asfortranarray(np.linspace(-1, 1, 35).astype('>f8').reshape(5, 7)))
            """);
        var zip = _temp.Combine("data.zip");
        var zip2 = _temp.Combine("data2.zip");
        var a = Path.Combine(zip, "group", "arr");
        var b = Path.Combine(zip2, "b");

        await Cli.RunExpectingAsync(0, "import", _temp.Combine("a.npy"), a, "--chunks", "4,5");
        Assert.True(File.Exists(zip));

        // The import wrote data.zip's root and 'group' as v3 groups: a v2 array beside them would be a mixed hierarchy
        // (issue 22), refused with nothing written; in a zip of its own it is a v2 hierarchy.
        var mixed = await Cli.RunExpectingAsync(1, "import", _temp.Combine("b.npy"), Path.Combine(zip, "b"), "--format", "2", "--codec", "zlib:3");
        Assert.Contains("one format", mixed.Stderr, StringComparison.Ordinal);
        await Cli.RunExpectingAsync(0, "import", _temp.Combine("b.npy"), b, "--format", "2", "--codec", "zlib:3");

        // Each array is in its zip file, and nothing else is left beside them (no lock, no temporary file).
        Assert.Equal(new[] { "a.npy", "b.npy", "data.zip", "data2.zip" }, Directory.GetFileSystemEntries(_temp.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        await using (var store = new ZipStore(zip))
        {
            Assert.True(await store.ExistsAsync("group/arr/zarr.json"));
            Assert.False(await store.ExistsAsync("b/.zarray"));
        }

        await using (var store = new ZipStore(zip2))
        {
            Assert.True(await store.ExistsAsync("b/.zarray"));
            Assert.True(await store.ExistsAsync(".zgroup"));
        }

        var json = (await Cli.RunExpectingAsync(0, "info", a, "--json")).Json;
        Assert.Equal(3, (int)json["zarr_format"]!);
        Assert.Equal("array", (string)json["node_type"]!);
        Assert.Equal("[10,12]", json["shape"]!.ToJsonString());
        Assert.Equal("int32", (string)json["data_type"]!);
        Assert.Equal("[4,5]", json["chunks"]!.ToJsonString());
        Assert.Equal(9, (long)json["chunks_initialized"]!);
        Assert.Contains(zip, (string)json["store"]!, StringComparison.Ordinal);

        json = (await Cli.RunExpectingAsync(0, "info", b, "--json")).Json;
        Assert.Equal(2, (int)json["zarr_format"]!);
        Assert.Equal("<f8", (string)json["data_type"]!);
        Assert.Equal("""{"id":"zlib","level":3}""", json["codecs"]!.ToJsonString());

        var text = (await Cli.RunExpectingAsync(0, "info", a)).Stdout;
        Assert.Contains("10, 12", text, StringComparison.Ordinal);
        Assert.Contains("int32", text, StringComparison.Ordinal);

        await Cli.RunExpectingAsync(0, "export", a, _temp.Combine("a-out.npy"));
        await Cli.RunExpectingAsync(0, "export", b, _temp.Combine("b-out.npy"));
        await Cli.RunExpectingAsync(0, "export", b, _temp.Combine("b-region.npy"), "--region", "1:4,::3");
        var check = await Python.RunAsync(_temp.Path, """
            a = np.load('a.npy'); b = np.load('b.npy')
            a2 = np.load('a-out.npy'); b2 = np.load('b-out.npy'); r = np.load('b-region.npy')
            print(a2.dtype == a.dtype, np.array_equal(a, a2), b2.dtype.str, np.array_equal(b, b2), np.array_equal(b[1:4, ::3], r))
            """);
        Assert.Equal("True True <f8 True True", check);
    }

    [Fact]
    public async Task AGroupInsideAZipLists()
    {
        await Python.RunAsync(_temp.Path, "np.save('in.npy', np.arange(6, dtype='<u1'))");
        var zip = _temp.Combine("data.zip");
        await using (var store = new ZipStore(zip, new ZipStoreOptions { Mode = ZipStoreMode.Create }))
        {
            await ZarrGroup.CreateAsync(store, "g");
            await store.CommitAsync();
        }

        await Cli.RunExpectingAsync(0, "import", _temp.Combine("in.npy"), Path.Combine(zip, "g", "x"));

        var json = (await Cli.RunExpectingAsync(0, "info", Path.Combine(zip, "g"), "--json")).Json;
        Assert.Equal("group", (string)json["node_type"]!);
        Assert.Equal("""{"x":"array"}""", json["members"]!.ToJsonString());
        var text = (await Cli.RunExpectingAsync(0, "info", Path.Combine(zip, "g"))).Stdout;
        Assert.Contains("x", text, StringComparison.Ordinal);
        Assert.Contains("members: 1", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ZarrPythonReadsAnArrayImportedIntoAZip()
    {
        // zarr-python writes the zip first (one array); we append ours; zarr-python reads both.
        await Python.RunAsync(_temp.Path, """
            import zarr
            np.save('in.npy', np.asfortranarray(np.arange(300, dtype='>f4').reshape(10, 30)))
            store = zarr.ZipStore('data.zip', mode='w')
            root = zarr.group(store=store)
            root.create_dataset('py', data=np.arange(17, dtype='<i2'), chunks=(5,))
            store.close()
            """.Replace("import zarr", ZarrImport, StringComparison.Ordinal));

        await Cli.RunExpectingAsync(0, "import", _temp.Combine("in.npy"), _temp.Combine("data.zip", "group", "arr"),
            "--format", "2", "--chunks", "4,7", "--codec", "zlib:5", "--fill", "-1.5", "--attr", "units=K");

        var check = await Python.RunAsync(_temp.Path, ZarrImport + """

            store = zarr.ZipStore('data.zip', mode='r')
            z = zarr.open_array(store=store, path='group/arr', mode='r')
            py = zarr.open_array(store=store, path='py', mode='r')
            print(np.array_equal(z[:], np.load('in.npy')), z.chunks, z.compressor.codec_id, z.compressor.level, z.fill_value, z.attrs['units'],
                  np.array_equal(py[:], np.arange(17)))
            store.close()
            """);
        Assert.Equal("True (4, 7) zlib 5 -1.5 K True", check);
    }

    public static TheoryData<string> CorpusZipNodes()
    {
        var data = new TheoryData<string>();
        foreach (var entry in CorpusZipEntries())
        {
            data.Add((string)entry["path"]!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CorpusZipNodes))]
    public async Task TheCorpusZipReads(string corpusPath)
    {
        var entry = CorpusZipEntries().Single(e => (string)e["path"]! == corpusPath);
        var path = Path.Combine(TestCorpora.Fixtures.Format("v2"), corpusPath);

        var json = (await Cli.RunExpectingAsync(0, "info", path, "--json")).Json;
        var text = (await Cli.RunExpectingAsync(0, "info", path)).Stdout;

        Assert.Equal((int)entry["zarr_format"]!, (int)json["zarr_format"]!);
        Assert.Equal((string)entry["kind"]!, (string)json["node_type"]!);
        Assert.True(JsonNode.DeepEquals(entry["attributes"], json["attributes"]), json["attributes"]!.ToJsonString());
        Assert.NotEmpty(text);
        if ((string)entry["kind"]! == "group")
        {
            return;
        }

        Assert.True(JsonNode.DeepEquals(entry["shape"], json["shape"]));
        Assert.True(JsonNode.DeepEquals(entry["chunks"], json["chunks"]));
        Assert.Equal((string)entry["dtype"]!, (string)json["data_type"]!);
        Assert.True(JsonNode.DeepEquals(entry["compressor"], json["codecs"]), json["codecs"]?.ToJsonString());

        var output = _temp.Combine("out.npy");
        await Cli.RunExpectingAsync(0, "export", path, output);
        var stream = File.OpenRead(output);
        await using (stream)
        {
            var header = await NpyHeader.ReadAsync(stream, output, default);
            Assert.Equal(header.DataOffset + (long)entry["nbytes_canonical"]!, stream.Length);
            stream.Position = header.DataOffset;
            var data = new byte[stream.Length - header.DataOffset];
            await stream.ReadExactlyAsync(data);
            var sha = Convert.ToHexStringLower(SHA256.HashData(CanonicalNaNs(data, entry["dtype"] is JsonValue v ? v.GetValue<string>() : "")));
            Assert.Equal((string)entry["sha256"]!, sha);
        }
    }

    [Fact]
    public async Task TheCorpusZipRootListsItsMembers()
    {
        var path = Path.Combine(TestCorpora.Fixtures.Format("v2"), "zipstore.zip");
        var json = (await Cli.RunExpectingAsync(0, "info", path, "--json")).Json;
        Assert.Equal("group", (string)json["node_type"]!);
        Assert.Equal("array", (string)json["members"]!["a"]!);
        Assert.Equal("group", (string)json["members"]!["g"]!);
    }

    [Fact]
    public async Task AMissingNodeInsideAZipFails()
    {
        await WriteZipWithArrayAsync();
        var zip = _temp.Combine("data.zip");
        var before = await File.ReadAllBytesAsync(zip);

        foreach (var args in new[]
        {
            new[] { "info", Path.Combine(zip, "nope") },
            new[] { "info", Path.Combine(zip, "nope", "deeper"), "--json" },
            new[] { "export", Path.Combine(zip, "nope"), _temp.Combine("out.npy") },
        })
        {
            var result = await Cli.RunExpectingAsync(1, args);
            Assert.Empty(result.Stdout);
            Assert.Contains("no array or group at", result.Stderr, StringComparison.Ordinal);
        }

        Assert.False(File.Exists(_temp.Combine("out.npy")));
        Assert.Equal(before, await File.ReadAllBytesAsync(zip));
    }

    [Fact]
    public async Task AnExistingNodeInsideAZipNeedsOverwrite()
    {
        await WriteZipWithArrayAsync();
        await Python.RunAsync(_temp.Path, "np.save('new.npy', np.full((3, 3), 9, dtype='<i8'))");
        var zip = _temp.Combine("data.zip");
        var target = Path.Combine(zip, "g", "arr");
        var before = await File.ReadAllBytesAsync(zip);

        var result = await Cli.RunExpectingAsync(1, "import", _temp.Combine("new.npy"), target);
        Assert.Contains("already holds a Zarr array (use --overwrite", result.Stderr, StringComparison.Ordinal);
        result = await Cli.RunExpectingAsync(1, "import", _temp.Combine("new.npy"), Path.Combine(zip, "g"));
        Assert.Contains("already holds a Zarr group", result.Stderr, StringComparison.Ordinal);
        result = await Cli.RunExpectingAsync(1, "import", _temp.Combine("new.npy"), Path.Combine(zip, "g", "arr", ".zarray"));
        Assert.Contains("is a file in", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(zip));

        await Cli.RunExpectingAsync(0, "import", _temp.Combine("new.npy"), target, "--overwrite");
        await Cli.RunExpectingAsync(0, "export", target, _temp.Combine("out.npy"));
        await Cli.RunExpectingAsync(0, "export", Path.Combine(zip, "other"), _temp.Combine("other.npy"));
        var check = await Python.RunAsync(_temp.Path, """
            print(np.array_equal(np.load('out.npy'), np.full((3, 3), 9)), np.array_equal(np.load('other.npy'), np.arange(5)))
            """);
        Assert.Equal("True True", check);
        var json = (await Cli.RunExpectingAsync(0, "info", Path.Combine(zip, "g"), "--json")).Json;
        Assert.Equal("""{"arr":"array"}""", json["members"]!.ToJsonString());
    }

    [Fact]
    public async Task AFailedImportLeavesTheZipUnchanged()
    {
        await WriteZipWithArrayAsync();
        var zip = _temp.Combine("data.zip");
        var before = await File.ReadAllBytesAsync(zip);
        await Python.RunAsync(_temp.Path, """
            np.save('ok.npy', np.arange(1000, dtype='<f8'))
            data = open('ok.npy', 'rb').read()
            open('truncated.npy', 'wb').write(data[:-100])
            """);

        var result = await Cli.RunExpectingAsync(1, "import", _temp.Combine("truncated.npy"), Path.Combine(zip, "t"));
        Assert.Contains("truncated", result.Stderr, StringComparison.Ordinal);
        await Cli.RunExpectingAsync(1, "import", _temp.Combine("missing.npy"), Path.Combine(zip, "t"));
        await Cli.RunExpectingAsync(2, "import", _temp.Combine("ok.npy"), Path.Combine(zip, "t"), "--codec", "bogus");

        Assert.Equal(before, await File.ReadAllBytesAsync(zip));
        Assert.Equal(new[] { "data.zip", "ok.npy", "truncated.npy" }, Directory.GetFileSystemEntries(_temp.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        // A failed import into a zip that does not exist yet creates nothing.
        await Cli.RunExpectingAsync(1, "import", _temp.Combine("truncated.npy"), _temp.Combine("new.zip", "t"));
        Assert.False(File.Exists(_temp.Combine("new.zip")));
        Assert.False(Directory.Exists(_temp.Combine("new.zip")));
    }

    [Fact]
    public async Task ImportAtTheRootOfANewZip()
    {
        await Python.RunAsync(_temp.Path, "np.save('in.npy', np.arange(24, dtype='<i2').reshape(2, 3, 4))");
        var zip = _temp.Combine("root.zip");

        await Cli.RunExpectingAsync(0, "import", _temp.Combine("in.npy"), zip);
        await Cli.RunExpectingAsync(1, "import", _temp.Combine("in.npy"), zip);
        await Cli.RunExpectingAsync(0, "import", _temp.Combine("in.npy"), zip, "--overwrite", "--format", "2");
        await Cli.RunExpectingAsync(0, "export", zip, _temp.Combine("out.npy"));

        Assert.True(File.Exists(zip));
        var json = (await Cli.RunExpectingAsync(0, "info", zip, "--json")).Json;
        Assert.Equal(2, (int)json["zarr_format"]!);
        await using (var store = new ZipStore(zip))
        {
            Assert.False(await store.ExistsAsync("zarr.json")); // the v3 node was replaced, not left beside the v2 one
        }

        Assert.Equal("True", await Python.RunAsync(_temp.Path, "print(np.array_equal(np.load('in.npy'), np.load('out.npy')))"));
    }

    [Fact]
    public async Task AFolderNamedLikeAZipStaysAFolder()
    {
        await Python.RunAsync(_temp.Path, "np.save('in.npy', np.arange(4, dtype='<i4'))");
        var folder = _temp.Combine("odd.zip");
        Directory.CreateDirectory(folder);

        await Cli.RunExpectingAsync(0, "import", _temp.Combine("in.npy"), Path.Combine(folder, "arr"));
        await Cli.RunExpectingAsync(0, "export", Path.Combine(folder, "arr"), _temp.Combine("out.npy"));

        Assert.True(File.Exists(Path.Combine(folder, "arr", "zarr.json")));
        Assert.Equal("True", await Python.RunAsync(_temp.Path, "print(np.array_equal(np.load('in.npy'), np.load('out.npy')))"));
    }

    [Fact]
    public async Task AFileThatIsNotAZipFailsWithOneLine()
    {
        await File.WriteAllTextAsync(_temp.Combine("bad.zip"), "not a zip file at all");
        await Python.RunAsync(_temp.Path, "np.save('in.npy', np.arange(4))");

        var result = await Cli.RunExpectingAsync(1, "info", _temp.Combine("bad.zip", "a"));
        Assert.Contains("bad.zip", result.Stderr, StringComparison.Ordinal);
        result = await Cli.RunExpectingAsync(1, "import", _temp.Combine("in.npy"), _temp.Combine("bad.zip", "a"));
        Assert.Contains("bad.zip", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("not a zip file at all", await File.ReadAllTextAsync(_temp.Combine("bad.zip")));
    }

    private const string ZarrImport = """
        try:
            import zarr
        except ImportError:
            raise SystemExit("zarr-python 2 is missing: install python3-zarr (apt-get install -y python3-zarr)")
        """;

    /// <summary>data.zip holding the group g with the v2 array g/arr (4x4 int32) and the v3 array other (0..4).</summary>
    private async Task WriteZipWithArrayAsync()
    {
        await using var store = new ZipStore(_temp.Combine("data.zip"), new ZipStoreOptions { Mode = ZipStoreMode.Create });
        await ZarrGroup.CreateAsync(store, "g", ZarrFormat.V2);
        await ZarrArray.FromDataAsync<int>(store, "g/arr", new int[16], [4, 4], new ArrayOptions { Format = ZarrFormat.V2 });
        await ZarrArray.FromDataAsync<long>(store, "other", new long[] { 0, 1, 2, 3, 4 }, [5]);
        await store.CommitAsync();
    }

    /// <summary>The corpus's canonical NaN (sign 0, quiet) in little-endian floats and complex parts: the manifest's sha256 is of that.</summary>
    private static byte[] CanonicalNaNs(byte[] data, string dtype)
    {
        var size = dtype switch { "<f2" => 2, "<f4" or "<c8" => 4, "<f8" or "<c16" => 8, _ => 0 };
        for (var at = 0; size > 0 && at + size <= data.Length; at += size)
        {
            var part = data.AsSpan(at, size);
            switch (size)
            {
                case 2 when Half.IsNaN(BitConverter.ToHalf(part)):
                    BitConverter.TryWriteBytes(part, (ushort)0x7E00);
                    break;
                case 4 when float.IsNaN(BitConverter.ToSingle(part)):
                    BitConverter.TryWriteBytes(part, 0x7FC00000);
                    break;
                case 8 when double.IsNaN(BitConverter.ToDouble(part)):
                    BitConverter.TryWriteBytes(part, 0x7FF8000000000000);
                    break;
            }
        }

        return data;
    }

    private static IEnumerable<JsonObject> CorpusZipEntries()
    {
        return TestCorpora.Manifest(TestCorpora.Fixtures, "v2").Where(e => (string?)e["store"] == "zipstore.zip");
    }
}
