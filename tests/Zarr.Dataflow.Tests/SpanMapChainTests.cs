using System.Numerics.Tensors;
using Zarr.Storage;

namespace Zarr.Dataflow.Tests;

/// <summary>
/// Element-wise span maps over span maps run as one chain, block by block: the results are the same bits as each function
/// applied in turn to the whole chunk (as before chains), for chunks shorter than a block, around one and two blocks and
/// longer, for exact arithmetic and for the vectorised transcendental functions whose short calls round otherwise.
/// </summary>
public sealed class SpanMapChainTests
{
    private const int Block = SpanMapNode<float>.BlockBytes / sizeof(float);

    public static TheoryData<int> ChunkLengths() =>
        [1, 7, 15, 16, 17, Block - 1, Block, Block + 1, Block + 15, (2 * Block) - 1, 2 * Block, (2 * Block) + 3, (3 * Block) + 5, (5 * Block) + 17];

    [Theory]
    [MemberData(nameof(ChunkLengths))]
    public async Task A_chain_gives_the_bits_of_one_function_after_another_over_whole_chunks(int chunk)
    {
        var length = (2 * chunk) + 3; // two whole chunks and an edge chunk
        var data = Enumerable.Range(0, length).Select(i => (float)((i % 977) * 0.0137) - 3.1f).ToArray();
        var x = Lazy.From(await Support.ArrayAsync(new MemoryStore(), "x", [length], [chunk], data));

        var got = await ((x * 1.5f + 0.25f).Exp().Log() - 0.125f).ToArrayAsync();

        // The old evaluation: each function over a whole chunk (the edge chunk as its own span), in turn.
        var want = (float[])data.Clone();
        for (var start = 0; start < length; start += chunk)
        {
            var part = want.AsSpan(start, Math.Min(chunk, length - start));
            TensorPrimitives.Multiply(part, 1.5f, part);
            TensorPrimitives.Add(part, 0.25f, part);
            TensorPrimitives.Exp(part, part);
            TensorPrimitives.Log(part, part);
            TensorPrimitives.Subtract(part, 0.125f, part);
        }

        Assert.Equal(want.Select(BitConverter.SingleToInt32Bits), got.Select(BitConverter.SingleToInt32Bits));
    }

    [Theory]
    [InlineData(1000)]
    [InlineData((3 * SpanMapNode<int>.BlockBytes / sizeof(int)) + 11)]
    public async Task An_integer_chain_stored_is_every_function_in_order(int chunk)
    {
        using var dir = new TempDir();
        var store = new DirectoryStore(dir.Path);
        var length = (4 * chunk) - 5;
        var data = Enumerable.Range(0, length).Select(i => (i * 7919) - 1_000_000).ToArray();
        var x = Lazy.From(await Support.ArrayAsync(store, "x", [length], [chunk], data));
        var target = await Support.ArrayAsync<int>(store, "y", [length], [chunk]);

        await (-((x * 3) + 1) - 5).Abs().StoreAsync(target);

        var got = await Lazy.From(target).ToArrayAsync();
        Assert.Equal(data.Select(v => Math.Abs(-((v * 3) + 1) - 5)), got);
    }

    [Fact]
    public async Task A_chain_over_a_deferred_value_is_bound_whole()
    {
        // Binding rebuilds the chain over the bound operand: the column means subtracted (computed first), then two span maps.
        const int rows = 60, columns = 90;
        var data = Enumerable.Range(0, rows * columns).Select(i => (double)i).ToArray();
        var x = Lazy.From(await Support.ArrayAsync(new MemoryStore(), "x", [rows, columns], [25, 40], data));
        var got = await (((x - x.Mean([0])) * 2) + 1).ToArrayAsync();
        var mean = Enumerable.Range(0, columns).Select(c => Enumerable.Range(0, rows).Average(r => data[(r * columns) + c])).ToArray();
        Assert.Equal(data.Select((v, i) => ((v - mean[i % columns]) * 2) + 1), got);
    }
}
