using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Zarr.Dataflow.Datasets;
using Zarr.Storage;
using Zarr.Storage.Buffers;
using Zarr.Storage.Datasets;

namespace Zarr.Dataflow.Tests.Datasets;

/// <summary>
/// Dataset variables in the engine: a selection by label reduces over only the chunks it covers (counted), decoded as
/// xarray decodes (packed int16 with a fill value), and a reduction over a named dimension keeps the other dimensions
/// with their coordinates and stores as a dataset variable.
/// </summary>
public sealed class DatasetEngineTests
{
    private const int Days = 12, Lats = 4, Lons = 6;
    private static readonly DateTime Start = new(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    // precip[t, y, x] = t + y / 10 + x / 100, packed as int16 (scale 0.01), with day 5 at lat 1, lon 2 missing;
    // chunked (3, 2, 3): a 4 × 2 × 2 grid.
    private static async Task<(ZarrDataset Dataset, ReadRecorder Store, double[] Values)> DatasetAsync()
    {
        var store = new ReadRecorder();
        var values = new double[Days * Lats * Lons];
        for (var t = 0; t < Days; t++)
        {
            for (var y = 0; y < Lats; y++)
            {
                for (var x = 0; x < Lons; x++)
                {
                    values[(((t * Lats) + y) * Lons) + x] = t + (y / 10.0) + (x / 100.0);
                }
            }
        }

        values[(((5 * Lats) + 1) * Lons) + 2] = double.NaN;
        var contents = new DatasetContents()
            .AddCoordinate("time", [.. Enumerable.Range(0, Days).Select(d => Start.AddDays(d))])
            .AddCoordinate("lat", new[] { 10.0, 20.0, 30.0, 40.0 }, new JsonObject { ["units"] = "degrees_north" })
            .AddCoordinate("lon", new[] { 0.0, 1, 2, 3, 4, 5 })
            .AddVariable("precip", ["time", "lat", "lon"], values, null, new CfEncoding { StorageType = ZarrDataType.Int16, ScaleFactor = 0.01, FillValue = -1 });
        var options = new DatasetWriteOptions { Chunks = new Dictionary<string, int> { ["time"] = 3, ["lat"] = 2, ["lon"] = 3 } };
        await ZarrDataset.CreateAsync(store, "", contents, options);
        return (await ZarrDataset.OpenAsync(store), store, values);
    }

    [Fact]
    public async Task A_reduction_over_a_label_selection_reads_only_the_chunks_it_covers()
    {
        var (dataset, store, values) = await DatasetAsync();
        // Jan 4 to Jan 6 (days 3..5: time chunk 1), lat 20..30 (1..2: both lat chunks), lon 0..2 (lon chunk 0).
        var view = dataset["precip"].Sel("time", Start.AddDays(3), Start.AddDays(5)).Sel("lat", 20, 30).Sel("lon", 0, 2);
        store.Reads.Clear();
        var mean = await view.ToDecodedLazy().NanMeanAsync();

        Assert.Equal(["precip/1.0.0", "precip/1.1.0"], store.Reads.Where(k => k.StartsWith("precip/", StringComparison.Ordinal)).Order());
        var expected = (from t in Enumerable.Range(3, 3) from y in Enumerable.Range(1, 2) from x in Enumerable.Range(0, 3)
                        select values[(((t * Lats) + y) * Lons) + x]).Where(v => !double.IsNaN(v)).Average();
        Assert.Equal(expected, mean, 1e-5);
    }

    [Fact]
    public async Task A_mean_over_time_keeps_lat_and_lon_with_their_coordinates_and_stores_as_a_dataset_variable()
    {
        var (dataset, _, values) = await DatasetAsync();
        var result = await dataset["precip"].ReduceAsync(DatasetReduction.Mean, ["time"]);
        Assert.Equal(["lat", "lon"], result.Dimensions.ToArray());
        Assert.Equal([(long)Lats, Lons], result.Shape.ToArray());
        Assert.Equal(["lat", "lon"], result.Coordinates.Select(c => c.Name));
        for (var y = 0; y < Lats; y++)
        {
            for (var x = 0; x < Lons; x++)
            {
                var expected = Enumerable.Range(0, Days).Select(t => values[(((t * Lats) + y) * Lons) + x]).Where(v => !double.IsNaN(v)).Average();
                Assert.Equal(expected, result.Values[(y * Lons) + x], 1e-5);
            }
        }

        var store = new MemoryStore();
        var means = await ZarrDataset.CreateAsync(store, "climatology", await result.ToContentsAsync("precip_mean"));
        var stored = means["precip_mean"];
        Assert.Equal(["lat", "lon"], stored.Dimensions.ToArray());
        Assert.Equal(["lat", "lon"], means.Coordinates.Select(c => c.Name));
        Assert.Equal("degrees_north", means["lat"].Attributes["units"]!.GetValue<string>());
        Assert.Equal(result.Values, await stored.ReadDoublesAsync());

        // Over a selection, the selected coordinates come along; over every dimension, one value.
        var late = await dataset["precip"].Sel("lat", 30, 40).ReduceAsync(DatasetReduction.Max, ["time", "lon"]);
        Assert.Equal(["lat"], late.Dimensions.ToArray());
        Assert.Equal(new[] { 30.0, 40.0 }, await late.Coordinates.Single().ReadDoublesAsync());
        // Decoded as xarray decodes int16 scaled without an offset: in float32.
        Assert.Equal([11.25, 11.35], late.Values.Select(v => Math.Round(v, 5)));
        var total = await dataset["precip"].ReduceAsync(DatasetReduction.Sum, []);
        Assert.Empty(total.Dimensions);
        Assert.Equal(values.Where(v => !double.IsNaN(v)).Sum(), total.Values.Single(), 1e-3);

        var unknown = await Assert.ThrowsAsync<ZarrSelectionException>(() => dataset["precip"].ReduceAsync(DatasetReduction.Mean, ["depth"]));
        Assert.Contains("'depth'", unknown.Message, StringComparison.Ordinal);
    }

    /// <summary>A memory store that records every key read.</summary>
    private sealed class ReadRecorder : IStore
    {
        private readonly MemoryStore _inner = new();

        public ConcurrentQueue<string> Reads { get; } = new();

        public bool IsReadOnly => false;

        public ValueTask<PooledBuffer?> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
        {
            Reads.Enqueue(key);
            return _inner.GetAsync(key, range, cancellationToken);
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
