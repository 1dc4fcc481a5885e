using System.Globalization;
using System.Text;
using Zarr.Storage.Internal;

namespace Zarr.Storage;

/// <summary>
/// How chunk grid coordinates become store keys: v3's <c>default</c> (<c>c/1/2</c>, or <c>c.1.2</c>) and
/// <c>v2</c> (<c>1.2</c> or <c>1/2</c>; <c>0</c> for a 0-d array).
/// </summary>
public sealed class ChunkKeyEncoding : IEquatable<ChunkKeyEncoding>
{
    private ChunkKeyEncoding(bool isDefault, char separator)
    {
        IsDefault = isDefault;
        Separator = separator;
    }

    /// <summary>v3 <c>default</c> with '/': <c>c/1/2</c>.</summary>
    public static ChunkKeyEncoding Default { get; } = new(true, '/');

    /// <summary>v2 with '.': <c>1.2</c> (the v2 format's default).</summary>
    public static ChunkKeyEncoding V2Dot { get; } = new(false, '.');

    /// <summary>v2 with '/': <c>1/2</c>.</summary>
    public static ChunkKeyEncoding V2Slash { get; } = new(false, '/');

    /// <summary>True for v3 <c>default</c>, false for <c>v2</c>.</summary>
    public bool IsDefault { get; }

    /// <summary>The separator, '/' or '.'.</summary>
    public char Separator { get; }

    /// <summary>The v3 name: <c>default</c> or <c>v2</c>.</summary>
    public string Name => IsDefault ? "default" : "v2";

    /// <summary>An encoding by name and separator.</summary>
    /// <exception cref="ArgumentException">The name is not <c>default</c> or <c>v2</c>, or the separator is not '/' or '.'.</exception>
    public static ChunkKeyEncoding Create(string name, char separator)
    {
        if (separator is not ('/' or '.'))
        {
            throw new ArgumentException($"chunk key separator must be '/' or '.', not '{separator}'", nameof(separator));
        }

        return name switch
        {
            "default" => separator == '/' ? Default : new ChunkKeyEncoding(true, '.'),
            "v2" => separator == '.' ? V2Dot : V2Slash,
            _ => throw new ArgumentException($"unknown chunk key encoding {UserText.Quote(name)} (expected 'default' or 'v2')", nameof(name)),
        };
    }

    /// <summary>The key of the chunk at <paramref name="coordinates"/>, relative to the array's folder.</summary>
    public string Encode(ReadOnlySpan<long> coordinates)
    {
        var sb = new StringBuilder(IsDefault ? 2 + (coordinates.Length * 4) : coordinates.Length * 4);
        if (IsDefault)
        {
            sb.Append('c');
            foreach (var c in coordinates)
            {
                sb.Append(Separator).Append(c.ToString(CultureInfo.InvariantCulture));
            }

            return sb.ToString();
        }

        if (coordinates.Length == 0)
        {
            return "0";
        }

        for (var i = 0; i < coordinates.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(Separator);
            }

            sb.Append(coordinates[i].ToString(CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }

    /// <summary>Parses a key made by <see cref="Encode"/> for an array of <paramref name="rank"/> dimensions.</summary>
    public bool TryDecode(string key, int rank, Span<long> coordinates)
    {
        ArgumentNullException.ThrowIfNull(key);
        ReadOnlySpan<char> rest = key;
        if (IsDefault)
        {
            if (!rest.StartsWith("c"))
            {
                return false;
            }

            rest = rest[1..];
            if (rank == 0)
            {
                return rest.IsEmpty;
            }

            if (rest.IsEmpty || rest[0] != Separator)
            {
                return false;
            }

            rest = rest[1..];
        }
        else if (rank == 0)
        {
            return rest.SequenceEqual("0");
        }

        for (var i = 0; i < rank; i++)
        {
            var end = rest.IndexOf(Separator);
            var part = end < 0 ? rest : rest[..end];
            if (part.IsEmpty || !long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }

            coordinates[i] = value;
            if (i == rank - 1)
            {
                return end < 0;
            }

            if (end < 0)
            {
                return false;
            }

            rest = rest[(end + 1)..];
        }

        return false;
    }

    /// <inheritdoc />
    public bool Equals(ChunkKeyEncoding? other) => other is not null && other.IsDefault == IsDefault && other.Separator == Separator;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ChunkKeyEncoding);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(IsDefault, Separator);

    /// <inheritdoc />
    public override string ToString() => $"{Name}('{Separator}')";
}
