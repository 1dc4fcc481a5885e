using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Zarr.Dataflow.Tests.Analytics;

/// <summary>An input array handed to numpy: float64 values in C order and a shape.</summary>
public sealed record NumpyInput(string Name, double[] Values, long[] Shape);

/// <summary>
/// Runs a snippet of numpy in Debian's Python (<c>/usr/bin/python3</c>) over float64 inputs and returns what it computed:
/// each input is bound to its name, the snippet assigns <c>results</c> (a list of arrays or scalars) and each result
/// comes back flattened (C order) as float64. One process per call, so a test asks for every result it needs at once.
/// </summary>
public static class NumpyPeer
{
    /// <summary>Debian's Python, with its numpy (the PATH's python3 may lack it).</summary>
    public const string Python = "/usr/bin/python3";

    public static async Task<double[][]> RunAsync(string snippet, params NumpyInput[] inputs)
    {
        using var dir = new TempDir();
        var script = new StringBuilder("import numpy as np\nimport warnings\nwarnings.simplefilter('ignore')\n");
        foreach (var input in inputs)
        {
            var path = Path.Combine(dir.Path, input.Name + ".f8");
            await File.WriteAllBytesAsync(path, MemoryMarshal.AsBytes(input.Values.AsSpan()).ToArray());
            var shape = string.Join("", input.Shape.Select(s => s.ToString(CultureInfo.InvariantCulture) + ","));
            script.Append(CultureInfo.InvariantCulture, $"{input.Name} = np.fromfile(r'{path}', '<f8').reshape(({shape}))\n");
        }

        script.Append(snippet).Append('\n');
        script.Append(CultureInfo.InvariantCulture, $"for i, r in enumerate(results):\n    np.asarray(r, dtype='<f8').ravel().tofile(r'{dir.Path}/out%d.f8' % i)\n");
        script.Append(CultureInfo.InvariantCulture, $"open(r'{dir.Path}/count', 'w').write(str(len(results)))\n");
        var scriptPath = Path.Combine(dir.Path, "peer.py");
        await File.WriteAllTextAsync(scriptPath, script.ToString());

        var start = new ProcessStartInfo(Python) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(scriptPath);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"numpy failed ({process.ExitCode}): {await error}\n{script}");
        }

        var count = int.Parse(await File.ReadAllTextAsync(Path.Combine(dir.Path, "count")), CultureInfo.InvariantCulture);
        var results = new double[count][];
        for (var i = 0; i < count; i++)
        {
            results[i] = MemoryMarshal.Cast<byte, double>(await File.ReadAllBytesAsync(Path.Combine(dir.Path, $"out{i}.f8"))).ToArray();
        }

        return results;
    }

    /// <summary>Random values in [-50, 50) with a fraction of NaN (none when <paramref name="nanFraction"/> is 0).</summary>
    public static double[] Data(long count, int seed, double nanFraction)
    {
        var rng = new Random(seed);
        var data = new double[count];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = rng.NextDouble() < nanFraction ? double.NaN : Math.Round((rng.NextDouble() * 100) - 50, 3);
        }

        return data;
    }

    /// <summary>Asserts that two arrays agree to a relative tolerance, NaN where the other is NaN.</summary>
    public static void AssertClose(double[] expected, ReadOnlySpan<double> actual, string what, double tolerance = 1e-9)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, numpy has {expected.Length}");
        for (var i = 0; i < expected.Length; i++)
        {
            var e = expected[i];
            var a = actual[i];
            var ok = double.IsNaN(e) ? double.IsNaN(a) : Math.Abs(e - a) <= tolerance * Math.Max(1, Math.Abs(e));
            Assert.True(ok, $"{what}: element {i} is {a}, numpy's is {e}");
        }
    }

    /// <summary>A numpy tuple literal of axes: <c>(0, 2)</c>.</summary>
    public static string Tuple(IEnumerable<int> axes) => "(" + string.Join("", axes.Select(a => a.ToString(CultureInfo.InvariantCulture) + ",")) + ")";
}
