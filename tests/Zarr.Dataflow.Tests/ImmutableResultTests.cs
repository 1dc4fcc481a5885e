using System.Collections.Immutable;
using System.Reflection;
using Zarr.Storage;

namespace Zarr.Dataflow.Tests;

/// <summary>What the engine hands out (shapes, statistics) cannot be changed by its caller (issue 21 item 4).</summary>
public sealed class ImmutableResultTests
{
    [Fact]
    public void No_public_property_of_the_engine_returns_an_array()
    {
        // CA1819 as a test: an array-typed property hands out something its caller can change.
        var offending = typeof(Lazy).Assembly.GetExportedTypes()
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Where(p => p.PropertyType.IsArray || Nullable.GetUnderlyingType(p.PropertyType)?.IsArray == true)
                .Select(p => $"{t.FullName}.{p.Name}"))
            .ToList();

        Assert.Empty(offending);
    }

    [Fact]
    public async Task Statistics_and_shapes_are_immutable_views()
    {
        var store = new MemoryStore();
        var array = await Support.ArrayAsync(store, "a", [4, 3], [2, 3], Enumerable.Range(0, 12).Select(i => (double)i).ToArray());
        var lazy = Lazy.From(array);

        // Compile-time: ImmutableArray has no setter, so a caller cannot write into a result it was given.
        ImmutableArray<long> shape = lazy.Shape;
        ImmutableArray<int> chunks = lazy.Chunks;
        var stats = await lazy.StatisticsAsync([0]);
        ImmutableArray<double> mean = stats.Mean;

        Assert.Equal([4L, 3L], shape.ToArray());
        Assert.Equal([2, 3], chunks.ToArray());
        Assert.Equal([3L], stats.Shape.ToArray());
        Assert.Equal([4.5, 5.5, 6.5], mean.ToArray());
    }
}
