using System.Diagnostics;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;

namespace Zarr.Storage.Azure.Tests;

/// <summary>
/// The Azurite every test here talks to: the one ZARR_AZURE_CONNECTION_STRING names, or one this fixture starts with the
/// repository's own scripts/services/azurite.sh (blob service on a free port of 127.0.0.1, in memory) and stops at the end.
/// Without node and npm the tests fail, saying how to install them.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    public const string ConnectionStringVariable = "ZARR_AZURE_CONNECTION_STRING";

    private string? _stateDir;
    private string? _script;

    public string ConnectionString { get; private set; } = "";

    public BlobServiceClient Service { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var given = Environment.GetEnvironmentVariable(ConnectionStringVariable);
        if (!string.IsNullOrWhiteSpace(given))
        {
            ConnectionString = given;
        }
        else
        {
            if (!OnPath("node") || !OnPath("npm"))
            {
                throw new InvalidOperationException(
                    "the Azure store tests need Azurite, which runs on Node.js: install node and npm (Debian: apt-get install nodejs npm; " +
                    $"./build.sh test does), or set {ConnectionStringVariable} to the connection string of a running Azurite");
            }

            _script = Path.Combine(FindRepositoryRoot(), "scripts", "services", "azurite.sh");
            _stateDir = Directory.CreateTempSubdirectory("zarr-azurite-").FullName;
            var (status, output, error) = await RunScriptAsync("start");
            if (status != 0)
            {
                throw new InvalidOperationException($"scripts/services/azurite.sh start failed ({status}): {error}");
            }

            ConnectionString = output.Trim().Split('\n')[^1].Trim();
        }

        Service = new BlobServiceClient(ConnectionString);
    }

    public async Task DisposeAsync()
    {
        if (_stateDir is not null)
        {
            await RunScriptAsync("stop");
            Directory.Delete(_stateDir, recursive: true);
        }
    }

    /// <summary>Options on this Azurite, with few quick retries (a test should fail fast), and a policy if given.</summary>
    public AzureBlobStoreOptions Options(HttpPipelinePolicy? policy = null, bool readOnly = false) => new()
    {
        ConnectionString = ConnectionString,
        ReadOnly = readOnly,
        MaxRetries = 2,
        RetryDelay = TimeSpan.FromMilliseconds(50),
        MaxRetryDelay = TimeSpan.FromMilliseconds(200),
        ConfigureClient = policy is null ? null : o => o.AddPolicy(policy, HttpPipelinePosition.PerRetry),
    };

    /// <summary>A container name no other test uses (the container itself is created by the first write).</summary>
    public static string NewContainerName(string hint)
    {
        var name = $"{hint.ToLowerInvariant()}-{Guid.NewGuid():N}";
        return name.Length <= 63 ? name : name[^63..].TrimStart('-');
    }

    /// <summary>Deletes a container, if there is one.</summary>
    public Task DeleteContainerAsync(string name) => Service.GetBlobContainerClient(name).DeleteIfExistsAsync();

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Any(folder => File.Exists(Path.Combine(folder, program)));

    private static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "scripts", "services", "azurite.sh")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"scripts/services/azurite.sh was not found above {AppContext.BaseDirectory}");
    }

    private async Task<(int Status, string Output, string Error)> RunScriptAsync(string verb)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(_script!);
        start.ArgumentList.Add(verb);
        start.Environment["AZURITE_STATE_DIR"] = _stateDir;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}

/// <summary>Counts the requests a client sends (each try of each), with their method and Range header.</summary>
public sealed class RequestCounter : HttpPipelineSynchronousPolicy
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<(string Method, string PathAndQuery, string? Range)> _requests = new();

    public IReadOnlyList<(string Method, string PathAndQuery, string? Range)> Requests => [.. _requests];

    public int Count => _requests.Count;

    public void Reset() => _requests.Clear();

    public override void OnSendingRequest(HttpMessage message)
    {
        message.Request.Headers.TryGetValue("x-ms-range", out var range);
        if (range is null)
        {
            message.Request.Headers.TryGetValue("Range", out range);
        }

        _requests.Enqueue((message.Request.Method.ToString(), message.Request.Uri.ToUri().PathAndQuery, range));
    }
}
