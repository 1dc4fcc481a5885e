using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Zarr.Dataflow.Dashboard;

namespace Zarr.AnalyticsService;

/// <summary>
/// The batch analytics API:
/// <list type="bullet">
/// <item><c>POST /jobs</c> with a <see cref="JobRequest"/> → 202 and the job (<c>Location: /jobs/{id}</c>); 400 when invalid (415 when
/// not JSON), with problem details whose <c>errors</c> name the field (or the JSON path) and say what is wrong.</item>
/// <item><c>GET /jobs</c> → every job; <c>GET /jobs/{id}</c> → its state and progress.</item>
/// <item><c>DELETE /jobs/{id}</c> or <c>POST /jobs/{id}/cancel</c> → 202 and the job, cancelling it.</item>
/// <item><c>GET /jobs/{id}/result</c> → 200 and the result once succeeded; 409 and the job before (or when it failed or was cancelled).</item>
/// <item><c>GET /dashboard/</c> → the jobs' live web page (Zarr.Dataflow.Dashboard): progress per stage, throughput, workers, cancel.</item>
/// </list>
/// Errors are RFC 7807 problem details (<c>application/problem+json</c>): 404 for an unknown job or route, for instance.
/// </summary>
public static partial class AnalyticsApp
{
    /// <summary>Where the service listens when no address is configured: loopback only.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>
    /// Builds the app, configured the standard ASP.NET Core way: appsettings.json (beside the program), environment
    /// variables (<c>ASPNETCORE_URLS</c>, <c>ASPNETCORE_HTTP_PORTS</c>, ...) and <paramref name="args"/> (<c>--urls</c>, any
    /// <c>--Key value</c>). With no address set by any of them it listens on <see cref="DefaultUrl"/>. Once started it
    /// logs where it listens (<c>Now listening on:</c>) and that it is ready.
    /// </summary>
    public static WebApplication Create(ServiceOptions options, string[]? args = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args ?? [], ContentRootPath = AppContext.BaseDirectory });
        if (!SetsAnAddress(builder.Configuration))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        // Where jobs run: the configuration's Zarr:Cluster (appsettings.json, Zarr__Cluster, --Zarr:Cluster) unless the options say.
        if (options.Cluster is null && builder.Configuration["Zarr:Cluster"] is { Length: > 0 } cluster)
        {
            options = options with { Cluster = cluster };
        }

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<JobManager>();

        // Every error answer is RFC 7807 problem details (application/problem+json): a body the endpoint cannot read
        // (not JSON, a field of the wrong type, no body) is thrown to the exception handler, which says what and where.
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            if (context.ProblemDetails.Status == StatusCodes.Status415UnsupportedMediaType)
            {
                context.ProblemDetails.Detail ??= $"the body must be JSON (Content-Type: application/json), not '{context.HttpContext.Request.ContentType}'";
            }
        });
        builder.Services.AddExceptionHandler<UnreadableRequestHandler>();
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AnalyticsApp).Namespace!);
        app.Lifetime.ApplicationStarted.Register(() => LogReady(logger, options.DataRoot, app.Urls));

        // The live view of the jobs (/dashboard/): made now, so that a wrong cluster setting stops the app at once.
        app.MapZarrDashboard(app.Services.GetRequiredService<JobManager>().Dashboard);

        var jobs = app.MapGroup("/jobs");
        jobs.MapPost("/", (JobRequest request, JobManager manager) =>
        {
            try
            {
                var job = manager.Submit(request);
                return Results.Accepted($"/jobs/{job.Id}", job.ToJson());
            }
            catch (JobRequestException ex)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { [ex.Field] = [ex.Message] }, ex.Message);
            }
        });
        jobs.MapGet("/", (JobManager manager) => Results.Ok(new JsonArray([.. manager.Jobs.Select(j => (JsonNode)j.ToJson())])));
        jobs.MapGet("/{id}", (string id, JobManager manager) =>
            manager.Find(id) is { } job ? Results.Ok(job.ToJson()) : NotFound(id));
        jobs.MapGet("/{id}/result", (string id, JobManager manager) => manager.Find(id) switch
        {
            null => NotFound(id),
            { State: JobState.Succeeded } job => Results.Ok(job.Result),
            var job => Results.Conflict(job.ToJson()),
        });
        jobs.MapDelete("/{id}", (string id, JobManager manager) => Cancel(id, manager));
        jobs.MapPost("/{id}/cancel", (string id, JobManager manager) => Cancel(id, manager));
        return app;
    }

    private static IResult Cancel(string id, JobManager manager)
    {
        if (manager.Find(id) is not { } job)
        {
            return NotFound(id);
        }

        job.Cancel();
        return Results.Accepted($"/jobs/{id}", job.ToJson());
    }

    /// <summary>True when the configuration sets where to listen (<c>urls</c>, <c>http_ports</c>, <c>https_ports</c> or Kestrel endpoints).</summary>
    private static bool SetsAnAddress(IConfiguration configuration) =>
        !string.IsNullOrEmpty(configuration[WebHostDefaults.ServerUrlsKey])
        || !string.IsNullOrEmpty(configuration[WebHostDefaults.HttpPortsKey])
        || !string.IsNullOrEmpty(configuration[WebHostDefaults.HttpsPortsKey])
        || configuration.GetSection("Kestrel:Endpoints").Exists();

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Ready: POST /jobs to run jobs over the data folder {DataRoot} (listening on {Urls})")]
    private static partial void LogReady(ILogger logger, string dataRoot, ICollection<string> urls);

    private static IResult NotFound(string id) => Results.Problem($"no job '{id}'", statusCode: StatusCodes.Status404NotFound);
}
