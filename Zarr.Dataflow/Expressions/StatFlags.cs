namespace Zarr.Dataflow;

[Flags]
internal enum StatFlags
{
    None = 0,
    Sum = 1,
    Moments = 2,
    Min = 4,
    Max = 8,
    NaNCount = 16,

    /// <summary>
    /// The sum a mean needs: in double across chunks (numpy accumulates means in float64, so huge integer arrays never
    /// wrap); integers of up to 32 bits are first summed exactly in 64 bits within the chunk. Not with <see cref="Sum"/>.
    /// </summary>
    MeanSum = 32,
}
