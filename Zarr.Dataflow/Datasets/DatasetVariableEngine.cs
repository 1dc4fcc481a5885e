using System.Collections.Immutable;
using System.Numerics.Tensors;
using Zarr.Storage;
using Zarr.Storage.Datasets;

namespace Zarr.Dataflow.Datasets;

/// <summary>
/// Dataset variables in the engine: a variable (or a selection of one, <see cref="DatasetVariable.Sel(string, double, double)"/>,
/// <see cref="DatasetVariable.ISel(string, long)"/>) as a lazy array over the chunks its selection covers, and reductions
/// over named dimensions whose results keep the remaining dimensions' names and coordinates (a mean over <c>time</c> of
/// <c>(time, lat, lon)</c> is <c>(lat, lon)</c> with the lat and lon coordinates), ready to store as a dataset variable.
/// </summary>
public static class DatasetVariableEngine
{
    extension(DatasetVariable variable)
    {
        /// <summary>
        /// The view's stored values as a lazy array (<c>Lazy.From(variable.Array, [.. variable.Selection])</c>): nothing is
        /// read until a result is asked for, and then only the chunks the selection covers. No CF decoding.
        /// </summary>
        /// <exception cref="NotSupportedException">The stored type is one the engine does not compute on (strings, records).</exception>
        public LazyArray ToLazy()
        {
            ArgumentNullException.ThrowIfNull(variable);
            return Lazy.From(variable.Array, [.. variable.Selection]);
        }

        /// <summary>
        /// The view's values decoded as numbers (missing values as NaN, packed ones unpacked, as
        /// <see cref="DatasetVariable.ReadDoublesAsync"/>), as a lazy array of double read chunk by chunk.
        /// </summary>
        /// <exception cref="ZarrException">The variable does not hold numbers (times, booleans, strings).</exception>
        public LazyArray<double> ToDecodedLazy()
        {
            ArgumentNullException.ThrowIfNull(variable);
            if (variable.Kind != DatasetValueKind.Number)
            {
                throw new ZarrException($"variable '{variable.Name}' holds {variable.Kind.ToString().ToLowerInvariant()} values; the engine decodes numbers (use ToLazy for the stored values)");
            }

            var stored = variable.ToLazy().Cast<double>();
            var encoding = variable.Encoding;
            if (!encoding.MarksMissing && !encoding.IsPacked)
            {
                return stored;
            }

            var single = variable.DecodedType == ZarrDataType.Float32;
            return stored.Map(value => encoding.Decode(value, single));
        }

        /// <summary>
        /// Reduces the view's decoded values over <paramref name="dimensions"/> (skipping missing values, as xarray): the
        /// result has the other dimensions, in order, with their coordinates (selected as the view is) attached.
        /// </summary>
        /// <param name="reduction">The reduction.</param>
        /// <param name="dimensions">The dimensions to reduce over (by name); none for all of them.</param>
        /// <param name="options">Pipeline options; null for the defaults.</param>
        /// <param name="cancellationToken">Cancels the computation.</param>
        /// <exception cref="ZarrSelectionException">The view has no dimension of one of the names.</exception>
        /// <exception cref="ArgumentException">A median over more than one dimension.</exception>
        /// <exception cref="ZarrException">The variable does not hold numbers.</exception>
        public async Task<ReducedVariable> ReduceAsync(DatasetReduction reduction, string[] dimensions, PipelineOptions? options = null, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(variable);
            ArgumentNullException.ThrowIfNull(dimensions);
            var names = dimensions.Length == 0 ? [.. variable.Dimensions] : dimensions;
            var axes = new int[names.Length];
            for (var i = 0; i < names.Length; i++)
            {
                axes[i] = variable.Dimensions.IndexOf(names[i]);
                if (axes[i] < 0)
                {
                    throw new ZarrSelectionException($"variable '{variable.Name}' has no dimension '{names[i]}' to reduce over (it has {string.Join(", ", variable.Dimensions.Select(d => $"'{d}'"))})");
                }
            }

            var lazy = variable.ToDecodedLazy();
            if (reduction == DatasetReduction.Median)
            {
                if (axes.Length != 1)
                {
                    throw new ArgumentException($"variable '{variable.Name}': a median reduces one dimension at a time (asked for {string.Join(", ", names.Select(n => $"'{n}'"))})", nameof(dimensions));
                }

                var medians = await lazy.Median(axes[0]).ToArrayAsync(options, cancellationToken).ConfigureAwait(false);
                var others = variable.Dimensions.RemoveAt(axes[0]);
                return new ReducedVariable(variable.Name, others, variable.Shape.RemoveAt(axes[0]), medians, [.. variable.Coordinates.Where(c => others.Contains(c.Name))]);
            }

            var result = reduction switch
            {
                DatasetReduction.Mean => await lazy.NanMeanAsync(axes, options, cancellationToken).ConfigureAwait(false),
                DatasetReduction.Sum => await lazy.NanSumAsync(axes, options, cancellationToken).ConfigureAwait(false),
                DatasetReduction.Min => await lazy.NanMinAsync(axes, options, cancellationToken).ConfigureAwait(false),
                DatasetReduction.Max => await lazy.NanMaxAsync(axes, options, cancellationToken).ConfigureAwait(false),
                DatasetReduction.Std => await lazy.NanStdAsync(axes, 0, options, cancellationToken).ConfigureAwait(false),
                DatasetReduction.Var => await lazy.NanVarAsync(axes, 0, options, cancellationToken).ConfigureAwait(false),
                DatasetReduction.Count => await lazy.Map(static v => double.IsNaN(v) ? 0.0 : 1.0).NanSumAsync(axes, options, cancellationToken).ConfigureAwait(false),
                _ => throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "not a DatasetReduction"),
            };

            var values = new double[result.FlattenedLength];
            result.FlattenTo(values);
            var kept = variable.Dimensions.Where(d => !names.Contains(d)).ToImmutableArray();
            var shape = kept.Select(d => variable.Shape[variable.Dimensions.IndexOf(d)]).ToImmutableArray();
            var coordinates = variable.Coordinates.Where(c => kept.Contains(c.Name)).ToImmutableArray();
            return new ReducedVariable(variable.Name, kept, shape, values, coordinates);
        }
    }
}
