using Zarr.Storage;
using Zarr.Storage.Buffers;

namespace Zarr.Dataflow.Tests;

/// <summary>
/// Issue 18: a run holds at most <see cref="PipelineOptions.MaxBytesInFlight"/> of chunks when its chunks are large,
/// without taking workers from the codec stage; options a caller set are kept. Counted at the stores (chunks read and
/// not yet written), not timed.
/// </summary>
public sealed class PipelineMemoryBudgetTests
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public void Large_chunks_lower_the_default_capacities_to_the_budget_and_keep_one_chunk_per_codec_worker()
    {
        var options = new PipelineOptions { MaxBytesInFlight = 192 * MiB };
        var defaults = options.Clone();

        var fitted = options.FitTo(32 * MiB);

        Assert.Equal(Environment.ProcessorCount, fitted.Decode.MaxDegreeOfParallelism);
        Assert.Equal(Environment.ProcessorCount, fitted.Decode.BoundedCapacity);
        Assert.Equal(1, fitted.Fetch.MaxDegreeOfParallelism);
        Assert.Equal(1, fitted.Fetch.BoundedCapacity);
        Assert.Equal(1, fitted.Store.BoundedCapacity);
        Assert.Equal(Environment.ProcessorCount + 1 + 4, fitted.ChunksHeld());
        Assert.True(defaults.ChunksHeld() > fitted.ChunksHeld(), $"{defaults.ChunksHeld()} chunks by default, {fitted.ChunksHeld()} fitted");

        // The options the caller holds are not changed.
        Assert.Equal(defaults.Fetch.BoundedCapacity, options.Fetch.BoundedCapacity);
        Assert.Equal(defaults.Fetch.MaxDegreeOfParallelism, options.Fetch.MaxDegreeOfParallelism);
    }

    [Fact]
    public void Small_chunks_no_budget_or_capacities_the_caller_set_are_left_as_they_are()
    {
        var defaults = new PipelineOptions();
        var small = defaults.FitTo(64 * 1024);
        Assert.Equal(defaults.ChunksHeld(), small.ChunksHeld());
        Assert.Equal(defaults.Fetch.MaxDegreeOfParallelism, small.Fetch.MaxDegreeOfParallelism);

        var unbudgeted = new PipelineOptions { MaxBytesInFlight = null }.FitTo(1024 * MiB);
        Assert.Equal(defaults.ChunksHeld(), unbudgeted.ChunksHeld());

        var set = new PipelineOptions { MaxBytesInFlight = MiB };
        set.Store.BoundedCapacity = 6;
        set.Fetch.MaxDegreeOfParallelism = 3;
        var fitted = set.FitTo(64 * MiB);
        Assert.Equal(6, fitted.Store.BoundedCapacity);
        Assert.Equal(3, fitted.Fetch.MaxDegreeOfParallelism);
        Assert.Equal(3, fitted.Fetch.BoundedCapacity); // lowered, but not below the workers the caller asked for

        Assert.Throws<ArgumentOutOfRangeException>(() => new PipelineOptions { MaxBytesInFlight = 0 });
    }

    [Fact]
    public async Task A_store_run_over_large_chunks_holds_no_more_chunks_than_the_budget_allows_and_copies_every_value()
    {
        const int Chunks = 48;
        var store = new InFlightStore();
        var data = Support.RandomData<int>(Chunks * 128 * 128, 18);
        var source = await Support.ArrayAsync(store, "src", [Chunks, 128, 128], [1, 128, 128], data);

        // 64 KiB chunks, a budget of 4 of them; the slow writes back the pipeline up to whatever its stages hold.
        var budgeted = new PipelineOptions { MaxBytesInFlight = 4 * 64 * 1024 };
        var bound = budgeted.FitTo(64 * 1024).ChunksHeld();
        var target = await Support.ArrayAsync<int>(store, "dst", [Chunks, 128, 128], [1, 128, 128]);
        store.Reset();
        await Lazy.From(source).StoreAsync(target, budgeted);

        Assert.Equal(data, await Support.ReadAllAsync(target));
        Assert.Equal(Chunks, store.Written);
        Assert.True(store.MostInFlight <= bound, $"{store.MostInFlight} chunks were read and not yet written at once; the budget allows {bound}");

        // Without the budget the same run holds more: the count above measures what the budget bounds.
        var unbudgeted = new PipelineOptions { MaxBytesInFlight = null };
        var target2 = await Support.ArrayAsync<int>(store, "dst2", [Chunks, 128, 128], [1, 128, 128]);
        store.Reset();
        await Lazy.From(source).StoreAsync(target2, unbudgeted);

        Assert.Equal(data, await Support.ReadAllAsync(target2));
        Assert.True(store.MostInFlight > bound, $"without a budget {store.MostInFlight} chunks were in flight at most, not more than the budget's {bound}");
    }

    /// <summary>A memory store that counts chunks of "src" read and chunks of "dst…" written, and writes slowly.</summary>
    private sealed class InFlightStore : IStore
    {
        private readonly MemoryStore _inner = new();
        private int _inFlight;
        private int _most;
        private int _written;

        public bool IsReadOnly => false;

        public int MostInFlight => Volatile.Read(ref _most);

        public int Written => Volatile.Read(ref _written);

        public void Reset()
        {
            _inFlight = 0;
            _most = 0;
            _written = 0;
        }

        public async ValueTask<PooledBuffer?> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
        {
            var value = await _inner.GetAsync(key, range, cancellationToken);
            if (IsChunk(key, "src/"))
            {
                var now = Interlocked.Increment(ref _inFlight);
                int most;
                while (now > (most = Volatile.Read(ref _most)) && Interlocked.CompareExchange(ref _most, now, most) != most)
                {
                }
            }

            return value;
        }

        public async ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
        {
            var chunk = IsChunk(key, "dst");
            if (chunk)
            {
                await Task.Delay(5, cancellationToken);
            }

            await _inner.SetAsync(key, value, cancellationToken);
            if (chunk)
            {
                Interlocked.Decrement(ref _inFlight);
                Interlocked.Increment(ref _written);
            }
        }

        private static bool IsChunk(string key, string prefix)
        {
            var name = key[(key.LastIndexOf('/') + 1)..];
            return key.StartsWith(prefix, StringComparison.Ordinal) && name != "zarr.json" && !name.StartsWith('.');
        }

        public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => _inner.ExistsAsync(key, cancellationToken);

        public ValueTask<long?> GetSizeAsync(string key, CancellationToken cancellationToken = default) => _inner.GetSizeAsync(key, cancellationToken);

        public ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default) => _inner.DeleteAsync(key, cancellationToken);

        public ValueTask DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default) => _inner.DeletePrefixAsync(prefix, cancellationToken);

        public IAsyncEnumerable<StoreEntry> ListPrefixAsync(string prefix, CancellationToken cancellationToken = default) => _inner.ListPrefixAsync(prefix, cancellationToken);

        public IAsyncEnumerable<string> ListDirectoryAsync(string prefix, CancellationToken cancellationToken = default) => _inner.ListDirectoryAsync(prefix, cancellationToken);
    }
}
