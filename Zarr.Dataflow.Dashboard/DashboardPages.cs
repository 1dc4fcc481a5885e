using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json.Nodes;

namespace Zarr.Dataflow.Dashboard;

/// <summary>
/// The dashboard's HTML, rendered on the server from the same JSON the event streams send, so that a page read with
/// scripts off shows what a live one shows at that moment; the script (Assets/dashboard.js) only re-renders the parts
/// that change, with the same ids and formats.
/// </summary>
internal static class DashboardPages
{
    private static readonly HtmlEncoder Html = HtmlEncoder.Default;

    public static string JobList(DashboardJobs jobs, string prefix)
    {
        var sb = Head("Zarr jobs", prefix);
        sb.Append(CultureInfo.InvariantCulture, $"<body data-events=\"{Attr(prefix)}/events\" data-prefix=\"{Attr(prefix)}\"><main><h1>Zarr jobs</h1>");
        sb.Append("<noscript><p>Scripts are off: the list is as of this page's loading; reload it to update.</p></noscript>");
        sb.Append("<table id=\"jobs\"><caption>Jobs, newest first</caption><thead><tr><th scope=\"col\">Job</th><th scope=\"col\">State</th><th scope=\"col\">Progress</th><th scope=\"col\">Chunks</th><th scope=\"col\">Started (UTC)</th></tr></thead><tbody>");
        foreach (var job in jobs.Jobs)
        {
            var j = DashboardJobs.Summary(job);
            sb.Append(CultureInfo.InvariantCulture, $"<tr data-id=\"{Attr(job.Id)}\"><td><a href=\"{Attr(prefix)}/jobs/{Attr(job.Id)}\">{Text(job.Name)}</a></td><td class=\"state {Attr((string)j["state"]!)}\">{Text((string)j["state"]!)}</td>");
            sb.Append(CultureInfo.InvariantCulture, $"<td>{Percent((double)j["fraction"]!)}</td><td>{(long)j["chunks_done"]!} / {(long)j["chunks_total"]!}</td><td>{job.Created.UtcDateTime:yyyy-MM-dd HH:mm:ss}</td></tr>");
        }

        sb.Append("</tbody></table></main></body></html>");
        return sb.ToString();
    }

    public static string Job(DashboardJob job, string prefix)
    {
        var j = job.ToJson();
        var state = (string)j["state"]!;
        var sb = Head($"Zarr job: {job.Name}", prefix);
        sb.Append(CultureInfo.InvariantCulture, $"<body data-events=\"{Attr(prefix)}/jobs/{Attr(job.Id)}/events\"><main>");
        sb.Append(CultureInfo.InvariantCulture, $"<p><a href=\"{Attr(prefix)}/\">All jobs</a></p><h1>{Text(job.Name)}</h1>");
        sb.Append("<noscript><p>Scripts are off: this is the job as of this page's loading; reload it to update.</p></noscript>");
        sb.Append(CultureInfo.InvariantCulture, $"<p role=\"status\" aria-live=\"polite\">State: <strong id=\"state\" class=\"state {Attr(state)}\">{Text(state)}</strong>, <span id=\"overall\">{Overall(j)}</span></p>");
        sb.Append(CultureInfo.InvariantCulture, $"<form id=\"cancel\" method=\"post\" action=\"{Attr(prefix)}/jobs/{Attr(job.Id)}/cancel\"{((bool)j["can_cancel"]! ? "" : " hidden")}><button type=\"submit\">Cancel this job</button></form>");
        sb.Append(CultureInfo.InvariantCulture, $"<section id=\"error\" class=\"error\" role=\"alert\"{(j["error"] is null ? " hidden" : "")}><h2>Error</h2><p id=\"error-text\">{Text(ErrorText(j["error"]))}</p></section>");

        sb.Append("<section><h2>Progress</h2><div id=\"phases\">").Append(Phases(j)).Append("</div></section>");
        sb.Append("<section><h2>Stages</h2><p id=\"bottleneck\">").Append(Text(Bottleneck(j))).Append("</p>");
        sb.Append("<table id=\"stages\"><caption>Per stage: chunks done, worker time busy and waiting (summed over the stage's workers)</caption><thead><tr>");
        foreach (var h in StageHeaders)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<th scope=\"col\">{h}</th>");
        }

        sb.Append("</tr></thead><tbody>").Append(StageRows(j)).Append("</tbody></table></section>");
        sb.Append("<section><h2>Throughput</h2><div id=\"chart\">").Append(Chart(j)).Append("</div>");
        sb.Append(CultureInfo.InvariantCulture, $"<p>Chunks in flight: <strong id=\"inflight\">{(int)j["chunks_in_flight"]!}</strong>; pooled chunk memory: <strong id=\"pooled\">{Bytes((long)j["pooled_bytes"]!)}</strong>; read <strong id=\"read\">{Bytes((long)j["bytes_read"]!)}</strong>, wrote <strong id=\"written\">{Bytes((long)j["bytes_written"]!)}</strong>.</p></section>");
        var workers = (JsonArray)j["workers"]!;
        sb.Append(CultureInfo.InvariantCulture, $"<section id=\"workers-section\"{(workers.Count == 0 ? " hidden" : "")}><h2>Workers</h2><table id=\"workers\"><caption>Cluster workers: tasks answered, in flight, sent again and lost with a worker</caption><thead><tr><th scope=\"col\">Worker</th><th scope=\"col\">Tasks done</th><th scope=\"col\">In flight</th><th scope=\"col\">Retries</th><th scope=\"col\">Lost</th></tr></thead><tbody>");
        sb.Append(WorkerRows(workers)).Append("</tbody></table></section>");
        sb.Append("</main></body></html>");
        return sb.ToString();
    }

    private static readonly string[] StageHeaders = ["Run", "Stage", "Workers", "Chunks done", "Busy (s)", "Waiting for input (s)", "Waiting for output (s)", "Busy"];

    private static StringBuilder Head(string title, string prefix)
    {
        var sb = new StringBuilder("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        sb.Append(CultureInfo.InvariantCulture, $"<title>{Text(title)}</title><link rel=\"stylesheet\" href=\"{Attr(prefix)}/dashboard.css\"><script src=\"{Attr(prefix)}/dashboard.js\" defer></script></head>");
        return sb;
    }

    private static string Overall(JsonObject j) =>
        string.Create(CultureInfo.InvariantCulture, $"{Percent((double)j["fraction"]!)} ({(long)j["chunks_done"]!} of {(long)j["chunks_total"]!} chunks) in {(double)j["elapsed_s"]!:F1} s");

    private static string Phases(JsonObject j)
    {
        var sb = new StringBuilder();
        var i = 0;
        foreach (var p in (JsonArray)j["phases"]!)
        {
            var f = (double)p!["fraction"]!;
            sb.Append(CultureInfo.InvariantCulture, $"<div class=\"phase\"><label for=\"phase-{i}\">{Text((string)p["name"]!)}: {(long)p["chunks_done"]!} / {(long)p["chunks_total"]!} chunks</label> <progress id=\"phase-{i}\" max=\"1\" value=\"{f:0.####}\">{Percent(f)}</progress> <span>{Percent(f)}</span></div>");
            i++;
        }

        return sb.ToString();
    }

    private static string StageRows(JsonObject j)
    {
        var sb = new StringBuilder();
        foreach (var s in (JsonArray)j["stages"]!)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<tr><td>{Text((string)s!["phase"]!)}</td><th scope=\"row\">{Text((string)s["name"]!)}</th><td>{(int)s["parallelism"]!}</td><td>{(long)s["items"]!} / {(long)s["total"]!}</td>");
            sb.Append(CultureInfo.InvariantCulture, $"<td>{(double)s["busy_s"]!:F3}</td><td>{(double)s["wait_in_s"]!:F3}</td><td>{(double)s["wait_out_s"]!:F3}</td><td>{Percent((double)s["utilization"]!)}</td></tr>");
        }

        return sb.ToString();
    }

    private static string WorkerRows(JsonArray workers)
    {
        var sb = new StringBuilder();
        foreach (var w in workers)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<tr><th scope=\"row\">{Text((string)w!["name"]!)}</th><td>{(long)w["tasks_done"]!}</td><td>{(long)w["in_flight"]!}</td><td>{(long)w["retries"]!}</td><td>{(long)w["lost"]!}</td></tr>");
        }

        return sb.ToString();
    }

    private static string Bottleneck(JsonObject j) =>
        j["bottleneck"] is { } b ? $"Bounded by the {(string)b!} stage (its workers were the busiest)." : "No stage report yet.";

    private static string ErrorText(JsonNode? error) => error is null
        ? ""
        : (error["stage"] is { } s ? $"Stage {(string)s!}" : "") + (error["chunk"] is { } c ? $", chunk {(string)c!}" : "") + (error["stage"] is null && error["chunk"] is null ? "" : ": ") + (string)error["message"]!;

    /// <summary>MB/s in and out over time as two polylines in a 600 × 160 box (the script draws the same).</summary>
    private static string Chart(JsonObject j)
    {
        var points = ((JsonArray)j["throughput"]!).Select(p => ((double)p![0]!, (double)p[1]!, (double)p[2]!)).ToList();
        var maxT = Math.Max(1, points.Count == 0 ? 1 : points[^1].Item1);
        // Scaled to the peak (a slow job's line is not flat at the bottom of a 1 MB/s scale).
        var maxY = Math.Max(0.001, points.Count == 0 ? 1 : points.Max(p => Math.Max(p.Item2, p.Item3)));
        string Line(Func<(double, double, double), double> y) =>
            string.Join(' ', points.Select(p => string.Create(CultureInfo.InvariantCulture, $"{40 + (p.Item1 / maxT * 550):F1},{150 - (y(p) / maxY * 140):F1}")));
        var last = points.Count == 0 ? (0, 0, 0) : points[^1];
        return string.Create(CultureInfo.InvariantCulture, $"<svg viewBox=\"0 0 600 160\" width=\"600\" height=\"160\" role=\"img\" aria-labelledby=\"chart-title\"><title id=\"chart-title\">Throughput over time: latest {last.Item2:F1} MB/s in, {last.Item3:F1} MB/s out; peak {maxY:0.###} MB/s</title>")
            + "<line x1=\"40\" y1=\"150\" x2=\"590\" y2=\"150\" class=\"axis\"/><line x1=\"40\" y1=\"10\" x2=\"40\" y2=\"150\" class=\"axis\"/>"
            + string.Create(CultureInfo.InvariantCulture, $"<text x=\"36\" y=\"16\" class=\"tick\" text-anchor=\"end\">{maxY:0.###}</text><text x=\"36\" y=\"150\" class=\"tick\" text-anchor=\"end\">0</text><text x=\"590\" y=\"160\" class=\"tick\" text-anchor=\"end\">{maxT:0.#} s</text>")
            + $"<polyline class=\"in\" points=\"{Line(p => p.Item2)}\"/><polyline class=\"out\" points=\"{Line(p => p.Item3)}\"/></svg>"
            + string.Create(CultureInfo.InvariantCulture, $"<p class=\"legend\"><span class=\"key in\"></span> in (read) <strong id=\"mbps-in\">{last.Item2:F1}</strong> MB/s <span class=\"key out\"></span> out (written) <strong id=\"mbps-out\">{last.Item3:F1}</strong> MB/s</p>");
    }

    internal static string Percent(double fraction) => string.Create(CultureInfo.InvariantCulture, $"{fraction * 100:0.#}%");

    internal static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):F1} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):F1} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 10):F1} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };

    private static string Text(string value) => Html.Encode(value);

    private static string Attr(string value) => Html.Encode(value);
}
