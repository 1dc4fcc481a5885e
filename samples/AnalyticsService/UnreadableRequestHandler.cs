using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Zarr.AnalyticsService;

/// <summary>
/// Answers a request whose parameters the endpoint could not read (<see cref="BadHttpRequestException"/>: malformed JSON, a
/// field of the wrong type, no body, a body that is not JSON) with problem details saying why: for JSON, the parser's
/// message (which gives the line and byte position) under the JSON path it stopped at, as ASP.NET Core's model validation
/// does. Other exceptions are left to the default handler (a 500 problem without details).
/// </summary>
internal sealed class UnreadableRequestHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return ValueTask.FromResult(false);
        }

        httpContext.Response.StatusCode = bad.StatusCode;
        var problem = bad.InnerException is JsonException json
            ? new HttpValidationProblemDetails(new Dictionary<string, string[]> { [json.Path ?? "$"] = [json.Message] })
            {
                Detail = $"the body is not a valid job request: {json.Message}",
            }
            : new ProblemDetails
            {
                // The endpoint's one parameter that can be missing is the body.
                Detail = bad.StatusCode == StatusCodes.Status400BadRequest && bad.InnerException is null
                    ? "the body is empty (or null); it must be a job request in JSON, such as {\"kind\": \"stats\", \"path\": \"a.zarr\"}"
                    : bad.Message,
            };
        problem.Status = bad.StatusCode;
        return problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }
}
