using Zarr.Storage.Buffers;

namespace Zarr.Storage.Tests;

/// <summary>
/// Writers that share nothing but the stored values: each its own store object with a location of its own (as another
/// process or machine holds), so the in-process chunk locks do not order them and only the compare-and-swap of
/// <see cref="IConditionalStore"/> keeps their updates. Used on the memory store, RGW and Azurite alike.
/// </summary>
internal static class CompareAndSwapWriters
{
    /// <summary>
    /// Creates an int32 array of <paramref name="writers"/> × <paramref name="writesEach"/> elements in two chunks through
    /// <paramref name="creator"/>, lets each writer (its own <see cref="OtherProcessHandle"/> over <paramref name="newStore"/>())
    /// make <paramref name="writesEach"/> partial writes of disjoint elements interleaved through both chunks, and returns
    /// the elements lost and the handles (their swap counts).
    /// </summary>
    public static async Task<(int Lost, OtherProcessHandle[] Handles)> RunAsync(IStore creator, Func<IConditionalStore> newStore, int writers = 8, int writesEach = 100)
    {
        var length = writers * writesEach;
        await ZarrArray.CreateAsync<int>(creator, "a", [length], new ArrayOptions { Chunks = [length / 2], FillValue = 0 });
        var handles = Enumerable.Range(0, writers).Select(_ => new OtherProcessHandle(newStore())).ToArray();
        Assert.Equal(writers, handles.Select(h => h.Location).Distinct().Count());
        await Parallel.ForAsync(0, writers, new ParallelOptions { MaxDegreeOfParallelism = writers }, async (w, ct) =>
        {
            var array = await ZarrArray.OpenAsync<int>(handles[w], "a", AccessMode.ReadWrite, ct);
            for (var i = 0; i < writesEach; i++)
            {
                await array.WriteAsync([Slice.At((i * writers) + w)], new[] { (w * 1000) + i + 1 }, ct);
            }
        });

        var result = (await (await ZarrArray.OpenAsync<int>(creator, "a")).ReadAsync([Slice.All])).ToArray();
        var lost = Enumerable.Range(0, result.Length).Count(e => result[e] != ((e % writers) * 1000) + (e / writers) + 1);
        return (lost, handles);
    }
}

/// <summary>
/// A second store object over the same values with a location of its own (what another process's store is), counting
/// the conditional writes and able to run something between a writer's read and its swap.
/// </summary>
internal sealed class OtherProcessHandle(IConditionalStore inner) : IConditionalStore, IDisposable
{
    private int _swaps;
    private int _lostSwaps;
    private int _unconditionalDeletes;

    public Func<Task>? BeforeSwap { get; set; }

    public bool? CanDeleteConditionallyOverride { get; init; }

    public int Swaps => _swaps;

    public int LostSwaps => _lostSwaps;

    public int UnconditionalDeletes => _unconditionalDeletes;

    public bool IsReadOnly => inner.IsReadOnly;

    public StoreLocation Location => StoreLocation.OfObject(this);

    public bool CanDeleteConditionally => CanDeleteConditionallyOverride ?? inner.CanDeleteConditionally;

    public ValueTask<PooledBuffer?> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default) => inner.GetAsync(key, range, cancellationToken);

    public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => inner.ExistsAsync(key, cancellationToken);

    public ValueTask<long?> GetSizeAsync(string key, CancellationToken cancellationToken = default) => inner.GetSizeAsync(key, cancellationToken);

    public ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) => inner.SetAsync(key, value, cancellationToken);

    public ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _unconditionalDeletes);
        return inner.DeleteAsync(key, cancellationToken);
    }

    public ValueTask DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default) => inner.DeletePrefixAsync(prefix, cancellationToken);

    public IAsyncEnumerable<StoreEntry> ListPrefixAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListPrefixAsync(prefix, cancellationToken);

    public IAsyncEnumerable<string> ListDirectoryAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListDirectoryAsync(prefix, cancellationToken);

    public ValueTask<VersionedValue> GetVersionedAsync(string key, CancellationToken cancellationToken = default) => inner.GetVersionedAsync(key, cancellationToken);

    public async ValueTask<bool> TrySetAsync(string key, ReadOnlyMemory<byte> value, StoreVersion expected, CancellationToken cancellationToken = default)
    {
        if (BeforeSwap is { } meddle)
        {
            await meddle();
        }

        return Count(await inner.TrySetAsync(key, value, expected, cancellationToken));
    }

    public async ValueTask<bool> TryDeleteAsync(string key, StoreVersion expected, CancellationToken cancellationToken = default)
    {
        Assert.True(CanDeleteConditionally, "the library asked for a conditional delete from a store that said it cannot");
        return Count(await inner.TryDeleteAsync(key, expected, cancellationToken));
    }

    private bool Count(bool swapped)
    {
        Interlocked.Increment(ref _swaps);
        if (!swapped)
        {
            Interlocked.Increment(ref _lostSwaps);
        }

        return swapped;
    }

    /// <summary>Disposes the store object below, when it is disposable (an S3 or Azure client).</summary>
    public void Dispose() => (inner as IDisposable)?.Dispose();
}
