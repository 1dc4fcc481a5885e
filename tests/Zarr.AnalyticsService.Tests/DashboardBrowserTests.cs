using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Zarr.Storage;

namespace Zarr.AnalyticsService.Tests;

/// <summary>
/// The service's dashboard in a real browser: Debian's headless Chromium driven through chromium-driver by
/// python3-selenium (dashboard_browser.py) while a job of 400 chunks runs and while a second is cancelled with the
/// page's button. The screenshots of each state are kept in <c>$ZARR_TEST_ARTIFACTS/dashboard</c> (default: the test
/// output folder's <c>artifacts/dashboard</c>).
/// </summary>
public sealed class DashboardBrowserTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "zarr-analytics-browser-" + Guid.NewGuid().ToString("N"));
    private WebApplication? _app;
    private string _url = "";

    public static string ArtifactDirectory =>
        Path.Combine(Environment.GetEnvironmentVariable("ZARR_TEST_ARTIFACTS") is { Length: > 0 } a ? a : Path.Combine(AppContext.BaseDirectory, "artifacts"), "dashboard");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        // Every store call waits 4 ms, and each stage has one worker: the 400-chunk job lasts about two seconds on any
        // machine, long enough for the page to show it on its way.
        _app = AnalyticsApp.Create(
            new ServiceOptions
            {
                DataRoot = _root,
                MaxConcurrentJobs = 2,
                PerJobParallelism = 1,
                StoreWrapper = store => FaultInjectingStore.Wrap(store, new FaultInjectingStoreOptions { Delay = TimeSpan.FromMilliseconds(4) }),
            },
            ["--urls", "http://127.0.0.1:0"]);
        await _app.StartAsync();
        _url = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task The_page_follows_a_job_to_100_percent_shows_its_report_and_cancels_a_second_job()
    {
        RequireBrowser();
        var short400 = await ZarrArray.CreateAsync<double>(new DirectoryStore(Path.Combine(_root, "short.zarr")), "", [160, 160], new ArrayOptions { Chunks = [8, 8] });
        var random = new Random(3);
        await short400.WriteAsync([Slice.All, Slice.All], Enumerable.Range(0, 160 * 160).Select(_ => random.NextDouble()).ToArray());
        // Never written: every chunk reads as missing, each after the store's delay; far longer than the test waits.
        await ZarrArray.CreateAsync<double>(new DirectoryStore(Path.Combine(_root, "long.zarr")), "", [4000, 4000], new ArrayOptions { Chunks = [20, 20] });
        foreach (var old in Directory.Exists(ArtifactDirectory) ? Directory.GetFiles(ArtifactDirectory, "*.png") : [])
        {
            File.Delete(old);
        }

        var seen = await RunScriptAsync();

        // The list showed the job; its page's progress rose to 100% and the job ended succeeded.
        var first = (string)seen["first"]!;
        Assert.Contains("stats short.zarr", (string)seen["list_row"]!, StringComparison.Ordinal);
        var fractions = ((JsonArray)seen["fractions"]!).Select(f => (double)f!).ToList();
        Assert.True(fractions.Count >= 3, "the page showed too few steps of progress: " + string.Join(", ", fractions));
        Assert.Contains(fractions, f => f is > 0 and < 100);
        Assert.Equal(100, fractions[^1]);
        Assert.Equal(fractions.Order(), fractions);
        Assert.Equal("succeeded", (string)seen["state"]!);
        Assert.Equal("stats: 400 / 400 chunks", (string)seen["phase_label"]!);
        Assert.True((bool)seen["cancel_hidden"]!);

        // The stage table on the page is the run's final report, as the service's API gives it.
        using var http = new HttpClient { BaseAddress = new Uri(_url) };
        var job = JsonNode.Parse(await http.GetStringAsync($"/jobs/{first}"))!;
        var report = (JsonArray)job["report"]![0]!["stages"]!;
        var rows = ((JsonArray)seen["stages"]!).Select(r => ((JsonArray)r!).Select(c => (string)c!).ToArray()).ToList();
        Assert.Equal(report.Count, rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var stage = report[i]!;
            string F3(string name) => ((double)stage[name]!).ToString("F3", CultureInfo.InvariantCulture);
            Assert.Equal(["stats", (string)stage["name"]!, ((int)stage["parallelism"]!).ToString(CultureInfo.InvariantCulture), $"{(long)stage["items"]!} / 400", F3("busy_s"), F3("wait_in_s"), F3("wait_out_s")], rows[i][..7]);
        }

        // The second job was cancelled from its page.
        Assert.Equal("cancelled", (string)seen["second_state"]!);
        Assert.Equal("cancelled", (string)JsonNode.Parse(await http.GetStringAsync($"/jobs/{(string)seen["second"]!}"))!["state"]!);
        foreach (var shot in ((JsonArray)seen["screenshots"]!).Select(s => (string)s!))
        {
            Assert.True(new FileInfo(shot).Length > 1000, $"{shot} is not a screenshot");
        }

        Assert.Equal(5, ((JsonArray)seen["screenshots"]!).Count);
    }

    private static void RequireBrowser()
    {
        var missing = new[] { "/usr/bin/chromium", "/usr/bin/chromedriver", "/usr/bin/python3" }.Where(p => !File.Exists(p)).ToList();
        if (!Directory.Exists("/usr/lib/python3/dist-packages/selenium"))
        {
            missing.Add("python3-selenium");
        }

        Assert.True(missing.Count == 0, $"the browser test needs Debian's chromium, chromium-driver and python3-selenium; missing: {string.Join(", ", missing)}. Install them with: apt-get install chromium chromium-driver python3-selenium (./build.sh test installs them)");
    }

    private async Task<JsonObject> RunScriptAsync()
    {
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "dashboard_browser.py"), _url, ArtifactDirectory })
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the browser script ran over 120 s: {await error}");
        }

        Assert.True(process.ExitCode == 0, $"the browser script failed ({process.ExitCode}): {await error}\n{await output}");
        return JsonNode.Parse(await output)!.AsObject();
    }
}
