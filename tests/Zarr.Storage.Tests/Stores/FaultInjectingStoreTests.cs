using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Zarr.Storage.Tests.Stores;

/// <summary>The fault-injecting wrapper, and arrays over flaky stores: retried work succeeds, failed work names the key, no chunk is torn.</summary>
public sealed class FaultInjectingStoreTests : IDisposable
{
    private const int Side = 8;
    private const int ChunkSide = 2;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task The_nth_call_fails_with_a_transient_cause_naming_the_key_and_no_other()
    {
        var inner = new MemoryStore();
        var store = FaultInjectingStore.Wrap(inner, new FaultInjectingStoreOptions { FailCall = 3 });
        await store.SetAsync("k1", new byte[] { 1 });
        await store.SetAsync("k2", new byte[] { 2 });
        var e = await Assert.ThrowsAsync<ZarrStoreException>(async () => await store.SetAsync("k3", new byte[] { 3 }));
        Assert.Equal("k3", e.Key);
        Assert.Contains("'k3'", e.Message, StringComparison.Ordinal);
        Assert.True(e.InnerException is HttpRequestException or IOException or TimeoutException, e.InnerException?.GetType().Name);
        Assert.False(await inner.ExistsAsync("k3")); // the failed write never reached the store
        await store.SetAsync("k3", new byte[] { 3 });
        Assert.True(await store.ExistsAsync("k3"));
        Assert.Equal(5, store.Calls);
        Assert.Equal(1, store.InjectedFailures);
    }

    [Fact]
    public async Task The_same_seed_fails_the_same_calls_and_the_rate_is_about_right()
    {
        async Task<List<int>> FailingCallsAsync(int seed)
        {
            var store = FaultInjectingStore.Wrap(new MemoryStore(), new FaultInjectingStoreOptions { Seed = seed, FailureRate = 0.3 });
            var failed = new List<int>();
            for (var i = 0; i < 400; i++)
            {
                try
                {
                    await store.ExistsAsync("k");
                }
                catch (ZarrStoreException)
                {
                    failed.Add(i);
                }
            }

            return failed;
        }

        var first = await FailingCallsAsync(7);
        Assert.Equal(first, await FailingCallsAsync(7));
        Assert.NotEqual(first, await FailingCallsAsync(8));
        Assert.InRange(first.Count, 80, 160);
    }

    [Fact]
    public async Task Only_the_selected_operations_fail_and_every_call_is_delayed_and_cancellable()
    {
        var store = FaultInjectingStore.Wrap(new MemoryStore(), new FaultInjectingStoreOptions
        {
            FailureRate = 1,
            Operations = FaultOperations.Write,
            Delay = TimeSpan.FromMilliseconds(60),
        });
        var clock = Stopwatch.StartNew();
        Assert.False(await store.ExistsAsync("k"));
        Assert.Null(await store.GetAsync("k"));
        await store.DeleteAsync("k");
        Assert.True(clock.ElapsedMilliseconds >= 170, $"{clock.ElapsedMilliseconds} ms");
        await Assert.ThrowsAsync<ZarrStoreException>(async () => await store.SetAsync("k", new byte[] { 1 }));
        Assert.Equal(1, store.Calls);

        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(10));
        var slow = FaultInjectingStore.Wrap(new MemoryStore(), new FaultInjectingStoreOptions { Delay = TimeSpan.FromSeconds(10) });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await slow.GetAsync("k", null, cancel.Token));
    }

    [Fact]
    public void The_wrapper_is_conditional_exactly_when_the_store_below_is()
    {
        Assert.IsAssignableFrom<IConditionalStore>(FaultInjectingStore.Wrap(new VersionedMemoryStore()));
        IStore plain = new MemoryStore();
        Assert.Equal(plain is IConditionalStore, FaultInjectingStore.Wrap(plain) is IConditionalStore);
        IStore folder = new DirectoryStore(_temp.Path);
        Assert.Equal(folder is IConditionalStore, FaultInjectingStore.Wrap(folder) is IConditionalStore);
        Assert.Throws<ArgumentOutOfRangeException>(() => new FaultInjectingStoreOptions { FailureRate = 1.5 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new FaultInjectingStoreOptions { FailCall = -1 });
    }

    [Fact]
    public async Task Conditional_calls_fail_and_pass_through_like_the_others()
    {
        var inner = new VersionedMemoryStore();
        var store = (IConditionalStore)FaultInjectingStore.Wrap(inner, new FaultInjectingStoreOptions { FailCall = 2 });
        Assert.True(await store.TrySetAsync("k", new byte[] { 1 }, StoreVersion.Absent));
        await Assert.ThrowsAsync<ZarrStoreException>(async () => await store.GetVersionedAsync("k"));
        using var current = await store.GetVersionedAsync("k");
        Assert.False(await store.TrySetAsync("k", new byte[] { 2 }, StoreVersion.Absent));
        Assert.True(await store.TrySetAsync("k", new byte[] { 2 }, current.Version));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Versioned_reads_of_the_store_below_are_the_wrappers_and_fail_like_the_others(string kind)
    {
        var inner = CreateStore(kind);
        await inner.SetAsync("k", Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
        var store = FaultInjectingStore.Wrap(inner, new FaultInjectingStoreOptions { FailCall = 2, Operations = FaultOperations.Read });
        var versioned = StoreCapabilities.VersionedRead(store);
        Assert.NotNull(versioned);
        Assert.Null(StoreCapabilities.VersionedRead(FaultInjectingStore.Wrap(new Codecs.CountingStore(new MemoryStore()))));

        using var read = await versioned!.GetVersionedRangeAsync("k", ByteRange.Suffix(4));
        Assert.Equal(new byte[] { 28, 29, 30, 31 }, read.Value!.Span.ToArray());
        var failed = await Assert.ThrowsAsync<ZarrStoreException>(async () => await versioned.GetRangeIfVersionAsync("k", ByteRange.Slice(0, 2), read.Version));
        Assert.Equal("k", failed.Key);
        Assert.True(failed.InnerException is HttpRequestException or IOException or TimeoutException, failed.InnerException?.GetType().Name);
        using (var again = await versioned.GetRangeIfVersionAsync("k", ByteRange.Slice(0, 2), read.Version))
        {
            Assert.Equal(new byte[] { 0, 1 }, again!.Span.ToArray());
        }

        Assert.Equal((3L, 1L), (store.Calls, store.InjectedFailures));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_failed_read_through_a_cached_shard_index_names_the_shard_and_the_next_read_is_right(string kind)
    {
        var inner = CreateStore(kind);
        var options = new ArrayOptions { Format = ZarrFormat.V3, Shards = [32], Chunks = [8], Compressors = [new Zarr.Storage.Codecs.ZstdCodec(3)], FillValue = 0 };
        var values = Enumerable.Range(1, 64).ToArray();
        await (await ZarrArray.CreateAsync<int>(inner, "a", [64], options))[..].WriteAsync(values);
        await Codecs.ShardIndexCacheTests.SettleAsync(); // so a directory store's shard index is kept

        // A run without faults counts the calls of opening the array and a first inner-chunk read (which keeps the index).
        var counting = FaultInjectingStore.Wrap(inner);
        Assert.Equal(values[8..16], (await (await ZarrArray.OpenAsync<int>(counting, "a"))[8..16]).ToArray());

        // The same with the call after those failing: the second read's one call, on the cached index, is the one.
        var flaky = FaultInjectingStore.Wrap(inner, new FaultInjectingStoreOptions { FailCall = counting.Calls + 1 });
        var array = await ZarrArray.OpenAsync<int>(flaky, "a");
        Assert.Equal(values[8..16], (await array[8..16]).ToArray());
        var cache = array.ChunkIO.IndexCache!;
        var failed = await Assert.ThrowsAsync<ZarrStoreException>(async () => await array[16..24]);
        Assert.Equal("a/c/0", failed.Key);
        Assert.Equal((1L, 1L, 1L), (cache.Hits, cache.Misses, flaky.InjectedFailures));

        Assert.Equal(values[16..24], (await array[16..24]).ToArray());
        Assert.Equal(values[40..48], (await array[40..48]).ToArray());
        Assert.Equal((2L, 2L), (cache.Hits, cache.Misses));
    }

    public static TheoryData<string> Stores => new() { "memory", "directory" };

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Array_reads_and_writes_over_a_flaky_store_succeed_with_retries(string kind)
    {
        var inner = CreateStore(kind);
        var flaky = FaultInjectingStore.Wrap(inner, new FaultInjectingStoreOptions { Seed = 3, FailureRate = 0.2 });
        var array = await RetryAsync(() => ZarrArray.CreateAsync<int>(flaky, "a", [Side, Side], new ArrayOptions { Chunks = [ChunkSide, ChunkSide] }));
        var values = Enumerable.Range(1, Side * Side).ToArray();

        // The caller retries per chunk region, as a job over an object store does (a whole-array call touches every chunk).
        for (var r = 0; r < Side; r += ChunkSide)
        {
            for (var c = 0; c < Side; c += ChunkSide)
            {
                var patch = Enumerable.Range(r, ChunkSide).SelectMany(row => values.Skip((row * Side) + c).Take(ChunkSide)).ToArray();
                var (row0, col0) = (r, c);
                await RetryAsync(async () =>
                {
                    await array[row0..(row0 + ChunkSide), col0..(col0 + ChunkSide)].WriteAsync(patch);
                    return true;
                });
            }
        }

        var reopened = await RetryAsync(() => ZarrArray.OpenAsync<int>(flaky, "a"));
        var read = new int[Side * Side];
        for (var r = 0; r < Side; r += ChunkSide)
        {
            var row0 = r;
            var rows = await RetryAsync(async () =>
            {
                var buffer = new int[ChunkSide * Side];
                await reopened[row0..(row0 + ChunkSide), ..].ReadIntoAsync(buffer);
                return buffer;
            });
            rows.CopyTo(read, r * Side);
        }

        Assert.Equal(values, read);
        Assert.True(flaky.InjectedFailures > 0);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_failed_array_write_names_the_chunk_key_and_leaves_every_chunk_whole(string kind)
    {
        var inner = CreateStore(kind);
        var array = await ZarrArray.CreateAsync<int>(inner, "a", [Side, Side], new ArrayOptions { Chunks = [ChunkSide, ChunkSide] });
        var before = Enumerable.Range(1, Side * Side).ToArray();
        await array[..].WriteAsync(before);

        var failures = 0;
        for (var round = 0; round < 8; round++)
        {
            var flaky = FaultInjectingStore.Wrap(inner, new FaultInjectingStoreOptions { Seed = round, FailureRate = 0.3, Operations = FaultOperations.Write });
            var handle = await ZarrArray.OpenAsync<int>(flaky, "a", AccessMode.ReadWrite);
            var after = before.Select(v => v + (1000 * (round + 1))).ToArray();
            try
            {
                await handle[..].WriteAsync(after);
            }
            catch (ZarrStoreException e)
            {
                failures++;
                Assert.NotNull(e.Key);
                Assert.StartsWith("a/c/", e.Key, StringComparison.Ordinal);
                Assert.Contains(e.Key!, e.Message, StringComparison.Ordinal);
            }

            // Read back through the store below: each chunk is wholly from one write (never a mix within a chunk).
            var stored = await ZarrArray.OpenAsync<int>(inner, "a");
            var now = new int[Side * Side];
            await stored[..].ReadIntoAsync(now);
            for (var cr = 0; cr < Side; cr += ChunkSide)
            {
                for (var cc = 0; cc < Side; cc += ChunkSide)
                {
                    var offsets = new HashSet<int>();
                    for (var r = cr; r < cr + ChunkSide; r++)
                    {
                        for (var c = cc; c < cc + ChunkSide; c++)
                        {
                            var i = (r * Side) + c;
                            offsets.Add(now[i] - before[i]);
                        }
                    }

                    Assert.True(offsets.Count == 1 && offsets.Single() % 1000 == 0, $"chunk ({cr / ChunkSide}, {cc / ChunkSide}) is torn in round {round}: {string.Join(",", offsets)}");
                }
            }
        }

        Assert.True(failures > 0, "no write failed: the test proved nothing");
    }

    private IStore CreateStore(string kind) => kind == "memory" ? new MemoryStore() : new DirectoryStore(_temp.Combine(Guid.NewGuid().ToString("N")));

    /// <summary>The caller's retries: a transient store failure is tried again, up to 50 times.</summary>
    private static async Task<T> RetryAsync<T>(Func<Task<T>> work)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await work();
            }
            catch (ZarrStoreException e) when (attempt < 50 && e.InnerException is HttpRequestException or IOException or TimeoutException)
            {
            }
        }
    }

    /// <summary>A small in-memory store with versions, so the wrapper's conditional face can be tested.</summary>
    private sealed class VersionedMemoryStore : IConditionalStore
    {
        private readonly MemoryStore _values = new();
        private readonly ConcurrentDictionary<string, int> _versions = new();
        private int _next;

        public bool IsReadOnly => false;

        public bool CanDeleteConditionally => true;

        public async ValueTask<VersionedValue> GetVersionedAsync(string key, CancellationToken cancellationToken = default)
        {
            var value = await _values.GetAsync(key, null, cancellationToken);
            return new VersionedValue(value, value is null ? StoreVersion.Absent : StoreVersion.Of(_versions[key].ToString()));
        }

        public async ValueTask<bool> TrySetAsync(string key, ReadOnlyMemory<byte> value, StoreVersion expected, CancellationToken cancellationToken = default)
        {
            lock (_versions)
            {
                var has = _versions.TryGetValue(key, out var version);
                if (expected.IsAbsent ? has : !has || version.ToString() != expected.Tag)
                {
                    return false;
                }

                _versions[key] = ++_next;
            }

            await _values.SetAsync(key, value, cancellationToken);
            return true;
        }

        public async ValueTask<bool> TryDeleteAsync(string key, StoreVersion expected, CancellationToken cancellationToken = default)
        {
            lock (_versions)
            {
                if (!_versions.TryGetValue(key, out var version) || version.ToString() != expected.Tag)
                {
                    return expected.IsAbsent && !_versions.ContainsKey(key);
                }

                _versions.TryRemove(key, out _);
            }

            await _values.DeleteAsync(key, cancellationToken);
            return true;
        }

        public ValueTask<Zarr.Storage.Buffers.PooledBuffer?> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default) => _values.GetAsync(key, range, cancellationToken);

        public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => _values.ExistsAsync(key, cancellationToken);

        public ValueTask<long?> GetSizeAsync(string key, CancellationToken cancellationToken = default) => _values.GetSizeAsync(key, cancellationToken);

        public ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
        {
            _versions[key] = Interlocked.Increment(ref _next);
            return _values.SetAsync(key, value, cancellationToken);
        }

        public ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default)
        {
            _versions.TryRemove(key, out _);
            return _values.DeleteAsync(key, cancellationToken);
        }

        public ValueTask DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IAsyncEnumerable<StoreEntry> ListPrefixAsync(string prefix, CancellationToken cancellationToken = default) => _values.ListPrefixAsync(prefix, cancellationToken);

        public IAsyncEnumerable<string> ListDirectoryAsync(string prefix, CancellationToken cancellationToken = default) => _values.ListDirectoryAsync(prefix, cancellationToken);
    }
}
