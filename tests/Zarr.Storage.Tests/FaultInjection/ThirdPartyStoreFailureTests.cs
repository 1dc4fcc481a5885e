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

    public static TheoryData<string, ZarrFormat> MetadataFailures => new()
    {
        { "io", ZarrFormat.V3 }, { "unexpected", ZarrFormat.V3 }, { "io", ZarrFormat.V2 }, { "unexpected", ZarrFormat.V2 },
    };

    [Theory]
    [MemberData(nameof(MetadataFailures))]
    public async Task Every_metadata_operation_names_the_document_operation_and_store(string failure, ZarrFormat format)
    {
        var store = new FailingStore();
        var options = new ArrayOptions { Chunks = [4], FillValue = 0, Format = format };
        var array = await ZarrArray.CreateAsync<int>(store, "g/a", [8], options);
        await array.WriteAsync([Slice.All], new[] { 1, 2, 3, 4, 5, 6, 7, 8 });
        var arrayDocument = format == ZarrFormat.V3 ? "g/a/zarr.json" : "g/a/.zarray";
        var attributes = format == ZarrFormat.V3 ? "g/a/zarr.json" : "g/a/.zattrs";
        var groupDocument = format == ZarrFormat.V3 ? "h/zarr.json" : "h/.zgroup";
        var before = await StoredAsync(store, arrayDocument);

        // Open: the array's document fails to read.
        store.Fail = key => key == arrayDocument ? Make(failure) : null;
        await AssertDocumentNamedAsync(() => ZarrArray.OpenAsync<int>(store, "g/a", AccessMode.ReadWrite), arrayDocument, "read", failure);

        // Resize: the document reads, its write back fails; the stored document is the old one, the data untouched.
        store.Fail = null;
        store.FailDocumentWrites = key => key == arrayDocument;
        await AssertDocumentNamedAsync(() => array.ResizeAsync([12]), arrayDocument, "write", "io");
        Assert.Equal(before, await StoredAsync(store, arrayDocument));

        // Attributes: their document fails to write.
        store.FailDocumentWrites = key => key == attributes;
        await AssertDocumentNamedAsync(() => array.UpdateAttributesAsync(new System.Text.Json.Nodes.JsonObject { ["k"] = 1 }), attributes, "write", "io");

        // Create: a new array's document fails to write; a new group's too.
        store.FailDocumentWrites = key => key == "g/b/" + arrayDocument[(arrayDocument.LastIndexOf('/') + 1)..];
        await AssertDocumentNamedAsync(() => ZarrArray.CreateAsync<int>(store, "g/b", [4], options), "g/b/" + arrayDocument[(arrayDocument.LastIndexOf('/') + 1)..], "write", "io");
        store.FailDocumentWrites = key => key == groupDocument;
        await AssertDocumentNamedAsync(() => ZarrGroup.CreateAsync(store, "h", format), groupDocument, "write", "io");

        // Nothing was torn: the array reads as written before the failures, by its old shape.
        store.FailDocumentWrites = null;
        var reopened = await ZarrArray.OpenAsync<int>(store, "g/a");
        Assert.Equal(new long[] { 8 }, reopened.Shape.ToArray());
        Assert.Equal(new[] { 1, 2, 3, 4, 5, 6, 7, 8 }, (await reopened.ReadAsync([Slice.All])).ToArray());
    }

    [Fact]
    public async Task A_cancellation_from_the_store_is_not_wrapped_for_metadata_either()
    {
        var store = new FailingStore();
        await ZarrArray.CreateAsync<int>(store, "a", [8], new ArrayOptions { Chunks = [4], FillValue = 0 });
        store.Fail = key => key == "a/zarr.json" ? new OperationCanceledException("cancelled by the store") : null;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ZarrArray.OpenAsync<int>(store, "a"));
    }

    private static async Task<byte[]?> StoredAsync(FailingStore store, string key)
    {
        var saved = store.Fail;
        store.Fail = null;
        using var value = await store.GetAsync(key);
        store.Fail = saved;
        return value?.Span.ToArray();
    }

    private static async Task AssertDocumentNamedAsync(Func<Task> operation, string key, string verb, string failure)
    {
        var thrown = await Assert.ThrowsAsync<ZarrStoreException>(operation);
        Assert.Equal(key, thrown.Key);
        Assert.Contains($"'{key}'", thrown.Message, StringComparison.Ordinal);
        Assert.Contains($"could not {verb} the metadata document", thrown.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(FailingStore), thrown.Message, StringComparison.Ordinal);
        Assert.IsType(failure == "io" ? typeof(IOException) : typeof(InvalidOperationException), thrown.InnerException);
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

        public Func<string, bool>? FailDocumentWrites { get; set; }

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

            if (FailDocumentWrites?.Invoke(key) is true)
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
