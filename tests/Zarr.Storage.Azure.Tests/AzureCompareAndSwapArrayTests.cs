using Zarr.Storage.Buffers;
using Zarr.Storage.Tests.Stores;

namespace Zarr.Storage.Azure.Tests;

/// <summary>The conditional-write contract (shared with every conditional store) on Azurite, with a second store object as the other handle.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureConditionalStoreContractTests(AzuriteFixture azurite) : ConditionalStoreContractTests, IAsyncLifetime
{
    private readonly string _container = AzuriteFixture.NewContainerName("conditional");

    protected override IConditionalStore CreateStore() => new AzureBlobStore(_container, "", azurite.Options());

    protected override IConditionalStore OtherHandle(IConditionalStore store) => new AzureBlobStore(_container, "", azurite.Options());

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => azurite.DeleteContainerAsync(_container);
}

/// <summary>Partial writes from writers that share no lock (each its own store object with a location of its own, as
/// another process's store is): only Azure's ETag compare-and-swap keeps their updates.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureCompareAndSwapArrayTests(AzuriteFixture azurite) : AzureTestBase(azurite)
{
    [Fact]
    public async Task Eight_writers_with_their_own_stores_lose_no_partial_write_into_two_shared_chunks()
    {
        const int Writers = 8, WritesEach = 100;
        var container = NewContainer();
        using (var creator = new AzureBlobStore(container, "cas", Azurite.Options()))
        {
            await ZarrArray.CreateAsync<int>(creator, "a", [Writers * WritesEach], new ArrayOptions { Chunks = [400], FillValue = 0 });
        }

        var handles = Enumerable.Range(0, Writers).Select(_ => new OwnLocation(new AzureBlobStore(container, "cas", Azurite.Options()))).ToArray();
        Assert.Equal(Writers, handles.Select(h => h.Location).Distinct().Count());
        await Parallel.ForAsync(0, Writers, new ParallelOptions { MaxDegreeOfParallelism = Writers }, async (w, ct) =>
        {
            var array = await ZarrArray.OpenAsync<int>(handles[w], "a", AccessMode.ReadWrite, ct);
            for (var i = 0; i < WritesEach; i++)
            {
                // Disjoint elements, interleaved so that every writer writes into both chunks.
                await array.WriteAsync([Slice.At((i * Writers) + w)], new[] { (w * 1000) + i + 1 }, ct);
            }
        });

        using var reader = new AzureBlobStore(container, "cas", Azurite.Options(readOnly: true));
        var result = (await (await ZarrArray.OpenAsync<int>(reader, "a")).ReadAsync([Slice.All])).ToArray();
        var lost = Enumerable.Range(0, result.Length).Count(e => result[e] != ((e % Writers) * 1000) + (e / Writers) + 1);
        Assert.Equal(0, lost);
        Assert.Equal(Writers * WritesEach, handles.Sum(h => h.Swaps - h.LostSwaps));
        foreach (var handle in handles)
        {
            handle.Dispose();
        }
    }

    /// <summary>An Azure store with a location of its own, counting the swaps the library makes through it.</summary>
    private sealed class OwnLocation(AzureBlobStore inner) : IConditionalStore, IDisposable
    {
        private int _swaps;
        private int _lostSwaps;

        public int Swaps => _swaps;

        public int LostSwaps => _lostSwaps;

        public bool IsReadOnly => inner.IsReadOnly;

        public StoreLocation Location => StoreLocation.OfObject(this);

        public bool CanDeleteConditionally => inner.CanDeleteConditionally;

        public ValueTask<PooledBuffer?> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default) => inner.GetAsync(key, range, cancellationToken);

        public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => inner.ExistsAsync(key, cancellationToken);

        public ValueTask<long?> GetSizeAsync(string key, CancellationToken cancellationToken = default) => inner.GetSizeAsync(key, cancellationToken);

        public ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) => inner.SetAsync(key, value, cancellationToken);

        public ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);

        public ValueTask DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default) => inner.DeletePrefixAsync(prefix, cancellationToken);

        public IAsyncEnumerable<StoreEntry> ListPrefixAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListPrefixAsync(prefix, cancellationToken);

        public IAsyncEnumerable<string> ListDirectoryAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListDirectoryAsync(prefix, cancellationToken);

        public ValueTask<VersionedValue> GetVersionedAsync(string key, CancellationToken cancellationToken = default) => inner.GetVersionedAsync(key, cancellationToken);

        public async ValueTask<bool> TrySetAsync(string key, ReadOnlyMemory<byte> value, StoreVersion expected, CancellationToken cancellationToken = default) =>
            Count(await inner.TrySetAsync(key, value, expected, cancellationToken));

        public async ValueTask<bool> TryDeleteAsync(string key, StoreVersion expected, CancellationToken cancellationToken = default) =>
            Count(await inner.TryDeleteAsync(key, expected, cancellationToken));

        public void Dispose() => inner.Dispose();

        private bool Count(bool swapped)
        {
            Interlocked.Increment(ref _swaps);
            if (!swapped)
            {
                Interlocked.Increment(ref _lostSwaps);
            }

            return swapped;
        }
    }
}
