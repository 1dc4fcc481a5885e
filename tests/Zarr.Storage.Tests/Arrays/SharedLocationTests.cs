using static Zarr.Storage.Tests.Arrays.SelectionTests;

namespace Zarr.Storage.Tests.Arrays;

/// <summary>
/// Issue 23, item 9: store objects that are different objects but hold the same values (two DirectoryStores on one
/// folder, one through a symbolic link, a PrefixStore over the parent) must serialise their chunk writes as one store.
/// </summary>
public class SharedLocationTests
{
    private const int Writers = 8;
    private const int Length = 4096;
    private const int Chunk = 512;

    /// <summary>
    /// 8 writers, each with its own store object on the same folder, set disjoint elements (writer w every element e with
    /// e % 8 == w) of 8 shared chunks one at a time: every write is a read-modify-write of a chunk all writers share.
    /// </summary>
    [Theory]
    [InlineData("same path")]
    [InlineData("mixed")]
    public async Task Writers_through_separate_store_objects_on_one_folder_lose_nothing(string how)
    {
        using var tmp = new TempDirectory();
        var data = tmp.Combine("data");
        Directory.CreateDirectory(data);
        var link = tmp.Combine("link");
        var canLink = how == "mixed" && TryCreateSymbolicLink(link, data);

        await ZarrArray.CreateAsync<int>(new DirectoryStore(data), "g/c", [Length], new ArrayOptions { Chunks = [Chunk] });

        // Each writer opens the array through a store object of its own.
        async Task<ZarrArray<int>> OpenAsync(int w)
        {
            var kind = how == "same path" ? 0 : w % 4;
            return kind switch
            {
                1 when canLink => await ZarrArray.OpenAsync<int>(new DirectoryStore(link), "g/c", AccessMode.ReadWrite),
                2 => await ZarrArray.OpenAsync<int>(new PrefixStore(new DirectoryStore(data), "g"), "c", AccessMode.ReadWrite),
                3 => await ZarrArray.OpenAsync<int>(new DirectoryStore(Path.Combine(data, "g")), "c", AccessMode.ReadWrite),
                _ => await ZarrArray.OpenAsync<int>(new DirectoryStore(data + Path.DirectorySeparatorChar), "g/c", AccessMode.ReadWrite),
            };
        }

        var handles = await Task.WhenAll(Enumerable.Range(0, Writers).Select(OpenAsync));
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var e = w; e < Length; e += Writers)
            {
                await handles[w][e..(e + 1)].WriteAsync(new[] { e + 1 });
            }
        })));

        var all = ToArray(await (await ZarrArray.OpenAsync<int>(new DirectoryStore(data), "g/c"))[..]);
        var lost = Enumerable.Range(0, Length).Count(e => all[e] != e + 1);
        Assert.True(lost == 0, $"{lost} of {Length} elements were lost");
    }

    [Fact]
    public void Locations_name_where_the_values_are()
    {
        using var tmp = new TempDirectory();
        var data = tmp.Combine("data");
        Directory.CreateDirectory(Path.Combine(data, "g"));

        // One folder by any path (trailing separator, '..', a symbolic link), and a parent folder's view at the prefix.
        var location = new DirectoryStore(data).Location;
        Assert.Equal(location, new DirectoryStore(data + Path.DirectorySeparatorChar).Location);
        Assert.Equal(location, new DirectoryStore(Path.Combine(data, "g", "..")).Location);
        Assert.Equal(location.Below("g"), new DirectoryStore(Path.Combine(data, "g")).Location);
        Assert.Equal(location.Below("g"), new PrefixStore(new DirectoryStore(data), "g/").Location);
        Assert.Equal(location.Below("g/h"), new PrefixStore(new PrefixStore(new DirectoryStore(data), "g"), "h").Location);
        Assert.Equal(location, new PrefixStore(new DirectoryStore(data), "").Location);
        if (TryCreateSymbolicLink(tmp.Combine("link"), data))
        {
            Assert.Equal(location, new DirectoryStore(tmp.Combine("link")).Location);
            Assert.Equal(location.Below("g/new"), new DirectoryStore(tmp.Combine("link", "g", "new")).Location); // not there yet
        }

        Assert.NotEqual(location, new DirectoryStore(tmp.Combine("other")).Location);
        Assert.NotEqual(location, location.Below("g"));

        // A memory store is its own location; two are never the same, nor is a folder.
        var memory = new MemoryStore();
        Assert.Equal(memory.Location, memory.Location);
        Assert.Equal(memory.Location.Below("a"), new PrefixStore(memory, "a").Location);
        Assert.NotEqual(memory.Location, new MemoryStore().Location);
        Assert.NotEqual(memory.Location, location);
    }

    private static bool TryCreateSymbolicLink(string link, string target)
    {
        try
        {
            Directory.CreateSymbolicLink(link, target);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            return false; // Windows without the privilege: the other kinds still run
        }
    }
}
