using System.Runtime.InteropServices;

namespace Zarr.Storage.Tests;

/// <summary>A temporary folder deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "zarr-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}

/// <summary>A plain in-memory C-order N-d array: the reference the tests compare with.</summary>
public sealed class Reference<T> where T : unmanaged
{
    public Reference(long[] shape, T fill = default)
    {
        Shape = shape;
        Values = new T[shape.Aggregate(1L, (a, b) => a * b)];
        Array.Fill(Values, fill);
    }

    public long[] Shape { get; }

    public T[] Values { get; }

    public long Offset(long[] index)
    {
        long off = 0;
        for (var d = 0; d < Shape.Length; d++)
        {
            off = (off * Shape[d]) + index[d];
        }

        return off;
    }

    /// <summary>Every index a numpy-style selection (start, stop, step per dim; a null step means an integer index) picks, in C order.</summary>
    public static IEnumerable<long[]> Indices(long[] shape, (long Start, long Stop, long Step)[] sel)
    {
        var ranges = sel.Select(s =>
        {
            var list = new List<long>();
            for (var i = s.Start; i < s.Stop; i += s.Step)
            {
                list.Add(i);
            }

            return list;
        }).ToArray();
        if (ranges.Any(r => r.Count == 0))
        {
            yield break;
        }

        var idx = new int[shape.Length];
        while (true)
        {
            yield return [.. idx.Select((k, d) => ranges[d][k])];
            var d = shape.Length - 1;
            while (d >= 0)
            {
                if (++idx[d] < ranges[d].Count)
                {
                    break;
                }

                idx[d] = 0;
                d--;
            }

            if (d < 0)
            {
                yield break;
            }
        }
    }
}

public static class Bytes
{
    public static byte[] Of<T>(T value) where T : unmanaged
    {
        var b = new byte[Marshal.SizeOf<T>()];
        MemoryMarshal.Write(b, in value);
        return b;
    }
}
