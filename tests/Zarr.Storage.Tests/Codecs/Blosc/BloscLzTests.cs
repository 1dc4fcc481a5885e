using Zarr.Storage.Codecs;

namespace Zarr.Storage.Tests.Codecs.Blosc;

/// <summary>blosclz: hand-built streams decode as the format says, and the encoder's streams decode back.</summary>
public class BloscLzTests
{
    [Fact]
    public void Literals_near_and_far_matches_runs_and_long_lengths_decode_as_the_format_says()
    {
        // The first control byte carries the marker bit 5, which the decoder ignores: 3 literals.
        byte[] stream =
        [
            0x20 | 2, (byte)'a', (byte)'b', (byte)'c',
            (2 << 5) | 0, 2,        // match of 4 from 3 back: "abca"
            (1 << 5) | 0, 0,        // match of 3 from 1 back: a run "aaa"
            (7 << 5) | 0, 255, 1, 0, // match of 9 + 255 + 1 = 265 from 1 back
            0, (byte)'z',           // 1 literal
        ];
        var output = new byte[3 + 4 + 3 + 265 + 1];
        Assert.Equal(output.Length, BloscLz.Decompress(stream, output));
        var expected = "abc" + "abca" + "aaa" + new string('a', 265) + "z";
        Assert.Equal(expected, System.Text.Encoding.ASCII.GetString(output));
    }

    [Fact]
    public void A_far_match_reaches_8192_and_more_back()
    {
        var random = new Random(3);
        var literals = new byte[10000];
        random.NextBytes(literals);
        var stream = new List<byte>();
        for (var i = 0; i < literals.Length; i += 32)
        {
            var run = Math.Min(32, literals.Length - i);
            stream.Add((byte)(run - 1));
            stream.AddRange(literals.AsSpan(i, run).ToArray());
        }

        // Copy 6 bytes from 9000 back: far form, distance 8192 + 808.
        stream.AddRange([(4 << 5) | 31, 255, 808 >> 8, 808 & 255, 0, 7]);
        var output = new byte[literals.Length + 6 + 1];
        Assert.Equal(output.Length, BloscLz.Decompress(stream.ToArray(), output));
        Assert.Equal(literals.AsSpan(1000, 6).ToArray(), output.AsSpan(10000, 6).ToArray());
        Assert.Equal(7, output[^1]);

        // A far match that ends the stream is not copied: c-blosc stops before it.
        stream.RemoveRange(stream.Count - 2, 2);
        Assert.Equal(literals.Length, BloscLz.Decompress(stream.ToArray(), output));
    }

    [Fact]
    public void Corrupt_streams_are_refused_where_c_blosc_refuses_them()
    {
        var output = new byte[64];
        Assert.Equal(-1, BloscLz.Decompress([5, 1, 2], output));                 // 6 literals, 2 present
        Assert.Equal(-1, BloscLz.Decompress([0, 1, (2 << 5) | 0, 5, 0, 9], output)); // a match 6 back after 1 byte
        Assert.Equal(-1, BloscLz.Decompress([0, 1, (2 << 5) | 0], output));       // a match without its distance
        Assert.Equal(-1, BloscLz.Decompress([31, .. new byte[32]], new byte[16])); // more literals than room
        Assert.Equal(-1, BloscLz.Decompress([0, 1, (2 << 5) | 0, 0], output));      // a match must be followed by more
        Assert.Equal(0, BloscLz.Decompress([], output));
    }

    [Fact]
    public void Every_level_round_trips_every_kind_of_data()
    {
        var random = new Random(11);
        foreach (var kind in BloscTestData.Kinds)
        {
            foreach (var length in new[] { 16, 17, 100, 4096, 70000, 200000 })
            {
                var data = BloscTestData.Make(kind, length, 4, random);
                for (var level = 1; level <= 9; level += 4)
                {
                    var compressed = new byte[length];
                    var size = BloscLz.Compress(level, data, compressed);
                    if (size == 0)
                    {
                        Assert.False((kind is "zeros" or "constant" or "runs" or "text" && length >= 4096) || (kind == "far-repeat" && length >= 100000), $"{kind} {length} did not compress");
                        continue;
                    }

                    var back = new byte[length];
                    Assert.Equal(length, BloscLz.Decompress(compressed.AsSpan(0, size), back));
                    Assert.True(data.AsSpan().SequenceEqual(back), $"{kind}, {length} bytes, level {level}");
                }
            }
        }
    }

    [Fact]
    public void Far_repeats_compress_with_far_matches()
    {
        var data = BloscTestData.Make("far-repeat", 120000, 1, new Random(5));
        var compressed = new byte[data.Length];
        var size = BloscLz.Compress(5, data, compressed);
        Assert.InRange(size, 1, data.Length / 2);
    }
}
