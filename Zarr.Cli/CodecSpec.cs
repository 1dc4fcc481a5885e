using System.Globalization;
using Zarr.Storage.Codecs;
using Zarr.Storage;

namespace Zarr.Cli;

/// <summary>
/// One <c>--codec</c> value. The grammar (CLI.md):
/// <code>
/// SPEC := none | blosc[:CNAME[:CLEVEL[:SHUFFLE[:BLOCKSIZE]]]] | zstd[:LEVEL] | gzip[:LEVEL] | zlib[:LEVEL]
///       | lz4[:ACCELERATION] | bz2[:LEVEL] | crc32c
/// </code>
/// Omitted fields take numcodecs' defaults: blosc lz4, clevel 5, shuffle, blocksize 0 (automatic); zstd level 1;
/// gzip level 1; zlib level 1; lz4 acceleration 1; bz2 level 1 (numcodecs' <c>Zstd</c>, <c>GZip</c>, <c>Zlib</c>,
/// <c>LZ4</c>, <c>Blosc</c>, <c>BZ2</c> constructors).
/// </summary>
internal sealed class CodecSpec
{
    private readonly Func<ZarrDataType, IBytesToBytesCodec>? _build;

    private CodecSpec(string name, string text, Func<ZarrDataType, IBytesToBytesCodec>? build)
    {
        Name = name;
        Text = text;
        _build = build;
    }

    /// <summary>The codec's name in the grammar (<c>blosc</c>, <c>zstd</c>, <c>none</c>, ...).</summary>
    public string Name { get; }

    /// <summary>The spec as given.</summary>
    public string Text { get; }

    /// <summary>True for <c>none</c>: no compressor at all.</summary>
    public bool IsNone => Name == "none";

    /// <summary>
    /// The forms of <c>--codec</c>, in the order help lists them: the CLI's own short grammar for the codecs of the
    /// library's registry that a new array's chain can take as compressors.
    /// </summary>
    public static string Grammar => string.Join(" | ", Forms.Select(f => f.Grammar));

    private static (string Name, string Grammar)[] Forms { get; } =
    [
        ("none", "none"), ("blosc", "blosc[:CNAME[:CLEVEL[:SHUFFLE[:BLOCKSIZE]]]]"), ("zstd", "zstd[:LEVEL]"), ("gzip", "gzip[:LEVEL]"),
        ("zlib", "zlib[:LEVEL]"), ("lz4", "lz4[:ACCELERATION]"), ("bz2", "bz2[:LEVEL]"), ("crc32c", "crc32c"),
    ];

    /// <summary>
    /// Whether the format can hold the codec, as the library's codec registry says: v2 holds the numcodecs compressors
    /// (zlib, lz4 and bz2 among them), v3 the codecs registered under this name (crc32c among them, while zlib, lz4 and
    /// bz2 are <c>numcodecs.*</c> there). A name that is a v3 codec's means that codec, which v2 holds when it has a
    /// numcodecs id (crc32c has none: numcodecs' own crc32c is another codec, <c>numcodecs.crc32c</c>).
    /// </summary>
    public bool FitsFormat(ZarrFormat format) =>
        IsNone || (format == ZarrFormat.V2
            ? (CodecRegistry.Default.TryGetDescriptor(Name, out var v3) ? v3.V2Id is not null : CodecRegistry.V2Ids.Contains(Name))
            : CodecRegistry.Default.TryGetDescriptor(Name, out _));

    /// <summary>Parses one spec.</summary>
    /// <exception cref="UsageException">The spec is not the grammar or a field is out of range.</exception>
    public static CodecSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var fields = text.Split(':');
        var name = fields[0];
        var args = fields[1..];
        if (args.Any(a => a.Length == 0))
        {
            throw Error(text, "a field is empty");
        }

        switch (name)
        {
            case "none":
                NoMoreThan(text, args, 0);
                return new CodecSpec(name, text, null);
            case "crc32c":
                NoMoreThan(text, args, 0);
                return new CodecSpec(name, text, _ => new Crc32cCodec());
            case "blosc":
                NoMoreThan(text, args, 4);
                var cname = BloscCompressor.Lz4;
                if (args.Length > 0 && !BloscCodec.TryParseCompressor(args[0], out cname))
                {
                    throw Error(text, $"'{args[0]}' is not a blosc compressor (blosclz, lz4, lz4hc, zlib, zstd)");
                }

                var clevel = args.Length > 1 ? Integer(text, args[1], "CLEVEL", 0, 9) : 5;
                var shuffle = args.Length > 2 ? args[2] switch
                {
                    "noshuffle" => BloscShuffle.NoShuffle,
                    "shuffle" => BloscShuffle.Shuffle,
                    "bitshuffle" => BloscShuffle.BitShuffle,
                    _ => throw Error(text, $"'{args[2]}' is not a shuffle (noshuffle, shuffle, bitshuffle)"),
                } : BloscShuffle.Shuffle;
                var blockSize = args.Length > 3 ? Integer(text, args[3], "BLOCKSIZE", 0, int.MaxValue) : 0;
                return new CodecSpec(name, text, t => new BloscCodec(cname, clevel, shuffle, BloscCodec.TypeSizeFor(t), blockSize));
            case "zstd":
                NoMoreThan(text, args, 1);
                var zstdLevel = args.Length > 0 ? Integer(text, args[0], "LEVEL", -131072, 22) : 1;
                return new CodecSpec(name, text, _ => new ZstdCodec(zstdLevel));
            case "gzip":
                NoMoreThan(text, args, 1);
                var gzipLevel = args.Length > 0 ? Integer(text, args[0], "LEVEL", 0, 9) : 1;
                return new CodecSpec(name, text, _ => new GzipCodec(gzipLevel));
            case "zlib":
                NoMoreThan(text, args, 1);
                var zlibLevel = args.Length > 0 ? Integer(text, args[0], "LEVEL", 0, 9) : 1;
                return new CodecSpec(name, text, _ => new ZlibCodec(zlibLevel));
            case "lz4":
                NoMoreThan(text, args, 1);
                var acceleration = args.Length > 0 ? Integer(text, args[0], "ACCELERATION", 1, int.MaxValue) : 1;
                return new CodecSpec(name, text, _ => new Lz4Codec(acceleration));
            case "bz2":
                NoMoreThan(text, args, 1);
                var bz2Level = args.Length > 0 ? Integer(text, args[0], "LEVEL", 1, 9) : 1;
                return new CodecSpec(name, text, _ => new Bz2Codec(bz2Level));
            default:
                throw Error(text, $"'{name}' is not a codec ({string.Join(", ", Forms.Select(f => f.Name))})");
        }
    }

    /// <summary>
    /// Parses the <c>--codec</c> values and checks them against the format: null when none were given (the library's
    /// default, blosc lz4 5 shuffle); an empty list for <c>none</c>.
    /// </summary>
    /// <exception cref="UsageException">A spec is wrong, the format cannot hold it, or the combination is not one chain.</exception>
    /// <exception cref="CliException">A valid spec whose codec does not exist here yet.</exception>
    public static IReadOnlyList<CodecSpec>? ParseAll(IReadOnlyList<string>? texts, ZarrFormat format)
    {
        if (texts is null || texts.Count == 0)
        {
            return null;
        }

        var specs = texts.Select(Parse).ToList();
        if (specs.Any(s => s.IsNone))
        {
            if (specs.Count > 1)
            {
                throw new UsageException("--codec none means no compressor; it cannot be combined with other codecs");
            }

            return [];
        }

        foreach (var spec in specs)
        {
            if (!spec.FitsFormat(format))
            {
                var holds = format == ZarrFormat.V2 ? "v3 only" : "a v2 (numcodecs) compressor";
                throw new UsageException($"--codec {spec.Text}: {spec.Name} is {holds}; Zarr v{(int)format} cannot hold it");
            }
        }

        if (format == ZarrFormat.V2 && specs.Count > 1)
        {
            throw new UsageException($"Zarr v2 takes one compressor; got {specs.Count} (--codec {string.Join(", --codec ", specs.Select(s => s.Text))})");
        }

        var unsupported = specs.FirstOrDefault(s => s._build is null);
        if (unsupported is not null)
        {
            throw new CliException($"--codec {unsupported.Text}: {unsupported.Name} is not supported yet");
        }

        return specs;
    }

    /// <summary>The codec for an array of <paramref name="dataType"/> (blosc shuffles by its item size).</summary>
    public IBytesToBytesCodec Build(ZarrDataType dataType) =>
        _build?.Invoke(dataType) ?? throw new CliException($"--codec {Text}: {Name} is not supported yet");

    private static void NoMoreThan(string text, string[] args, int count)
    {
        if (args.Length > count)
        {
            throw Error(text, count == 0 ? "this codec takes no parameters" : $"this codec takes at most {count} parameter{(count == 1 ? "" : "s")}");
        }
    }

    private static int Integer(string text, string field, string what, int min, int max)
    {
        if (!int.TryParse(field, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw Error(text, $"{what} '{field}' is not an integer");
        }

        return value < min || value > max
            ? throw Error(text, $"{what} {value} is out of range ({min} to {max})")
            : value;
    }

    private static UsageException Error(string text, string message) => new($"--codec '{text}': {message}");
}
