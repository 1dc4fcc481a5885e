using Zarr.Storage.Internal;
using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Zarr.Storage.Tests.Arrays;
using Zarr.Storage.Tests.Metadata;

namespace Zarr.Storage.Tests.Stores;

/// <summary>The store contract, for a zip store written in this session (every operation applies: deletes rewrite on dispose).</summary>
public sealed class ZipStoreTests() : ZipStoreContractTests(new ZipStoreOptions { Mode = ZipStoreMode.Create }, readOnlyDeflateEvery: 2);

/// <summary>The same contract with deflate compression.</summary>
public sealed class ZipStoreDeflateTests() : ZipStoreContractTests(
    new ZipStoreOptions { Mode = ZipStoreMode.Create, Compression = ZipCompression.Deflate, CompressionLevel = CompressionLevel.Fastest },
    readOnlyDeflateEvery: 1);

/// <summary>The store contract for zip stores written with <paramref name="options"/>; every store a test opens is aborted after it.</summary>
public abstract class ZipStoreContractTests(ZipStoreOptions options, int readOnlyDeflateEvery) : StoreContractTests, IAsyncLifetime
{
    private readonly TempDirectory _tmp = new();
    private readonly List<ZipStore> _stores = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.AbortAsync();
        }

        _tmp.Dispose();
    }

    protected override IStore CreateStore() => Track(new ZipStore(_tmp.Combine("store.zip"), options));

    /// <summary>The read-only store reads a zip written by System.IO.Compression (an independent writer), stored and deflated.</summary>
    protected override IStore CreateReadOnlyStore(IReadOnlyDictionary<string, byte[]> content)
    {
        var path = _tmp.Combine("readonly.zip");
        ZipTestFiles.WriteWithZipArchive(path, content, deflateEvery: readOnlyDeflateEvery);
        return Track(new ZipStore(path));
    }

    private ZipStore Track(ZipStore store)
    {
        _stores.Add(store);
        return store;
    }
}

/// <summary>What is particular to zip files: the archive on disk, one writer, atomic replacement, interop with zarr-python.</summary>
public sealed class ZipStoreFileTests : IDisposable
{
    private readonly TempDirectory _tmp = new();

    public void Dispose() => _tmp.Dispose();

    private string ZipPath => _tmp.Combine("data.zip");

    private static ZipStoreOptions Create => new() { Mode = ZipStoreMode.Create };

    private static ZipStoreOptions Append => new() { Mode = ZipStoreMode.Append };

    [Fact]
    public void Crc32_IsTheZipChecksum()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
        Assert.Equal(0u, Crc32.Compute([]));
        var data = RandomBytes(100_003, 5);
        Assert.Equal(Crc32.Compute(data), Crc32.Append(Crc32.Compute(data.AsSpan(0, 777)), data.AsSpan(777)));
    }

    [Fact]
    public async Task WrittenArchive_IsStoredOncePerKey_AndReadBySystemIOCompression()
    {
        await using (var store = new ZipStore(ZipPath, Create))
        {
            await store.SetAsync("a/x", RandomBytes(1000, 1));
            await store.SetAsync("a/x", RandomBytes(10, 2));
            await store.SetAsync("b", RandomBytes(5000, 3));
            await store.SetAsync("gone", RandomBytes(7000, 4));
            await store.DeleteAsync("gone");
            await store.SetAsync("ü/日本", RandomBytes(3, 5));
            Assert.False(File.Exists(ZipPath), "nothing reaches the target before dispose");
            await store.CommitAsync();
        }

        using var archive = ZipFile.OpenRead(ZipPath);
        Assert.Equal(new[] { "a/x", "b", "ü/日本" }, archive.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal));
        foreach (var entry in archive.Entries)
        {
            Assert.Equal(entry.Length, entry.CompressedLength); // ZIP_STORED, as zarr-python writes
        }

        Assert.Equal(RandomBytes(10, 2), ReadEntry(archive, "a/x"));
        Assert.Equal(RandomBytes(5000, 3), ReadEntry(archive, "b"));

        // No dead bytes: the overwritten and deleted values were compacted away.
        var expected = archive.Entries.Sum(e => 30 + 46 + (2 * System.Text.Encoding.UTF8.GetByteCount(e.FullName)) + e.Length) + 22;
        Assert.Equal(expected, new FileInfo(ZipPath).Length);
        Assert.Empty(Directory.EnumerateFiles(_tmp.Path, ".*"));
    }

    [Fact]
    public async Task Deflate_IsReadBackBySystemIOCompression_AndRangesInflateOnlyWhatIsNeeded()
    {
        var value = new byte[300_000];
        for (var i = 0; i < value.Length; i++)
        {
            value[i] = (byte)(i % 251 < 100 ? 7 : i % 13);
        }

        await using (var store = new ZipStore(ZipPath, new ZipStoreOptions { Mode = ZipStoreMode.Create, Compression = ZipCompression.Deflate }))
        {
            await store.SetAsync("v", value);
            using var part = await store.GetAsync("v", ByteRange.Slice(1000, 50));
            Assert.Equal(value.AsSpan(1000, 50).ToArray(), part!.Span.ToArray());
            await store.CommitAsync();
        }

        using (var archive = ZipFile.OpenRead(ZipPath))
        {
            var entry = archive.GetEntry("v")!;
            Assert.True(entry.CompressedLength < value.Length / 4);
            Assert.Equal(value, ReadEntry(archive, "v"));
        }

        await using var reader = new ZipStore(ZipPath);
        using var suffix = await reader.GetAsync("v", ByteRange.Suffix(10));
        Assert.Equal(value.AsSpan(value.Length - 10).ToArray(), suffix!.Span.ToArray());
    }

    [Fact]
    public async Task ForeignArchive_WithDataDescriptorsDirectoriesAndDuplicates_IsRead()
    {
        // Written to a non-seekable stream, System.IO.Compression uses data descriptors (flag bit 3).
        var path = ZipPath;
        using (var file = File.Create(path))
        using (var forwardOnly = new ForwardOnlyStream(file))
        using (var archive = new ZipArchive(forwardOnly, ZipArchiveMode.Create))
        {
            archive.CreateEntry("dir/");
            WriteEntry(archive, "dir/k", RandomBytes(100, 1), CompressionLevel.Optimal);
            WriteEntry(archive, "dup", RandomBytes(10, 2), CompressionLevel.NoCompression);
            WriteEntry(archive, "dup", RandomBytes(20, 3), CompressionLevel.NoCompression);
            WriteEntry(archive, "../escape", RandomBytes(5, 4), CompressionLevel.NoCompression);
        }

        await using (var store = new ZipStore(path))
        {
            Assert.Equal(RandomBytes(100, 1), await ReadAsync(store, "dir/k"));
            Assert.Equal(RandomBytes(20, 3), await ReadAsync(store, "dup")); // the last of a repeated name wins, as zipfile reads it
            Assert.Equal(new[] { "dir/k", "dup" }, (await ListAsync(store)).Select(e => e.Key));
        }

        // Appending keeps the entries that are not keys, and the archive holds each key once afterwards.
        await using (var store = new ZipStore(path, Append))
        {
            await store.SetAsync("new", RandomBytes(3, 9));
            await store.CommitAsync();
        }

        using var reread = ZipFile.OpenRead(path);
        Assert.Equal(new[] { "../escape", "dir/k", "dup", "new" }, reread.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal));
        Assert.Equal(RandomBytes(20, 3), ReadEntry(reread, "dup"));
        Assert.Equal(RandomBytes(5, 4), ReadEntry(reread, "../escape"));
    }

    [Fact]
    public async Task Append_KeepsTheOldEntries_AddsAndDeletes()
    {
        File.Copy(Path.Combine(MetadataTestPaths.Corpus, "v2", "zipstore.zip"), ZipPath);
        var before = new Dictionary<string, byte[]>();
        await using (var original = new ZipStore(ZipPath))
        {
            foreach (var entry in await ListAsync(original))
            {
                before[entry.Key] = (await ReadAsync(original, entry.Key))!;
            }
        }

        await using (var store = new ZipStore(ZipPath, Append))
        {
            await store.SetAsync("extra/k", RandomBytes(9, 1));
            await store.DeleteAsync("a/0.0");
            await store.SetAsync("g/b/0", RandomBytes(40, 2));
            Assert.Equal(RandomBytes(40, 2), await ReadAsync(store, "g/b/0"));
            Assert.Equal(before[".zgroup"], await ReadAsync(store, ".zgroup"));
            await store.CommitAsync();
        }

        await using var reread = new ZipStore(ZipPath);
        Assert.Equal(before.Count, reread.Count);
        Assert.Null(await ReadAsync(reread, "a/0.0"));
        Assert.Equal(RandomBytes(9, 1), await ReadAsync(reread, "extra/k"));
        Assert.Equal(RandomBytes(40, 2), await ReadAsync(reread, "g/b/0"));
        foreach (var (key, value) in before.Where(p => p.Key is not ("a/0.0" or "g/b/0")))
        {
            Assert.Equal(value, await ReadAsync(reread, key));
        }
    }

    [Fact]
    public async Task AppendWithoutChanges_LeavesTheFileUntouched()
    {
        File.Copy(Path.Combine(MetadataTestPaths.Corpus, "v2", "zipstore.zip"), ZipPath);
        var bytes = File.ReadAllBytes(ZipPath);
        var written = File.GetLastWriteTimeUtc(ZipPath);
        await using (var store = new ZipStore(ZipPath, Append))
        {
            Assert.NotNull(await ReadAsync(store, "a/.zarray"));
        }

        Assert.Equal(bytes, File.ReadAllBytes(ZipPath));
        Assert.Equal(written, File.GetLastWriteTimeUtc(ZipPath));
        Assert.Equal(new[] { "data.zip" }, Directory.EnumerateFileSystemEntries(_tmp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task ASecondWriter_IsRefused_UntilTheFirstIsDisposed()
    {
        var first = new ZipStore(ZipPath, Create);
        await first.SetAsync("k", RandomBytes(4, 1));

        foreach (var mode in new[] { ZipStoreMode.Create, ZipStoreMode.Append })
        {
            var e = Assert.Throws<ZarrStoreException>(() => new ZipStore(ZipPath, new ZipStoreOptions { Mode = mode }));
            Assert.Contains("already open for writing by another ZipStore", e.Message, StringComparison.Ordinal);
            Assert.Contains(ZipPath, e.Message, StringComparison.Ordinal);
        }

        // Nothing reaches the target before the writer is disposed: a reader finds no file yet (and is never blocked).
        Assert.Contains("does not exist", Assert.Throws<ZarrStoreException>(() => new ZipStore(ZipPath)).Message, StringComparison.Ordinal);
        await first.CommitAsync();
        await first.DisposeAsync();

        await using (var reader = new ZipStore(ZipPath))
        await using (var second = new ZipStore(ZipPath, Append))
        {
            Assert.Equal(RandomBytes(4, 1), await ReadAsync(second, "k"));
            await second.SetAsync("k2", RandomBytes(4, 2));
            Assert.Null(await ReadAsync(reader, "k2")); // a reader sees the file as it was when it opened it
            await second.CommitAsync();
        }

        await using var after = new ZipStore(ZipPath);
        Assert.Equal(2, after.Count);
        Assert.False(File.Exists(Path.Combine(_tmp.Path, ".data.zip.lock")));
    }

    [Fact]
    public async Task AWriterInAnotherProcess_IsRefused()
    {
        // Another process holds the lock file exclusively, as a ZipStore there would (flock on Unix).
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var lockPath = Path.Combine(_tmp.Path, ".data.zip.lock");
        var script = "import fcntl,sys,time\nf=open(sys.argv[1],'a+')\nfcntl.flock(f,fcntl.LOCK_EX|fcntl.LOCK_NB)\nprint('locked',flush=True)\nsys.stdin.read()\n";
        using var holder = Process.Start(new ProcessStartInfo(ZipTestFiles.Python, ["-c", script, lockPath])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        try
        {
            Assert.Equal("locked", holder.StandardOutput.ReadLine());
            var e = Assert.Throws<ZarrStoreException>(() => new ZipStore(ZipPath, Create));
            Assert.Contains("already open for writing", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            holder.StandardInput.Close();
            holder.WaitForExit(10_000);
        }

        // The holder is gone (as if it had crashed): its lock went with it, and its lock file is taken over.
        var store = new ZipStore(ZipPath, Create);
        await store.AbortAsync();
        Assert.False(File.Exists(lockPath));
    }

    [Fact]
    public async Task AnUnfinishedSession_NeverTouchesTheTarget()
    {
        // An old archive, then a writer that "crashes": it writes, but is never disposed.
        await using (var store = new ZipStore(ZipPath, Create))
        {
            await store.SetAsync("old", RandomBytes(100, 1));
            await store.CommitAsync();
        }

        var old = File.ReadAllBytes(ZipPath);
        var crashed = new ZipStore(ZipPath, Create);
        await crashed.SetAsync("new", RandomBytes(1 << 20, 2));
        await crashed.DeleteAsync("old");

        // Until the rename, the target is the old archive, whole and readable.
        Assert.Equal(old, File.ReadAllBytes(ZipPath));
        using (var archive = ZipFile.OpenRead(ZipPath))
        {
            Assert.Equal(RandomBytes(100, 1), ReadEntry(archive, "old"));
        }

        // Abort stands in for the crash's end: nothing of the session remains.
        await crashed.AbortAsync();
        Assert.Equal(old, File.ReadAllBytes(ZipPath));
        Assert.Equal(new[] { "data.zip" }, Directory.EnumerateFileSystemEntries(_tmp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task AnExceptionMidWrite_KeepsTheStoreConsistent()
    {
        await using (var store = new ZipStore(ZipPath, Create))
        {
            await store.SetAsync("k", RandomBytes(10, 1));
            using var cts = new CancellationTokenSource();
            await cts.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.SetAsync("k", RandomBytes(1 << 20, 2), cts.Token));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.SetAsync("other", RandomBytes(10, 3), cts.Token));
            await Assert.ThrowsAsync<ZarrStoreException>(async () => await store.SetAsync("../bad", RandomBytes(10, 3)));
            Assert.Equal(RandomBytes(10, 1), await ReadAsync(store, "k"));
            await store.CommitAsync();
        }

        await using var reread = new ZipStore(ZipPath);
        Assert.Equal(new[] { new StoreEntry("k", 10) }, await ListAsync(reread));
    }

    [Fact]
    public async Task AFailedCommit_LeavesTheTargetUnchanged_AndCleansUp()
    {
        // The target is a folder: the final rename fails.
        Directory.CreateDirectory(ZipPath);
        File.WriteAllText(Path.Combine(ZipPath, "keep"), "x");
        var store = new ZipStore(ZipPath, Create);
        await store.SetAsync("k", RandomBytes(10, 1));

        var e = await Assert.ThrowsAsync<ZarrStoreException>(async () => await store.CommitAsync());
        Assert.Contains("is unchanged", e.Message, StringComparison.Ordinal);
        Assert.Equal("x", File.ReadAllText(Path.Combine(ZipPath, "keep")));
        Assert.Equal(new[] { "data.zip" }, Directory.EnumerateFileSystemEntries(_tmp.Path).Select(Path.GetFileName));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await store.SetAsync("k", RandomBytes(1, 1)));
    }

    [Fact]
    public async Task DisposingWithoutACommit_DiscardsTheWrites_AndNeverHidesTheExceptionThatEndedTheBlock()
    {
        // The target is a folder, so a commit would fail: closing the store must not attempt one and fail with it.
        Directory.CreateDirectory(ZipPath);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using var store = new ZipStore(ZipPath, Create);
            await store.SetAsync("k", RandomBytes(10, 1));
            throw new InvalidOperationException("the caller's own failure");
        });
        Assert.Equal("the caller's own failure", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(ZipPath));
        Assert.Equal(new[] { "data.zip" }, Directory.EnumerateFileSystemEntries(_tmp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task AnAppendDisposedWithoutACommit_LeavesTheFileAsItWas()
    {
        File.Copy(Path.Combine(MetadataTestPaths.Corpus, "v2", "zipstore.zip"), ZipPath);
        var bytes = File.ReadAllBytes(ZipPath);
        await using (var store = new ZipStore(ZipPath, Append))
        {
            await store.SetAsync("extra", RandomBytes(9, 1));
            await store.DeleteAsync(".zgroup");
        }

        Assert.Equal(bytes, File.ReadAllBytes(ZipPath));
        Assert.Equal(new[] { "data.zip" }, Directory.EnumerateFileSystemEntries(_tmp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task WritesReachTheFile_OnlyWhenCommitted_AndTheStoreGoesOnAfterACommit()
    {
        await using (var store = new ZipStore(ZipPath, Create))
        {
            await store.SetAsync("a", RandomBytes(10, 1));
            await store.SetAsync("b", RandomBytes(20, 2));
            Assert.False(File.Exists(ZipPath));
            await store.CommitAsync();
            await using (var reader = new ZipStore(ZipPath))
            {
                Assert.Equal(new[] { new StoreEntry("a", 10), new StoreEntry("b", 20) }, await ListAsync(reader));
                await reader.CommitAsync(); // a read-only store has nothing to commit
            }

            // After a commit the store reads from the file it wrote, and its writes go on into a new session.
            Assert.Equal(RandomBytes(20, 2), await ReadAsync(store, "b"));
            await store.SetAsync("a", RandomBytes(5, 3));
            await store.DeleteAsync("b");
            await store.SetAsync("c", RandomBytes(7, 4));
            await store.CommitAsync();
            await store.CommitAsync(); // nothing new
            await store.SetAsync("uncommitted", RandomBytes(3, 5));
        }

        await using var reread = new ZipStore(ZipPath);
        Assert.Equal(new[] { new StoreEntry("a", 5), new StoreEntry("c", 7) }, await ListAsync(reread));
        Assert.Equal(RandomBytes(5, 3), await ReadAsync(reread, "a"));
        Assert.Equal(RandomBytes(7, 4), await ReadAsync(reread, "c"));
        Assert.Equal(new[] { "data.zip" }, Directory.EnumerateFileSystemEntries(_tmp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task ACancelledCommit_KeepsTheSession_ForALaterOne()
    {
        await using var store = new ZipStore(ZipPath, Create);
        await store.SetAsync("k", RandomBytes(10, 1));
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.CommitAsync(cts.Token));
        Assert.False(File.Exists(ZipPath));

        await store.CommitAsync();
        await using var reader = new ZipStore(ZipPath);
        Assert.Equal(RandomBytes(10, 1), await ReadAsync(reader, "k"));
    }

    [Fact]
    public async Task NotAZip_AndMissingFiles_AreClearErrors()
    {
        var e = Assert.Throws<ZarrStoreException>(() => new ZipStore(ZipPath));
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);

        File.WriteAllBytes(ZipPath, RandomBytes(1000, 1));
        e = Assert.Throws<ZarrStoreException>(() => new ZipStore(ZipPath));
        Assert.Contains("is not a zip file", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ZarrStoreException>(() => new ZipStore(ZipPath, Append));
        Assert.Contains("is not a zip file", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_tmp.Path, ".data.zip.lock")));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task DamagedData_FailsItsChecksum()
    {
        await using (var store = new ZipStore(ZipPath, Create))
        {
            await store.SetAsync("k", RandomBytes(100, 1));
            await store.CommitAsync();
        }

        var bytes = File.ReadAllBytes(ZipPath);
        bytes[30 + 1 + 50] ^= 0xFF;
        File.WriteAllBytes(ZipPath, bytes);

        await using var reader = new ZipStore(ZipPath);
        var e = await Assert.ThrowsAsync<ZarrStoreException>(async () => await reader.GetAsync("k"));
        Assert.Contains("CRC-32", e.Message, StringComparison.Ordinal);
        Assert.NotNull(await reader.GetAsync("k", ByteRange.Slice(0, 10))); // a range cannot be checked, and is served
    }

    [Fact]
    public async Task Zip64_ManyEntries_AreWrittenAndRead()
    {
        const int count = 70_000;
        await using (var store = new ZipStore(ZipPath, Create))
        {
            for (var i = 0; i < count; i++)
            {
                await store.SetAsync($"c/{i}", BitConverter.GetBytes(i));
            }

            await store.CommitAsync();
        }

        await using (var reader = new ZipStore(ZipPath))
        {
            Assert.Equal(count, reader.Count);
            Assert.Equal(BitConverter.GetBytes(69_999), await ReadAsync(reader, "c/69999"));
        }

        using (var archive = ZipFile.OpenRead(ZipPath))
        {
            Assert.Equal(count, archive.Entries.Count);
        }

        var output = ZipTestFiles.RunPython("import zipfile,sys\nz=zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint(len(z.namelist()), int.from_bytes(z.read('c/12345'),'little'))", ZipPath);
        Assert.Equal($"{count} 12345", output.Trim());
    }

    [Fact]
    public async Task ConformanceZip_WrittenByZarrPython2_ReadsExactly()
    {
        var corpus = Path.Combine(MetadataTestPaths.Corpus, "v2");
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(corpus, "manifest.json")))!;
        var cases = manifest["entries"]!.AsArray().Where(e => (string?)e!["store"] == "zipstore.zip").ToList();
        Assert.NotEmpty(cases);

        await using var store = new ZipStore(Path.Combine(corpus, "zipstore.zip"));
        var root = await ZarrGroup.OpenAsync(store);
        var arrays = 0;
        foreach (var entry in cases)
        {
            var node = (string)entry!["node"]!;
            if ((string?)entry["kind"] == "group")
            {
                var group = await ZarrGroup.OpenAsync(store, node);
                Assert.True(JsonNode.DeepEquals(entry["attributes"], group.Attributes.ToJsonObject()), group.Attributes.ToJsonString());
                continue;
            }

            var array = await ZarrArray.OpenAsync(store, node);
            Assert.Equal(entry["shape"]!.AsArray().Select(n => (long)n!), array.Shape);
            Assert.Equal((string)entry["sha256"]!, await ZipTestFiles.CanonicalSha256Async(array));
            arrays++;
        }

        Assert.Equal(cases.Count(e => (string?)e!["kind"] == "array"), arrays);
        var members = new List<string>();
        await foreach (var member in root.WalkAsync())
        {
            members.Add($"{member.Path}:{member.Kind}");
        }

        var expected = cases.Where(e => (string)e!["node"]! != "")
            .Select(e => $"{(string)e!["node"]!}:{((string?)e["kind"] == "group" ? NodeKind.Group : NodeKind.Array)}");
        Assert.Equal(expected.Order(StringComparer.Ordinal), members.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(ZarrFormat.V2)]
    [InlineData(ZarrFormat.V3)]
    public async Task Arrays_RoundTripThroughAZip(ZarrFormat format)
    {
        var ints = Enumerable.Range(0, 37 * 23).Select(i => (i * 7919) - 3000).ToArray();
        var doubles = Enumerable.Range(0, 17).Select(i => i == 3 ? double.NaN : Math.Sin(i) * 1e6).ToArray();
        await using (var store = new ZipStore(ZipPath, Create))
        {
            var root = await ZarrGroup.CreateAsync(store, "", format, new JsonObject { ["zip"] = true });
            var a = await root.CreateArrayAsync<int>("a", [37, 23], new ArrayOptions { Chunks = [10, 8] });
            await a[.., ..].WriteAsync(ints);
            var g = await root.CreateGroupAsync("g");
            var b = await g.CreateArrayAsync<double>("b", [17], new ArrayOptions { Chunks = [5] });
            await b[..].WriteAsync(doubles);

            // Overwrite a chunk's worth of values in the same session: the archive still holds each key once.
            await a[0..10, 0..8].FillAsync(5);
            for (var r = 0; r < 10; r++)
            {
                Array.Fill(ints, 5, r * 23, 8);
            }

            await store.CommitAsync();
        }

        using (var archive = ZipFile.OpenRead(ZipPath))
        {
            Assert.Equal(archive.Entries.Count, archive.Entries.Select(e => e.FullName).Distinct().Count());
        }

        await using var reader = new ZipStore(ZipPath);
        var reopened = await ZarrGroup.OpenAsync(reader);
        Assert.Equal(format, reopened.Format);
        Assert.True((bool)reopened.Attributes["zip"]!);
        Assert.Equal(ints, SelectionTests.ToArray(await (await reopened.OpenArrayAsync<int>("a"))[.., ..]));
        var readDoubles = SelectionTests.ToArray(await (await (await reopened.OpenGroupAsync("g")).OpenArrayAsync<double>("b"))[..]);
        Assert.Equal(doubles.Select(BitConverter.DoubleToInt64Bits), readDoubles.Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public async Task ZarrPython2_ReadsWhatWeWrite()
    {
        var ints = Enumerable.Range(0, 37 * 23).Select(i => (i * 7919) - 3000).ToArray();
        var floats = Enumerable.Range(0, 30).Select(i => (float)(i * 1.25)).ToArray();
        await using (var store = new ZipStore(ZipPath, Create))
        {
            var root = await ZarrGroup.CreateAsync(store, "", ZarrFormat.V2, new JsonObject { ["title"] = "from C#" });
            var a = await root.CreateArrayAsync<int>("a", [37, 23], new ArrayOptions { Chunks = [10, 8] });
            await a[.., ..].WriteAsync(ints);
            var b = await (await root.CreateGroupAsync("g")).CreateArrayAsync<float>("b", [30], new ArrayOptions { Chunks = [7] });
            await b[..].WriteAsync(floats);
            await store.CommitAsync();
        }

        var script = """
            import sys, zarr, hashlib, json
            import numpy as np
            store = zarr.ZipStore(sys.argv[1], mode='r')
            root = zarr.open(store, mode='r')
            a = root['a'][...]
            b = root['g/b'][...]
            print(json.dumps({"title": root.attrs['title'], "a_shape": list(a.shape), "a_dtype": a.dtype.str,
                "a": hashlib.sha256(np.ascontiguousarray(a).astype('<i4').tobytes()).hexdigest(),
                "b": hashlib.sha256(np.ascontiguousarray(b).astype('<f4').tobytes()).hexdigest()}))
            store.close()
            """;
        var result = JsonNode.Parse(ZipTestFiles.RunPython(script, ZipPath))!;
        Assert.Equal("from C#", (string?)result["title"]);
        Assert.Equal("[37,23]", result["a_shape"]!.ToJsonString());
        Assert.Equal("<i4", (string?)result["a_dtype"]);
        Assert.Equal(Sha256(ints), (string?)result["a"]);
        Assert.Equal(Sha256(floats), (string?)result["b"]);
    }

    [Fact]
    public async Task ConcurrentWritersAndReaders_OfManyChunks_LoseNothing()
    {
        var values = Enumerable.Range(0, 200 * 200).Select(i => (short)(i % 30000)).ToArray();
        await using (var store = new ZipStore(ZipPath, Create))
        {
            var array = await ZarrArray.CreateAsync<short>(store, "x", [200, 200], new ArrayOptions { Chunks = [10, 10], MaxDegreeOfParallelism = 8 });
            await Task.WhenAll(Enumerable.Range(0, 4).Select(q => array[(q * 50)..((q + 1) * 50), ..].WriteAsync(values.AsMemory(q * 50 * 200, 50 * 200))));
            Assert.Equal(values, SelectionTests.ToArray(await array[.., ..]));
            await store.CommitAsync();
        }

        await using var reader = new ZipStore(ZipPath);
        Assert.Equal(values, SelectionTests.ToArray(await (await ZarrArray.OpenAsync<short>(reader, "x"))[.., ..]));
    }

    private static string Sha256<T>(T[] values) where T : unmanaged =>
        Convert.ToHexStringLower(SHA256.HashData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan())));

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static async Task<byte[]?> ReadAsync(IStore store, string key)
    {
        using var buffer = await store.GetAsync(key);
        return buffer?.Span.ToArray();
    }

    private static async Task<List<StoreEntry>> ListAsync(IStore store)
    {
        var entries = new List<StoreEntry>();
        await foreach (var entry in store.ListPrefixAsync(""))
        {
            entries.Add(entry);
        }

        entries.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return entries;
    }

    private static byte[] ReadEntry(ZipArchive archive, string name)
    {
        using var stream = archive.GetEntry(name)!.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static void WriteEntry(ZipArchive archive, string name, byte[] value, CompressionLevel level)
    {
        using var stream = archive.CreateEntry(name, level).Open();
        stream.Write(value);
    }

    /// <summary>A write-only stream that cannot seek, so that ZipArchive writes data descriptors.</summary>
    private sealed class ForwardOnlyStream(Stream inner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    }
}

/// <summary>Helpers shared by the zip and consolidated-metadata tests.</summary>
internal static class ZipTestFiles
{
    public const string Python = "/usr/bin/python3";
    public const string Install = "apt-get install -y python3-zarr python3-numcodecs python3-numpy";

    /// <summary>Writes <paramref name="content"/> as a zip with System.IO.Compression, deflating every n-th entry.</summary>
    public static void WriteWithZipArchive(string path, IReadOnlyDictionary<string, byte[]> content, int deflateEvery)
    {
        using var archive = ZipFile.Open(path, ZipArchiveMode.Create);
        var i = 0;
        foreach (var (key, value) in content)
        {
            var level = i++ % deflateEvery == 0 ? CompressionLevel.Optimal : CompressionLevel.NoCompression;
            using var stream = archive.CreateEntry(key, level).Open();
            stream.Write(value);
        }
    }

    /// <summary>Runs a Python script with Debian's python3 (and its zarr 2.13) and returns what it printed; fails the test saying what to install when it cannot.</summary>
    public static string RunPython(string script, params string[] arguments) =>
        PythonPeer.Run("the zarr-python script failed", ["-c", script, .. arguments]);

    /// <summary>The sha256 of an array's values in the conformance corpus's canonical serialization (C order, little-endian, canonical NaN).</summary>
    public static async Task<string> CanonicalSha256Async(ZarrArray array)
    {
        var (data, _) = await array.ReadBytesAsync([.. Enumerable.Repeat(Slice.All, array.Rank)]);
        var type = array.DataType.ToNumpyTypeString();
        if (type.EndsWith("f8", StringComparison.Ordinal))
        {
            var span = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(data.AsSpan());
            for (var i = 0; i < span.Length; i++)
            {
                if (double.IsNaN(span[i]))
                {
                    span[i] = BitConverter.Int64BitsToDouble(0x7FF8000000000000);
                }
            }
        }
        else if (type.EndsWith("f4", StringComparison.Ordinal))
        {
            var span = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(data.AsSpan());
            for (var i = 0; i < span.Length; i++)
            {
                if (float.IsNaN(span[i]))
                {
                    span[i] = BitConverter.Int32BitsToSingle(0x7FC00000);
                }
            }
        }

        return Convert.ToHexStringLower(SHA256.HashData(data));
    }
}
