using System.Globalization;

namespace Zarr.Storage.Internal;

/// <summary>Human-readable binary sizes as the seed prints them: <c>38.1M</c>, <c>3.6P</c>, <c>0</c>.</summary>
internal static class Sizes
{
    public static string Human(long bytes)
    {
        if (bytes < 1024)
        {
            return bytes.ToString(CultureInfo.InvariantCulture);
        }

        ReadOnlySpan<char> units = ['K', 'M', 'G', 'T', 'P', 'E'];
        double value = bytes;
        var unit = -1;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return value.ToString("0.0", CultureInfo.InvariantCulture) + units[unit];
    }
}
