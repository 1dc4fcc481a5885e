namespace Zarr.MicroBenchmarks;

/// <summary>Chunk-sized test data: the arange of the end-to-end workloads and a noisy float32 field.</summary>
internal static class Data
{
    /// <summary>A 1024 × 1024 int32 chunk of arange(8192²), as chunk (3, 5) holds it: 4 MiB.</summary>
    public static byte[] AsRangeChunk()
    {
        var bytes = new byte[1024 * 1024 * 4];
        var ints = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(bytes.AsSpan());
        for (var r = 0; r < 1024; r++)
        {
            for (var c = 0; c < 1024; c++)
            {
                ints[(r * 1024) + c] = (((3 * 1024) + r) * 8192) + (5 * 1024) + c;
            }
        }

        return bytes;
    }

    /// <summary>A 1024 × 1024 float32 chunk: a smooth field plus normal noise (σ 0.5, seeded), about 1.3:1 with blosc lz4.</summary>
    public static byte[] RealChunk()
    {
        var bytes = new byte[1024 * 1024 * 4];
        var f = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes.AsSpan());
        var random = new Random(42);
        for (var r = 0; r < 1024; r++)
        {
            for (var c = 0; c < 1024; c++)
            {
                var u1 = 1.0 - random.NextDouble();
                var u2 = random.NextDouble();
                var noise = 0.5 * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
                f[(r * 1024) + c] = (float)(20 + (10 * Math.Sin(r / 900.0) * Math.Cos(c / 1300.0)) + noise);
            }
        }

        return bytes;
    }
}
