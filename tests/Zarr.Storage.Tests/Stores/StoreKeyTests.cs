
namespace Zarr.Storage.Tests.Stores;

public sealed class StoreKeyTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("zarr.json")]
    [InlineData(".zarray")]
    [InlineData("a/.zattrs")]
    [InlineData("c/0/0")]
    [InlineData("0.0.0")]
    [InlineData("...")]
    [InlineData("a/.../b")]
    [InlineData("ü/日本")]
    [InlineData("a b/c-d_e")]
    [InlineData(".k.0123456789ABCDEF.tmp")] // upper-case hex: not the reserved temporary form
    [InlineData(".k.0123456789abcde.tmp")]  // 15 hex digits
    [InlineData("k.0123456789abcdef.tmp")]  // no leading dot
    public void Valid_Keys_Pass(string key)
    {
        StoreKey.Validate(key);
        Assert.True(StoreKey.IsValid(key));
        Assert.Null(StoreKey.GetKeyError(key));
    }

    [Theory]
    [MemberData(nameof(StoreContractTests.InvalidKeys), MemberType = typeof(StoreContractTests))]
    public void Invalid_Keys_AreRefusedWithTheirReason(string key)
    {
        var e = Assert.Throws<ZarrStoreException>(() => StoreKey.Validate(key));
        Assert.Equal(key, e.Key);
        Assert.False(StoreKey.IsValid(key));
        Assert.NotNull(StoreKey.GetKeyError(key));
    }

    [Theory]
    [InlineData("a//b", "empty segment")]
    [InlineData("a/", "end with '/'")]
    [InlineData("/a", "start with '/'")]
    [InlineData("a/../b", "'..' segment")]
    [InlineData("a/./b", "'.' segment")]
    [InlineData("a\\b", "backslash")]
    [InlineData("a\0b", "U+0000")]
    [InlineData(".x.0123456789abcdef.tmp", "temporary")]
    public void Messages_SayWhatIsWrong(string key, string expected)
    {
        var e = Assert.Throws<ZarrStoreException>(() => StoreKey.Validate(key));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/")]
    [InlineData("a/b/")]
    [InlineData(".zarr/")]
    public void Valid_Prefixes_Pass(string prefix)
    {
        StoreKey.ValidatePrefix(prefix);
        Assert.True(StoreKey.IsValidPrefix(prefix));
    }

    [Theory]
    [MemberData(nameof(StoreContractTests.InvalidPrefixes), MemberType = typeof(StoreContractTests))]
    public void Invalid_Prefixes_AreRefused(string prefix)
    {
        var e = Assert.Throws<ZarrStoreException>(() => StoreKey.ValidatePrefix(prefix));
        Assert.Equal(prefix, e.Key);
        Assert.False(StoreKey.IsValidPrefix(prefix));
    }

    [Fact]
    public void Join_Combine_ToPrefix()
    {
        Assert.Equal("a/b/c", StoreKey.Join("a/", "b/c"));
        Assert.Equal("x", StoreKey.Join("", "x"));
        Assert.Throws<ZarrStoreException>(() => StoreKey.Join("a", "b"));
        Assert.Throws<ZarrStoreException>(() => StoreKey.Join("a/", "../b"));

        Assert.Equal("a/b/c", StoreKey.Combine("a/", "b", "", "/c"));
        Assert.Equal("group/array/zarr.json", StoreKey.Combine("group", "array", "zarr.json"));
        Assert.Throws<ZarrStoreException>(() => StoreKey.Combine("", "/"));
        Assert.Throws<ZarrStoreException>(() => StoreKey.Combine("a", ".."));

        Assert.Equal("", StoreKey.ToPrefix(""));
        Assert.Equal("a/b/", StoreKey.ToPrefix("a/b"));
        Assert.Equal("a/b/", StoreKey.ToPrefix("a/b/"));
        Assert.Throws<ZarrStoreException>(() => StoreKey.ToPrefix("a//"));
    }

    [Fact]
    public void TemporaryNames_AreReservedAndNeverValidKeys()
    {
        for (var i = 0; i < 100; i++)
        {
            var name = StoreKey.NewTemporaryName(i % 2 == 0 ? "zarr.json" : new string('x', 300));
            Assert.True(StoreKey.IsTemporaryName(name));
            Assert.False(StoreKey.IsValid(name));
            Assert.False(StoreKey.IsValidSegment(name));
            Assert.True(name.Length < 100);
        }

        Assert.NotEqual(StoreKey.NewTemporaryName("a"), StoreKey.NewTemporaryName("a"));
    }
}
