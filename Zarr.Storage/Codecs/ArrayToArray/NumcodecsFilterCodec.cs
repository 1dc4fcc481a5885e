using System.Text.Json.Nodes;

namespace Zarr.Storage.Codecs;

/// <summary>
/// What numcodecs' array→array filters (<see cref="DeltaCodec"/>, <see cref="FixedScaleOffsetCodec"/>,
/// <see cref="AsTypeCodec"/>, <see cref="QuantizeCodec"/>) share: a numcodecs id and its v3 name
/// <c>numcodecs.&lt;id&gt;</c>, a decoded and an encoded element type, a kernel specialised to the two, the checks made
/// before any element is touched, and the JSON written by the codec's descriptor in <see cref="CodecRegistry.Default"/>.
/// </summary>
/// <remarks>The filters of this library derive from it; a codec of your own implements <see cref="IV2Filter"/>.</remarks>
public abstract class NumcodecsFilterCodec : IV2Filter
{
    private readonly FilterKernel _kernel;

    /// <summary>The derived constructor checks its types before it calls this one (the kernel is made for them).</summary>
    private protected NumcodecsFilterCodec(string v2Id, NumpyDType decodedType, NumpyDType encodedType, FilterKernel kernel)
    {
        V2Id = v2Id;
        Name = "numcodecs." + v2Id;
        DecodedType = decodedType;
        EncodedType = encodedType;
        _kernel = kernel;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public string V2Id { get; }

    /// <inheritdoc />
    public NumpyDType DecodedType { get; }

    /// <inheritdoc />
    public NumpyDType EncodedType { get; }

    /// <inheritdoc />
    public JsonObject ToV2Json() => CodecRegistry.Default.WriteV2(this);

    /// <inheritdoc />
    /// <remarks>As zarr-python 3 writes numcodecs filters: the numcodecs configuration without its id.</remarks>
    public JsonObject ToV3Json() => CodecRegistry.Default.WriteV3(this);

    /// <inheritdoc />
    public ChunkSpec GetEncodedSpec(in ChunkSpec decoded) => FilterKernels.EncodedSpec(this, _kernel, decoded);

    /// <inheritdoc />
    public void Encode(ReadOnlySpan<byte> decoded, Span<byte> encoded, in ChunkSpec decodedSpec)
    {
        FilterKernels.CheckLengths(this, decodedSpec, decoded.Length, encoded.Length);
        _kernel.Encode(decoded, encoded);
    }

    /// <inheritdoc />
    public void Decode(ReadOnlySpan<byte> encoded, Span<byte> decoded, in ChunkSpec decodedSpec)
    {
        FilterKernels.CheckLengths(this, decodedSpec, decoded.Length, encoded.Length);
        _kernel.Decode(encoded, decoded);
    }
}
