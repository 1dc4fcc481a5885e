using System.Globalization;
using Zarr.Storage;

namespace Zarr.Cli;

/// <summary>One dimension of a <c>--region</c>: an integer (which drops the dimension) or a <c>start:stop:step</c> range.</summary>
internal readonly record struct RegionItem(bool IsIndex, long? Start, long? Stop, long Step)
{
    /// <summary>A whole dimension (<c>:</c>).</summary>
    public static RegionItem All { get; } = new(false, null, null, 1);
}

/// <summary>A region resolved against one dimension: <c>Count</c> elements from <c>Start</c> every <c>Step</c>.</summary>
internal readonly record struct ResolvedDimension(long Start, long Count, long Step, bool Dropped)
{
    /// <summary>The library slice for elements <paramref name="first"/> to <paramref name="last"/> (exclusive) of this selection.</summary>
    public Slice ToSlice(long first, long last) =>
        Dropped ? Slice.At(Start) : Slice.Range(Start + (first * Step), Start + ((last - 1) * Step) + 1, Step);

    /// <summary>The library slice for the whole selection of this dimension.</summary>
    public Slice ToSlice() => Dropped ? Slice.At(Start) : ToSlice(0, Count);
}

/// <summary>
/// Parses <c>--region</c>: numpy's slice grammar per dimension, comma-separated (<c>0:100,:</c>, <c>::2,5</c>,
/// <c>-10:</c>). Negative bounds count from the end; an integer drops its dimension; dimensions left out are whole.
/// Steps must be positive.
/// </summary>
internal static class RegionParser
{
    /// <summary>Parses the text; an empty text selects everything.</summary>
    /// <exception cref="UsageException">The text is not the grammar, or a step is zero or negative.</exception>
    public static IReadOnlyList<RegionItem> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Trim().Length == 0)
        {
            return [];
        }

        var items = new List<RegionItem>();
        foreach (var raw in text.Split(','))
        {
            var part = raw.Trim();
            if (part.Length == 0)
            {
                throw new UsageException($"--region '{text}': an empty dimension (use ':' for a whole dimension)");
            }

            var fields = part.Split(':');
            if (fields.Length == 1)
            {
                items.Add(new RegionItem(true, Integer(fields[0], text), null, 1));
                continue;
            }

            if (fields.Length > 3)
            {
                throw new UsageException($"--region '{text}': '{part}' has more than start:stop:step");
            }

            var start = Optional(fields[0], text);
            var stop = Optional(fields[1], text);
            var step = fields.Length == 3 ? Optional(fields[2], text) ?? 1 : 1;
            if (step <= 0)
            {
                throw new UsageException($"--region '{text}': step {step} in '{part}' is not supported; steps must be positive");
            }

            items.Add(new RegionItem(false, start, stop, step));
        }

        return items;
    }

    /// <summary>Resolves the region against a shape, as numpy does (ranges clamp, integers must be in bounds).</summary>
    /// <exception cref="ZarrSelectionException">More dimensions than the array has, or an integer out of bounds.</exception>
    public static ResolvedDimension[] Resolve(IReadOnlyList<RegionItem> region, IReadOnlyList<long> shape)
    {
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(shape);
        if (region.Count > shape.Count)
        {
            throw new ZarrSelectionException($"the region has {region.Count} dimensions but the array has {shape.Count}");
        }

        var resolved = new ResolvedDimension[shape.Count];
        for (var d = 0; d < shape.Count; d++)
        {
            var item = d < region.Count ? region[d] : RegionItem.All;
            var length = shape[d];
            if (item.IsIndex)
            {
                var index = item.Start!.Value;
                var i = index < 0 ? index + length : index;
                if (i < 0 || i >= length)
                {
                    throw new ZarrSelectionException($"index {index} is out of bounds for dimension {d} of length {length}");
                }

                resolved[d] = new ResolvedDimension(i, 1, 1, true);
                continue;
            }

            var start = Clamp(item.Start ?? 0, length);
            var stop = item.Stop is { } s ? Clamp(s, length) : length;
            var count = stop <= start ? 0 : ((stop - start - 1) / item.Step) + 1;
            resolved[d] = new ResolvedDimension(start, count, item.Step, false);
        }

        return resolved;
    }

    private static long Clamp(long bound, long length) => Math.Clamp(bound < 0 ? bound + length : bound, 0, length);

    private static long? Optional(string field, string text) => field.Trim().Length == 0 ? null : Integer(field, text);

    private static long Integer(string field, string text) =>
        long.TryParse(field.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new UsageException($"--region '{text}': '{field.Trim()}' is not an integer");
}
