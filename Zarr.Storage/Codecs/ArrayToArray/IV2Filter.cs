using System.Text.Json.Nodes;

namespace Zarr.Storage.Codecs;

/// <summary>
/// A numcodecs filter: an array→array codec that is also a Zarr v2 <c>filters</c> entry (<c>{"id": "delta", ...}</c>).
/// </summary>
/// <remarks>
/// zarr-python 2 hands a filter the chunk's memory (in the chunk's order, C or F) viewed as the filter's
/// <see cref="DecodedType"/>, and hands the compressor the memory of the last filter's output. So in a chain a filter
/// stands after any <c>transpose</c> and before <c>bytes</c>, it works on elements (little-endian in memory), and its
/// output is of <see cref="EncodedType"/>, whose byte order the <c>bytes</c> codec then applies.
/// </remarks>
public interface IV2Filter : IArrayToArrayCodec
{
    /// <summary>numcodecs' codec id (<c>delta</c>, <c>fixedscaleoffset</c>, <c>astype</c>, <c>quantize</c>).</summary>
    string V2Id { get; }

    /// <summary>The type the filter decodes to (numcodecs' <c>dtype</c>, or <c>decode_dtype</c> for <c>astype</c>).</summary>
    NumpyDType DecodedType { get; }

    /// <summary>The type the filter encodes to (numcodecs' <c>astype</c>, or <c>encode_dtype</c> for <c>astype</c>).</summary>
    NumpyDType EncodedType { get; }

    /// <summary>The numcodecs configuration, as <c>get_config()</c> returns it: <c>{"id": "delta", "dtype": "&lt;i4", "astype": "&lt;i4"}</c>.</summary>
    JsonObject ToV2Json();
}
