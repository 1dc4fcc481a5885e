namespace Zarr.Storage.Internal;

/// <summary>Which failures of a store call the library turns into its own typed error, wherever it calls a store.</summary>
internal static class StoreFailures
{
    /// <summary>True for a failure no layer below made typed: neither a <see cref="ZarrException"/> nor a cancellation.</summary>
    public static bool IsUntyped(Exception e) => e is not (ZarrException or OperationCanceledException);
}
