
namespace Zarr.Storage.Tests.Stores;

/// <summary>
/// The store contract for a view below "root/pre" of a memory store that also holds keys outside the view (a key equal
/// to the prefix, a sibling whose name starts with the prefix's, the parent's own keys): after every test they must
/// still be there, unchanged.
/// </summary>
public sealed class PrefixStoreTests : StoreContractTests
{
    private const string ViewPrefix = "root/pre";

    private static readonly Dictionary<string, byte[]> Outside = new()
    {
        ["root/pre"] = [1, 2, 3],
        ["root/prefix/a"] = [4],
        ["root/pre.x"] = [5, 6],
        ["root/x"] = [7],
        ["other/root/pre/a"] = [8],
        ["zzz"] = [9, 9],
    };

    private readonly List<MemoryStore> _inners = [];

    protected override IStore CreateStore()
    {
        var inner = new MemoryStore(Outside);
        _inners.Add(inner);
        return new PrefixStore(inner, ViewPrefix);
    }

    protected override IStore CreateReadOnlyStore(IReadOnlyDictionary<string, byte[]> content)
    {
        var all = new Dictionary<string, byte[]>(Outside);
        foreach (var (key, value) in content)
        {
            all[ViewPrefix + "/" + key] = value;
        }

        var inner = new MemoryStore(all, readOnly: true);
        _inners.Add(inner);
        return new PrefixStore(inner, ViewPrefix);
    }

    public override void Dispose()
    {
        // Whatever a test did through the view, the keys outside it are untouched.
        foreach (var inner in _inners)
        {
            foreach (var (key, value) in Outside)
            {
                using var buffer = inner.GetAsync(key).AsTask().GetAwaiter().GetResult();
                Assert.True(buffer is not null, $"the key '{key}' outside the view was deleted");
                Assert.Equal(value, buffer.Span.ToArray());
            }
        }

        base.Dispose();
    }

    [Fact]
    public void ToString_IsTheInnerStoreThenThePrefix()
    {
        var inner = new MemoryStore();
        Assert.Equal("MemoryStore/a/b", new PrefixStore(inner, "a/b").ToString());
        Assert.Equal("MemoryStore/a/b", new PrefixStore(inner, "a/b/").ToString());
        Assert.Equal("MemoryStore", new PrefixStore(inner, "").ToString());
        Assert.Equal("a/b", new PrefixStore(inner, "a/b/").Prefix);
        Assert.Same(inner, new PrefixStore(inner, "a").Inner);
    }

    [Fact]
    public async Task KeysMapBelowThePrefix()
    {
        var inner = new MemoryStore();
        var view = new PrefixStore(inner, "g/arr");

        await view.SetAsync(".zarray", Bytes(4));
        await view.SetAsync("0.0", Bytes(10));

        Assert.Equal(
            new[] { new StoreEntry("g/arr/.zarray", 4), new StoreEntry("g/arr/0.0", 10) },
            await ListPrefixAsync(inner, ""));
        Assert.Equal(new[] { new StoreEntry(".zarray", 4), new StoreEntry("0.0", 10) }, await ListPrefixAsync(view, ""));
        Assert.Equal(new[] { ".zarray", "0.0" }, await ListDirectoryAsync(view, ""));
        Assert.Equal(10L, await view.GetSizeAsync("0.0"));
        Assert.True(await view.ExistsAsync(".zarray"));
        Assert.False(await view.ExistsAsync("g"));

        await view.DeleteAsync("0.0");
        Assert.Equal(new[] { new StoreEntry("g/arr/.zarray", 4) }, await ListPrefixAsync(inner, ""));
    }

    [Fact]
    public async Task EmptyPrefix_IsTheInnerStore()
    {
        var inner = new MemoryStore();
        var view = new PrefixStore(inner, "");
        await view.SetAsync("a/b", Bytes(3));

        Assert.Equal(new[] { new StoreEntry("a/b", 3) }, await ListPrefixAsync(inner, ""));
        Assert.Equal(new[] { new StoreEntry("a/b", 3) }, await ListPrefixAsync(view, "a/"));
        Assert.Equal(new[] { "a" }, await ListDirectoryAsync(view, ""));
    }

    [Fact]
    public async Task NestedPrefixes_Compose()
    {
        var inner = new MemoryStore(new Dictionary<string, byte[]> { ["a/x"] = [1], ["a/b/x"] = [2, 2] });
        var outer = new PrefixStore(inner, "a");
        var nested = new PrefixStore(outer, "b/c");

        await nested.SetAsync("k/v", Bytes(5));

        Assert.Equal("MemoryStore/a/b/c", nested.ToString());
        Assert.Equal(Bytes(5), await ReadAsync(inner, "a/b/c/k/v"));
        Assert.Equal(new[] { new StoreEntry("b/c/k/v", 5), new StoreEntry("b/x", 2), new StoreEntry("x", 1) }, await ListPrefixAsync(outer, ""));
        Assert.Equal(new[] { new StoreEntry("k/v", 5) }, await ListPrefixAsync(nested, ""));
        Assert.Equal(new[] { "v" }, await ListDirectoryAsync(nested, "k/"));

        await nested.DeletePrefixAsync("");
        Assert.Equal(new[] { new StoreEntry("a/b/x", 2), new StoreEntry("a/x", 1) }, await ListPrefixAsync(inner, ""));
    }

    [Fact]
    public async Task DeletePrefixOfEverything_LeavesKeysOutsideTheView()
    {
        var inner = new MemoryStore(new Dictionary<string, byte[]>
        {
            ["p"] = [1],
            ["pq/x"] = [2, 2],
            ["p/in/x"] = [3, 3, 3],
            ["p/in2"] = [4, 4, 4, 4],
            ["q/p/x"] = [5, 5, 5, 5, 5],
        });
        var view = new PrefixStore(inner, "p");

        Assert.Equal(new[] { "in", "in2" }, await ListDirectoryAsync(view, ""));
        Assert.Equal(new[] { new StoreEntry("in/x", 3), new StoreEntry("in2", 4) }, await ListPrefixAsync(view, ""));

        await view.DeletePrefixAsync("");

        Assert.Empty(await ListPrefixAsync(view, ""));
        Assert.Equal(
            new[] { new StoreEntry("p", 1), new StoreEntry("pq/x", 2), new StoreEntry("q/p/x", 5) },
            await ListPrefixAsync(inner, ""));
    }

    [Fact]
    public async Task RangedReads_PassThrough()
    {
        var inner = new MemoryStore();
        var view = new PrefixStore(inner, "x/y");
        var value = Bytes(100, 7);
        await view.SetAsync("v", value);

        Assert.Equal(value[10..30], await ReadAsync(view, "v", ByteRange.Slice(10, 20)));
        Assert.Equal(value[^8..], await ReadAsync(view, "v", ByteRange.Suffix(8)));
    }

    [Fact]
    public void ReadOnly_ComesFromTheInnerStore()
    {
        Assert.False(new PrefixStore(new MemoryStore(), "a").IsReadOnly);
        Assert.True(new PrefixStore(new MemoryStore([], readOnly: true), "a").IsReadOnly);
    }

    [Theory]
    [InlineData("/a")]
    [InlineData("a//b")]
    [InlineData("../a")]
    [InlineData("a/./b")]
    [InlineData("a\\b")]
    [InlineData("/")]
    public void InvalidPrefix_IsRefused(string prefix) =>
        Assert.Throws<ZarrStoreException>(() => new PrefixStore(new MemoryStore(), prefix));

    [Fact]
    public void NullArguments_AreRefused()
    {
        Assert.Throws<ArgumentNullException>(() => new PrefixStore(null!, "a"));
        Assert.Throws<ArgumentNullException>(() => new PrefixStore(new MemoryStore(), null!));
    }
}
