using System.Runtime.CompilerServices;
using Zarr.Storage.Stores;

namespace Zarr.Storage.Internal;

/// <summary>
/// Striped async locks over chunk keys, one table per store instance, so that every array handle on the same
/// store serialises its read-modify-writes of a chunk. Stripes bound the memory; a collision costs only waiting.
/// </summary>
internal sealed class ChunkLocks
{
    private const int Stripes = 1024;
    private static readonly ConditionalWeakTable<IStore, ChunkLocks> PerStore = [];
    private readonly SemaphoreSlim[] _stripes;

    private ChunkLocks()
    {
        _stripes = new SemaphoreSlim[Stripes];
        for (var i = 0; i < Stripes; i++)
        {
            _stripes[i] = new SemaphoreSlim(1, 1);
        }
    }

    /// <summary>The lock table of <paramref name="store"/>.</summary>
    public static ChunkLocks For(IStore store) => PerStore.GetValue(store, _ => new ChunkLocks());

    /// <summary>Waits for the lock of <paramref name="key"/>; dispose the result to release it.</summary>
    public async ValueTask<Releaser> AcquireAsync(string key, CancellationToken cancellationToken)
    {
        var stripe = _stripes[(uint)StringComparer.Ordinal.GetHashCode(key) % Stripes];
        await stripe.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Releaser(stripe);
    }

    /// <summary>Releases a stripe when disposed.</summary>
    public readonly struct Releaser(SemaphoreSlim stripe) : IDisposable
    {
        /// <inheritdoc />
        public void Dispose() => stripe.Release();
    }
}
