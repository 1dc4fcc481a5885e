using System.Numerics.Tensors;

namespace Zarr.Storage.Tests.Arrays;

public class SelectionTests
{
    [Fact]
    public async Task Reads_ranges_indices_and_steps_like_numpy()
    {
        var store = new MemoryStore();
        var z = await ZarrArray.CreateAsync<int>(store, "a", [37, 23], new ArrayOptions { Chunks = [10, 8] });
        var values = Enumerable.Range(0, 37 * 23).ToArray();
        await z[..].WriteAsync(values);

        var all = await z[..];
        Assert.Equal([37, 23], all.Lengths.ToArray().Select(x => (long)x));
        Assert.Equal(values, ToArray(all));

        var rows = await z[0..5];
        Assert.Equal(values.Take(5 * 23), ToArray(rows));

        var cols = await z[.., 0..3];
        Assert.Equal(Enumerable.Range(0, 37).SelectMany(r => Enumerable.Range(0, 3).Select(c => (r * 23) + c)), ToArray(cols));

        var row5 = await z[5, ..];
        Assert.Equal(1, row5.Rank);
        Assert.Equal(Enumerable.Range(5 * 23, 23), ToArray(row5));

        var stepped = await z[(..).WithStep(3), 2];
        Assert.Equal(Enumerable.Range(0, 37).Where(r => r % 3 == 0).Select(r => (r * 23) + 2), ToArray(stepped));

        var fromEnd = await z[^2.., ^1];
        Assert.Equal(new[] { (35 * 23) + 22, (36 * 23) + 22 }, ToArray(fromEnd));

        var negative = await z[Slice.At(-1), Slice.Range(-3, null)];
        Assert.Equal(new[] { (36 * 23) + 20, (36 * 23) + 21, (36 * 23) + 22 }, ToArray(negative));

        // Clamped like numpy: a range past the end is cut, an empty range reads nothing.
        Assert.Equal(values.Skip(35 * 23), ToArray(await z[35..100]));
        Assert.Empty(ToArray(await z[20..10]));
    }

    [Fact]
    public async Task Random_selections_match_a_plain_computation()
    {
        var rng = new Random(1234);
        for (var trial = 0; trial < 60; trial++)
        {
            var rank = rng.Next(1, 4);
            var shape = Enumerable.Range(0, rank).Select(_ => (long)rng.Next(1, 30)).ToArray();
            var chunks = shape.Select(s => rng.Next(1, (int)s + 5)).ToArray();
            var store = new MemoryStore();
            var z = await ZarrArray.CreateAsync<long>(store, "", shape, new ArrayOptions { Chunks = [.. chunks], Format = trial % 2 == 0 ? ZarrFormat.V3 : ZarrFormat.V2 });
            var reference = new Reference<long>(shape);
            for (var i = 0; i < reference.Values.Length; i++)
            {
                reference.Values[i] = i * 7;
            }

            await z.WriteAsync([], reference.Values);

            // A random strided read.
            var sel = shape.Select(s =>
            {
                var start = rng.Next(0, (int)s);
                var stop = rng.Next(start, (int)s + 3);
                return (Start: (long)start, Stop: Math.Min(stop, s), Step: (long)rng.Next(1, 5));
            }).ToArray();
            var slices = sel.Select(s => Slice.Range(s.Start, s.Stop, s.Step)).ToArray();
            var got = await z.ReadAsync(slices);
            var expected = Reference<long>.Indices(shape, sel).Select(ix => reference.Values[reference.Offset(ix)]).ToArray();
            Assert.Equal(expected, ToArray(got));

            // A random strided write, then the whole array.
            var wsel = shape.Select(s =>
            {
                var start = rng.Next(0, (int)s);
                return (Start: (long)start, Stop: (long)rng.Next(start + 1, (int)s + 1), Step: (long)rng.Next(1, 4));
            }).ToArray();
            var targets = Reference<long>.Indices(shape, wsel).ToArray();
            var newValues = targets.Select((_, i) => -1L - i).ToArray();
            await z.WriteAsync([.. wsel.Select(s => Slice.Range(s.Start, s.Stop, s.Step))], newValues);
            for (var i = 0; i < targets.Length; i++)
            {
                reference.Values[reference.Offset(targets[i])] = newValues[i];
            }

            Assert.Equal(reference.Values, ToArray(await z[..]));
        }
    }

    [Fact]
    public async Task Out_of_bounds_index_names_dimension_and_bounds()
    {
        var z = await ZarrArray.CreateAsync<int>(new MemoryStore(), "", [10, 20], new ArrayOptions { Chunks = [5, 5] });
        var e = await Assert.ThrowsAsync<ZarrSelectionException>(() => z[3, 20].ReadAsync());
        Assert.Contains("dimension 1", e.Message);
        Assert.Contains("length 20", e.Message);
        var tooMany = await Assert.ThrowsAsync<ZarrSelectionException>(() => z[1, 2, 3].ReadAsync());
        Assert.Contains("3 dimensions", tooMany.Message);
        Assert.Throws<ZarrSelectionException>(() => Slice.Range(0, 10, 0));
        var wrongLength = await Assert.ThrowsAsync<ZarrSelectionException>(() => z[0..2].WriteAsync(new int[5]));
        Assert.Contains("40", wrongLength.Message);
    }

    [Fact]
    public async Task Step_larger_than_chunk_touches_only_the_chunks_it_needs()
    {
        var z = await ZarrArray.CreateAsync<short>(new MemoryStore(), "", [1000], new ArrayOptions { Chunks = [3] });
        await z[..].WriteAsync(Enumerable.Range(0, 1000).Select(i => (short)i).ToArray());
        Assert.Equal(Enumerable.Range(0, 1000).Where(i => i % 97 == 5).Select(i => (short)i), ToArray(await z[Slice.Range(5, null, 97)]));
    }

    [Fact]
    public async Task Read_into_caller_memory_and_write_tensors_and_scalars()
    {
        var z = await ZarrArray.CreateAsync<double>(new MemoryStore(), "", [6, 7], new ArrayOptions { Chunks = [4, 4] });
        var t = Tensor.Create(Enumerable.Range(0, 12).Select(i => (double)i).ToArray(), [3, 4]);
        await z[1..4, 2..6].WriteAsync(t);
        await z[0, ..].FillAsync(-1.5);
        var span = new ReadOnlyTensorSpan<double>(new double[] { 9, 8 }, [2]);
        await z[5, 0..2].WriteAsync(span);

        var buffer = new double[6 * 7];
        await z[..].ReadIntoAsync(buffer);
        Assert.All(buffer.Take(7), v => Assert.Equal(-1.5, v));
        Assert.Equal(0, buffer[(1 * 7) + 2]);
        Assert.Equal(11, buffer[(3 * 7) + 5]);
        Assert.Equal(new double[] { 9, 8 }, buffer.Skip(5 * 7).Take(2));
        Assert.Equal(0, buffer[(4 * 7) + 6]);
    }

    internal static T[] ToArray<T>(Tensor<T> t)
    {
        var a = new T[t.FlattenedLength];
        t.FlattenTo(a);
        return a;
    }
}
