namespace Zarr.Storage.Codecs;

/// <summary>Byte order of stored elements.</summary>
public enum Endian
{
    /// <summary>Least significant byte first.</summary>
    Little,

    /// <summary>Most significant byte first.</summary>
    Big,
}
