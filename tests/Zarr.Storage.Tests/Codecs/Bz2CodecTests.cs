using System.Diagnostics;
using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;

namespace Zarr.Storage.Tests.Codecs;

/// <summary>numcodecs' bz2 compressor: round trips, Python's bz2 module both ways, and corrupt or truncated input.</summary>
public class Bz2CodecTests
{
    private const string Python = "/usr/bin/python3";

    public static TheoryData<int, int> Sizes() => new() { { 0, 1 }, { 1, 9 }, { 1000, 1 }, { 150_000, 1 }, { 300_000, 9 }, { 1 << 20, 5 } };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Round_trips_with_and_without_the_expected_length(int size, int level)
    {
        var data = Data(size);
        var codec = new Bz2Codec(level);
        using var encoded = codec.Encode(data);
        Assert.Equal("BZh"u8.ToArray(), encoded.Span[..3].ToArray());
        Assert.Equal((byte)('0' + level), encoded.Span[3]);
        using var exact = codec.Decode(encoded.Span, size);
        Assert.Equal(data, exact.Span.ToArray());
        using var unknown = codec.Decode(encoded.Span, -1);
        Assert.Equal(data, unknown.Span.ToArray());
    }

    [Fact]
    public void A_stream_of_another_length_than_expected_is_refused()
    {
        var codec = new Bz2Codec();
        using var encoded = codec.Encode(Data(5000));
        var longer = Assert.Throws<ZarrCodecException>(() => codec.Decode(encoded.Span, 4999));
        Assert.Contains("more than the 4999 bytes", longer.Message, StringComparison.Ordinal);
        var shorter = Assert.Throws<ZarrCodecException>(() => codec.Decode(encoded.Span, 5001));
        Assert.Contains("5000 bytes", shorter.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Corrupt_and_truncated_streams_are_codec_errors_naming_bz2()
    {
        var codec = new Bz2Codec(9);
        var data = Data(20_000);
        using var encoded = codec.Encode(data);
        var bytes = encoded.Span.ToArray();

        var inputs = new List<byte[]> { Array.Empty<byte>(), "BZh"u8.ToArray(), "BZh0xxxxxxxxxxxxxxxx"u8.ToArray(), "PK\x03\x04xxxxxxxxxxxxxxxx"u8.ToArray() };
        foreach (var cut in new[] { 4, 10, bytes.Length / 2, bytes.Length - 1 })
        {
            inputs.Add(bytes[..cut]);
        }

        for (var i = 4; i < bytes.Length; i += Math.Max(1, bytes.Length / 40))
        {
            var flipped = (byte[])bytes.Clone();
            flipped[i] ^= 0x5A;
            inputs.Add(flipped);
        }

        foreach (var input in inputs)
        {
            foreach (var expected in new[] { data.Length, -1 })
            {
                try
                {
                    using var decoded = codec.Decode(input, expected);

                    // A flip that bzip2's CRCs cannot see would have to give back the data; anything else is a failure.
                    Assert.Equal(data, decoded.Span.ToArray());
                }
                catch (ZarrCodecException ex)
                {
                    Assert.Contains("bz2", ex.Codec, StringComparison.Ordinal);
                }
            }
        }
    }

    [Fact]
    public void Registry_reads_and_writes_the_numcodecs_and_v3_forms()
    {
        var codec = Assert.IsType<Bz2Codec>(CodecRegistry.FromV2Compressor(JsonNode.Parse("""{"id": "bz2", "level": 9}"""), ZarrDataType.Float64, ".zarray"));
        Assert.Equal(9, codec.Level);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"id": "bz2", "level": 9}"""), codec.ToV2Json()));
        Assert.Equal(1, Assert.IsType<Bz2Codec>(CodecRegistry.FromV2Compressor(JsonNode.Parse("""{"id": "bz2"}"""), ZarrDataType.Int8, ".zarray")).Level);
        var v3 = Assert.IsType<Bz2Codec>(CodecRegistry.FromV3Json(codec.ToV3Json(), ZarrDataType.Float64, "zarr.json"));
        Assert.Equal(9, v3.Level);
        Assert.Equal("numcodecs.bz2", codec.ToV3Json()["name"]!.GetValue<string>());
        Assert.Throws<ArgumentOutOfRangeException>(() => new Bz2Codec(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Bz2Codec(10));
    }

    [Fact]
    public async Task Python_bz2_reads_ours_and_we_read_Pythons()
    {
        if (!File.Exists(Python))
        {
            Assert.Fail($"{Python} is missing; the bz2 interop test needs Debian's python3 (apt-get install -y python3 python3-numcodecs)");
        }

        using var tmp = new TempDirectory();
        var sizes = new[] { 0, 1, 777, 250_000 };
        foreach (var size in sizes)
        {
            var data = Data(size);
            File.WriteAllBytes(tmp.Combine($"{size}.raw"), data);
            using var encoded = new Bz2Codec(size % 9 + 1).Encode(data);
            File.WriteAllBytes(tmp.Combine($"{size}.ours.bz2"), encoded.Span.ToArray());
        }

        const string Script = """
            import bz2, sys, os, numcodecs
            d = sys.argv[1]
            for name in sorted(os.listdir(d)):
                if not name.endswith('.raw'):
                    continue
                size = name[:-4]
                raw = open(os.path.join(d, name), 'rb').read()
                ours = open(os.path.join(d, size + '.ours.bz2'), 'rb').read()
                assert bz2.decompress(ours) == raw, size
                assert bytes(numcodecs.BZ2().decode(ours)) == raw, size
                open(os.path.join(d, size + '.py.bz2'), 'wb').write(numcodecs.BZ2(level=9).encode(raw))
                print('OK', size)
            """;
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Script);
        start.ArgumentList.Add(tmp.Path);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        var text = await stdout + await stderr;
        Assert.True(process.ExitCode == 0, $"Python's bz2 did not read ours:\n{text}");
        foreach (var size in sizes)
        {
            Assert.Contains($"OK {size}", text, StringComparison.Ordinal);
            var theirs = File.ReadAllBytes(tmp.Combine($"{size}.py.bz2"));
            using var decoded = new Bz2Codec().Decode(theirs, size);
            Assert.Equal(Data(size), decoded.Span.ToArray());
        }
    }

    /// <summary>Compressible but not trivial data.</summary>
    private static byte[] Data(int size)
    {
        var random = new Random(size);
        var data = new byte[size];
        for (var i = 0; i < size; i++)
        {
            data[i] = (byte)(i % 97 < 60 ? i / 13 : random.Next(256));
        }

        return data;
    }
}
