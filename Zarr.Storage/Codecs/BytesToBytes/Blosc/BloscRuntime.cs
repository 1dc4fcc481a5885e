using Zarr.Storage.Native;

namespace Zarr.Storage.Codecs;

/// <summary>Which implementation of blosc compresses and decompresses.</summary>
public enum BloscImplementation
{
    /// <summary>
    /// No preference: on a codec, the process-wide choice (<see cref="BloscRuntime.Requested"/>); process-wide, the
    /// native c-blosc library when it loads and was built with the compressor at hand, the managed implementation
    /// otherwise.
    /// </summary>
    Auto = 0,

    /// <summary>The native c-blosc 1.x library (<c>libblosc.so.1</c>, <c>libblosc.1.dylib</c> or <c>blosc.dll</c>); an
    /// error when it does not load.</summary>
    Native = 1,

    /// <summary>The managed implementation of the c-blosc 1.x format: works wherever .NET runs, nothing to install.</summary>
    Managed = 2,
}

/// <summary>
/// Chooses between the native c-blosc library and the managed implementation for every <see cref="BloscCodec"/> that does
/// not force one (<see cref="BloscCodec.Implementation"/>). The choice is read once from the environment variable
/// <c>ZARR_BLOSC</c> (<c>native</c>, <c>managed</c> or <c>auto</c>, the default) and can be changed in code through
/// <see cref="Requested"/>, which wins over the variable. Both read and write the same frames; the managed one needs
/// nothing installed, the native one is what zarr-python uses.
/// </summary>
/// <remarks>
/// Thread-safe. A change of <see cref="Requested"/> applies to the next chunk each thread compresses or decompresses; a
/// process normally sets it once, at start-up, if at all.
/// </remarks>
public static class BloscRuntime
{
    /// <summary>The environment variable that sets <see cref="Requested"/> at start-up: <c>native</c>, <c>managed</c> or <c>auto</c>.</summary>
    public const string EnvironmentVariable = "ZARR_BLOSC";

    private static readonly int NativeFormats = ReadNativeFormats();

    private static volatile int _requested;

    private static volatile string? _environmentError;

    static BloscRuntime()
    {
        var value = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(value))
        {
            return;
        }

        if (TryParse(value.Trim(), out var parsed))
        {
            _requested = (int)parsed;
        }
        else
        {
            _environmentError = $"{EnvironmentVariable}='{value}' is not one of native, managed, auto";
        }
    }

    /// <summary>
    /// The process-wide choice for codecs that do not force one: <see cref="BloscImplementation.Auto"/> unless
    /// <c>ZARR_BLOSC</c> says otherwise or code sets it.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a <see cref="BloscImplementation"/>.</exception>
    public static BloscImplementation Requested
    {
        get => (BloscImplementation)_requested;
        set
        {
            if (!Enum.IsDefined(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "not a blosc implementation");
            }

            _requested = (int)value;
            _environmentError = null;
        }
    }

    /// <summary>Whether the native c-blosc library loaded in this process.</summary>
    public static bool IsNativeAvailable => BloscNative.IsAvailable;

    /// <summary>The native library's version (<c>1.21.3</c>), or null when it did not load.</summary>
    public static string? NativeVersion => BloscNative.IsAvailable ? BloscNative.VersionString() : null;

    /// <summary>
    /// The implementation codecs without a preference use for lz4, the default compressor:
    /// <see cref="BloscImplementation.Native"/> or <see cref="BloscImplementation.Managed"/>.
    /// </summary>
    /// <exception cref="ZarrCodecException"><c>ZARR_BLOSC</c> holds something else than native, managed or auto, or the
    /// native library was asked for and does not load.</exception>
    public static BloscImplementation Active => UsesNative(BloscImplementation.Auto, 1) ? BloscImplementation.Native : BloscImplementation.Managed;

    /// <summary>
    /// One line saying which blosc codecs without a preference use and why, for tools (<c>zarr info</c>): for example
    /// <c>native c-blosc 1.21.3 (libblosc.so.1)</c> or <c>managed (c-blosc not found: libblosc.so.1, ...)</c>. Never throws.
    /// </summary>
    public static string Description
    {
        get
        {
            if (_environmentError is { } error)
            {
                return $"unusable: {error}";
            }

            var native = IsNativeAvailable ? $"native c-blosc {NativeVersion} ({BloscNative.LoadedName})" : null;
            return Requested switch
            {
                BloscImplementation.Native when native is not null => $"{native}, as {Why()} asks",
                BloscImplementation.Native => $"unusable: {Why()} asks for the native c-blosc library, which was not found ({BloscNative.CandidateNames})",
                BloscImplementation.Managed => native is null ? $"managed, as {Why()} asks" : $"managed, as {Why()} asks; {native} is present",
                _ => native ?? $"managed (the native c-blosc library was not found: {BloscNative.CandidateNames})",
            };
        }
    }

    /// <summary>Parses <c>native</c>, <c>managed</c> or <c>auto</c> (any case).</summary>
    public static bool TryParse(string text, out BloscImplementation implementation)
    {
        switch (text.ToUpperInvariant())
        {
            case "NATIVE": implementation = BloscImplementation.Native; return true;
            case "MANAGED": implementation = BloscImplementation.Managed; return true;
            case "AUTO": implementation = BloscImplementation.Auto; return true;
            default: implementation = BloscImplementation.Auto; return false;
        }
    }

    /// <summary>
    /// Whether a codec asking for <paramref name="preference"/> runs natively on frames of compressor format
    /// <paramref name="compressorFormat"/> (0 blosclz, 1 lz4/lz4hc, 2 snappy, 3 zlib, 4 zstd). Without a preference, native runs
    /// only when the library loaded and was built with that compressor.
    /// </summary>
    /// <exception cref="ZarrCodecException">The environment variable is invalid, or native was asked for and is missing.</exception>
    internal static bool UsesNative(BloscImplementation preference, int compressorFormat)
    {
        var choice = preference;
        if (choice == BloscImplementation.Auto)
        {
            if (_environmentError is { } error)
            {
                throw new ZarrCodecException("blosc", error);
            }

            choice = Requested;
        }

        return choice switch
        {
            BloscImplementation.Managed => false,
            BloscImplementation.Native => BloscNative.IsAvailable
                ? true
                : throw new ZarrCodecException("blosc", $"the native c-blosc library was asked for ({(preference == BloscImplementation.Native ? "by the codec" : Why())}) but was not found ({BloscNative.CandidateNames}); install it (Debian: apt-get install -y libblosc1) or use the managed blosc"),
            _ => (NativeFormats & (1 << compressorFormat)) != 0,
        };
    }

    private static string Why() =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { } value && TryParse(value.Trim(), out var parsed) && parsed == Requested
            ? $"{EnvironmentVariable}={value.Trim()}"
            : $"{nameof(BloscRuntime)}.{nameof(Requested)}";

    /// <summary>The compressor formats the native library was built with, as bits (none when it did not load).</summary>
    private static int ReadNativeFormats()
    {
        if (!BloscNative.IsAvailable)
        {
            return 0;
        }

        var formats = 0;
        foreach (var name in BloscNative.ListCompressors().Split(',', StringSplitOptions.TrimEntries))
        {
            if (BloscCodec.TryParseCompressor(name, out var compressor))
            {
                formats |= 1 << BloscInnerCodecs.FormatOf(compressor);
            }
            else if (name == "snappy")
            {
                formats |= 1 << 2; // read only: the Zarr blosc codec does not write it
            }
        }

        return formats;
    }
}
