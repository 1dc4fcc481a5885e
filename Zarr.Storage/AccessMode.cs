using Zarr.Storage.Internal;

namespace Zarr.Storage;

/// <summary>How a node is opened, as zarr-python's <c>mode</c>.</summary>
public enum AccessMode
{
    /// <summary><c>r</c>: read only; the node must exist.</summary>
    Read,

    /// <summary><c>r+</c>: read and write; the node must exist.</summary>
    ReadWrite,

    /// <summary><c>a</c>: read and write; created if it does not exist.</summary>
    Append,

    /// <summary><c>w</c>: created, replacing whatever was there.</summary>
    Write,

    /// <summary><c>w-</c>: created; fails if something is there.</summary>
    WriteNew,
}

/// <summary>Parses zarr-python's mode strings.</summary>
public static class AccessModes
{
    /// <summary>The mode for <c>r</c>, <c>r+</c>, <c>a</c>, <c>w</c> or <c>w-</c> (<c>x</c> is a synonym of <c>w-</c>).</summary>
    /// <exception cref="ArgumentException">The string is not a mode.</exception>
    public static AccessMode Parse(string mode) => mode switch
    {
        "r" => AccessMode.Read,
        "r+" => AccessMode.ReadWrite,
        "a" => AccessMode.Append,
        "w" => AccessMode.Write,
        "w-" or "x" => AccessMode.WriteNew,
        _ => throw new ArgumentException($"{UserText.Quote(mode)} is not a mode; use r, r+, a, w or w-", nameof(mode)),
    };
}
