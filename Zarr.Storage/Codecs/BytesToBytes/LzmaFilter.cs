using System.Collections.Immutable;
using System.Globalization;

namespace Zarr.Storage.Codecs;

/// <summary>The lzma container numcodecs' <c>lzma</c> writes (Python's <c>lzma.FORMAT_*</c> codes).</summary>
public enum LzmaFormat
{
    /// <summary>Any of the containers, told apart when decoding (<c>FORMAT_AUTO</c>); it cannot encode.</summary>
    Auto = 0,

    /// <summary>The <c>.xz</c> container (<c>FORMAT_XZ</c>), numcodecs' default.</summary>
    Xz = 1,

    /// <summary>The legacy <c>.lzma</c> container (<c>FORMAT_ALONE</c>): one LZMA1 filter, no integrity check.</summary>
    Alone = 2,

    /// <summary>No container (<c>FORMAT_RAW</c>): the filter chain alone, which both sides must give.</summary>
    Raw = 3,
}

/// <summary>The integrity check of an <c>.xz</c> container (Python's <c>lzma.CHECK_*</c> codes).</summary>
public enum LzmaCheck
{
    /// <summary>The container's default: CRC64 for <c>.xz</c>, none for the others.</summary>
    Default = -1,

    /// <summary>No check.</summary>
    None = 0,

    /// <summary>CRC32.</summary>
    Crc32 = 1,

    /// <summary>CRC64.</summary>
    Crc64 = 4,

    /// <summary>SHA-256.</summary>
    Sha256 = 10,
}

/// <summary>
/// One entry of numcodecs' lzma <c>filters</c> list, as Python's <c>lzma</c> module takes it: a filter id and its
/// integer options (<c>{"id": 33, "preset": 1}</c> is LZMA2 at preset 1). The filters this library runs: LZMA1
/// (<c>4611686018427387905</c>) and LZMA2 (<c>33</c>) with <c>preset</c>, <c>dict_size</c>, <c>lc</c>, <c>lp</c>,
/// <c>pb</c>, <c>mode</c>, <c>nice_len</c>, <c>mf</c>, <c>depth</c>; delta (<c>3</c>) with <c>dist</c>; the branch
/// converters x86, PowerPC, IA-64, ARM, ARM-Thumb, SPARC and ARM64 (<c>4</c> to <c>10</c>) with <c>start_offset</c>.
/// </summary>
public sealed class LzmaFilter
{
    /// <summary>LZMA1's filter id (<c>lzma.FILTER_LZMA1</c>).</summary>
    public const long Lzma1 = 0x4000000000000001;

    /// <summary>LZMA2's filter id (<c>lzma.FILTER_LZMA2</c>).</summary>
    public const long Lzma2 = 0x21;

    /// <summary>The delta filter's id (<c>lzma.FILTER_DELTA</c>).</summary>
    public const long Delta = 0x03;

    private static readonly string[] LzmaOptions = ["preset", "dict_size", "lc", "lp", "pb", "mode", "nice_len", "mf", "depth"];

    /// <summary>Describes a filter.</summary>
    /// <param name="id">The filter id.</param>
    /// <param name="options">Its options by name, in the order they are written.</param>
    /// <exception cref="ArgumentException">The id is not one of the filters this library runs, or an option is not one of the filter's.</exception>
    public LzmaFilter(long id, IEnumerable<KeyValuePair<string, long>>? options = null)
    {
        Id = id;
        Options = [.. options ?? []];
        var known = KnownOptions(id) ?? throw new ArgumentException(
            string.Create(CultureInfo.InvariantCulture, $"lzma filter id {id} (0x{id:X}) is not supported; supported: LZMA1 ({Lzma1}), LZMA2 ({Lzma2}), delta ({Delta}) and the branch converters 4 to 10"), nameof(id));
        foreach (var (name, _) in Options)
        {
            if (Array.IndexOf(known, name) < 0)
            {
                throw new ArgumentException($"'{name}' is not an option of the lzma filter {Name}; it takes {(known.Length == 0 ? "none" : string.Join(", ", known))}", nameof(options));
            }
        }

        if (Options.Select(o => o.Key).Distinct(StringComparer.Ordinal).Count() != Options.Length)
        {
            throw new ArgumentException($"an option of the lzma filter {Name} is given twice", nameof(options));
        }
    }

    /// <summary>The filter id.</summary>
    public long Id { get; }

    /// <summary>The options, in the order they are written.</summary>
    public ImmutableArray<KeyValuePair<string, long>> Options { get; }

    /// <summary>The filter's name, for messages (<c>LZMA2</c>, <c>delta</c>, <c>x86</c>).</summary>
    public string Name => Id switch
    {
        Lzma1 => "LZMA1",
        Lzma2 => "LZMA2",
        Delta => "delta",
        4 => "x86",
        5 => "PowerPC",
        6 => "IA-64",
        7 => "ARM",
        8 => "ARM-Thumb",
        9 => "SPARC",
        10 => "ARM64",
        _ => Id.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>An option's value, or null when it is not given.</summary>
    public long? Option(string name)
    {
        foreach (var (key, value) in Options)
        {
            if (key == name)
            {
                return value;
            }
        }

        return null;
    }

    private static string[]? KnownOptions(long id) => id switch
    {
        Lzma1 or Lzma2 => LzmaOptions,
        Delta => ["dist"],
        >= 4 and <= 10 => ["start_offset"],
        _ => null,
    };
}
