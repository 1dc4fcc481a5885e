using System.Runtime.InteropServices;
using Zarr.Storage.Buffers;
using Zarr.Storage.Chunks;

namespace Zarr.Storage.Tests.Arrays;

/// <summary>The explicit chunk steps (<see cref="ZarrArray.ChunkStorage"/>) and the bounded read loop.</summary>
public sealed class ChunkStorageTests
{
    private static readonly ArrayOptions Options = new() { Chunks = [4], FillValue = 7 };

    [Fact]
    public async Task Encode_of_an_all_fill_chunk_says_so_and_storing_it_deletes_the_key()
    {
        var array = await ZarrArray.CreateAsync<int>(new MemoryStore(), "", [8], Options);
        await array.WriteAsync([Slice.All], Enumerable.Range(0, 8).ToArray());
        var chunks = array.ChunkStorage;

        var fill = new byte[chunks.ByteLength];
        chunks.DecodeMissing(fill);
        Assert.Equal([7, 7, 7, 7], MemoryMarshal.Cast<byte, int>(fill).ToArray());
        using var encoded = chunks.Encode(fill, [1]);
        Assert.True(encoded.IsAllFill);
        Assert.Equal(0, encoded.Length);

        await chunks.StoreAsync([1], encoded);

        Assert.False(await array.Store.ExistsAsync(chunks.KeyOf([1])));
        Assert.Equal(new[] { 0, 1, 2, 3, 7, 7, 7, 7 }, (await array.ReadAsync([Slice.All])).ToArray());
    }

    [Fact]
    public async Task Fetch_decode_encode_and_store_round_trip_a_chunk()
    {
        var array = await ZarrArray.CreateAsync<int>(new MemoryStore(), "", [8], Options);
        await array.WriteAsync([Slice.All], Enumerable.Range(0, 8).ToArray());
        var chunks = array.ChunkStorage;

        using var fetched = await chunks.FetchAsync([0]);
        Assert.NotNull(fetched);
        var decoded = new byte[chunks.ByteLength];
        chunks.Decode(fetched.Span, [0], decoded);
        using var encoded = chunks.Encode(decoded, [1], FillComparison.Bits);
        Assert.False(encoded.IsAllFill);
        await chunks.StoreAsync([1], encoded);

        Assert.Equal(new[] { 0, 1, 2, 3, 0, 1, 2, 3 }, (await array.ReadAsync([Slice.All])).ToArray());
        Assert.Null(await chunks.FetchAsync([5]));
    }

    [Fact]
    public async Task Never_comparison_stores_an_all_fill_chunk()
    {
        var array = await ZarrArray.CreateAsync<int>(new MemoryStore(), "", [8], Options);
        var fill = new byte[array.ChunkStorage.ByteLength];
        array.ChunkStorage.DecodeMissing(fill);

        using var encoded = array.ChunkStorage.Encode(fill, [0], FillComparison.Never);
        await array.ChunkStorage.StoreAsync([0], encoded);

        Assert.False(encoded.IsAllFill);
        Assert.True(await array.Store.ExistsAsync(array.GetChunkKey([0])));
    }

    [Fact]
    public async Task Update_is_a_read_modify_write_and_delete_removes_the_chunk()
    {
        var array = await ZarrArray.CreateAsync<int>(new MemoryStore(), "", [8], Options);
        await array.WriteAsync([Slice.Range(0, 2)], new[] { 1, 2 });

        await array.ChunkStorage.UpdateAsync([0], chunk => MemoryMarshal.Cast<byte, int>(chunk)[3] = 4);
        await array.ChunkStorage.UpdateAsync([1], chunk => MemoryMarshal.Cast<byte, int>(chunk)[0] = 5);
        Assert.Equal(new[] { 1, 2, 7, 4, 5, 7, 7, 7 }, (await array.ReadAsync([Slice.All])).ToArray());

        await array.ChunkStorage.DeleteAsync([0]);
        Assert.Equal(new[] { 7, 7, 7, 7, 5, 7, 7, 7 }, (await array.ReadAsync([Slice.All])).ToArray());
    }

    [Fact]
    public async Task Store_waits_for_the_chunk_lock()
    {
        var array = await ZarrArray.CreateAsync<int>(new MemoryStore(), "", [8], Options);
        var bytes = new byte[array.ChunkStorage.ByteLength];
        bytes[0] = 1;
        using var encoded = array.ChunkStorage.Encode(bytes, [0]);

        ValueTask store;
        using (await array.ChunkIO.LockAsync(array.GetChunkKey([0]), default))
        {
            store = array.ChunkStorage.StoreAsync([0], encoded);
            await Task.Delay(50);
            Assert.False(store.IsCompleted);
            Assert.False(await array.Store.ExistsAsync(array.GetChunkKey([0])));
        }

        await store;
        Assert.Equal(1, await array.GetValueAsync([0]));
    }

    [Fact]
    public async Task Store_on_a_read_only_array_is_refused()
    {
        var store = new MemoryStore();
        await ZarrArray.CreateAsync<int>(store, "", [8], Options);
        var array = await ZarrArray.OpenAsync(store);

        await Assert.ThrowsAsync<ZarrException>(async () => await array.ChunkStorage.DeleteAsync([0]));
    }

    [Fact]
    public async Task Variable_length_strings_have_no_byte_steps()
    {
        var strings = await ZarrStringArray.CreateAsync(new MemoryStore(), "", [4]);

        Assert.Throws<ZarrException>(() => strings.Array.ChunkStorage.DecodeMissing(new byte[4]));
    }

    [Fact]
    public async Task A_byte_read_can_be_held_to_one_chunk_at_a_time()
    {
        var store = new ConcurrencyStore();
        var array = await ZarrArray.CreateAsync<byte>(store, "", [64], new ArrayOptions { Chunks = [4] });
        await array.WriteAsync([Slice.All], Enumerable.Range(0, 64).Select(i => (byte)i).ToArray());
        var destination = new byte[64];

        store.Delay = TimeSpan.FromMilliseconds(5);
        await array.ReadBytesIntoAsync([Slice.All], destination, maxConcurrency: 1);

        Assert.Equal(1, store.MaxActiveReads);
        Assert.Equal(Enumerable.Range(0, 64).Select(i => (byte)i), destination);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => array.ReadBytesIntoAsync([Slice.All], destination, maxConcurrency: 0));
    }

    /// <summary>A memory store that counts how many reads run at once.</summary>
    private sealed class ConcurrencyStore : IStore
    {
        private readonly MemoryStore _inner = new();
        private int _active;
        private int _max;

        public TimeSpan Delay { get; set; }

        public int MaxActiveReads => _max;

        public bool IsReadOnly => false;

        public async ValueTask<PooledBuffer?> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
        {
            var active = Interlocked.Increment(ref _active);
            int seen;
            while (active > (seen = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, active, seen) != seen)
            {
            }

            try
            {
                await Task.Delay(Delay, cancellationToken);
                return await _inner.GetAsync(key, range, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _active);
            }
        }

        public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => _inner.ExistsAsync(key, cancellationToken);

        public ValueTask<long?> GetSizeAsync(string key, CancellationToken cancellationToken = default) => _inner.GetSizeAsync(key, cancellationToken);

        public ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) => _inner.SetAsync(key, value, cancellationToken);

        public ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default) => _inner.DeleteAsync(key, cancellationToken);

        public ValueTask DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default) => _inner.DeletePrefixAsync(prefix, cancellationToken);

        public IAsyncEnumerable<StoreEntry> ListPrefixAsync(string prefix, CancellationToken cancellationToken = default) => _inner.ListPrefixAsync(prefix, cancellationToken);

        public IAsyncEnumerable<string> ListDirectoryAsync(string prefix, CancellationToken cancellationToken = default) => _inner.ListDirectoryAsync(prefix, cancellationToken);
    }
}
