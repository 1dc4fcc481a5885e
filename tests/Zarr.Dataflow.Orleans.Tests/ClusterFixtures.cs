using Zarr.Storage;

namespace Zarr.Dataflow.Orleans.Tests;

/// <summary>A temporary folder, deleted with everything in it.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "zarr-cluster-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A worker process may still hold a file for a moment; the temp folder is cleaned by the system then.
        }
    }
}

/// <summary>The arrays the cluster tests compute over, and byte-exact comparisons of results.</summary>
internal static class ClusterData
{
    /// <summary>A float64 array of <paramref name="shape"/> with NaNs here and there, seeded.</summary>
    public static async Task<ZarrArray<double>> CreateAsync(string folder, string path, long[] shape, int[] chunks, int seed)
    {
        var store = new DirectoryStore(folder);
        var array = await ZarrArray.CreateAsync<double>(store, path, shape, new ArrayOptions { Chunks = [.. chunks] });
        var random = new Random(seed);
        var size = shape.Aggregate(1L, (a, b) => a * b);
        var data = new double[size];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = random.Next(50) == 0 ? double.NaN : (random.NextDouble() * 1000) - 300;
        }

        await array.WriteAsync([.. shape.Select(_ => Slice.All)], data);
        return array;
    }

    /// <summary>Every file under <paramref name="folder"/>, by relative path, with its bytes.</summary>
    public static SortedDictionary<string, byte[]> Files(string folder) =>
        new(Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(folder, f), File.ReadAllBytes), StringComparer.Ordinal);

    /// <summary>Asserts the folders hold the same files, byte for byte (a cluster's copy against the local engine's).</summary>
    public static void AssertSameFiles(string expectedFolder, string actualFolder)
    {
        var expected = Files(expectedFolder);
        var actual = Files(actualFolder);
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (key, bytes) in expected)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(actual[key]), key);
        }
    }

    /// <summary>Asserts two statistics are the same bit for bit (NaNs included).</summary>
    public static void AssertSameBits(ArrayStatistics<double> expected, ArrayStatistics<double> actual)
    {
        Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
        Assert.Equal(expected.Count.ToArray(), actual.Count.ToArray());
        Assert.Equal(expected.NaNCount.ToArray(), actual.NaNCount.ToArray());
        Assert.Equal(Bits(expected.Sum), Bits(actual.Sum));
        Assert.Equal(Bits(expected.Mean), Bits(actual.Mean));
        Assert.Equal(Bits(expected.M2), Bits(actual.M2));
        Assert.Equal(Bits(expected.Min), Bits(actual.Min));
        Assert.Equal(Bits(expected.Max), Bits(actual.Max));
    }

    private static long[] Bits(IEnumerable<double> values) => [.. values.Select(BitConverter.DoubleToInt64Bits)];
}
