using System.Buffers.Binary;
using System.Text;

namespace Zarr.Fuzz;

/// <summary>
/// Seeded random mutations of corpus inputs, as AFL++'s havoc stage makes them: bit flips, byte sets, interesting
/// integers (binary and as JSON text), insertions, deletions, truncation, duplication and splices of two inputs. The
/// same seed gives the same sequence, so a failure found in CI is found again on a developer's machine.
/// </summary>
internal sealed class Mutator(int seed, IReadOnlyList<byte[]> corpus, int maxLength = 1 << 20)
{
    private static readonly long[] InterestingIntegers =
    [
        0, 1, -1, 2, 7, 8, 15, 16, 17, 31, 32, 63, 64, 127, 128, 255, 256, 1023, 1024, 4095, 4096, 32767, 32768, 65535, 65536,
        int.MaxValue, (long)int.MaxValue + 1, int.MinValue, uint.MaxValue, (long)uint.MaxValue + 1, 1L << 40, long.MaxValue, long.MinValue,
        -2, -128, -129, -32768,
    ];

    private static readonly string[] InterestingText =
    [
        "0", "-1", "1e308", "-1e308", "1e-400", "2147483648", "4294967296", "1099511627776", "9223372036854775807",
        "9223372036854775808", "18446744073709551616", "NaN", "Infinity", "-Infinity", "null", "true", "\"\"", "[]", "{}",
        "[[[[[[[[", "\"\\u0000\"", "\"\\ud800\"", "\"../..\"", "\"/abs\"", "\"a\\\\b\"", "3.5", "-0",
    ];

    private readonly Random _random = new(seed);

    /// <summary>A new input: one corpus entry with one to eight mutations stacked.</summary>
    public byte[] Next()
    {
        var data = new List<byte>(corpus[_random.Next(corpus.Count)]);
        var count = 1 << _random.Next(4);
        for (var i = 0; i < count; i++)
        {
            Mutate(data);
        }

        if (data.Count > maxLength)
        {
            data.RemoveRange(maxLength, data.Count - maxLength);
        }

        return [.. data];
    }

    private void Mutate(List<byte> data)
    {
        switch (_random.Next(data.Count == 0 ? 2 : 11))
        {
            case 0:
                data.InsertRange(_random.Next(data.Count + 1), RandomBytes(1 + _random.Next(16)));
                break;
            case 1:
                data.InsertRange(_random.Next(data.Count + 1), Encoding.UTF8.GetBytes(InterestingText[_random.Next(InterestingText.Length)]));
                break;
            case 2:
                data[_random.Next(data.Count)] ^= (byte)(1 << _random.Next(8));
                break;
            case 3:
                data[_random.Next(data.Count)] = (byte)_random.Next(256);
                break;
            case 4:
                WriteInteger(data);
                break;
            case 5:
                ReplaceNumberText(data);
                break;
            case 6:
                {
                    var start = _random.Next(data.Count);
                    data.RemoveRange(start, 1 + _random.Next(Math.Min(64, data.Count - start)));
                    break;
                }

            case 7:
                {
                    var keep = _random.Next(data.Count);
                    data.RemoveRange(keep, data.Count - keep);
                    break;
                }

            case 8:
                {
                    var start = _random.Next(data.Count);
                    var length = 1 + _random.Next(Math.Min(256, data.Count - start));
                    data.InsertRange(_random.Next(data.Count + 1), data.GetRange(start, length));
                    break;
                }

            case 9:
                {
                    // Splice: this input's head, another's tail.
                    var other = corpus[_random.Next(corpus.Count)];
                    var cut = _random.Next(data.Count + 1);
                    var from = other.Length == 0 ? 0 : _random.Next(other.Length);
                    data.RemoveRange(cut, data.Count - cut);
                    data.AddRange(other.AsSpan(from).ToArray());
                    break;
                }

            default:
                {
                    var at = _random.Next(data.Count);
                    data[at] = (byte)(data[at] + _random.Next(-35, 36));
                    break;
                }
        }
    }

    private void WriteInteger(List<byte> data)
    {
        var value = InterestingIntegers[_random.Next(InterestingIntegers.Length)];
        var width = 1 << _random.Next(4);
        Span<byte> bytes = stackalloc byte[8];
        if (_random.Next(2) == 0)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        }
        else
        {
            BinaryPrimitives.WriteInt64BigEndian(bytes, value << (8 * (8 - width)));
        }

        var at = _random.Next(data.Count);
        for (var i = 0; i < width && at + i < data.Count; i++)
        {
            data[at + i] = bytes[i];
        }
    }

    /// <summary>Replaces a run of digits (a JSON number, a shape, a size) with an interesting number or token.</summary>
    private void ReplaceNumberText(List<byte> data)
    {
        var at = _random.Next(data.Count);
        var start = data.FindIndex(at, b => b is >= (byte)'0' and <= (byte)'9');
        if (start < 0)
        {
            WriteInteger(data);
            return;
        }

        var end = start;
        while (end < data.Count && data[end] is >= (byte)'0' and <= (byte)'9' or (byte)'.' or (byte)'-' or (byte)'e')
        {
            end++;
        }

        data.RemoveRange(start, end - start);
        data.InsertRange(start, Encoding.UTF8.GetBytes(InterestingText[_random.Next(InterestingText.Length)]));
    }

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }
}
