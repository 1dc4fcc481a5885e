using Zarr.Storage.Internal;

namespace Zarr.Storage;

/// <summary>
/// The one set of rules for store keys and prefixes, shared by every store: public so that a store written in another
/// assembly refuses the keys the library's stores refuse, with the same messages (<see cref="Validate"/>,
/// <see cref="ValidatePrefix"/>).
/// </summary>
/// <remarks>
/// <para>A key is one or more '/'-separated segments. It is refused (with a <see cref="ZarrStoreException"/> naming the
/// key and the rule) when it is empty, starts with '/', ends with '/', has an empty segment ('a//b'), has a '.' or '..'
/// segment, holds a backslash, NUL or any other control character, is not valid UTF-16 (a lone surrogate: such a key
/// has no UTF-8 form, and a store that encoded it would replace the surrogate with U+FFFD, so that <c>"k\uD800"</c>,
/// <c>"k\uDBFF"</c> and <c>"k\uFFFD"</c> would name one file), or has a segment of the form
/// <c>.{name}.{16 hex digits}.tmp</c>, which is reserved for the temporary files of atomic writes. The message quotes
/// the key escaped and shortened.</para>
/// <para>A prefix is "" (everything) or a valid key followed by '/'.</para>
/// </remarks>
public static class StoreKey
{
    /// <summary>The separator between the segments of a key.</summary>
    public const char Separator = '/';

    private const string TemporarySuffix = ".tmp";
    private const int TemporaryRandomLength = 16;
    private const int TemporaryNameMaxLength = 32;

    /// <summary>Throws unless <paramref name="key"/> is a valid key.</summary>
    /// <exception cref="ZarrStoreException">The key breaks a rule; the message says which.</exception>
    public static void Validate(string key)
    {
        var error = GetKeyError(key);
        if (error is not null)
        {
            throw new ZarrStoreException(key, error);
        }
    }

    /// <summary>Throws unless <paramref name="prefix"/> is "" or a valid key followed by '/'.</summary>
    /// <exception cref="ZarrStoreException">The prefix breaks a rule; the message says which.</exception>
    public static void ValidatePrefix(string prefix)
    {
        var error = GetPrefixError(prefix);
        if (error is not null)
        {
            throw new ZarrStoreException(prefix, error);
        }
    }

    /// <summary>True when <paramref name="key"/> is a valid key.</summary>
    public static bool IsValid(string? key) => key is not null && GetKeyError(key) is null;

    /// <summary>True when <paramref name="prefix"/> is a valid prefix.</summary>
    public static bool IsValidPrefix(string? prefix) => prefix is not null && GetPrefixError(prefix) is null;

    /// <summary>Joins a prefix ("" or ending in '/') and a relative key: <c>Join("a/", "b/c")</c> is <c>"a/b/c"</c>.</summary>
    /// <exception cref="ZarrStoreException">The prefix or the result is not valid.</exception>
    internal static string Join(string prefix, string key)
    {
        ValidatePrefix(prefix);
        var joined = prefix + key;
        Validate(joined);
        return joined;
    }

    /// <summary>Joins path segments with '/', skipping empty ones and trimming '/' at their ends: <c>Combine("a/", "b", "c")</c> is <c>"a/b/c"</c>.</summary>
    /// <exception cref="ZarrStoreException">The result is not a valid key.</exception>
    internal static string Combine(params ReadOnlySpan<string> segments)
    {
        var parts = new List<string>(segments.Length);
        foreach (var segment in segments)
        {
            var trimmed = (segment ?? string.Empty).Trim(Separator);
            if (trimmed.Length > 0)
            {
                parts.Add(trimmed);
            }
        }

        var joined = string.Join(Separator, parts);
        Validate(joined);
        return joined;
    }

    /// <summary>The prefix naming the folder <paramref name="path"/>: "" for "", else <c>path + "/"</c>.</summary>
    /// <exception cref="ZarrStoreException">The result is not a valid prefix.</exception>
    public static string ToPrefix(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var prefix = path.Length == 0 || path.EndsWith(Separator) ? path : path + Separator;
        ValidatePrefix(prefix);
        return prefix;
    }

    /// <summary>The reason <paramref name="key"/> is not a valid key, or null when it is.</summary>
    public static string? GetKeyError(string key)
    {
        if (key is null)
        {
            return "a key must not be null";
        }

        if (key.Length == 0)
        {
            return "a key must not be empty";
        }

        if (key[0] == Separator)
        {
            return "a key must not start with '/' (keys are relative to the store's root)";
        }

        if (key[^1] == Separator)
        {
            return "a key must not end with '/'";
        }

        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i];
            if (c == '\\')
            {
                return $"a key must not contain a backslash (at position {i}); segments are separated by '/'";
            }

            if (char.IsControl(c))
            {
                return $"a key must not contain control characters (U+{(int)c:X4} at position {i})";
            }

            if (char.IsSurrogate(c))
            {
                if (char.IsHighSurrogate(c) && i + 1 < key.Length && char.IsLowSurrogate(key[i + 1]))
                {
                    i++;
                    continue;
                }

                return $"a key must be valid UTF-16 (Zarr keys are UTF-8): a lone surrogate (U+{(int)c:X4}) at position {i} has no UTF-8 form, and a store that replaced it would alias another key";
            }
        }

        var rest = key.AsSpan();
        while (true)
        {
            var end = rest.IndexOf(Separator);
            var segment = end < 0 ? rest : rest[..end];
            if (segment.Length == 0)
            {
                return "a key must not have an empty segment ('//')";
            }

            if (segment is "." or "..")
            {
                return $"a key must not have a '{segment}' segment";
            }

            if (IsTemporaryName(segment))
            {
                return $"the segment {UserText.Quote(segment.ToString())} has the form reserved for temporary files (.name.<16 hex digits>.tmp)";
            }

            if (end < 0)
            {
                return null;
            }

            rest = rest[(end + 1)..];
        }
    }

    /// <summary>The reason <paramref name="prefix"/> is not a valid prefix, or null when it is.</summary>
    public static string? GetPrefixError(string prefix)
    {
        if (prefix is null)
        {
            return "a prefix must not be null";
        }

        if (prefix.Length == 0)
        {
            return null;
        }

        if (prefix[^1] != Separator)
        {
            return "a prefix must be \"\" or end with '/'";
        }

        if (prefix.Length == 1)
        {
            return "a prefix must not be \"/\" (use \"\" for the root)";
        }

        return GetKeyError(prefix[..^1]);
    }

    /// <summary>True when <paramref name="name"/> can be one segment of a key (a file or folder name a store lists).</summary>
    internal static bool IsValidSegment(ReadOnlySpan<char> name)
    {
        if (name.Length == 0 || name is "." or ".." || IsTemporaryName(name))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (c is Separator or '\\' || char.IsControl(c))
            {
                return false;
            }
        }

        return !HasLoneSurrogate(name);
    }

    private static bool HasLoneSurrogate(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsSurrogate(text[i]))
            {
                if (!char.IsHighSurrogate(text[i]) || i + 1 == text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return true;
                }

                i++;
            }
        }

        return false;
    }

    /// <summary>
    /// True for a name of the form <c>.{name}.{16 hex digits}.tmp</c>: a temporary file of an atomic write, never a key.
    /// </summary>
    internal static bool IsTemporaryName(ReadOnlySpan<char> name)
    {
        // '.' + at least one char + '.' + 16 hex + ".tmp"
        const int tail = 1 + TemporaryRandomLength + 4;
        if (name.Length < 2 + tail || name[0] != '.' || !name.EndsWith(TemporarySuffix, StringComparison.Ordinal))
        {
            return false;
        }

        var dot = name.Length - tail;
        if (name[dot] != '.')
        {
            return false;
        }

        foreach (var c in name.Slice(dot + 1, TemporaryRandomLength))
        {
            if (!char.IsAsciiHexDigitLower(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A fresh temporary file name for a write of the file <paramref name="name"/>, in the same folder.</summary>
    internal static string NewTemporaryName(string name)
    {
        // Keep the name short enough for file systems that limit a name to 255 bytes.
        var stem = name.Length > TemporaryNameMaxLength ? name[..TemporaryNameMaxLength] : name;
        if (stem.Length > 0 && char.IsHighSurrogate(stem[^1]))
        {
            stem = stem[..^1];
        }

        Span<byte> random = stackalloc byte[TemporaryRandomLength / 2];
        System.Security.Cryptography.RandomNumberGenerator.Fill(random);
        return $".{stem}.{Convert.ToHexStringLower(random)}{TemporarySuffix}";
    }
}
