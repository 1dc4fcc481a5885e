using Zarr.Storage.Buffers;

namespace Zarr.Storage.Tests.FaultInjection;

/// <summary>
/// Issue 13: a store of someone else's making fails with its own exceptions (an <see cref="IOException"/>, an
/// <see cref="InvalidOperationException"/>), not the library's typed ones. Every chunk operation turns such a failure into
/// a <see cref="ZarrStoreException"/> naming the chunk's key, the array, the operation and the store, with the store's
/// exception inside; a cancellation stays a cancellation.
/// </summary>
public sealed class ThirdPartyStoreFailureTests
{
    public static TheoryData<string> Failures => ["io", "unexpected"];

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task Every_chunk_operation_names_the_key_array_operation_and_store(string failure)
    {
        var store = new FailingStore();
        var array = await ZarrArray.CreateAsync<int>(store, "g/a", [8], new ArrayOptions { Chunks = [4], FillValue = 0 });
        await array.WriteAsync([Slice.All], new[] { 1, 2, 3, 4, 5, 6, 7, 8 });
        store.Fail = key => key.StartsWith("g/a/c/", StringComparison.Ordinal) ? Make(failure) : null;

        await AssertNamedAsync(() => array.ReadAsync([Slice.At(1)]), "g/a/c/0", "read", failure);
        await AssertNamedAsync(() => array.WriteAsync([Slice.At(5)], new[] { 9 }), "g/a/c/1", "read", failure);
        using var encoded = array.ChunkStorage.Encode(System.Runtime.InteropServices.MemoryMarshal.AsBytes(new[] { 1, 1, 1, 1 }.AsSpan()), [0]);
        await AssertNamedAsync(() => array.ChunkStorage.StoreAsync([0], encoded).AsTask(), "g/a/c/0", "write", failure);
        await AssertNamedAsync(() => array.ChunkStorage.DeleteAsync([1]).AsTask(), "g/a/c/1", "delete", failure);
        await AssertNamedAsync(() => array.ChunkStorage.FetchAsync([1]).AsTask(), "g/a/c/1", "read", failure);

        // Nothing was torn: the chunks are as written before the failures.
        store.Fail = null;
        Assert.Equal(new[] { 1, 2, 3, 4, 5, 6, 7, 8 }, (await array.ReadAsync([Slice.All])).ToArray());
    }

    [Fact]
    public async Task A_write_whose_store_fails_only_on_the_write_back_is_named_as_a_write()
    {
        var store = new FailingStore();
        var array = await ZarrArray.CreateAsync<int>(store, "a", [8], new ArrayOptions { Chunks = [4], FillValue = 0 });
        store.FailWrites = true;
        await AssertNamedAsync(() => array.WriteAsync([Slice.At(1)], new[] { 3 }), "a/c/0", "write", "io");
    }

    [Fact]
    public async Task A_cancellation_from_the_store_is_not_wrapped()
    {
        var store = new FailingStore();
        var array = await ZarrArray.CreateAsync<int>(store, "a", [8], new ArrayOptions { Chunks = [4], FillValue = 0 });
        store.Fail = key => key.StartsWith("a/c/", StringComparison.Ordinal) ? new OperationCanceledException("cancelled by the store") : null;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => array.ReadAsync([Slice.All]));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => array.WriteAsync([Slice.At(0)], new[] { 1 }));
    }

    private static Exception Make(string failure) =>
        failure == "io" ? new IOException("the disk is on fire") : new InvalidOperationException("the client was disposed");

    private static async Task AssertNamedAsync(Func<Task> operation, string key, string verb, string failure)
    {
        var thrown = await Assert.ThrowsAsync<ZarrStoreException>(operation);
        Assert.Equal(key, thrown.Key);
        Assert.Contains($"'{key}'", thrown.Message, StringComparison.Ordinal);
        Assert.Contains($"array '/{string.Join('/', key.Split('/')[..^2])}'", thrown.Message, StringComparison.Ordinal);
        Assert.Contains($"could not {verb}", thrown.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(FailingStore), thrown.Message, StringComparison.Ordinal);
        Assert.IsType(failure == "io" ? typeof(IOException) : typeof(InvalidOperationException), thrown.InnerException);
    }

    /// <summary>A third-party store: a memory store's values, failing with its own exceptions where told to.</summary>
    private sealed class FailingStore : IStore
    {
        private readonly MemoryStore _values = new();

        public Func<string, Exception?>? Fail { get; set; }

        public bool FailWrites { get; set; }

        public bool IsReadOnly => false;

        public override string ToString() => nameof(FailingStore) + "(tests)";

        public ValueTask<PooledBuffer?> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
        {
            Check(key);
            return _values.GetAsync(key, range, cancellationToken);
        }

        public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => _values.ExistsAsync(key, cancellationToken);

        public ValueTask<long?> GetSizeAsync(string key, CancellationToken cancellationToken = default) => _values.GetSizeAsync(key, cancellationToken);

        public async ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            Check(key);
            if (FailWrites && key.Contains("/c/", StringComparison.Ordinal))
            {
                throw new IOException("no space left on the device");
            }

            await _values.SetAsync(key, value, cancellationToken);
        }

        public ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default)
        {
            Check(key);
            return _values.DeleteAsync(key, cancellationToken);
        }

        public ValueTask DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default) => _values.DeletePrefixAsync(prefix, cancellationToken);

        public IAsyncEnumerable<StoreEntry> ListPrefixAsync(string prefix, CancellationToken cancellationToken = default) => _values.ListPrefixAsync(prefix, cancellationToken);

        public IAsyncEnumerable<string> ListDirectoryAsync(string prefix, CancellationToken cancellationToken = default) => _values.ListDirectoryAsync(prefix, cancellationToken);

        private void Check(string key)
        {
            if (Fail?.Invoke(key) is { } failure)
            {
                throw failure;
            }
        }
    }
}
