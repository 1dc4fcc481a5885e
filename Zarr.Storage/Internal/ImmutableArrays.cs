using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace Zarr.Storage.Internal;

/// <summary>Immutable views over arrays the library has just built and lets go of.</summary>
internal static class ImmutableArrays
{
    /// <summary>
    /// Wraps <paramref name="array"/> without copying it. The caller hands the array over: nothing may write to it
    /// afterwards (which is what makes the view immutable in fact), so only a freshly built array may be passed.
    /// </summary>
    public static ImmutableArray<T> Own<T>(T[] array) => ImmutableCollectionsMarshal.AsImmutableArray(array);

    /// <summary>
    /// The array under <paramref name="view"/>, not copied, for internal code on a per-chunk path that only reads it
    /// (a message's chunk shape, the fill value a chunk is expanded with); it must never be written to or handed out.
    /// </summary>
    public static T[] Shared<T>(ImmutableArray<T> view) => ImmutableCollectionsMarshal.AsArray(view)!;
}
