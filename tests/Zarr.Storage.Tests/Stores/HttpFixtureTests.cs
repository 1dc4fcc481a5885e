using Zarr.Tests.Shared;

namespace Zarr.Storage.Tests.Stores;

/// <summary>
/// The generated fixtures (zarr-python 2.13, zarrita.js, hand-built v3) and consolidated groups served by a real HTTP server
/// on loopback, read through the HTTP store exactly as through the folder; and the cost of a sharded partial read in requests.
/// </summary>
public sealed class HttpFixtureTests : IAsyncLifetime
{
    private HttpFolderServer _server = null!;

    public async Task InitializeAsync() => _server = await HttpFolderServer.StartAsync(TestCorpora.Fixtures.Root);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("v2")]
    [InlineData("v3")]
    public async Task Every_fixture_array_reads_over_http_exactly_as_from_its_folder(string format)
    {
        var folder = TestCorpora.Fixtures.Format(format);
        var local = new DirectoryStore(folder, new DirectoryStoreOptions { ReadOnly = true });
        using var http = new HttpStore(new HttpStoreOptions { BaseUrl = new Uri(_server.Url, format + "/") });
        var compared = 0;
        foreach (var entry in TestCorpora.Manifest(TestCorpora.Fixtures, format).Where(e => e["kind"]?.GetValue<string>() == "array"))
        {
            var path = entry["path"]!.GetValue<string>();
            if (!Directory.Exists(Path.Combine(folder, path)))
            {
                continue; // an array inside a zip file: not a folder the server serves as such
            }

            var (expected, expectedError) = await TryReadAllAsync(local, path);
            var (actual, actualError) = await TryReadAllAsync(http, path);
            Assert.True(expectedError?.GetType() == actualError?.GetType(), $"{path}: {expectedError?.Message} / {actualError?.Message}");
            if (expected is not null)
            {
                Assert.True(expected.AsSpan().SequenceEqual(actual), $"{format}/{path}: the bytes read over HTTP differ");
                compared++;
            }
        }

        Assert.True(compared >= 10, $"only {compared} {format} arrays compared");
    }

    [Fact]
    public async Task The_consolidated_fixture_groups_are_walked_and_read_over_http_without_listing()
    {
        var folder = TestCorpora.Fixtures.Format("v2");
        var groups = TestCorpora.Manifest(TestCorpora.Fixtures, "v2")
            .Where(e => e["kind"]?.GetValue<string>() == "group" && e["consolidated"]?.GetValue<bool>() == true)
            .Select(e => e["path"]!.GetValue<string>())
            .Where(p => File.Exists(Path.Combine(folder, p, ".zmetadata"))) // its sub-groups are listed from the root's snapshot only
            .ToList();
        Assert.NotEmpty(groups);
        foreach (var path in groups)
        {
            await AssertSameHierarchyAsync(new DirectoryStore(Path.Combine(folder, path), new DirectoryStoreOptions { ReadOnly = true }), $"v2/{path}/");
        }
    }

    [Theory]
    [InlineData(ZarrFormat.V2)]
    [InlineData(ZarrFormat.V3)]
    public async Task A_consolidated_group_written_here_is_walked_and_read_over_http(ZarrFormat format)
    {
        using var temp = new TempDirectory();
        var store = new DirectoryStore(temp.Combine("g.zarr"));
        var root = await ZarrGroup.CreateAsync(store, "", format);
        var inner = await root.CreateGroupAsync("inner");
        var a = await root.CreateArrayAsync<int>("a", [10, 7], new ArrayOptions { Format = format, Chunks = [4, 3] });
        await a[..].WriteAsync(Enumerable.Range(0, 70).ToArray());
        var b = await inner.CreateArrayAsync<double>("b", [5], new ArrayOptions { Format = format, Chunks = [2] });
        await b[..].WriteAsync(new[] { 1.5, 2.5, 3.5, 4.5, 5.5 });
        await root.ConsolidateMetadataAsync();

        await using var server = await HttpFolderServer.StartAsync(temp.Path);
        using var http = new HttpStore(new HttpStoreOptions { BaseUrl = new Uri(server.Url, "g.zarr/") });
        var group = await ZarrGroup.OpenAsync(http);
        var members = new List<NodeEntry>();
        await foreach (var member in group.WalkAsync())
        {
            members.Add(member);
        }

        Assert.Equal(["a", "inner", "inner/b"], members.Select(m => m.Path).Order());
        var readA = await group.OpenArrayAsync<int>("a");
        var valuesA = new int[70];
        await readA[..].ReadIntoAsync(valuesA);
        Assert.Equal(Enumerable.Range(0, 70).ToArray(), valuesA);
        var readB = await group.OpenArrayAsync<double>("inner/b");
        var valuesB = new double[5];
        await readB[..].ReadIntoAsync(valuesB);
        Assert.Equal([1.5, 2.5, 3.5, 4.5, 5.5], valuesB);
        Assert.DoesNotContain(server.Log, l => l.Contains("/.zarray", StringComparison.Ordinal)); // metadata came from the snapshot
    }

    [Fact]
    public async Task A_partial_read_of_one_inner_chunk_of_a_64_chunk_shard_costs_two_range_requests()
    {
        using var temp = new TempDirectory();
        var store = new DirectoryStore(temp.Combine("s.zarr"));
        var array = await ZarrArray.CreateAsync<int>(store, "", [64, 64], new ArrayOptions { Shards = [64, 64], Chunks = [8, 8] });
        await array[..].WriteAsync(Enumerable.Range(0, 64 * 64).ToArray());

        await using var server = await HttpFolderServer.StartAsync(temp.Path);
        using var http = new HttpStore(new HttpStoreOptions { BaseUrl = new Uri(server.Url, "s.zarr/") });
        var remote = await ZarrArray.OpenAsync<int>(http);
        server.ResetCounts();
        var window = new int[64];
        await remote[16..24, 8..16].ReadIntoAsync(window);

        var expected = Enumerable.Range(16, 8).SelectMany(r => Enumerable.Range(8, 8).Select(c => (r * 64) + c)).ToArray();
        Assert.Equal(expected, window);
        Assert.Equal(2, server.Requests);
        Assert.All(server.Log, l => Assert.Matches(@"^GET /s\.zarr/c/0/0 bytes=\d*-\d+$", l));
    }

    private async Task AssertSameHierarchyAsync(IStore local, string urlPath)
    {
        using var http = new HttpStore(new HttpStoreOptions { BaseUrl = new Uri(_server.Url, urlPath) });
        var localGroup = await ZarrGroup.OpenAsync(local);
        var remoteGroup = await ZarrGroup.OpenAsync(http);
        var localMembers = new List<NodeEntry>();
        await foreach (var m in localGroup.WalkAsync())
        {
            localMembers.Add(m);
        }

        var remoteMembers = new List<NodeEntry>();
        await foreach (var m in remoteGroup.WalkAsync())
        {
            remoteMembers.Add(m);
        }

        Assert.Equal(localMembers.OrderBy(m => m.Path), remoteMembers.OrderBy(m => m.Path));
        foreach (var member in localMembers.Where(m => m.Kind == NodeKind.Array))
        {
            var (expected, expectedError) = await TryReadAllAsync(localGroup.Store, member.Path);
            var (actual, actualError) = await TryReadAllAsync(remoteGroup.Store, member.Path);
            Assert.Equal(expectedError?.GetType(), actualError?.GetType());
            Assert.Equal(expected, actual);
        }
    }

    private static async Task<(byte[]? Data, Exception? Error)> TryReadAllAsync(IStore store, string path)
    {
        try
        {
            var array = await ZarrArray.OpenAsync(store, path);
            var (data, _) = await array.ReadBytesAsync(Enumerable.Repeat(Slice.All, array.Rank).ToArray());
            return (data, null);
        }
        catch (ZarrException e)
        {
            return (null, e);
        }
    }
}
