using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;

namespace Zarr.Benchmarks;

/// <summary>
/// The RGW the object store benchmarks measure: the one named by ZARR_S3_ENDPOINT (with ZARR_S3_ACCESS_KEY,
/// ZARR_S3_SECRET_KEY, ZARR_S3_REGION), or one started with scripts/services/rgw.sh on free ports and stopped at dispose.
/// </summary>
internal sealed class ObjectStoreServer : IAsyncDisposable
{
    private readonly string? _stateFile;

    private ObjectStoreServer(Uri endpoint, string accessKey, string secretKey, string region, string? stateFile)
    {
        Endpoint = endpoint;
        Credentials = new BasicAWSCredentials(accessKey, secretKey);
        Region = region;
        _stateFile = stateFile;
    }

    public Uri Endpoint { get; }

    public AWSCredentials Credentials { get; }

    public string Region { get; }

    /// <summary>True when this process started the server (and stops it).</summary>
    public bool Started => _stateFile is not null;

    public static async Task<ObjectStoreServer> StartOrReuseAsync()
    {
        if (Environment.GetEnvironmentVariable("ZARR_S3_ENDPOINT") is { Length: > 0 } endpoint)
        {
            return new ObjectStoreServer(
                new Uri(endpoint),
                Environment.GetEnvironmentVariable("ZARR_S3_ACCESS_KEY") ?? throw new InvalidOperationException("ZARR_S3_ENDPOINT is set but ZARR_S3_ACCESS_KEY is not"),
                Environment.GetEnvironmentVariable("ZARR_S3_SECRET_KEY") ?? throw new InvalidOperationException("ZARR_S3_ENDPOINT is set but ZARR_S3_SECRET_KEY is not"),
                Environment.GetEnvironmentVariable("ZARR_S3_REGION") ?? "us-east-1",
                null);
        }

        var state = Path.Combine(Path.GetTempPath(), $"zarr-rgw-bench-{Environment.ProcessId}.env");
        var port = FreePort();
        var monPort = FreePort();
        while (monPort == port)
        {
            monPort = FreePort();
        }

        var output = await RunScriptAsync("start", state, port, monPort);
        string Value(string name) => output.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith($"export {name}=", StringComparison.Ordinal))
                                         .Select(l => l[$"export {name}=".Length..]).FirstOrDefault()
                                     ?? throw new InvalidOperationException($"scripts/services/rgw.sh start printed no {name}:\n{output}");
        return new ObjectStoreServer(new Uri(Value("ZARR_S3_ENDPOINT")), Value("ZARR_S3_ACCESS_KEY"), Value("ZARR_S3_SECRET_KEY"), Value("ZARR_S3_REGION"), state);
    }

    /// <summary>A plain SDK client of the server, set up as RGW needs it, with <paramref name="connections"/> connections at most.</summary>
    public AmazonS3Client NewClient(int connections) => new(Credentials, new AmazonS3Config
    {
        ServiceURL = Endpoint.ToString(),
        ForcePathStyle = true,
        AuthenticationRegion = Region,
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        MaxConnectionsPerServer = connections,
    });

    public async ValueTask DisposeAsync()
    {
        if (_stateFile is not null)
        {
            await RunScriptAsync("stop", _stateFile, null, null);
        }
    }

    private static async Task<string> RunScriptAsync(string verb, string stateFile, int? port, int? monPort)
    {
        var info = new ProcessStartInfo("bash", [Script(), verb]) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["ZARR_RGW_STATE"] = stateFile;
        if (port is { } p)
        {
            info.Environment["ZARR_RGW_PORT"] = p.ToString(System.Globalization.CultureInfo.InvariantCulture);
            info.Environment["ZARR_RGW_MON_PORT"] = monPort!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
