using System.Runtime.InteropServices;

namespace Zarr.Storage.Tests.Indexing;

public sealed class StreamingCopyTests
{
    [Fact]
    public void Streaming_copies_equal_ordinary_ones_at_every_alignment_and_length()
    {
        var random = new Random(5);
        var source = new byte[(3 * 33_333) + 64];
        random.NextBytes(source);
        foreach (var length in new[] { 1, 31, 63, 64, 65, 127, 128, 129, 191, 255, 256, 257, 300, 4096, 4097, 33_333 })
        {
            // Every destination shift of 0 to 63 bytes, so every place in a cache line is met whatever the arrays' own.
            for (var srcShift = 0; srcShift < 32; srcShift += 5)
            {
                for (var dstShift = 0; dstShift < 64; dstShift++)
                {
                    // Three rows of `length` bytes, 2 * length apart in the destination (a strided block).
                    var expected = new byte[(6 * length) + 128];
                    var actual = new byte[(6 * length) + 128];
                    Span<nint> srcSteps = [length, 1];
                    Span<nint> dstSteps = [2 * length, 1];
                    Span<long> counts = [3, length];
                    StridedCopy.Copy(ref source[srcShift], 0, srcSteps, ref expected[dstShift], 0, dstSteps, counts, 1);
                    StridedCopy.Copy(ref source[srcShift], 0, srcSteps, ref actual[dstShift], 0, dstSteps, counts, 1, streaming: true);
                    Assert.True(expected.AsSpan().SequenceEqual(actual), $"length {length}, shifts {srcShift}/{dstShift}");
                }
            }
        }
    }

    [Fact]
    public async Task A_read_larger_than_the_cache_is_exact()
    {
        // 80 MiB of int32: above the streaming threshold; chunks that split rows, edge chunks included.
        const int rows = 2600, cols = 8069;
        var data = new int[rows * cols];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = unchecked(i * 2654435761u).GetHashCode();
        }

        var z = await ZarrArray.CreateAsync<int>(new MemoryStore(), "", [rows, cols], new ArrayOptions { Chunks = [700, 1000] });
        await z[.., ..].WriteAsync(data);
        var whole = new int[data.Length];
        await z.ReadIntoAsync([], whole);
        Assert.True(data.AsSpan().SequenceEqual(whole));
        var tensor = await z[.., 3..];
        Assert.Equal(data[(1234 * cols) + 3 + 4000], tensor[1234, 4000]);
        Assert.True(MemoryMarshal.Cast<int, byte>(data.AsSpan()).Length >= 64 << 20);
    }
}
