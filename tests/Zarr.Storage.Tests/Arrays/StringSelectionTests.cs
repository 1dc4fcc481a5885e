
namespace Zarr.Storage.Tests.Arrays;

/// <summary>A string array's indexer: selections as a typed array's, awaitable, with read, write and fill.</summary>
public class StringSelectionTests
{
    private static readonly string?[] Names = ["ann", "bob", "cy", "dee", "eve", "fay", "gus", "hal", "ivy", "jo", "kim", "lu"];

    public static TheoryData<string> Types() => new() { "string", "<U4" };

    private static async Task<ZarrStringArray> NamesAsync(string type)
    {
        var dataType = type == "string" ? ZarrDataType.String : ZarrDataType.FixedUnicode(4);
        var names = await ZarrStringArray.CreateAsync(new MemoryStore(), "names", [4, 3], dataType, new ArrayOptions { Chunks = [3, 2] });
        await names.WriteAsync([Slice.All, Slice.All], Names);
        return names;
    }

    [Theory]
    [MemberData(nameof(Types))]
    public async Task The_indexer_reads_as_ReadAsync_does(string type)
    {
        var names = await NamesAsync(type);

        var (rows, rowsShape) = await names[0..2];
        Assert.Equal(new long[] { 2, 3 }, rowsShape);
        Assert.Equal(Names[..6], rows);

        var (column, columnShape) = await names[.., 2];
        Assert.Equal(new long[] { 4 }, columnShape);
        Assert.Equal(new string?[] { "cy", "fay", "ivy", "lu" }, column);
        Assert.Equal(new long[] { 4 }, names[.., 2].Shape);

        var (one, oneShape) = await names[^1, ^1];
        Assert.Empty(oneShape);
        Assert.Equal(new string?[] { "lu" }, one);

        var stepped = await names[(..).WithStep(2), 1].ReadAsync();
        Assert.Equal(new string?[] { "bob", "hal" }, stepped.Values);

        // The same selections as ReadAsync's arguments (a range in a collection expression is parenthesized or bounded).
        Assert.Equal(rows, (await names.ReadAsync([0..2])).Values);
        Assert.Equal(rows, (await names.ReadAsync([(..2)])).Values);
    }

    [Theory]
    [MemberData(nameof(Types))]
    public async Task The_indexer_writes_and_fills(string type)
    {
        var names = await NamesAsync(type);
        await names[1, ..].WriteAsync(new string?[] { "x", "y", "z" });
        await names[.., 0].FillAsync("q");
        await names[3, 1..].WriteAsync(new ReadOnlyMemory<string?>(["m", "n"]));

        var (all, shape) = await names[..];
        Assert.Equal(new long[] { 4, 3 }, shape);
        Assert.Equal(new string?[] { "q", "bob", "cy", "q", "y", "z", "q", "hal", "ivy", "q", "m", "n" }, all);
        await Assert.ThrowsAsync<ZarrSelectionException>(() => names[0, ..].WriteAsync(new string?[] { "too", "few" }));
    }
}
