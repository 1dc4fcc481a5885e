namespace Zarr.Dataflow.Blocks;

/// <summary>
/// Combines a known number of partials, each with its position, in a fixed tree of bounded fan-in: the partials at
/// positions <c>[g·fanIn, (g + 1)·fanIn)</c> of a level combine, in position order, into position <c>g</c> of the next
/// level as soon as the last of them arrives. The tree does not depend on the order the partials arrive in, so a
/// floating-point reduction gives the same bits whatever the parallelism and the scheduling (as a dask graph does).
/// Combining happens outside the lock; memory holds only the groups still waiting for a member.
/// </summary>
internal sealed class OrderedTreeCombiner<TPartial>
{
    private readonly Func<TPartial, TPartial, TPartial> _combine;
    private readonly int _fanIn;
    private readonly long[] _widths; // the number of nodes on each level; the last level has one
    private readonly Dictionary<(int Level, long Group), Group> _open = [];
    private TPartial? _root;
    private bool _done;

    public OrderedTreeCombiner(Func<TPartial, TPartial, TPartial> combine, int fanIn, long count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fanIn, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _combine = combine;
        _fanIn = fanIn;
        var widths = new List<long> { count };
        while (widths[^1] > 1)
        {
            widths.Add((widths[^1] + fanIn - 1) / fanIn);
        }

        _widths = [.. widths];
    }

    /// <summary>Adds the partial at <paramref name="position"/> (each position once, 0 to count − 1).</summary>
    public void Add(long position, TPartial partial)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(position, _widths[0]);
        var level = 0;
        while (true)
        {
            if (level == _widths.Length - 1)
            {
                lock (_open)
                {
                    _root = partial;
                    _done = true;
                }

                return;
            }

            var group = position / _fanIn;
            var first = group * _fanIn;
            var members = (int)Math.Min(_fanIn, _widths[level] - first);
            TPartial[]? full = null;
            lock (_open)
            {
                if (!_open.TryGetValue((level, group), out var g))
                {
                    g = new Group(members);
                    _open.Add((level, group), g);
                }

                if (g.Has[position - first])
                {
                    throw new InvalidOperationException($"the partial at position {position} of level {level} was added twice");
                }

                g.Items[position - first] = partial;
                g.Has[position - first] = true;
                if (++g.Count == members)
                {
                    _open.Remove((level, group));
                    full = g.Items;
                }
            }

            if (full is null)
            {
                return;
            }

            var combined = full[0];
            for (var i = 1; i < full.Length; i++)
            {
                combined = _combine(combined, full[i]);
            }

            partial = combined;
            position = group;
            level++;
        }
    }

    /// <summary>The combination of all the partials.</summary>
    /// <exception cref="InvalidOperationException">Not every partial has been added.</exception>
    public TPartial Finish()
    {
        lock (_open)
        {
            return _done ? _root! : throw new InvalidOperationException("not every partial has been added");
        }
    }

    private sealed class Group(int members)
    {
        public readonly TPartial[] Items = new TPartial[members];
        public readonly bool[] Has = new bool[members];
        public int Count;
    }
}
