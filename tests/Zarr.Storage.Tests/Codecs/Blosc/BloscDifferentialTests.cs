using Xunit.Abstractions;
using Zarr.Storage.Codecs;

namespace Zarr.Storage.Tests.Codecs.Blosc;

/// <summary>
/// The managed blosc against the native c-blosc library on thousands of random cases: buffers of every shape and
/// size, type sizes, shuffles, compressors, levels and block sizes. Each case is compressed by both; each side's frame
/// must decode exactly with the other side, and both frames must carry the same header (flags, type size, block size)
/// unless one of them fell back to storing the data as it is.
/// </summary>
public class BloscDifferentialTests(ITestOutputHelper output)
{
    private const int Cases = 3000;

    [Fact]
    public void Native_to_managed_and_managed_to_native_decode_exactly()
    {
        var seed = Environment.GetEnvironmentVariable("ZARR_BLOSC_DIFF_SEED") is { } s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : 20261126;
        var random = new Random(seed);
        var compressors = Enum.GetValues<BloscCompressor>();
        var shuffles = Enum.GetValues<BloscShuffle>();
        var failures = new List<string>();
        var headersCompared = 0;
        var memcpyDifferences = 0;
        long bytes = 0;
        for (var c = 0; c < Cases && failures.Count < 10; c++)
        {
            var typeSize = random.Next(10) switch
            {
                < 6 => new[] { 1, 2, 4, 8, 16 }[random.Next(5)],
                < 9 => 1 + random.Next(16),
                _ => 17 + random.Next(239),
            };
            var compressor = compressors[random.Next(compressors.Length)];
            var shuffle = shuffles[random.Next(shuffles.Length)];
            var level = random.Next(10);

            // Slow settings get small buffers: zstd 9 is zstd's level 22.
            var slow = (compressor is BloscCompressor.Zstd or BloscCompressor.Lz4Hc or BloscCompressor.Zlib) && level >= 7;
            var length = random.Next(8) switch
            {
                0 => random.Next(130),
                < 6 => random.Next(slow ? 20000 : 70000),
                _ => random.Next(slow ? 60000 : 400000),
            };
            length -= length % typeSize == 0 || random.Next(4) == 0 ? 0 : length % typeSize;
            var blockSize = random.Next(4) == 0 ? 1 + random.Next(random.Next(2) == 0 ? 1000 : 100000) : 0;
            var kind = BloscTestData.Kinds[random.Next(BloscTestData.Kinds.Length)];
            var data = BloscTestData.Make(kind, length, typeSize, random);
            var what = $"case {c}: {kind} {length} bytes, {BloscCodec.CompressorName(compressor)} level {level}, {shuffle}, typesize {typeSize}, blocksize {blockSize}";
            bytes += length;

            var native = new BloscCodec(compressor, level, shuffle, Math.Min(typeSize, 255), blockSize, BloscImplementation.Native);
            var managed = new BloscCodec(compressor, level, shuffle, Math.Min(typeSize, 255), blockSize, BloscImplementation.Managed);
            try
            {
                using var fromNative = native.Encode(data);
                using var fromManaged = managed.Encode(data);
                using var nativeByManaged = managed.Decode(fromNative.Span, length);
                using var managedByNative = native.Decode(fromManaged.Span, length);
                if (!nativeByManaged.Span.SequenceEqual(data))
                {
                    failures.Add($"{what}: the managed decoder misread c-blosc's frame");
                }

                if (!managedByNative.Span.SequenceEqual(data))
                {
                    failures.Add($"{what}: c-blosc misread the managed frame");
                }

                var n = fromNative.Span;
                var m = fromManaged.Span;
                if ((n[2] & BloscFrameHeader.MemcpyedFlag) != (m[2] & BloscFrameHeader.MemcpyedFlag))
                {
                    memcpyDifferences++;
                }

                var sameHeader = n[0] == m[0] && n[1] == m[1] && (n[2] | BloscFrameHeader.MemcpyedFlag) == (m[2] | BloscFrameHeader.MemcpyedFlag) && n[4..12].SequenceEqual(m[4..12]) && n[3] == m[3];
                if (!sameHeader)
                {
                    failures.Add($"{what}: headers differ: c-blosc {Convert.ToHexString(n[..16])}, managed {Convert.ToHexString(m[..16])}");
                }

                headersCompared++;
            }
            catch (Exception ex)
            {
                failures.Add($"{what}: {ex.GetType().Name}: {ex.Message}");
            }
        }

        output.WriteLine($"seed {seed}: {Cases} cases, {bytes / 1048576.0:F1} MiB, {headersCompared} headers compared, {memcpyDifferences} where only one side stored the data as it is");
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }
}
