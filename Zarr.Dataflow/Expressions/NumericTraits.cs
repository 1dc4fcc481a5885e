using System.Numerics;

namespace Zarr.Dataflow;

/// <summary>What the engine knows about an element type: floating point (NaN exists) and signedness.</summary>
internal static class NumericTraits<T> where T : unmanaged, INumber<T>
{
    public static readonly bool IsFloat = typeof(T) == typeof(float) || typeof(T) == typeof(double) || typeof(T) == typeof(Half);

    public static readonly bool IsSigned = T.IsNegative(T.Zero - T.One);
}
