namespace Zarr.Dataflow.Blocks;

/// <summary>
/// Combines partials in a tree of bounded fan-in (dask's <c>split_every</c>): partials gather on level 0; each time a
/// level holds <c>fanIn</c> of them they are combined into one on the next level. Combining happens outside the lock,
/// so workers combine in parallel. <see cref="Finish"/> folds what is left, lowest level first.
/// </summary>
internal sealed class TreeCombiner<TPartial>(Func<TPartial, TPartial, TPartial> combine, int fanIn)
{
    private readonly List<List<TPartial>> _levels = [];

    public void Add(TPartial partial) => Add(partial, 0);

    private void Add(TPartial partial, int level)
    {
        List<TPartial>? full = null;
        lock (_levels)
        {
            while (_levels.Count <= level)
            {
                _levels.Add([]);
            }

            var items = _levels[level];
            items.Add(partial);
            if (items.Count >= fanIn)
            {
                full = items;
                _levels[level] = [];
            }
        }

        if (full is not null)
        {
            var combined = full[0];
            for (var i = 1; i < full.Count; i++)
            {
                combined = combine(combined, full[i]);
            }

            Add(combined, level + 1);
        }
    }

    /// <summary>The combination of everything added, or <paramref name="empty"/> when nothing was.</summary>
    public TPartial Finish(TPartial empty)
    {
        lock (_levels)
        {
            var has = false;
            var result = empty;
            foreach (var level in _levels)
            {
                foreach (var item in level)
                {
                    result = has ? combine(result, item) : item;
                    has = true;
                }
            }

            return result;
        }
    }
}
