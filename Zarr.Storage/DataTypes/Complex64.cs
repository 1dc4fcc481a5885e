using System.Globalization;
using System.Runtime.InteropServices;

namespace Zarr.Storage;

/// <summary>A complex number of two 32-bit floats, laid out as numpy's <c>complex64</c>: real part, then imaginary part.</summary>
/// <param name="Real">The real part.</param>
/// <param name="Imaginary">The imaginary part.</param>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct Complex64(float Real, float Imaginary)
{
    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"({Real}{(Imaginary < 0 || float.IsNegative(Imaginary) ? "-" : "+")}{Math.Abs(Imaginary)}j)");
}
