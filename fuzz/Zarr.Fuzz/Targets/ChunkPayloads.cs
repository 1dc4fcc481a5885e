using System.Runtime.InteropServices;

namespace Zarr.Fuzz.Targets;

/// <summary>The decoded chunks the codec seeds are encoded from: what real arrays hold, and what compresses badly.</summary>
internal static class ChunkPayloads
{
    /// <summary>The decoded chunk size of every codec target: 16 KiB, 4,096 float32 or int32 elements (small seeds, fast runs).</summary>
    public const int ChunkBytes = 1 << 14;

    /// <summary>np.arange(4096, dtype=int32).</summary>
    public static byte[] Arange()
    {
        var values = new int[ChunkBytes / 4];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = i;
        }

        return MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
    }

    /// <summary>A smooth float32 field, as climate data is: sin over the chunk.</summary>
    public static byte[] Smooth()
    {
        var values = new float[ChunkBytes / 4];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = 280f + (10f * MathF.Sin(i / 200f));
        }

        return MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
    }

    /// <summary>1 KiB of seeded random bytes: stored rather than compressed by most codecs.</summary>
    public static byte[] Noise()
    {
        var bytes = new byte[1024];
        new Random(13).NextBytes(bytes);
        return bytes;
    }

    /// <summary>The payloads every bytes→bytes codec seed is made from.</summary>
    public static IEnumerable<byte[]> All() => [Arange(), Smooth(), new byte[ChunkBytes], Noise(), [42], "zarr"u8.ToArray()];
}
