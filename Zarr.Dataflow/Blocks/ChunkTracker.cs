using System.Collections.Concurrent;

namespace Zarr.Dataflow.Blocks;

/// <summary>
/// The messages one pipeline run has created and not yet disposed. When a run faults or is cancelled, messages stranded
/// in blocks' queues are disposed from here once every block has completed (so no worker still touches them).
/// </summary>
internal sealed class ChunkTracker
{
    private readonly ConcurrentDictionary<IDisposable, byte> _live = new(ReferenceEqualityComparer.Instance);

    public int Count => _live.Count;

    public void Add(IDisposable message) => _live.TryAdd(message, 0);

    public void Remove(IDisposable message) => _live.TryRemove(message, out _);

    /// <summary>Disposes every message still alive; call only after every block of the run has completed.</summary>
    public void DisposeAll()
    {
        foreach (var message in _live.Keys)
        {
            message.Dispose();
        }

        _live.Clear();
    }
}
