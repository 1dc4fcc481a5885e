namespace Zarr.Storage.Codecs;

/// <summary>
/// numcodecs' <c>fletcher32</c> (<c>{"id": "fletcher32"}</c>; v3 <c>numcodecs.fletcher32</c>, numcodecs 0.12 on):
/// HDF5's and netCDF's Fletcher-32, over big-endian 16-bit words (an odd last byte is the high byte of a last word),
/// as 4 little-endian bytes after the data.
/// </summary>
public sealed class Fletcher32Codec : Checksum32Codec
{
    // The most words before the 32-bit sums must be folded (HDF5's H5_checksum_fletcher32 folds every 360).
    private const int WordsPerFold = 360;

    /// <summary>Creates the codec.</summary>
    public Fletcher32Codec()
        : base("fletcher32", ChecksumLocation.End)
    {
    }

    /// <inheritdoc />
    public override uint Compute(ReadOnlySpan<byte> data)
    {
        uint sum1 = 0, sum2 = 0;
        var words = data.Length / 2;
        var at = 0;
        while (words > 0)
        {
            var run = Math.Min(words, WordsPerFold);
            words -= run;
            for (var end = at + (run * 2); at < end; at += 2)
            {
                sum1 += (uint)((data[at] << 8) | data[at + 1]);
                sum2 += sum1;
            }

            sum1 = (sum1 & 0xFFFF) + (sum1 >> 16);
            sum2 = (sum2 & 0xFFFF) + (sum2 >> 16);
        }

        if ((data.Length & 1) != 0)
        {
            sum1 += (uint)data[^1] << 8;
            sum2 += sum1;
            sum1 = (sum1 & 0xFFFF) + (sum1 >> 16);
            sum2 = (sum2 & 0xFFFF) + (sum2 >> 16);
        }

        sum1 = (sum1 & 0xFFFF) + (sum1 >> 16);
        sum2 = (sum2 & 0xFFFF) + (sum2 >> 16);
        return (sum2 << 16) | sum1;
    }
}
