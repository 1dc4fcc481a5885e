namespace Zarr.Storage.Datasets;

/// <summary>What a variable's values decode to.</summary>
public enum DatasetValueKind
{
    /// <summary>Numbers (read with <see cref="DatasetVariable.ReadDoublesAsync"/>, or raw with <see cref="DatasetVariable.ReadAsync{T}"/>).</summary>
    Number,

    /// <summary>Times, CF-encoded with a decoded calendar (read with <see cref="DatasetVariable.ReadTimesAsync"/>).</summary>
    Time,

    /// <summary>Booleans (int8 with xarray's <c>dtype: "bool"</c>, or stored as bool; read with <see cref="DatasetVariable.ReadBoolsAsync"/>).</summary>
    Bool,

    /// <summary>Anything else (strings, complex numbers, records, numpy datetimes): read through <see cref="DatasetVariable.Array"/>.</summary>
    Other,
}
