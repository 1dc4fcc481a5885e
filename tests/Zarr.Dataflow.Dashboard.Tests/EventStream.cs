using System.Text;
using System.Text.Json.Nodes;

namespace Zarr.Dataflow.Dashboard.Tests;

/// <summary>One server-sent event as the wire carries it.</summary>
public sealed record ServerSentEvent(long Id, string Event, JsonObject Data);

/// <summary>Reads a text/event-stream response to its end, as a browser's EventSource parses it (id, event, data lines; a blank line ends an event).</summary>
public static class EventStream
{
    public static async Task<List<ServerSentEvent>> ReadAllAsync(HttpClient http, string path, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var events = new List<ServerSentEvent>();
        long? id = null;
        string? name = null;
        var data = new StringBuilder();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Length > 0)
                {
                    events.Add(new ServerSentEvent(id ?? -1, name ?? "message", JsonNode.Parse(data.ToString())!.AsObject()));
                }

                (id, name) = (null, null);
                data.Clear();
            }
            else if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = long.Parse(line[4..], System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data.Append(line[6..]);
            }
        }

        return events;
    }
}
