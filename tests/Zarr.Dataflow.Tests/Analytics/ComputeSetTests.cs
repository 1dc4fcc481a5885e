using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Zarr.Storage;
using Zarr.Storage.Buffers;
using Zarr.Storage.Codecs;
using Zarr.Tests.Shared;

namespace Zarr.Dataflow.Tests.Analytics;

/// <summary>Several results of one input in one pass (<see cref="ComputeSet{T}"/>): each chunk decoded once, every result as computed alone and as numpy's.</summary>
public sealed class ComputeSetTests
{
    private static readonly long[] Shape = [7, 5, 4];
    private static readonly double[] Edges = [-50, -20, 0, 10, 50];

    public static TheoryData<int[]> ChunkGrids => new([3, 2, 4], [7, 5, 4], [2, 5, 1]);

    [Theory]
    [MemberData(nameof(ChunkGrids))]
    public async Task EachChunkIsDecodedOnceForEveryResult(int[] chunks)
    {
        var data = NumpyPeer.Data(140, 21, 0.1);
        var expected = await NumpyPeer.RunAsync(
            "results = [np.nanmean(x), np.nanstd(x), np.nanmin(x), np.nanmax(x), np.nanmean(x, axis=0), np.nanstd(x, axis=(1, 2), ddof=1), x * 2]",
            new NumpyInput("x", data, Shape));
        var counter = new DecodeCounter();
        var metadata = TestMetadata.Create([.. Shape], [.. chunks], ZarrDataType.Float32) with { Codecs = [new BytesCodec(Endian.Little), counter] };
        var store = new MemoryStore();
        var stored = (await ZarrArray.CreateFromMetadataAsync(store, "x", metadata)).As<float>();
        await stored.WriteAsync([], data.Select(v => (float)v).ToArray());
        var chunkCount = stored.Grid.ChunkCount;

        foreach (var options in Support.OptionCombinations())
        {
            var doubled = await ZarrArray.CreateAsync<float>(store, "doubled", Shape, new ArrayOptions { Chunks = [.. chunks] }, overwrite: true);
            var set = new ComputeSet<float>(Lazy.From(stored));
            var mean = set.Add(x => x.NanMean(null));
            var std = set.Add(x => x.NanStd(null));
            var min = set.Add(x => x.NanMin(null));
            var max = set.Add(x => x.NanMax(null));
            var histogram = set.Add(x => x.Histogram(Edges, null));
            var meanOverTime = set.Add(x => x.NanMean([0]));
            var stdPerStep = set.Add(x => x.NanStd([1, 2], ddof: 1));
            set.Store(x => x * 2f, doubled);

            counter.Reset();
            var report = await set.ComputeAsync(options);
            Assert.Equal(chunkCount, counter.Decodes);
            Assert.Equal(chunkCount, report.Chunks);

            NumpyPeer.AssertClose(expected[0], [mean.Values[0]], "nanmean", 1e-6);
            NumpyPeer.AssertClose(expected[1], [std.Values[0]], "nanstd", 1e-6);
            NumpyPeer.AssertClose(expected[2], [min.Values[0]], "nanmin", 1e-6);
            NumpyPeer.AssertClose(expected[3], [max.Values[0]], "nanmax", 1e-6);
            NumpyPeer.AssertClose(expected[4], meanOverTime.Values, "nanmean over axis 0", 1e-6);
            NumpyPeer.AssertClose(expected[5], stdPerStep.Values, "nanstd over axes 1, 2", 1e-6);
            NumpyPeer.AssertClose(expected[6], [.. (await Support.ReadAllAsync(doubled)).Select(v => (double)v)], "x * 2 stored", 1e-6);

            // The same bits as each reduction computed on its own (the same trees of partials).
            var x = Lazy.From(stored);
            Assert.Equal(await x.NanMeanAsync(), mean.Values[0]);
            Assert.Equal(await x.NanStdAsync(), std.Values[0]);
            Assert.Equal(await x.HistogramAsync(Edges), histogram.Values.ToArray());
            Assert.Equal(await x.NanMean([0]).ToArrayAsync(), meanOverTime.Values.ToArray());
            Assert.Equal([4L], histogram.Shape.ToArray());
        }
    }

    [Fact]
    public async Task MembersAreElementWiseExpressionsOfTheInput()
    {
        var data = NumpyPeer.Data(140, 22, 0);
        var expected = await NumpyPeer.RunAsync("results = [(x * x).sum(), np.abs(x).max(axis=2), (x > 10).sum()]", new NumpyInput("x", data, Shape));
        var stored = await Support.ArrayAsync(new MemoryStore(), "x", Shape, [3, 2, 3], data);
        var set = new ComputeSet<double>(Lazy.From(stored));
        var squares = set.Add(x => (x * x).Sum(null));
        var largest = set.Add(x => x.Abs().Max([2]));
        var above = set.Add(x => x.GreaterThan(10).Cast<int>().Sum(null));
        await set.ComputeAsync(Support.OptionCombinations().Last());
        NumpyPeer.AssertClose(expected[0], [squares.Values[0]], "sum of squares");
        NumpyPeer.AssertClose(expected[1], largest.Values, "max |x| over axis 2");
        NumpyPeer.AssertClose(expected[2], [above.Values[0]], "count above 10");
    }

    [Fact]
    public async Task MembersThatReadPastTheChunkAreRefused()
    {
        var stored = await Support.ArrayAsync(new MemoryStore(), "x", Shape, [3, 2, 3], NumpyPeer.Data(140, 23, 0));
        var wrongShape = await ZarrArray.CreateAsync<double>(new MemoryStore(), "t", [7, 5], new ArrayOptions { Chunks = [7, 5] });
        var set = new ComputeSet<double>(Lazy.From(stored));
        Assert.Throws<ArgumentException>(() => set.Add(x => x.Rechunk([7, 5, 4]).Sum(null)));
        Assert.Throws<ArgumentException>(() => set.Store(x => x, wrongShape));
        await Assert.ThrowsAsync<InvalidOperationException>(() => set.ComputeAsync());
        var result = set.Add(x => x.Sum(null));
        Assert.False(result.IsComputed);
        Assert.Throws<InvalidOperationException>(() => result.Values.Length);
    }

    /// <summary>A copying codec that counts its decodes: the proof that a chunk is decoded once.</summary>
    private sealed class DecodeCounter : IBytesToBytesCodec
    {
        private int _decodes;

        public string Name => "counting";

        public int Decodes => Volatile.Read(ref _decodes);

        public void Reset() => Volatile.Write(ref _decodes, 0);

        public JsonObject ToV3Json() => new() { ["name"] = Name };

        public PooledBuffer Encode(ReadOnlySpan<byte> decoded) => PooledBuffer.CopyOf(decoded);

        public PooledBuffer Decode(ReadOnlySpan<byte> encoded, int expectedLength)
        {
            Interlocked.Increment(ref _decodes);
            return PooledBuffer.CopyOf(encoded);
        }
    }
}
