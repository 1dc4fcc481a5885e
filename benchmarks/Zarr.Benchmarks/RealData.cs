namespace Zarr.Benchmarks;

/// <summary>
/// The realistic array: element (i, j) = 20 + 10·sin(i/900)·cos(j/1300) + noise, the noise normal with σ 0.5 from a
/// counter-based generator (splitmix64 of seed + i·N + j, Box–Muller) that benchmarks/peer_real.py computes the same
/// way, so both sides hold the same data (up to the last bit of a libm call), float32.
/// </summary>
internal static class RealData
{
    public const ulong Seed = 20261125;

    public static float[] Create(int n)
    {
        var data = GC.AllocateUninitializedArray<float>(checked(n * n));
        Parallel.For(0, n, i =>
        {
            var row = data.AsSpan(i * n, n);
            var si = Math.Sin(i / 900.0);
            for (var j = 0; j < n; j++)
            {
                var z = SplitMix64(Seed + (ulong)i * (ulong)n + (ulong)j);
                var u1 = ((z >> 40) + 1) / 16777216.0;
                var u2 = (z & 0xFFFFFF) / 16777216.0;
                var noise = 0.5 * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
                row[j] = (float)(20.0 + (10.0 * si * Math.Cos(j / 1300.0)) + noise);
            }
        });
        return data;
    }

    private static ulong SplitMix64(ulong x)
    {
        var z = x + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
