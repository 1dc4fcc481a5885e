using Zarr.Storage;
using Zarr.Tests.Shared;

namespace Zarr.Cli.Tests;

/// <summary>Verbs whose PATH is a URL: an http(s) source served by a real server on loopback, and file:// paths.</summary>
public sealed class UrlCommandTests : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _temp = new();
    private HttpFolderServer _server = null!;

    public async Task InitializeAsync()
    {
        var store = new DirectoryStore(_temp.Combine("site", "g.zarr"));
        var group = await ZarrGroup.CreateAsync(store, "", ZarrFormat.V3);
        var array = await group.CreateArrayAsync<int>("a", [10, 12], new ArrayOptions { Chunks = [4, 5] });
        await array[..].WriteAsync(Enumerable.Range(-60, 120).ToArray());
        await group.ConsolidateMetadataAsync();
        _server = await HttpFolderServer.StartAsync(_temp.Combine("site"));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _temp.Dispose();

    private string Url(string path) => new Uri(_server.Url, path).AbsoluteUri;

    [Fact]
    public async Task Info_of_a_consolidated_group_over_http_lists_its_members_from_the_snapshot()
    {
        var info = (await Cli.RunExpectingAsync(0, "info", Url("g.zarr"), "--json")).Json;
        Assert.Equal("group", (string)info["node_type"]!);
        Assert.Contains("\"a\"", info.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Info_and_tree_over_http_show_what_is_stored_as_unknown()
    {
        // Counting the chunks an array has stored needs a listing, which plain HTTP does not have: the rest is shown.
        var text = (await Cli.RunExpectingAsync(0, "info", Url("g.zarr/a"))).Stdout;
        Assert.Contains("stored: ?", text, StringComparison.Ordinal);
        Assert.Matches(@"initialized: \?/\d+", text);
        var json = (await Cli.RunExpectingAsync(0, "info", Url("g.zarr/a"), "--json")).Json;
        Assert.Null(json["nbytes_stored"]);
        Assert.Null(json["chunks_initialized"]);
        Assert.True((long)json["chunks_total"]! > 0);
        var tree = (await Cli.RunExpectingAsync(0, "tree", Url("g.zarr"))).Stdout;
        Assert.Contains(" stored ? ", tree, StringComparison.Ordinal);
        Assert.Contains("initialized ?/", tree, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Copy_from_an_http_source_reads_every_value_exactly()
    {
        var target = _temp.Combine("copy.zarr");
        await Cli.RunExpectingAsync(0, "copy", Url("g.zarr/a"), target);
        var copied = await ZarrArray.OpenAsync<int>(new DirectoryStore(target));
        var values = new int[120];
        await copied[..].ReadIntoAsync(values);
        Assert.Equal(Enumerable.Range(-60, 120).ToArray(), values);
    }

    [Fact]
    public async Task Export_and_stats_of_an_array_over_http()
    {
        var npy = _temp.Combine("a.npy");
        await Cli.RunExpectingAsync(0, "export", Url("g.zarr/a"), npy);
        var check = await Python.RunAsync(_temp.Path, """
            a = np.load('a.npy')
            print(a.dtype, a.shape, int(a.sum()), int(a[3, 7]))
            """);
        Assert.Equal("int32 (10, 12) -60 -17", check.Trim());

        var stats = (await Cli.RunExpectingAsync(0, "stats", Url("g.zarr/a"), "--json")).Json;
        Assert.Equal(-60.0, (double)stats["sum"]!);
    }

    [Fact]
    public async Task Verbs_that_write_refuse_an_http_destination_clearly_and_show_no_secret()
    {
        var url = Url("new.zarr?sig=SECRET");
        var result = await Cli.RunExpectingAsync(1, "create", url, "--shape", "4", "--dtype", "int32");
        Assert.Contains("read-only", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, _server.Requests);
    }

    [Fact]
    public async Task An_unknown_scheme_is_refused_naming_it_and_the_packages()
    {
        // s3:// and az:// are registered by zarr itself; a scheme nobody provides names the packages that do provide some.
        var result = await Cli.RunExpectingAsync(1, "info", "gs://bucket/x.zarr");
        Assert.Contains("'gs'", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("Zarr.Storage.S3", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_url_is_the_folder()
    {
        var info = (await Cli.RunExpectingAsync(0, "info", new Uri(_temp.Combine("site", "g.zarr", "a")).AbsoluteUri, "--json")).Json;
        Assert.Equal("[10,12]", info["shape"]!.ToJsonString());
        Assert.Equal(9, (long)info["chunks_initialized"]!);
    }
}
