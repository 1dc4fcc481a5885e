using Zarr.Storage.Buffers;

namespace Zarr.Storage.S3.Tests;

/// <summary>
/// Partial-chunk writes from writers that share nothing but the bucket: each its own <see cref="S3Store"/> with its own
/// location (as another process or machine has), so the in-process chunk locks do not order them and only the ETag
/// compare-and-swap on RGW keeps their updates.
/// </summary>
[Collection(RgwCollection.Name)]
public sealed class CompareAndSwapArrayTests(RgwFixture rgw)
{
    [Fact]
    public async Task EightWriters_x100PartialWrites_IntoTwoSharedChunks_LoseNothing()
    {
        const int writers = 8;
        const int writesEach = 100;
        using var setup = await rgw.NewStoreAsync(GetType());
        await ZarrArray.CreateAsync<int>(setup, "a", [writers * writesEach], new ArrayOptions { Chunks = [writers * writesEach / 2], FillValue = 0 });
        var stores = Enumerable.Range(0, writers).Select(_ => new S3Store(setup.Bucket, setup.Prefix, rgw.Options())).ToArray();
        try
        {
            await Parallel.ForAsync(0, writers, new ParallelOptions { MaxDegreeOfParallelism = writers }, async (w, ct) =>
            {
                var array = await ZarrArray.OpenAsync<int>(new ElsewhereStore(stores[w]), "a", AccessMode.ReadWrite, ct);
                for (var i = 0; i < writesEach; i++)
                {
                    // Disjoint elements, interleaved so that every writer writes into both chunks.
                    await array.WriteAsync([Slice.At((i * writers) + w)], new[] { (w * 1000) + i + 1 }, ct);
                }
            });
        }
        finally
        {
            foreach (var store in stores)
            {
                store.Dispose();
            }
        }

        var result = (await (await ZarrArray.OpenAsync<int>(setup, "a")).ReadAsync([Slice.All])).ToArray();
        var lost = Enumerable.Range(0, result.Length).Count(e => result[e] != ((e % writers) * 1000) + (e / writers) + 1);
        Assert.Equal(0, lost);
    }

    /// <summary>An S3 store as another process would hold it: the same objects, a location of its own.</summary>
    private sealed class ElsewhereStore(S3Store inner) : IConditionalStore
    {
        public StoreLocation Location { get; } = StoreLocation.OfObject(new object());

        public bool IsReadOnly => inner.IsReadOnly;

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

        public ValueTask<bool> TrySetAsync(string key, ReadOnlyMemory<byte> value, StoreVersion expected, CancellationToken cancellationToken = default) =>
            inner.TrySetAsync(key, value, expected, cancellationToken);

        public ValueTask<bool> TryDeleteAsync(string key, StoreVersion expected, CancellationToken cancellationToken = default) =>
            inner.TryDeleteAsync(key, expected, cancellationToken);
    }
}
