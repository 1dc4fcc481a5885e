using System.Globalization;
using Zarr.Storage.Internal;

namespace Zarr.Storage.Tests.Stores;

/// <summary>
/// The read part of the store contract (<see cref="StoreContractTests"/>), for stores that cannot be written, such as the
/// HTTP store: each test states the content, the derived class builds a read-only store holding it, and the reads must
/// answer as every store's do (missing keys, empty values, ranges with the same table, invalid keys, cancellation,
/// concurrency). Writes are refused naming the store as read-only; listing is exact, or refused with a
/// <see cref="NotSupportedException"/> that points to consolidated metadata by a store that cannot list.
/// </summary>
public abstract class ReadOnlyStoreContractTests : IDisposable
{
    /// <summary>A new read-only store holding exactly <paramref name="content"/>.</summary>
    protected abstract IStore CreateReadOnlyStore(IReadOnlyDictionary<string, byte[]> content);

    /// <summary>False for a store that cannot list (its listings must then fail clearly).</summary>
    protected abstract bool CanList { get; }

    public virtual void Dispose() => GC.SuppressFinalize(this);

    protected static byte[] Bytes(int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static async Task<byte[]?> ReadAsync(IStore store, string key, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        using var buffer = await store.GetAsync(key, range, cancellationToken);
        return buffer?.Span.ToArray();
    }

    [Fact]
    public async Task MissingKey_ReadsAsNull()
    {
        var store = CreateReadOnlyStore(new Dictionary<string, byte[]> { ["present"] = Bytes(3) });

        Assert.Null(await store.GetAsync("missing"));
        Assert.Null(await store.GetAsync("missing/deeper/key"));
        Assert.Null(await store.GetAsync("missing", ByteRange.Slice(0, 4)));
        Assert.Null(await store.GetAsync("missing", ByteRange.Suffix(4)));
        Assert.Null(await store.GetAsync("missing", ByteRange.Suffix(0)));
        Assert.False(await store.ExistsAsync("missing"));
        Assert.Null(await store.GetSizeAsync("missing"));
    }

    [Fact]
    public async Task Values_ReadBackExactly_WithTheirSizes_DotFilesAndUnicodeKeysIncluded()
    {
        var content = new Dictionary<string, byte[]>
        {
            ["c/0/0"] = Bytes(1000, 1),
            [".zgroup"] = Bytes(3, 3),
            ["arr/.zarray"] = Bytes(4, 4),
            ["arr/zarr.json"] = Bytes(7, 7),
            ["ü/ß/日本"] = Bytes(6, 6),
            ["a b/c%d"] = Bytes(9, 9),
        };
        var store = CreateReadOnlyStore(content);

        foreach (var (key, value) in content)
        {
            Assert.Equal(value, await ReadAsync(store, key));
            Assert.True(await store.ExistsAsync(key));
            Assert.Equal(value.Length, await store.GetSizeAsync(key));
        }
    }

    [Fact]
    public async Task EmptyValue_IsDistinctFromMissing()
    {
        var store = CreateReadOnlyStore(new Dictionary<string, byte[]> { ["empty"] = [] });

        using var buffer = await store.GetAsync("empty");
        Assert.NotNull(buffer);
        Assert.Equal(0, buffer.Length);
        Assert.True(await store.ExistsAsync("empty"));
        Assert.Equal(0, await store.GetSizeAsync("empty"));
        Assert.Equal(Array.Empty<byte>(), await ReadAsync(store, "empty", ByteRange.Suffix(3)));
    }

    [Fact]
    public async Task LargeValue_8MiB_ReadsWholeAndInRanges()
    {
        var value = Bytes(8 << 20, 42);
        var store = CreateReadOnlyStore(new Dictionary<string, byte[]> { ["big"] = value });

        Assert.Equal(value, await ReadAsync(store, "big"));
        Assert.Equal(8 << 20, await store.GetSizeAsync("big"));
        Assert.Equal(value.AsSpan((8 << 20) - 100).ToArray(), await ReadAsync(store, "big", ByteRange.Suffix(100)));
        Assert.Equal(value.AsSpan(3 << 20, 1 << 20).ToArray(), await ReadAsync(store, "big", ByteRange.Slice(3 << 20, 1 << 20)));
    }

    [Fact]
    public async Task AKeyNamingAFolder_HasNoValue()
    {
        var store = CreateReadOnlyStore(new Dictionary<string, byte[]> { ["a/b"] = Bytes(3) });

        Assert.Null(await store.GetAsync("a"));
        Assert.False(await store.ExistsAsync("a"));
        Assert.Null(await store.GetSizeAsync("a"));
    }

    // The same table as every writable store's (StoreContractTests.Ranges), for a 100-byte value.
    [Theory]
    [MemberData(nameof(StoreContractTests.Ranges), MemberType = typeof(StoreContractTests))]
    public async Task Get_WithRange_ReturnsExactlyThatPart(string range, long start, long count)
    {
        var value = Bytes(100, 7);
        var store = CreateReadOnlyStore(new Dictionary<string, byte[]> { ["r/k"] = value });

        var part = await ReadAsync(store, "r/k", RangeNamed(range));

        Assert.NotNull(part);
        Assert.Equal(value.AsSpan((int)start, (int)count).ToArray(), part);
    }

    [Theory]
    [MemberData(nameof(StoreContractTests.InvalidKeys), MemberType = typeof(StoreContractTests))]
    public async Task InvalidKey_IsRefusedByEveryRead_NamingIt(string key)
    {
        var store = CreateReadOnlyStore(new Dictionary<string, byte[]> { ["keep"] = Bytes(3) });

        foreach (var read in new Func<Task>[]
        {
            async () => await store.GetAsync(key),
            async () => await store.GetAsync(key, ByteRange.Suffix(1)),
            async () => await store.ExistsAsync(key),
            async () => await store.GetSizeAsync(key),
        })
        {
            var e = await Assert.ThrowsAsync<ZarrStoreException>(read);
            Assert.Equal(key, e.Key);
            Assert.Contains(UserText.Quote(key), e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Writes_AreRefused_AsReadOnly()
    {
        var store = CreateReadOnlyStore(new Dictionary<string, byte[]> { ["a/x"] = Bytes(4), ["b"] = Bytes(5) });

        Assert.True(store.IsReadOnly);
        foreach (var write in new Func<Task>[]
        {
            async () => await store.SetAsync("a/x", Bytes(9)),
            async () => await store.SetAsync("new", Bytes(9)),
            async () => await store.DeleteAsync("a/x"),
            async () => await store.DeletePrefixAsync("a/"),
        })
        {
            var e = await Assert.ThrowsAsync<ZarrStoreException>(write);
            Assert.Contains("read-only", e.Message, StringComparison.Ordinal);
        }

        Assert.Equal(Bytes(4), await ReadAsync(store, "a/x"));
    }

    [Fact]
    public async Task Listing_IsExact_OrRefusedClearly()
    {
        var store = CreateReadOnlyStore(new Dictionary<string, byte[]> { ["a/x"] = Bytes(4), ["a/y/z"] = Bytes(2), ["b"] = Bytes(5) });

        if (CanList)
        {
            var entries = new List<StoreEntry>();
            await foreach (var entry in store.ListPrefixAsync(""))
            {
                entries.Add(entry);
            }

            Assert.Equal(new[] { new StoreEntry("a/x", 4), new StoreEntry("a/y/z", 2), new StoreEntry("b", 5) }, entries.OrderBy(e => e.Key, StringComparer.Ordinal));
            return;
        }

        // A store that cannot list says so (NotSupportedException, as the HTTP store documents) and says what to do instead.
        var prefix = await Assert.ThrowsAsync<NotSupportedException>(async () =>
        {
            await foreach (var _ in store.ListPrefixAsync(""))
            {
            }
        });
        var directory = await Assert.ThrowsAsync<NotSupportedException>(async () =>
        {
            await foreach (var _ in store.ListDirectoryAsync("a/"))
            {
            }
        });
        Assert.Contains("consolidated metadata", prefix.Message, StringComparison.Ordinal);
        Assert.Contains("consolidated metadata", directory.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancelledToken_IsHonoured()
    {
        var store = CreateReadOnlyStore(new Dictionary<string, byte[]> { ["k"] = Bytes(10) });
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.GetAsync("k", null, cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.GetAsync("k", ByteRange.Suffix(2), cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.GetSizeAsync("k", cts.Token));
        Assert.Equal(Bytes(10), await ReadAsync(store, "k"));
    }

    [Fact]
    public async Task ManyConcurrentReads_AllReturnTheirOwnValue()
    {
        var content = Enumerable.Range(0, 200).ToDictionary(i => $"c/{i}", i => Bytes(100 + i, i));
        var store = CreateReadOnlyStore(content);

        await Parallel.ForEachAsync(content, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (pair, ct) =>
        {
            Assert.Equal(pair.Value, await ReadAsync(store, pair.Key, cancellationToken: ct));
            Assert.Equal(pair.Value[^7..], await ReadAsync(store, pair.Key, ByteRange.Suffix(7), ct));
        });
    }

    private static ByteRange RangeNamed(string name)
    {
        // "slice START+COUNT ...", "from START ...", "suffix LENGTH ...": the names of StoreContractTests.Ranges.
        var words = name.Split(' ');
        static long Number(string text) => long.Parse(text, CultureInfo.InvariantCulture);
        return words[0] switch
        {
            "slice" when words[1] == "whole" => ByteRange.Slice(0, 100),
            "slice" => ByteRange.Slice(Number(words[1].Split('+')[0]), Number(words[1].Split('+')[1])),
            "from" => ByteRange.From(Number(words[1])),
            "suffix" => ByteRange.Suffix(Number(words[1])),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "not a range of StoreContractTests.Ranges"),
        };
    }
}
