
namespace Zarr.Storage.Codecs;

/// <summary>
/// What a codec chain needs to know about chunks of one spec, computed once and reused for every chunk of it (as
/// tensorstore prepares a chain per chunk layout): the specs between the array→array codecs, whether the bytes codec
/// leaves the chunk as it is, and how many bytes each bytes→bytes codec may decode to. Immutable.
/// </summary>
internal sealed class PreparedChain
{
    public PreparedChain(CodecPipeline pipeline, in ChunkSpec spec)
    {
        Spec = spec;
        Specs = new ChunkSpec[pipeline.ArrayToArrayCodecs.Count + 1];
        Specs[0] = spec;
        for (var i = 0; i < pipeline.ArrayToArrayCodecs.Count; i++)
        {
            Specs[i + 1] = CodecPipeline.Run(pipeline.ArrayToArrayCodecs[i], Specs[i], static (c, s) => c.GetEncodedSpec(s));
        }

        var bytesSpec = Specs[^1];
        ArrayBytesLength = pipeline.ArrayToBytesCodec is BytesCodec ? bytesSpec.ByteLength : -1;
        BytesCodecIsIdentity = pipeline.ArrayToArrayCodecs.Count == 0 && CodecPipeline.IsIdentity(pipeline.ArrayToBytesCodec, bytesSpec);
        ArrayBytesLimit = ArrayBytesLength >= 0
            ? ArrayBytesLength
            : pipeline.ArrayToBytesCodec is ShardingCodec sharding ? sharding.GetMaxEncodedLength(bytesSpec) : Array.MaxLength;
        DecodeLimits = new int[pipeline.BytesToBytesCodecs.Count];
        for (var i = 0; i < DecodeLimits.Length; i++)
        {
            DecodeLimits[i] = pipeline.DecodeLimitOf(i, ArrayBytesLimit);
        }
    }

    /// <summary>The spec this was prepared for.</summary>
    public ChunkSpec Spec { get; }

    /// <summary>Specs[i] is what array→array codec i decodes to; the last is what the array→bytes codec encodes.</summary>
    public ChunkSpec[] Specs { get; }

    /// <summary>The exact length of the array→bytes codec's output where it is fixed (the <c>bytes</c> codec), -1 otherwise.</summary>
    public int ArrayBytesLength { get; }

    /// <summary>The most bytes the array→bytes codec's output can be.</summary>
    public long ArrayBytesLimit { get; }

    /// <summary>
    /// The array→bytes codec leaves the caller's chunk as it is (no filters, little-endian <c>bytes</c>): the first
    /// compressor reads the chunk itself, and the last to undo writes it.
    /// </summary>
    public bool BytesCodecIsIdentity { get; }

    /// <summary>DecodeLimits[i] is the most bytes→bytes codec i may decode to.</summary>
    public int[] DecodeLimits { get; }

    public bool Matches(in ChunkSpec spec) =>
        (spec.Shape == Spec.Shape || spec.Shape.AsSpan().SequenceEqual(Spec.Shape.AsSpan()))
        && Equals(spec.DataType, Spec.DataType)
        && (spec.FillValue == Spec.FillValue || spec.FillValue.AsSpan().SequenceEqual(Spec.FillValue.AsSpan()));

    /// <summary>The spec the array→bytes codec receives, carrying the caller's parallelism.</summary>
    public ChunkSpec BytesSpecFor(in ChunkSpec spec)
    {
        var bytesSpec = Specs[^1];
        return bytesSpec.MaxDegreeOfParallelism == spec.MaxDegreeOfParallelism
            ? bytesSpec
            : bytesSpec with { MaxDegreeOfParallelism = spec.MaxDegreeOfParallelism };
    }
}
