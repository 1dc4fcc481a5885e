using System.Numerics.Tensors;
using static Zarr.Storage.Tests.Indexing.IndexingTestSupport;

namespace Zarr.Storage.Tests.Indexing;

public class CoordinateSelectionTests
{
    [Fact]
    public async Task Random_points_read_and_write_like_numpy()
    {
        var rng = new Random(77);
        for (var trial = 0; trial < 120; trial++)
        {
            var (z, reference) = await RandomArrayAsync(rng, trial);
            var shape = reference.Shape;
            var rank = shape.Length;
            var n = rng.Next(0, 40);
            var coordinates = new long[rank][];
            var points = new long[n][];
            for (var i = 0; i < n; i++)
            {
                points[i] = [.. shape.Select(s => (long)rng.Next(0, (int)s))];
            }

            // Repeat some points, and give some indices from the end.
            for (var i = 1; i < n; i += 4)
            {
                points[i] = points[rng.Next(0, i)];
            }

            for (var d = 0; d < rank; d++)
            {
                coordinates[d] = [.. points.Select(p => rng.Next(3) == 0 ? p[d] - shape[d] : p[d])];
            }

            var offsets = points.Select(reference.Offset).ToArray();
            var got = await z.Vindex[coordinates];
            Assert.Equal(offsets.Select(o => reference.Values[o]), Flat(got));
            Assert.Equal([(long)n], z.Vindex[coordinates].Shape.ToArray());

            var values = offsets.Select((_, i) => -100L - i).ToArray();
            await z.Points(coordinates).WriteAsync(values);
            for (var i = 0; i < n; i++)
            {
                reference.Values[offsets[i]] = values[i]; // the last of repeated points wins
            }

            Assert.Equal(reference.Values, Flat(await z[..]));

            await z.Vindex[coordinates].FillAsync(-7);
            foreach (var o in offsets)
            {
                reference.Values[o] = -7;
            }

            Assert.Equal(reference.Values, Flat(await z[..]));
        }
    }

    [Fact]
    public async Task Points_come_back_in_the_order_given()
    {
        var z = await ZarrArray.CreateAsync<int>(new MemoryStore(), "", [25, 13], new ArrayOptions { Chunks = [10, 5] });
        await z[..].WriteAsync(Enumerable.Range(0, 25 * 13).ToArray());
        Assert.Equal(new[] { 13, 25, 315 }, Flat(await z.Vindex[new[] { 1, 1, 24 }, new[] { 0, -1, 3 }]));
        Assert.Equal(new[] { 315, 13, 315 }, Flat(await z.Vindex[new long[] { 24, 1, -1 }, new long[] { 3, 0, 3 }]));
        Assert.Empty(Flat(await z.Vindex[Array.Empty<int>(), Array.Empty<int>()]));
    }

    [Fact]
    public async Task A_point_written_twice_keeps_the_last_value()
    {
        var z = await ZarrArray.CreateAsync<int>(new MemoryStore(), "", [4, 4], new ArrayOptions { Chunks = [2, 2] });
        await z.Vindex[new[] { 2, 0, 2, 2 }, new[] { 0, 3, 0, -4 }].WriteAsync([7, 1, 8, 9]);
        Assert.Equal(9, await z.GetValueAsync([2, 0]));
        Assert.Equal(1, await z.GetValueAsync([0, 3]));
    }

    [Fact]
    public async Task Points_that_cover_a_chunk_write_it_without_reading_it()
    {
        var store = new CountingStore();
        var z = await ZarrArray.CreateAsync<int>(store, "", [4, 3], new ArrayOptions { Chunks = [2, 2] });
        store.Reset();
        // Chunk (1, 1) holds the elements (2..4, 2) inside the array: two points, given three times.
        await z.Vindex[new[] { 2, 3, 2 }, new[] { 2, 2, 2 }].WriteAsync([1, 2, 3]);
        Assert.DoesNotContain(store.Reads, k => k.EndsWith("c/1/1", StringComparison.Ordinal));
        Assert.Equal(new[] { 3, 2 }, Flat(await z[2.., 2]));

        // One point of chunk (0, 0) does not cover it: the chunk is read, changed and written back.
        store.Reset();
        await z.Vindex[new[] { 1 }, new[] { 1 }].WriteAsync([5]);
        Assert.Contains("c/0/0", store.Reads);
    }

    [Fact]
    public async Task Errors_name_the_dimension_and_its_bounds()
    {
        var z = await ZarrArray.CreateAsync<int>(new MemoryStore(), "", [25, 13], new ArrayOptions { Chunks = [10, 5] });
        var bounds = await Assert.ThrowsAsync<ZarrSelectionException>(() => z.Vindex[new[] { 1, 2 }, new[] { 0, 13 }].ReadAsync());
        Assert.Contains("index 13 (point 1)", bounds.Message);
        Assert.Contains("dimension 1 of length 13", bounds.Message);
        Assert.Contains("-13 to 12", bounds.Message);

        var lengths = await Assert.ThrowsAsync<ZarrSelectionException>(() => z.Vindex[new[] { 1, 2 }, new[] { 0, 1, 2 }].ReadAsync());
        Assert.Contains("dimension 0 has 2", lengths.Message);
        Assert.Contains("dimension 1 has 3", lengths.Message);

        var count = await Assert.ThrowsAsync<ZarrSelectionException>(() => z.Vindex[new[] { 1, 2 }].ReadAsync());
        Assert.Contains("one index array per dimension (2)", count.Message);

        var data = await Assert.ThrowsAsync<ZarrSelectionException>(() => z.Vindex[new[] { 1, 2 }, new[] { 0, 1 }].WriteAsync(new int[3]));
        Assert.Contains("3 elements", data.Message);
    }

    [Fact]
    public async Task Random_masks_select_in_C_order()
    {
        var rng = new Random(5);
        for (var trial = 0; trial < 80; trial++)
        {
            var (z, reference) = await RandomArrayAsync(rng, trial);
            var mode = trial % 4;
            var mask = reference.Values.Select(_ => mode switch { 0 => false, 1 => true, _ => rng.Next(3) == 0 }).ToArray();
            var offsets = Enumerable.Range(0, mask.Length).Where(i => mask[i]).ToArray();
            var tensor = Tensor.Create(mask, [.. reference.Shape.Select(s => (nint)s)]);

            Assert.Equal(offsets.Select(o => reference.Values[o]), Flat(await z.Vindex[tensor]));
            Assert.Equal(offsets.Select(o => reference.Values[o]), Flat(await z.Mask(mask)));
            Assert.Equal([(long)offsets.Length], z.Mask(tensor).Shape.ToArray());

            var values = offsets.Select(o => -o - 1L).ToArray();
            await z.Mask(tensor).WriteAsync(values);
            foreach (var o in offsets)
            {
                reference.Values[o] = -o - 1L;
            }

            Assert.Equal(reference.Values, Flat(await z[..]));

            await z.Vindex[mask].FillAsync(3);
            foreach (var o in offsets)
            {
                reference.Values[o] = 3;
            }

            Assert.Equal(reference.Values, Flat(await z[..]));
        }
    }

    [Fact]
    public async Task A_mask_must_have_the_arrays_shape()
    {
        var z = await ZarrArray.CreateAsync<int>(new MemoryStore(), "", [25, 13], new ArrayOptions { Chunks = [10, 5] });
        var shape = await Assert.ThrowsAsync<ZarrSelectionException>(() => z.Vindex[Tensor.Create(new bool[25 * 12], [25, 12])].ReadAsync());
        Assert.Contains("(25, 12)", shape.Message);
        Assert.Contains("(25, 13)", shape.Message);

        var flat = await Assert.ThrowsAsync<ZarrSelectionException>(() => z.Mask(new bool[324]).ReadAsync());
        Assert.Contains("324", flat.Message);
        Assert.Contains("325", flat.Message);
    }
}
