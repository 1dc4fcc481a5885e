using Zarr.Tests;
using System.Text;
using Zarr.Storage.Internal;

namespace Zarr.Storage.Tests.Metadata;

/// <summary>
/// Issue 23, item 6: a message quotes at most a few hundred characters of text it was given. A 100 MB codec name, data
/// type name or field name once gave an exception whose message was all 100 MB (and 2 GiB allocated over 5 s).
/// </summary>
[Trait(SlowTests.Category, SlowTests.Slow)] // documents of 100 MB
public class LongTextInMessagesTests
{
    private const int Huge = 100_000_000;

    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    private const string V3Array = """
        {"zarr_format": 3, "node_type": "array", "shape": [4], "data_type": "int32",
         "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [2]}},
         "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
         "fill_value": 0, "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}], "attributes": {}}
        """;

    private const string V2Array = """
        {"zarr_format": 2, "shape": [4], "chunks": [2], "dtype": "<i4", "fill_value": 0, "order": "C",
         "compressor": null, "filters": null}
        """;

    public static TheoryData<string, string, string, string> HugeNames() => new()
    {
        // format, the text to replace in the document, what replaces it ({0}: the huge name), the field the message names
        { "v3", "{\"name\": \"bytes\", \"configuration\": {\"endian\": \"little\"}}", "{{\"name\": \"{0}\"}}", "codecs" },
        { "v3", "\"data_type\": \"int32\"", "\"data_type\": \"{0}\"", "data_type" },
        { "v3", "\"attributes\": {}", "\"attributes\": {{}}, \"{0}\": 1", "" },
        { "v2", "\"compressor\": null", "\"compressor\": {{\"id\": \"{0}\"}}", "compressor.id" },
        { "v2", "\"dtype\": \"<i4\"", "\"dtype\": \"{0}\"", "dtype" },
        { "v2", "\"dtype\": \"<i4\"", "\"dtype\": [[\"{0}\", \"|O\"]]", "dtype[0]" },
    };

    [Theory]
    [MemberData(nameof(HugeNames))]
    public async Task A100MBName_GivesAShortMessage_Quickly(string format, string original, string replacement, string field)
    {
        var name = new string('x', Huge);
        var template = format == "v3" ? V3Array : V2Array;
        Assert.Contains(original, template, StringComparison.Ordinal);
        var document = template.Replace(original, string.Format(System.Globalization.CultureInfo.InvariantCulture, replacement, name), StringComparison.Ordinal);
        var store = new MemoryStore();
        await store.SetAsync(format == "v3" ? "a/zarr.json" : "a/.zarray", Encoding.UTF8.GetBytes(document));
        document = null;

        var e = await Assert.ThrowsAsync<ZarrMetadataException>(() => ZarrArray.OpenAsync(store, "a"));

        Assert.True(e.Message.Length < 1024, $"the message is {e.Message.Length} characters: {e.Message[..Math.Min(2000, e.Message.Length)]}");
        Assert.Contains("xxxxxxxxxx…", e.Message, StringComparison.Ordinal);
        Assert.Contains($"({Huge} characters)", e.Message, StringComparison.Ordinal);
        if (field.Length > 0)
        {
            Assert.StartsWith(field, e.Field, StringComparison.Ordinal);
        }

        // How long refusing takes is not asserted here (shared, noisy machines): the message's size is what was wrong.
    }

    [Fact]
    public void AHugeKey_IsQuotedShort()
    {
        var key = new string('k', Huge) + "\\x";
        var e = Assert.Throws<ZarrStoreException>(() => StoreKey.Validate(key));
        Assert.Same(key, e.Key);
        Assert.True(e.Message.Length < 1024, $"the message is {e.Message.Length} characters");
        Assert.Contains($"kkkk…' ({Huge + 2} characters)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LongNodePaths_AreQuotedShort()
    {
        var store = new MemoryStore();
        await ZarrArray.CreateAsync<int>(store, "a", [2]);
        var below = "a/" + string.Join('/', Enumerable.Repeat(new string('p', 100), 50));
        var e = await Assert.ThrowsAsync<ZarrNodeException>(() => ZarrGroup.CreateAsync(store, below));
        Assert.Equal("a", e.Path);
        Assert.True(e.Message.Length < 1024, e.Message);
        Assert.Contains($"({below.Length + 1} characters)", e.Message, StringComparison.Ordinal);

        var deep = await ZarrGroup.CreateAsync(store, "g/" + string.Join('/', Enumerable.Repeat(new string('q', 100), 50)));
        var readOnly = await ZarrGroup.OpenAsync(store, deep.Path);
        var refused = await Assert.ThrowsAsync<ZarrException>(() => readOnly.CreateGroupAsync("x"));
        Assert.True(refused.Message.Length < 1024, refused.Message);
    }

    [Theory]
    [InlineData("abc", "'abc'")]
    [InlineData("", "''")]
    [InlineData("a\\b", "'a\\\\b'")]
    [InlineData("a\nb\tc\rd\0e", "'a\\nb\\tc\\rd\\0e'")]
    [InlineData("a\u001fb\u007fc\u0085d\u2028e", "'a\\u001Fb\\u007Fc\\u0085d\\u2028e'")]
    [InlineData("😀 ü 日本", "'😀 ü 日本'")]
    public void Quote_EscapesWhatCannotBeShown(string text, string expected) => Assert.Equal(expected, UserText.Quote(text));

    [Fact]
    public void Quote_EscapesLoneSurrogates()
    {
        // Not theory data: a lone surrogate does not survive the test runner's serialization of it.
        Assert.Equal("'k\\uD800'", UserText.Quote("k\uD800"));
        Assert.Equal("'\\uDC00\\uD800'", UserText.Quote("\uDC00\uD800"));
        Assert.Equal("'a\\uDBFFb'", UserText.Quote("a\uDBFFb"));
    }

    [Fact]
    public void Quote_CutsLongText_AndSaysHowLong()
    {
        var shown = UserText.Quote(new string('a', 1000));
        Assert.Equal("'" + new string('a', UserText.MaxShown) + "…' (1000 characters)", shown);

        // Escapes count as what they print, and a surrogate pair is never split.
        Assert.True(UserText.Quote(new string('\0', 1000)).Length < UserText.MaxShown + 40);
        var emoji = UserText.Quote(string.Concat(Enumerable.Repeat("😀", 500)));
        Assert.EndsWith("😀…' (1000 characters)", emoji, StringComparison.Ordinal);
        _ = StrictUtf8.GetByteCount(emoji); // throws on a lone surrogate
    }

    [Fact]
    public void Json_ShowsTheStartOfALargeValue()
    {
        using var doc = System.Text.Json.JsonDocument.Parse("[\"" + new string('v', 10_000) + "\", 1]");
        var shown = UserText.Json(doc.RootElement);
        Assert.StartsWith("[\"vvvv", shown, StringComparison.Ordinal);
        Assert.EndsWith("… (10007 characters)", shown, StringComparison.Ordinal);
        Assert.True(shown.Length < 300);
        Assert.Equal("(missing)", UserText.Json(default(System.Text.Json.JsonElement)));
        Assert.Equal("[1, 2]", UserText.Json(System.Text.Json.JsonDocument.Parse("[1, 2]").RootElement));
    }
}
