using System.Globalization;
using System.Text;

namespace Zarr.Cli.Npy;

/// <summary>The three fields of a .npy header dict; <see cref="Descr"/> is a type string or a structured descr (a list of tuples, as lists).</summary>
internal sealed record NpyHeaderDict(object Descr, bool FortranOrder, long[] Shape);

/// <summary>
/// A parser for the small subset of Python literals a .npy header holds: a dict of strings, booleans, integers,
/// tuples and lists (as <c>ast.literal_eval</c> would read them; nothing is evaluated); and the writer of its strings.
/// </summary>
internal sealed class PythonLiteral
{
    private readonly string _text;
    private readonly string _name;
    private int _position;

    private PythonLiteral(string text, string name)
    {
        _text = text;
        _name = name;
    }

    /// <summary>Parses the header text into its <c>descr</c>, <c>fortran_order</c> and <c>shape</c>.</summary>
    /// <exception cref="InvalidDataException">The text is not such a dict.</exception>
    public static NpyHeaderDict ParseHeaderDict(string text, string name)
    {
        var parser = new PythonLiteral(text, name);
        var value = parser.ParseValue();
        parser.SkipWhitespace();
        if (parser._position != text.Length)
        {
            throw parser.Error("text after the header dict");
        }

        if (value is not Dictionary<string, object?> dict)
        {
            throw parser.Error("the header is not a dict");
        }

        foreach (var required in new[] { "descr", "fortran_order", "shape" })
        {
            if (!dict.ContainsKey(required))
            {
                throw parser.Error($"the header has no '{required}'");
            }
        }

        var descr = dict["descr"] switch
        {
            string s => (object)s,
            List<object?> fields => fields,
            _ => throw parser.Error("'descr' is not a string or a list of fields"),
        };
        var fortran = dict["fortran_order"] as bool? ?? throw parser.Error("'fortran_order' is not True or False");
        if (dict["shape"] is not List<object?> shapeItems || shapeItems.Any(i => i is not long n || n < 0))
        {
            throw parser.Error("'shape' is not a tuple of non-negative integers");
        }

        return new NpyHeaderDict(descr, fortran, [.. shapeItems.Cast<long>()]);
    }

    /// <summary>
    /// A string as Python's <c>repr</c> writes it (the quote it picks; <c>\\</c>, <c>\n</c>, <c>\x..</c> escapes), except
    /// that every character above U+00FF is escaped too (<c>\u....</c>, <c>\U........</c>), so that the text is Latin-1
    /// and a header holding it stays in format 1.0 (numpy reads the escapes back to the same string).
    /// </summary>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var quote = value.Contains('\'', StringComparison.Ordinal) && !value.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        var sb = new StringBuilder(value.Length + 2).Append(quote);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == quote || c == '\\')
            {
                sb.Append('\\').Append(c);
            }
            else if (c is '\t' or '\n' or '\r')
            {
                sb.Append(c switch { '\t' => "\\t", '\n' => "\\n", _ => "\\r" });
            }
            else if (c is >= ' ' and < '\u007F' || (c is >= '\u00A1' and <= '\u00FF' && c != '\u00AD'))
            {
                sb.Append(c); // printable ASCII and printable Latin-1, as repr leaves them
            }
            else if (c <= '\u00FF')
            {
                sb.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
            }
            else if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                sb.Append(CultureInfo.InvariantCulture, $"\\U{char.ConvertToUtf32(c, value[++i]):x8}");
            }
            else
            {
                sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
        }

        return sb.Append(quote).ToString();
    }

    private object? ParseValue()
    {
        SkipWhitespace();
        if (_position >= _text.Length)
        {
            throw Error("the header ends early");
        }

        var c = _text[_position];
        switch (c)
        {
            case '{':
                return ParseDict();
            case '(':
                return ParseSequence(')');
            case '[':
                return ParseSequence(']');
            case '\'' or '"':
                return ParseString();
        }

        if (c is '-' or '+' || char.IsAsciiDigit(c))
        {
            return ParseInteger();
        }

        foreach (var (word, value) in new (string, object?)[] { ("True", true), ("False", false), ("None", null) })
        {
            if (string.CompareOrdinal(_text, _position, word, 0, word.Length) == 0)
            {
                _position += word.Length;
                return value;
            }
        }

        throw Error($"unexpected '{c}'");
    }

    private Dictionary<string, object?> ParseDict()
    {
        _position++;
        var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
        while (true)
        {
            SkipWhitespace();
            if (Peek() == '}')
            {
                _position++;
                return dict;
            }

            if (ParseValue() is not string key)
            {
                throw Error("a dict key is not a string");
            }

            SkipWhitespace();
            Expect(':');
            dict[key] = ParseValue();
            SkipWhitespace();
            if (Peek() == ',')
            {
                _position++;
            }
            else if (Peek() != '}')
            {
                throw Error("expected ',' or '}' in the dict");
            }
        }
    }

    private List<object?> ParseSequence(char close)
    {
        _position++;
        var items = new List<object?>();
        while (true)
        {
            SkipWhitespace();
            if (Peek() == close)
            {
                _position++;
                return items;
            }

            items.Add(ParseValue());
            SkipWhitespace();
            if (Peek() == ',')
            {
                _position++;
            }
            else if (Peek() != close)
            {
                throw Error($"expected ',' or '{close}'");
            }
        }
    }

    private string ParseString()
    {
        var quote = _text[_position++];
        var sb = new StringBuilder();
        while (_position < _text.Length && _text[_position] != quote)
        {
            if (_text[_position] != '\\' || _position + 1 >= _text.Length)
            {
                sb.Append(_text[_position++]);
                continue;
            }

            var escape = _text[_position + 1];
            _position += 2;
            switch (escape)
            {
                case 'x' or 'u' or 'U':
                    AppendCodePoint(sb, ParseHex(escape == 'x' ? 2 : escape == 'u' ? 4 : 8));
                    break;
                case >= '0' and <= '7':
                    var value = escape - '0';
                    for (var digits = 1; digits < 3 && Peek() is >= '0' and <= '7'; digits++)
                    {
                        value = (value * 8) + (_text[_position++] - '0');
                    }

                    AppendCodePoint(sb, value);
                    break;
                case '\n':
                    break; // a line continuation
                default:
                    sb.Append(escape switch
                    {
                        'n' => "\n",
                        't' => "\t",
                        'r' => "\r",
                        'a' => "\a",
                        'b' => "\b",
                        'f' => "\f",
                        'v' => "\v",
                        '\\' or '\'' or '"' => escape.ToString(),
                        _ => "\\" + escape, // Python keeps an unknown escape as it is
                    });
                    break;
            }
        }

        Expect(quote);
        return sb.ToString();
    }

    private int ParseHex(int digits)
    {
        if (_position + digits > _text.Length
            || !int.TryParse(_text.AsSpan(_position, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            throw Error($"a \\x, \\u or \\U escape needs {digits} hexadecimal digits");
        }

        _position += digits;
        return value;
    }

    private void AppendCodePoint(StringBuilder sb, int value)
    {
        if (value is < 0 or > 0x10FFFF)
        {
            throw Error($"the escape \\U{value:x8} is not a code point");
        }

        if (value <= 0xFFFF)
        {
            sb.Append((char)value); // a lone surrogate stays one, as in Python
        }
        else
        {
            sb.Append(char.ConvertFromUtf32(value));
        }
    }

    private long ParseInteger()
    {
        var start = _position;
        if (_text[_position] is '-' or '+')
        {
            _position++;
        }

        while (_position < _text.Length && char.IsAsciiDigit(_text[_position]))
        {
            _position++;
        }

        var digits = _text[start.._position];
        if (Peek() is 'L' or 'l')
        {
            _position++; // Python 2 long literals, as old numpy wrote them
        }

        return long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Error($"'{digits}' is not an integer");
    }

    private char Peek() => _position < _text.Length ? _text[_position] : '\0';

    private void Expect(char c)
    {
        if (Peek() != c)
        {
            throw Error($"expected '{c}'");
        }

        _position++;
    }

    private void SkipWhitespace()
    {
        while (_position < _text.Length && char.IsWhiteSpace(_text[_position]))
        {
            _position++;
        }
    }

    private InvalidDataException Error(string message) =>
        new($"{_name}: the .npy header is not valid ({message} at character {_position}): {_text.TrimEnd()}");
}
