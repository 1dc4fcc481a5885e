using Zarr.Storage.Codecs;

namespace Zarr.Storage.Tests.Codecs;

public class NumpyDTypeTests
{
    // numcodecs' FixedScaleOffset(offset=20, scale=100, dtype='<f8', astype='<u2'), written as the README writes it.
    [Fact]
    public void A_data_type_stands_for_its_little_endian_numpy_type_in_a_filter()
    {
        var codec = new FixedScaleOffsetCodec(offset: 20, scale: 100, dtype: ZarrDataType.Float64, astype: ZarrDataType.UInt16);
        var json = codec.ToV2Json();
        Assert.Equal("<f8", (string?)json["dtype"]);
        Assert.Equal("<u2", (string?)json["astype"]);
        Assert.Equal("|u1", NumpyDType.FromZarrDataType(ZarrDataType.UInt8).ToString());
        Assert.Throws<ArgumentNullException>(() => NumpyDType.FromZarrDataType(null!));
    }
}
