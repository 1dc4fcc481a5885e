
namespace Zarr.Storage.Internal;

/// <summary>
/// Striped async locks over chunk keys, keyed by where the values live (<see cref="IStore.Location"/>), not by the store
/// object: every array handle on the same folder, through any store object, any path to it or any
/// <see cref="PrefixStore"/> over it, serialises its read-modify-writes of a chunk. One process-wide table of stripes
/// bounds the memory; a collision costs only waiting.
/// </summary>
/// <remarks>
/// Within this process only: across processes, a directory store's read-modify-writes also hold the chunk's lock file
/// (<see cref="Chunks.IKeyLockingStore"/>, taken after the stripe), and an object store's are compare-and-swaps. No caller
/// may hold two stripes at once (two keys can share a stripe, and the locks are not reentrant).
/// </remarks>
internal sealed class ChunkLocks
{
    private const int Stripes = 4096;
    private static readonly SemaphoreSlim?[] Table = new SemaphoreSlim?[Stripes];
    private readonly StoreLocation _location;

    private ChunkLocks(StoreLocation location) => _location = location;

    /// <summary>The locks of the chunks of <paramref name="store"/>, shared with every store at the same location.</summary>
    public static ChunkLocks For(IStore store) => new(store.Location);

    /// <summary>Waits for the lock of <paramref name="key"/> (a key of the store); dispose the result to release it.</summary>
    public async ValueTask<Releaser> AcquireAsync(string key, CancellationToken cancellationToken)
    {
        var stripe = StripeOf((uint)_location.HashOf(_location.KeyOf(key)) % Stripes);
        await stripe.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Releaser(stripe);
    }

    private static SemaphoreSlim StripeOf(uint index)
    {
        var stripe = Volatile.Read(ref Table[index]);
        if (stripe is not null)
        {
            return stripe;
        }

        var created = new SemaphoreSlim(1, 1);
        return Interlocked.CompareExchange(ref Table[index], created, null) ?? created;
    }

    /// <summary>Releases a stripe when disposed.</summary>
    public readonly struct Releaser(SemaphoreSlim stripe) : IDisposable
    {
        /// <inheritdoc />
        public void Dispose() => stripe.Release();
    }
}
