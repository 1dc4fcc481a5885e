namespace Zarr.Dataflow.Distributed;

/// <summary>
/// The workers of one stage as their reports say, and the tasks in flight on each: a task is leased a slot on the
/// least busy worker whose memory budget it fits, and waits while none has a free one. After a worker is lost the list
/// is asked for again (a dead worker drops out once the cluster has noticed; the counts of the others carry over).
/// </summary>
internal sealed class WorkerPool
{
    private readonly ITaskWorkers _workers;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = NewSignal();
    private int _waiting;

    private WorkerPool(ITaskWorkers workers) => _workers = workers;

    /// <summary>Tasks waiting for a slot now (none: some capacity is idle, and backups may use it).</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>The largest memory budget of any worker: a task projected over it fits nowhere.</summary>
    public long LargestBudget
    {
        get
        {
            lock (_lock)
            {
                return _entries.Values.Select(e => e.Worker.TaskMemoryBudget).DefaultIfEmpty(0).Max();
            }
        }
    }

    /// <summary>The slots of every worker together.</summary>
    public int TotalSlots
    {
        get
        {
            lock (_lock)
            {
                return _entries.Values.Sum(e => e.Worker.Slots);
            }
        }
    }

    /// <summary>Asks the workers for their slots and budgets.</summary>
    /// <exception cref="ZarrClusterException">There is no worker.</exception>
    public static async Task<WorkerPool> CreateAsync(ITaskWorkers workers, CancellationToken cancellationToken)
    {
        var pool = new WorkerPool(workers);
        await pool.RefreshAsync(cancellationToken).ConfigureAwait(false);
        if (pool.TotalSlots == 0)
        {
            throw new ZarrClusterException("the cluster has no live worker");
        }

        return pool;
    }

    /// <summary>Asks for the workers again: new ones join, gone ones leave (their leases are released harmlessly).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var now = await _workers.GetWorkersAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var worker in now)
            {
                if (worker.Slots < 1 || !seen.Add(worker.Id))
                {
                    continue;
                }

                _entries[worker.Id] = _entries.TryGetValue(worker.Id, out var old) ? old with { Worker = worker } : new Entry(worker, 0);
            }

            foreach (var id in _entries.Keys.Where(id => !seen.Contains(id)).ToList())
            {
                _entries.Remove(id);
            }

            Signal();
        }
    }

    /// <summary>
    /// A slot for a task of <paramref name="projectedBytes"/> on the least busy worker it fits, other than
    /// <paramref name="avoid"/> when another has a free slot; waits while every fitting worker is busy.
    /// </summary>
    /// <exception cref="ZarrClusterException">No live worker could take the task until <paramref name="deadline"/>.</exception>
    public async Task<TaskWorker> AcquireAsync(long projectedBytes, string? avoid, DateTime deadline, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (TryTake(projectedBytes, avoid, allowAvoided: true) is { } worker)
                {
                    return worker;
                }

                changed = _changed.Task;
                _waiting++;
            }

            try
            {
                // Woken by a released slot or a new list; the pause bounds a wait for a list that only a refresh would change.
                await changed.WaitAsync(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                await RefreshAsync(cancellationToken).ConfigureAwait(false);
                if (DateTime.UtcNow > deadline && !Fits(projectedBytes))
                {
                    throw new ZarrClusterException($"no live worker can take a task of {projectedBytes} bytes (workers: {Describe()})");
                }
            }
            finally
            {
                lock (_lock)
                {
                    _waiting--;
                }
            }
        }
    }

    /// <summary>A free slot on a worker other than <paramref name="avoid"/> that the task fits, now, or null (for a backup copy).</summary>
    public TaskWorker? TryAcquireElsewhere(long projectedBytes, string avoid)
    {
        lock (_lock)
        {
            return TryTake(projectedBytes, avoid, allowAvoided: false);
        }
    }

    /// <summary>Gives back the slot a task held on <paramref name="worker"/>.</summary>
    public void Release(TaskWorker worker)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(worker.Id, out var entry))
            {
                _entries[worker.Id] = entry with { InFlight = Math.Max(0, entry.InFlight - 1) };
            }

            Signal();
        }
    }

    private bool Fits(long projectedBytes)
    {
        lock (_lock)
        {
            return _entries.Values.Any(e => e.Worker.TaskMemoryBudget >= projectedBytes);
        }
    }

    private string Describe()
    {
        lock (_lock)
        {
            return _entries.Count == 0 ? "none" : string.Join(", ", _entries.Values.Select(e => $"{e.Worker.Id}: {e.Worker.Slots} slots, {e.Worker.TaskMemoryBudget} bytes a task"));
        }
    }

    private TaskWorker? TryTake(long projectedBytes, string? avoid, bool allowAvoided)
    {
        Entry? best = null;
        Entry? avoided = null;
        foreach (var entry in _entries.Values)
        {
            if (entry.InFlight >= entry.Worker.Slots || entry.Worker.TaskMemoryBudget < projectedBytes)
            {
                continue;
            }

            if (entry.Worker.Id == avoid)
            {
                avoided = entry;
                continue;
            }

            // The least busy by the share of its slots in use; ties to the one with more slots.
            if (best is null || (entry.InFlight * (long)best.Worker.Slots) < (best.InFlight * (long)entry.Worker.Slots)
                || ((entry.InFlight * (long)best.Worker.Slots) == (best.InFlight * (long)entry.Worker.Slots) && entry.Worker.Slots > best.Worker.Slots))
            {
                best = entry;
            }
        }

        var chosen = best ?? (allowAvoided ? avoided : null);
        if (chosen is null)
        {
            return null;
        }

        _entries[chosen.Worker.Id] = chosen with { InFlight = chosen.InFlight + 1 };
        return chosen.Worker;
    }

    private void Signal()
    {
        var old = _changed;
        _changed = NewSignal();
        old.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed record Entry(TaskWorker Worker, int InFlight);
}
