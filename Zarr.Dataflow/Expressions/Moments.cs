namespace Zarr.Dataflow;

/// <summary>Chan, Golub and LeVeque's parallel update of (count, mean, M2).</summary>
internal static class Moments
{
    /// <summary>M2 over n − ddof (NaN when n ≤ ddof, as numpy), or its square root.</summary>
    public static double Variance(long n, double m2, int ddof, bool sqrt)
    {
        var v = n - ddof <= 0 ? double.NaN : m2 / (n - ddof);
        return sqrt ? Math.Sqrt(v) : v;
    }

    public static void Combine(ref long countA, ref double meanA, ref double m2A, long countB, double meanB, double m2B, bool updateCount)
    {
        var na = (double)countA;
        var nb = (double)countB;
        var n = na + nb;
        if (countB == 0)
        {
            return;
        }

        if (countA == 0)
        {
            meanA = meanB;
            m2A = m2B;
        }
        else
        {
            var delta = meanB - meanA;
            meanA += delta * (nb / n);
            m2A += m2B + (delta * delta * (na * nb / n));
        }

        if (updateCount)
        {
            countA += countB;
        }
    }
}
