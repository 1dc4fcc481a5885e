using System.Numerics;
using Zarr.Storage.Internal;

namespace Zarr.Storage.Datasets;

/// <summary>
/// The labels of a dimension (its coordinate's decoded values: numbers, or times as ticks) and the lookups selection by
/// label needs, as pandas' index answers them for xarray: exact, inclusive range, nearest within a tolerance. Each lookup
/// works in a window of the labels (the part a view still has) and answers an index into that window.
/// </summary>
internal sealed class CoordinateLabels<T> where T : struct, INumber<T>
{
    private readonly T[] _labels;

    public CoordinateLabels(string dimension, T[] labels, Func<T, string> format, Func<T, string> formatDistance)
    {
        Dimension = dimension;
        _labels = labels;
        Format = format;
        FormatDistance = formatDistance;
        Order = OrderOf(labels);
    }

    public string Dimension { get; }

    public Func<T, string> Format { get; }

    public Func<T, string> FormatDistance { get; }

    /// <summary>1 increasing, -1 decreasing, 0 neither (strictly, as a pandas index is monotonic and unique).</summary>
    public int Order { get; }

    /// <summary>The index of the label equal to <paramref name="value"/> in the window.</summary>
    /// <exception cref="ZarrSelectionException">No label is equal.</exception>
    public long IndexOf(T value, long start, long stop)
    {
        var window = _labels.AsSpan((int)start, (int)(stop - start));
        var found = Order == 0 ? window.IndexOf(value) : Search(window, value) is var (at, exact) && exact ? at : -1;
        return found >= 0 ? found : throw new ZarrSelectionException($"dimension {UserText.Quote(Dimension)} has no label {Format(value)}{Window(start, stop)}");
    }

    /// <summary>
    /// The labels from <paramref name="from"/> to <paramref name="to"/>, both included (xarray's <c>sel(dim=slice(from, to))</c>),
    /// given in the order of the labels (a decreasing coordinate takes the larger label first): start and stop in the window.
    /// </summary>
    /// <exception cref="ZarrSelectionException">The labels are not monotonic.</exception>
    public (long Start, long Stop) Range(T from, T to, long start, long stop)
    {
        var window = _labels.AsSpan((int)start, (int)(stop - start));
        if (Order == 0)
        {
            throw new ZarrSelectionException($"dimension {UserText.Quote(Dimension)}: its labels are not sorted (nor unique), so a range of labels selects nothing definite; select by index (ISel)");
        }

        var first = 0;
        while (first < window.Length && Before(window[first], from))
        {
            first++;
        }

        var last = first;
        while (last < window.Length && !Before(to, window[last]))
        {
            last++;
        }

        return (first, last);
    }

    /// <summary>The index of the label nearest <paramref name="value"/> (on a tie, the later one, as pandas), at most <paramref name="tolerance"/> away.</summary>
    /// <exception cref="ZarrSelectionException">The window is empty, or the nearest label is further than the tolerance.</exception>
    public long Nearest(T value, T? tolerance, long start, long stop)
    {
        var window = _labels.AsSpan((int)start, (int)(stop - start));
        var best = -1;
        var bestDistance = T.Zero;
        for (var i = 0; i < window.Length; i++)
        {
            var distance = T.Abs(window[i] - value);
            if (best < 0 || distance < bestDistance || (distance == bestDistance && Order != 0))
            {
                best = i;
                bestDistance = distance;
            }
        }

        if (best < 0 || (tolerance is { } limit && bestDistance > limit))
        {
            var nearest = best < 0 ? "none" : Format(window[best]);
            throw new ZarrSelectionException($"dimension {UserText.Quote(Dimension)}: no label within {(tolerance is { } t ? FormatDistance(t) : "any distance")} of {Format(value)} (nearest: {nearest}){Window(start, stop)}");
        }

        return best;
    }

    private bool Before(T a, T b) => Order > 0 ? a < b : a > b;

    private (int At, bool Exact) Search(ReadOnlySpan<T> window, T value)
    {
        int lo = 0, hi = window.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (Before(window[mid], value))
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return (lo, lo < window.Length && window[lo] == value);
    }

    private string Window(long start, long stop) =>
        start == 0 && stop == _labels.Length ? "" : $" among those selected (indices {start} to {stop - 1})";

    private static int OrderOf(T[] labels)
    {
        bool increasing = true, decreasing = true;
        for (var i = 1; i < labels.Length; i++)
        {
            increasing &= labels[i] > labels[i - 1];
            decreasing &= labels[i] < labels[i - 1];
        }

        return increasing ? 1 : decreasing ? -1 : 0;
    }
}
