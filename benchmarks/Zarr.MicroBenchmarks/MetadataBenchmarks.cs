using BenchmarkDotNet.Attributes;
using Zarr.Storage;

namespace Zarr.MicroBenchmarks;

/// <summary>Chunk key encoding (v2 '.' and v3 default '/') and key decoding, per key.</summary>
[MemoryDiagnoser]
public class ChunkKeyBenchmarks
{
    private readonly long[] _coordinates = [37, 1021];

    [Benchmark]
    public string EncodeV2Dot() => ChunkKeyEncoding.V2Dot.Encode(_coordinates);

    [Benchmark]
    public string EncodeV3Default() => ChunkKeyEncoding.Default.Encode(_coordinates);

    [Benchmark]
    public bool DecodeV2Dot()
    {
        Span<long> c = stackalloc long[2];
        return ChunkKeyEncoding.V2Dot.TryDecode("37.1021", 2, c);
    }
}

/// <summary>Parsing and writing array metadata: a v2 <c>.zarray</c> (blosc, as zarr-python writes it) and a v3 <c>zarr.json</c>.</summary>
[MemoryDiagnoser]
public class MetadataBenchmarks
{
    private static readonly byte[] ZArray = """
        {
            "chunks": [1024, 1024],
            "compressor": {"blocksize": 0, "clevel": 5, "cname": "lz4", "id": "blosc", "shuffle": 1},
            "dimension_separator": ".",
            "dtype": "<i4",
            "fill_value": 0,
            "filters": null,
            "order": "C",
            "shape": [8192, 8192],
            "zarr_format": 2
        }
        """u8.ToArray();

    private static readonly byte[] ZarrJson = """
        {
            "zarr_format": 3, "node_type": "array", "shape": [8192, 8192], "data_type": "int32",
            "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [1024, 1024]}},
            "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
            "fill_value": 0,
            "codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                       {"name": "blosc", "configuration": {"typesize": 4, "cname": "lz4", "clevel": 5, "shuffle": "shuffle", "blocksize": 0}}],
            "attributes": {"units": "m"}, "dimension_names": ["y", "x"]
        }
        """u8.ToArray();

    private readonly ArrayMetadata _metadata = MetadataSerializer.ParseArrayV3(ZarrJson, "zarr.json");

    [Benchmark]
    public ArrayMetadata ParseV2() => MetadataSerializer.ParseArrayV2(ZArray, default, ".zarray");

    [Benchmark]
    public ArrayMetadata ParseV3() => MetadataSerializer.ParseArrayV3(ZarrJson, "zarr.json");

    [Benchmark]
    public byte[] WriteV3() => MetadataSerializer.ToV3Json(_metadata);
}
