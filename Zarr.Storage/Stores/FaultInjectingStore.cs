using System.Net;
using System.Runtime.CompilerServices;
using Zarr.Storage.Buffers;

namespace Zarr.Storage;

/// <summary>
/// A test and benchmark tool: a store that passes every call on to another store, after an optional delay, and makes
/// chosen calls fail the way an object store over a network fails: a <see cref="ZarrStoreException"/> naming the key, with
/// an inner <see cref="HttpRequestException"/> (503 Service Unavailable), <see cref="IOException"/> (connection reset) or
/// <see cref="TimeoutException"/>. Not for production data paths.
/// </summary>
/// <remarks>
/// <para>A failing call fails before it reaches the store below, so a failed write leaves the old value there, as a
/// request that never reached the server does. Which calls fail depends only on the seed and the call's number, so a run
/// with the same calls in the same order fails the same ones.</para>
/// <para>Made with <see cref="Wrap"/>: the wrapper is an <see cref="IConditionalStore"/> exactly when the store below is,
/// and takes the store below's locks of keys across processes (a directory store's lock files) when it has them, so the
/// array layer chooses the same way of writing as it would without the wrapper. Locks are not store calls: neither
/// counted nor failed. The store below's versioned reads (<see cref="IVersionedReadStore"/>: a sharded array's cached
/// shard indexes) are the wrapper's too, and are read calls that wait and fail as the others do.</para>
/// </remarks>
public class FaultInjectingStore : IStore, IForwardingStore
{
    private readonly FaultInjectingStoreOptions _options;
    private long _calls;
    private long _failures;

    private protected FaultInjectingStore(IStore inner, FaultInjectingStoreOptions options)
    {
        Inner = inner;
        _options = options;
    }

    /// <summary>The store below.</summary>
    public IStore Inner { get; }

    /// <summary>How many calls were counted (those <see cref="FaultInjectingStoreOptions.Operations"/> selects).</summary>
    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>How many calls were made to fail.</summary>
    public long InjectedFailures => Interlocked.Read(ref _failures);

    /// <inheritdoc />
    public bool IsReadOnly => Inner.IsReadOnly;

    /// <inheritdoc />
    /// <remarks>The store below's: the wrapper holds no values of its own.</remarks>
    public StoreLocation Location => Inner.Location;

    /// <summary>Wraps <paramref name="inner"/>: the result is an <see cref="IConditionalStore"/> when <paramref name="inner"/> is.</summary>
    /// <param name="inner">The store below.</param>
    /// <param name="options">Which calls fail and how long each waits; copied. Null: none fails, none waits.</param>
    /// <exception cref="ArgumentNullException"><paramref name="inner"/> is null.</exception>
    public static FaultInjectingStore Wrap(IStore inner, FaultInjectingStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        var copy = options?.Clone() ?? new FaultInjectingStoreOptions();
        if (StoreCapabilities.Conditional(inner) is { } conditional)
        {
            return new Conditional(conditional, copy);
        }

        return StoreCapabilities.KeyLocking(inner) is { } locking ? new KeyLocking(inner, locking, copy) : new FaultInjectingStore(inner, copy);
    }

    /// <inheritdoc />
    public async ValueTask<PooledBuffer?> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        await BeforeAsync(FaultOperations.Read, key, cancellationToken).ConfigureAwait(false);
        return await Inner.GetAsync(key, range, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
    {
        await BeforeAsync(FaultOperations.Read, key, cancellationToken).ConfigureAwait(false);
        return await Inner.ExistsAsync(key, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<long?> GetSizeAsync(string key, CancellationToken cancellationToken = default)
    {
        await BeforeAsync(FaultOperations.Read, key, cancellationToken).ConfigureAwait(false);
        return await Inner.GetSizeAsync(key, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        await BeforeAsync(FaultOperations.Write, key, cancellationToken).ConfigureAwait(false);
        await Inner.SetAsync(key, value, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        await BeforeAsync(FaultOperations.Delete, key, cancellationToken).ConfigureAwait(false);
        await Inner.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default)
    {
        await BeforeAsync(FaultOperations.Delete, prefix, cancellationToken).ConfigureAwait(false);
        await Inner.DeletePrefixAsync(prefix, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StoreEntry> ListPrefixAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await BeforeAsync(FaultOperations.List, prefix, cancellationToken).ConfigureAwait(false);
        await foreach (var entry in Inner.ListPrefixAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            yield return entry;
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<string> ListDirectoryAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await BeforeAsync(FaultOperations.List, prefix, cancellationToken).ConfigureAwait(false);
        await foreach (var name in Inner.ListDirectoryAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            yield return name;
        }
    }

    /// <inheritdoc />
    IConditionalStore? IForwardingStore.AsConditional() => this as IConditionalStore;

    /// <inheritdoc />
    Chunks.IKeyLockingStore? IForwardingStore.AsKeyLocking() => this as Chunks.IKeyLockingStore;

    /// <inheritdoc />
    IVersionedReadStore? IForwardingStore.AsVersionedRead() =>
        StoreCapabilities.VersionedRead(Inner) is { } versioned ? new VersionedReads(this, versioned) : null;

    /// <summary>Returns "FaultInjectingStore(" + the store below + ")".</summary>
    public override string ToString() => $"FaultInjectingStore({Inner})";

    /// <summary>Waits the delay, counts the call, and throws when it is one that fails.</summary>
    private protected async ValueTask BeforeAsync(FaultOperations operation, string key, CancellationToken cancellationToken)
    {
        if (_options.Delay > TimeSpan.Zero)
        {
            await Task.Delay(_options.Delay, cancellationToken).ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if ((_options.Operations & operation) == 0)
        {
            return;
        }

        var number = Interlocked.Increment(ref _calls);
        var draw = Draw(_options.Seed, number);
        if (number != _options.FailCall && !(draw < _options.FailureRate))
        {
            return;
        }

        Interlocked.Increment(ref _failures);
        Exception cause = (number % 3) switch
        {
            0 => new HttpRequestException("503 Service Unavailable (injected)", null, HttpStatusCode.ServiceUnavailable),
            1 => new IOException("connection reset by peer (injected)"),
            _ => new TimeoutException("the request timed out (injected)"),
        };
        throw new ZarrStoreException(key, $"{operation.ToString().ToLowerInvariant()} call {number} failed: {cause.Message}", cause);
    }

    /// <summary>A number in [0, 1) that depends only on the seed and the call number (SplitMix64).</summary>
    private static double Draw(int seed, long number)
    {
        var z = unchecked(((ulong)(uint)seed << 32) ^ (ulong)number) + 0x9E3779B97F4A7C15UL;
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }

    /// <summary>The wrapper of a store that locks keys across processes: the locks are the store below's.</summary>
    private sealed class KeyLocking(IStore inner, Chunks.IKeyLockingStore locks, FaultInjectingStoreOptions options) : FaultInjectingStore(inner, options), Chunks.IKeyLockingStore
    {
        public ValueTask<IDisposable> LockKeyAsync(string key, CancellationToken cancellationToken) => locks.LockKeyAsync(key, cancellationToken);

        public bool TryGetStamp(string key, out FileStamp stamp) => locks.TryGetStamp(key, out stamp);

        public IDisposable? KeepLocksOpen() => locks.KeepLocksOpen();
    }

    /// <summary>The store below's versioned reads, each a read call of the wrapper's: waited, counted, failed as the others.</summary>
    private sealed class VersionedReads(FaultInjectingStore wrapper, IVersionedReadStore inner) : IVersionedReadStore
    {
        public bool CanReadVersioned => inner.CanReadVersioned;

        public async ValueTask<VersionedValue> GetVersionedRangeAsync(string key, ByteRange range, CancellationToken cancellationToken = default)
        {
            await wrapper.BeforeAsync(FaultOperations.Read, key, cancellationToken).ConfigureAwait(false);
            return await inner.GetVersionedRangeAsync(key, range, cancellationToken).ConfigureAwait(false);
        }

        public async ValueTask<PooledBuffer?> GetRangeIfVersionAsync(string key, ByteRange range, StoreVersion expected, CancellationToken cancellationToken = default)
        {
            await wrapper.BeforeAsync(FaultOperations.Read, key, cancellationToken).ConfigureAwait(false);
            return await inner.GetRangeIfVersionAsync(key, range, expected, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The wrapper of a store with conditional writes: those fail and wait as the others do.</summary>
    private sealed class Conditional(IConditionalStore inner, FaultInjectingStoreOptions options) : FaultInjectingStore(inner, options), IConditionalStore
    {
        public bool CanDeleteConditionally => inner.CanDeleteConditionally;

        public async ValueTask<VersionedValue> GetVersionedAsync(string key, CancellationToken cancellationToken = default)
        {
            await BeforeAsync(FaultOperations.Read, key, cancellationToken).ConfigureAwait(false);
            return await inner.GetVersionedAsync(key, cancellationToken).ConfigureAwait(false);
        }

        public async ValueTask<bool> TrySetAsync(string key, ReadOnlyMemory<byte> value, StoreVersion expected, CancellationToken cancellationToken = default)
        {
            await BeforeAsync(FaultOperations.Write, key, cancellationToken).ConfigureAwait(false);
            return await inner.TrySetAsync(key, value, expected, cancellationToken).ConfigureAwait(false);
        }

        public async ValueTask<bool> TryDeleteAsync(string key, StoreVersion expected, CancellationToken cancellationToken = default)
        {
            await BeforeAsync(FaultOperations.Delete, key, cancellationToken).ConfigureAwait(false);
            return await inner.TryDeleteAsync(key, expected, cancellationToken).ConfigureAwait(false);
        }
    }
}
