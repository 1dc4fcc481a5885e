using System.Text.Json.Nodes;

namespace Zarr.Storage.Azure.Tests;

/// <summary>Arrays and groups written by the library on Azurite, and what a partial read of a shard costs in requests.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureArrayTests(AzuriteFixture azurite) : AzureTestBase(azurite)
{
    [Fact]
    public async Task An_array_and_a_group_written_on_Azure_read_back_exactly()
    {
        var container = NewContainer();
        using (var store = new AzureBlobStore(container, "data.zarr", Azurite.Options()))
        {
            var root = await ZarrGroup.CreateAsync(store, "", attributes: new JsonObject { ["title"] = "azure" });
            var group = await root.CreateGroupAsync("g");
            var v3 = await group.CreateArrayAsync<double>("v3", [100, 70], new ArrayOptions { Chunks = [32, 32] });
            await v3.WriteAsync([Slice.All, Slice.All], Enumerable.Range(0, 7_000).Select(i => i * 0.5).ToArray());
            var v2 = await ZarrArray.CreateAsync<int>(store, "g/v2", [1000], new ArrayOptions { Format = ZarrFormat.V2, Chunks = [64] });
            await v2.WriteAsync([Slice.Range(10, 990)], Enumerable.Range(10, 980).ToArray());
        }

        // A new store object (as another process would open it).
        using var reader = AzureBlobStore.FromUrl($"az://{container}/data.zarr", Azurite.Options(readOnly: true));
        var opened = await ZarrGroup.OpenAsync(reader);
        Assert.Equal("azure", opened.Attributes["title"]!.GetValue<string>());
        var names = new List<string>();
        await foreach (var member in opened.WalkAsync())
        {
            names.Add(member.Path);
        }

        Assert.Equal(new[] { "g", "g/v2", "g/v3" }, names.Order(StringComparer.Ordinal));
        var doubles = new double[7_000];
        await (await ZarrArray.OpenAsync<double>(reader, "g/v3")).ReadIntoAsync([Slice.All, Slice.All], doubles);
        Assert.Equal(Enumerable.Range(0, 7_000).Select(i => i * 0.5), doubles);
        var ints = new int[1000];
        await (await ZarrArray.OpenAsync<int>(reader, "g/v2")).ReadIntoAsync([Slice.All], ints);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => i is >= 10 and < 990 ? i : 0), ints);
    }

    /// <summary>
    /// One 256×256 int32 shard of 64 inner chunks of 32×32 (index at the end). Reading one inner chunk costs 3 requests:
    /// the shard's properties (Azure cannot ask for a suffix range, so the size comes first), the ranged GET of the index,
    /// and the ranged GET of that inner chunk; the whole shard is 1 GET.
    /// </summary>
    [Fact]
    public async Task A_partial_read_of_one_inner_chunk_of_a_64_chunk_shard_costs_three_requests()
    {
        var counter = new RequestCounter();
        using var store = NewStore("sharded", counter);
        var z = await ZarrArray.CreateAsync<int>(store, "a", [256, 256], new ArrayOptions { Shards = [256, 256], Chunks = [32, 32], Compressors = [] });
        var all = Enumerable.Range(1, 256 * 256).ToArray();
        await z.WriteAsync([Slice.All, Slice.All], all);
        var shardKey = (await ToListAsync(store.ListPrefixAsync("a/c/"))).Single().Key;

        counter.Reset();
        var chunk = new int[32 * 32];
        await z.ReadIntoAsync([Slice.Range(32, 64), Slice.Range(64, 96)], chunk);
        Assert.Equal(Enumerable.Range(32, 32).SelectMany(r => Enumerable.Range(64, 32).Select(c => all[(r * 256) + c])), chunk);
        var requests = counter.Requests;
        Assert.Equal(3, requests.Count);
        Assert.All(requests, r => Assert.EndsWith("/" + shardKey, r.PathAndQuery.Split('?')[0], StringComparison.Ordinal));
        Assert.Equal(new[] { "HEAD", "GET", "GET" }, requests.Select(r => r.Method));
        Assert.All(requests.Skip(1), r => Assert.NotNull(r.Range));

        // The whole array: one GET of the whole shard.
        counter.Reset();
        var whole = new int[256 * 256];
        await z.ReadIntoAsync([Slice.All, Slice.All], whole);
        Assert.Equal(all, whole);
        Assert.Equal(("GET", (string?)null), (counter.Requests.Single().Method, counter.Requests.Single().Range));
    }
}
