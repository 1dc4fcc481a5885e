using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Zarr.Storage;

namespace Zarr.AnalyticsService.Tests;

/// <summary>
/// The service end to end over HTTP on loopback: the real Kestrel bound to 127.0.0.1 on a free port, an HttpClient, real
/// arrays in a temporary data folder.
/// </summary>
public sealed class ServiceTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "zarr-analytics-tests-" + Guid.NewGuid().ToString("N"));
    private WebApplication? _app;
    private HttpClient? _http;

    private HttpClient Http => _http!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        _app = AnalyticsApp.Create(new ServiceOptions { DataRoot = _root, MaxConcurrentJobs = 2, PerJobParallelism = 1 }, ["--urls", "http://127.0.0.1:0"]);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Assert.StartsWith("http://127.0.0.1:", address, StringComparison.Ordinal);
        _http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        Directory.Delete(_root, recursive: true);
    }

    private async Task<double[]> WriteAsync(string name, long rows, long columns)
    {
        var array = await ZarrArray.CreateAsync<double>(new DirectoryStore(Path.Combine(_root, name)), "", [rows, columns], new ArrayOptions { Chunks = [16, 16] });
        var random = new Random(7);
        var values = Enumerable.Range(0, (int)(rows * columns)).Select(_ => (random.NextDouble() * 100) - 20).ToArray();
        await array.WriteAsync([Slice.All, Slice.All], values);
        return values;
    }

    private async Task<JsonObject> SubmitAsync(object request)
    {
        using var response = await Http.PostAsJsonAsync("/jobs", request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{response.StatusCode}: {body}");
        var job = JsonNode.Parse(body)!.AsObject();
        Assert.Equal($"/jobs/{(string)job["id"]!}", response.Headers.Location!.OriginalString);
        return job;
    }

    private async Task<JsonObject> GetAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {response.StatusCode}: {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    private async Task<JsonObject> WaitAsync(string id, params string[] states)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var job = await GetAsync($"/jobs/{id}");
            if (states.Contains((string)job["state"]!))
            {
                return job;
            }

            Assert.True(DateTime.UtcNow < deadline, $"job {id} is still {job.ToJsonString()}");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task StatsJobOverARegionMatchesADirectComputation()
    {
        var values = await WriteAsync("t.zarr", 100, 40);
        var job = await SubmitAsync(new { kind = "stats", path = "t.zarr", region = "10:90:3,5:" });
        Assert.Equal("stats", (string)job["kind"]!);

        var done = await WaitAsync((string)job["id"]!, "succeeded", "failed");
        Assert.True((string)done["state"]! == "succeeded", done.ToJsonString());
        Assert.Equal(1.0, (double)done["progress"]!["fraction"]!);
        var result = await GetAsync($"/jobs/{(string)job["id"]!}/result");

        var selected = new List<double>();
        for (var r = 10; r < 90; r += 3)
        {
            for (var c = 5; c < 40; c++)
            {
                selected.Add(values[(r * 40) + c]);
            }
        }

        var mean = selected.Average();
        var variance = selected.Sum(v => (v - mean) * (v - mean)) / selected.Count;
        Assert.Equal("[27,35]", result["shape"]!.ToJsonString());
        Assert.Equal(selected.Count, (long)result["count"]!);
        Assert.Equal(selected.Sum(), (double)result["sum"]!, 9);
        Assert.Equal(mean, (double)result["mean"]!, 9);
        Assert.Equal(variance, (double)result["var"]!, 9);
        Assert.Equal(Math.Sqrt(variance), (double)result["std"]!, 9);
        Assert.Equal(selected.Min(), (double)result["min"]!);
        Assert.Equal(selected.Max(), (double)result["max"]!);
        Assert.Equal(0, (long)result["nan_count"]!);
    }

    [Fact]
    public async Task CopyJobRechunksAndTheCopyHoldsTheSameValues()
    {
        var values = await WriteAsync("src.zarr", 50, 30);
        var job = await SubmitAsync(new { kind = "copy", source = "src.zarr", destination = "out/dst.zarr", chunks = new[] { 10, 10 }, shards = new[] { 20, 30 } });
        var done = await WaitAsync((string)job["id"]!, "succeeded", "failed");
        Assert.True((string)done["state"]! == "succeeded", done.ToJsonString());
        var result = await GetAsync($"/jobs/{(string)job["id"]!}/result");
        Assert.Equal(3, (long)result["chunks"]!);
        Assert.True((long)result["bytes_written"]! > 0);

        var copy = await ZarrArray.OpenAsync<double>(new DirectoryStore(Path.Combine(_root, "out", "dst.zarr")));
        Assert.Equal([20, 30], copy.Chunks.ToArray());
        Assert.Equal(values, (await copy.ReadAsync(DataRegion)).ToArray());
    }

    [Fact]
    public async Task StatsJobOfAnIntegerArrayGivesTheExactInt64Sum()
    {
        // Above 2^53 doubles skip integers: numpy's int64 sum is exact, and so is the job's.
        const long big = (1L << 60) + 1;
        var values = new long[] { big, big, 3, -1, 5, 7 };
        await ZarrArray.FromDataAsync<long>(new DirectoryStore(Path.Combine(_root, "ints.zarr")), "", values, [6], new ArrayOptions { Chunks = [4] });
        var job = await SubmitAsync(new { kind = "stats", path = "ints.zarr" });
        var done = await WaitAsync((string)job["id"]!, "succeeded", "failed");
        Assert.True((string)done["state"]! == "succeeded", done.ToJsonString());
        var result = await GetAsync($"/jobs/{(string)job["id"]!}/result");
        Assert.Equal((2 * big) + 14, (long)result["sum"]!);
        Assert.Equal("2305843009213693968", result["sum"]!.ToJsonString());
        Assert.Equal(-1.0, (double)result["min"]!);
    }

    [Fact]
    public async Task StatsJobOfAnUnsignedArrayGivesTheExactUInt64Sum()
    {
        var values = new ulong[] { ulong.MaxValue - 10, 4, 5 };
        await ZarrArray.FromDataAsync<ulong>(new DirectoryStore(Path.Combine(_root, "uints.zarr")), "", values, [3], new ArrayOptions { Chunks = [2] });
        var job = await SubmitAsync(new { kind = "stats", path = "uints.zarr" });
        var done = await WaitAsync((string)job["id"]!, "succeeded", "failed");
        Assert.True((string)done["state"]! == "succeeded", done.ToJsonString());
        var result = await GetAsync($"/jobs/{(string)job["id"]!}/result");
        Assert.Equal(ulong.MaxValue - 1, (ulong)result["sum"]!);
    }

    [Fact]
    public async Task CopyJobCopiesABoolOrComplexArrayThroughTheEngine()
    {
        var mask = Enumerable.Range(0, 30).Select(i => i % 4 == 1).ToArray();
        await ZarrArray.FromDataAsync<bool>(new DirectoryStore(Path.Combine(_root, "mask.zarr")), "", mask, [30], new ArrayOptions { Chunks = [8] });
        var job = await SubmitAsync(new { kind = "copy", source = "mask.zarr", destination = "out/mask.zarr", chunks = new[] { 5 } });
        var done = await WaitAsync((string)job["id"]!, "succeeded", "failed");
        Assert.True((string)done["state"]! == "succeeded", done.ToJsonString());
        var copy = await ZarrArray.OpenAsync<bool>(new DirectoryStore(Path.Combine(_root, "out", "mask.zarr")));
        Assert.Equal([5], copy.Chunks.ToArray());
        Assert.Equal(mask, (await copy.ReadAsync([Slice.All])).ToArray());

        var waves = Enumerable.Range(0, 12).Select(i => new System.Numerics.Complex(i, -i)).ToArray();
        await ZarrArray.FromDataAsync<System.Numerics.Complex>(new DirectoryStore(Path.Combine(_root, "waves.zarr")), "", waves, [12], new ArrayOptions { Chunks = [5] });
        job = await SubmitAsync(new { kind = "copy", source = "waves.zarr", destination = "out/waves.zarr", chunks = new[] { 3 } });
        done = await WaitAsync((string)job["id"]!, "succeeded", "failed");
        Assert.True((string)done["state"]! == "succeeded", done.ToJsonString());
        var complexCopy = await ZarrArray.OpenAsync<System.Numerics.Complex>(new DirectoryStore(Path.Combine(_root, "out", "waves.zarr")));
        Assert.Equal(waves, (await complexCopy.ReadAsync([Slice.All])).ToArray());
    }

    [Fact]
    public async Task CopyJobKeepsAV2ArrayWithoutAFillValueWithoutOne()
    {
        var days = Enumerable.Range(0, 40).Select(i => (long)i).ToArray();
        await ZarrArray.FromDataAsync<long>(new DirectoryStore(Path.Combine(_root, "times.zarr")), "", days, [40], new ArrayOptions
        {
            Format = ZarrFormat.V2,
            Chunks = [16],
            FillValueIsNull = true,
        });
        var job = await SubmitAsync(new { kind = "copy", source = "times.zarr", destination = "out/times.zarr", format = 2, chunks = new[] { 10 } });
        var done = await WaitAsync((string)job["id"]!, "succeeded", "failed");
        Assert.True((string)done["state"]! == "succeeded", done.ToJsonString());

        var zarray = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(_root, "out", "times.zarr", ".zarray")))!.AsObject();
        Assert.True(zarray.ContainsKey("fill_value"));
        Assert.Null(zarray["fill_value"]);
        var copy = await ZarrArray.OpenAsync<long>(new DirectoryStore(Path.Combine(_root, "out", "times.zarr")));
        Assert.True(copy.Metadata.FillValueIsNull);
        Assert.Equal(days, (await copy.ReadAsync([Slice.All])).ToArray());
    }

    // 10 000 chunks of which the first 20 (in C order, the order a copy goes in) hold data and the others were never
    // written: a copy writes those 20 first, then goes on through the rest for a few seconds (each is still read as fill,
    // encoded and checked), while the source costs only 20 chunks to write.
    private const int BigSourceDataChunks = 20;

    private async Task<double[]> WriteBigSourceAsync(string name)
    {
        var array = await ZarrArray.CreateAsync<double>(new DirectoryStore(Path.Combine(_root, name)), "", [10_000, 10_000], new ArrayOptions { Chunks = [100, 100] });
        var values = Enumerable.Range(0, 100 * 100 * BigSourceDataChunks).Select(i => (double)(i % 977) + 1).ToArray();
        await array.WriteAsync(DataRegion, values);
        return values;
    }

    private static Slice[] DataRegion => [Slice.Range(0, 100), Slice.Range(0, 100 * BigSourceDataChunks)];

    /// <summary>Waits until the running job has done more than <paramref name="chunks"/> chunks, and checks that it is still running.</summary>
    private async Task WaitForChunksAsync(string id, long chunks)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var job = await GetAsync($"/jobs/{id}");
            Assert.True((string)job["state"]! is "queued" or "running", job.ToJsonString());
            if ((long)job["progress"]!["chunks_done"]! > chunks)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"job {id} is still {job.ToJsonString()}");
            await Task.Delay(10);
        }
    }

    private static int FilesIn(string folder) => Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Count() : 0;

    [Fact]
    public async Task ACancelledCopyLeavesNoDestinationAndTheSameJobThenSucceeds()
    {
        var values = await WriteBigSourceAsync("big.zarr");
        var request = new { kind = "copy", source = "big.zarr", destination = "out/copy.zarr" };
        var first = (string)(await SubmitAsync(request))["id"]!;
        await WaitForChunksAsync(first, BigSourceDataChunks);
        Assert.True(FilesIn(Path.Combine(_root, "out", "copy.zarr")) > BigSourceDataChunks, "the copy has written its data chunks and its metadata");

        using (var cancel = await Http.DeleteAsync($"/jobs/{first}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        }

        var cancelled = await WaitAsync(first, "cancelled", "succeeded", "failed");
        Assert.Equal("cancelled", (string)cancelled["state"]!);
        // Everything the job created is gone: the array and the folder "out" it made for it.
        Assert.False(Directory.Exists(Path.Combine(_root, "out")), $"left behind: {FilesIn(Path.Combine(_root, "out"))} files");
        Assert.True(Directory.Exists(Path.Combine(_root, "big.zarr")));

        var second = (string)(await SubmitAsync(request))["id"]!;
        var done = await WaitAsync(second, "succeeded", "failed", "cancelled");
        Assert.True((string)done["state"]! == "succeeded", done.ToJsonString());
        var copy = await ZarrArray.OpenAsync<double>(new DirectoryStore(Path.Combine(_root, "out", "copy.zarr")));
        Assert.Equal(values, (await copy.ReadAsync(DataRegion)).ToArray());
    }

    [Fact]
    public async Task ACopyThatDoesNotFinishLeavesWhatWasThereBefore()
    {
        await WriteAsync("src.zarr", 50, 30);

        // An array already there and not overwritten: the job fails, and the array is as it was.
        var existing = await WriteAsync("existing.zarr", 20, 20);
        var refused = await WaitAsync((string)(await SubmitAsync(new { kind = "copy", source = "src.zarr", destination = "existing.zarr" }))["id"]!, "failed", "succeeded");
        Assert.Equal("failed", (string)refused["state"]!);
        Assert.Contains("already exists", (string)refused["error"]!, StringComparison.Ordinal);
        var kept = await ZarrArray.OpenAsync<double>(new DirectoryStore(Path.Combine(_root, "existing.zarr")));
        Assert.Equal(existing, (await kept.ReadAsync([Slice.All, Slice.All])).ToArray());

        // A folder that holds something else than an array: refused even with overwrite, and left untouched.
        Directory.CreateDirectory(Path.Combine(_root, "notes"));
        await File.WriteAllTextAsync(Path.Combine(_root, "notes", "keep.txt"), "keep");
        var notes = await WaitAsync((string)(await SubmitAsync(new { kind = "copy", source = "src.zarr", destination = "notes", overwrite = true }))["id"]!, "failed", "succeeded");
        Assert.Equal("failed", (string)notes["state"]!);
        Assert.Contains("not a Zarr array or group", (string)notes["error"]!, StringComparison.Ordinal);
        Assert.Equal([Path.Combine(_root, "notes", "keep.txt")], Directory.EnumerateFileSystemEntries(Path.Combine(_root, "notes")));

        // An array overwritten on request, the copy cancelled: its folder stays, holding nothing of the copy's.
        await WriteBigSourceAsync("big.zarr");
        var overwriting = (string)(await SubmitAsync(new { kind = "copy", source = "big.zarr", destination = "existing.zarr", overwrite = true }))["id"]!;
        await WaitForChunksAsync(overwriting, BigSourceDataChunks);
        using (var cancel = await Http.DeleteAsync($"/jobs/{overwriting}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        }

        Assert.Equal("cancelled", (string)(await WaitAsync(overwriting, "cancelled", "succeeded", "failed"))["state"]!);
        Assert.True(Directory.Exists(Path.Combine(_root, "existing.zarr")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_root, "existing.zarr")));
    }

    [Fact]
    public async Task ALongJobIsCancelledWhileASecondRunsBesideIt()
    {
        // 40 000 chunks that were never written: every one is still decoded (as fill) and reduced, which takes a while.
        await ZarrArray.CreateAsync<double>(new DirectoryStore(Path.Combine(_root, "big.zarr")), "", [20_000, 20_000], new ArrayOptions { Chunks = [100, 100] });
        var values = await WriteAsync("small.zarr", 64, 64);

        var longJob = await SubmitAsync(new { kind = "stats", path = "big.zarr" });
        var longId = (string)longJob["id"]!;
        var running = await WaitAsync(longId, "running");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((long)running["progress"]!["chunks_done"]! == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "no progress: " + running.ToJsonString());
            await Task.Delay(20);
            running = await GetAsync($"/jobs/{longId}");
        }

        Assert.Equal(40_000, (long)running["progress"]!["chunks_total"]!);

        // A second job runs at the same time (two slots) and finishes while the long one is still running.
        var shortJob = await SubmitAsync(new { kind = "stats", path = "small.zarr" });
        var shortDone = await WaitAsync((string)shortJob["id"]!, "succeeded", "failed");
        Assert.Equal("succeeded", (string)shortDone["state"]!);
        Assert.Equal(values.Average(), (double)(await GetAsync($"/jobs/{(string)shortJob["id"]!}/result"))["mean"]!, 9);
        Assert.Equal("running", (string)(await GetAsync($"/jobs/{longId}"))["state"]!);

        using (var pending = await Http.GetAsync($"/jobs/{longId}/result"))
        {
            Assert.Equal(HttpStatusCode.Conflict, pending.StatusCode);
        }

        using (var cancel = await Http.DeleteAsync($"/jobs/{longId}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        }

        var cancelled = await WaitAsync(longId, "cancelled", "succeeded", "failed");
        Assert.Equal("cancelled", (string)cancelled["state"]!);
        Assert.True((double)cancelled["progress"]!["fraction"]! < 1);
        using var result = await Http.GetAsync($"/jobs/{longId}/result");
        Assert.Equal(HttpStatusCode.Conflict, result.StatusCode);

        var list = JsonNode.Parse(await Http.GetStringAsync("/jobs"))!.AsArray();
        Assert.Equal(2, list.Count);
    }

    [Fact]
    public async Task AQueuedJobWaitsForASlotAndCanBeCancelledWithPost()
    {
        await ZarrArray.CreateAsync<float>(new DirectoryStore(Path.Combine(_root, "big.zarr")), "", [20_000, 20_000], new ArrayOptions { Chunks = [100, 100] });
        var first = (string)(await SubmitAsync(new { kind = "stats", path = "big.zarr" }))["id"]!;
        var second = (string)(await SubmitAsync(new { kind = "stats", path = "big.zarr" }))["id"]!;
        var third = (string)(await SubmitAsync(new { kind = "stats", path = "big.zarr" }))["id"]!;
        await WaitAsync(first, "running");
        await WaitAsync(second, "running");
        Assert.Equal("queued", (string)(await GetAsync($"/jobs/{third}"))["state"]!);

        foreach (var id in new[] { third, first, second })
        {
            using var response = await Http.PostAsync($"/jobs/{id}/cancel", null);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        Assert.Equal("cancelled while queued", (string)(await WaitAsync(third, "cancelled"))["error"]!);
        await WaitAsync(first, "cancelled");
        await WaitAsync(second, "cancelled");
    }

    [Fact]
    public async Task BadRequestsAndUnknownJobs()
    {
        foreach (var request in new object[]
        {
            new { kind = "nope" },
            new { kind = "stats" },
            new { kind = "stats", path = "../outside.zarr" },
            new { kind = "stats", path = "/etc" },
            new { kind = "stats", path = "a.zarr", region = "1:2:0" },
            new { kind = "copy", source = "a.zarr", destination = "a.zarr" },
        })
        {
            using var response = await Http.PostAsJsonAsync("/jobs", request);
            Assert.False(string.IsNullOrWhiteSpace((string?)(await ProblemAsync(response, HttpStatusCode.BadRequest))["detail"]));
        }

        foreach (var path in new[] { "/jobs/zzz", "/jobs/zzz/result" })
        {
            using var response = await Http.GetAsync(path);
            Assert.Equal("no job 'zzz'", (string?)(await ProblemAsync(response, HttpStatusCode.NotFound))["detail"]);
        }

        using (var response = await Http.DeleteAsync("/jobs/zzz"))
        {
            await ProblemAsync(response, HttpStatusCode.NotFound);
        }

        using (var response = await Http.GetAsync("/nowhere"))
        {
            await ProblemAsync(response, HttpStatusCode.NotFound);
        }

        // A job on a missing array fails with the library's message.
        var job = await SubmitAsync(new { kind = "stats", path = "missing.zarr" });
        var failed = await WaitAsync((string)job["id"]!, "failed", "succeeded");
        Assert.Equal("failed", (string)failed["state"]!);
        Assert.False(string.IsNullOrEmpty((string?)failed["error"]));
    }

    /// <summary>Checks an RFC 7807 answer: the status, <c>application/problem+json</c>, a title; returns the problem.</summary>
    private static async Task<JsonObject> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(body)!.AsObject();
        Assert.Equal((int)status, (int)problem["status"]!);
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["title"]), body);
        return problem;
    }

    private async Task<JsonObject> PostProblemAsync(string body, string mediaType = "application/json", HttpStatusCode status = HttpStatusCode.BadRequest)
    {
        using var content = new StringContent(body, Encoding.UTF8, mediaType);
        using var response = await Http.PostAsync("/jobs", content);
        return await ProblemAsync(response, status);
    }

    /// <summary>The one message for <paramref name="field"/> in the problem's <c>errors</c>, which <c>detail</c> repeats.</summary>
    private static string FieldError(JsonObject problem, string field)
    {
        var errors = problem["errors"]?[field]?.AsArray();
        Assert.True(errors is [not null], $"no error for '{field}': {problem.ToJsonString()}");
        var message = (string)errors[0]!;
        Assert.Contains(message, (string)problem["detail"]!, StringComparison.Ordinal);
        return message;
    }

    [Fact]
    public async Task BadRequestsAnswerProblemDetailsSayingWhatIsWrong()
    {
        // Malformed JSON: the error and where it is.
        var broken = FieldError(await PostProblemAsync("""{"kind": "stats", "path": }"""), "$.path");
        Assert.Contains("'}' is an invalid start of a value", broken, StringComparison.Ordinal);
        Assert.Contains("BytePositionInLine: 26", broken, StringComparison.Ordinal);

        // A field of the wrong type: which one.
        var wrongType = FieldError(await PostProblemAsync("""{"kind": "copy", "source": "a.zarr", "destination": "b.zarr", "chunks": "ten"}"""), "$.chunks");
        Assert.Contains("could not be converted", wrongType, StringComparison.Ordinal);

        // A missing field, an unknown kind, a path outside the data folder.
        Assert.Equal("'path' is required", FieldError(await PostProblemAsync("""{"kind": "stats"}"""), "path"));
        Assert.Equal("'destination' is required", FieldError(await PostProblemAsync("""{"kind": "copy", "source": "a.zarr"}"""), "destination"));
        Assert.Contains("'nope'", FieldError(await PostProblemAsync("""{"kind": "nope"}"""), "kind"), StringComparison.Ordinal);
        Assert.Contains("inside the data folder", FieldError(await PostProblemAsync("""{"kind": "stats", "path": "../outside.zarr"}"""), "path"), StringComparison.Ordinal);
        Assert.Contains("steps must be positive", FieldError(await PostProblemAsync("""{"kind": "stats", "path": "a.zarr", "region": "1:2:0"}"""), "region"), StringComparison.Ordinal);

        // No body, a null one, one that is not an object, and one that is not JSON.
        Assert.StartsWith("the body is empty", (string)(await PostProblemAsync(""))["detail"]!, StringComparison.Ordinal);
        Assert.StartsWith("the body is empty (or null)", (string)(await PostProblemAsync("null"))["detail"]!, StringComparison.Ordinal);
        Assert.Contains("Path: $ ", FieldError(await PostProblemAsync("[]"), "$"), StringComparison.Ordinal);
        Assert.Contains("text/plain", (string)(await PostProblemAsync("kind=stats", "text/plain", HttpStatusCode.UnsupportedMediaType))["detail"]!, StringComparison.Ordinal);
        Assert.Empty(JsonNode.Parse(await Http.GetStringAsync("/jobs"))!.AsArray());
    }
}
