using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using System.Threading.Channels;

namespace Zarr.AnalyticsService.Tests;

/// <summary>
/// The service as a newcomer starts it: the built program in a process of its own, configured the standard ASP.NET Core
/// way (<c>--urls</c>, <c>ASPNETCORE_URLS</c>), saying on its console where it listens and that it is ready. Every
/// address is on 127.0.0.1, and each test stops the process it started.
/// </summary>
public sealed partial class HostingTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "zarr-analytics-hosting-" + Guid.NewGuid().ToString("N"));

    public HostingTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task ListensOnTheUrlsGivenOnTheCommandLineAndSaysItIsReady()
    {
        await using var service = ServiceProcess.Start(_root, [_root, "--urls", "http://127.0.0.1:0"]);
        var listening = await service.WaitForLineAsync(ListeningLine());
        var address = new Uri(listening.Groups["url"].Value);
        Assert.Equal("127.0.0.1", address.Host);
        Assert.NotEqual(0, address.Port);
        Assert.NotEqual(5080, address.Port);
        await service.WaitForLineAsync(ReadyLine());

        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        Assert.Equal("[]", await http.GetStringAsync("/jobs"));
        Assert.Contains(service.Lines, line => line.Contains(_root, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ListensWhereAspNetCoreUrlsSays()
    {
        var port = FreePort();
        await using var service = ServiceProcess.Start(_root, [_root], new() { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}" });
        var listening = await service.WaitForLineAsync(ListeningLine());
        Assert.Equal($"http://127.0.0.1:{port}", listening.Groups["url"].Value);
        await service.WaitForLineAsync(ReadyLine());

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.GetAsync("/jobs");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task WithNoUrlConfiguredItListensOnLoopbackPort5080()
    {
        // Not bound here (another service may hold 5080): the address the host is configured with.
        await using var app = AnalyticsApp.Create(new ServiceOptions { DataRoot = _root }, []);
        var configured = Environment.GetEnvironmentVariable("ASPNETCORE_URLS") is { Length: > 0 } fromEnvironment ? fromEnvironment : "http://127.0.0.1:5080";
        Assert.Equal(configured, app.Configuration["urls"]);
    }

    [GeneratedRegex(@"Now listening on: (?<url>http://\S+)")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"Application started|ready", RegexOptions.IgnoreCase)]
    private static partial Regex ReadyLine();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The built service (AnalyticsService.dll beside the tests) run with <c>dotnet</c>; its console read line by line; killed on dispose.</summary>
    private sealed class ServiceProcess : IAsyncDisposable
    {
        private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

        private readonly Process _process;
        private readonly Channel<string> _incoming = Channel.CreateUnbounded<string>();
        private readonly List<string> _lines = [];
        private int _streamsOpen = 2;

        private ServiceProcess(Process process) => _process = process;

        /// <summary>Every line read so far (stdout and stderr).</summary>
        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        public static ServiceProcess Start(string workingDirectory, string[] arguments, Dictionary<string, string?>? environment = null)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
            };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "AnalyticsService.dll"));
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            // What the test does not set is not inherited either: the address comes from the test alone.
            foreach (var name in new[] { "ASPNETCORE_URLS", "DOTNET_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT" })
            {
                start.Environment.Remove(name);
            }

            foreach (var (name, value) in environment ?? [])
            {
                start.Environment[name] = value;
            }

            var process = new Process { StartInfo = start };
            var service = new ServiceProcess(process);
            process.OutputDataReceived += (_, e) => service.Received(e.Data);
            process.ErrorDataReceived += (_, e) => service.Received(e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return service;
        }

        /// <summary>Waits for a line that matches; fails with everything printed when the process ends or stays silent.</summary>
        public async Task<Match> WaitForLineAsync(Regex pattern)
        {
            using var timeout = new CancellationTokenSource(Patience);
            try
            {
                await foreach (var line in _incoming.Reader.ReadAllAsync(timeout.Token))
                {
                    if (pattern.Match(line) is { Success: true } match)
                    {
                        return match;
                    }
                }
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
            }

            Assert.Fail($"no line matching '{pattern}' within {Patience.TotalSeconds} s (exited: {_process.HasExited}); the service printed:\n{string.Join('\n', Lines)}");
            return null!;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync();
            _process.Dispose();
        }

        private void Received(string? line)
        {
            if (line is null)
            {
                // stdout and stderr each end with a null.
                if (Interlocked.Decrement(ref _streamsOpen) == 0)
                {
                    _incoming.Writer.TryComplete();
                }

                return;
            }

            lock (_lines)
            {
                _lines.Add(line);
            }

            _incoming.Writer.TryWrite(line);
        }
    }
}
