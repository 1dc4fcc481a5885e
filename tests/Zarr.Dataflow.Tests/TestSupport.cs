namespace Zarr.Dataflow.Tests;

/// <summary>A temporary folder, deleted on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "zarr-dataflow-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Shared helpers: random data of any numeric type, arrays in real stores, the option combinations.</summary>
public static class Support
{
    public static T[] RandomData<T>(long count, int seed) where T : unmanaged, System.Numerics.INumber<T>
    {
        var rng = new Random(seed);
        var data = new T[count];
        var isFloat = typeof(T) == typeof(float) || typeof(T) == typeof(double) || typeof(T) == typeof(Half);
        var signed = T.IsNegative(T.Zero - T.One);
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = isFloat ? T.CreateTruncating(Math.Round((rng.NextDouble() * 100) - 50, 2))
                : signed ? T.CreateTruncating(rng.Next(-50, 50))
                : T.CreateTruncating(rng.Next(0, 100));
        }

        return data;
    }

    public static async Task<Zarr.Storage.ZarrArray<T>> ArrayAsync<T>(Zarr.Storage.IStore store, string path, long[] shape, int[] chunks, T[]? data = null)
        where T : unmanaged
    {
        var array = await Zarr.Storage.ZarrArray.CreateAsync<T>(store, path, shape, new Zarr.Storage.ArrayOptions { Chunks = [.. chunks] });
        if (data is not null)
        {
            await array.WriteAsync([], data);
        }

        return array;
    }

    public static async Task<T[]> ReadAllAsync<T>(Zarr.Storage.ZarrArray<T> array) where T : unmanaged
    {
        var result = new T[array.Size];
        await array.ReadIntoAsync([], result);
        return result;
    }

    /// <summary>Parallelism 1 and many, capacity 1 and many, CPU steps fused into one stage and each in its own.</summary>
    public static IEnumerable<Zarr.Dataflow.PipelineOptions> OptionCombinations()
    {
        yield return Zarr.Dataflow.PipelineOptions.Uniform(1, 1);
        var separate = Zarr.Dataflow.PipelineOptions.Uniform(1, 8);
        separate.FuseStages = false;
        yield return separate;
        yield return Zarr.Dataflow.PipelineOptions.Uniform(4, 1);
        yield return new Zarr.Dataflow.PipelineOptions { FanIn = 2, FuseStages = false };
    }

    /// <summary>(shape, chunks) pairs: edge chunks, single chunk, 1-D, 3-D.</summary>
    public static IEnumerable<(long[] Shape, int[] Chunks)> Grids()
    {
        yield return ([7, 5], [3, 2]);
        yield return ([6, 6], [6, 6]);
        yield return ([10], [4]);
        yield return ([4, 5, 6], [3, 2, 4]);
        yield return ([5, 9], [8, 4]);
    }

    /// <summary>The grid at <paramref name="index"/> of <see cref="Grids"/>.</summary>
    public static (long[] Shape, int[] Chunks) Grid(int index) => Grids().ElementAt(index);

    /// <summary>Each index of <see cref="Grids"/>: one theory row per grid, so one grid's failure does not hide the others'.</summary>
    public static TheoryData<int> EachGrid()
    {
        var data = new TheoryData<int>();
        for (var g = 0; g < Grids().Count(); g++)
        {
            data.Add(g);
        }

        return data;
    }

    /// <summary>Each element type (by name) with each index of <see cref="Grids"/>.</summary>
    public static TheoryData<string, int> TypesAndGrids(params string[] types)
    {
        var data = new TheoryData<string, int>();
        foreach (var type in types)
        {
            for (var g = 0; g < Grids().Count(); g++)
            {
                data.Add(type, g);
            }
        }

        return data;
    }

    public static string Show(long[] a) => string.Join(",", a);
}

public sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
