using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Zarr.Dataflow.Dashboard;

/// <summary>
/// The jobs a dashboard shows: a host adds each job it runs (<see cref="Add"/>) and feeds it from the engine; the pages
/// and event streams read them. Finished jobs beyond <see cref="Retained"/> are forgotten, oldest first. Thread-safe;
/// one instance per host, never static.
/// </summary>
public sealed class DashboardJobs
{
    private readonly ConcurrentDictionary<string, DashboardJob> _jobs = new(StringComparer.Ordinal);
    private readonly ChangeSignal _changes = new();
    private long _ids;

    /// <summary>Creates an empty list that keeps at most <paramref name="retained"/> finished jobs.</summary>
    /// <param name="retained">Finished jobs kept; at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retained"/> is less than 1.</exception>
    public DashboardJobs(int retained = 100)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retained, 1);
        Retained = retained;
    }

    /// <summary>The most finished jobs kept.</summary>
    public int Retained { get; }

    /// <summary>Every job kept, newest first.</summary>
    public IReadOnlyList<DashboardJob> Jobs => [.. _jobs.Values.OrderByDescending(j => j.Created).ThenByDescending(j => j.Id, StringComparer.Ordinal)];

    /// <summary>Increases whenever a job is added or changes.</summary>
    public long Version => _changes.Version;

    /// <summary>Adds a running job.</summary>
    /// <param name="name">What the job is, in a few words.</param>
    /// <param name="cancel">Stops the job (the page's cancel button); null when it cannot be cancelled from the page.</param>
    /// <param name="id">The job's id (the host's own, such as a service's job id); null for the next number.</param>
    /// <returns>The job, to feed from the engine.</returns>
    /// <exception cref="ArgumentException">A job with <paramref name="id"/> is already here, or the id is not made of letters, digits, '-' and '_'.</exception>
    public DashboardJob Add(string name, Action? cancel = null, string? id = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        id ??= Interlocked.Increment(ref _ids).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (id.Length == 0 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new ArgumentException($"a dashboard job id is letters, digits, '-' and '_', not '{id}'", nameof(id));
        }

        var job = new DashboardJob(id, name, cancel, Changed);
        if (!_jobs.TryAdd(id, job))
        {
            throw new ArgumentException($"the dashboard already has a job '{id}'", nameof(id));
        }

        Forget();
        Changed();
        return job;
    }

    /// <summary>The job with this id, or null.</summary>
    public DashboardJob? Find(string id) => _jobs.GetValueOrDefault(id);

    /// <summary>The list as the job list's event stream sends it.</summary>
    public JsonArray ToJson() => new([.. Jobs.Select(j => (JsonNode)Summary(j))]);

    internal static JsonObject Summary(DashboardJob job)
    {
        var full = job.ToJson();
        return new JsonObject
        {
            ["id"] = job.Id,
            ["name"] = job.Name,
            ["state"] = full["state"]!.DeepClone(),
            ["fraction"] = full["fraction"]!.DeepClone(),
            ["chunks_done"] = full["chunks_done"]!.DeepClone(),
            ["chunks_total"] = full["chunks_total"]!.DeepClone(),
            ["created"] = job.Created,
        };
    }

    /// <summary>Completes when <see cref="Version"/> passes <paramref name="seen"/>.</summary>
    internal Task WaitForChangeAsync(long seen, CancellationToken cancellationToken) =>
        _changes.WaitForChangeAsync(seen, cancellationToken);

    private void Forget()
    {
        var finished = _jobs.Values.Where(j => j.State != DashboardJobState.Running).OrderBy(j => j.Created).ToList();
        for (var i = 0; i < finished.Count - Retained; i++)
        {
            _jobs.TryRemove(finished[i].Id, out _);
        }
    }

    private void Changed() => _changes.Signal();
}
