using System.Collections.Immutable;
using System.Globalization;
using Zarr.Storage.Internal;

namespace Zarr.Storage.Datasets;

/// <summary>
/// A variable of a <see cref="ZarrDataset"/>: an array with named dimensions, its attributes (CF encoding attributes
/// taken out when the dataset decodes, see <see cref="Encoding"/>), and a selection of it. <see cref="ISel(string, long)"/>
/// and the <c>Sel</c> overloads return new views and read nothing: a view reads only its <see cref="Selection"/>, and the
/// engine (<c>Lazy.From(variable.Array, [.. variable.Selection])</c>, or Zarr.Dataflow's <c>ToLazy()</c>) reads only the
/// chunks it covers.
/// </summary>
public sealed class DatasetVariable
{
    // One per dimension of the stored array: the part selected, or one index that dropped the dimension.
    private readonly ImmutableArray<Window> _windows;

    internal DatasetVariable(ZarrDataset dataset, string name, ZarrArray array, ImmutableArray<string> storedDimensions,
        AttributeDictionary attributes, CfEncoding encoding, DatasetValueKind kind, string? decodingNote)
        : this(dataset, name, array, storedDimensions, attributes, encoding, kind, decodingNote,
            [.. array.Shape.Select(n => new Window(0, n, false))])
    {
    }

    private DatasetVariable(ZarrDataset dataset, string name, ZarrArray array, ImmutableArray<string> storedDimensions,
        AttributeDictionary attributes, CfEncoding encoding, DatasetValueKind kind, string? decodingNote, ImmutableArray<Window> windows)
    {
        Dataset = dataset;
        Name = name;
        Array = array;
        StoredDimensions = storedDimensions;
        Attributes = attributes;
        Encoding = encoding;
        Kind = kind;
        DecodingNote = decodingNote;
        _windows = windows;
        Dimensions = [.. storedDimensions.Where((_, i) => !windows[i].Dropped)];
        Shape = [.. windows.Where(w => !w.Dropped).Select(w => w.Stop - w.Start)];
        Selection = [.. windows.Select(w => w.Dropped ? Slice.At(w.Start) : Slice.Range(w.Start, w.Stop))];
    }

    /// <summary>The dataset the variable belongs to.</summary>
    public ZarrDataset Dataset { get; }

    /// <summary>The variable's name (its array's name in the group).</summary>
    public string Name { get; }

    /// <summary>The stored array (all of it; <see cref="Selection"/> is the part this view covers).</summary>
    public ZarrArray Array { get; }

    /// <summary>The view's dimension names, in order (those an index selected are gone, as in xarray).</summary>
    public ImmutableArray<string> Dimensions { get; }

    /// <summary>The stored array's dimension names, one per dimension of <see cref="Array"/>.</summary>
    public ImmutableArray<string> StoredDimensions { get; }

    /// <summary>The view's shape, one length per name in <see cref="Dimensions"/>.</summary>
    public ImmutableArray<long> Shape { get; }

    /// <summary>The number of elements in the view.</summary>
    public long Size => Shape.Aggregate(1L, (a, b) => checked(a * b));

    /// <summary>The view as a selection of <see cref="Array"/>: one slice per stored dimension (an index for a dropped one).</summary>
    public ImmutableArray<Slice> Selection { get; }

    /// <summary>
    /// The attributes as xarray shows them: when the dataset decodes, without the CF encoding attributes (in
    /// <see cref="Encoding"/>) and without <c>_ARRAY_DIMENSIONS</c>; otherwise every stored attribute but that one, with
    /// <c>_FillValue</c> from a v2 array's fill value, as xarray's <c>decode_cf=False</c> shows them.
    /// </summary>
    public AttributeDictionary Attributes { get; }

    /// <summary>The CF encoding decoding undoes (<see cref="CfEncoding.None"/> when the dataset does not decode).</summary>
    public CfEncoding Encoding { get; }

    /// <summary>What the values decode to.</summary>
    public DatasetValueKind Kind { get; }

    /// <summary>
    /// The type xarray gives the decoded values: the stored type; float32 or float64 for masked or packed numbers (see
    /// <see cref="ReadDoublesAsync"/>); bool for booleans; datetime64[ns] for times.
    /// </summary>
    public ZarrDataType DecodedType => Kind switch
    {
        DatasetValueKind.Time => ZarrDataType.DateTime64(TimeUnit.Nanosecond),
        DatasetValueKind.Bool => ZarrDataType.Bool,
        _ => Encoding.DecodedType(Array.DataType),
    };

    /// <summary>Why the values are not decoded as their attributes suggest (times in a calendar not decoded), or null.</summary>
    public string? DecodingNote { get; }

    /// <summary>True when the variable is a coordinate of the dataset (named as its one dimension, or listed in a <c>coordinates</c> attribute).</summary>
    public bool IsCoordinate => Dataset.IsCoordinateName(Name);

    /// <summary>The coordinates (index coordinates) of the view's dimensions, each selected as the view is.</summary>
    public IReadOnlyList<DatasetVariable> Coordinates
    {
        get
        {
            var result = new List<DatasetVariable>();
            foreach (var dimension in Dimensions)
            {
                if (dimension != Name && Dataset.IndexCoordinate(dimension) is { } coordinate)
                {
                    var window = _windows[StoredDimensions.IndexOf(dimension)];
                    result.Add(coordinate.WithWindow(0, window));
                }
            }

            return result;
        }
    }

    /// <summary>The part of dimension <paramref name="dimension"/> at index <paramref name="index"/> of the view (the dimension is dropped, as xarray's <c>isel(dim=i)</c>).</summary>
    /// <exception cref="ZarrSelectionException">The variable has no such dimension, or the index is out of range.</exception>
    public DatasetVariable ISel(string dimension, long index)
    {
        var (axis, window) = Axis(dimension);
        var length = window.Stop - window.Start;
        if (index < -length || index >= length)
        {
            throw new ZarrSelectionException($"variable {UserText.Quote(Name)}: index {index} is out of range for dimension {UserText.Quote(dimension)} of length {length}");
        }

        var at = window.Start + (index < 0 ? index + length : index);
        return WithWindow(axis, new Window(at, at + 1, true));
    }

    /// <summary>The indices <paramref name="start"/> (included) to <paramref name="stop"/> (excluded) of dimension <paramref name="dimension"/> of the view (xarray's <c>isel(dim=slice(start, stop))</c>; bounds clamp as Python's).</summary>
    /// <exception cref="ZarrSelectionException">The variable has no such dimension.</exception>
    public DatasetVariable ISel(string dimension, long start, long stop)
    {
        var (axis, window) = Axis(dimension);
        var length = window.Stop - window.Start;
        static long Clamp(long i, long n) => Math.Clamp(i < 0 ? i + n : i, 0, n);
        var from = Clamp(start, length);
        var to = Math.Max(from, Clamp(stop, length));
        return WithWindow(axis, new Window(window.Start + from, window.Start + to, false));
    }

    /// <summary>The element labelled <paramref name="label"/> along <paramref name="dimension"/> (dropped, as xarray's <c>sel(dim=label)</c>).</summary>
    /// <exception cref="ZarrSelectionException">No coordinate for the dimension, it holds times, or no label is equal.</exception>
    public DatasetVariable Sel(string dimension, double label)
    {
        var (axis, window) = Axis(dimension);
        var at = NumberLabels(dimension).IndexOf(label, window.Start, window.Stop);
        return WithWindow(axis, new Window(window.Start + at, window.Start + at + 1, true));
    }

    /// <summary>The element at time <paramref name="label"/> along <paramref name="dimension"/> (dropped, as xarray's <c>sel(time="2020-01-05")</c> for one time).</summary>
    /// <exception cref="ZarrSelectionException">No time coordinate for the dimension, or no label is equal.</exception>
    public DatasetVariable Sel(string dimension, DateTime label)
    {
        var (axis, window) = Axis(dimension);
        var at = TimeLabels(dimension).IndexOf(label.Ticks, window.Start, window.Stop);
        return WithWindow(axis, new Window(window.Start + at, window.Start + at + 1, true));
    }

    /// <summary>
    /// The elements labelled <paramref name="from"/> to <paramref name="to"/> along <paramref name="dimension"/>, both
    /// included (xarray's <c>sel(dim=slice(from, to))</c>; for a decreasing coordinate, give the larger label first).
    /// </summary>
    /// <exception cref="ZarrSelectionException">No coordinate for the dimension, it holds times, or its labels are not monotonic.</exception>
    public DatasetVariable Sel(string dimension, double from, double to)
    {
        var (axis, window) = Axis(dimension);
        var (start, stop) = NumberLabels(dimension).Range(from, to, window.Start, window.Stop);
        return WithWindow(axis, new Window(window.Start + start, window.Start + stop, false));
    }

    /// <summary>The elements at times <paramref name="from"/> to <paramref name="to"/> along <paramref name="dimension"/>, both included (xarray's <c>sel(time=slice(from, to))</c>).</summary>
    /// <exception cref="ZarrSelectionException">No time coordinate for the dimension, or its labels are not monotonic.</exception>
    public DatasetVariable Sel(string dimension, DateTime from, DateTime to)
    {
        var (axis, window) = Axis(dimension);
        var (start, stop) = TimeLabels(dimension).Range(from.Ticks, to.Ticks, window.Start, window.Stop);
        return WithWindow(axis, new Window(window.Start + start, window.Start + stop, false));
    }

    /// <summary>The element whose label is nearest <paramref name="label"/>, at most <paramref name="tolerance"/> away (xarray's <c>sel(dim=label, method="nearest", tolerance=t)</c>).</summary>
    /// <exception cref="ZarrSelectionException">No coordinate for the dimension, or no label within the tolerance.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ by the label's type (a number, a time), so no call is ambiguous.")]
    public DatasetVariable SelNearest(string dimension, double label, double tolerance = double.PositiveInfinity)
    {
        var (axis, window) = Axis(dimension);
        var at = NumberLabels(dimension).Nearest(label, double.IsPositiveInfinity(tolerance) ? null : tolerance, window.Start, window.Stop);
        return WithWindow(axis, new Window(window.Start + at, window.Start + at + 1, true));
    }

    /// <summary>The element whose time is nearest <paramref name="label"/>, at most <paramref name="tolerance"/> away (null: any distance).</summary>
    /// <exception cref="ZarrSelectionException">No time coordinate for the dimension, or no label within the tolerance.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ by the label's type (a number, a time), so no call is ambiguous.")]
    public DatasetVariable SelNearest(string dimension, DateTime label, TimeSpan? tolerance = null)
    {
        var (axis, window) = Axis(dimension);
        var at = TimeLabels(dimension).Nearest(label.Ticks, tolerance?.Ticks, window.Start, window.Stop);
        return WithWindow(axis, new Window(window.Start + at, window.Start + at + 1, true));
    }

    /// <summary>The view's stored values, C order, as <typeparamref name="T"/> (the stored type's CLR type): no decoding.</summary>
    /// <exception cref="ZarrTypeMismatchException"><typeparamref name="T"/> is not the stored type.</exception>
    public async Task<T[]> ReadAsync<T>(CancellationToken cancellationToken = default) where T : unmanaged
    {
        var typed = Array.As<T>();
        var values = new T[checked((int)Size)];
        await typed.ReadIntoAsync([.. Selection], values, cancellationToken).ConfigureAwait(false);
        return values;
    }

    /// <summary>
    /// The view's values decoded as numbers, C order: missing elements (<c>_FillValue</c>, <c>missing_value</c>) as NaN,
    /// packed ones unpacked (× <c>scale_factor</c> + <c>add_offset</c>), as xarray's decoded float values (computed in
    /// the precision of <see cref="DecodedType"/>, then widened to double).
    /// </summary>
    /// <exception cref="ZarrException">The stored type is not a number type.</exception>
    public async Task<double[]> ReadDoublesAsync(CancellationToken cancellationToken = default)
    {
        var values = await ReadStoredDoublesAsync(cancellationToken).ConfigureAwait(false);
        if (Encoding.MarksMissing || Encoding.IsPacked)
        {
            var single = DecodedType == ZarrDataType.Float32;
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = Encoding.Decode(values[i], single);
            }
        }

        return values;
    }

    /// <summary>Which elements of the view are missing (equal to <c>_FillValue</c> or <c>missing_value</c>): the mask xarray applies, for integer variables too.</summary>
    /// <exception cref="ZarrException">The stored type is not a number type.</exception>
    public async Task<bool[]> ReadMaskAsync(CancellationToken cancellationToken = default)
    {
        var values = await ReadStoredDoublesAsync(cancellationToken).ConfigureAwait(false);
        var mask = new bool[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            mask[i] = Encoding.IsMissing(values[i]);
        }

        return mask;
    }

    /// <summary>The view's times, C order (UTC; null where missing, xarray's NaT), decoded from their CF units.</summary>
    /// <exception cref="ZarrException">The variable does not hold decoded times (<see cref="Kind"/> is not <see cref="DatasetValueKind.Time"/>).</exception>
    public async Task<DateTime?[]> ReadTimesAsync(CancellationToken cancellationToken = default)
    {
        if (Encoding.TimeUnits is not { } units)
        {
            throw new ZarrException($"variable {UserText.Quote(Name)} does not hold decoded times ({DecodingNote ?? "no CF time units"}); read its numbers with ReadDoublesAsync");
        }

        var values = await ReadStoredDoublesAsync(cancellationToken).ConfigureAwait(false);
        var times = new DateTime?[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var v = values[i];
            times[i] = Encoding.IsMissing(v) || double.IsNaN(v) ? null : units.ToDate((v * (Encoding.ScaleFactor ?? 1.0)) + (Encoding.AddOffset ?? 0.0));
        }

        return times;
    }

    /// <summary>The view's booleans, C order (int8 with xarray's <c>dtype: "bool"</c>, or a bool array).</summary>
    /// <exception cref="ZarrException">The variable does not hold booleans.</exception>
    public async Task<bool[]> ReadBoolsAsync(CancellationToken cancellationToken = default)
    {
        if (Kind != DatasetValueKind.Bool)
        {
            throw new ZarrException($"variable {UserText.Quote(Name)} holds {Array.DataType} without xarray's attribute dtype: \"bool\", not booleans");
        }

        var values = await ReadStoredDoublesAsync(cancellationToken).ConfigureAwait(false);
        return [.. values.Select(v => v != 0)];
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Name} ({string.Join(", ", Dimensions.Select((d, i) => string.Create(CultureInfo.InvariantCulture, $"{d}: {Shape[i]}")))}) {Array.DataType}";

    internal async Task<double[]> ReadStoredDoublesAsync(CancellationToken cancellationToken)
    {
        if (!ElementConversion.IsNumeric(Array.DataType))
        {
            throw new ZarrException($"variable {UserText.Quote(Name)}: {ElementConversion.NotNumeric(Array.DataType).Message}");
        }

        var (raw, _) = await Array.ReadBytesAsync([.. Selection], cancellationToken).ConfigureAwait(false);
        var values = new double[raw.Length / Array.DataType.ItemSize];
        ElementConversion.ToDoubles(raw, Array.DataType, values);
        return values;
    }

    /// <summary>This variable with dimension <paramref name="axis"/> (of the stored array) selected as <paramref name="window"/>.</summary>
    internal DatasetVariable WithWindow(int axis, Window window) =>
        new(Dataset, Name, Array, StoredDimensions, Attributes, Encoding, Kind, DecodingNote, _windows.SetItem(axis, window));

    private (int Axis, Window Window) Axis(string dimension)
    {
        ArgumentNullException.ThrowIfNull(dimension);
        var axis = StoredDimensions.IndexOf(dimension);
        if (axis < 0 || _windows[axis].Dropped)
        {
            throw new ZarrSelectionException($"variable {UserText.Quote(Name)} has no dimension {UserText.Quote(dimension)} (it has {(Dimensions.IsEmpty ? "none" : string.Join(", ", Dimensions.Select(UserText.Quote)))})");
        }

        return (axis, _windows[axis]);
    }

    private CoordinateLabels<double> NumberLabels(string dimension) =>
        Dataset.Labels(dimension) as CoordinateLabels<double>
        ?? throw new ZarrSelectionException($"dimension {UserText.Quote(dimension)} {(Dataset.Labels(dimension) is null ? "has no coordinate (a 1-d variable named as it) to select labels in; select by index (ISel)" : "is labelled by times: select it with DateTime labels")}");

    private CoordinateLabels<long> TimeLabels(string dimension) =>
        Dataset.Labels(dimension) as CoordinateLabels<long>
        ?? throw new ZarrSelectionException($"dimension {UserText.Quote(dimension)} {(Dataset.Labels(dimension) is null ? "has no coordinate (a 1-d variable named as it) to select labels in; select by index (ISel)" : "is labelled by numbers, not decoded times: select it with numbers")}");

    /// <summary>The selected part of one stored dimension: indices <c>Start</c> to <c>Stop</c> (excluded), or the one index <c>Start</c> when <c>Dropped</c>.</summary>
    internal readonly record struct Window(long Start, long Stop, bool Dropped);
}
