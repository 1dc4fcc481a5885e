namespace Zarr.Dataflow.Dashboard;

/// <summary>
/// A version number that moves on every change, and a task for waiters that completes at the next change: how the
/// dashboard's event streams learn that a job or the job list changed without polling.
/// </summary>
internal sealed class ChangeSignal
{
    private readonly Lock _gate = new();
    private long _version;
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>How many changes there have been.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Records a change and wakes every waiter.</summary>
    public void Signal()
    {
        TaskCompletionSource previous;
        lock (_gate)
        {
            _version++;
            previous = _next;
            _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        previous.TrySetResult();
    }

    /// <summary>Completes when <see cref="Version"/> passes <paramref name="seen"/> (at once if it has).</summary>
    public Task WaitForChangeAsync(long seen, CancellationToken cancellationToken)
    {
        Task next;
        lock (_gate)
        {
            if (_version != seen)
            {
                return Task.CompletedTask;
            }

            next = _next.Task;
        }

        return next.WaitAsync(cancellationToken);
    }
}
