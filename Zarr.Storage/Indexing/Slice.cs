namespace Zarr.Storage;

/// <summary>
/// One dimension of a selection, as in numpy: an integer (which drops the dimension) or a range with a positive
/// step. Converts implicitly from <see cref="int"/>, <see cref="long"/>, <see cref="Index"/> and <see cref="Range"/>,
/// so C# ranges select: <c>z[..]</c>, <c>z[0..100, ..]</c>, <c>z[5, ..]</c>, <c>z[^10.., (..).WithStep(3)]</c>.
/// Range bounds are clamped to the dimension as numpy clamps them; an integer out of bounds is an error.
/// </summary>
public readonly record struct Slice
{
    private Slice(bool isIndex, long start, bool startFromEnd, long? stop, bool stopFromEnd, long step)
    {
        IsIndex = isIndex;
        Start = start;
        StartFromEnd = startFromEnd;
        Stop = stop;
        StopFromEnd = stopFromEnd;
        Step = step;
    }

    /// <summary>The whole dimension (<c>:</c>).</summary>
    public static Slice All { get; } = new(false, 0, false, null, false, 1);

    /// <summary>True for an integer index, which drops the dimension.</summary>
    public bool IsIndex { get; }

    /// <summary>The index, or the range's first element.</summary>
    public long Start { get; }

    /// <summary>True when <see cref="Start"/> counts from the end (<c>^n</c> or a negative integer).</summary>
    public bool StartFromEnd { get; }

    /// <summary>The range's end (exclusive), or null for the end of the dimension.</summary>
    public long? Stop { get; }

    /// <summary>True when <see cref="Stop"/> counts from the end.</summary>
    public bool StopFromEnd { get; }

    /// <summary>The step, at least 1.</summary>
    public long Step { get; }

    /// <summary>A single element; a negative index counts from the end, as in numpy.</summary>
    public static Slice At(long index) => index < 0 ? new(true, -index, true, null, false, 1) : new(true, index, false, null, false, 1);

    /// <summary>Elements <paramref name="start"/> (inclusive) to <paramref name="stop"/> (exclusive) every <paramref name="step"/>; negative bounds count from the end; null means the dimension's edge.</summary>
    /// <exception cref="ZarrSelectionException">The step is not positive.</exception>
    public static Slice Range(long? start, long? stop, long step = 1)
    {
        if (step < 1)
        {
            throw new ZarrSelectionException($"a step must be at least 1 (got {step}); negative steps are not supported");
        }

        var s = start ?? 0;
        return new Slice(false, Math.Abs(s), s < 0, stop is null ? null : Math.Abs(stop.Value), stop < 0, step);
    }

    /// <summary>A C# range with a step.</summary>
    public static Slice Stepped(Range range, long step)
    {
        if (step < 1)
        {
            throw new ZarrSelectionException($"a step must be at least 1 (got {step}); negative steps are not supported");
        }

        var end = range.End;
        var toEnd = end.IsFromEnd && end.Value == 0;
        return new Slice(false, range.Start.Value, range.Start.IsFromEnd && range.Start.Value != 0, toEnd ? null : end.Value, end.IsFromEnd && !toEnd, step);
    }

    /// <summary>Converts an integer index.</summary>
    public static implicit operator Slice(int index) => At(index);

    /// <summary>Converts an integer index.</summary>
    public static implicit operator Slice(long index) => At(index);

    /// <summary>Converts an index (<c>^1</c> is the last element).</summary>
    public static implicit operator Slice(Index index) => index.IsFromEnd ? new(true, index.Value, true, null, false, 1) : At(index.Value);

    /// <summary>Converts a range with step 1.</summary>
    public static implicit operator Slice(Range range) => Stepped(range, 1);

    /// <summary>Converts an integer index.</summary>
    public static Slice FromInt32(int index) => At(index);

    /// <summary>Converts a range.</summary>
    public static Slice FromRange(Range range) => Stepped(range, 1);

    /// <summary>Resolves against a dimension of <paramref name="length"/>: (first, count, step).</summary>
    internal DimensionSelection Resolve(long length, int dimension)
    {
        if (IsIndex)
        {
            var i = StartFromEnd ? length - Start : Start;
            if (i < 0 || i >= length)
            {
                var shown = StartFromEnd ? -Start : Start;
                throw new ZarrSelectionException($"index {shown} is out of bounds for dimension {dimension} of length {length} (valid: {-length} to {length - 1})");
            }

            return new DimensionSelection(i, 1, 1, Dropped: true);
        }

        var start = Math.Clamp(StartFromEnd ? length - Start : Start, 0, length);
        var stop = Stop is null ? length : Math.Clamp(StopFromEnd ? length - Stop.Value : Stop.Value, 0, length);
        var count = stop <= start ? 0 : ((stop - start - 1) / Step) + 1;
        return new DimensionSelection(start, count, Step, Dropped: false);
    }

    /// <inheritdoc />
    public override string ToString()
    {
        if (IsIndex)
        {
            return StartFromEnd ? $"-{Start}" : $"{Start}";
        }

        var s = Start == 0 && !StartFromEnd ? "" : StartFromEnd ? $"-{Start}" : $"{Start}";
        var e = Stop is null ? "" : StopFromEnd ? $"-{Stop}" : $"{Stop}";
        return Step == 1 ? $"{s}:{e}" : $"{s}:{e}:{Step}";
    }
}

/// <summary>Stepped-range helpers for C# ranges.</summary>
public static class RangeExtensions
{
    /// <summary>The range taking every <paramref name="step"/>-th element: <c>(0..100).WithStep(3)</c> is numpy's <c>0:100:3</c>.</summary>
    public static Slice WithStep(this Range range, long step) => Slice.Stepped(range, step);
}

/// <summary>A selection resolved against one dimension: <c>Count</c> elements from <c>Start</c> every <c>Step</c>.</summary>
internal readonly record struct DimensionSelection(long Start, long Count, long Step, bool Dropped);
