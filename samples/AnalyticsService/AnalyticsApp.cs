using System.Text.Json.Nodes;

namespace Zarr.AnalyticsService;

/// <summary>
/// The batch analytics API:
/// <list type="bullet">
/// <item><c>POST /jobs</c> with a <see cref="JobRequest"/> → 202 and the job (<c>Location: /jobs/{id}</c>); 400 when invalid.</item>
/// <item><c>GET /jobs</c> → every job; <c>GET /jobs/{id}</c> → its state and progress.</item>
/// <item><c>DELETE /jobs/{id}</c> or <c>POST /jobs/{id}/cancel</c> → 202 and the job, cancelling it.</item>
/// <item><c>GET /jobs/{id}/result</c> → 200 and the result once succeeded; 409 before (or when it failed or was cancelled).</item>
/// </list>
/// </summary>
public static class AnalyticsApp
{
    /// <summary>Builds the app (Kestrel, no URLs yet: the caller binds it, to 127.0.0.1 only).</summary>
    public static WebApplication Create(ServiceOptions options, string[]? args = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder(args ?? []);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<JobManager>();
        var app = builder.Build();

        var jobs = app.MapGroup("/jobs");
        jobs.MapPost("/", (JobRequest request, JobManager manager) =>
        {
            try
            {
                var job = manager.Submit(request);
                return Results.Accepted($"/jobs/{job.Id}", job.ToJson());
            }
            catch (ArgumentException ex)
            {
                return Results.BadRequest(new JsonObject { ["error"] = ex.Message });
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

    private static IResult NotFound(string id) => Results.NotFound(new JsonObject { ["error"] = $"no job '{id}'" });
}
