using Zarr.Storage.Codecs;

namespace Zarr.Storage.Tests.Codecs.Blosc;

/// <summary>The byte and bit shuffles against their definitions, SIMD kernels against scalar loops.</summary>
public class ShuffleTests
{
    public static TheoryData<int> TypeSizes() => [1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 24, 32, 100, 255];

    private static readonly int[] Lengths = [0, 1, 7, 8, 15, 16, 17, 63, 64, 65, 127, 128, 129, 255, 256, 257, 1000, 4096, 4099, 65536, 65543, 262144 + 13];

    [Theory]
    [MemberData(nameof(TypeSizes))]
    public void Byte_shuffle_is_its_definition_and_unshuffle_undoes_it(int typeSize)
    {
        var random = new Random(typeSize);
        foreach (var length in Lengths)
        {
            var source = new byte[length];
            random.NextBytes(source);
            var n = length / typeSize;
            var expected = (byte[])source.Clone();
            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j < typeSize; j++)
                {
                    expected[(j * n) + i] = source[(i * typeSize) + j];
                }
            }

            var simd = new byte[length];
            var scalar = new byte[length];
            ByteShuffle.Shuffle(typeSize, source, simd);
            ByteShuffle.ShuffleScalar(typeSize, source, scalar);
            Assert.Equal(expected, simd);
            Assert.Equal(expected, scalar);

            var back = new byte[length];
            var backScalar = new byte[length];
            ByteShuffle.Unshuffle(typeSize, expected, back);
            ByteShuffle.UnshuffleScalar(typeSize, expected, backScalar);
            Assert.Equal(source, back);
            Assert.Equal(source, backScalar);
        }
    }

    [Theory]
    [MemberData(nameof(TypeSizes))]
    public void Bit_shuffle_is_its_definition_and_unshuffle_undoes_it(int typeSize)
    {
        var random = new Random(100 + typeSize);
        foreach (var length in Lengths)
        {
            var source = new byte[length];
            random.NextBytes(source);
            var expected = Reference(typeSize, source);
            foreach (var simd in new[] { true, false })
            {
                var shuffled = new byte[length];
                var scratch = new byte[length];
                BitShuffle.Shuffle(typeSize, source, shuffled, scratch, simd);
                Assert.True(expected.AsSpan().SequenceEqual(shuffled), $"typesize {typeSize}, {length} bytes, simd {simd}: shuffle differs");

                var back = new byte[length];
                BitShuffle.Unshuffle(typeSize, expected, back, scratch, simd);
                Assert.True(source.AsSpan().SequenceEqual(back), $"typesize {typeSize}, {length} bytes, simd {simd}: unshuffle differs");
            }
        }
    }

    [Fact]
    public void A_block_whose_element_count_is_not_a_multiple_of_8_is_copied_as_it_is()
    {
        var source = Enumerable.Range(0, 4 * 12).Select(i => (byte)(i * 37)).ToArray();
        var shuffled = new byte[source.Length];
        BitShuffle.Shuffle(4, source, shuffled, new byte[source.Length]);
        Assert.Equal(source, shuffled);
    }

    [Fact]
    public void The_8x8_bit_transpose_puts_bit_k_of_every_byte_into_byte_k()
    {
        var x = 0x0102040810204080UL; // byte m holds bit 7 - m
        Assert.Equal(0x0102040810204080UL, BitShuffle.Transpose8x8(x));
        Assert.Equal(0x00000000000000FFUL, BitShuffle.Transpose8x8(0x0101010101010101UL));
        Assert.Equal(0xFF00000000000000UL, BitShuffle.Transpose8x8(0x8080808080808080UL));
    }

    /// <summary>Bitshuffle's layout from its definition: row 8j+k holds bit k of byte j of each element.</summary>
    private static byte[] Reference(int typeSize, byte[] source)
    {
        var n = source.Length / typeSize;
        var output = (byte[])source.Clone();
        if (n % 8 != 0)
        {
            return output;
        }

        Array.Clear(output, 0, n * typeSize);
        var rowLength = n / 8;
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < typeSize; j++)
            {
                var value = source[(i * typeSize) + j];
                for (var k = 0; k < 8; k++)
                {
                    if (((value >> k) & 1) != 0)
                    {
                        output[(((j * 8) + k) * rowLength) + (i / 8)] |= (byte)(1 << (i % 8));
                    }
                }
            }
        }

        return output;
    }
}
