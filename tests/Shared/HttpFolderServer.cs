using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Zarr.Tests.Shared;

/// <summary>
/// A real HTTP server (Kestrel, on 127.0.0.1 and a free port) serving the files of a folder with GET and HEAD, single
/// byte ranges (<c>bytes=a-b</c>, <c>bytes=a-</c>, <c>bytes=-n</c>) and 404 for what is missing; with switches for the
/// faults the HTTP store must survive: no range support, bursts of 503, latency, a required bearer token, 403 for missing
/// files; and ETags (none, strong or weak, from the file's bytes) with <c>If-Match</c> answered 412 when it does not
/// match (or ignored). Every request is counted and logged.
/// </summary>
internal sealed class HttpFolderServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _root;
    private int _requests;
    private int _failNext;
    private int _inFlight;
    private int _maxInFlight;

    private HttpFolderServer(WebApplication app, string root)
    {
        _app = app;
        _root = Path.GetFullPath(root);
    }

    /// <summary>The server's root URL, ending in '/'.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>When false, Range headers are ignored: every GET answers 200 with the whole file.</summary>
    public bool SupportsRanges { get; set; } = true;

    /// <summary>Waited before each answer.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>When set, a request without <c>Authorization: Bearer</c> and this token is answered 401.</summary>
    public string? BearerToken { get; set; }

    /// <summary>When true, a missing file is answered 403 (as a public S3 bucket does), not 404.</summary>
    public bool ForbiddenForMissing { get; set; }

    /// <summary>The ETags the answers carry (none by default): a hash of the file's bytes, strong or weak (<c>W/</c>).</summary>
    public ETagKind ETags { get; set; }

    /// <summary>When set, the <c>Date</c> every answer carries (the server's clock); Kestrel's own when null.</summary>
    public DateTimeOffset? Date { get; set; }

    /// <summary>When true, partial answers (206) carry no ETag, only whole ones do (against RFC 9110, as some servers do).</summary>
    public bool ETagsOnlyOnWholeAnswers { get; set; }

    /// <summary>When true, <c>If-Match</c> is ignored (answered as if absent), as some servers do.</summary>
    public bool IgnoresIfMatch { get; set; }

    /// <summary>The most requests the server was answering at once.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    /// <summary>How many requests arrived.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Each request as "METHOD /path Range" (Range empty when none), in arrival order.</summary>
    public ConcurrentQueue<string> Log { get; } = new();

    /// <summary>The query strings the requests carried.</summary>
    public ConcurrentQueue<string> Queries { get; } = new();

    /// <summary>Makes the next <paramref name="count"/> requests answer 503 Service Unavailable.</summary>
    public void FailNext(int count) => Volatile.Write(ref _failNext, count);

    /// <summary>Forgets the counts and the log.</summary>
    public void ResetCounts()
    {
        Volatile.Write(ref _requests, 0);
        Volatile.Write(ref _maxInFlight, 0);
        Log.Clear();
    }

    public static async Task<HttpFolderServer> StartAsync(string root)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new HttpFolderServer(app, root);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Url = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var now = Interlocked.Increment(ref _inFlight);
        int seen;
        while (now > (seen = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, seen) != seen)
        {
        }

        try
        {
            await AnswerAsync(context);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task AnswerAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        var request = context.Request;
        var response = context.Response;
        var ifMatch = request.Headers.IfMatch.ToString();
        Log.Enqueue($"{request.Method} {request.Path} {request.Headers.Range}".TrimEnd() + (ifMatch.Length > 0 ? " If-Match: " + ifMatch : ""));
        Queries.Enqueue(request.QueryString.Value ?? "");
        if (Latency > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(Latency, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return; // the client gave up (a timeout, a cancellation): so does the server
            }
        }

        if (Interlocked.Decrement(ref _failNext) >= 0)
        {
            response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        if (BearerToken is { } token && request.Headers.Authorization != "Bearer " + token)
        {
            response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        var relative = Uri.UnescapeDataString(request.Path.Value ?? "/").TrimStart('/');
        var file = Path.GetFullPath(Path.Combine(_root, relative));
        if (!file.StartsWith(_root, StringComparison.Ordinal) || !File.Exists(file))
        {
            response.StatusCode = ForbiddenForMissing ? StatusCodes.Status403Forbidden : StatusCodes.Status404NotFound;
            return;
        }

        // With ETags, the bytes are read once: the ETag and the body are of the same version of the file.
        var bytes = ETags == ETagKind.None ? null : await File.ReadAllBytesAsync(file);
        var length = bytes?.Length ?? new FileInfo(file).Length;
        var modified = new DateTimeOffset(File.GetLastWriteTimeUtc(file));
        var etag = ETags switch
        {
            ETagKind.None => null,
            ETagKind.ModifiedSecondAndSize => $"\"{modified.ToUnixTimeSeconds():x}-{length:x}\"",
            _ => $"{(ETags == ETagKind.Weak ? "W/" : "")}\"{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes!))[..16]}\"",
        };
        if (etag is not null)
        {
            response.Headers.ETag = etag;
        }

        if (ETags == ETagKind.ModifiedSecondAndSize)
        {
            response.Headers.LastModified = modified.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        }

        if (Date is { } date)
        {
            response.Headers.Date = date.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        }

        // If-Match compares strongly: a weak ETag never matches, "*" matches any value.
        if (ifMatch.Length > 0 && !IgnoresIfMatch && ifMatch != "*" && (etag is null || etag.StartsWith("W/", StringComparison.Ordinal) || !ifMatch.Split(',').Select(t => t.Trim()).Contains(etag)))
        {
            response.StatusCode = StatusCodes.Status412PreconditionFailed;
            return;
        }

        var (start, count, unsatisfiable) = (0L, length, false);
        var ranged = SupportsRanges && TryParseRange(request.Headers.Range.ToString(), length, out start, out count, out unsatisfiable);
        if (ranged && unsatisfiable)
        {
            response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
            response.Headers.ContentRange = $"bytes */{length}";
            return;
        }

        response.StatusCode = ranged ? StatusCodes.Status206PartialContent : StatusCodes.Status200OK;
        if (ranged && ETagsOnlyOnWholeAnswers)
        {
            response.Headers.Remove("ETag");
        }

        if (ranged)
        {
            response.Headers.ContentRange = $"bytes {start}-{start + count - 1}/{length}";
        }

        response.Headers.AcceptRanges = SupportsRanges ? "bytes" : "none";
        response.ContentLength = count;
        if (HttpMethods.IsHead(request.Method))
        {
            return;
        }

        if (bytes is not null)
        {
            await response.Body.WriteAsync(bytes.AsMemory((int)start, (int)count));
            return;
        }

        await using var stream = File.OpenRead(file);
        stream.Position = start;
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer);
        await response.Body.WriteAsync(buffer);
    }

    /// <summary>Which ETags the server sends.</summary>
    public enum ETagKind
    {
        /// <summary>None.</summary>
        None,

        /// <summary>Strong ETags.</summary>
        Strong,

        /// <summary>Weak ETags (<c>W/"…"</c>).</summary>
        Weak,

        /// <summary>
        /// Strong ETags made of the modification time in whole seconds and the size, with <c>Last-Modified</c>, as nginx
        /// makes them: two files of one size written within one second share their ETag.
        /// </summary>
        ModifiedSecondAndSize,
    }

    private static bool TryParseRange(string header, long length, out long start, out long count, out bool unsatisfiable)
    {
        (start, count, unsatisfiable) = (0, length, false);
        if (!header.StartsWith("bytes=", StringComparison.Ordinal) || header.Contains(','))
        {
            return false;
        }

        var spec = header["bytes=".Length..];
        var dash = spec.IndexOf('-');
        if (dash == 0)
        {
            var suffix = long.Parse(spec[1..]);
            unsatisfiable = suffix == 0;
            count = Math.Min(suffix, length);
            start = length - count;
            return true;
        }

        start = long.Parse(spec[..dash]);
        var end = dash == spec.Length - 1 ? length - 1 : Math.Min(long.Parse(spec[(dash + 1)..]), length - 1);
        unsatisfiable = start >= length;
        count = end - start + 1;
        return true;
    }
}
