using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Zarr.Storage.Codecs.Registry;
using Zarr.Storage.Internal;

namespace Zarr.Storage.Codecs;

/// <summary>
/// The codecs the library can read and write, one <see cref="CodecDescriptor"/> each: builds codecs from their
/// metadata (the v3 <c>{"name", "configuration"}</c> form and the v2 numcodecs <c>{"id", ...}</c> form) and writes
/// them back. <see cref="Default"/> holds the built-in codecs and is the registry metadata is read and written with;
/// <see cref="Register"/> adds a codec of your own to it.
/// </summary>
/// <remarks>Reading and writing are thread-safe, also while a codec is registered.</remarks>
public sealed class CodecRegistry
{
    private readonly Lock _gate = new();
    private volatile Snapshot _snapshot = Snapshot.Empty;

    /// <summary>An empty registry.</summary>
    public CodecRegistry()
    {
    }

    /// <summary>The registry of the built-in codecs, which metadata is read and written with.</summary>
    public static CodecRegistry Default { get; } = CreateDefault();

    /// <summary>The registered codecs, in the order they were registered.</summary>
    public IReadOnlyList<CodecDescriptor> Descriptors => Array.AsReadOnly(_snapshot.Descriptors);

    /// <summary>The v3 codec names of <see cref="Default"/>.</summary>
    public static IReadOnlyList<string> V3Names => Default._snapshot.V3Names;

    /// <summary>The numcodecs compressor ids of <see cref="Default"/> (v2 <c>compressor</c>).</summary>
    public static IReadOnlyList<string> V2Ids => Default._snapshot.CompressorIds;

    /// <summary>The numcodecs filter ids of <see cref="Default"/> (v2 <c>filters</c> entries).</summary>
    public static IReadOnlyList<string> V2FilterIds => Default._snapshot.FilterIds;

    /// <summary>Adds a codec: its v3 name, its numcodecs id (if any) and its codec class must be new to the registry.</summary>
    /// <param name="descriptor">The codec's descriptor.</param>
    /// <exception cref="ArgumentException">The name, the id or the class is registered already.</exception>
    /// <example>
    /// <code>
    /// CodecRegistry.Default.Register(new XorDescriptor());
    /// </code>
    /// See <see cref="CodecDescriptor{TCodec, TConfiguration}"/> for a whole codec descriptor.
    /// </example>
    public void Register(CodecDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        lock (_gate)
        {
            _snapshot = _snapshot.With(descriptor);
        }
    }

    /// <summary>The descriptor of the v3 codec <paramref name="name"/>.</summary>
    public bool TryGetDescriptor(string name, [NotNullWhen(true)] out CodecDescriptor? descriptor) =>
        _snapshot.ByName.TryGetValue(name, out descriptor);

    /// <summary>The descriptor that writes <paramref name="codec"/> (by its class), or null when none is registered.</summary>
    public CodecDescriptor? DescriptorOf(ICodec codec)
    {
        ArgumentNullException.ThrowIfNull(codec);
        return _snapshot.ByType.GetValueOrDefault(codec.GetType());
    }

    /// <summary>The compressor for new arrays: blosc with lz4 at level 5, byte shuffle, the type size of <paramref name="dataType"/>.</summary>
    public static IBytesToBytesCodec DefaultCompressor(ZarrDataType dataType)
    {
        ArgumentNullException.ThrowIfNull(dataType);
        return new BloscCodec(BloscCompressor.Lz4, 5, BloscShuffle.Shuffle, BloscCodec.TypeSizeFor(dataType), 0);
    }

    /// <summary>The codec a v3 codec object describes, read with <see cref="Default"/>.</summary>
    /// <inheritdoc cref="ReadV3(JsonNode, ZarrDataType, string)"/>
    public static ICodec FromV3Json(JsonNode codec, ZarrDataType dataType, string document) => Default.ReadV3(codec, dataType, document);

    /// <summary>The bytes→bytes codec a v2 <c>compressor</c> object describes, read with <see cref="Default"/>.</summary>
    /// <inheritdoc cref="ReadV2Compressor"/>
    public static IBytesToBytesCodec? FromV2Compressor(JsonNode? compressor, ZarrDataType dataType, string document) =>
        Default.ReadV2Compressor(compressor, dataType, document);

    /// <summary>The filter one entry of a v2 <c>filters</c> list describes, read with <see cref="Default"/>.</summary>
    /// <inheritdoc cref="ReadV2Filter"/>
    public static IV2Filter FromV2Filter(JsonNode? filter, int index, string document) => Default.ReadV2Filter(filter, index, document);

    /// <summary>The codec a v3 codec object describes.</summary>
    /// <param name="codec">The codec object (or a bare name string, which the spec allows for codecs without configuration).</param>
    /// <param name="dataType">The data type the codec receives: the array's, or the last numcodecs filter's encoded type
    /// (blosc's typesize defaults to its item size; a filter's dtype defaults to it).</param>
    /// <param name="document">The metadata document's key, for error messages.</param>
    /// <exception cref="ZarrMetadataException">The name is unknown or the configuration is invalid.</exception>
    public ICodec ReadV3(JsonNode codec, ZarrDataType dataType, string document) => ReadV3(codec, dataType, document, afterArrayToBytes: null);

    /// <summary>
    /// The codec a v3 codec object describes, in a chain: an unknown codec declared <c>"must_understand": false</c> is
    /// ignored (read as a pass-through that refuses to encode) when <paramref name="afterArrayToBytes"/> says where it
    /// stands; null reads a lone codec, where an unknown one always fails.
    /// </summary>
    internal ICodec ReadV3(JsonNode codec, ZarrDataType dataType, string document, bool? afterArrayToBytes)
    {
        ArgumentNullException.ThrowIfNull(dataType);
        ArgumentNullException.ThrowIfNull(document);
        string name;
        JsonObject? configuration = null;
        switch (codec)
        {
            case JsonValue value when value.TryGetValue<string>(out var bare):
                name = bare;
                break;
            case JsonObject obj:
                if (obj["name"] is not JsonValue nameValue || !nameValue.TryGetValue<string>(out var n))
                {
                    throw new ZarrMetadataException(document, "codecs", $"a codec object needs a string 'name'; got {UserText.Json(obj)}");
                }

                name = n;
                configuration = obj["configuration"] switch
                {
                    null => null,
                    JsonObject c => c,
                    var other => throw new ZarrMetadataException(document, $"codecs.{name}.configuration", $"must be an object; got {UserText.Json(other)}"),
                };
                break;
            default:
                throw new ZarrMetadataException(document, "codecs", $"a codec must be an object or a name; got {UserText.Json(codec)}");
        }

        var mustUnderstand = MustUnderstand(codec as JsonObject, name, document);
        var snapshot = _snapshot;
        if (!snapshot.ByName.TryGetValue(name, out var descriptor)
            && name.StartsWith(NumcodecsPrefix, StringComparison.Ordinal)
            && snapshot.Compressors.TryGetValue(name[NumcodecsPrefix.Length..], out var compressor))
        {
            // zarr-python 3's numcodecs.zarr3 wrappers (numcodecs.blosc, numcodecs.zstd, numcodecs.gzip) hold the
            // numcodecs configuration, which is the v2 compressor object without its id: read as that, written back
            // under the codec's v3 name, which every v3 reader knows.
            return compressor.Read(configuration ?? new JsonObject(), new CodecReadContext(this, dataType, ZarrFormat.V2, document, $"codecs.{name}.", name));
        }

        if (descriptor is null)
        {
            if (!mustUnderstand && afterArrayToBytes is { } after)
            {
                return IgnoredCodec.Create((JsonObject)codec, name, document, after);
            }

            throw name == "vlen-utf8"
                // A top-level vlen-utf8 is read with the array's chain; here it stands inside a sharding codec.
                ? new ZarrMetadataException(document, "codecs", "'vlen-utf8' inside 'sharding_indexed' (variable-length strings in shards) is not supported yet")
                : UnsupportedNumcodecs.Reason(name) is { } reason
                ? new ZarrMetadataException(document, "codecs", $"codec {UserText.Quote(name)} is not supported: {reason}")
                : new ZarrMetadataException(document, "codecs", $"unknown codec {UserText.Quote(name)}{(mustUnderstand ? "" : " (\"must_understand\": false, but the chain cannot do without it here)")}; this library knows {string.Join(", ", snapshot.V3Names)}");
        }

        return descriptor.Read(configuration, new CodecReadContext(this, dataType, ZarrFormat.V3, document, "codecs.", name));
    }

    private const string NumcodecsPrefix = "numcodecs.";

    /// <summary>A codec object's <c>must_understand</c> (v3.1): true unless it says false.</summary>
    private static bool MustUnderstand(JsonObject? codec, string name, string document)
    {
        if (codec is null || !codec.TryGetPropertyValue("must_understand", out var value))
        {
            return true;
        }

        return value is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False
            ? v.GetValueKind() == JsonValueKind.True
            : throw new ZarrMetadataException(document, $"codecs.{name}.must_understand", $"must be true or false; got {UserText.Json(value)}");
    }

    /// <summary>The bytes→bytes codec a v2 <c>compressor</c> object describes, or null for a JSON null.</summary>
    /// <exception cref="ZarrMetadataException">The id is unknown or the configuration is invalid.</exception>
    public IBytesToBytesCodec? ReadV2Compressor(JsonNode? compressor, ZarrDataType dataType, string document)
    {
        ArgumentNullException.ThrowIfNull(dataType);
        ArgumentNullException.ThrowIfNull(document);
        if (compressor is null || compressor.GetValueKind() == JsonValueKind.Null)
        {
            return null;
        }

        if (compressor is not JsonObject obj)
        {
            throw new ZarrMetadataException(document, "compressor", $"must be an object or null; got {UserText.Json(compressor)}");
        }

        if (obj["id"] is not JsonValue idValue || !idValue.TryGetValue<string>(out var id))
        {
            throw new ZarrMetadataException(document, "compressor.id", $"a compressor needs a string 'id'; got {UserText.Json(obj)}");
        }

        var snapshot = _snapshot;
        if (!snapshot.Compressors.TryGetValue(id, out var descriptor))
        {
            if (UnsupportedNumcodecs.Reason(id) is { } reason)
            {
                throw new ZarrMetadataException(document, "compressor.id", $"compressor {UserText.Quote(id)} is not supported: {reason}");
            }

            throw new ZarrMetadataException(document, "compressor.id", $"unknown compressor {UserText.Quote(id)}; this library knows {string.Join(", ", snapshot.CompressorIds)}");
        }

        return (IBytesToBytesCodec)descriptor.Read(obj, new CodecReadContext(this, dataType, ZarrFormat.V2, document, "compressor.", null));
    }

    /// <summary>
    /// The array→bytes codec a v2 <c>compressor</c> object describes when its numcodecs id is one (<c>zfpy</c>, which
    /// zarr-python 2 hands the chunk as an array): it stands in place of the bytes codec. Null for any other compressor.
    /// </summary>
    internal IArrayToBytesCodec? ReadV2ArrayCompressor(JsonNode? compressor, ZarrDataType dataType, string document)
    {
        if (compressor is not JsonObject obj || obj["id"] is not JsonValue idValue || !idValue.TryGetValue<string>(out var id)
            || !_snapshot.ArrayCompressors.TryGetValue(id, out var descriptor))
        {
            return null;
        }

        return (IArrayToBytesCodec)descriptor.Read(obj, new CodecReadContext(this, dataType, ZarrFormat.V2, document, "compressor.", null));
    }

    /// <summary>The filter one entry of a v2 <c>filters</c> list describes (numcodecs' <c>{"id": "delta", ...}</c> form).</summary>
    /// <param name="filter">The entry.</param>
    /// <param name="index">Its position in the list, for error messages (<c>filters[0].dtype</c>).</param>
    /// <param name="document">The metadata document's key, for error messages.</param>
    /// <exception cref="ZarrMetadataException">The entry is not an object, its id is unknown (the message names it and the field is
    /// <c>filters</c>) or its configuration is invalid.</exception>
    public IV2Filter ReadV2Filter(JsonNode? filter, int index, string document)
    {
        var codec = ReadV2FilterEntry(filter, index, ZarrDataType.UInt8, document);
        return codec as IV2Filter
            ?? throw new ZarrMetadataException(document, "filters", string.Create(CultureInfo.InvariantCulture,
                $"entry {index}, {UserText.Quote(codec.Name)}, works on the chunk's bytes, not on its elements; it is read with the array's metadata, where it stands after the bytes codec"));
    }

    /// <summary>
    /// One entry of a v2 <c>filters</c> list: a numcodecs filter, or a codec of bytes (<c>shuffle</c>, a checksum, a
    /// compressor), which zarr-python 2 runs over the chunk's memory as it runs its compressor.
    /// </summary>
    /// <param name="filter">The entry.</param>
    /// <param name="index">Its position in the list, for error messages.</param>
    /// <param name="received">The type a codec of bytes receives (the last numcodecs filter's encoded type).</param>
    /// <param name="document">The metadata document's key, for error messages.</param>
    internal ICodec ReadV2FilterEntry(JsonNode? filter, int index, ZarrDataType received, string document)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (filter is not JsonObject obj)
        {
            throw new ZarrMetadataException(document, "filters", string.Create(CultureInfo.InvariantCulture, $"entry {index} must be an object with an 'id'; got {UserText.Json(filter)}"));
        }

        if (obj["id"] is not JsonValue idValue || !idValue.TryGetValue<string>(out var id))
        {
            throw new ZarrMetadataException(document, "filters", string.Create(CultureInfo.InvariantCulture, $"entry {index} needs a string 'id'; got {UserText.Json(obj)}"));
        }

        var snapshot = _snapshot;
        var prefix = string.Create(CultureInfo.InvariantCulture, $"filters[{index}].");
        if (snapshot.Filters.TryGetValue(id, out var descriptor))
        {
            // A filter's dtype is required in v2, so the type it receives is not needed.
            return descriptor.Read(obj, new CodecReadContext(this, ZarrDataType.UInt8, ZarrFormat.V2, document, prefix, null));
        }

        if (snapshot.Compressors.TryGetValue(id, out descriptor))
        {
            return descriptor.Read(obj, new CodecReadContext(this, received, ZarrFormat.V2, document, prefix, null));
        }

        if (UnsupportedNumcodecs.Reason(id) is { } reason)
        {
            throw new ZarrMetadataException(document, "filters", string.Create(CultureInfo.InvariantCulture, $"filter {UserText.Quote(id)} (entry {index}) is not supported: {reason}"));
        }

        throw new ZarrMetadataException(document, "filters", string.Create(CultureInfo.InvariantCulture, $"unknown filter {UserText.Quote(id)} (entry {index}); this library knows {string.Join(", ", snapshot.FilterIds.Concat(snapshot.CompressorIds))}"));
    }

    /// <summary>A codec's v3 metadata: <c>{"name": ..., "configuration": {...}}</c>, by its descriptor (by the codec's own
    /// <see cref="ICodec.ToV3Json"/> when its class has none here).</summary>
    public JsonObject WriteV3(ICodec codec)
    {
        ArgumentNullException.ThrowIfNull(codec);
        if (DescriptorOf(codec) is not { } descriptor)
        {
            return codec.ToV3Json();
        }

        var json = new JsonObject { ["name"] = descriptor.Name };
        if (descriptor.Write(codec, ZarrFormat.V3, this) is { } configuration)
        {
            json["configuration"] = configuration;
        }

        return json;
    }

    /// <summary>A codec's numcodecs form, <c>{"id": ..., ...}</c>, by its descriptor (by the codec's own
    /// <see cref="IV2Compressor.ToV2Json"/> or <see cref="IV2Filter.ToV2Json"/> when its class has none here).</summary>
    /// <exception cref="ZarrException">The codec has no v2 form.</exception>
    public JsonObject WriteV2(ICodec codec)
    {
        ArgumentNullException.ThrowIfNull(codec);
        if (DescriptorOf(codec) is not { V2Id: { } id } descriptor)
        {
            return codec switch
            {
                IV2Filter filter => filter.ToV2Json(),
                IV2Compressor compressor => compressor.ToV2Json(),
                _ => throw new ZarrException($"the codec '{codec.Name}' has no v2 form"),
            };
        }

        var json = new JsonObject { ["id"] = id };
        if (descriptor.Write(codec, ZarrFormat.V2, this) is { } configuration)
        {
            foreach (var (field, value) in configuration.ToList())
            {
                configuration.Remove(field);
                json[field] = value;
            }
        }

        return json;
    }

    private static CodecRegistry CreateDefault()
    {
        var registry = new CodecRegistry();
        CodecDescriptor[] builtIn =
        [
            new BytesDescriptor(), new TransposeDescriptor(), new BloscDescriptor(), new GzipDescriptor(), new ZstdDescriptor(),
            new Crc32cDescriptor(), new ZlibDescriptor(), new Lz4Descriptor(), new Bz2Descriptor(), new DeltaDescriptor(),
            new FixedScaleOffsetDescriptor(), new AsTypeDescriptor(), new QuantizeDescriptor(), new ShardingDescriptor(),
            new BitRoundDescriptor(), new ScaleOffsetDescriptor(), new CastValueDescriptor(), new PackBitsDescriptor(),
            new NumcodecsPackBitsDescriptor(), new ShuffleDescriptor(),
            new ChecksumDescriptor<Crc32Codec>("crc32", ChecksumLocation.Start, l => new Crc32Codec(l)),
            new ChecksumDescriptor<Adler32Codec>("adler32", ChecksumLocation.Start, l => new Adler32Codec(l)),
            new ChecksumDescriptor<NumcodecsCrc32cCodec>("crc32c", ChecksumLocation.End, l => new NumcodecsCrc32cCodec(l)),
            new Fletcher32Descriptor(), new JenkinsLookup3Descriptor(), new LzmaDescriptor(), new ZfpyDescriptor(),
        ];
        foreach (var descriptor in builtIn)
        {
            registry.Register(descriptor);
        }

        return registry;
    }

    /// <summary>One immutable state of the registry, replaced whole on each registration so readers never lock.</summary>
    private sealed class Snapshot
    {
        public static readonly Snapshot Empty = new([]);

        // Plain loops, not LINQ: this runs when a process first reads metadata, where each lambda is one more method
        // for the JIT to compile.
        private Snapshot(CodecDescriptor[] descriptors)
        {
            Descriptors = descriptors;
            ByName = new Dictionary<string, CodecDescriptor>(descriptors.Length, StringComparer.Ordinal);
            ByType = new Dictionary<Type, CodecDescriptor>(descriptors.Length);
            Compressors = new Dictionary<string, CodecDescriptor>(StringComparer.Ordinal);
            ArrayCompressors = new Dictionary<string, CodecDescriptor>(StringComparer.Ordinal);
            Filters = new Dictionary<string, CodecDescriptor>(StringComparer.Ordinal);
            var names = new string[descriptors.Length];
            var compressorIds = new List<string>();
            var filterIds = new List<string>();
            for (var i = 0; i < descriptors.Length; i++)
            {
                var d = descriptors[i];
                ByName.Add(d.Name, d);
                ByType.Add(d.CodecType, d);
                names[i] = d.Name;
                if (d.V2Id is not { } id)
                {
                    continue;
                }

                if (typeof(IBytesToBytesCodec).IsAssignableFrom(d.CodecType))
                {
                    Compressors.Add(id, d);
                    compressorIds.Add(id);
                }

                if (typeof(IArrayToBytesCodec).IsAssignableFrom(d.CodecType) && typeof(IV2Compressor).IsAssignableFrom(d.CodecType))
                {
                    ArrayCompressors.Add(id, d);
                }

                if (typeof(IV2Filter).IsAssignableFrom(d.CodecType))
                {
                    Filters.Add(id, d);
                    filterIds.Add(id);
                }
            }

            foreach (var d in descriptors)
            {
                foreach (var alias in d.Aliases)
                {
                    ByName.TryAdd(alias, d);
                }
            }

            V3Names = Array.AsReadOnly(names);
            CompressorIds = compressorIds.AsReadOnly();
            FilterIds = filterIds.AsReadOnly();
        }

        public CodecDescriptor[] Descriptors { get; }

        public Dictionary<string, CodecDescriptor> ByName { get; }

        public Dictionary<Type, CodecDescriptor> ByType { get; }

        public Dictionary<string, CodecDescriptor> Compressors { get; }

        public Dictionary<string, CodecDescriptor> Filters { get; }

        public Dictionary<string, CodecDescriptor> ArrayCompressors { get; }

        public IReadOnlyList<string> V3Names { get; }

        public IReadOnlyList<string> CompressorIds { get; }

        public IReadOnlyList<string> FilterIds { get; }

        public Snapshot With(CodecDescriptor descriptor)
        {
            CheckNew(descriptor.Name, descriptor);
            foreach (var alias in descriptor.Aliases)
            {
                CheckNew(alias, descriptor);
            }

            if (ByType.TryGetValue(descriptor.CodecType, out var other))
            {
                throw new ArgumentException($"the codec class {descriptor.CodecType} is registered already, as '{other.Name}'", nameof(descriptor));
            }

            if (descriptor.V2Id is { } id)
            {
                foreach (var d in Descriptors)
                {
                    if (d.V2Id == id)
                    {
                        throw new ArgumentException($"a codec with the numcodecs id '{id}' is registered already", nameof(descriptor));
                    }
                }
            }

            return new Snapshot([.. Descriptors, descriptor]);
        }

        private void CheckNew(string name, CodecDescriptor descriptor)
        {
            if (ByName.ContainsKey(name))
            {
                throw new ArgumentException($"a codec named '{name}' is registered already", nameof(descriptor));
            }
        }
    }
}
