using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Zarr.Storage.Codecs.Registry;

/// <summary>
/// Everything the library knows about one codec: its v3 name, its numcodecs id, how its configuration is read into a
/// codec and how a codec's configuration is written back. A codec's JSON is read and written here and nowhere else;
/// the <see cref="CodecRegistry"/> adds the envelope (v3 <c>{"name", "configuration"}</c>, v2 <c>{"id", ...}</c>).
/// </summary>
/// <remarks>
/// Derive from <see cref="CodecDescriptor{TCodec, TConfiguration}"/> to describe a codec whose configuration is a
/// record read through System.Text.Json source generation; derive from this class when the v2 and v3 forms differ.
/// </remarks>
public abstract class CodecDescriptor
{
    /// <summary>Describes a codec.</summary>
    /// <param name="name">The v3 codec name (<c>blosc</c>, <c>numcodecs.zlib</c>, ...).</param>
    /// <param name="v2Id">numcodecs' codec id when a v2 array can hold the codec (as its compressor, or as a filter
    /// for an <see cref="Zarr.Storage.Codecs.IV2Filter"/>), otherwise null.</param>
    /// <param name="codecType">The codec class the descriptor builds and writes.</param>
    /// <exception cref="ArgumentException">A name is empty, or the type is not an <see cref="ICodec"/>.</exception>
    protected CodecDescriptor(string name, string? v2Id, Type codecType)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(codecType);
        if (v2Id is not null)
        {
            ArgumentException.ThrowIfNullOrEmpty(v2Id);
        }

        if (!typeof(ICodec).IsAssignableFrom(codecType))
        {
            throw new ArgumentException($"{codecType} is not an ICodec", nameof(codecType));
        }

        Name = name;
        V2Id = v2Id;
        CodecType = codecType;
    }

    /// <summary>The v3 codec name.</summary>
    public string Name { get; }

    /// <summary>numcodecs' codec id, or null when v2 cannot hold the codec.</summary>
    public string? V2Id { get; }

    /// <summary>The codec class the descriptor builds and writes.</summary>
    public Type CodecType { get; }

    /// <summary>Other v3 names the codec is read under (deprecated ones, such as <c>numcodecs.bitround</c>); it is written under <see cref="Name"/>.</summary>
    internal virtual IReadOnlyList<string> Aliases => [];

    /// <summary>Builds the codec a configuration describes.</summary>
    /// <param name="configuration">v3: the <c>configuration</c> object, or null when there is none; v2: the numcodecs
    /// object itself (its <c>id</c> included).</param>
    /// <param name="context">The type the codec receives, the format, and errors that name the document and the field.</param>
    /// <exception cref="ZarrMetadataException">The configuration is not valid.</exception>
    public abstract ICodec Read(JsonObject? configuration, CodecReadContext context);

    /// <summary>The configuration of <paramref name="codec"/> (an instance of <see cref="CodecType"/>).</summary>
    /// <param name="codec">The codec.</param>
    /// <param name="format">v3: the <c>configuration</c> object (null to write none); v2: the numcodecs fields besides <c>id</c>.</param>
    /// <param name="registry">The registry writing the codec (for codecs that hold codecs, as sharding does).</param>
    public abstract JsonObject? Write(ICodec codec, ZarrFormat format, CodecRegistry registry);

    /// <summary>Reads a configuration record through its (source-generated) type information.</summary>
    /// <remarks>A field of the wrong JSON kind is a <see cref="ZarrMetadataException"/> naming it: "must be an integer",
    /// "must be a string", "must be true or false", "must be an array of integers"; an absent or null field is null.</remarks>
    protected static TConfiguration ReadConfiguration<TConfiguration>(JsonObject? configuration, JsonTypeInfo<TConfiguration> typeInfo, CodecReadContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return CodecConfigurationJson.Read(configuration, typeInfo, context);
    }

    /// <summary>Writes a configuration record in its properties' order, leaving out the null ones.</summary>
    protected static JsonObject WriteConfiguration<TConfiguration>(TConfiguration configuration, JsonTypeInfo<TConfiguration> typeInfo) =>
        CodecConfigurationJson.Write(configuration, typeInfo);
}

/// <summary>A codec whose configuration, the same in v2 and v3, is one record read through its type information.</summary>
/// <typeparam name="TCodec">The codec class.</typeparam>
/// <typeparam name="TConfiguration">The configuration record (its properties the JSON fields, in the order they are written).</typeparam>
/// <example>
/// A user codec that XORs every byte with a key, registered once at start-up:
/// <code>
/// public sealed record XorConfiguration(int? Key);
///
/// [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
/// [JsonSerializable(typeof(XorConfiguration))]
/// internal sealed partial class XorJson : JsonSerializerContext;
///
/// public sealed class XorDescriptor() : CodecDescriptor&lt;XorCodec, XorConfiguration&gt;("example.xor", null, XorJson.Default.XorConfiguration)
/// {
///     protected override XorCodec Create(XorConfiguration configuration, CodecReadContext context) =>
///         new((byte)context.InRange("key", context.Require("key", configuration.Key), 0, 255));
///
///     protected override XorConfiguration Describe(XorCodec codec, ZarrFormat format) => new(codec.Key);
/// }
///
/// CodecRegistry.Default.Register(new XorDescriptor());
/// // Arrays whose zarr.json lists {"name": "example.xor", "configuration": {"key": 90}} now open, and arrays created
/// // with an XorCodec in their chain write it so.
/// </code>
/// </example>
public abstract class CodecDescriptor<TCodec, TConfiguration> : CodecDescriptor
    where TCodec : ICodec
{
    private JsonTypeInfo<TConfiguration>? _typeInfo;

    /// <summary>Describes a codec.</summary>
    /// <param name="name">The v3 codec name.</param>
    /// <param name="v2Id">numcodecs' codec id, or null when v2 cannot hold the codec.</param>
    /// <param name="typeInfo">The configuration record's type information (from a <c>JsonSerializerContext</c>).</param>
    protected CodecDescriptor(string name, string? v2Id, JsonTypeInfo<TConfiguration> typeInfo)
        : base(name, v2Id, typeof(TCodec))
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        _typeInfo = typeInfo;
    }

    /// <summary>Describes a built-in codec, whose type information <see cref="LoadTypeInfo"/> makes when the codec is first read or written.</summary>
    private protected CodecDescriptor(string name, string? v2Id)
        : base(name, v2Id, typeof(TCodec))
    {
    }

    /// <summary>
    /// The type information of a built-in codec's configuration, made on first use: the default registry holds every
    /// built-in codec, and making all their type information when it is built cost a process that reads one codec some
    /// hundred JIT-compiled methods of System.Text.Json metadata (one override per codec, no delegate, so nothing of a
    /// codec that is not used is compiled).
    /// </summary>
    private protected virtual JsonTypeInfo<TConfiguration> LoadTypeInfo() =>
        throw new InvalidOperationException($"codec descriptor '{Name}' was made without type information");

    private JsonTypeInfo<TConfiguration> TypeInfo => _typeInfo ??= LoadTypeInfo();

    /// <inheritdoc />
    public sealed override ICodec Read(JsonObject? configuration, CodecReadContext context) =>
        Create(ReadConfiguration(configuration, TypeInfo, context), context);

    /// <inheritdoc />
    public override JsonObject? Write(ICodec codec, ZarrFormat format, CodecRegistry registry) =>
        WriteConfiguration(Describe((TCodec)codec, format), TypeInfo);

    /// <summary>Builds the codec from its configuration, checking what the JSON kinds alone do not (ranges, required fields).</summary>
    /// <exception cref="ZarrMetadataException">A field is not valid (throw <see cref="CodecReadContext.Error"/>).</exception>
    protected abstract TCodec Create(TConfiguration configuration, CodecReadContext context);

    /// <summary>The configuration of <paramref name="codec"/> as <paramref name="format"/> writes it.</summary>
    protected abstract TConfiguration Describe(TCodec codec, ZarrFormat format);
}
