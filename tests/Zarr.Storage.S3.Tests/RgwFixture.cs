using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Zarr.Storage.S3;

namespace Zarr.Storage.S3.Tests;

/// <summary>
/// A Ceph RGW for the tests: the one named by ZARR_S3_ENDPOINT (with ZARR_S3_ACCESS_KEY, ZARR_S3_SECRET_KEY,
/// ZARR_S3_REGION), or one this fixture starts with scripts/services/rgw.sh on free ports and stops at the end.
/// </summary>
public sealed class RgwFixture : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, Task<string>> _buckets = new();
    private string? _stateFile;

    public Uri Endpoint { get; private set; } = null!;

    public string AccessKey { get; private set; } = null!;

    public string SecretKey { get; private set; } = null!;

    public string Region { get; private set; } = "us-east-1";

    public async Task InitializeAsync()
    {
        var env = ReadEnvironment(name => Environment.GetEnvironmentVariable(name));
        if (env is null)
        {
            env = await StartAsync();
        }

        Endpoint = new Uri(env["ZARR_S3_ENDPOINT"]);
        AccessKey = env["ZARR_S3_ACCESS_KEY"];
        SecretKey = env["ZARR_S3_SECRET_KEY"];
        Region = env.GetValueOrDefault("ZARR_S3_REGION") ?? "us-east-1";
    }

    public async Task DisposeAsync()
    {
        if (_stateFile is not null)
        {
            await RunScriptAsync("stop", _stateFile, null, null);
            File.Delete(_stateFile);
        }
    }

    /// <summary>Options for the server, with the test keys.</summary>
    public S3StoreOptions Options(Action<S3StoreOptions>? change = null)
    {
        var options = S3StoreOptions.ForServer(Endpoint, new BasicAWSCredentials(AccessKey, SecretKey), Region);
        change?.Invoke(options);
        return options;
    }

    /// <summary>A client of the server as the tests' peers use it (request counting, setup).</summary>
    public AmazonS3Client NewClient() => new(new BasicAWSCredentials(AccessKey, SecretKey), new AmazonS3Config
    {
        ServiceURL = Endpoint.ToString(),
        ForcePathStyle = true,
        AuthenticationRegion = Region,
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
    });

    /// <summary>The fresh bucket of one test class (created on first use).</summary>
    public Task<string> BucketFor(Type testClass) => _buckets.GetOrAdd(testClass.Name, name => CreateBucketAsync(name));

    /// <summary>A new, empty bucket.</summary>
    public async Task<string> CreateBucketAsync(string hint)
    {
        var name = $"t-{new string(hint.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(20).ToArray())}-{Guid.NewGuid():N}"; // S3: at most 63
        using var client = NewClient();
        await client.PutBucketAsync(new PutBucketRequest { BucketName = name });
        return name;
    }

    /// <summary>A store on a fresh prefix of the test class's bucket: empty.</summary>
    public async Task<S3Store> NewStoreAsync(Type testClass, Action<S3StoreOptions>? change = null) =>
        new(await BucketFor(testClass), "p-" + Guid.NewGuid().ToString("N"), Options(change));

    private async Task<Dictionary<string, string>> StartAsync()
    {
        foreach (var tool in new[] { "radosgw", "ceph-mon", "ceph-osd" })
        {
            if (!File.Exists(Path.Combine("/usr/bin", tool)))
            {
                throw new InvalidOperationException(
                    $"{tool} is missing: the S3 tests run against a real Ceph RGW. Install it with `apt-get install radosgw ceph-mon ceph-osd` " +
                    "(or run ./build.sh test), or point ZARR_S3_ENDPOINT, ZARR_S3_ACCESS_KEY and ZARR_S3_SECRET_KEY at a running S3 server.");
            }
        }

        // One more try on other ports when the first start fails: a start on this machine failed now and then (the OSD
        // refused by its monitor, 'wrong fsid', cause not found yet), and a second one has always come up.
        string output;
        try
        {
            _stateFile = Path.Combine(Path.GetTempPath(), $"zarr-rgw-tests-{Guid.NewGuid():N}.env");
            output = await StartOnFreePortsAsync(_stateFile);
        }
        catch (InvalidOperationException first)
        {
            Console.Error.WriteLine($"RgwFixture: {first.Message}; starting again on other ports");
            _stateFile = Path.Combine(Path.GetTempPath(), $"zarr-rgw-tests-{Guid.NewGuid():N}.env");
            output = await StartOnFreePortsAsync(_stateFile);
        }

        return ReadEnvironment(name => output.Split('\n')
                   .Select(line => line.Trim())
                   .Where(line => line.StartsWith($"export {name}=", StringComparison.Ordinal))
                   .Select(line => line[$"export {name}=".Length..])
                   .FirstOrDefault())
               ?? throw new InvalidOperationException($"scripts/services/rgw.sh start printed no endpoint:\n{output}");
    }

    private static Dictionary<string, string>? ReadEnvironment(Func<string, string?> get)
    {
        var names = new[] { "ZARR_S3_ENDPOINT", "ZARR_S3_ACCESS_KEY", "ZARR_S3_SECRET_KEY", "ZARR_S3_REGION" };
        var values = names.Select(n => (n, v: get(n))).Where(p => !string.IsNullOrEmpty(p.v)).ToDictionary(p => p.n, p => p.v!);
        return values.ContainsKey("ZARR_S3_ENDPOINT") ? values : null;
    }

    private static async Task<string> RunScriptAsync(string verb, string stateFile, int? port, int? monPort)
    {
        var info = new ProcessStartInfo("bash", [Script(), verb]) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["ZARR_RGW_STATE"] = stateFile;
        if (port is { } p)
        {
            info.Environment["ZARR_RGW_PORT"] = p.ToString();
            info.Environment["ZARR_RGW_MON_PORT"] = monPort!.Value.ToString();
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/services/rgw.sh {verb} failed ({process.ExitCode}): {await stderr}");
        }

        return await stdout;
    }

    private static string Script()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var script = Path.Combine(dir.FullName, "scripts", "services", "rgw.sh");
            if (File.Exists(script))
            {
                return script;
            }
        }

        throw new InvalidOperationException("scripts/services/rgw.sh not found above " + AppContext.BaseDirectory);
    }

    // The S3 port and the monitor's: two different free ports (a port let go may be handed out again at once).
    private static Task<string> StartOnFreePortsAsync(string stateFile)
    {
        var port = FreePort();
        var monPort = FreePort();
        while (monPort == port)
        {
            monPort = FreePort();
        }

        return RunScriptAsync("start", stateFile, port, monPort);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class RgwCollection : ICollectionFixture<RgwFixture>
{
    public const string Name = "RGW";
}
