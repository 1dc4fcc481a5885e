using Zarr.Storage.Codecs;

namespace Zarr.Storage.Tests.Codecs.Blosc;

/// <summary>
/// The choice between native and managed blosc. The process-wide choice is left as the test run set it (CI runs the
/// storage and interop tests once as they are and once with <c>ZARR_BLOSC=managed</c>); these tests check that the
/// choice follows the variable, and codecs that force an implementation.
/// </summary>
public class BloscRuntimeTests
{
    private static string? Variable => Environment.GetEnvironmentVariable(BloscRuntime.EnvironmentVariable)?.Trim();

    [Theory]
    [InlineData("native", BloscImplementation.Native)]
    [InlineData("Managed", BloscImplementation.Managed)]
    [InlineData("AUTO", BloscImplementation.Auto)]
    public void The_variable_s_values_parse_in_any_case(string text, BloscImplementation expected)
    {
        Assert.True(BloscRuntime.TryParse(text, out var parsed));
        Assert.Equal(expected, parsed);
        Assert.False(BloscRuntime.TryParse("c-blosc", out _));
        Assert.False(BloscRuntime.TryParse("", out _));
    }

    [Fact]
    public void The_process_uses_what_ZARR_BLOSC_asks_and_native_otherwise()
    {
        Assert.True(BloscRuntime.IsNativeAvailable, "these tests run where Debian's libblosc1 is installed");
        var managed = string.Equals(Variable, "managed", StringComparison.OrdinalIgnoreCase);
        Assert.Equal(managed ? BloscImplementation.Managed : BloscImplementation.Native, BloscRuntime.Active);
        Assert.Equal(managed ? BloscImplementation.Managed : (string.Equals(Variable, "native", StringComparison.OrdinalIgnoreCase) ? BloscImplementation.Native : BloscImplementation.Auto), BloscRuntime.Requested);
        Assert.Matches(@"^\d+\.\d+\.\d+", BloscRuntime.NativeVersion);
        if (managed)
        {
            Assert.StartsWith("managed, as ZARR_BLOSC=managed asks; native c-blosc 1.", BloscRuntime.Description, StringComparison.Ordinal);
        }
        else
        {
            Assert.StartsWith("native c-blosc 1.", BloscRuntime.Description, StringComparison.Ordinal);
            Assert.Contains("(libblosc.so.1)", BloscRuntime.Description, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_codec_that_forces_an_implementation_gets_it_whatever_the_process_chose()
    {
        var data = BloscTestData.Make("smooth", 100000, 4, new Random(1));
        foreach (var implementation in Enum.GetValues<BloscImplementation>())
        {
            var codec = new BloscCodec(BloscCompressor.Zstd, 3, BloscShuffle.Shuffle, 4, 0, implementation);
            Assert.Equal(implementation, codec.Implementation);
            using var encoded = codec.Encode(data);
            using var decoded = codec.Decode(encoded.Span, data.Length);
            Assert.True(data.AsSpan().SequenceEqual(decoded.Span));
        }

        // The implementation is not metadata: both codecs write the same JSON.
        Assert.Equal(
            new BloscCodec(BloscCompressor.Lz4, 5, BloscShuffle.Shuffle, 4).ToV3Json().ToJsonString(),
            new BloscCodec(BloscCompressor.Lz4, 5, BloscShuffle.Shuffle, 4, 0, BloscImplementation.Managed).ToV3Json().ToJsonString());
    }

    [Fact]
    public void Undefined_choices_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BloscRuntime.Requested = (BloscImplementation)7);
        Assert.Throws<ArgumentOutOfRangeException>(() => new BloscCodec(implementation: (BloscImplementation)7));
    }
}
