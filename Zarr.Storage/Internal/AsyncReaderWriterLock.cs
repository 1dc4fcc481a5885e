namespace Zarr.Storage.Internal;

/// <summary>
/// An async reader-writer lock: any number of shared holders, or one exclusive holder. Waiters are served in arrival
/// order, so a waiting exclusive holder is not starved by a stream of shared ones (shared holders that arrive after it
/// wait for it). Not reentrant: a holder that waits for it again, in either mode, may wait forever.
/// </summary>
internal sealed class AsyncReaderWriterLock
{
    private readonly object _sync = new();
    private readonly LinkedList<Waiter> _waiting = [];
    private int _shared;
    private bool _exclusive;

    /// <summary>Waits to hold the lock shared; dispose the result to release it.</summary>
    public Task<Releaser> EnterSharedAsync(CancellationToken cancellationToken) => EnterAsync(false, cancellationToken);

    /// <summary>Waits to hold the lock alone; dispose the result to release it.</summary>
    public Task<Releaser> EnterExclusiveAsync(CancellationToken cancellationToken) => EnterAsync(true, cancellationToken);

    private Task<Releaser> EnterAsync(bool exclusive, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<Releaser>(cancellationToken);
        }

        Waiter waiter;
        lock (_sync)
        {
            if (_waiting.Count == 0 && CanEnter(exclusive))
            {
                Take(exclusive);
                return Task.FromResult(new Releaser(this, exclusive));
            }

            waiter = new Waiter(this, exclusive, cancellationToken);
            waiter.Node = _waiting.AddLast(waiter);
        }

        if (cancellationToken.CanBeCanceled)
        {
            waiter.Registration = cancellationToken.Register(static state => ((Waiter)state!).Cancel(), waiter);
            if (waiter.Task.IsCompleted)
            {
                waiter.Registration.Dispose(); // granted meanwhile
            }
        }

        return waiter.Task;
    }

    private bool CanEnter(bool exclusive) => exclusive ? !_exclusive && _shared == 0 : !_exclusive;

    private void Take(bool exclusive)
    {
        if (exclusive)
        {
            _exclusive = true;
        }
        else
        {
            _shared++;
        }
    }

    private void Release(bool exclusive)
    {
        List<Waiter> granted;
        lock (_sync)
        {
            if (exclusive)
            {
                _exclusive = false;
            }
            else
            {
                _shared--;
            }

            granted = GrantWaiting();
        }

        Complete(granted);
    }

    private void Cancel(Waiter waiter)
    {
        List<Waiter> granted;
        lock (_sync)
        {
            if (waiter.Node?.List is null)
            {
                return; // already granted
            }

            _waiting.Remove(waiter.Node);
            waiter.Node = null;

            // A cancelled exclusive waiter may have held back shared waiters behind it.
            granted = GrantWaiting();
        }

        waiter.Completion.TrySetCanceled(waiter.Token);
        Complete(granted);
    }

    // Under _sync: takes the lock for the waiters at the front that can enter now, in order.
    private List<Waiter> GrantWaiting()
    {
        var granted = new List<Waiter>();
        while (_waiting.First is { } first && CanEnter(first.Value.Exclusive))
        {
            _waiting.RemoveFirst();
            first.Value.Node = null;
            Take(first.Value.Exclusive);
            granted.Add(first.Value);
            if (first.Value.Exclusive)
            {
                break;
            }
        }

        return granted;
    }

    private void Complete(List<Waiter> granted)
    {
        foreach (var waiter in granted)
        {
            waiter.Registration.Dispose();
            waiter.Completion.TrySetResult(new Releaser(this, waiter.Exclusive));
        }
    }

    /// <summary>Releases the lock when disposed.</summary>
    public readonly struct Releaser : IDisposable
    {
        private readonly AsyncReaderWriterLock? _owner;
        private readonly bool _exclusive;

        internal Releaser(AsyncReaderWriterLock owner, bool exclusive)
        {
            _owner = owner;
            _exclusive = exclusive;
        }

        /// <inheritdoc />
        public void Dispose() => _owner?.Release(_exclusive);
    }

    private sealed class Waiter(AsyncReaderWriterLock owner, bool exclusive, CancellationToken token)
    {
        public bool Exclusive { get; } = exclusive;

        public CancellationToken Token { get; } = token;

        public TaskCompletionSource<Releaser> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<Releaser> Task => Completion.Task;

        /// <summary>The waiter's place in the queue; null once it was granted or cancelled (under the lock's _sync).</summary>
        public LinkedListNode<Waiter>? Node { get; set; }

        public CancellationTokenRegistration Registration { get; set; }

        public void Cancel() => owner.Cancel(this);
    }
}
