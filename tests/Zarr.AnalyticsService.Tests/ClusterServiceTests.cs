using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Zarr.Storage;

namespace Zarr.AnalyticsService.Tests;

/// <summary>
/// The service's jobs sent to a cluster (<c>Zarr:Cluster</c>): <c>local</c>, the embedded Orleans silo in the service's
/// process (the same grains, transport and scheduler as a Redis cluster's). Two services over one data folder, one
/// running jobs in its own engine and one on the cluster, give the same results, bit for bit; the cluster job's
/// dashboard page has its worker's row.
/// </summary>
public sealed class ClusterServiceTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "zarr-analytics-cluster-" + Guid.NewGuid().ToString("N"));
    private WebApplication? _local;
    private WebApplication? _cluster;
    private HttpClient? _localHttp;
    private HttpClient? _clusterHttp;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        (_local, _localHttp) = await StartAsync(["--urls", "http://127.0.0.1:0"]);
        // Set the way a deployment sets it: configuration (here the command line; Zarr__Cluster in the environment).
        (_cluster, _clusterHttp) = await StartAsync(["--urls", "http://127.0.0.1:0", "--Zarr:Cluster", "local"]);
    }

    private async Task<(WebApplication, HttpClient)> StartAsync(string[] args)
    {
        var app = AnalyticsApp.Create(new ServiceOptions { DataRoot = _root, PerJobParallelism = 2 }, args);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return (app, new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(60) });
    }

    public async Task DisposeAsync()
    {
        _localHttp?.Dispose();
        _clusterHttp?.Dispose();
        foreach (var app in new[] { _local, _cluster })
        {
            if (app is not null)
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }

        Directory.Delete(_root, recursive: true);
    }

    private static async Task<JsonObject> RunAsync(HttpClient http, object request)
    {
        using var response = await http.PostAsJsonAsync("/jobs", request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{response.StatusCode}: {body}");
        var id = (string)JsonNode.Parse(body)!["id"]!;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            var job = JsonNode.Parse(await http.GetStringAsync($"/jobs/{id}"))!.AsObject();
            if ((string)job["state"]! is "succeeded" or "failed" or "cancelled")
            {
                Assert.True((string)job["state"]! == "succeeded", job.ToJsonString());
                return job;
            }

            Assert.True(DateTime.UtcNow < deadline, $"job {id} is still {job.ToJsonString()}");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Stats_and_a_rechunking_copy_on_the_cluster_equal_the_local_runs_and_the_page_shows_the_worker()
    {
        var array = await ZarrArray.CreateAsync<double>(new DirectoryStore(Path.Combine(_root, "t.zarr")), "", [96, 80], new ArrayOptions { Chunks = [16, 16] });
        var random = new Random(5);
        await array.WriteAsync([Slice.All, Slice.All], Enumerable.Range(0, 96 * 80).Select(_ => (random.NextDouble() * 50) - 10).ToArray());

        var localStats = await RunAsync(_localHttp!, new { kind = "stats", path = "t.zarr" });
        var clusterStats = await RunAsync(_clusterHttp!, new { kind = "stats", path = "t.zarr" });
        var expected = await _localHttp!.GetStringAsync($"/jobs/{(string)localStats["id"]!}/result");
        Assert.Equal(expected, await _clusterHttp!.GetStringAsync($"/jobs/{(string)clusterStats["id"]!}/result"));

        await RunAsync(_localHttp, new { kind = "copy", source = "t.zarr", destination = "local.zarr", chunks = new[] { 24, 20 } });
        var clusterCopy = await RunAsync(_clusterHttp, new { kind = "copy", source = "t.zarr", destination = "cluster.zarr", chunks = new[] { 24, 20 } });
        var localFiles = Files("local.zarr");
        var clusterFiles = Files("cluster.zarr");
        Assert.Equal(16 + 1, localFiles.Count);
        Assert.Equal(localFiles.Keys, clusterFiles.Keys);
        foreach (var (key, bytes) in localFiles)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(clusterFiles[key]), key);
        }

        // The cluster job's dashboard page: its worker (the embedded silo) answered every task; none was lost.
        Assert.Equal($"/dashboard/jobs/{(string)clusterCopy["id"]!}", (string)clusterCopy["dashboard"]!);
        var page = JsonNode.Parse(await _clusterHttp.GetStringAsync($"/dashboard/jobs/{(string)clusterCopy["id"]!}/json"))!;
        Assert.Equal("succeeded", (string)page["state"]!);
        Assert.Equal(16, (long)page["chunks_done"]!);
        var worker = Assert.Single((JsonArray)page["workers"]!)!;
        // One row per silo, named by the cluster and the address the silo reports.
        var name = (string)worker["name"]!;
        Assert.StartsWith("local (this process): 127.0.0.1:", name, StringComparison.Ordinal);
        Assert.Equal(2, (long)worker["tasks_done"]!);  // 16 chunks, 8 a task
        Assert.Equal(0, (long)worker["lost"]!);
        Assert.Equal(0, (long)worker["in_flight"]!);
        var html = await _clusterHttp.GetStringAsync($"/dashboard/jobs/{(string)clusterCopy["id"]!}");
        Assert.Contains($"<tr><th scope=\"row\">{WebUtility.HtmlEncode(name)}</th><td>2</td><td>0</td><td>0</td><td>0</td></tr>", html, StringComparison.Ordinal);

        // A job run locally has no worker rows.
        var localPage = JsonNode.Parse(await _localHttp.GetStringAsync($"/dashboard/jobs/{(string)localStats["id"]!}/json"))!;
        Assert.Empty((JsonArray)localPage["workers"]!);
        Assert.NotEmpty((JsonArray)localPage["stages"]!);
    }

    [Fact]
    public async Task A_region_is_refused_on_a_cluster_and_a_wrong_setting_stops_the_app()
    {
        using var response = await _clusterHttp!.PostAsJsonAsync("/jobs", new { kind = "stats", path = "t.zarr", region = "0:10" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Contains("cluster (local)", (string)problem["errors"]!["region"]![0]!, StringComparison.Ordinal);

        var error = Assert.Throws<InvalidOperationException>(() => AnalyticsApp.Create(new ServiceOptions { DataRoot = _root }, ["--urls", "http://127.0.0.1:0", "--Zarr:Cluster", "tcp://nowhere"]));
        Assert.Contains("Zarr:Cluster 'tcp://nowhere'", error.Message, StringComparison.Ordinal);
    }

    private Dictionary<string, byte[]> Files(string name)
    {
        var folder = Path.Combine(_root, name);
        return Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(folder, f), File.ReadAllBytes, StringComparer.Ordinal);
    }
}
