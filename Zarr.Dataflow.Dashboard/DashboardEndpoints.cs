using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Zarr.Dataflow.Dashboard;

/// <summary>
/// The dashboard's routes, under a prefix (default <c>/dashboard</c>):
/// <list type="bullet">
/// <item><c>GET {prefix}/</c>: the job list (HTML, complete without scripts); <c>GET {prefix}/events</c>: its updates (server-sent events, <c>jobs</c>).</item>
/// <item><c>GET {prefix}/jobs/{id}</c>: a job's page; <c>GET {prefix}/jobs/{id}/json</c>: the job as JSON;
/// <c>GET {prefix}/jobs/{id}/events</c>: its updates, <c>state</c> events then one <c>end</c> event when it ended (its final numbers), each with an increasing <c>id</c>.</item>
/// <item><c>POST {prefix}/jobs/{id}/cancel</c>: cancels it (303 back to its page; 202 and the job for <c>Accept: application/json</c>).
/// A request from another site's page (an <c>Origin</c> that is not this host) is refused with 403.</item>
/// </list>
/// </summary>
public static class DashboardEndpoints
{
    /// <summary>The prefix the routes are under by default.</summary>
    public const string DefaultPrefix = "/dashboard";

    /// <summary>The least time between two events of one stream by default: a page gets at most four updates a second.</summary>
    public static readonly TimeSpan DefaultThrottle = TimeSpan.FromMilliseconds(250);

    /// <summary>Maps the dashboard's routes for <paramref name="jobs"/> under <paramref name="prefix"/>.</summary>
    /// <param name="endpoints">The app.</param>
    /// <param name="jobs">The jobs to show.</param>
    /// <param name="prefix">Where the pages are (starting with '/', no trailing '/'; "" for the root).</param>
    /// <param name="throttle">The least time between two events of one stream; null for <see cref="DefaultThrottle"/>.</param>
    /// <returns>The group of the routes (to add authorization, for instance).</returns>
    /// <exception cref="ArgumentException"><paramref name="prefix"/> is neither empty nor a path starting with '/' and not ending with '/'.</exception>
    public static RouteGroupBuilder MapZarrDashboard(this IEndpointRouteBuilder endpoints, DashboardJobs jobs, string prefix = DefaultPrefix, TimeSpan? throttle = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length > 0 && (prefix[0] != '/' || prefix[^1] == '/'))
        {
            throw new ArgumentException($"the dashboard's prefix must start with '/' and not end with one (or be empty), not '{prefix}'", nameof(prefix));
        }

        var pace = throttle ?? DefaultThrottle;
        var group = endpoints.MapGroup(prefix);
        group.MapGet("/", () => Results.Content(DashboardPages.JobList(jobs, prefix), "text/html; charset=utf-8"));
        group.MapGet("/dashboard.js", () => Asset("dashboard.js", "text/javascript; charset=utf-8"));
        group.MapGet("/dashboard.css", () => Asset("dashboard.css", "text/css; charset=utf-8"));
        group.MapGet("/events", (Func<HttpContext, Task<IResult>>)(context => StreamAsync(context, pace, jobs.WaitForChangeAsync, () => (jobs.Version, "jobs", jobs.ToJson(), false))));
        group.MapGet("/jobs/{id}", (string id) => jobs.Find(id) is { } job
            ? Results.Content(DashboardPages.Job(job, prefix), "text/html; charset=utf-8")
            : NotFound(id));
        group.MapGet("/jobs/{id}/json", (string id) => jobs.Find(id) is { } job ? Results.Json(job.ToJson()) : NotFound(id));
        group.MapGet("/jobs/{id}/events", (string id, HttpContext context) => jobs.Find(id) is { } job
            ? StreamAsync(context, pace, job.WaitForChangeAsync, () =>
            {
                var json = job.ToJson();
                var ended = (string)json["state"]! != DashboardJob.StateName(DashboardJobState.Running);
                return ((long)json["seq"]!, ended ? "end" : "state", json, ended);
            })
            : Task.FromResult(NotFound(id)));
        group.MapPost("/jobs/{id}/cancel", (string id, HttpContext context) =>
        {
            if (!SameOrigin(context.Request))
            {
                return Results.Problem("a job is cancelled from its own dashboard page, not from another site", statusCode: StatusCodes.Status403Forbidden);
            }

            if (jobs.Find(id) is not { } job)
            {
                return NotFound(id);
            }

            job.Cancel();
            var wantsJson = context.Request.Headers.Accept.Any(a => a?.Contains("application/json", StringComparison.OrdinalIgnoreCase) == true);
            return wantsJson ? Results.Accepted($"{prefix}/jobs/{id}/json", job.ToJson()) : (IResult)new SeeOther($"{prefix}/jobs/{id}");
        });
        return group;
    }

    /// <summary>
    /// Sends the state as server-sent events: one at once, then one after each change, no closer together than
    /// <paramref name="pace"/> (changes in between are folded into the next); the stream ends after an event that says so.
    /// </summary>
    private static async Task<IResult> StreamAsync(HttpContext context, TimeSpan pace, Func<long, CancellationToken, Task> changed, Func<(long Version, string Event, JsonNode Data, bool Last)> snapshot)
    {
        var response = context.Response;
        // A stream ends when the page goes away or the app stops (an open page must not hold the app's shutdown).
        var stopping = context.RequestServices.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var aborted = linked.Token;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.Body.FlushAsync(aborted).ConfigureAwait(false);
        try
        {
            while (true)
            {
                var (version, name, data, last) = snapshot();
                var text = $"id: {version}\nevent: {name}\ndata: {data.ToJsonString(JsonOptions)}\n\n";
                await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), aborted).ConfigureAwait(false);
                await response.Body.FlushAsync(aborted).ConfigureAwait(false);
                if (last)
                {
                    break;
                }

                var paced = Task.Delay(pace, aborted);
                await changed(version, aborted).ConfigureAwait(false);
                await paced.ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The page went away.
        }

        return Results.Empty;
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = false };

    private static IResult Asset(string name, string contentType)
    {
        var stream = typeof(DashboardEndpoints).Assembly.GetManifestResourceStream("Zarr.Dataflow.Dashboard." + name)
            ?? throw new InvalidOperationException($"the dashboard's {name} is missing from its assembly");
        return Results.Stream(stream, contentType);
    }

    /// <summary>No <c>Origin</c> (a form with scripts off in some browsers, a tool), or this very host.</summary>
    private static bool SameOrigin(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        return origin.Length == 0 || (Uri.TryCreate(origin, UriKind.Absolute, out var uri) && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase));
    }

    private static IResult NotFound(string id) => Results.Problem($"no job '{id}' on this dashboard", statusCode: StatusCodes.Status404NotFound);

    /// <summary>303 See Other: after the cancel form's POST, the browser GETs the job's page.</summary>
    private sealed class SeeOther(string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
            httpContext.Response.Headers.Location = location;
            return Task.CompletedTask;
        }
    }
}
