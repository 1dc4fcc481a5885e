using System.Text;
using Zarr.Storage.Codecs;

namespace Zarr.Storage.Tests.Metadata;

public class PreparedPipelineTests
{
    private static readonly byte[] ZarrJson = Encoding.UTF8.GetBytes("""
        {"zarr_format": 3, "node_type": "array", "shape": [10], "data_type": "int32",
         "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [5]}},
         "chunk_key_encoding": {"name": "default"}, "fill_value": 0,
         "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "gzip", "configuration": {"level": 1}}]}
        """);

    [Fact]
    public void The_pipeline_is_prepared_once_per_codec_list()
    {
        var metadata = MetadataSerializer.ParseArrayV3(ZarrJson, "a/zarr.json");
        var pipeline = metadata.Pipeline;
        Assert.Same(pipeline, metadata.Pipeline);
        Assert.Equal(metadata.Codecs, pipeline.Codecs);

        // Writing and other metadata of the same codecs use it; other codecs get their own.
        MetadataSerializer.ToV3Json(metadata);
        Assert.Same(pipeline, metadata.Pipeline);
        Assert.Same(pipeline, (metadata with { Attributes = new(new System.Text.Json.Nodes.JsonObject { ["a"] = 1 }) }).Pipeline);
        ICodec[] other = [new BytesCodec(), new ZstdCodec(3)];
        var changed = metadata with { Codecs = other };
        Assert.NotSame(pipeline, changed.Pipeline);
        Assert.Equal(other, changed.Pipeline.Codecs);
    }

    [Fact]
    public void An_invalid_chain_fails_each_time_it_is_asked_for()
    {
        var metadata = MetadataSerializer.ParseArrayV3(ZarrJson, "a/zarr.json") with { Codecs = [new GzipCodec(1)] };
        Assert.Throws<ZarrException>(() => metadata.Pipeline);
        Assert.Throws<ZarrException>(() => metadata.Pipeline);
        Assert.Throws<ZarrException>(() => MetadataSerializer.ToV3Json(metadata));
        Assert.Equal(ZarrDataType.Int32, metadata.DataType);
    }
}
