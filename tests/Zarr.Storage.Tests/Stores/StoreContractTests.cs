using Zarr.Storage.Internal;

namespace Zarr.Storage.Tests.Stores;

/// <summary>
/// The conformance suite every store passes: each store's test class inherits it and says how to build the store.
/// </summary>
public abstract class StoreContractTests : IDisposable
{
    // Built on first use, once: tests that start many writers at once touch it first from several threads, and a lazy
    // field without a lock let them build several stores (a write to one was missing from another's listing).
    private readonly Lazy<IStore> _store;

    protected StoreContractTests() => _store = new Lazy<IStore>(CreateStore, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>A new, empty, writable store.</summary>
    protected abstract IStore CreateStore();

    /// <summary>A new read-only store that holds <paramref name="content"/>.</summary>
    protected abstract IStore CreateReadOnlyStore(IReadOnlyDictionary<string, byte[]> content);

    /// <summary>The store under test: built by <see cref="CreateStore"/> once, whichever thread asks first.</summary>
    protected IStore Store => _store.Value;

    public virtual void Dispose() => GC.SuppressFinalize(this);

    // ---- helpers -------------------------------------------------------------------------------------------

    protected static byte[] Bytes(int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    protected static async Task<byte[]?> ReadAsync(IStore store, string key, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        using var buffer = await store.GetAsync(key, range, cancellationToken);
        return buffer?.Span.ToArray();
    }

    protected static async Task<List<StoreEntry>> ListPrefixAsync(IStore store, string prefix)
    {
        var entries = new List<StoreEntry>();
        await foreach (var entry in store.ListPrefixAsync(prefix))
        {
            entries.Add(entry);
        }

        entries.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return entries;
    }

    protected static async Task<List<string>> ListDirectoryAsync(IStore store, string prefix)
    {
        var names = new List<string>();
        await foreach (var name in store.ListDirectoryAsync(prefix))
        {
            names.Add(name);
        }

        names.Sort(string.CompareOrdinal);
        return names;
    }

    protected async Task SetAllAsync(params (string Key, int Length)[] values)
    {
        foreach (var (key, length) in values)
        {
            await Store.SetAsync(key, Bytes(length, length));
        }
    }

    // ---- missing keys, set, get --------------------------------------------------------------------------

    [Fact]
    public async Task MissingKey_ReadsAsNull()
    {
        Assert.Null(await Store.GetAsync("missing"));
        Assert.Null(await Store.GetAsync("missing/deeper/key"));
        Assert.Null(await Store.GetAsync("missing", ByteRange.Slice(0, 4)));
        Assert.Null(await Store.GetAsync("missing", ByteRange.Suffix(4)));
        Assert.False(await Store.ExistsAsync("missing"));
        Assert.Null(await Store.GetSizeAsync("missing"));
        Assert.Empty(await ListPrefixAsync(Store, ""));
        Assert.Empty(await ListDirectoryAsync(Store, ""));
    }

    [Fact]
    public async Task Set_ThenGet_ReturnsTheValue()
    {
        var value = Bytes(1000);
        await Store.SetAsync("c/0/0", value);

        Assert.Equal(value, await ReadAsync(Store, "c/0/0"));
        Assert.True(await Store.ExistsAsync("c/0/0"));
        Assert.Equal(1000, await Store.GetSizeAsync("c/0/0"));
    }

    [Fact]
    public async Task Set_Overwrites_LongerThenShorter()
    {
        await Store.SetAsync("k", Bytes(100, 1));
        await Store.SetAsync("k", Bytes(5000, 2));
        Assert.Equal(Bytes(5000, 2), await ReadAsync(Store, "k"));

        await Store.SetAsync("k", Bytes(10, 3));
        Assert.Equal(Bytes(10, 3), await ReadAsync(Store, "k"));
        Assert.Equal(10, await Store.GetSizeAsync("k"));
        Assert.Single(await ListPrefixAsync(Store, ""));
    }

    [Fact]
    public async Task EmptyValue_IsStoredAndDistinctFromMissing()
    {
        await Store.SetAsync("empty", ReadOnlyMemory<byte>.Empty);

        using var buffer = await Store.GetAsync("empty");
        Assert.NotNull(buffer);
        Assert.Equal(0, buffer.Length);
        Assert.True(await Store.ExistsAsync("empty"));
        Assert.Equal(0, await Store.GetSizeAsync("empty"));
        Assert.Equal(new[] { new StoreEntry("empty", 0) }, await ListPrefixAsync(Store, ""));
        Assert.Equal(Array.Empty<byte>(), await ReadAsync(Store, "empty", ByteRange.Suffix(3)));
    }

    [Fact]
    public async Task LargeValue_8MiB_RoundTrips()
    {
        var value = Bytes(8 << 20, 42);
        await Store.SetAsync("big", value);

        Assert.Equal(value, await ReadAsync(Store, "big"));
        Assert.Equal(8 << 20, await Store.GetSizeAsync("big"));
        Assert.Equal(value.AsSpan((8 << 20) - 100).ToArray(), await ReadAsync(Store, "big", ByteRange.Suffix(100)));
        Assert.Equal(value.AsSpan(3 << 20, 1 << 20).ToArray(), await ReadAsync(Store, "big", ByteRange.Slice(3 << 20, 1 << 20)));
    }

    [Fact]
    public async Task GetAndSet_CopyTheirBuffers()
    {
        var value = Bytes(64);
        await Store.SetAsync("k", value);
        value[0] ^= 0xFF;

        using (var buffer = await Store.GetAsync("k"))
        {
            Assert.NotNull(buffer);
            Assert.Equal((byte)(value[0] ^ 0xFF), buffer.Span[0]);
            buffer.Span.Clear();
        }

        Assert.Equal((byte)(value[0] ^ 0xFF), (await ReadAsync(Store, "k"))![0]);
    }

    [Fact]
    public async Task DotFiles_AndUnicodeKeys_AreOrdinaryKeys()
    {
        await SetAllAsync((".zgroup", 3), ("arr/.zarray", 4), ("arr/.zattrs", 5), ("ü/ß/日本", 6), ("arr/zarr.json", 7));

        Assert.Equal(4, await Store.GetSizeAsync("arr/.zarray"));
        Assert.Equal(Bytes(6, 6), await ReadAsync(Store, "ü/ß/日本"));
        Assert.Equal(
            new[] { ".zgroup", "arr/.zarray", "arr/.zattrs", "arr/zarr.json", "ü/ß/日本" },
            (await ListPrefixAsync(Store, "")).Select(e => e.Key));
        Assert.Equal(new[] { ".zgroup", "arr", "ü" }, await ListDirectoryAsync(Store, ""));
    }

    [Fact]
    public async Task AKeyNamingAFolder_HasNoValue()
    {
        await Store.SetAsync("a/b", Bytes(3));

        Assert.Null(await Store.GetAsync("a"));
        Assert.False(await Store.ExistsAsync("a"));
        Assert.Null(await Store.GetSizeAsync("a"));
        await Store.DeleteAsync("a");
        Assert.True(await Store.ExistsAsync("a/b"));
    }

    // ---- byte ranges ------------------------------------------------------------------------------------

    public static TheoryData<string, long, long> Ranges() => new()
    {
        // name, expected start, expected count, for a 100-byte value
        { "slice 0+10", 0, 10 },
        { "slice 5+10", 5, 10 },
        { "slice whole", 0, 100 },
        { "slice 95+10 (past the end)", 95, 5 },
        { "slice 100+10 (at the end)", 100, 0 },
        { "slice 200+10 (beyond the end)", 100, 0 },
        { "slice 10+0 (zero length)", 10, 0 },
        { "from 0", 0, 100 },
        { "from 40", 40, 60 },
        { "from 100", 100, 0 },
        { "from 150", 100, 0 },
        { "suffix 10", 90, 10 },
        { "suffix 0", 100, 0 },
        { "suffix 100", 0, 100 },
        { "suffix 1000 (longer than the value)", 0, 100 },
    };

    private static ByteRange RangeNamed(string name) => name switch
    {
        "slice 0+10" => ByteRange.Slice(0, 10),
        "slice 5+10" => ByteRange.Slice(5, 10),
        "slice whole" => ByteRange.Slice(0, 100),
        "slice 95+10 (past the end)" => ByteRange.Slice(95, 10),
        "slice 100+10 (at the end)" => ByteRange.Slice(100, 10),
        "slice 200+10 (beyond the end)" => ByteRange.Slice(200, 10),
        "slice 10+0 (zero length)" => ByteRange.Slice(10, 0),
        "from 0" => ByteRange.From(0),
        "from 40" => ByteRange.From(40),
        "from 100" => ByteRange.From(100),
        "from 150" => ByteRange.From(150),
        "suffix 10" => ByteRange.Suffix(10),
        "suffix 0" => ByteRange.Suffix(0),
        "suffix 100" => ByteRange.Suffix(100),
        "suffix 1000 (longer than the value)" => ByteRange.Suffix(1000),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Ranges))]
    public async Task Get_WithRange_ReturnsExactlyThatPart(string range, long start, long count)
    {
        var value = Bytes(100, 7);
        await Store.SetAsync("r/k", value);

        var part = await ReadAsync(Store, "r/k", RangeNamed(range));

        Assert.NotNull(part);
        Assert.Equal(value.AsSpan((int)start, (int)count).ToArray(), part);
    }

    // ---- listing ----------------------------------------------------------------------------------------

    [Fact]
    public async Task ListPrefix_ReturnsNestedKeysWithExactSizes()
    {
        await SetAllAsync(("a/x", 1), ("a/b/y", 2), ("a/b/c/z", 3), ("ab/x", 4), ("b", 5), ("c/d", 6));

        Assert.Equal(
            new[] { new StoreEntry("a/b/c/z", 3), new StoreEntry("a/b/y", 2), new StoreEntry("a/x", 1) },
            await ListPrefixAsync(Store, "a/"));
        Assert.Equal(
            new[] { new StoreEntry("a/b/c/z", 3), new StoreEntry("a/b/y", 2) },
            await ListPrefixAsync(Store, "a/b/"));
        Assert.Equal(
            new[] { "a/b/c/z", "a/b/y", "a/x", "ab/x", "b", "c/d" },
            (await ListPrefixAsync(Store, "")).Select(e => e.Key));
        Assert.Equal(new[] { new StoreEntry("ab/x", 4) }, await ListPrefixAsync(Store, "ab/"));
    }

    [Fact]
    public async Task ListPrefix_APartialName_DoesNotMatchOtherFolders()
    {
        await SetAllAsync(("a/x", 1), ("ab/x", 2), ("abc", 3));

        var listed = await ListPrefixAsync(Store, "a/");

        Assert.Equal(new[] { new StoreEntry("a/x", 1) }, listed);
    }

    [Fact]
    public async Task ListPrefix_OfAMissingFolderOrAValue_IsEmpty()
    {
        await SetAllAsync(("a/x", 1));

        Assert.Empty(await ListPrefixAsync(Store, "nope/"));
        Assert.Empty(await ListPrefixAsync(Store, "a/x/"));
        Assert.Empty(await ListPrefixAsync(Store, "a/nope/deeper/"));
    }

    [Fact]
    public async Task ListDirectory_ReturnsFilesAndFoldersOnceEach()
    {
        await SetAllAsync(("a/x", 1), ("a/b/y", 2), ("a/b/z", 2), ("a/b/c/z", 3), ("ab/x", 4), ("b", 5), ("c/d", 6), ("c/e", 6));

        Assert.Equal(new[] { "a", "ab", "b", "c" }, await ListDirectoryAsync(Store, ""));
        Assert.Equal(new[] { "b", "x" }, await ListDirectoryAsync(Store, "a/"));
        Assert.Equal(new[] { "c", "y", "z" }, await ListDirectoryAsync(Store, "a/b/"));
        Assert.Equal(new[] { "d", "e" }, await ListDirectoryAsync(Store, "c/"));
        Assert.Empty(await ListDirectoryAsync(Store, "nope/"));
        Assert.Empty(await ListDirectoryAsync(Store, "b/"));
    }

    [Fact]
    public async Task List_HonoursCancellation()
    {
        await SetAllAsync(("a/x", 1), ("a/y", 1), ("a/z", 1));
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in Store.ListPrefixAsync("", cts.Token))
            {
            }
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in Store.ListDirectoryAsync("").WithCancellation(cts.Token))
            {
            }
        });
    }

    // ---- deleting ---------------------------------------------------------------------------------------

    [Fact]
    public async Task Delete_RemovesOnlyThatKey()
    {
        await SetAllAsync(("a/x", 1), ("a/y", 2));

        await Store.DeleteAsync("a/x");

        Assert.Null(await Store.GetAsync("a/x"));
        Assert.False(await Store.ExistsAsync("a/x"));
        Assert.Equal(new[] { new StoreEntry("a/y", 2) }, await ListPrefixAsync(Store, ""));
    }

    [Fact]
    public async Task Delete_OfAMissingKey_DoesNothing()
    {
        await SetAllAsync(("a/x", 1));

        await Store.DeleteAsync("missing");
        await Store.DeleteAsync("a/missing");
        await Store.DeleteAsync("nope/deeper/missing");
        await Store.DeleteAsync("a/x/under-a-value");

        Assert.Equal(new[] { new StoreEntry("a/x", 1) }, await ListPrefixAsync(Store, ""));
    }

    [Fact]
    public async Task DeletePrefix_RemovesTheFolderOnly()
    {
        await SetAllAsync(("a/x", 1), ("a/b/y", 2), ("a/b/c/z", 3), ("ab/x", 4), ("b", 5));

        await Store.DeletePrefixAsync("a/");

        Assert.Equal(new[] { "ab/x", "b" }, (await ListPrefixAsync(Store, "")).Select(e => e.Key));
        Assert.Equal(new[] { "ab", "b" }, await ListDirectoryAsync(Store, ""));
        Assert.Null(await Store.GetAsync("a/b/y"));

        await Store.DeletePrefixAsync("missing/");
        await Store.DeletePrefixAsync("");
        Assert.Empty(await ListPrefixAsync(Store, ""));
        Assert.Empty(await ListDirectoryAsync(Store, ""));

        await Store.SetAsync("a/again", Bytes(3));
        Assert.Equal(3, await Store.GetSizeAsync("a/again"));
    }

    // ---- invalid keys -----------------------------------------------------------------------------------

    public static TheoryData<string> InvalidKeys() => new()
    {
        "",
        "/",
        "/a",
        "/etc/passwd",
        "a/",
        "a//b",
        "//a",
        ".",
        "..",
        "./a",
        "a/./b",
        "a/.",
        "../a",
        "a/../b",
        "a/..",
        "../../../../tmp/escape",
        "a\\b",
        "..\\escape",
        "a\0b",
        "\0",
        "a\nb",
        "a\tb",
        "a\u001fb",
        "a\u007fb",
        ".k.0123456789abcdef.tmp",
        "a/.k.0123456789abcdef.tmp",
    };

    [Theory]
    [MemberData(nameof(InvalidKeys))]
    public async Task InvalidKey_IsRefusedByEveryOperation_AndTouchesNothing(string key)
    {
        await Store.SetAsync("keep", Bytes(3));

        await AssertRefusedAsync(key, async () => await Store.GetAsync(key));
        await AssertRefusedAsync(key, async () => await Store.GetAsync(key, ByteRange.Suffix(1)));
        await AssertRefusedAsync(key, async () => await Store.ExistsAsync(key));
        await AssertRefusedAsync(key, async () => await Store.GetSizeAsync(key));
        await AssertRefusedAsync(key, async () => await Store.SetAsync(key, Bytes(5)));
        await AssertRefusedAsync(key, async () => await Store.DeleteAsync(key));

        Assert.Equal(new[] { new StoreEntry("keep", 3) }, await ListPrefixAsync(Store, ""));
        Assert.Equal(new[] { "keep" }, await ListDirectoryAsync(Store, ""));
    }

    /// <summary>Keys that are not valid UTF-16 (not theory data: a lone surrogate does not survive the test runner's serialization).</summary>
    public static readonly string[] LoneSurrogateKeys =
    [
        "k\uD800", "k\uDBFF", "\uDC00", "k\uDFFFx", "a\uDC00\uD800b", "a/\uD800/b", "\uD800/x", "x/\uDBFF",
    ];

    [Fact]
    public async Task KeysThatAreNotValidUtf16_AreRefused_AndAliasNoOtherKey()
    {
        // Issue 23, item 2: on disk "k\uD800" was written as "k\uFFFD" (the lone surrogate replaced when the name was
        // encoded), so "k\uDBFF" and "k\uFFFD" read its value; the zip store threw a raw EncoderFallbackException.
        await Store.SetAsync("k\uFFFD", Bytes(3));
        await Store.SetAsync("pair/\uD83D\uDE00", Bytes(4)); // a surrogate pair is a character like any other

        foreach (var key in LoneSurrogateKeys)
        {
            await AssertRefusedAsync(key, async () => await Store.GetAsync(key));
            await AssertRefusedAsync(key, async () => await Store.ExistsAsync(key));
            await AssertRefusedAsync(key, async () => await Store.GetSizeAsync(key));
            await AssertRefusedAsync(key, async () => await Store.SetAsync(key, Bytes(5)));
            await AssertRefusedAsync(key, async () => await Store.DeleteAsync(key));
            var prefix = key + "/";
            await AssertRefusedAsync(prefix, async () => await Store.DeletePrefixAsync(prefix));
            await AssertRefusedAsync(prefix, async () =>
            {
                await foreach (var _ in Store.ListPrefixAsync(prefix))
                {
                }
            });
        }

        Assert.Equal(new[] { new StoreEntry("k\uFFFD", 3), new StoreEntry("pair/\uD83D\uDE00", 4) }, await ListPrefixAsync(Store, ""));
        Assert.Equal(Bytes(3), await ReadAsync(Store, "k\uFFFD"));
    }

    public static TheoryData<string> InvalidPrefixes() => new()
    {
        "a",
        "a/b",
        "/",
        "/a/",
        "a//",
        "//",
        "./",
        "../",
        "a/../",
        "a/./",
        "a\\b/",
        "a\0/",
        ".k.0123456789abcdef.tmp/",
    };

    [Theory]
    [MemberData(nameof(InvalidPrefixes))]
    public async Task InvalidPrefix_IsRefusedByEveryOperation_AndTouchesNothing(string prefix)
    {
        await Store.SetAsync("a/b", Bytes(3));

        await AssertRefusedAsync(prefix, async () =>
        {
            await foreach (var _ in Store.ListPrefixAsync(prefix))
            {
            }
        });
        await AssertRefusedAsync(prefix, async () =>
        {
            await foreach (var _ in Store.ListDirectoryAsync(prefix))
            {
            }
        });
        await AssertRefusedAsync(prefix, async () => await Store.DeletePrefixAsync(prefix));

        Assert.Equal(new[] { new StoreEntry("a/b", 3) }, await ListPrefixAsync(Store, ""));
    }

    private static async Task AssertRefusedAsync(string key, Func<Task> action)
    {
        var e = await Assert.ThrowsAsync<ZarrStoreException>(action);
        Assert.Equal(key, e.Key);

        // The message names the key escaped ("a\\b", "a\\0b", "k\\uD800"): valid Unicode on one line whatever the key.
        Assert.Contains(UserText.Quote(key), e.Message, StringComparison.Ordinal);
        _ = new System.Text.UTF8Encoding(false, true).GetByteCount(e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    // ---- read-only and cancellation ---------------------------------------------------------------------

    [Fact]
    public async Task ReadOnlyStore_ReadsButRefusesWrites()
    {
        var store = CreateReadOnlyStore(new Dictionary<string, byte[]> { ["a/x"] = Bytes(4), ["b"] = Bytes(5) });

        Assert.True(store.IsReadOnly);
        Assert.Equal(Bytes(4), await ReadAsync(store, "a/x"));
        foreach (var write in new Func<Task>[]
        {
            async () => await store.SetAsync("a/x", Bytes(9)),
            async () => await store.SetAsync("new", Bytes(9)),
            async () => await store.DeleteAsync("a/x"),
            async () => await store.DeletePrefixAsync("a/"),
            async () => await store.DeletePrefixAsync(""),
        })
        {
            var e = await Assert.ThrowsAsync<ZarrStoreException>(write);
            Assert.Contains("store is read-only", e.Message, StringComparison.Ordinal);
        }

        Assert.Equal(new[] { new StoreEntry("a/x", 4), new StoreEntry("b", 5) }, await ListPrefixAsync(store, ""));
        Assert.False(Store.IsReadOnly);
    }

    [Fact]
    public async Task CancelledToken_IsHonoured_AndLeavesTheValue()
    {
        await Store.SetAsync("k", Bytes(10, 1));
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Store.SetAsync("k", Bytes(10, 2), cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Store.SetAsync("new", Bytes(10, 2), cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Store.GetAsync("k", null, cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Store.DeleteAsync("k", cts.Token));

        Assert.Equal(Bytes(10, 1), await ReadAsync(Store, "k"));
        Assert.Equal(new[] { new StoreEntry("k", 10) }, await ListPrefixAsync(Store, ""));
    }

    // ---- concurrency ------------------------------------------------------------------------------------

    [Fact]
    public async Task ConcurrentRewrites_AreNeverTorn()
    {
        const int writers = 8;
        const int length = 256 * 1024;
        const int rewrites = 40;
        var values = Enumerable.Range(0, writers).Select(i => Enumerable.Repeat((byte)(i + 1), length).ToArray()).ToArray();
        await Store.SetAsync("hot/key", values[0]);

        using var done = new CancellationTokenSource();
        var reads = 0;
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            // Until the writers are done, and at least a few times each however fast they were.
            for (var mine = 0; mine < 20 || !done.IsCancellationRequested; mine++)
            {
                using var buffer = await Store.GetAsync("hot/key");
                Assert.NotNull(buffer);
                Assert.Equal(length, buffer.Length);
                var first = buffer.Span[0];
                Assert.InRange(first, (byte)1, (byte)writers);
                Assert.True(buffer.Span.IndexOfAnyExcept(first) < 0, "a read mixed two writes");
                Interlocked.Increment(ref reads);
            }
        })).ToArray();

        var writing = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < rewrites; i++)
            {
                await Store.SetAsync("hot/key", values[w]);
            }
        })).ToArray();

        await Task.WhenAll(writing);
        done.Cancel();
        await Task.WhenAll(readers);

        Assert.True(reads >= 80);
        Assert.Equal(new[] { new StoreEntry("hot/key", length) }, await ListPrefixAsync(Store, ""));
    }

    [Fact]
    public async Task ManyKeysWrittenConcurrently_AreAllPresent()
    {
        const int count = 400;
        await Parallel.ForEachAsync(
            Enumerable.Range(0, count),
            new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (i, ct) => await Store.SetAsync($"c/{i % 7}/{i % 3}/{i}", Bytes(i % 50, i), ct));

        var listed = await ListPrefixAsync(Store, "c/");
        Assert.Equal(count, listed.Count);
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(Bytes(i % 50, i), await ReadAsync(Store, $"c/{i % 7}/{i % 3}/{i}"));
        }

        Assert.Equal(Enumerable.Range(0, 7).Select(i => i.ToString()), await ListDirectoryAsync(Store, "c/"));
    }
}
