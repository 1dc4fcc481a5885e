namespace Zarr.Storage.Internal;

/// <summary>Chooses a chunk shape for an array when none is given, as zarr-python does (<c>guess_chunks</c>).</summary>
internal static class ChunkShapes
{
    private const long Base = 256 * 1024;
    private const long Min = 128 * 1024;
    private const long Max = 64 * 1024 * 1024;

    /// <summary>A chunk shape of roughly 256 KiB to 64 MiB, growing with the array, halving its longest dimension first.</summary>
    public static int[] Guess(long[] shape, int itemSize)
    {
        var rank = shape.Length;
        if (rank == 0)
        {
            return [];
        }

        var chunks = new double[rank];
        for (var d = 0; d < rank; d++)
        {
            chunks[d] = Math.Max(1, shape[d]);
        }

        double total = itemSize;
        foreach (var c in chunks)
        {
            total *= c;
        }

        var target = Base * Math.Pow(2, Math.Log10(Math.Max(total, 1) / (1024.0 * 1024)));
        target = Math.Clamp(target, Min, Max);
        var index = 0;
        while (true)
        {
            double bytes = itemSize;
            foreach (var c in chunks)
            {
                bytes *= c;
            }

            if ((bytes < target * 1.5 && bytes > target * 0.5) || bytes < Min)
            {
                break;
            }

            if (chunks.All(c => c <= 1))
            {
                break;
            }

            chunks[index % rank] = Math.Ceiling(chunks[index % rank] / 2.0);
            index++;
        }

        var result = new int[rank];
        for (var d = 0; d < rank; d++)
        {
            result[d] = (int)Math.Min(int.MaxValue, chunks[d]);
        }

        return result;
    }
}
