namespace Zarr.Storage.Codecs;

/// <summary>How <see cref="CastValueCodec"/> rounds a value the target type cannot hold exactly (the extension's <c>rounding</c>).</summary>
public enum CastRounding
{
    /// <summary><c>nearest-even</c> (the default): to nearest, ties to even.</summary>
    NearestEven,
    /// <summary><c>towards-zero</c>: truncation.</summary>
    TowardsZero,
    /// <summary><c>towards-positive</c>: the ceiling.</summary>
    TowardsPositive,
    /// <summary><c>towards-negative</c>: the floor.</summary>
    TowardsNegative,
    /// <summary><c>nearest-away</c>: to nearest, ties away from zero.</summary>
    NearestAway,
}

/// <summary>What <see cref="CastValueCodec"/> does with a value outside the target type's range (the extension's <c>out_of_range</c>).</summary>
public enum CastOutOfRange
{
    /// <summary>No rule (the field is absent): an out-of-range value is an error.</summary>
    Error,
    /// <summary><c>clamp</c>: to the type's minimum or maximum (±Infinity for a float type).</summary>
    Clamp,
    /// <summary><c>wrap</c>: modulo 2^N, two's complement (integer targets only).</summary>
    Wrap,
}
