namespace Zarr.Storage.Codecs.Registry;

/// <summary>
/// The numcodecs codecs this library knows of and does not run, each with why: a metadata error for one says what the
/// codec is and why it cannot be read, where an unknown name only lists what is known. By numcodecs id; a v3 name is
/// the id with or without zarr-python 3's <c>numcodecs.</c> prefix (<c>numcodecs.pcodec</c>, <c>vlen-bytes</c>).
/// </summary>
internal static class UnsupportedNumcodecs
{
    private const string ObjectCodec = "an object codec (numcodecs turns Python objects into bytes with it)";

    private static readonly Dictionary<string, string> Reasons = new(StringComparer.Ordinal)
    {
        ["pcodec"] = "pcodec (numcodecs.pcodec, an array→bytes codec of numbers) needs the pcodec library, which has no .NET or Debian build this library can load",
        ["vlen-bytes"] = $"{ObjectCodec} for variable-length byte strings; of the variable-length codecs only 'vlen-utf8' (strings) is supported",
        ["vlen-array"] = $"{ObjectCodec} for ragged arrays (variable-length arrays per element), which this library's fixed-size element types cannot hold",
        ["json2"] = $"{ObjectCodec} storing arbitrary JSON values per element, which this library's element types cannot hold",
        ["msgpack2"] = $"{ObjectCodec} storing arbitrary MessagePack values per element, which this library's element types cannot hold",
        ["pickle"] = $"{ObjectCodec} storing Python pickles, which only Python can read (and reading them runs code)",
        ["categorize"] = "numcodecs' categorize filter (strings to category numbers over an object array's labels) is not supported",
        ["base64"] = "numcodecs' base64 codec is not supported",
    };

    /// <summary>Why the numcodecs codec <paramref name="name"/> (an id or a v3 name) is not supported, or null when it is not one of these.</summary>
    public static string? Reason(string name)
    {
        var id = name.StartsWith("numcodecs.", StringComparison.Ordinal) ? name["numcodecs.".Length..] : name;
        return Reasons.GetValueOrDefault(id);
    }
}
