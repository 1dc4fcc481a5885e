using System.Buffers.Binary;

namespace Zarr.Storage.Tests.Codecs.Blosc;

/// <summary>Buffers with the shapes blosc meets: constant, counting, smooth, noisy, runs, far repeats, random.</summary>
internal static class BloscTestData
{
    public static readonly string[] Kinds = ["zeros", "constant", "arange", "smooth", "noisy-float", "runs", "far-repeat", "text", "random", "mixed"];

    /// <summary>A buffer of <paramref name="length"/> bytes of <paramref name="kind"/>, elements of <paramref name="typeSize"/> bytes where that matters.</summary>
    public static byte[] Make(string kind, int length, int typeSize, Random random)
    {
        var data = new byte[length];
        switch (kind)
        {
            case "zeros":
                break;
            case "constant":
                Array.Fill(data, (byte)random.Next(256));
                break;
            case "arange":
                Span<byte> value = stackalloc byte[8];
                for (var i = 0; i * typeSize < length; i++)
                {
                    var element = data.AsSpan(i * typeSize, Math.Min(typeSize, length - (i * typeSize)));
                    BinaryPrimitives.WriteInt64LittleEndian(value, i);
                    value[..Math.Min(8, element.Length)].CopyTo(element);
                }

                break;
            case "smooth":
                for (var i = 0; i * 4 + 4 <= length; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * 4), (float)(20 + (10 * Math.Sin(i / 300.0))));
                }

                break;
            case "noisy-float":
                for (var i = 0; i * 4 + 4 <= length; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * 4), (float)(20 + (10 * Math.Sin(i / 900.0)) + (random.NextDouble() - 0.5)));
                }

                break;
            case "runs":
                for (var i = 0; i < length;)
                {
                    var run = Math.Min(length - i, 1 + random.Next(600));
                    data.AsSpan(i, run).Fill((byte)random.Next(4));
                    i += run;
                }

                break;
            case "far-repeat":
                // A random block repeated at distances beyond blosclz's near window (8191) and within its far one.
                var period = 8192 + random.Next(40000);
                random.NextBytes(data.AsSpan(0, Math.Min(period, length)));
                for (var i = period; i < length; i++)
                {
                    data[i] = data[i - period];
                }

                break;
            case "text":
                var words = new[] { "zarr ", "blosc ", "chunk ", "array ", "shuffle ", "lz4 ", "the ", "of ", "\n" };
                for (var i = 0; i < length;)
                {
                    var w = words[random.Next(words.Length)];
                    for (var k = 0; k < w.Length && i < length; k++)
                    {
                        data[i++] = (byte)w[k];
                    }
                }

                break;
            case "random":
                random.NextBytes(data);
                break;
            case "mixed":
                random.NextBytes(data);
                for (var i = 0; i < length; i += 1 + random.Next(3000))
                {
                    var run = Math.Min(length - i, random.Next(2000));
                    data.AsSpan(i, run).Clear();
                    i += run;
                }

                break;
            default:
                throw new ArgumentException(kind, nameof(kind));
        }

        return data;
    }
}
