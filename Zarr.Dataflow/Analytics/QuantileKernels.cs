namespace Zarr.Dataflow;

/// <summary>How a quantile between two sorted values is taken: numpy's <c>method</c> argument of <c>quantile</c> (the ones xarray's <c>quantile</c> also offers by those names).</summary>
public enum QuantileMethod
{
    /// <summary>Interpolated linearly between the neighbours of position q·(n−1) (numpy's default, <c>"linear"</c>).</summary>
    Linear,

    /// <summary>The lower neighbour (<c>"lower"</c>).</summary>
    Lower,

    /// <summary>The higher neighbour (<c>"higher"</c>).</summary>
    Higher,

    /// <summary>The nearer neighbour, a tie going to the even position as numpy's <c>around</c> rounds (<c>"nearest"</c>).</summary>
    Nearest,

    /// <summary>Halfway between the neighbours, or the value itself at a whole position (<c>"midpoint"</c>).</summary>
    Midpoint,
}

/// <summary>
/// Quantiles of each lane (one, dropping the axis, or several): the lane's values sorted once, each quantile taken at
/// position q·(k−1) of the k values as numpy's <c>quantile(method=…)</c> takes it (linear: Hyndman and Fan's type 7,
/// interpolated as numpy's <c>_lerp</c>). NaN skipped (nanquantile) or, when not skipped, a
/// lane with a NaN gives NaN for every quantile; an empty lane gives NaN.
/// </summary>
internal sealed class QuantilesKernel(double[] quantiles, bool skipNaN, QuantileMethod method, bool dropAxis) : LaneKernel
{
    public override int OutputLength => dropAxis ? -1 : quantiles.Length;

    public override void Apply(ReadOnlySpan<double> lane, Span<double> output, Span<double> scratch)
    {
        var k = 0;
        foreach (var v in lane)
        {
            if (double.IsNaN(v))
            {
                if (!skipNaN)
                {
                    output.Fill(double.NaN);
                    return;
                }

                continue;
            }

            scratch[k++] = v;
        }

        if (k == 0)
        {
            output.Fill(double.NaN);
            return;
        }

        var sorted = scratch[..k];
        sorted.Sort();
        for (var i = 0; i < quantiles.Length; i++)
        {
            output[i] = At(sorted, quantiles[i], method);
        }
    }

    /// <summary>The <paramref name="q"/>-quantile of <paramref name="sorted"/> (not empty, no NaN) by <paramref name="method"/>.</summary>
    internal static double At(ReadOnlySpan<double> sorted, double q, QuantileMethod method)
    {
        var position = q * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min((int)Math.Ceiling(position), sorted.Length - 1);
        switch (method)
        {
            case QuantileMethod.Lower:
                return sorted[below];
            case QuantileMethod.Higher:
                return sorted[above];
            case QuantileMethod.Nearest:
                return sorted[(int)Math.Round(position, MidpointRounding.ToEven)];
            case QuantileMethod.Midpoint:
                return below == above ? sorted[below] : Lerp(sorted[below], sorted[above], 0.5);
            default:
                var next = Math.Min(below + 1, sorted.Length - 1);
                return Lerp(sorted[below], sorted[next], position - below);
        }
    }

    // numpy's _lerp: from the nearer end, so t = 1 gives b exactly.
    private static double Lerp(double a, double b, double t) => t >= 0.5 ? b - ((b - a) * (1 - t)) : a + ((b - a) * t);
}

/// <summary>
/// The median of each group of indices along the lane (xarray's <c>groupby(…).median()</c>, numpy's <c>nanmedian</c> per
/// group): NaN skipped, NaN for a group without values. The lane's values are gathered group by group into the scratch
/// and each group's run sorted in place.
/// </summary>
internal sealed class GroupMedianKernel(int[] groupOf, int groups) : LaneKernel
{
    public override int OutputLength => groups;

    public override int ScratchLength(int n) => n + groups + 1;

    public override void Apply(ReadOnlySpan<double> lane, Span<double> output, Span<double> scratch)
    {
        var values = scratch[..lane.Length];

        // Counting sort by group: counts, then each group's start, then the values placed at their group's next slot.
        var starts = scratch.Slice(lane.Length, groups + 1);
        starts.Clear();
        for (var i = 0; i < lane.Length; i++)
        {
            if (!double.IsNaN(lane[i]))
            {
                starts[groupOf[i] + 1]++;
            }
        }

        for (var g = 0; g < groups; g++)
        {
            starts[g + 1] += starts[g];
        }

        for (var i = 0; i < lane.Length; i++)
        {
            if (!double.IsNaN(lane[i]))
            {
                var g = groupOf[i];
                values[(int)starts[g]++] = lane[i];
            }
        }

        // starts[g] now holds group g's end, which is group g + 1's start.
        var start = 0;
        for (var g = 0; g < groups; g++)
        {
            var end = (int)starts[g];
            var run = values[start..end];
            if (run.IsEmpty)
            {
                output[g] = double.NaN;
            }
            else
            {
                run.Sort();
                output[g] = QuantilesKernel.At(run, 0.5, QuantileMethod.Linear);
            }

            start = end;
        }
    }
}
