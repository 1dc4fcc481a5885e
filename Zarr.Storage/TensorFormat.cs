using System.Globalization;
using System.Numerics.Tensors;
using System.Text;

namespace Zarr.Storage;

/// <summary>
/// Prints tensors as numpy's <c>repr</c> prints arrays (without the <c>array(...)</c> around them): nested brackets,
/// values right-aligned to a common width, and, past <see cref="SummaryThreshold"/> elements, only the first and last
/// <see cref="EdgeItems"/> of each dimension with <c>...</c> between them. <c>Console.WriteLine(tensor)</c> shows
/// only the type and the shape; <c>Console.WriteLine(tensor.ToNumpyString())</c> shows the values.
/// </summary>
public static class TensorFormat
{
    /// <summary>numpy's <c>threshold</c>: tensors with more elements than this are summarised.</summary>
    public const int SummaryThreshold = 1000;

    /// <summary>numpy's <c>edgeitems</c>: how many elements a summarised dimension shows at each end.</summary>
    public const int EdgeItems = 3;

    /// <summary>The values of <paramref name="tensor"/> as numpy prints them.</summary>
    /// <typeparam name="T">The element type: numbers, bool, <see cref="Half"/>, complex, or anything with a ToString.</typeparam>
    /// <param name="tensor">The tensor.</param>
    /// <returns>The text, with no trailing newline.</returns>
    public static string ToNumpyString<T>(this Tensor<T> tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var shape = tensor.Lengths.ToArray();
        var values = new T[tensor.FlattenedLength];
        tensor.FlattenTo(values);
        return Format(values, shape);
    }

    /// <summary>Values in C order with their shape, printed as numpy prints an array of that shape.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="values">The values, in C order.</param>
    /// <param name="shape">The shape; empty for a single value.</param>
    /// <returns>The text, with no trailing newline.</returns>
    /// <exception cref="ArgumentException">The shape does not hold exactly <paramref name="values"/>' count.</exception>
    public static string Format<T>(ReadOnlySpan<T> values, ReadOnlySpan<nint> shape)
    {
        long count = 1;
        foreach (var length in shape)
        {
            count *= length;
        }

        if (count != values.Length)
        {
            throw new ArgumentException($"a shape of {count} elements for {values.Length} values", nameof(values));
        }

        if (shape.Length == 0)
        {
            return Text(values[0]);
        }

        var summarise = values.Length > SummaryThreshold;
        var shown = new List<long>();
        CollectShown(shape, 0, 0, summarise, shown);
        var texts = new Dictionary<long, string>(shown.Count);
        var width = 0;
        foreach (var index in shown)
        {
            var text = Text(values[(int)index]);
            texts[index] = text;
            width = Math.Max(width, text.Length);
        }

        var output = new StringBuilder();
        Write(output, shape, 0, 0, summarise, texts, width);
        return output.ToString();
    }

    private static void CollectShown(ReadOnlySpan<nint> shape, int dimension, long offset, bool summarise, List<long> shown)
    {
        var stride = Stride(shape, dimension);
        foreach (var i in Indices(shape[dimension], summarise))
        {
            if (i < 0)
            {
                continue;
            }

            if (dimension == shape.Length - 1)
            {
                shown.Add(offset + i);
            }
            else
            {
                CollectShown(shape, dimension + 1, offset + (i * stride), summarise, shown);
            }
        }
    }

    private static void Write(StringBuilder output, ReadOnlySpan<nint> shape, int dimension, long offset, bool summarise, Dictionary<long, string> texts, int width)
    {
        output.Append('[');
        var stride = Stride(shape, dimension);
        var last = dimension == shape.Length - 1;
        var first = true;
        foreach (var i in Indices(shape[dimension], summarise))
        {
            if (!first)
            {
                // numpy: ", " between values; ",\n" then one blank line per dimension left below, and indentation.
                output.Append(',');
                if (last)
                {
                    output.Append(' ');
                }
                else
                {
                    output.Append('\n', shape.Length - dimension - 1).Append(' ', dimension + 1);
                }
            }

            first = false;
            if (i < 0)
            {
                output.Append("...");
            }
            else if (last)
            {
                output.Append(texts[offset + i].PadLeft(width));
            }
            else
            {
                Write(output, shape, dimension + 1, offset + (i * stride), summarise, texts, width);
            }
        }

        output.Append(']');
    }

    /// <summary>The indices of one dimension that are shown; -1 stands for the "..." of a summarised dimension.</summary>
    private static IEnumerable<long> Indices(nint length, bool summarise)
    {
        if (!summarise || length <= 2 * EdgeItems)
        {
            for (long i = 0; i < length; i++)
            {
                yield return i;
            }

            yield break;
        }

        for (long i = 0; i < EdgeItems; i++)
        {
            yield return i;
        }

        yield return -1;
        for (long i = length - EdgeItems; i < length; i++)
        {
            yield return i;
        }
    }

    private static long Stride(ReadOnlySpan<nint> shape, int dimension)
    {
        long stride = 1;
        for (var d = dimension + 1; d < shape.Length; d++)
        {
            stride *= shape[d];
        }

        return stride;
    }

    /// <summary>One value as numpy writes it: True/False, nan/inf, floats in their shortest exact form with a final dot.</summary>
    private static string Text<T>(T value) => value switch
    {
        bool b => b ? "True" : "False",
        double d => Real(d),
        float f => Real(f),
        Half h => Real((float)h),
        System.Numerics.Complex c => $"{Real(c.Real)}{(c.Imaginary < 0 || double.IsNegative(c.Imaginary) ? "-" : "+")}{Real(Math.Abs(c.Imaginary))}j",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        null => "None",
        _ => value.ToString() ?? "",
    };

    private static string Real(double d)
    {
        if (double.IsNaN(d))
        {
            return "nan";
        }

        if (double.IsInfinity(d))
        {
            return d > 0 ? "inf" : "-inf";
        }

        var text = d.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.', StringComparison.Ordinal) || text.Contains('E', StringComparison.Ordinal) ? text.Replace("E", "e", StringComparison.Ordinal) : text + ".";
    }

    private static string Real(float f) => float.IsFinite(f) ? Real(double.Parse(f.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)) : Real((double)f);
}
