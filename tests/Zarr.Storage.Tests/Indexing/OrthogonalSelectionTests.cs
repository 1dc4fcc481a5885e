using static Zarr.Storage.Tests.Indexing.IndexingTestSupport;

namespace Zarr.Storage.Tests.Indexing;

public class OrthogonalSelectionTests
{
    // One random per-dimension selection and what numpy would take: the indices in output order, and whether the dimension is dropped.
    private static (OrthogonalIndex Index, long[] Taken, bool Dropped) RandomIndex(Random rng, long length)
    {
        switch (rng.Next(5))
        {
            case 0:
            {
                var start = rng.Next(0, (int)length);
                var stop = rng.Next(start, (int)length + 3);
                var step = rng.Next(1, 4);
                var taken = new List<long>();
                for (long i = start; i < Math.Min(stop, length); i += step)
                {
                    taken.Add(i);
                }

                return (Slice.Range(start, stop, step), [.. taken], false);
            }

            case 1:
            {
                var i = rng.Next(0, (int)length);
                var negative = rng.Next(2) == 0;
                return (negative ? (long)(i - length) : i, [i], true);
            }

            case 2:
            case 3:
            {
                // Any order, duplicates, negative indices.
                var n = rng.Next(0, (int)length + 4);
                var raw = new long[n];
                var taken = new long[n];
                for (var k = 0; k < n; k++)
                {
                    taken[k] = rng.Next(0, (int)length);
                    raw[k] = rng.Next(3) == 0 ? taken[k] - length : taken[k];
                }

                return (raw, taken, false);
            }

            default:
            {
                var mode = rng.Next(4);
                var mask = Enumerable.Range(0, (int)length).Select(_ => mode switch { 0 => false, 1 => true, _ => rng.Next(2) == 0 }).ToArray();
                return (mask, [.. Enumerable.Range(0, (int)length).Where(i => mask[i]).Select(i => (long)i)], false);
            }
        }
    }

    [Fact]
    public async Task Random_orthogonal_reads_and_writes_match_a_plain_computation()
    {
        var rng = new Random(20240611);
        for (var trial = 0; trial < 120; trial++)
        {
            var (z, reference) = await RandomArrayAsync(rng, trial);
            var shape = reference.Shape;
            var picks = shape.Select(s => RandomIndex(rng, s)).ToArray();
            var selection = picks.Select(p => p.Index).ToArray();
            var offsets = Product(reference, [.. picks.Select(p => p.Taken)]);
            var expectedShape = picks.Where(p => !p.Dropped).Select(p => (long)p.Taken.Length).ToArray();

            var got = await z.Oindex[selection];
            Assert.Equal(offsets.Select(o => reference.Values[o]), Flat(got));
            if (expectedShape.Length > 0)
            {
                Assert.Equal(expectedShape, Lengths(got));
            }

            Assert.Equal(expectedShape, z.Oindex[selection].Shape);

            // A write: a repeated position keeps the last value written to it, as numpy.
            var values = offsets.Select((_, i) => -1000L - i).ToArray();
            await z.Oindex[selection].WriteAsync(values);
            for (var i = 0; i < offsets.Count; i++)
            {
                reference.Values[offsets[i]] = values[i];
            }

            Assert.Equal(reference.Values, Flat(await z[..]));

            // A fill, through the method form.
            await z.Orthogonal(selection).FillAsync(trial);
            foreach (var o in offsets)
            {
                reference.Values[o] = trial;
            }

            Assert.Equal(reference.Values, Flat(await z[..]));
        }
    }

    [Fact]
    public async Task Lists_masks_and_slices_combine_like_np_ix()
    {
        var z = await ZarrArray.CreateAsync<int>(new MemoryStore(), "", [7, 9], new ArrayOptions { Chunks = [3, 4] });
        await z[..].WriteAsync(Enumerable.Range(0, 63).ToArray());

        var t = await z.Oindex[new[] { 6, 0, 0, -2 }, new[] { true, false, false, false, false, false, false, false, true }];
        Assert.Equal([4L, 2], Lengths(t));
        Assert.Equal([54, 62, 0, 8, 0, 8, 45, 53], Flat(t));

        var column = await z.Oindex[(..).WithStep(3), 4];
        Assert.Equal([4, 31, 58], Flat(column));

        var empty = await z.Oindex[Array.Empty<int>(), ..];
        Assert.Equal([0L, 9], Lengths(empty));

        var none = await z.Oindex[new bool[7], 1..3];
        Assert.Empty(Flat(none));

        var all = await z.Oindex[Enumerable.Repeat(true, 7).ToArray(), new long[] { 8 }];
        Assert.Equal(Enumerable.Range(0, 7).Select(r => (r * 9) + 8), Flat(all));

        // Missing trailing dimensions are whole; a default index is the whole dimension.
        Assert.Equal(Enumerable.Range(18, 9), Flat(await z.Oindex[new[] { 2 }]));
        Assert.Equal(Enumerable.Range(0, 63), Flat(await z.Oindex[default(OrthogonalIndex), default(OrthogonalIndex)]));
    }

    [Fact]
    public async Task Writes_with_duplicates_keep_the_last_value()
    {
        var z = await ZarrArray.CreateAsync<short>(new MemoryStore(), "", [10], new ArrayOptions { Chunks = [3] });
        await z.Oindex[new[] { 4, 1, 4, -6 }].WriteAsync(new short[] { 1, 2, 3, 5 });
        Assert.Equal(new short[] { 0, 2, 0, 0, 5, 0, 0, 0, 0, 0 }, Flat(await z[..]));

        var oneSized = await ZarrArray.CreateAsync<byte>(new MemoryStore(), "", [4, 5], new ArrayOptions { Chunks = [3, 2] });
        await oneSized.Oindex[new[] { 3, 0 }, new[] { false, true, false, true, true }].WriteAsync(new byte[] { 1, 2, 3, 4, 5, 6 });
        Assert.Equal(new byte[] { 0, 4, 0, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 3 }, Flat(await oneSized[..]));
    }

    [Fact]
    public async Task Errors_name_the_dimension_and_its_bounds()
    {
        var z = await ZarrArray.CreateAsync<int>(new MemoryStore(), "", [25, 13], new ArrayOptions { Chunks = [10, 5] });
        var outOfBounds = await Assert.ThrowsAsync<ZarrSelectionException>(() => z.Oindex[new[] { 3, 25 }, ..].ReadAsync());
        Assert.Contains("index 25", outOfBounds.Message);
        Assert.Contains("dimension 0 of length 25", outOfBounds.Message);
        Assert.Contains("-25 to 24", outOfBounds.Message);

        var negative = await Assert.ThrowsAsync<ZarrSelectionException>(() => z.Oindex[.., new long[] { -14 }].ReadAsync());
        Assert.Contains("dimension 1 of length 13", negative.Message);

        var mask = await Assert.ThrowsAsync<ZarrSelectionException>(() => z.Oindex[new bool[24]].ReadAsync());
        Assert.Contains("dimension 0", mask.Message);
        Assert.Contains("length 24", mask.Message);
        Assert.Contains("length 25", mask.Message);

        var tooMany = await Assert.ThrowsAsync<ZarrSelectionException>(() => z.Oindex[1, 2, 3].ReadAsync());
        Assert.Contains("3 dimensions", tooMany.Message);

        var wrongData = await Assert.ThrowsAsync<ZarrSelectionException>(() => z.Oindex[new[] { 1, 2 }, 0..3].WriteAsync(new int[5]));
        Assert.Contains("6", wrongData.Message);

        var wrongDestination = await Assert.ThrowsAsync<ZarrSelectionException>(() => z.Oindex[new[] { 1, 2 }].ReadIntoAsync(new int[3]));
        Assert.Contains("26", wrongDestination.Message);
    }

    [Fact]
    public async Task The_indices_are_copied_when_the_selection_is_made()
    {
        var z = await ZarrArray.CreateAsync<int>(new MemoryStore(), "", [5], new ArrayOptions { Chunks = [2] });
        await z[..].WriteAsync([10, 11, 12, 13, 14]);
        var rows = new[] { 1, 3 };
        var selection = z.Oindex[rows];
        rows[0] = 4;
        Assert.Equal(new[] { 11, 13 }, Flat(await selection));
    }

    [Fact]
    public async Task Reading_a_read_only_array_works_and_writing_it_is_refused()
    {
        var store = new MemoryStore();
        var w = await ZarrArray.CreateAsync<int>(store, "x", [6], new ArrayOptions { Chunks = [4] });
        await w[..].WriteAsync([1, 2, 3, 4, 5, 6]);
        var r = await ZarrArray.OpenAsync<int>(store, "x");
        Assert.Equal(new[] { 6, 1 }, Flat(await r.Oindex[new[] { 5, 0 }]));
        await Assert.ThrowsAsync<ZarrException>(() => r.Oindex[new[] { 5, 0 }].FillAsync(0));
    }
}
