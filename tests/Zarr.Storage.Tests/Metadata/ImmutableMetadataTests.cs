using System.Collections.Immutable;
using System.Reflection;
using Zarr.Storage.Buffers;
using Zarr.Storage.Codecs;
using Zarr.Tests.Shared;

namespace Zarr.Storage.Tests.Metadata;

/// <summary>
/// What an array hands out cannot change under it (issue 21 item 4): metadata, chunk grids and chunk specs are
/// immutable in fact, specs compare by value, and a buffer's length is fixed for whoever receives it.
/// </summary>
public sealed class ImmutableMetadataTests
{
    [Fact]
    public async Task What_an_array_hands_out_is_an_immutable_view_of_its_metadata()
    {
        var array = await ZarrArray.CreateAsync<int>(new MemoryStore(), "a", [10, 6], new ArrayOptions { Chunks = [4, 3] });

        // Compile-time: the views are ImmutableArray, which has no setter, so `array.Metadata.Shape[0] = 0` does not build.
        ImmutableArray<long> shape = array.Metadata.Shape;
        ImmutableArray<int> chunkShape = array.Metadata.ChunkShape;
        ImmutableArray<byte> fill = array.Metadata.FillValue;
        ImmutableArray<long> gridShape = array.Grid.Shape;

        Assert.Equal([10L, 6L], shape.ToArray());
        Assert.Equal([4, 3], chunkShape.ToArray());
        Assert.Equal(new byte[4], fill.ToArray());
        Assert.Equal([10L, 6L], gridShape.ToArray());
        Assert.Equal([3L, 2L], array.Grid.GridShape.ToArray());
        Assert.Equal(6, array.Grid.ChunkCount);
        Assert.True(shape == array.Shape, "the array hands out its metadata's shape itself, not a copy");
    }

    [Fact]
    public void A_chunk_grid_keeps_its_own_copy_of_the_shapes_it_is_given()
    {
        long[] shape = [10, 6];
        int[] chunks = [4, 3];
        var grid = new ChunkGrid(shape, chunks);

        shape[0] = 0;
        chunks[1] = 1;

        Assert.Equal([10L, 6L], grid.Shape.ToArray());
        Assert.Equal([4, 3], grid.ChunkShape.ToArray());
        Assert.Equal(6, grid.ChunkCount);
        Assert.True(grid.Contains([2, 1]));
    }

    [Fact]
    public void Chunk_specs_are_equal_by_value_not_by_reference()
    {
        var a = new ChunkSpec([2, 3], ZarrDataType.Int32, [0, 0, 0, 0]);
        var b = new ChunkSpec(ImmutableArray.Create(2, 3), ZarrDataType.Int32, ImmutableArray.Create(new byte[4]));

        Assert.Equal(a, b);
        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, b with { Shape = [3, 2] });
        Assert.NotEqual(a, b with { FillValue = [1, 0, 0, 0] });
        Assert.NotEqual(a, b with { DataType = ZarrDataType.Float32 });
        Assert.NotEqual(a, b with { MaxDegreeOfParallelism = 1 });
        Assert.Equal(default, default(ChunkSpec));
    }

    [Fact]
    public void A_spec_from_metadata_equals_one_built_from_copies_of_its_parts()
    {
        var metadata = TestMetadata.Create([100], [10]);

        Assert.Equal(new ChunkSpec([.. metadata.ChunkShape], metadata.DataType, [.. metadata.FillValue]), metadata.ChunkSpec);
    }

    [Fact]
    public void Metadata_refuses_a_default_immutable_array_where_it_is_set()
    {
        var metadata = TestMetadata.Create([100], [10]);

        Assert.Equal("Shape", Assert.Throws<ArgumentException>(() => metadata with { Shape = default }).ParamName);
        Assert.Equal("ChunkShape", Assert.Throws<ArgumentException>(() => metadata with { ChunkShape = default }).ParamName);
        Assert.Equal("FillValue", Assert.Throws<ArgumentException>(() => metadata with { FillValue = default }).ParamName);
        Assert.Throws<ArgumentException>(() => new ChunkGrid(default(ImmutableArray<long>), [1]));
    }

    [Fact]
    public void A_pooled_buffer_offers_no_public_way_to_change_its_length_or_reach_its_array()
    {
        var members = typeof(PooledBuffer).GetMembers(BindingFlags.Public | BindingFlags.Instance).Select(m => m.Name).ToHashSet();

        Assert.DoesNotContain("SetLength", members);
        Assert.DoesNotContain("Array", members);
        using var buffer = PooledBuffer.Rent(10);
        Assert.Equal(10, buffer.Length);
        Assert.Equal(10, buffer.Memory.Length);
    }

    [Fact]
    public void No_public_property_of_the_library_returns_an_array()
    {
        // CA1819 as a test: an array-typed property hands out something its caller can change.
        var offending = typeof(ZarrArray).Assembly.GetExportedTypes()
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Where(p => p.PropertyType.IsArray || Nullable.GetUnderlyingType(p.PropertyType)?.IsArray == true)
                .Select(p => $"{t.FullName}.{p.Name}"))
            .ToList();

        Assert.Empty(offending);
    }
}
