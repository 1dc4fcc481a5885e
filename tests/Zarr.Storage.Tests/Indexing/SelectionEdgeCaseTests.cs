using System.Numerics;
using static Zarr.Storage.Tests.Indexing.IndexingTestSupport;

namespace Zarr.Storage.Tests.Indexing;

public class SelectionEdgeCaseTests
{
    [Fact]
    public async Task A_zero_dimensional_array_has_one_orthogonal_and_one_block_selection()
    {
        var z = await ZarrArray.FullAsync<int>(new MemoryStore(), "", [], 5);
        Assert.Equal(new[] { 5 }, Flat(await z.Oindex[[]]));
        Assert.Empty(z.Oindex[[]].Shape);
        await z.Blocks[[]].FillAsync(9);
        Assert.Equal(new[] { 9 }, Flat(await z[..]));
        await Assert.ThrowsAsync<ZarrSelectionException>(() => z.Points(Array.Empty<long[]>()).ReadAsync());
        var m = await ZarrArray.CreateAsync<int>(new MemoryStore(), "", [3, 3]);
        await m[..].WriteAsync(Enumerable.Range(0, 9).ToArray());
        Assert.Equal(new[] { 5, 1 }, Flat(await m.Vindex[[1, 0], [2, 1]]));
        Assert.Equal(new[] { 3, 5 }, Flat(await m.Oindex[1, new[] { 0, 2 }]));
    }

    [Fact]
    public async Task Fortran_order_and_sixteen_byte_elements_gather_and_scatter()
    {
        var z = await ZarrArray.CreateAsync<Complex>(new MemoryStore(), "", [9, 7], new ArrayOptions { Chunks = [4, 3], Order = 'F' });
        var values = Enumerable.Range(0, 63).Select(i => new Complex(i, -i)).ToArray();
        await z[..].WriteAsync(values);
        Assert.Equal(new[] { values[(8 * 7) + 6], values[2], values[(4 * 7) + 3] }, Flat(await z.Vindex[new[] { -1, 0, 4 }, new[] { -1, 2, 3 }]));
        Assert.Equal(new[] { values[(5 * 7) + 1], values[(5 * 7) + 6], values[1], values[6] }, Flat(await z.Oindex[new[] { 5, 0 }, new[] { 1, 6 }]));
        await z.Oindex[new[] { 5, 0 }, new[] { 1, 6 }].FillAsync(Complex.ImaginaryOne);
        Assert.Equal(Complex.ImaginaryOne, await z.GetValueAsync([0, 6]));
        Assert.Equal(values[7], await z.GetValueAsync([1, 0]));
    }

    [Fact]
    public async Task A_resize_between_calls_is_honoured()
    {
        var z = await ZarrArray.CreateAsync<int>(new MemoryStore(), "", [4], new ArrayOptions { Chunks = [2] });
        var last = z.Oindex[new[] { -1 }];
        await z[..].WriteAsync([1, 2, 3, 4]);
        Assert.Equal(new[] { 4 }, Flat(await last));
        await z.ResizeAsync([3]);
        Assert.Equal(new[] { 3 }, Flat(await last));
    }
}
