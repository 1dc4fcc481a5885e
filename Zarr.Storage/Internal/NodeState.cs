using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Zarr.Storage.Internal;

/// <summary>
/// What every handle in this process on one node shares: the node being an array or a group at one path of one
/// <see cref="IStore.Location"/> (so handles on different store objects over the same folder share it too).
/// </summary>
/// <remarks>
/// <para><see cref="Gate"/> serialises the read-modify-writes of the node's metadata (held exclusive: resize, attribute
/// changes, consolidation of a group's own document) with each other and with chunk writes (held shared), so a
/// change re-reads the stored document and never writes back a stale one, and no chunk write lands beside a resize.</para>
/// <para><see cref="Published"/> is the newest metadata written under the gate, with a version that grows by one per
/// change: a handle whose snapshot is older takes it up, so every handle in the process sees every change made here.
/// Across processes, a change is serialised by the store instead: under the metadata key's lock file on a directory
/// store, as a compare-and-swap of the document on an <see cref="IConditionalStore"/>; each change re-reads the
/// stored document first. A chunk writer in another process does not wait for a resize here: on a directory store
/// each chunk write re-reads the stored shape under the chunk's lock file, before and after writing (see
/// <see cref="Chunks.StoredShape"/>), and a shrink trims again once the new shape is stored, so the writer never leaves
/// a chunk outside the new shape nor loses an update inside it.</para>
/// <para>The states live as long as a handle holds them: the table holds them weakly.</para>
/// </remarks>
internal sealed class NodeState
{
    private static readonly ConditionalWeakTable<object, Space> Spaces = [];
    private volatile Publication _published = new(0, null);

    private NodeState()
    {
    }

    /// <summary>Held shared by chunk writes, exclusive by metadata changes.</summary>
    public AsyncReaderWriterLock Gate { get; } = new();

    /// <summary>The newest metadata (<see cref="Zarr.Storage.ArrayMetadata"/> or <see cref="Zarr.Storage.GroupMetadata"/>) written under the gate, and its version (0: none yet).</summary>
    public Publication Published => _published;

    /// <summary>The version of <see cref="Published"/>; read it before reading a document, to know whether a later change was published.</summary>
    public long Version => _published.Version;

    /// <summary>The state of the node at <paramref name="path"/> of <paramref name="store"/>'s location.</summary>
    public static NodeState For(IStore store, string path)
    {
        var location = store.Location;
        return Spaces.GetValue(location.SpaceObject, _ => new Space(location.IgnoresCase)).Get(location.NodeOf(path));
    }

    /// <summary>Publishes the metadata just written; call it holding <see cref="Gate"/> exclusive.</summary>
    /// <returns>The new version.</returns>
    public long Publish(object metadata)
    {
        var next = new Publication(_published.Version + 1, metadata);
        _published = next;
        return next.Version;
    }

    /// <summary>A version of a node's metadata.</summary>
    /// <param name="Version">Grows by one per change published; 0 before the first.</param>
    /// <param name="Metadata">The metadata, or null before the first change.</param>
    internal sealed record Publication(long Version, object? Metadata);

    /// <summary>The node states of one space of names (see <see cref="StoreLocation"/>), held weakly.</summary>
    private sealed class Space(bool ignoreCase)
    {
        private const int PurgeEvery = 1024;
        private readonly ConcurrentDictionary<string, WeakReference<NodeState>> _nodes =
            new(ignoreCase ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);

        private int _added;

        public NodeState Get(string name)
        {
            while (true)
            {
                if (_nodes.TryGetValue(name, out var weak))
                {
                    if (weak.TryGetTarget(out var alive))
                    {
                        return alive;
                    }

                    var replacement = new NodeState();
                    if (_nodes.TryUpdate(name, new WeakReference<NodeState>(replacement), weak))
                    {
                        return replacement;
                    }

                    continue;
                }

                var created = new NodeState();
                if (_nodes.TryAdd(name, new WeakReference<NodeState>(created)))
                {
                    if (Interlocked.Increment(ref _added) % PurgeEvery == 0)
                    {
                        Purge();
                    }

                    return created;
                }
            }
        }

        // Forgets the names whose states no handle holds any more.
        private void Purge()
        {
            foreach (var entry in _nodes)
            {
                if (!entry.Value.TryGetTarget(out _))
                {
                    _nodes.TryRemove(entry);
                }
            }
        }
    }
}
