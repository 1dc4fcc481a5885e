using System.Numerics;

namespace Zarr.Storage.Internal;

/// <summary>64-bit shape arithmetic that fails instead of wrapping.</summary>
internal static class Checked
{
    /// <summary>The product of <paramref name="values"/> (an array's, a chunk's or an inner chunk's shape), in 64 bits; an overflow is a <see cref="ZarrException"/>.</summary>
    public static long Product<T>(ReadOnlySpan<T> values)
        where T : IBinaryInteger<T>
    {
        long n = 1;
        try
        {
            foreach (var v in values)
            {
                n = checked(n * long.CreateChecked(v));
            }
        }
        catch (OverflowException e)
        {
            throw new ZarrException($"the shape ({string.Join(", ", values.ToArray())}) has more elements than a 64-bit count holds", e);
        }

        return n;
    }
}
