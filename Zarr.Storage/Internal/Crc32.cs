namespace Zarr.Storage.Internal;

/// <summary>
/// CRC-32 (ISO-HDLC, polynomial 0xEDB88320) as zip and gzip use it: <see cref="System.IO.Hashing.Crc32"/> computes it
/// (vectorised); continuing a finished checksum over more data, which that type has no seed for, combines two checksums
/// by multiplying in GF(2) modulo the polynomial (the method of zlib's <c>crc32_combine</c>).
/// </summary>
internal static class Crc32
{
    private const uint Polynomial = 0xEDB88320;

    // PowersOfTwo[k] is x^(2^k) modulo the polynomial, in the reflected bit order CRC-32 uses.
    private static readonly uint[] PowersOfTwo = BuildPowers();

    /// <summary>The CRC-32 of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => System.IO.Hashing.Crc32.HashToUInt32(data);

    /// <summary>Continues <paramref name="crc"/> (0 to start) over <paramref name="data"/>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data) =>
        Multiply(PowerOfX(8UL * (ulong)data.Length), crc) ^ Compute(data);

    // a × b modulo the polynomial; bit 31 is x^0 (reflected).
    private static uint Multiply(uint a, uint b)
    {
        var product = 0u;
        for (var bit = 1u << 31; bit != 0; bit >>= 1)
        {
            if ((a & bit) != 0)
            {
                product ^= b;
            }

            b = (b & 1) != 0 ? (b >> 1) ^ Polynomial : b >> 1;
        }

        return product;
    }

    // x^n modulo the polynomial, from the squares in PowersOfTwo.
    private static uint PowerOfX(ulong n)
    {
        var result = 1u << 31; // x^0
        for (var k = 0; n != 0; k++, n >>= 1)
        {
            if ((n & 1) != 0)
            {
                result = Multiply(PowersOfTwo[k & 31], result);
            }
        }

        return result;
    }

    private static uint[] BuildPowers()
    {
        var powers = new uint[32];
        var p = 1u << 30; // x^1
        powers[0] = p;
        for (var k = 1; k < powers.Length; k++)
        {
            powers[k] = p = Multiply(p, p);
        }

        return powers;
    }
}
