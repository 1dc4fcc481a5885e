using Zarr.Storage.Internal;

namespace Zarr.Storage;

/// <summary>
/// The base of every exception this library throws on purpose. Messages name what was wrong and where; text they were
/// given (keys, paths, names, JSON values) is quoted escaped and shortened to a few hundred characters.
/// </summary>
public class ZarrException : Exception
{
    /// <summary>Creates an exception with a message.</summary>
    public ZarrException(string message) : base(message) { }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    public ZarrException(string message, Exception? innerException) : base(message, innerException) { }
}

/// <summary>A metadata document (<c>zarr.json</c>, <c>.zarray</c>, <c>.zgroup</c>, <c>.zattrs</c>) is missing a field, has a wrong one, or is not JSON.</summary>
public sealed class ZarrMetadataException : ZarrException
{
    /// <summary>Creates the exception for a document and, where known, the field at fault.</summary>
    public ZarrMetadataException(string document, string? field, string message, Exception? innerException = null)
        : base(field is null ? $"{UserText.Clip(document)}: {message}" : $"{UserText.Clip(document)}: field {UserText.Quote(field)}: {message}", innerException)
    {
        Document = document;
        Field = field;
    }

    /// <summary>The store key of the document.</summary>
    public string Document { get; }

    /// <summary>The field at fault, or null when the document as a whole is.</summary>
    public string? Field { get; }
}

/// <summary>A codec failed to encode or decode a chunk: corrupt, truncated or of an unexpected size.</summary>
public sealed class ZarrCodecException : ZarrException
{
    /// <summary>Creates the exception for a codec; the array path and chunk key are added by <see cref="WithChunk"/> where known.</summary>
    public ZarrCodecException(string codec, string message, Exception? innerException = null)
        : this(codec, null, null, message, innerException) { }

    private ZarrCodecException(string codec, string? arrayPath, string? chunkKey, string message, Exception? innerException)
        : base(Format(codec, arrayPath, chunkKey, message), innerException)
    {
        Codec = codec;
        ArrayPath = arrayPath;
        ChunkKey = chunkKey;
        Reason = message;
    }

    /// <summary>The codec's name (<c>blosc</c>, <c>zstd</c>, ...).</summary>
    public string Codec { get; }

    /// <summary>The path of the array inside its store, where known.</summary>
    public string? ArrayPath { get; }

    /// <summary>The store key of the chunk, where known.</summary>
    public string? ChunkKey { get; }

    /// <summary>What went wrong, without the location.</summary>
    public string Reason { get; }

    /// <summary>True when the data decodes (or declares it decodes) to more than the chunk's decode limit.</summary>
    internal bool IsOverDecodeLimit { get; private init; }

    /// <summary>The same failure, located at an array's chunk.</summary>
    public ZarrCodecException WithChunk(string arrayPath, string chunkKey) =>
        new(Codec, arrayPath, chunkKey, Reason, InnerException) { IsOverDecodeLimit = IsOverDecodeLimit };

    /// <summary>The refusal of data that decodes to more than its chunk's limit (see <see cref="IsOverDecodeLimit"/>).</summary>
    internal static ZarrCodecException OverDecodeLimit(string codec, string message) =>
        new(codec, null, null, message, null) { IsOverDecodeLimit = true };

    private static string Format(string codec, string? arrayPath, string? chunkKey, string message) =>
        chunkKey is null
            ? $"codec {UserText.Quote(codec)}: {message}"
            : $"array {UserText.Quote("/" + arrayPath)}, chunk {UserText.Quote(chunkKey)}, codec {UserText.Quote(codec)}: {message}";
}

/// <summary>A store could not read, write, list or delete a key, or a key is not valid.</summary>
public sealed class ZarrStoreException : ZarrException
{
    /// <summary>Creates the exception for a key.</summary>
    public ZarrStoreException(string? key, string message, Exception? innerException = null)
        : base(key is null ? message : $"key {UserText.Quote(key)}: {message}", innerException) => Key = key;

    /// <summary>The key at fault, where there is one.</summary>
    public string? Key { get; }
}

/// <summary>A selection does not fit the array: out of bounds, wrong number of dimensions, a zero step, a wrongly shaped value.</summary>
public sealed class ZarrSelectionException : ZarrException
{
    /// <summary>Creates the exception.</summary>
    public ZarrSelectionException(string message) : base(message) { }
}

/// <summary>An array was accessed with an element type that is not its data type.</summary>
public sealed class ZarrTypeMismatchException : ZarrException
{
    /// <summary>Creates the exception naming both types.</summary>
    public ZarrTypeMismatchException(string arrayPath, string dataType, Type requested)
        : base($"array {UserText.Quote("/" + arrayPath)} has data type {dataType}; it cannot be accessed as {requested.Name}") { }
}

/// <summary>A node (array or group) was not found where it was expected, or one exists where it must not.</summary>
public sealed class ZarrNodeException : ZarrException
{
    /// <summary>Creates the exception.</summary>
    public ZarrNodeException(string path, string message) : base($"{UserText.Quote("/" + path)}: {message}") => Path = path;

    /// <summary>The node's path inside its store.</summary>
    public string Path { get; }
}
