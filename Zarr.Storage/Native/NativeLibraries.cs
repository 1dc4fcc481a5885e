using System.Runtime.InteropServices;

namespace Zarr.Storage.Native;

/// <summary>
/// Loading a system library whose entry points are bound as function pointers (libzstd, liblzma, libzfp): the first
/// candidate name that loads and has every entry point wins. A library too old to have them all is released and the
/// next candidate tried, so a codec falls back (or says what to install) instead of failing on its first call.
/// </summary>
internal static class NativeLibraries
{
    /// <summary>The entry points bound from the first of <paramref name="candidates"/> that has them, or null.</summary>
    /// <param name="candidates">Library names in the order to try (<c>libzstd.so.1</c>, ...).</param>
    /// <param name="bind">Resolves every entry point from a loaded library's handle; throws <see cref="EntryPointNotFoundException"/> when one is missing.</param>
    public static TApi? Load<TApi>(IEnumerable<string> candidates, Func<nint, TApi> bind)
        where TApi : class
    {
        foreach (var candidate in candidates)
        {
            if (!NativeLibrary.TryLoad(candidate, typeof(NativeLibraries).Assembly, DllImportSearchPath.SafeDirectories, out var handle))
            {
                continue;
            }

            try
            {
                return bind(handle);
            }
            catch (EntryPointNotFoundException)
            {
                NativeLibrary.Free(handle);
            }
        }

        return null;
    }
}
